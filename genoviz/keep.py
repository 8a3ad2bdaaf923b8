"""Which epoch training keeps: a moving average of the weights, and the rule that keeps the
latest epoch whose validation score is within a standard error of the best so far.

With a dozen validation positives, one lucky early epoch is not a reason to stop, so
:class:`KeepRule` compares each epoch against the top score less ``within_se`` standard
errors of that score (Hanley & McNeil for ROC AUC, Fisher's z for Pearson r).
"""

from __future__ import annotations

import copy
import math
from dataclasses import dataclass
from typing import Any

import numpy as np
import torch
from torch import nn


class WeightAverage:
    """An exponential moving average of a model's weights, with a half-life in steps.

    Until a half-life's worth of steps has passed it is the plain mean of every step so far,
    so early epochs are not dragged towards the random initial weights. Hand-written
    because ``torch.optim.swa_utils.AveragedModel`` has no such warm-up and regroups its
    tensors on every step, which costs more than the small models' own updates.
    """

    def __init__(self, model: nn.Module, half_life_steps: float) -> None:
        self.model = copy.deepcopy(model)
        self.rate = 1.0 - 0.5 ** (1.0 / max(half_life_steps, 1.0))
        self._avg = [p.detach() for p in self.model.parameters()]
        self._src = [p.detach() for p in model.parameters()]
        self._buf = list(zip(self.model.buffers(), model.buffers(), strict=True))
        self.steps = 0

    @torch.no_grad()
    def update(self) -> None:
        """Fold the source model's current weights in (and copy its buffers)."""
        self.steps += 1
        torch._foreach_lerp_(self._avg, self._src, max(self.rate, 1.0 / self.steps))
        for mine, theirs in self._buf:
            mine.copy_(theirs)


def standard_error(metric: str, value: float, y: np.ndarray) -> float:
    """Sampling standard error of a validation score: Hanley & McNeil (1982) for ROC AUC,
    Fisher's z for Pearson r; 0 where neither applies (then the top score is kept).

    ``y``: the validation labels, shape ``(n,)`` or ``(n, 1)``.
    """
    y = y.reshape(len(y), -1)
    if not math.isfinite(value) or y.shape[1] != 1:
        return 0.0
    n = len(y)
    if metric == "roc_auc":
        pos = int((y > 0.5).sum())
        neg = n - pos
        if pos == 0 or neg == 0:
            return 0.0
        a = min(max(value, 0.0), 1.0)
        q1, q2 = a / (2 - a), 2 * a * a / (1 + a)
        var = (a * (1 - a) + (pos - 1) * (q1 - a * a) + (neg - 1) * (q2 - a * a)) / (pos * neg)
        return math.sqrt(max(var, 0.0))
    if metric == "pearson" and n > 3:
        return (1 - value * value) / math.sqrt(n - 3)
    return 0.0


@dataclass
class KeepRule:
    """Decides, epoch by epoch, whether to keep that epoch's weights.

    An epoch is kept when its score is at least the top score so far less ``within_se``
    standard errors of the top score; where no epoch has a finite score, when its
    validation loss is the lowest so far. Later kept epochs replace earlier ones.

    Args:
        metric: the primary metric's name (``roc_auc``, ``pearson``, ...).
        y_valid: the validation labels, shape ``(n,)`` or ``(n, tasks)``; standard errors
            apply only to single-output tasks.
        within_se: the tolerance in standard errors (0 = keep only a new top score).
    """

    metric: str
    y_valid: np.ndarray
    within_se: float = 1.0
    best_score: float = -math.inf
    best_loss: float = math.inf
    best_epoch: int = 0
    top_score: float = -math.inf

    def judge(self, epoch: int, score: float, valid_loss: float) -> bool:
        """Record epoch ``epoch``'s validation score and loss; True when it is kept."""
        if math.isfinite(score):
            self.top_score = max(self.top_score, score)
            tol = self.within_se * standard_error(self.metric, self.top_score, self.y_valid)
            kept = score >= self.top_score - tol
        else:
            kept = not math.isfinite(self.best_score) and valid_loss < self.best_loss
        if kept:
            self.best_score, self.best_loss, self.best_epoch = score, valid_loss, epoch
        return kept

    def counters(self) -> dict[str, Any]:
        """The rule's state for a checkpoint (JSON-safe: infinities become None)."""
        return {
            "best_epoch": self.best_epoch,
            "best_score": _finite_or_none(self.best_score),
            "best_loss": _finite_or_none(self.best_loss),
            "top_score": _finite_or_none(self.top_score),
        }

    def restore(self, state: dict[str, Any]) -> None:
        """Take back :meth:`counters` from a checkpoint's state."""
        self.best_epoch = int(state["best_epoch"])
        self.best_score = _or(state["best_score"], -math.inf)
        self.best_loss = _or(state["best_loss"], math.inf)
        self.top_score = _or(state["top_score"], -math.inf)


def _finite_or_none(value: float) -> float | None:
    return value if math.isfinite(value) else None


def _or(value: float | None, default: float) -> float:
    return default if value is None else float(value)
