"""``test_predictions.csv``: the kept model's predictions on the test split, beside the labels."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from genoviz.runs import TEST_PREDICTIONS, atomic_write_text


def label_columns(labels: np.ndarray, names: list[str], classes: bool = False) -> dict[str, Any]:
    """Labels as genoviz writes them beside predictions or a latent map: ``label_<name>``
    per task of multi-task labels ``(n, t)`` (``label_1``… where ``names`` has not ``t``),
    else one ``label`` column, a class index as its class name when ``classes``."""
    labels = np.asarray(labels)
    if labels.ndim == 2:
        cols = (
            names if len(names) == labels.shape[1] else [str(j + 1) for j in range(labels.shape[1])]
        )
        return {f"label_{c}": labels[:, j] for j, c in enumerate(cols)}
    if classes:
        return {"label": [names[int(v)] for v in labels]}
    return {"label": labels}


def write_test_predictions(
    run_dir: Path,
    ids: list[str],
    labels: np.ndarray,
    predictions: np.ndarray,
    names: list[str] | None = None,
) -> None:
    """``test_predictions.csv``: ``id,label,prediction`` (probabilities for classifiers,
    values for regression); with several outputs ``label_<name>`` / ``p_<name>`` columns.
    A multi-class run's ``label`` is a class name, as in ``predict``'s output, and a
    ``predicted_class`` column follows the ``p_<class>`` columns."""
    labels, predictions = np.asarray(labels), np.asarray(predictions)
    cols = list(names or [])
    if predictions.ndim == 2 and len(cols) != predictions.shape[1]:
        cols = [str(j + 1) for j in range(predictions.shape[1])]
    # several outputs and one label: multi-class, the label a class index
    table: dict[str, Any] = {"id": list(ids)} | label_columns(labels, cols, predictions.ndim == 2)
    if predictions.ndim == 2:
        table |= {f"p_{c}": predictions[:, j] for j, c in enumerate(cols)}
        if labels.ndim == 1:
            table["predicted_class"] = [cols[j] for j in predictions.argmax(axis=1)]
    else:
        table["prediction"] = predictions
    atomic_write_text(Path(run_dir) / TEST_PREDICTIONS, pd.DataFrame(table).to_csv(index=False))


def prediction_arrays(table: pd.DataFrame, class_names: list[str]) -> tuple[np.ndarray, np.ndarray]:
    """Labels and predictions of a :func:`write_test_predictions` table, as training returned
    them: one column each, or ``label_<task>`` / ``p_<class>`` columns, and a multi-class
    ``label`` (a class name) as its class number."""
    if "prediction" in table:
        predictions = table["prediction"].to_numpy(dtype=np.float32)
    else:
        predictions = table[[c for c in table if c.startswith("p_")]].to_numpy(np.float32)
    task_labels = [c for c in table if c.startswith("label_")]
    if task_labels:
        return table[task_labels].to_numpy(np.float32), predictions
    label = table["label"]
    if not pd.api.types.is_numeric_dtype(label):  # multi-class: class names
        label = label.map({str(n): i for i, n in enumerate(class_names)})
    return label.to_numpy(dtype=np.float32), predictions
