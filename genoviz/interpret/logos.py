"""Logo matrices and logo panels rendered once and cached.

logomaker takes about a second or two per logo, so a 16-filter panel is drawn once per
set of matrices and kept as PNG/SVG bytes (a thread-safe LRU keyed by the matrices'
contents); the next view costs a dictionary look-up.
"""

from __future__ import annotations

import hashlib
import io
import threading
from collections import OrderedDict
from collections.abc import Sequence

import numpy as np
import pandas as pd

from genoviz.motifs import information_content
from genoviz.sequences import ALPHABET

#: Panels kept in memory (a 16-logo PNG is about 100-200 kB).
CACHE_SIZE = 32


def ic_matrix(pfm: np.ndarray) -> pd.DataFrame:
    """Information-content logo heights, positions x A C G T (1-based index): each
    column's probabilities scaled by its bits."""
    pfm = np.asarray(pfm, dtype=float)
    heights = pfm * information_content(pfm)[None, :]
    return pd.DataFrame(heights.T, columns=list(ALPHABET), index=range(1, pfm.shape[1] + 1))


def contribution_matrix(contributions: np.ndarray, start: int = 1) -> pd.DataFrame:
    """A ``(4, L)`` contribution map as a positions x letters table for a logo."""
    c = np.asarray(contributions, dtype=float)
    return pd.DataFrame(c.T, columns=list(ALPHABET), index=range(start, start + c.shape[1]))


class _PanelCache:
    def __init__(self, size: int) -> None:
        self.size = size
        self.items: OrderedDict[tuple, bytes] = OrderedDict()
        self.lock = threading.Lock()
        self.hits = 0
        self.misses = 0

    def get(self, key: tuple) -> bytes | None:
        with self.lock:
            if key in self.items:
                self.items.move_to_end(key)
                self.hits += 1
                return self.items[key]
            self.misses += 1
            return None

    def put(self, key: tuple, value: bytes) -> None:
        with self.lock:
            self.items[key] = value
            self.items.move_to_end(key)
            while len(self.items) > self.size:
                self.items.popitem(last=False)

    def clear(self) -> None:
        with self.lock:
            self.items.clear()
            self.hits = self.misses = 0


PANEL_CACHE = _PanelCache(CACHE_SIZE)


def _key(matrices: Sequence[pd.DataFrame], titles: Sequence[str], *rest) -> tuple:
    h = hashlib.sha1()
    for m in matrices:
        h.update(np.ascontiguousarray(m.to_numpy(dtype=np.float64)).tobytes())
        h.update(str(m.shape).encode())
    h.update("\x00".join(titles).encode())
    return (h.hexdigest(), *rest)


def logo_panel(
    matrices: Sequence[pd.DataFrame],
    titles: Sequence[str],
    y_label: str = "bits",
    y_max: float | None = 2.0,
    ncols: int = 4,
    fmt: str = "png",
    dpi: int = 110,
    masks: Sequence[np.ndarray] | None = None,
) -> bytes:
    """A grid of logos as PNG or SVG bytes, drawn on the first request and then cached.

    Args:
        matrices: positions x letters tables (see :func:`ic_matrix`).
        titles: one per logo.
        masks: optional ``(width,)`` values in 0..1 per logo (motif-net's position mask),
            drawn as a bar strip under it.
    """
    from genoviz import plots_logos

    mask_key = None
    if masks is not None:
        mask_key = hashlib.sha1(
            b"".join(np.ascontiguousarray(m, dtype=np.float64).tobytes() for m in masks)
        ).hexdigest()
    key = _key(matrices, titles, y_label, y_max, ncols, fmt, dpi, mask_key)
    cached = PANEL_CACHE.get(key)
    if cached is not None:
        return cached
    if masks is None:
        fig = plots_logos.logo_panel_figure(
            matrices, titles, y_label=y_label, y_max=y_max, ncols=ncols
        )
    else:
        fig = plots_logos.masked_logo_panel_figure(
            matrices, masks, titles, y_max=y_max, ncols=ncols
        )
    try:
        buf = io.BytesIO()
        fig.savefig(buf, format=fmt, dpi=dpi)
    finally:
        fig.clear()
    data = buf.getvalue()
    PANEL_CACHE.put(key, data)
    return data
