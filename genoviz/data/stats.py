"""Descriptive statistics behind the Data page: no drawing here, only tables and arrays."""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd

from genoviz.data.dataset import Dataset
from genoviz.onehot import one_hot
from genoviz.sequences import ALPHABET


def kmer_spectrum(sequences: Sequence[str], k: int = 3) -> pd.DataFrame:
    """Counts and frequencies of every k-mer (ACGT only; k-mers with N are skipped).

    Returns:
        columns ``kmer, count, frequency``, in ``itertools.product("ACGT")`` order.
    """
    if not 1 <= k <= 8:
        raise ValueError("k must be between 1 and 8")
    code = np.full(256, -1, dtype=np.int64)
    for i, b in enumerate(ALPHABET):
        code[ord(b)] = i
    counts = np.zeros(4**k, dtype=np.int64)
    weights = 4 ** np.arange(k - 1, -1, -1)
    for s in sequences:
        if len(s) < k:
            continue
        c = code[np.frombuffer(s.encode("ascii"), dtype=np.uint8)]
        win = np.lib.stride_tricks.sliding_window_view(c, k)
        ok = (win >= 0).all(axis=1)
        counts += np.bincount(win[ok] @ weights, minlength=4**k)
    kmers = ["".join(p) for p in itertools.product(ALPHABET, repeat=k)]
    total = max(int(counts.sum()), 1)
    return pd.DataFrame({"kmer": kmers, "count": counts, "frequency": counts / total})


def position_composition(sequences: Sequence[str]) -> pd.DataFrame:
    """Base frequencies at each position of aligned, equal-length sequences.

    Returns:
        rows = positions (1-based index), columns A, C, G, T (each row sums to the
        fraction of non-N bases), ready for a logo.
    """
    x = one_hot(list(sequences))  # (n, 4, L)
    freq = x.mean(axis=0).T
    return pd.DataFrame(freq, columns=list(ALPHABET), index=pd.RangeIndex(1, freq.shape[0] + 1))


def split_table(ds: Dataset) -> pd.DataFrame:
    """Sizes of train/valid/test, with positives and their share for binary tasks, or
    the count per class for multiclass."""
    rows = []
    for split, idx in ds.splits.items():
        row: dict[str, object] = {"split": split, "sequences": len(idx)}
        y = ds.labels[idx]
        if ds.task == "binary":
            pos = int((y > 0.5).sum())
            row |= {"positives": pos, "positive %": 100.0 * pos / max(len(idx), 1)}
        elif ds.task == "multiclass":
            names = ds.meta.notes.get("classes") or [str(c) for c in range(int(y.max()) + 1)]
            row |= {name: int((y == c).sum()) for c, name in enumerate(names)}
        elif ds.task == "multitask-binary":
            names = ds.meta.notes.get("tasks") or [f"task{j + 1}" for j in range(y.shape[1])]
            row |= {name: int((y[:, j] > 0.5).sum()) for j, name in enumerate(names)}
        rows.append(row)
    return pd.DataFrame(rows)


def ground_truth_table(ds: Dataset) -> pd.DataFrame:
    """Planted instances of a simulated set as a table (empty when there are none): the
    sequence's ``index`` (0-based row) and ``id``, the motif, and its ``start``, the 1-based
    position of its first base, as every position in genoviz is counted."""
    gt = ds.meta.ground_truth or {}
    inst = gt.get("instances") or []
    cols = gt.get("columns")
    if not inst or not cols:
        return pd.DataFrame()
    df = stored_table(ds, inst, cols)
    motifs = gt.get("motifs") or {}
    if "motif_id" in df and motifs:
        df.insert(df.columns.get_loc("motif_id") + 1, "motif", df["motif_id"].map(motifs))
    return df


#: Ground-truth columns that hold a base's place but are not named as starts.
POSITION_COLUMNS = ("branch_point",)


