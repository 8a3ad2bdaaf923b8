"""How much training's weights shift a model's predicted odds: the data's weight column and
multi-task positive weights, against counting every sequence once (run.json records whether
it is worth a note, and Predict says so)."""

from __future__ import annotations

import numpy as np

from genoviz.data import Dataset
from genoviz.tasks import positive_weights

#: Weights that change a class's odds in training by less than this factor are not noted
#: (a logit shift under 0.18: 50% reads at most 54.5%).
NOTED_ODDS_SHIFT = 1.2


def _training_rows(dataset: Dataset) -> np.ndarray:
    """The training split's rows, or every row before the splits are drawn."""
    return dataset.splits["train"] if dataset.splits else np.arange(len(dataset))


def odds_shift(dataset: Dataset) -> float:
    """The largest factor by which training's weights change a class's (or a task's)
    odds in the training split, against counting every sequence once; 1.0 when they do
    not. The data's weight column and multi-task positive weights
    (:func:`genoviz.tasks.positive_weights`) both count. A model fitted under these
    weights predicts odds shifted by about this factor."""
    rows = _training_rows(dataset)
    if dataset.task in ("regression", "lm") or len(rows) == 0:
        return 1.0
    w = np.ones(len(rows)) if dataset.weights is None else dataset.weights[rows].astype(float)
    y = np.asarray(dataset.labels[rows], dtype=np.float64)
    if dataset.task == "multiclass":
        y = np.eye(int(y.max()) + 1)[y.reshape(-1).astype(int)]
    y = y.reshape(len(rows), -1)
    per_task = positive_weights(dataset.task, y)
    up = np.ones(y.shape[1]) if per_task is None else per_task.astype(float)
    pos = (w[:, None] * y).sum(axis=0)
    neg = (w[:, None] * (1 - y)).sum(axis=0)
    n_pos = y.sum(axis=0)
    seen = (n_pos > 0) & (n_pos < len(y)) & (pos > 0) & (neg > 0)
    if not seen.any():
        return 1.0
    weighted = up[seen] * pos[seen] / neg[seen]
    counted = n_pos[seen] / (len(y) - n_pos[seen])
    ratio = weighted / counted
    return float(np.max(np.maximum(ratio, 1 / ratio)))


def unequal_weights(dataset: Dataset) -> bool:
    """Whether training's weights shift the predicted probabilities enough to say so
    (by :data:`NOTED_ODDS_SHIFT` or more, see :func:`odds_shift`). For regression:
    whether the weight column varies in the training split."""
    if dataset.task == "regression":
        w = dataset.weights
        return w is not None and bool(np.ptp(w[_training_rows(dataset)]) > 0)
    return odds_shift(dataset) >= NOTED_ODDS_SHIFT
