"""Sequences to score, read from pasted text or a file: FASTA, one sequence per line, or a
table with a ``sequence`` column (optional ``id``, labels and a run's extra columns).

Unlike :mod:`genoviz.data.importers`, labels are optional: this is what the Predict page and
``python -m genoviz predict`` read new sequences with.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import NamedTuple

import numpy as np
import pandas as pd

from genoviz.data import DataFormatError, Dataset
from genoviz.data.errors import UnlabelledError
from genoviz.data.importers import bed_problem, load_text, sniff_format
from genoviz.data.table_import import sequence_column
from genoviz.data.tables import numeric_columns, table_header
from genoviz.data.tables import read_table as read_cells
from genoviz.data.user_dataset import label_suffix, repeated_ids_note
from genoviz.predict import average_extras, extras_names, output_names
from genoviz.runs import Run
from genoviz.sequence_parsing import parse_sequences
from genoviz.sequences import SequenceError, in_file


class MissingExtrasError(SequenceError):
    """The run needs extra per-sequence columns (such as accessibility) the input lacks."""


@dataclass
class Inputs:
    """Sequences to score with their ids, and the table they came from (None for FASTA or
    plain lines), which may hold labels and extra columns: ``name`` is its source and
    ``lines`` the input line of each row."""

    ids: list[str]
    seqs: list[str]
    table: pd.DataFrame | None = None
    name: str = ""
    lines: list[int] = field(default_factory=list)

    def label_columns(self) -> list[str]:
        """The table's label columns (``label``, ``label_JUND``, ...), in order."""
        if self.table is None:
            return []
        return [c for c in self.table.columns if str(c).lower().startswith("label")]


def read_inputs(text: str, name: str) -> Inputs:
    """Sequences from ``text``: a table when its first line is a header, else FASTA or one
    sequence per line. Errors name the line and character."""
    if problem := bed_problem(text, name, "predict"):
        raise DataFormatError(problem)
    if table_header(text) is not None:
        return read_table(text, name)
    with in_file(name):
        records = parse_sequences(text)
    return Inputs([r.id for r in records], [r.sequence for r in records])


def read_table(text: str, name: str) -> Inputs:
    """A CSV/TSV with a ``sequence`` column of bases or DNABERT's overlapping k-mers
    (optional ``id``, labels, extra columns)."""
    df, lines = read_cells(text, name)
    cols = {c.lower(): c for c in df.columns}
    if "sequence" not in cols:
        raise DataFormatError(
            f"{name}: no 'sequence' column; found columns {list(df.columns)}. Give a header "
            "row with 'sequence' (optional 'id'), or paste plain sequences or FASTA."
        )
    if df.empty:
        raise DataFormatError(f"{name}: no rows after the header")
    seqs, _ = sequence_column(df[cols["sequence"]].tolist(), lines, name)
    ids = df[cols["id"]].tolist() if "id" in cols else [f"seq{i + 1}" for i in range(len(df))]
    return Inputs([str(i) for i in ids], seqs, df, name, lines)


def extras_from_table(run: Run, inputs: Inputs) -> np.ndarray | None:
    """The run's extra inputs ``(n, e)`` from the input table; None when it takes none.

    Raises:
        MissingExtrasError: the input has no column for one of them.
        DataFormatError: a value that is not a number (its line is named).
    """
    names = extras_names(run)
    if not names:
        return None
    cols = {} if inputs.table is None else {c.lower(): c for c in inputs.table.columns}
    missing = [n for n in names if n.lower() not in cols]
    if missing:
        raise MissingExtrasError(
            f"This model was trained with {', '.join(names)} as extra input next to the "
            "sequence, so it needs that number for every sequence: give a CSV with the "
            f"columns sequence,{','.join(names)} (optional id). Missing: {', '.join(missing)}."
        )
    columns = [cols[n.lower()] for n in names]
    return numeric_columns(inputs.table, columns, inputs.name, "extra", inputs.lines)


class Extras(NamedTuple):
    """Extra inputs to score with, and a note when training averages stand in for them."""

    values: np.ndarray | None
    note: str = ""


