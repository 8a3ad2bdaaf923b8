"""Descriptive statistics behind the Data page: no drawing here, only tables and arrays."""

from __future__ import annotations

import itertools
from collections.abc import Sequence

import numpy as np
import pandas as pd

from genoviz.data.dataset import Dataset
from genoviz.sequences import ALPHABET, one_hot


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
    """Planted instances of a simulated set as a table (empty when there are none)."""
    gt = ds.meta.ground_truth or {}
    inst = gt.get("instances") or []
    cols = gt.get("columns")
    if not inst or not cols:
        return pd.DataFrame()
    df = pd.DataFrame(inst, columns=cols)
    motifs = gt.get("motifs") or {}
    if "motif_id" in df and motifs:
        df.insert(df.columns.get_loc("motif_id") + 1, "motif", df["motif_id"].map(motifs))
    if "index" in df and ds.ids is not None:
        df.insert(1, "id", [ds.ids[i] for i in df["index"]])
    return df
