"""Task metrics, computed with scikit-learn and scipy."""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import NamedTuple

import numpy as np
from scipy import stats
from sklearn import metrics as skm

#: The metric early stopping watches, and the one the UI headlines, per task.
PRIMARY_METRIC = {
    "binary": "roc_auc",
    "regression": "pearson",
    "multiclass": "roc_auc",
    "multitask-binary": "roc_auc",
}
METRIC_LABELS = {
    "roc_auc": "ROC AUC",
    "pr_auc": "PR AUC",
    "pearson": "Pearson r",
    "spearman": "Spearman ρ",
    "r2": "R²",
    "accuracy": "accuracy",
    "macro_f1": "macro F1",
    "mcc": "MCC",
    "loss": "loss",
    # BERT pretraining (task "lm")
    "masked_acc": "masked-token accuracy",
    "baseline_masked_acc": "baseline accuracy (commonest token)",
    "mlm_loss": "masked-token loss",
}


def curve_label(key: str) -> str:
    """A history key in words: ``valid_roc_auc`` -> ``valid ROC AUC``."""
    split, _, metric = key.partition("_")
    return f"{split} {METRIC_LABELS.get(metric, metric)}"


#: Metrics left out of the metric curves: the loss (its own chart) and R², which sits far
#: below 0 in early epochs and would squash the curves beside it.
NOT_CURVES = ("loss", "r2")


def metric_series(history: list[dict]) -> dict[str, str]:
    """History keys -> legend names for the headline metrics (not :data:`NOT_CURVES`, nor
    per-task AUCs or a confusion matrix), e.g. ``valid_roc_auc`` -> ``valid ROC AUC``, in
    the order the fit loop records them, train before valid."""
    metrics: dict[str, None] = {}
    for record in history:
        for key in record:
            split, _, metric = key.partition("_")
            if split in ("train", "valid") and metric in METRIC_LABELS.keys() - NOT_CURVES:
                metrics[metric] = None
    return {
        f"{split}_{m}": curve_label(f"{split}_{m}")
        for m in metrics
        for split in ("train", "valid")
        if any(f"{split}_{m}" in r for r in history)
    }


