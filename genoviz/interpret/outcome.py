"""What a run predicts for the sequences being explained, said as the Predict page says it.

Attributions explain the raw output (a logit for classifiers), but a title should read
like a prediction: the probability of label 1 for a binary task, the value for regression,
the top class and its probability for a multi-class task, and the explained task's
probability for a multi-task one. The numbers come from
:func:`genoviz.predict.predict_sequences` (through :func:`genoviz.tasks.to_predictions`).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from torch import nn

from genoviz.data import Dataset
from genoviz.predict import Prediction, output_names, predict_arrays, predict_sequences
from genoviz.runs import Run


def describe(pred: Prediction, task: str, target: int = 0) -> list[str]:
    """One short text per sequence, such as ``P(label 1) 0.476``.

    Args:
        pred: the run's predictions for the sequences.
        target: the output being explained (the task, for a multi-task run).
    """
    values = np.asarray(pred.values, dtype=float)
    if task == "binary":
        return [f"P(label 1) {v:.3g}" for v in values.reshape(-1)]
    if task == "multiclass":
        names = pred.columns or [f"class{j + 1}" for j in range(values.shape[1])]
        top = values.argmax(axis=1)
        return [f"predicted {names[k]}, P {row[k]:.3g}" for row, k in zip(values, top, strict=True)]
    if task == "multitask-binary":
        name = pred.columns[target] if target < len(pred.columns) else f"task{target + 1}"
        return [f"P({name}) {v:.3g}" for v in values[:, target]]
    return [f"prediction {v:.3g}" for v in values.reshape(len(values), -1)[:, target]]


def prediction_texts(
    run: Run,
    sequences: Sequence[str],
    target: int = 0,
    extras: np.ndarray | None = None,
    model: nn.Module | None = None,
) -> list[str]:
    """:func:`describe` of ``run``'s predictions for cleaned ``sequences``.

    Args:
        extras: ``(n, e)`` for runs trained with extra inputs.
        model: the run's loaded model (default: load it).
    """
    pred = predict_sequences(run, list(sequences), extras=extras, model=model)
    return describe(pred, run.info["dataset"]["task"], target)


def output_texts(
    model: nn.Module,
    x: np.ndarray,
    task: str,
    target: int = 0,
    extras: np.ndarray | None = None,
    names: Sequence[str] = (),
) -> list[str]:
    """:func:`describe` for encoded inputs ``x`` (one-hot ``(n, 4, L)`` or token ids) that
    are already in hand, as the CLI has them; ``names``: class or task names."""
    raw = predict_arrays(model, x, extras, raw=True)
    return describe(Prediction.from_outputs(raw, task, [], names), task, target)


def label_text(run: Run, label: float | None) -> float | str | None:
    """A multi-class label as its class name (``donor``); any other label as it is."""
    if run.info["dataset"].get("task") != "multiclass" or label is None or not np.isfinite(label):
        return label
    names = output_names(run)
    return names[int(label)] if 0 <= int(label) < len(names) else label


def target_label(label: np.ndarray | float | None, target: int) -> float | None:
    """The known label of output ``target``: its column of a multi-task label ``(t,)``
    (None past its last column), else the one label (binary, regression, a class
    number)."""
    if label is None:
        return None
    v = np.asarray(label, dtype=float).reshape(-1)
    if len(v) == 1:
        return float(v[0])
    return float(v[target]) if 0 <= target < len(v) else None


def explained_label(run: Run, label: np.ndarray | float | None, target: int) -> float | str | None:
    """The label shown beside an explanation of output ``target``: that task's label for a
    multi-task run, the class name for a multi-class one (:func:`label_text`)."""
    return label_text(run, target_label(label, target))


def of_output(
    run: Run, target: int, before: str = " of ", after: str = "", dataset: Dataset | None = None
) -> str:
    """`` of GATA1`` for a run with several outputs (the one explained), else ``""``: how
    titles name what they explain (:func:`output_name`)."""
    name = output_name(run, target, dataset)
    return "" if name is None else f"{before}{name}{after}"


def output_name(run: Run, target: int, dataset: Dataset | None = None) -> str | None:
    """The name of output ``target`` (``GATA1``, ``donor``) when the run has several
    outputs, else None: a title names the output it explains (``dataset``: see
    :func:`~genoviz.predict.output_names`)."""
    if int(run.info["model"]["build"].get("outputs", 1)) <= 1:
        return None
    names = output_names(run, dataset)
    return names[target] if 0 <= target < len(names) else None
