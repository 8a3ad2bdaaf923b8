"""Which extra columns of a training table become model inputs, and why the others do not."""

from __future__ import annotations

import re
from typing import NamedTuple

import numpy as np
import pandas as pd

from genoviz.data.tables import numeric_columns

EXTRA_HINT = (
    " (a column of numbers besides sequence, label, id and weight is read as an extra model "
    "input: fill the cell in, or remove the column if it is not an input)"
)


def _numeric_or_blank(col: pd.Series) -> bool:
    """Every filled cell a number (and at least one filled): an extra input, whose empty
    cells are then an error naming the line."""
    filled = col[col.astype(str).str.strip() != ""]
    return not filled.empty and pd.to_numeric(filled, errors="coerce").notna().all()


def _why_not_numeric(col: pd.Series, lines: list[int]) -> str:
    """Why a column is not read as an input: its first cell that is not a number."""
    text = col.astype(str).str.strip()
    bad = np.flatnonzero((text != "").to_numpy() & pd.to_numeric(col, errors="coerce").isna())
    if not len(bad):
        return "it is empty"
    i = int(bad[0])
    return f"line {lines[i]} holds {text.iloc[i]!r}, not a number"


#: Column names that are never model inputs, whatever they hold: a row number that
#: pandas (``to_csv`` without ``index=False``) or R writes under a blank header, and the
#: genomic coordinates of a region, whose values say where a window lies, not what it holds
#: (a row number sorted by label gave test ROC AUC 1.0; a start coordinate in the hundred
#: thousands collapsed training to one prediction).
ROW_NUMBER = re.compile(r"^(unnamed: \d+|index|)$")
COORDINATES = frozenset(
    {"chrom", "chr", "chromosome", "seqnames", "start", "end", "stop", "chromstart",
     "chromend", "pos", "position", "begin", "strand"}
)  # fmt: skip
#: Weights spelt other than ``weight``: JUND's class weights (0.50 for a negative, 118 for
#: a positive) renamed ``sample_weight`` became an input and gave test ROC AUC 1.0.
WEIGHT_LIKE = re.compile(r"^(sample|class|instance)?[ _.-]?weights?$")
NOT_INPUT_REASONS = (
    "a row number",
    "a genomic coordinate",
    "a weight column",
    "it alone separates the labels",
)
#: An extra column that ranks two classes this well on its own is the label in another
#: form (a class weight, a score made from the label), not a measurement to learn from; a
#: real input such as tf-binding's accessibility reaches ROC AUC 0.72.
SEPARATING_AUC = 0.99
#: With fewer rows of a class, any column can separate the classes by chance (5 against 5
#: random values do one time in 126); 10 against 10 one time in 46,189.
MIN_CLASS_ROWS = 10


def not_an_input(column: str) -> str | None:
    """Why a table column is never an extra input, by its name (None when it may be)."""
    name = str(column).strip().lower()
    if ROW_NUMBER.match(name):
        return f"{NOT_INPUT_REASONS[0]} (an index written with the table), not a measurement"
    if name in COORDINATES:
        return f"{NOT_INPUT_REASONS[1]}: it says where the window lies, not what it holds"
    if WEIGHT_LIKE.match(name):
        return f"{NOT_INPUT_REASONS[2]}: name it 'weight' to weight the loss with it"
    return None


def separates_labels(values: np.ndarray, labels: np.ndarray) -> str | None:
    """Why ``values`` (n,) is no input when on its own it separates two-class ``labels``
    (``(n,)`` or ``(n, tasks)``, each column checked) with ROC AUC >= ``SEPARATING_AUC``,
    it or its negative; None otherwise, or with fewer than ``MIN_CLASS_ROWS`` of a class."""
    from sklearn.metrics import roc_auc_score

    y = np.asarray(labels, dtype=np.float64).reshape(len(values), -1)
    for t in range(y.shape[1]):
        known = np.isfinite(y[:, t])
        classes, counts = np.unique(y[known, t], return_counts=True)
        if len(classes) != 2 or counts.min() < MIN_CLASS_ROWS:
            continue
        auc = float(roc_auc_score(y[known, t] == classes[1], values[known]))
        if max(auc, 1 - auc) >= SEPARATING_AUC:
            task = f" of label column {t + 1}" if y.shape[1] > 1 else ""
            flipped = ", its low values marking the higher label" if auc < 0.5 else ""
            return (
                f"{NOT_INPUT_REASONS[3]}{task} (ROC AUC {max(auc, 1 - auc):.3f}{flipped}), so "
                "it is probably the label in another form, not a measurement"
            )
    return None


def _shown(column: str) -> str:
    """A column as the user's file names it: pandas calls a blank header 'Unnamed: 0'."""
    if m := re.fullmatch(r"Unnamed: (\d+)", str(column)):
        return f"column {int(m.group(1)) + 1}, which has no name"
    return repr(column)


def ignored_note(ignored: dict[str, str]) -> str:
    """One sentence on the columns a table had that are not inputs, so none vanishes
    without a word."""
    parts = "; ".join(f"{_shown(c)} ({why})" for c, why in ignored.items())
    fixable = any(not why.startswith(NOT_INPUT_REASONS) for why in ignored.values())
    return f"Not used as model inputs: {parts}." + (
        " Fix the cells of a column that holds text to use it as an extra input." if fixable else ""
    )


class ExtraInputs(NamedTuple):
    """A table's extra model inputs: column ``names``, their ``values`` ``(n, len(names))``
    (None when there are none), and why each other column is ``ignored``."""

    names: list[str]
    values: np.ndarray | None
    ignored: dict[str, str]


def extra_inputs(
    df: pd.DataFrame, columns: list[str], labels: np.ndarray, name: str, lines: list[int]
) -> ExtraInputs:
    """Which of a text table's ``columns`` (those besides sequence, labels, id and weight)
    are extra inputs: numeric ones, unless :func:`not_an_input` by name or
    :func:`separates_labels` ``labels`` ``(n, tasks)``. An empty cell of a numeric column
    is a :class:`DataFormatError` naming its line (``lines``: each row's input line)."""
    not_inputs = {c: why for c in columns if (why := not_an_input(c))}
    extra_cols = [c for c in columns if c not in not_inputs and _numeric_or_blank(df[c])]
    extras = (
        numeric_columns(df, extra_cols, name, "extra", lines, EXTRA_HINT) if extra_cols else None
    )
    if extras is not None:  # a column that is the label in another form is no input
        for j, c in enumerate(list(extra_cols)):
            if why := separates_labels(extras[:, j], labels):
                not_inputs[c] = why
        keep = [j for j, c in enumerate(extra_cols) if c not in not_inputs]
        extra_cols = [extra_cols[j] for j in keep]
        extras = extras[:, keep] if keep else None
    ignored = {
        c: not_inputs.get(c) or _why_not_numeric(df[c], lines)
        for c in columns
        if c not in extra_cols
    }
    return ExtraInputs(extra_cols, extras, ignored)