def extras_or_average(run: Run, inputs: Inputs) -> Extras:
    """The run's extra inputs from the table; when the input has none of their columns
    (plain sequences, FASTA), the run's training average for every sequence, said so.

    Raises:
        MissingExtrasError: some of the columns are missing, or the run recorded no average.
        DataFormatError: a value that is not a number (its line is named).
    """
    names = extras_names(run)
    cols = set() if inputs.table is None else {str(c).lower() for c in inputs.table.columns}
    filled = average_extras(run, len(inputs.seqs))
    if names and filled is not None and not cols & {n.lower() for n in names}:
        values = ", ".join(f"{n} {v:.3g}" for n, v in zip(names, filled[0], strict=True))
        return Extras(
            filled,
            f"This model also reads {', '.join(names)}, and these sequences have no such "
            f"column, so each is scored with the training average ({values}). For their "
            f"own values, give a table with the columns sequence,{','.join(names)}.",
        )
    return Extras(extras_from_table(run, inputs))


class Labels(NamedTuple):
    """Known labels of the inputs, one column per run output (``(n, t)``), or None with a
    note saying why they are left out."""

    values: np.ndarray | None
    note: str = ""


def table_labels(run: Run, inputs: Inputs) -> Labels:
    """The input table's labels, matched to the run's outputs by column name: ``label`` for
    a one-output run, ``label_<task>`` per task of a multi-task run (in the run's order).

    Labels are optional when scoring, so a label column that cannot be used leaves the
    labels out, with the reason; a multi-class label must be one of the run's classes.
    """
    columns = inputs.label_columns()
    if not columns:
        return Labels(None)
    by_lower = {str(c).lower(): c for c in columns}
    task = run.info["dataset"].get("task")
    names = output_names(run)
    if task == "multitask-binary":
        # label_JUND for task JUND; label1 for a task named 1 (a file's own columns)
        by_task = {label_suffix(c).lower(): c for c in columns}
        found = [by_lower.get(f"label_{n}".lower()) or by_task.get(str(n).lower()) for n in names]
        found = [f or by_lower.get(str(n).lower()) for f, n in zip(found, names, strict=True)]
        if not all(found):
            return Labels(
                None,
                f"Labels not written: the run predicts tasks {', '.join(names)}, so it needs "
                f"the columns {', '.join(f'label_{n}' for n in names)}; the input has "
                f"{', '.join(map(str, columns))}.",
            )
        chosen = [str(f) for f in found]
    elif "label" in by_lower or len(columns) == 1:
        chosen = [by_lower.get("label", columns[0])]
    else:
        return Labels(
            None,
            f"Labels not written: the run predicts one value and the input has several label "
            f"columns ({', '.join(map(str, columns))}); name the one to use 'label'.",
        )
    try:
        values = numeric_columns(inputs.table, chosen, inputs.name, "label", inputs.lines)
    except DataFormatError as e:
        return Labels(None, f"Labels not written: {e}")
    if task == "multiclass":
        bad = not_classes(values[:, 0], len(names))
        if len(bad):
            i = int(bad[0])
            return Labels(
                None,
                f"Labels not written: {inputs.name}, line {inputs.lines[i]}: label "
                f"{values[i, 0]:g} is not one of the run's classes (0 to {len(names) - 1}: "
                f"{', '.join(names)}).",
            )
    return Labels(values)


def not_classes(values: np.ndarray, n_classes: int) -> np.ndarray:
    """Rows whose label is no class index (a whole number from 0 to ``n_classes - 1``)."""
    return np.flatnonzero((values % 1 != 0) | (values < 0) | (values >= n_classes))


