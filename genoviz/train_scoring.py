"""The fit loop's per-sample loss, and its scores of a split: metrics, loss and predictions."""

from __future__ import annotations

import math
from collections.abc import Callable

import numpy as np
import torch

from genoviz.predict import predict_arrays
from genoviz.tasks import (
    TaskError,
    check_trainable,
    metrics_for,
    per_sample_loss,
    positive_weights,
    to_predictions,
)
from genoviz.train_setup import Diverged, TrainingError


def loss_function(
    task: str, model_name: str, y_train: np.ndarray | None = None
) -> Callable[[torch.Tensor, torch.Tensor], torch.Tensor]:
    """Per-sample loss as ``(n, 1)``, so callers can ``.mean(dim=1)`` whatever the task.

    ``y_train`` (the training labels) sets multi-task positive weights
    (:func:`genoviz.tasks.positive_weights`)."""
    try:
        check_trainable(task)
    except TaskError as e:
        raise TrainingError(str(e)) from None
    pw = positive_weights(task, y_train) if y_train is not None else None
    if pw is None:
        return lambda out, y: per_sample_loss(task, out, y)[:, None]
    pos_weight = torch.from_numpy(pw)
    return lambda out, y: per_sample_loss(task, out, y, pos_weight.to(out.device))[:, None]


def evaluate_split(model, x_all, y_all, w_all, e_all, idx, task, loss_fn, device, bs, names=None):
    """Metrics, weighted mean loss and predictions of ``model`` on the rows ``idx``.

    Raises:
        Diverged: the outputs are NaN or infinite.
    """
    if len(idx) == 0:
        return {}, math.nan, np.zeros(0, dtype=np.float32)
    idx_t = torch.from_numpy(np.asarray(idx))
    out = predict_arrays(
        model,
        x_all[idx_t],
        e_all[idx_t] if e_all is not None else None,
        device=device,
        batch_size=bs,
        raw=True,
    )
    if not np.isfinite(out).all():  # the loss was still a number when the weights blew up
        raise Diverged(
            "training diverged: the model's outputs became NaN or infinite. Try a lower "
            "learning rate."
        )
    out_t = torch.from_numpy(out).reshape(len(idx), -1)
    y, w = y_all[idx_t], w_all[idx_t]
    loss = float((loss_fn(out_t, y).mean(dim=1) * w).sum() / w.sum())
    pred = to_predictions(task, out_t)
    return metrics_for(task, y.numpy(), pred, names), loss, pred
