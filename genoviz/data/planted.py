"""What a simulated set planted, counted plainly for its dataset card.

Real sites and decoys are counted apart, each with the label of the windows that hold
them, so a card never adds weak decoys in unbound windows to the binding sites in bound
ones. Reads the layouts the bundled simulators store in ``meta.ground_truth``:

- ``instances`` with ``columns`` (tf-binding, tf-multitask, promoters); a ``kind`` ending
  in ``decoy`` marks a decoy, anything else (``site``, ``composite``, no kind) a real one;
- ``sites`` with ``columns`` and ``decoys`` with ``decoy_columns`` (splice-sites).
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from genoviz.data.dataset import Dataset

PLANTED_COLUMNS = ["index", "task", "name", "kind", "decoy", "label"]


def _frame(rows: list, cols: list[str]) -> pd.DataFrame | None:
    if not rows or not cols or "index" not in cols or len(rows[0]) != len(cols):
        return None
    return pd.DataFrame(rows, columns=cols)


def _named(df: pd.DataFrame, motifs: dict[str, str], decoy: bool | None) -> pd.DataFrame:
    """``index, task, name, kind, decoy`` from one stored table."""
    if "element" in df:
        name = df["element"].astype(str)
    elif "site" in df:
        name = df["site"].astype(str)
    elif "dinucleotide" in df:
        name = df["dinucleotide"].astype(str)
    elif "motif_id" in df:
        name = df["motif_id"].map(lambda m: motifs.get(m, m)).astype(str)
    else:
        name = pd.Series("site", index=df.index)
    kind_col = "kind" if "kind" in df else "role" if "role" in df else None
    kind = df[kind_col].astype(str) if kind_col else pd.Series("", index=df.index)
    is_decoy = kind.str.endswith("decoy") if decoy is None else pd.Series(decoy, index=df.index)
    return pd.DataFrame(
        {
            "index": df["index"].astype(int),
            "task": df["task"].astype(str) if "task" in df else "",
            "name": name,
            "kind": kind,
            "decoy": is_decoy.astype(bool),
        }
    )


def planted_table(ds: Dataset) -> pd.DataFrame:
    """Every planted instance, one row each, with the label of the window holding it.

    Returns:
        columns :data:`PLANTED_COLUMNS`: ``name`` is the motif, element or site type;
        ``kind`` as stored (``site``, ``weak-decoy``, ``flank``, …); ``label`` the window's
        label (for a multi-task set, its label for the instance's ``task``; for a
        multiclass set, the class index). Empty when nothing planted is listed.
    """
    truth: dict[str, Any] = ds.meta.ground_truth or {}
    motifs = truth.get("motifs") or {}
    parts = []
    for key, cols_key, decoy in (
        ("instances", "columns", None),
        ("sites", "columns", False),
        ("decoys", "decoy_columns", True),
    ):
        df = _frame(truth.get(key) or [], truth.get(cols_key) or [])
        if df is not None:
            parts.append(_named(df, motifs, decoy))
    if not parts:
        return pd.DataFrame(columns=PLANTED_COLUMNS)
    out = pd.concat(parts, ignore_index=True)
    idx = out["index"].to_numpy()
    y = np.asarray(ds.labels)
    if y.ndim == 2:
        tasks = ds.class_names
        col = np.array([tasks.index(t) if t in tasks else -1 for t in out["task"]])
        out["label"] = np.where(col >= 0, y[idx, np.maximum(col, 0)], np.nan)
    else:
        out["label"] = y[idx]
    return out


# --- the card's sentence ------------------------------------------------------------------


def _kind_word(kind: str) -> str:
    """``weak-decoy`` -> ``weak``; ``site``, ``decoy`` and no kind -> nothing (plain)."""
    return "" if kind in ("", "site", "decoy") else kind.removesuffix("decoy").rstrip("-")


def _breakdown(rows: pd.DataFrame, column: str = "kind") -> str:
    """`` (3,476 weak, 3,384 half-site)``, `` (incl. 631 composite)`` or `` (flank)``;
    empty when every row is of the plain kind."""
    counts = rows[column].value_counts(sort=False)
    word = _kind_word if column == "kind" else str
    named = [(word(k), int(n)) for k, n in counts.items() if word(k)]
    if not named:
        return ""
    if len(counts) == 1:
        return f" ({named[0][0]})"
    text = ", ".join(f"{n:,} {w}" if column == "kind" else f"{w} {n:,}" for w, n in named)
    return f" ({text})" if len(named) == len(counts) else f" (incl. {text})"


def _names(rows: pd.DataFrame) -> str:
    names = list(dict.fromkeys(rows["name"]))
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]


def _count(rows: pd.DataFrame, what: str, n_windows: int) -> str:
    """``315 real JUND sites in 268 of the 400``."""
    held = rows["index"].nunique()
    return f"{len(rows):,} {what}{_breakdown(rows)} in {held:,} of the {n_windows:,}"


def _binary_summary(ds: Dataset, table: pd.DataFrame, truth: dict[str, Any]) -> str:
    y = np.asarray(ds.labels) > 0.5
    real, decoys = table[~table["decoy"]], table[table["decoy"]]
    binding = bool((real["kind"] == "site").any())
    words = ("unbound", "bound") if binding else ("negative", "positive")
    parts = []
    for label in (1, 0):
        n_win = int(y.sum()) if label else int((~y).sum())
        r, d = real[real["label"] == label], decoys[decoys["label"] == label]
        sides = []
        if not r.empty:
            if binding:
                sides.append(_count(r, f"real {_names(r)} sites", n_win))
            else:  # e.g. promoter elements: count each
                held = r["index"].nunique()
                by_name = _breakdown(r, "name")
                sides.append(f"{len(r):,} planted elements{by_name} in {held:,} of the {n_win:,}")
        if not d.empty:
            sides.append(_count(d, f"{_names(d)} decoys", n_win))
        head = f"{words[label].capitalize()} windows (label {label}): "
        if not sides:
            parts.append(head + "nothing planted is listed.")
            continue
        text = head + "; ".join(sides)
        empty = n_win - pd.concat([r, d])["index"].nunique()
        if label and empty:
            why = " (indirect binding)" if truth.get("motifless_positives") else ""
            text += f"; the other {empty:,} hold none{why}"
        parts.append(text + ".")
    return " ".join(parts)


def _multitask_summary(ds: Dataset, table: pd.DataFrame) -> str:
    y = np.asarray(ds.labels) > 0.5
    bound = table["label"] > 0.5
    real_parts, decoy_parts = [], []
    for j, task in enumerate(ds.class_names):
        mine = table["task"] == task
        real, decoys = table[mine & ~table["decoy"] & bound], table[mine & table["decoy"] & ~bound]
        if not real.empty:
            held, n_win = real["index"].nunique(), int(y[:, j].sum())
            real_parts.append(
                f"{task} {len(real):,}{_breakdown(real)} in {held:,} of {n_win:,} windows"
            )
        if not decoys.empty:
            held = decoys["index"].nunique()
            decoy_parts.append(f"{task} {len(decoys):,}{_breakdown(decoys)} in {held:,} windows")
    out = []
    if real_parts:
        out.append(
            f"Real sites in bound windows (label 1 for that factor): {'; '.join(real_parts)}."
        )
    if decoy_parts:
        out.append(
            f"Decoys in unbound windows (label 0 for that factor): {'; '.join(decoy_parts)}."
        )
    odd = int((table["decoy"] == bound).sum())  # a decoy where bound, a site where not
    if odd:
        out.append(f"{odd:,} more sit in windows labelled the other way for their factor.")
    return " ".join(out)


def _multiclass_summary(ds: Dataset, table: pd.DataFrame) -> str:
    names = ds.class_names
    out = []
    for c, cls in enumerate(names):
        rows = table[table["label"] == c]
        if rows.empty:
            continue
        real, decoys = rows[~rows["decoy"]], rows[rows["decoy"]]
        items = [
            f"{len(g):,} real {name} sites{_breakdown(g)}"
            for name, g in real.groupby("name", sort=False)
        ]
        if not decoys.empty:
            items.append(f"{len(decoys):,} {_names(decoys)} decoys{_breakdown(decoys)}")
        n_win = int((np.asarray(ds.labels) == c).sum())
        out.append(f"{cls.capitalize()} windows (class {c}, {n_win:,}): " + ", ".join(items) + ".")
    return " ".join(out)


def planted_summary(ds: Dataset) -> str | None:
    """The card's plain account of what was planted, real sites apart from decoys, e.g.
    "Bound windows (label 1): 315 real JUND sites in 268 of the 400; …". None when the
    set lists no planted instances (the card then names what is stored instead)."""
    table = planted_table(ds)
    if table.empty:
        return None
    truth = ds.meta.ground_truth or {}
    if ds.task == "binary":
        text = _binary_summary(ds, table, truth)
    elif ds.task == "multitask-binary":
        text = _multitask_summary(ds, table)
    elif ds.task == "multiclass":
        text = _multiclass_summary(ds, table)
    else:
        text = f"{len(table):,} planted instances are listed."
    motifs = truth.get("motifs") or {}
    if motifs:
        text += " Matrices: " + ", ".join(f"{k} ({v})" for k, v in motifs.items()) + "."
    return text
