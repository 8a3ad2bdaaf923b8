"""The speed measurements behind ``python -m benchmarks`` (see the package docstring)."""

from __future__ import annotations

import math
import statistics
import tempfile
import time
from dataclasses import dataclass, replace

import numpy as np
import torch

import models
from benchmarks.timing import alternate, autocast, rng_aside, sync
from genoviz.data import Dataset, load
from genoviz.training import TrainConfig, fit, model_build_args, select_device
from genoviz.training_job import TrainingJob

DEMO_DATASET = "tf-binding"
DEMO_EPOCHS = 20
DEMO_TARGET_S = 60.0
FIRST_POINT_TARGET_S = 5.0
OVERHEAD_TARGET = 1.10

DEMO = f"demo wall time ({DEMO_DATASET}, default model, {DEMO_EPOCHS} epochs, saved)"
FIRST_POINT = "first live point (start() -> first history record)"
TRAINER_EPOCH = "trainer epoch (median of epochs 2-6)"


@dataclass
class Row:
    """One line of the table: a measurement, its in-run reference and the target."""

    name: str
    measured: float
    reference: float
    reference_name: str
    target: str
    unit: str = "s"
    #: A line printed under the table (what the row adds up, the run it made).
    note: str = ""

    @property
    def ratio(self) -> float:
        return self.measured / self.reference if self.reference else math.nan


def print_table(rows: list[Row]) -> None:
    """The speed table: each row's measurement, reference, ratio and target, then the
    rows' notes."""
    w = max(len(r.name) for r in rows)
    head = f"{'benchmark':{w}}  {'measured':>9}  {'reference':>9}  {'ratio':>6}"
    print(f"{head}  reference / target")
    for r in rows:
        print(
            f"{r.name:{w}}  {r.measured:8.3g}{r.unit}  {r.reference:8.3g}{r.unit}  "
            f"{r.ratio:6.2f}  {r.reference_name} / {r.target}"
        )
    for r in rows:
        if r.note:
            print(r.note)


class BareLoop:
    """A minimal PyTorch loop on the train split, the reference for the trainer's cost:
    index a batch, forward, weighted loss, backward, AdamW step. Nothing else: no
    validation, no augmentation, no metrics, no callbacks. It runs on the device the
    trainer picks (``config.device``), with the split resident there and bf16 autocast
    where the trainer uses it."""

    def __init__(self, ds: Dataset, config: TrainConfig) -> None:
        self.device = select_device(config.device)
        torch.manual_seed(config.seed)
        ds.ensure_splits(config.seed)
        name = models.recommended(ds.task)
        build = model_build_args(ds, name, config)
        self.model = models.get(name, **build).to(self.device).train()
        idx = torch.from_numpy(ds.splits["train"])
        self.x = torch.from_numpy(ds.encode())[idx].to(self.device)
        self.y = torch.from_numpy(ds.labels.reshape(len(ds), -1))[idx].to(self.device)
        w = ds.weights if ds.weights is not None else np.ones(len(ds), np.float32)
        self.w = torch.from_numpy(w)[idx].to(self.device)
        self.e = torch.from_numpy(ds.extras)[idx].to(self.device) if build["extras"] else None
        self.opt = torch.optim.AdamW(
            self.model.parameters(), lr=config.lr, weight_decay=config.weight_decay
        )
        self.loss_fn = torch.nn.BCEWithLogitsLoss(reduction="none")
        self.batch_size = config.batch_size

    def epoch(self) -> float:
        """One pass over the train split; returns its wall seconds (GPU work included)."""
        sync(self.device)
        t0 = time.perf_counter()
        n = len(self.x)
        perm = torch.randperm(n, device=self.device)
        for s in range(0, n, self.batch_size):
            bi = perm[s : s + self.batch_size]
            with autocast(self.device):
                out = self.model(self.x[bi], self.e[bi] if self.e is not None else None)
            loss = (self.loss_fn(out.float(), self.y[bi]).mean(dim=1) * self.w[bi]).mean()
            self.opt.zero_grad(set_to_none=True)
            loss.backward()
            self.opt.step()
        sync(self.device)
        return time.perf_counter() - t0


def demo_row() -> Row:
    """The demo (load ``tf-binding``, train the default model 20 epochs, save the run)
    against the bare loop over the same epochs, one bare epoch run after each demo epoch
    (inside ``on_epoch``; that time is taken out of the demo's wall time)."""
    config = TrainConfig(epochs=DEMO_EPOCHS, save=True)
    load(DEMO_DATASET)  # build (or read) the cached set once, outside the timing
    bare = BareLoop(load(DEMO_DATASET), config)
    bare_s: list[float] = []
    aside: list[float] = []

    def on_epoch(_record: dict) -> None:
        t0 = time.perf_counter()
        with rng_aside(bare.device):  # the demo's own random draws stay as they were
            bare_s.append(bare.epoch())
        aside.append(time.perf_counter() - t0)

    with tempfile.TemporaryDirectory() as runs_dir:
        t0 = time.perf_counter()
        ds = load(DEMO_DATASET)
        r = fit(ds, None, replace(config, runs_dir=runs_dir), on_epoch=on_epoch)
        wall = time.perf_counter() - t0 - sum(aside)
    return Row(
        DEMO,
        wall,
        sum(bare_s),
        f"bare loop, same {len(bare_s)} epochs",
        f"<= {DEMO_TARGET_S:.0f} s",
        note=(
            f"demo run: {len(r.history)} epochs, kept epoch {r.best_epoch}, valid ROC AUC "
            f"{r.valid_metrics.get('roc_auc', math.nan):.3f}, test ROC AUC "
            f"{r.test_metrics.get('roc_auc', math.nan):.3f}; {wall:.1f} s against the "
            f"{DEMO_TARGET_S:.0f} s target"
        ),
    )


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


def first_point_row(pairs: int = 3) -> Row:
    """The first live point's latency, alternating with one warm bare epoch (``pairs``
    of each, medians)."""
    bare = BareLoop(load(DEMO_DATASET), TrainConfig(save=False))
    bare.epoch()  # warm-up
    p = alternate(first_point_latency, bare.epoch, pairs)
    return Row(
        FIRST_POINT,
        p.measured,
        p.reference,
        "one bare epoch",
        f"<= {FIRST_POINT_TARGET_S:.0f} s",
    )


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
        with rng_aside(bare.device):
            bare_s.append(bare.epoch())
        resumed.append(time.perf_counter())

    fit(load(DEMO_DATASET), None, config, on_epoch=on_epoch, on_progress=on_progress)
    return statistics.median(trainer_s[1:]), statistics.median(bare_s[1:])


def trainer_row() -> Row:
    load(DEMO_DATASET)
    trainer_s, bare_s = trainer_vs_bare()
    return Row(
        TRAINER_EPOCH,
        trainer_s,
        bare_s,
        "bare PyTorch epoch",
        f"ratio <= {OVERHEAD_TARGET:.2f}",
        note=(
            "trainer epoch = bare loop (batch, forward, loss, backward, AdamW step) + random "
            "strand flips, weight moving average, train metrics, validation on both strands, "
            "kept-weights copy, stop/progress polling"
        ),
    )
