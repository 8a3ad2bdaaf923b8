"""JASPAR access and position-weight-matrix maths.

Matrices come from the JASPAR CORE database bundled inside ``pyjaspar`` (a local SQLite
file), so nothing is downloaded at run time.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from functools import lru_cache

import numpy as np

from genoviz.sequences import ALPHABET

_CODES = np.frombuffer(ALPHABET.encode(), dtype=np.uint8)


class MotifError(LookupError):
    """A JASPAR matrix that cannot be found."""


@dataclass(frozen=True)
class Motif:
    """A motif as a position frequency matrix.

    Attributes:
        id: JASPAR matrix id with version, e.g. ``MA0491.3``.
        name: transcription factor name, e.g. ``JUND``.
        pfm: float64, shape ``(4, W)``, columns sum to 1, rows A, C, G, T.
    """

    id: str
    name: str
    pfm: np.ndarray

    @property
    def width(self) -> int:
        return int(self.pfm.shape[1])

    def consensus(self) -> str:
        return "".join(ALPHABET[i] for i in self.pfm.argmax(axis=0))


def counts_to_pfm(counts: np.ndarray, pseudocount: float = 0.01) -> np.ndarray:
    """Column-normalise a ``(4, W)`` count matrix, with a pseudocount per cell as a
    fraction of the column total (so no base has probability zero)."""
    counts = np.asarray(counts, dtype=np.float64)
    totals = counts.sum(axis=0, keepdims=True)
    counts = counts + pseudocount * np.maximum(totals, 1.0) / 4
    return counts / counts.sum(axis=0, keepdims=True)


_local = threading.local()


def jaspar_db():
    """One pyjaspar connection per thread: SQLite objects may only be used on the thread
    that made them, and Streamlit serves each session from its own thread."""
    db = getattr(_local, "db", None)
    if db is None:
        from pyjaspar import jaspardb

        db = _local.db = jaspardb()
    return db


@lru_cache(maxsize=256)
def fetch_jaspar(matrix_id: str) -> Motif:
    """Read one matrix from the bundled JASPAR release.

    Args:
        matrix_id: with or without version (``MA0491`` gives the latest version).

    Raises:
        MotifError: the id is not in the bundled JASPAR release.
    """
    db = jaspar_db()
    motif = db.fetch_motif_by_id(matrix_id)
    if motif is None:
        raise MotifError(f"JASPAR has no matrix {matrix_id!r} in release {db.release}")
    counts = np.array([list(motif.counts[b]) for b in ALPHABET], dtype=np.float64)
    return Motif(id=str(motif.matrix_id), name=str(motif.name), pfm=counts_to_pfm(counts))


def reverse_complement_pfm(pfm: np.ndarray) -> np.ndarray:
    """Reverse complement of a ``(4, W)`` matrix in ACGT order."""
    return pfm[::-1, ::-1].copy()


def aligned(a: np.ndarray, b: np.ndarray, offset: int) -> tuple[np.ndarray, np.ndarray, int]:
    """PFMs ``a`` ``(4, Wa)`` and ``b`` ``(4, Wb)`` padded with empty (all-zero) columns to
    one width, ``b``'s first column under ``a``'s column ``offset`` (the offset that
    ``column_similarity`` or the Lesson's ``Match`` reports), so side-by-side logos line
    up; and how many columns they share."""
    wa, wb = a.shape[1], b.shape[1]
    lo, hi = min(0, offset), max(wa, offset + wb)
    pa, pb = np.zeros((4, hi - lo)), np.zeros((4, hi - lo))
    pa[:, -lo : -lo + wa] = a
    pb[:, offset - lo : offset - lo + wb] = b
    return pa, pb, min(wa, offset + wb) - max(0, offset)


def lined_up(
    learned: np.ndarray, planted: np.ndarray, offset: int, strand: str
) -> tuple[np.ndarray, np.ndarray, int]:
    """A learned PFM and the planted one it matches, drawn side by side: the planted one on
    the learned one's strand (reverse-complemented on ``-``), both padded so the columns
    compared sit under each other (:func:`aligned`); and how many columns they share."""
    ref = planted if strand == "+" else reverse_complement_pfm(planted)
    return aligned(learned, ref, offset)


def sample_from_pfm(pfm: np.ndarray, n: int, rng: np.random.Generator) -> np.ndarray:
    """Draw ``n`` sequences from a PFM, each column independently.

    Returns:
        uint8 ASCII codes, shape ``(n, W)``.
    """
    cdf = np.cumsum(pfm, axis=0)  # (4, W)
    cdf[-1] = 1.0
    u = rng.random((n, pfm.shape[1]))
    idx = (u[:, None, :] > cdf[None, :, :]).sum(axis=1)
    return _CODES[idx]


def log_odds(pfm: np.ndarray, background: np.ndarray | None = None) -> np.ndarray:
    """Position weight matrix in bits against a background (uniform by default)."""
    bg = np.full(4, 0.25) if background is None else np.asarray(background)
    return np.log2(np.clip(pfm, 1e-9, None) / bg[:, None])


def information_content(pfm: np.ndarray) -> np.ndarray:
    """Bits per column, ``(W,)``: 2 minus the column entropy."""
    p = np.clip(pfm, 1e-12, 1.0)
    return 2.0 + (p * np.log2(p)).sum(axis=0)
