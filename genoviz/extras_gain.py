"""What the extra inputs buy: the same data trained with and without them, side by side.

The DeepChem book does this for JUND: its sequence-only CNN, then the same CNN with the
DNase accessibility value concatenated after the flattened convolutions (ROC AUC about 0.75
-> 0.80 on the real data). :func:`extras_gain` repeats that comparison on any dataset with
extras, each arm trained by the one fit loop with the same seed and settings.
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from genoviz.background import ThreadJob
from genoviz.data import Dataset
from genoviz.metrics import (
    METRIC_LABELS,
    PRIMARY_METRIC,
    AucDifference,
    auc_difference,
    permutation_p,
)
from genoviz.training import TrainConfig, TrainingError, TrainResult, fit

#: The book's pair: sequence only, then sequence + accessibility.
BOOK_MODELS = ("deepchem-tf", "deepchem-tf-access")
#: The pairs the Zoo page and ``compare-extras`` offer, first the default: the cnn, since on
#: the bundled tf-binding the book's sequence-only deepchem-tf does not learn (test ROC AUC
#: 0.49), so its pair shows a failed training as the gain.
PAIRS = {
    "cnn": (("cnn", "cnn"), "the cnn twice, without and with the extra inputs"),
    "book": (BOOK_MODELS, "the DeepChem book's pair: deepchem-tf, then deepchem-tf-access"),
}
#: An arm whose test score chance matches this often (label shufflings) did not learn.
CHANCE_P = 0.05


@dataclass
class ExtrasGain:
    """Both arms of the comparison.

    Attributes:
        metric: the task's primary metric (``roc_auc`` for binary data).
        without, with_extras: the two training results.
        table: one row per arm: ``variant``, ``model``, ``valid``, ``test`` (the metric).
        task: the dataset's task.
        chance_p: per arm, how often shuffled test labels score as well as the real ones
            (:func:`genoviz.metrics.permutation_p`); NaN for a stopped comparison.
        jund: whether the data is JUND binding scored by ROC AUC, the book's comparison.
    """

    metric: str
    without: TrainResult
    with_extras: TrainResult
    table: pd.DataFrame
    task: str
    chance_p: tuple[float, float] = (math.nan, math.nan)
    jund: bool = False

    @property
    def stopped(self) -> bool:
        """Whether a stop request cut either arm short (the comparison is then unfair)."""
        return "stopped" in (self.without.status, self.with_extras.status)

    @property
    def gain(self) -> float:
        """Test-split metric with extras minus without."""
        return float(self.table["test"].iloc[1] - self.table["test"].iloc[0])

    def auc_test(self) -> AucDifference | None:
        """DeLong's paired test of the two test-split ROC AUCs (binary data, one output;
        both arms score the same test sequences), or None for other data."""
        labels = np.asarray(self.without.test_labels)
        one_output = labels.ndim == 1 and np.ndim(self.without.test_predictions) == 1
        # ROC AUC is also the multi-class and multi-task metric: averaged over classes or
        # tasks there, which one paired test of pooled scores would not describe
        if not one_output or self.without.test_ids != self.with_extras.test_ids:
            return None
        return auc_difference(
            self.without.test_labels,
            self.without.test_predictions,
            self.with_extras.test_predictions,
        )

    @property
    def unlearned(self) -> list[str]:
        """The arms (by variant) whose test score chance matches: shuffled labels score
        as well at least :data:`CHANCE_P` of the time. Their gap measures a failed
        training, not what the extra inputs add."""
        return [row.variant for row, _ in self._at_chance()]

    def _at_chance(self) -> list[tuple[Any, float]]:
        """The table rows of the arms at chance, each with its ``chance_p``."""
        rows = zip(self.table.itertuples(), self.chance_p, strict=True)
        return [(row, p) for row, p in rows if p >= CHANCE_P]

    def uncertainty(self) -> str:
        """How sure the gain is: DeLong's paired test on the test sequences ("" when it
        does not apply)."""
        test = self.auc_test()
        if test is None or not math.isfinite(test.se):
            return ""
        y = self.without.test_labels
        verdict = (
            "more than chance on this test set would give"
            if test.p_value < 0.05
            else "within what chance on this test set gives"
        )
        return (
            f"Its standard error is {test.se:.3f} (DeLong's test on the same {len(y):,} test "
            f"sequences, {int((y > 0.5).sum()):,} of them positive; p = {test.p_value:.2g}): "
            f"{verdict}."
        )

    def unlearned_note(self, bold: str = "") -> str:
        """A warning when an arm did not learn ("" when both did); ``bold`` wraps the
        variant names (``**`` for markdown)."""
        label = METRIC_LABELS.get(self.metric, self.metric)
        said = [
            f"{bold}{row.variant}{bold} ({row.model}) did not learn: its test {label} "
            f"of {_num(row.test)} is matched by shuffled labels {p:.0%} of the time"
            for row, p in self._at_chance()
        ]
        if not said:
            return ""
        return (
            "; ".join(said) + ". The change then measures a training that failed more than "
            "what the extra inputs add: try the other models, more epochs or another "
            "learning rate."
        )

    def summary(self, bold: str = "") -> str:
        """The comparison in words: the two test scores and their change, how sure it is,
        and the book's figure for JUND (:meth:`unlearned_note` says whether both learned)."""
        label = METRIC_LABELS.get(self.metric, self.metric)
        t = self.table
        parts = [
            f"On the test split, {bold}{t['variant'][1]}{bold} scores {_num(t['test'][1])} "
            f"against {_num(t['test'][0])} for {bold}{t['variant'][0]}{bold}: a change of "
            f"{self.gain:+.3f} {label}.",
            self.uncertainty(),
            "The DeepChem book reports about 0.75 → 0.80 ROC AUC on its real JUND data."
            if self.jund
            else "",
        ]
        return " ".join(p for p in parts if p)

    def scores(self) -> dict[str, dict[str, float]]:
        """variant -> split -> metric, for :func:`genoviz.plots_models.extras_gain_figure`."""
        return {r.variant: {"valid": r.valid, "test": r.test} for r in self.table.itertuples()}


