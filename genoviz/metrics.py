"""Task metrics, computed with scikit-learn and scipy."""

from __future__ import annotations

import math

import numpy as np
from scipy import stats
from sklearn import metrics as skm

#: The metric early stopping watches, and the one the UI headlines, per task.
PRIMARY_METRIC = {"binary": "roc_auc", "regression": "pearson"}
METRIC_LABELS = {
    "roc_auc": "ROC AUC",
    "pr_auc": "PR AUC",
    "pearson": "Pearson r",
    "spearman": "Spearman ρ",
    "loss": "loss",
}


def binary_metrics(
    y_true: np.ndarray, y_score: np.ndarray, weights: np.ndarray | None = None
) -> dict[str, float]:
    """ROC AUC and PR AUC (average precision). NaN when only one class is present.

    ``weights`` are not used: class weights exist to balance the loss, and AUCs are
    already insensitive to class balance.
    """
    y = np.asarray(y_true).reshape(-1) > 0.5
    s = np.asarray(y_score, dtype=np.float64).reshape(-1)
    if y.all() or not y.any():
        return {"roc_auc": math.nan, "pr_auc": math.nan}
    return {
        "roc_auc": float(skm.roc_auc_score(y, s)),
        "pr_auc": float(skm.average_precision_score(y, s)),
    }


def regression_metrics(y_true: np.ndarray, y_pred: np.ndarray) -> dict[str, float]:
    """Pearson and Spearman correlation (NaN for constant input) and mean squared error."""
    y = np.asarray(y_true, dtype=np.float64).reshape(-1)
    p = np.asarray(y_pred, dtype=np.float64).reshape(-1)
    if len(y) < 2 or np.ptp(y) == 0 or np.ptp(p) == 0:
        r = rho = math.nan
    else:
        r = float(stats.pearsonr(y, p).statistic)
        rho = float(stats.spearmanr(y, p).statistic)
    return {"pearson": r, "spearman": rho, "mse": float(np.mean((y - p) ** 2))}


def task_metrics(
    task: str, y_true: np.ndarray, y_pred: np.ndarray, weights: np.ndarray | None = None
) -> dict[str, float]:
    """The metrics for a task; ``y_pred`` is a probability (binary) or a value."""
    if task == "binary":
        return binary_metrics(y_true, y_pred, weights)
    if task == "regression":
        return regression_metrics(y_true, y_pred)
    raise ValueError(f"metrics for task {task!r} are not available yet")


def roc_points(y_true: np.ndarray, y_score: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """False- and true-positive rates for a ROC curve plot."""
    fpr, tpr, _ = skm.roc_curve(
        np.asarray(y_true).reshape(-1) > 0.5, np.asarray(y_score).reshape(-1)
    )
    return fpr, tpr