def is_start(column: str) -> bool:
    """Whether a ground-truth column holds where something is (``start``,
    ``ebox_start``, a splice ``branch_point``): stored as a 0-based index, shown 1-based."""
    return column == "start" or column.endswith("_start") or column in POSITION_COLUMNS


def stored_table(ds: Dataset, rows: list, columns: list[str]) -> pd.DataFrame:
    """Ground-truth ``rows`` stored with ``columns`` as a table: the sequence ``id`` beside
    its ``index``, and starts (:func:`is_start`) as 1-based positions, like the positions
    of saliency, ISM and variant tables (they are stored 0-based). Other columns are kept
    as stored (a splice ``boundary`` counts the bases before it)."""
    df = pd.DataFrame(rows, columns=columns)
    for c in df.columns:
        if is_start(c):  # -1 stores "none" (an acceptor without a branch point)
            df[c] = (df[c] + 1).where(df[c] >= 0).astype("Int64")
    if "index" in df and ds.ids is not None:
        df.insert(1, "id", [ds.ids[i] for i in df["index"]])
    return df


# --- ground truth stored in other layouts (see the Data page) ---------------------------


def stored_tables(truth: dict[str, Any]) -> dict[str, list[str]]:
    """Row lists stored with their column names, other than ``instances`` (which
    :func:`ground_truth_table` reads): rows key -> column names. ``columns`` names the rows
    of the one list whose rows have that many fields (splice ``sites``);
    ``composite_columns`` those of ``composites``."""
    out: dict[str, list[str]] = {}
    for key, cols in truth.items():
        if not key.endswith("columns") or not isinstance(cols, list):
            continue
        prefix = key[: -len("columns")].rstrip("_")
        matches = [
            k
            for k, v in truth.items()
            if k != key
            and not k.endswith("_pfm")
            and (not prefix or k.startswith(prefix))
            and isinstance(v, list)
            and v
            and isinstance(v[0], list | tuple)
            and len(v[0]) == len(cols)
        ]
        if len(matches) == 1 and matches[0] != "instances":
            out[matches[0]] = cols
    return out


def per_sequence_table(ds: Dataset, truth: dict[str, Any]) -> pd.DataFrame:
    """Ground-truth lists with one value per sequence (promoter kind, proteins), by id."""
    keys = [
        k
        for k, v in truth.items()
        if isinstance(v, list) and len(v) == len(ds) and v and not isinstance(v[0], list | dict)
    ]
    if not keys:
        return pd.DataFrame()
    df = pd.DataFrame({"id": ds.ids})
    if ds.task in ("binary", "multiclass", "regression") and ds.labels.ndim == 1:
        df["label"] = ds.labels
    for k in keys:
        df[k] = truth[k]
    return df


def flatten(value: Any, path: tuple[str, ...] = ()) -> list[tuple[tuple[str, ...], Any]]:
    """A nested mapping as (path, leaf) pairs, e.g. codon usage per species and amino acid."""
    if isinstance(value, dict):
        return [row for k, v in value.items() for row in flatten(v, (*path, str(k)))]
    return [(path, value)]


def preview(value: Any, width: int = 90) -> str:
    text = value if isinstance(value, str) else repr(value)
    return text if len(text) <= width else text[: width - 1] + "…"


def describe(key: str, value: Any, n: int) -> dict[str, str]:
    """One row of the summary of everything stored as ground truth."""
    if isinstance(value, dict):
        what, size, first = "mapping", f"{len(value):,} entries", list(value.items())[:3]
    elif isinstance(value, list) and value and isinstance(value[0], list | tuple):
        what, size, first = "rows", f"{len(value):,} × {len(value[0])}", value[0]
    elif isinstance(value, list):
        what = "one per sequence" if len(value) == n else "list"
        size, first = f"{len(value):,}", value[:3]
    else:
        what, size, first = "value", "", value
    return {"key": key, "what": what, "size": size, "first values": preview(first)}
