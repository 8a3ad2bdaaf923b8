"""Attribution references: dinucleotide shuffles keep each sequence's dinucleotides."""

from __future__ import annotations

import numpy as np
import torch
from _interpret_toys import random_sequences

from genoviz.interpret.references import dinucleotide_shuffles
from genoviz.onehot import one_hot


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


def test_shuffles_keep_n_where_it_is_and_each_sequence_its_own_draw():
    """tangermeme shuffled N like a letter: padding moved into the sequence and bases onto
    the padding, so attributions landed on N."""
    seqs = ["NNNNNACGTTGCAAGGCTTACGATCGATGCNNNNN", "ACGTTGCAAGGNNNNCTTACGATCGATGCAGTCAG", "N" * 35]
    x = torch.as_tensor(one_hot(seqs))
    s = dinucleotide_shuffles(x, n=5, seed=0)
    n_cols = x.sum(1) == 0  # (3, L)
    assert (s.sum(2)[n_cols.unsqueeze(1).expand(-1, 5, -1)] == 0).all()  # N stays N
    assert (s.sum(2)[~n_cols.unsqueeze(1).expand(-1, 5, -1)] == 1).all()  # bases stay bases
    assert not torch.equal(s[0, 0], x[0])  # the known bases are shuffled
    known = x[0][:, ~n_cols[0]]
    np.testing.assert_array_equal(  # a single stretch keeps its dinucleotides exactly
        _dinucs(s[0][:, :, ~n_cols[0]]), np.repeat(_dinucs(known)[None], 5, axis=0)
    )
    # a sequence's shuffles do not depend on the sequences beside it, nor on its row
    alone = dinucleotide_shuffles(x[1:2], n=5, seed=0)
    assert torch.equal(alone[0], s[1])
    assert torch.equal(dinucleotide_shuffles(x.flip(0), n=5, seed=0).flip(0), s)
