"""How labels are read as a task: the task inferred or settled, the labels checked against
it, and balanced class weights."""

from __future__ import annotations

import numpy as np

#: The highest class number a multiclass file may use.
MAX_CLASS = 1000


def task_label_problem(
    task: str,
    labels: np.ndarray,
    ids: list[str] | None,
    *,
    lines: list[int] | None = None,
    columns: list[str] | None = None,
) -> str | None:
    """Why ``labels`` cannot be trained as a chosen ``task`` (None when they can): for
    'binary' every label of the first column must be 0 or 1; for 'multiclass' one column
    of class numbers 0, 1, 2, ... with at least two classes; several columns (multi-task)
    hold only 0 or 1 (a missing label is refused: :meth:`Dataset.missing_labels`).
    ``lines`` and ``columns`` (a table's) name where a bad label is."""
    arr = np.asarray(labels, dtype=np.float64).reshape(len(labels), -1)
    first = arr[:, 0]

    def who(i: int) -> str:
        if lines:
            return f"line {lines[i]}" + (f" ({ids[i]})" if ids else "")
        return ids[i] if ids else f"row {i + 1}"

    if arr.shape[1] > 1 and task != "multiclass":
        # Several label columns train as a multi-task binary set, one 0/1 output per task.
        # Several measured values per sequence are not supported: one pooled Pearson over
        # columns with different means reads high for a model that learned nothing.
        bad = np.argwhere(~np.isin(arr, (0.0, 1.0)))
        if len(bad):
            i, j = (int(v) for v in bad[0])
            return (
                f"several label columns make a multi-task set of 0/1 labels, but {who(i)} "
                f"has {'no label' if np.isnan(arr[i, j]) else f'{arr[i, j]:g}'} in label column "
                f"{repr(columns[j]) if columns else j + 1}; for measured values keep one "
                "label column (train one run per column)"
            )
        if task == "regression":  # pooled over the columns, as above, and unnamed
            return (
                f"task 'regression' takes one label column, and this has {arr.shape[1]}; "
                "several 0/1 columns train as a multi-task set (leave the task to "
                "detection), and measured values train one run per column"
            )
    if task == "binary":
        bad = np.flatnonzero(~np.isin(first, (0.0, 1.0)))
        if len(bad):
            i = int(bad[0])
            return (
                f"task 'binary' needs labels 0 or 1, but {who(i)} has {first[i]:g}; "
                "choose regression"
            )
    if task == "multiclass":
        if arr.shape[1] > 1:
            return "task 'multiclass' needs one label column of class numbers"
        bad = np.flatnonzero((first < 0) | (first != np.round(first)) | (first > MAX_CLASS))
        if len(bad):
            i = int(bad[0])
            return (
                f"task 'multiclass' needs class numbers 0, 1, 2, … (up to {MAX_CLASS}), but "
                f"{who(i)} has {first[i]:g}; choose regression for measured values"
            )
    return None


def class_numbering_problem(labels: np.ndarray) -> str | None:
    """Why multiclass labels would train badly (None when they would not): one class only,
    or numbers that start above 0, which leaves class 0 an output with no sequence. Checked
    where a set is trained, not where any file is read (a subset to predict may lack a
    class)."""
    y = np.asarray(labels, dtype=np.float64).reshape(-1)
    if len(np.unique(y)) < 2:
        return "task 'multiclass' needs at least two classes among the labels"
    if y.min() > 0:
        return (
            f"task 'multiclass' numbers classes from 0, but the lowest label here is "
            f"{y.min():g}: class 0 would be an output with no sequence; renumber from 0"
        )
    gaps = sorted(set(range(int(y.max()) + 1)) - {int(v) for v in np.unique(y)})
    if gaps:
        return (
            f"task 'multiclass' numbers classes 0, 1, 2, … without gaps, but no label here "
            f"is {', '.join(map(str, gaps))}: that class would be an output with no "
            "sequence; renumber the classes"
        )
    return None


def settle_task(task: str | None, labels: np.ndarray) -> str:
    """The task to read ``labels`` as: inferred when ``task`` is None; ``binary`` chosen
    for several label columns is their multi-task set (it crashed making the splits)."""
    if task is None:
        return infer_task(labels)
    if task == "binary" and np.ndim(labels) == 2 and np.shape(labels)[1] > 1:
        return "multitask-binary"
    return task


def infer_task(labels: np.ndarray) -> str:
    """``binary`` when every label is 0 or 1, else ``regression`` (multi-column: multitask)."""
    labels = np.asarray(labels, dtype=np.float64)
    finite = labels[np.isfinite(labels)]
    is01 = finite.size > 0 and np.isin(finite, (0.0, 1.0)).all()
    if labels.ndim == 2 and labels.shape[1] > 1:
        return "multitask-binary" if is01 else "regression"
    return "binary" if is01 else "regression"


def class_weights(labels: np.ndarray) -> np.ndarray:
    """Balanced per-sample weights for binary labels, as the DeepChem book uses:
    each class gets total weight n/2 (e.g. 0.502 for negatives, 118 for rare positives)."""
    y = np.asarray(labels).reshape(-1) > 0.5
    n, n_pos = len(y), int(y.sum())
    if n_pos in (0, n):
        return np.ones(n, dtype=np.float32)
    w_pos, w_neg = n / (2 * n_pos), n / (2 * (n - n_pos))
    return np.where(y, w_pos, w_neg).astype(np.float32)
