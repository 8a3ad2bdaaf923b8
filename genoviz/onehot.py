"""One-hot encoding: float32 ``(n, 4, L)``, channels A, C, G, T, through a byte lookup table."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from genoviz.sequences import ALPHABET, SequenceError

# Lookup table: byte value -> one-hot row. Unknown bytes map to the sentinel row 4 (zeros),
# but callers validate first, so only N reaches it in practice.
_LUT = np.zeros((256, 4), dtype=np.float32)
for _i, _b in enumerate(ALPHABET):
    _LUT[ord(_b), _i] = 1.0
    _LUT[ord(_b.lower()), _i] = 1.0
_LUT[ord("U"), 3] = _LUT[ord("u"), 3] = 1.0


def one_hot(sequences: Sequence[str] | str) -> np.ndarray:
    """One-hot encode equal-length sequences through a byte lookup table.

    Returns:
        float32 array, shape ``(n, 4, L)``, channels A, C, G, T; ``N`` is all zero.

    Raises:
        SequenceError: when the lengths differ (use
            :func:`genoviz.sequences.pad_or_trim` first).
    """
    if isinstance(sequences, str):
        sequences = [sequences]
    n = len(sequences)
    if n == 0:
        return np.zeros((0, 4, 0), dtype=np.float32)
    length = len(sequences[0])
    for i, s in enumerate(sequences):
        if len(s) != length:
            raise SequenceError(
                f"sequence {i + 1} has length {len(s)} but sequence 1 has {length}; "
                "this model needs one fixed length, so pad or trim first",
                record=f"sequence {i + 1}",
            )
    buf = np.frombuffer("".join(sequences).encode("ascii", "replace"), dtype=np.uint8)
    return np.ascontiguousarray(_LUT[buf].reshape(n, length, 4).transpose(0, 2, 1))


def reverse_complement_one_hot(x: np.ndarray) -> np.ndarray:
    """Reverse complement of one-hot ``(n, 4, L)``: with ACGT order, flip channels and length."""
    return np.ascontiguousarray(x[:, ::-1, ::-1])
