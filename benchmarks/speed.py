"""The speed measurements behind ``python -m benchmarks`` (see the package docstring)."""

from __future__ import annotations

import math
import statistics
import tempfile
import time
from dataclasses import dataclass

import numpy as np
import torch

import models
from genoviz.data import Dataset, load
from genoviz.training import TrainConfig, TrainingJob, fit, model_build_args

DEMO_DATASET = "tf-binding"
DEMO_EPOCHS = 20
DEMO_TARGET_S = 60.0
FIRST_POINT_TARGET_S = 5.0
OVERHEAD_TARGET = 1.10


@dataclass
class Row:
    """One line of the table: a measurement, its in-run reference and the target."""

    name: str
    measured: float
    reference: float
    reference_name: str
    target: str
    unit: str = "s"

    @property
    def ratio(self) -> float:
        return self.measured / self.reference if self.reference else math.nan


def demo_wall_time() -> tuple[float, dict]:
    """Seconds to load the demo set and train the default model for 20 epochs, saving the
    run into a temporary folder; also returns the finished run's summary."""
    with tempfile.TemporaryDirectory() as runs_dir:
        t0 = time.perf_counter()
        ds = load(DEMO_DATASET)
        r = fit(ds, None, TrainConfig(epochs=DEMO_EPOCHS, save=True, runs_dir=runs_dir))
        wall = time.perf_counter() - t0
    summary = {
        "epochs": len(r.history),
        "best_epoch": r.best_epoch,
        "valid_roc_auc": r.valid_metrics.get("roc_auc"),
        "test_roc_auc": r.test_metrics.get("roc_auc"),
    }
    return wall, summary


def first_point_latency(timeout: float = 120.0) -> float:
    """Seconds from ``TrainingJob.start()`` to the first epoch record (then it is stopped)."""
    ds = load(DEMO_DATASET)
    job = TrainingJob(ds, None, TrainConfig(epochs=DEMO_EPOCHS, save=False))
    t0 = time.perf_counter()
    job.start()
    while not job.history and not job.done and time.perf_counter() - t0 < timeout:
        time.sleep(0.005)
    latency = time.perf_counter() - t0
    job.stop()
    job.wait(timeout)
    if not job.history:
        raise RuntimeError(f"no epoch record within {timeout:.0f} s: {job.message}")
    return latency


class BareLoop:
    """A minimal PyTorch loop on the train split, the reference for the trainer's cost:
    index a batch, forward, weighted loss, backward, AdamW step. Nothing else: no
    validation, no augmentation, no metrics, no callbacks."""

    def __init__(self, ds: Dataset, config: TrainConfig) -> None:
        torch.manual_seed(config.seed)
        ds.ensure_splits(config.seed)
        name = models.recommended(ds.task)
        build = model_build_args(ds, name, config)
        self.model = models.get(name, **build).train()
        idx = torch.from_numpy(ds.splits["train"])
        self.x = torch.from_numpy(ds.encode())[idx]
        self.y = torch.from_numpy(ds.labels.reshape(len(ds), -1))[idx]
        w = ds.weights if ds.weights is not None else np.ones(len(ds), np.float32)
        self.w = torch.from_numpy(w)[idx]
        self.e = torch.from_numpy(ds.extras)[idx] if build["extras"] else None
        self.opt = torch.optim.AdamW(
            self.model.parameters(), lr=config.lr, weight_decay=config.weight_decay
        )
        self.loss_fn = torch.nn.BCEWithLogitsLoss(reduction="none")
        self.batch_size = config.batch_size

    def epoch(self) -> float:
        """One pass over the train split; returns its wall seconds."""
        t0 = time.perf_counter()
        n = len(self.x)
        perm = torch.randperm(n)
        for s in range(0, n, self.batch_size):
            bi = perm[s : s + self.batch_size]
            out = self.model(self.x[bi], self.e[bi] if self.e is not None else None)
            loss = (self.loss_fn(out, self.y[bi]).mean(dim=1) * self.w[bi]).mean()
            self.opt.zero_grad(set_to_none=True)
            loss.backward()
            self.opt.step()
        return time.perf_counter() - t0


def trainer_vs_bare(epochs: int = 6) -> tuple[float, float]:
    """Median per-epoch seconds of the trainer and of the bare loop, first epochs dropped.

    The two alternate epoch by epoch (a bare epoch runs inside the trainer's ``on_epoch``
    callback, outside the trainer's timed span), so a busy spell on the machine slows
    both alike instead of skewing the ratio.
    """
    config = TrainConfig(epochs=epochs, patience=epochs + 1, save=False)
    bare = BareLoop(load(DEMO_DATASET), config)
    trainer_s: list[float] = []
    bare_s: list[float] = []
    resumed: list[float] = []

    def on_progress(_frac: float) -> None:
        if not resumed:
            resumed.append(time.perf_counter())

    def on_epoch(_record: dict) -> None:
        trainer_s.append(time.perf_counter() - resumed[-1])
        bare_s.append(bare.epoch())
        resumed.append(time.perf_counter())

    fit(load(DEMO_DATASET), None, config, on_epoch=on_epoch, on_progress=on_progress)
    return statistics.median(trainer_s[1:]), statistics.median(bare_s[1:])


def measure() -> tuple[list[Row], dict]:
    """Run every benchmark; returns the rows and extra facts for the report."""
    load(DEMO_DATASET)  # build (or read) the cached set once, outside every timing
    trainer_s, bare_s = trainer_vs_bare()
    latency = first_point_latency()
    demo_s, demo = demo_wall_time()
    rows = [
        Row(
            f"demo wall time ({DEMO_DATASET}, default model, {DEMO_EPOCHS} epochs, saved)",
            demo_s,
            DEMO_TARGET_S,
            "target",
            f"ratio <= 1 (<= {DEMO_TARGET_S:.0f} s)",
        ),
        Row(
            "first live point (start() -> first history record)",
            latency,
            bare_s,
            "one bare epoch",
            f"<= {FIRST_POINT_TARGET_S:.0f} s",
        ),
        Row(
            "trainer epoch (median of epochs 2-6)",
            trainer_s,
            bare_s,
            "bare PyTorch epoch",
            f"ratio <= {OVERHEAD_TARGET:.2f}",
        ),
    ]
    return rows, demo
