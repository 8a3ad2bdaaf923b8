"""One-hot throughput: ``genoviz.onehot.one_hot`` on 1M x 101 bp against a bare numpy bound.

The reference is the least any lookup-table encoder must do: one fancy-index of a prepared
``uint8`` buffer through a ``(256, 4)`` table, with no validation, no join of Python
strings and no transpose to the ``(n, 4, L)`` layout. The ratio says what genoviz's checks
and layout cost on top.
"""

from __future__ import annotations

import time

import numpy as np

from benchmarks.speed import Row
from benchmarks.timing import alternate
from genoviz.onehot import one_hot

N_SEQUENCES = 1_000_000
LENGTH = 101
ONE_HOT = f"one-hot {N_SEQUENCES:,} x {LENGTH} bp"


def random_sequences(n: int = N_SEQUENCES, length: int = LENGTH, seed: int = 0) -> list[str]:
    rng = np.random.default_rng(seed)
    codes = np.frombuffer(b"ACGT", dtype=np.uint8)[rng.integers(0, 4, size=(n, length))]
    flat = codes.tobytes().decode("ascii")
    return [flat[i * length : (i + 1) * length] for i in range(n)]


def lut_bound(sequences: list[str]) -> float:
    """Seconds for the bare lookup on a buffer prepared outside the timing."""
    lut = np.zeros((256, 4), dtype=np.float32)
    for i, b in enumerate(b"ACGT"):
        lut[b, i] = 1.0
    buf = np.frombuffer("".join(sequences).encode("ascii"), dtype=np.uint8)
    t0 = time.perf_counter()
    out = lut[buf]
    elapsed = time.perf_counter() - t0
    assert out.shape == (len(sequences) * len(sequences[0]), 4)
    return elapsed


def genoviz_one_hot(sequences: list[str]) -> float:
    t0 = time.perf_counter()
    x = one_hot(sequences)
    elapsed = time.perf_counter() - t0
    assert x.shape == (len(sequences), 4, len(sequences[0]))
    return elapsed


def measure(n: int = N_SEQUENCES, pairs: int = 3) -> tuple[float, float]:
    """Medians of ``pairs`` alternating runs: (genoviz seconds, bare-bound seconds) for
    ``n`` x 101 bp."""
    seqs = random_sequences(n)
    p = alternate(lambda: genoviz_one_hot(seqs), lambda: lut_bound(seqs), pairs)
    return p.measured, p.reference


def one_hot_row() -> Row:
    ours, bound = measure()
    return Row(ONE_HOT, ours, bound, "numpy lookup-table bound", "ratio <= 3")
