"""A training run's settings and what it ends with: :class:`TrainConfig` and its check, the
device choice, the errors training raises and :class:`TrainResult`. The model it builds and
its starting weights are :mod:`genoviz.train_build`; the ``run.json`` record it starts with
is :mod:`genoviz.run_record`.

:func:`genoviz.training.fit` and :func:`genoviz.pretrain.fit_mlm` share all of it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import torch
from torch import nn

from genoviz import run_predictions


class TrainingError(RuntimeError):
    """Training could not go on (diverged, NaN loss, unusable data); the message says why."""


class Diverged(TrainingError):
    """The loss became infinite or grew far past its start: the run failed in a way that
    going on with the same learning rate would repeat."""


class StopRequested(Exception):
    """Internal: the user pressed Stop."""


@dataclass
class TrainConfig:
    """Everything that decides a training run besides the data and the model name."""

    epochs: int = 20
    batch_size: int = 128
    lr: float = 3e-3
    #: AdamW's decoupled weight decay.
    weight_decay: float = 1e-2
    #: Stop after this many epochs without a better validation score.
    patience: int = 6
    seed: int = 0
    device: str = "auto"
    #: Model hyperparameters overriding the registry defaults.
    hparams: dict[str, Any] = field(default_factory=dict)
    #: Feed the dataset's extras (e.g. accessibility) to the model when it has them.
    use_extras: bool = True
    #: Pad (N) or trim sequences to this length; None = the data's own fixed length.
    seq_len: int | None = None
    #: Treat the two strands as the same (random reverse-complement augmentation while
    #: training; one-hot models also average both strands when predicting, a BERT learns
    #: it from the augmentation alone). None = decide from the dataset: see
    #: :func:`genoviz.train_build.strand_symmetric`.
    rc_augment: bool | None = None
    runs_dir: str | None = None
    run_name: str | None = None
    #: False: train in memory only, writing no run folder (tests, benchmarks).
    save: bool = True
    #: Validate and keep an exponential moving average of the weights with this half-life
    #: in epochs (0 = the raw weights). Smooths the noisy steps that rare positives cause,
    #: so the validation curve, and the epoch early stopping picks, are far less noisy.
    ema_epochs: float = 1.0
    #: Keep the latest epoch whose validation score is within this many standard errors
    #: of the best so far (0 = strictly the top-scoring epoch). With a few positives the
    #: validation AUC is noisy, and an early lucky epoch would otherwise end training.
    keep_within_se: float = 1.0
    #: Go on training the interrupted or stopped run in this folder from its last completed
    #: epoch (weights, optimizer, history, random state); see :func:`resume_plan`.
    resume_from: str | None = None
    #: Start from this run folder's weights: every tensor whose name and shape match is
    #: copied (see :mod:`genoviz.transfer`). None = fresh random weights.
    init_from: str | None = None
    #: With ``init_from``: train only the dense head(s), keeping the copied trunk fixed.
    freeze_trunk: bool = False
    #: BERT models: start from this pretrained BERT, a genoviz pretraining run or a Hugging
    #: Face checkpoint folder in DNABERT's layout (config.json, vocab.txt, weights).
    init_bert: str | None = None
    #: Masked-LM pretraining options (task ``lm``): see
    #: :class:`genoviz.pretrain_masking.MaskConfig`.
    mlm: dict[str, Any] = field(default_factory=dict)


@dataclass
class TrainResult:
    """What a finished (or stopped) run produced."""

    #: The kept weights, on the CPU whatever device trained them.
    model: nn.Module
    history: list[dict[str, Any]]
    best_epoch: int
    valid_metrics: dict[str, float]
    test_metrics: dict[str, float]
    test_ids: list[str]
    test_labels: np.ndarray
    test_predictions: np.ndarray
    status: str
    run_dir: Path | None
    device: str
    #: What ``init_from`` copied, skipped and froze (see TransferReport.to_dict).
    transfer: dict[str, Any] | None = None

    @classmethod
    def from_run(cls, run: Any) -> TrainResult:
        """A saved run's result read back from its folder (a :class:`genoviz.runs.Run`
        with weights): its kept model on the CPU, curves, final metrics and test table."""
        info = run.info
        final = info.get("final_metrics") or {}
        table = run.test_predictions()
        ids, labels, predictions = [], np.zeros(0, np.float32), np.zeros(0, np.float32)
        if table is not None:
            ids = table["id"].astype(str).tolist()
            labels, predictions = run_predictions.prediction_arrays(
                table, info["dataset"].get("class_names") or []
            )
        return cls(
            model=run.load_model("cpu"),
            history=list(run.history),
            best_epoch=int(info.get("best_epoch") or 0),
            valid_metrics=dict(final.get("valid") or {}),
            test_metrics=dict(final.get("test") or {}),
            test_ids=ids,
            test_labels=labels,
            test_predictions=predictions,
            status=run.status,
            run_dir=run.path,
            device="cpu",
            transfer=info.get("transfer"),
        )


def check_config(config: TrainConfig) -> None:
    """Refuse settings no training can run with, naming each (the CLI and the pages stop
    them earlier; this guards the library)."""
    problems = [
        f"{name} must be at least 1, not {value}"
        for name, value in (
            ("epochs", config.epochs),
            ("batch_size", config.batch_size),
            ("patience", config.patience),
        )
        if not (isinstance(value, int) and value >= 1)
    ]
    if not (isinstance(config.lr, int | float) and 0 <= config.lr < float("inf")):
        problems.append(f"the learning rate must be a number of at least 0, not {config.lr}")
    if problems:
        raise TrainingError("; ".join(problems))


def select_device(choice: str = "auto") -> torch.device:
    """``auto`` picks cuda, then mps, then cpu; an explicit choice must be available."""
    if choice == "auto":
        if torch.cuda.is_available():
            return torch.device("cuda")
        if getattr(torch.backends, "mps", None) and torch.backends.mps.is_available():
            return torch.device("mps")
        return torch.device("cpu")
    if choice == "cuda" and not torch.cuda.is_available():
        raise TrainingError("device 'cuda' was requested but no CUDA GPU is available")
    if choice == "mps" and not (
        getattr(torch.backends, "mps", None) and torch.backends.mps.is_available()
    ):
        raise TrainingError("device 'mps' was requested but Apple MPS is not available")
    if choice not in ("cpu", "cuda", "mps"):
        raise TrainingError(f"unknown device {choice!r}; use auto, cpu, cuda or mps")
    return torch.device(choice)