def _num(v: float | None) -> str:
    return "n/a" if v is None or not math.isfinite(v) else f"{v:.3f}"


def extras_gain(
    dataset: Dataset,
    config: TrainConfig | None = None,
    models: tuple[str, str] = BOOK_MODELS,
    on_epoch: Callable[[str, dict[str, Any]], None] | None = None,
    on_progress: Callable[[str, float], None] | None = None,
    should_stop: Callable[[], bool] | None = None,
) -> ExtrasGain:
    """Train ``models[0]`` on the sequences alone and ``models[1]`` with the extras.

    Both arms share ``config`` (seed, epochs, splits); only ``use_extras`` differs. Pass the
    same model twice (e.g. ``("cnn", "cnn")``) to see what extras add to another model.

    Args:
        on_epoch: called with the arm's name (``without`` / ``with``) and each epoch record.
        on_progress: called with the arm's name and the share of its current epoch done.
        should_stop: polled every batch; True ends both arms early (see ``stopped``).

    Raises:
        TrainingError: the dataset has no extras.
    """
    if not dataset.n_extras:
        raise TrainingError(f"{dataset.name} has no extra inputs to compare with and without")
    config = config or TrainConfig()
    names = dataset.meta.extras_names or [f"{dataset.n_extras} extra input(s)"]
    arms = {}
    for arm, model, use in (("without", models[0], False), ("with", models[1], True)):
        cfg = dataclasses.replace(config, use_extras=use)
        cb = (lambda rec, arm=arm: on_epoch(arm, rec)) if on_epoch is not None else None
        prog = (lambda f, arm=arm: on_progress(arm, f)) if on_progress is not None else None
        arms[arm] = fit(dataset, model, cfg, on_epoch=cb, on_progress=prog, should_stop=should_stop)
    metric = PRIMARY_METRIC[dataset.task]
    runs = [arms["without"], arms["with"]]
    stopped = any(r.status == "stopped" for r in runs)
    chance_p = tuple(
        math.nan
        if stopped
        else permutation_p(dataset.task, metric, r.test_labels, r.test_predictions)
        for r in runs
    )
    # the book's figure is for JUND binding with accessibility, not for any set or metric
    jund = metric == "roc_auc" and "jund" in f"{dataset.name} {dataset.meta.description}".lower()
    table = pd.DataFrame(
        {
            "variant": ["sequence only", f"sequence + {', '.join(names)}"],
            "model": list(models),
            "valid": [arms[a].valid_metrics.get(metric) for a in ("without", "with")],
            "test": [arms[a].test_metrics.get(metric) for a in ("without", "with")],
        }
    )
    return ExtrasGain(metric, *runs, table, dataset.task, chance_p, jund)


def extras_gain_job(
    dataset: Dataset, config: TrainConfig | None = None, models: tuple[str, str] = BOOK_MODELS
) -> ThreadJob:
    """:func:`extras_gain` as a background job (not yet started; submit it to a
    :class:`genoviz.jobs.JobManager` or call ``start()``).

    Its history records carry ``arm`` (``without`` / ``with``) next to the epoch's numbers,
    its ``stage`` is the arm in training, and its result is the :class:`ExtrasGain`.
    """

    def work(job: ThreadJob) -> ExtrasGain:
        return extras_gain(
            dataset,
            config,
            models,
            on_epoch=lambda arm, rec: job.record_epoch({"arm": arm} | rec),
            on_progress=lambda arm, f: job.set_progress(f, arm),
            should_stop=job.stop_requested,
        )

    epochs = (config or TrainConfig()).epochs
    return ThreadJob(work, "extras-gain", dataset=dataset, epochs=epochs)
