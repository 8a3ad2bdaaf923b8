"""Rows that must land in one split: copies of one sequence, and the windows of one bound
site.

Real ChIP-seq data come as genomic windows (``chr22:27247552-27247653``, BED's 0-based,
end-excluded coordinates, as :mod:`genoviz.data.bed` names them). A peak wider than a
window gives several positive windows side by side; split at random, one can be trained
on and its neighbour tested, which scores the same site twice. Positive windows on one
chromosome that overlap or touch are kept together. Negative windows are not linked: a
genome tiled into windows would otherwise become one group per tiled stretch, leaving
nothing to split.
"""

from __future__ import annotations

import re

import numpy as np

#: ``chrom:start-end``, optionally with the strand suffix ``(-)`` or ``(+)``.
WINDOW_ID = re.compile(r"^(?P<chrom>[^:\s]+):(?P<start>\d+)-(?P<end>\d+)(?:\([+-]\))?$")


def first_copies(sequences: list[str]) -> np.ndarray:
    """For each row, the row of the first copy of its sequence (its own row when the
    sequence is new)."""
    import pandas as pd

    codes, _ = pd.factorize(pd.Series(sequences, dtype=object))  # numbered as first seen
    _, first_row = np.unique(codes, return_index=True)
    return first_row[codes].astype(np.int64)


def site_neighbours(ids: list[str], positive: np.ndarray) -> list[tuple[int, int]]:
    """Pairs of rows whose ids are windows on one chromosome that overlap or touch, both
    positive. Rows whose id is not a window are left out."""
    windows = []
    for i in np.flatnonzero(positive):
        if m := WINDOW_ID.match(str(ids[i])):
            windows.append((m["chrom"], int(m["start"]), int(m["end"]), int(i)))
    windows.sort()
    pairs = []
    chrom, reach, last = None, -1, -1
    for c, start, end, i in windows:
        if c == chrom and start <= reach:
            pairs.append((last, i))
            reach = max(reach, end)
        else:
            chrom, reach = c, end
        last = i
    return pairs


def split_groups(
    n: int,
    sequences: list[str] | None = None,
    ids: list[str] | None = None,
    positive: np.ndarray | None = None,
) -> np.ndarray:
    """For each row, the first row of its group: copies of one sequence (``sequences``)
    and, with ``ids`` and ``positive``, the positive windows of one site
    (:func:`site_neighbours`). A group's first row maps to itself."""
    first = first_copies(sequences) if sequences is not None else np.arange(n, dtype=np.int64)
    pairs = site_neighbours(ids, positive) if ids is not None and positive is not None else []
    if not pairs:
        return first
    from scipy.sparse import coo_array
    from scipy.sparse.csgraph import connected_components

    # each row linked to its first copy and to its site neighbours; a group is led by its
    # smallest row, as a copy's first row leads its copies
    a, b = np.array(pairs, dtype=np.int64).T
    rows = np.concatenate([np.arange(n), a])
    cols = np.concatenate([first, b])
    links = coo_array((np.ones(len(rows), np.int8), (rows, cols)), shape=(n, n))
    _, component = connected_components(links, directed=False)
    lead = np.full(component.max() + 1, n, dtype=np.int64)
    np.minimum.at(lead, component, np.arange(n))
    return lead[component]


def site_note(ids: list[str] | None, labels: np.ndarray, task: str) -> str | None:
    """What the split view says of the positive windows kept together, or None when the
    set has none (only binary and multi-task sets of genomic windows can)."""
    if ids is None or task not in ("binary", "multitask-binary") or not len(labels):
        return None
    positive = (np.asarray(labels).reshape(len(labels), -1) > 0.5).any(axis=1)
    pairs = site_neighbours(ids, positive)
    if not pairs:
        return None
    a, b = pairs[0]
    return (
        f"{len(pairs):,} pair(s) of positive windows overlap or touch (such as {ids[a]} "
        f"and {ids[b]}): each such site stays in one split, so it is never trained on in "
        "one window and tested in the next."
    )
