"""What each task means for training: its loss, and how model outputs become predictions.

Keeping this in one place lets the fit loop stay task-agnostic.
"""

from __future__ import annotations

import numpy as np
import torch
from torch import nn

from genoviz.metrics import multitask_metrics, task_metrics

TRAINABLE = ("binary", "regression", "multiclass", "multitask-binary")


class TaskError(ValueError):
    """A task the fit loop cannot train."""


def check_trainable(task: str) -> None:
    if task not in TRAINABLE:
        hint = (
            " (language-model corpora are for pretraining: fit hands them to "
            "genoviz.pretrain.fit_mlm with kmer-bert or codon-bert)"
            if task == "lm"
            else ""
        )
        raise TaskError(f"task {task!r} cannot be trained with the supervised loop{hint}")


#: Cap on a multi-task label's positive weight, so a task with a handful of positives
#: cannot dominate the loss.
MAX_POS_WEIGHT = 50.0


def positive_weights(task: str, y: np.ndarray) -> np.ndarray | None:
    """Per-task positive weights for ``multitask-binary`` (None for other tasks).

    Each task's positives weigh ``negatives / positives`` (capped at
    :data:`MAX_POS_WEIGHT`), so every task's rare positives count as much as its negatives,
    as per-row sequence weights do for a single binary label. Without it a shared trunk
    learns the commonest factor first and the rare ones only after a long plateau.

    Args:
        y: training labels ``(n, tasks)``.
    """
    if task != "multitask-binary":
        return None
    y = np.asarray(y, dtype=np.float64).reshape(len(y), -1)
    pos = y.sum(axis=0)
    neg = len(y) - pos
    return np.clip(neg / np.maximum(pos, 1.0), 1.0, MAX_POS_WEIGHT).astype(np.float32)


def per_sample_loss(
    task: str, out: torch.Tensor, y: torch.Tensor, pos_weight: torch.Tensor | None = None
) -> torch.Tensor:
    """Unreduced loss per sequence, shape ``(n,)``.

    Args:
        out: model outputs ``(n, outputs)``: logits, or values for regression.
        y: labels ``(n, 1)`` (binary, regression, class index) or ``(n, tasks)``.
        pos_weight: ``(tasks,)`` weights of positive labels (see :func:`positive_weights`).
    """
    out = out.float()
    if task == "multiclass":
        return nn.functional.cross_entropy(out, y[:, 0].long(), reduction="none")
    if task in ("binary", "multitask-binary"):
        return nn.functional.binary_cross_entropy_with_logits(
            out, y, reduction="none", pos_weight=pos_weight
        ).mean(1)
    if task == "regression":
        return nn.functional.mse_loss(out, y, reduction="none").mean(1)
    raise TaskError(f"no loss for task {task!r}")


def to_predictions(task: str, out: torch.Tensor) -> np.ndarray:
    """Outputs to what metrics and users read: probabilities ``(n,)`` (binary),
    class probabilities ``(n, classes)`` (multiclass), per-task probabilities ``(n, tasks)``
    (multi-task), or values ``(n,)`` (regression)."""
    out = out.float()
    if task == "multiclass":
        return torch.softmax(out, dim=1).cpu().numpy()
    if task in ("binary", "multitask-binary"):
        out = torch.sigmoid(out)
    arr = out.cpu().numpy()
    return arr[:, 0] if arr.shape[1] == 1 and task != "multitask-binary" else arr


def metrics_for(
    task: str, y: np.ndarray, pred: np.ndarray, names: list[str] | None = None
) -> dict[str, float]:
    """Task metrics, with task names for multi-task sets."""
    if task == "multitask-binary":
        return multitask_metrics(y, pred, names)
    return task_metrics(task, np.asarray(y).reshape(-1), pred)
