"""Genome-like background sequence from a first-order Markov chain.

The transition matrix comes from human dinucleotide frequencies (hg19 autosomes, in
percent, rows = first base A, C, G, T; columns = second base). CpG is depleted about
five-fold, the best-known feature of vertebrate DNA.
"""

from __future__ import annotations

import numpy as np

from genoviz.sequences import ALPHABET

# Approximate hg19 dinucleotide frequencies (%), e.g. Gentles & Karlin, Genome Res 2001.
HUMAN_DINUCLEOTIDE_PERCENT = np.array(
    [
        [9.8, 5.0, 7.0, 7.7],  # AA AC AG AT
        [7.3, 5.2, 1.0, 7.1],  # CA CC CG CT
        [6.0, 4.3, 5.2, 5.0],  # GA GC GG GT
        [6.5, 6.0, 7.3, 9.7],  # TA TC TG TT
    ]
)
_CODES = np.frombuffer(ALPHABET.encode(), dtype=np.uint8)


def transition_matrix(dinuc: np.ndarray = HUMAN_DINUCLEOTIDE_PERCENT) -> np.ndarray:
    """Row-stochastic ``(4, 4)`` matrix P[a, b] = P(next = b | current = a)."""
    return dinuc / dinuc.sum(axis=1, keepdims=True)


def markov_sequences(
    n: int, length: int, rng: np.random.Generator, gc_shift: np.ndarray | None = None
) -> np.ndarray:
    """Draw ``n`` background sequences.

    Args:
        gc_shift: optional per-sequence log-odds boost for G/C, shape ``(n,)``, to give
            regional GC variation like isochores.

    Returns:
        uint8 ASCII codes, shape ``(n, length)``.
    """
    trans = transition_matrix()
    if gc_shift is None:
        cdfs = np.broadcast_to(np.cumsum(trans, axis=1), (n, 4, 4))
    else:
        boost = np.exp(np.outer(gc_shift, [0.0, 1.0, 1.0, 0.0]))  # (n, 4)
        t = trans[None] * boost[:, None, :]
        cdfs = np.cumsum(t / t.sum(axis=2, keepdims=True), axis=2)
    first = (rng.random(n)[:, None] > np.cumsum(trans.mean(axis=0))[None, :-1]).sum(axis=1)
    idx = np.empty((n, length), dtype=np.int64)
    idx[:, 0] = first
    u = rng.random((n, length))
    rows = np.arange(n)
    for t in range(1, length):
        cdf = cdfs[rows, idx[:, t - 1]]  # (n, 4)
        idx[:, t] = (u[:, t, None] > cdf[:, :-1]).sum(axis=1)
    return _CODES[idx]


def to_strings(codes: np.ndarray) -> list[str]:
    """ASCII code rows ``(n, L)`` to Python strings."""
    flat = np.ascontiguousarray(codes, dtype=np.uint8).tobytes().decode("ascii")
    L = codes.shape[1]
    return [flat[i : i + L] for i in range(0, len(flat), L)]