def binary_metrics(y_true: np.ndarray, y_score: np.ndarray) -> dict[str, float]:
    """ROC AUC and PR AUC (average precision), each sequence counted once. NaN when only
    one class is present.

    Training's sequence weights (which balance rare positives in the loss) are left out:
    ROC AUC does not depend on the class balance, and PR AUC is meant to reflect the
    real one (its chance level is the share of positives).
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
    """Pearson and Spearman correlation (NaN for constant input), R² and mean squared error.

    R² scores the predictions as they are (1 - residual / total sum of squares), where
    r² scores the best line through them: predictions that order the sequences well but
    sit off the measured scale have a good r and an R² below 0. NaN for constant labels.
    """
    y = np.asarray(y_true, dtype=np.float64).reshape(-1)
    p = np.asarray(y_pred, dtype=np.float64).reshape(-1)
    if len(y) < 2 or np.ptp(y) == 0 or np.ptp(p) == 0:
        r = rho = math.nan
    else:
        r = float(stats.pearsonr(y, p).statistic)
        rho = float(stats.spearmanr(y, p).statistic)
    r2 = float(skm.r2_score(y, p)) if len(y) >= 2 and np.ptp(y) > 0 else math.nan
    return {"pearson": r, "spearman": rho, "r2": r2, "mse": float(np.mean((y - p) ** 2))}


def multiclass_metrics(y_true: np.ndarray, proba: np.ndarray) -> dict[str, float]:
    """Accuracy, macro F1, Matthews correlation and macro one-vs-rest ROC AUC.

    Args:
        y_true: class indices, shape ``(n,)``.
        proba: class probabilities, shape ``(n, classes)``.
    """
    y = np.asarray(y_true).reshape(-1).astype(int)
    proba = np.asarray(proba, dtype=np.float64)
    pred = proba.argmax(axis=1)
    present = np.unique(y)
    if len(present) < 2:
        auc = math.nan
    else:
        aucs = [skm.roc_auc_score(y == c, proba[:, c]) for c in present]
        auc = float(np.mean(aucs))
    return {
        "accuracy": float(skm.accuracy_score(y, pred)),
        # over the classes present or predicted: one absent from the split is not a miss
        "macro_f1": float(skm.f1_score(y, pred, average="macro", zero_division=0)),
        "mcc": float(skm.matthews_corrcoef(y, pred)),
        "roc_auc": auc,
    }


def confusion_matrix(y_true: np.ndarray, proba: np.ndarray) -> np.ndarray:
    """Counts ``(classes, classes)``: rows are true classes, columns predicted."""
    proba = np.asarray(proba)
    labels = np.arange(proba.shape[1])
    y = np.asarray(y_true).reshape(-1).astype(int)
    return skm.confusion_matrix(y, proba.argmax(axis=1), labels=labels)


def multitask_metrics(
    y_true: np.ndarray, proba: np.ndarray, names: list[str] | None = None
) -> dict[str, float]:
    """Per-task ROC AUC and PR AUC (``roc_auc_<name>``) and their means (``roc_auc``)."""
    y = np.asarray(y_true)
    proba = np.asarray(proba)
    names = names or [f"task{j + 1}" for j in range(y.shape[1])]
    out: dict[str, float] = {}
    for j, name in enumerate(names):
        m = binary_metrics(y[:, j], proba[:, j])
        out[f"roc_auc_{name}"] = m["roc_auc"]
        out[f"pr_auc_{name}"] = m["pr_auc"]
    for key in ("roc_auc", "pr_auc"):
        vals = [out[f"{key}_{n}"] for n in names if math.isfinite(out[f"{key}_{n}"])]
        out[key] = float(np.mean(vals)) if vals else math.nan
    return out


def task_metrics(task: str, y_true: np.ndarray, y_pred: np.ndarray) -> dict[str, float]:
    """The metrics for a task.

    ``y_pred`` is a probability ``(n,)`` (binary), a value (regression), class
    probabilities ``(n, classes)`` (multiclass) or per-task probabilities ``(n, tasks)``.
    """
    if task == "binary":
        return binary_metrics(y_true, y_pred)
    if task == "regression":
        return regression_metrics(y_true, y_pred)
    if task == "multiclass":
        return multiclass_metrics(y_true, y_pred)
    if task == "multitask-binary":
        return multitask_metrics(y_true, y_pred)
    raise ValueError(f"metrics for task {task!r} are not available yet")


@dataclass(frozen=True)
class Calibration:
    """How far predicted probabilities can be read as probabilities: the sequences binned
    by predicted probability (``bins`` equal widths on [0, 1], empty bins left out).

    Attributes:
        predicted: ``(b,)`` mean predicted probability in each bin.
        observed: ``(b,)`` share of positives in each bin.
        counts: ``(b,)`` sequences in each bin.
        brier: mean squared difference between prediction and outcome (0 is perfect).
        ece: expected calibration error, ``|observed - predicted|`` averaged over the
            sequences (each bin weighted by its count).
        mean_predicted, positive_share: over all the sequences.
    """

    predicted: np.ndarray
    observed: np.ndarray
    counts: np.ndarray
    brier: float
    ece: float
    mean_predicted: float
    positive_share: float

    @property
    def chance_ece(self) -> float:
        """About the ECE a perfectly calibrated model shows on this many sequences in these
        bins: each bin's share of positives strays from its mean prediction by
        ``sqrt(2/pi * p(1-p)/n)`` on average (a binomial's mean absolute deviation)."""
        p, n = self.predicted, self.counts
        return float(np.sum(n * np.sqrt(2 / np.pi * p * (1 - p) / n)) / n.sum())

    def verdict(self) -> str:
        """``high``, ``low``, ``good``, ``over``, ``under`` or ``unclear`` (too few
        sequences to tell calibration from chance)."""
        mean, share, n = self.mean_predicted, self.positive_share, self.counts.sum()
        gap = mean - share
        # A shift: beyond the share's sampling error, large against the shares themselves
        # (2.6% against 6.5% is), and at least half of the whole gap.
        if (
            abs(gap) > 3 * np.sqrt(share * (1 - share) / n) + 0.005
            and abs(gap) >= 0.25 * max(mean, share)
            and abs(gap) >= self.ece / 2
        ):
            return "high" if gap > 0 else "low"
        if self.ece <= max(2 * self.chance_ece, 0.02):
            return "unclear" if 2 * self.chance_ece > 0.1 else "good"
        # Positive when the outcomes spread wider than the predictions around their mean.
        spread = np.sum(self.counts * (self.predicted - mean) * (self.observed - self.predicted))
        return "over" if spread < 0 else "under"

    def summary(self, weighted: bool = False) -> str:
        """What the numbers say, in words; ``weighted``: training weighted the sequences
        unequally."""
        verdict = self.verdict()
        said = {
            "high": "its probabilities read high",
            "low": "its probabilities read low",
            "good": "its probabilities can be taken roughly at their word",
            "unclear": (
                f"with {self.counts.sum():,} sequences, a model with perfect probabilities "
                f"would stray about as far ({self.chance_ece:.3f}), so this cannot tell"
            ),
            "over": "it is over-confident: its probabilities sit too close to 0 and 1",
            "under": "it is under-confident: its probabilities sit too close to the average",
        }[verdict]
        text = (
            f"Brier score {self.brier:.3f}, expected calibration error {self.ece:.3f}. The "
            f"model predicts {self.mean_predicted:.1%} on average where "
            f"{self.positive_share:.1%} of these sequences are positive: {said}."
        )
        if len(self.counts) == 1:
            text += (
                " Every prediction falls in one bin, so the plot has one dot; calibration "
                "says nothing of how well the model ranks the sequences (ROC AUC does)."
            )
        if weighted:
            effect = (
                "which is why its probabilities read this way"
                if verdict in ("high", "low")
                else "which can shift every probability (here the average holds)"
            )
            text += (
                " Training weighted the sequences unequally (the data's weight column; "
                f"tf-binding's weights balance its rare positives), {effect}. Rank sequences "
                "by the scores (ideally the weights shift every logit by one constant, "
                "which keeps the ranking), but do not read them as chances."
            )
        return text


def calibration(y_true: np.ndarray, proba: np.ndarray, bins: int = 10) -> Calibration:
    """The reliability curve, Brier score and ECE of one binary label's predicted
    probabilities. The bins are those of scikit-learn's ``calibration_curve(strategy=
    "uniform")``, counted here because it does not return how many each holds.

    Raises:
        ValueError: not one column, lengths that differ, a label other than 0 or 1, or a
            prediction that is not a probability (a logit, NaN).
    """
    y = np.asarray(y_true, dtype=np.float64)
    p = np.asarray(proba, dtype=np.float64)
    if any(a.ndim > 1 and a.shape[1:] != (1,) for a in (y, p)):
        raise ValueError(
            f"calibration is for one binary label; got labels {y.shape} and predictions "
            f"{p.shape} (take one task's column)"
        )
    y, p = y.reshape(-1), p.reshape(-1)
    if len(y) != len(p) or len(y) == 0:
        raise ValueError(
            f"calibration needs as many labels as predictions, not {len(y)} and {len(p)}"
        )
    if not np.isin(y, (0.0, 1.0)).all():
        raise ValueError("calibration needs labels of 0 or 1")
    if not (np.isfinite(p).all() and (p >= 0).all() and (p <= 1).all()):
        raise ValueError("calibration needs probabilities in [0, 1], not logits or NaN")
    which = np.searchsorted(np.linspace(0.0, 1.0, bins + 1)[1:-1], p)
    counts = np.bincount(which, minlength=bins)
    kept = counts > 0
    predicted = np.bincount(which, weights=p, minlength=bins)[kept] / counts[kept]
    observed = np.bincount(which, weights=y, minlength=bins)[kept] / counts[kept]
    ece = float(np.sum(counts[kept] * np.abs(observed - predicted)) / len(p))
    brier = float(skm.brier_score_loss(y, p))
    return Calibration(
        predicted, observed, counts[kept], brier, ece, float(p.mean()), float(y.mean())
    )


def roc_points(y_true: np.ndarray, y_score: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """False- and true-positive rates for a ROC curve plot."""
    fpr, tpr, _ = skm.roc_curve(
        np.asarray(y_true).reshape(-1) > 0.5, np.asarray(y_score).reshape(-1)
    )
    return fpr, tpr


class AucDifference(NamedTuple):
    """Two scores' ROC AUCs on the same sequences and DeLong's test of their difference."""

    auc_a: float
    auc_b: float
    difference: float  # auc_b - auc_a
    se: float  # standard error of the difference (paired: the same sequences)
    p_value: float  # two-sided, normal approximation


def auc_difference(y_true: np.ndarray, score_a: np.ndarray, score_b: np.ndarray) -> AucDifference:
    """DeLong's test for two ROC AUCs measured on the same labelled sequences.

    The two models' AUCs are correlated (one test set), so their standard errors cannot be
    added as if independent; DeLong et al. (1988) give the covariance from each
    sequence's placement among the other class, here in Sun & Xu's (2014) midrank form.
    Written by hand: scikit-learn and SciPy have no paired AUC test. NaN where one class
    is missing.
    """
    y = np.asarray(y_true)
    a, b = np.asarray(score_a, dtype=float), np.asarray(score_b, dtype=float)
    if y.ndim != 1 or a.shape != y.shape or b.shape != y.shape:
        raise ValueError(
            f"auc_difference compares two scores of one output: labels {y.shape}, scores "
            f"{a.shape} and {b.shape}"
        )
    y = y > 0.5
    scores = np.stack([a, b])
    m, n = int(y.sum()), int((~y).sum())
    if m < 2 or n < 2:
        return AucDifference(math.nan, math.nan, math.nan, math.nan, math.nan)
    pos, neg = scores[:, y], scores[:, ~y]
    tx = stats.rankdata(pos, axis=1)
    ty = stats.rankdata(neg, axis=1)
    tz = stats.rankdata(np.concatenate([pos, neg], axis=1), axis=1)
    aucs = (tz[:, :m].sum(axis=1) - m * (m + 1) / 2) / (m * n)
    v01 = (tz[:, :m] - tx) / n  # each positive's share of negatives below it
    v10 = 1.0 - (tz[:, m:] - ty) / m  # each negative's share of positives above it
    cov = np.cov(v01) / m + np.cov(v10) / n
    var = cov[0, 0] + cov[1, 1] - 2 * cov[0, 1]
    diff = float(aucs[1] - aucs[0])
    se = math.sqrt(max(var, 0.0))
    p = float(2 * stats.norm.sf(abs(diff) / se)) if se > 0 else (1.0 if diff == 0 else 0.0)
    return AucDifference(float(aucs[0]), float(aucs[1]), diff, se, p)


def permutation_p(
    task: str, metric: str, y_true: np.ndarray, y_pred: np.ndarray, resamples: int = 199
) -> float:
    """How likely these predictions score as well as they do by chance: the share of
    label shufflings (``resamples`` of them, seeded, plus the labels as they are) whose
    ``metric`` is at least the observed one (scipy's one-sided permutation test).

    Shuffling whole rows keeps a multi-task row's pattern and each class's count, so chance
    is judged on these labels whatever their balance. 1.0 when the metric is undefined
    (one class only, constant predictions), which no score beats.
    """
    y = np.asarray(y_true)
    observed = task_metrics(task, y, y_pred)[metric]
    if not math.isfinite(observed):
        return 1.0

    def score(order: np.ndarray) -> float:
        value = task_metrics(task, y[order], y_pred)[metric]
        return value if math.isfinite(value) else -math.inf

    res = stats.permutation_test(
        (np.arange(len(y)),),
        score,
        permutation_type="pairings",
        n_resamples=resamples,
        alternative="greater",
        vectorized=False,
        rng=0,
    )
    return float(res.pvalue)
