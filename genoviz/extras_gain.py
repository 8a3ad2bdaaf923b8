"""What the extra inputs buy: the same data trained with and without them, side by side.

The DeepChem book does this for JUND: its sequence-only CNN, then the same CNN with the
DNase accessibility value concatenated after the flattened convolutions (ROC AUC about 0.75
-> 0.80 on the real data). :func:`extras_gain` repeats that comparison on any dataset with
extras, each arm trained by the one fit loop with the same seed and settings.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from genoviz.background import ThreadJob
from genoviz.data import Dataset
from genoviz.metrics import PRIMARY_METRIC, AucDifference, auc_difference
from genoviz.training import TrainConfig, TrainingError, TrainResult, fit

#: The book's pair: sequence only, then sequence + accessibility.
BOOK_MODELS = ("deepchem-tf", "deepchem-tf-access")


@dataclass
class ExtrasGain:
    """Both arms of the comparison.

    Attributes:
        metric: the task's primary metric (``roc_auc`` for binary data).
        without, with_extras: the two training results.
        table: one row per arm: ``variant``, ``model``, ``valid``, ``test`` (the metric).
    """

    metric: str
    without: TrainResult
    with_extras: TrainResult
    table: pd.DataFrame

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

    def scores(self) -> dict[str, dict[str, float]]:
        """variant -> split -> metric, for :func:`genoviz.plots_models.extras_gain_figure`."""
        return {r.variant: {"valid": r.valid, "test": r.test} for r in self.table.itertuples()}


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
    table = pd.DataFrame(
        {
            "variant": ["sequence only", f"sequence + {', '.join(names)}"],
            "model": list(models),
            "valid": [arms[a].valid_metrics.get(metric) for a in ("without", "with")],
            "test": [arms[a].test_metrics.get(metric) for a in ("without", "with")],
        }
    )
    return ExtrasGain(metric, arms["without"], arms["with"], table)


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
