"""Attribution references: dinucleotide shuffles keep each sequence's dinucleotides."""

from __future__ import annotations

import numpy as np
import torch
from _interpret_toys import random_sequences

from genoviz.interpret.references import dinucleotide_shuffles
from genoviz.sequences import one_hot


def _dinucs(x: torch.Tensor) -> np.ndarray:
    """Counts of the 16 dinucleotides of each one-hot sequence ``(..., 4, L)``."""
    a = x[..., :, :-1]
    b = x[..., :, 1:]
    return torch.einsum("...il,...jl->...ij", a, b).reshape(*x.shape[:-2], 16).numpy()


def test_dinucleotide_shuffles_keep_dinucleotide_counts():
    x = torch.as_tensor(one_hot(random_sequences(5, 60, seed=1)))
    s = dinucleotide_shuffles(x, n=4, seed=0)
    assert s.shape == (5, 4, 4, 60)
    np.testing.assert_array_equal(_dinucs(s), np.repeat(_dinucs(x)[:, None], 4, axis=1))
    assert not torch.equal(s[:, 0], x)  # actually shuffled
    assert torch.equal(s, dinucleotide_shuffles(x, n=4, seed=0))  # seeded
