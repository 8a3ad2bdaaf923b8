"""Assemble a user file's parsed sequences, labels and columns into a :class:`Dataset`."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import numpy as np

from genoviz.data.dataset import Dataset, DatasetMeta
from genoviz.data.errors import DataFormatError
from genoviz.data.task_labels import settle_task, task_label_problem


def user_dataset(
    seqs: list[str],
    y: np.ndarray,
    ids: list[str] | None,
    w: np.ndarray | None,
    extras: np.ndarray | None,
    extra_names: list[str],
    name: str,
    task: str | None,
    lines: list[int] | None = None,
    columns: list[str] | None = None,
) -> Dataset:
    """A Dataset of ``seqs`` with labels ``y`` ``(n,)`` or ``(n, tasks)``, its task settled
    and checked against the labels (errors naming ``lines`` and label ``columns``)."""
    if not seqs:
        raise DataFormatError(f"{name}: no rows after the header")
    task = settle_task(task, y)
    if problem := task_label_problem(task, y, ids, lines=lines, columns=columns):
        raise DataFormatError(f"{name}: {problem}")
    meta = DatasetMeta(
        name=Path(name).name,
        description=f"Loaded from {name}: {len(seqs)} sequences, task {task}.",
        source=f"user file {name}",
        extras_names=list(extra_names),
    )
    if columns and np.ndim(y) == 2 and len(columns) == np.shape(y)[1]:
        meta.notes["tasks"] = task_names(columns)
    if ids is not None and (repeated := repeated_ids_note(ids)):
        meta.notes["repeated_ids"] = repeated
        meta.description += " " + repeated
    return Dataset(seqs, y, task, meta, weights=w, extras=extras, ids=ids)


def repeated_ids_note(ids: list[str], shown: int = 3) -> str:
    """A sentence naming the ids that occur more than once and how often (the first
    ``shown`` of them); "" when every id is its own."""
    counts = Counter(str(i) for i in ids)
    repeated = [(i, n) for i, n in counts.items() if n > 1]
    if not repeated:
        return ""
    listed = ", ".join(f"{i!r} {n} times" for i, n in repeated[:shown])
    more = f" and {len(repeated) - shown:,} more" if len(repeated) > shown else ""
    return f"{len(repeated):,} id(s) name more than one sequence: {listed}{more}."


def label_suffix(column: str) -> str:
    """A label column's task part: ``label_JUND`` -> ``JUND``, ``label2`` -> ``2``."""
    return str(column)[len("label") :].lstrip("_- ")


def task_names(columns: list[str]) -> list[str]:
    """Multi-task names from ``label_*`` columns (:func:`label_suffix`), so a run's
    outputs are ``p_JUND`` and ``predict`` finds the file's own ``label_JUND`` again; the
    whole column names where stripping would leave one empty or two alike."""
    names = [label_suffix(c) for c in columns]
    return names if all(names) and len(set(names)) == len(names) else list(columns)