def dataset_labels(run: Run, dataset: Dataset) -> Labels:
    """A loaded dataset's labels matched to the run's outputs: multi-task ones by task name
    (the run's order), multi-class ones checked against the run's classes."""
    values = dataset.labels.reshape(len(dataset), -1).astype(np.float32)
    if not np.isfinite(values).all():
        return Labels(None, "Labels not written: some are missing.")
    task = run.info["dataset"].get("task")
    names = output_names(run)
    if task == "multitask-binary":
        have = dataset.class_names if dataset.task == "multitask-binary" else []
        if not set(names) <= set(have):
            return Labels(
                None,
                f"Labels not written: the run predicts tasks {', '.join(names)}; the data's "
                f"labels are {', '.join(have) or 'a single column'}.",
            )
        return Labels(values[:, [have.index(n) for n in names]])
    if values.shape[1] != 1:
        return Labels(
            None,
            f"Labels not written: the run predicts one value, the data has "
            f"{values.shape[1]} labels.",
        )
    if task == "multiclass" and len(not_classes(values[:, 0], len(names))):
        return Labels(
            None,
            f"Labels not written: they are not all among the run's classes (0 to "
            f"{len(names) - 1}: {', '.join(names)}).",
        )
    return Labels(values)


def dataset_extras(run: Run, dataset: Dataset) -> Extras:
    """A loaded dataset's extra inputs for the run, matched by name (a file's ``gc`` column
    is never read as ``accessibility``); the run's training average when it has none."""
    names = extras_names(run)
    if not names:
        return Extras(None)
    if not run.info["dataset"].get("extras_names") and dataset.n_extras == len(names):
        return Extras(dataset.extras)  # a run that recorded no names: by position, as before
    have = [n.lower() for n in dataset.meta.extras_names]
    if dataset.extras is not None and all(n.lower() in have for n in names):
        return Extras(dataset.extras[:, [have.index(n.lower()) for n in names]])
    return extras_or_average(run, Inputs(list(dataset.ids), list(dataset.sequences)))


class Scoring(NamedTuple):
    """Sequences to score with the run's extra inputs for them and their known labels
    (None when the input gives none)."""

    inputs: Inputs
    extras: Extras
    labels: Labels | None

    @property
    def label_values(self) -> np.ndarray | None:
        """The labels to write, ``(n, t)``, or None (none given, or left out)."""
        return self.labels.values if self.labels else None

    @property
    def notes(self) -> list[str]:
        """What to tell the user: training averages standing in, labels left out, ids
        that repeat (their output rows cannot be told apart by id)."""
        repeated = repeated_ids_note(self.inputs.ids)
        if repeated:
            repeated += " Their predictions are written in input order, one row each."
        notes = (self.extras.note, self.labels.note if self.labels else "", repeated)
        return [n for n in notes if n]


def dataset_scoring(run: Run, dataset: Dataset) -> Scoring:
    """A loaded dataset (BED regions, a labelled FASTA, a DeepChem folder, a bundled set)
    to score, its labels and extra inputs matched to the run's."""
    labels = dataset_labels(run, dataset) if dataset.task != "lm" else None
    inputs = Inputs(list(dataset.ids), list(dataset.sequences))
    return Scoring(inputs, dataset_extras(run, dataset), labels)


def text_scoring(run: Run, text: str, name: str) -> Scoring:
    """Pasted or uploaded text to score, as ``predict`` and the Predict page read it: a
    table's labels and extra columns by name, a FASTA's ``label=`` headers, or no labels
    (FASTA without them, one sequence per line). Labels are optional here: a FASTA whose
    labels cannot be used (some records lack one, or one is not a number) is scored without
    them, with a note saying why.

    Raises:
        MissingExtrasError: the run reads extra inputs the table lacks.
        DataFormatError, SequenceError: unreadable input (the line is named).
    """
    left_out = None
    if table_header(text) is None and sniff_format(name, text) == "fasta":
        try:
            return dataset_scoring(run, load_text(text, name))
        except UnlabelledError:
            pass  # a FASTA without labels: its sequences alone
        except DataFormatError as e:  # labels on some records only, or text: score without
            left_out = Labels(None, f"Labels not written: {e}")
    inputs = read_inputs(text, name)
    labels = table_labels(run, inputs) if inputs.table is not None else left_out
    return Scoring(inputs, extras_or_average(run, inputs), labels)
