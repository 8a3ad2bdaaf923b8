"""Filter motifs from activating windows: a hand-set filter gives back its motif, with the
sites counted and the window aligned for 'same' padding too."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from _interpret_toys import MOTIF, MotifDetector, random_sequences, with_motif
from torch import nn

import models
from genoviz.interpret.filters import FilterError, filter_motifs, filter_pfms
from genoviz.onehot import one_hot
from genoviz.sequences import ALPHABET
from models.layers import ConvBlock


def consensus(pfm: np.ndarray) -> str:
    return "".join(ALPHABET[i] for i in pfm.argmax(axis=0))


@pytest.fixture(scope="module")
def data():
    seqs, _ = with_motif(30, 50, seed=11)
    return torch.as_tensor(one_hot(seqs + random_sequences(30, 50, seed=12)))


def test_hand_set_filter_gives_back_its_motif(data):
    pfms = filter_pfms(MotifDetector(), data, threshold=0.5)
    assert isinstance(pfms, np.ndarray)
    assert pfms.shape == (2, 4, len(MOTIF))
    assert consensus(pfms[0]) == MOTIF
    assert pfms[0].max(axis=0).min() > 0.9  # only exact matches pass: sharp columns
    np.testing.assert_allclose(pfms.sum(axis=1), 1.0)
    np.testing.assert_allclose(pfms[1], 0.25)  # the filter that never fires: uniform


def test_site_counts_and_threshold(data):
    fm = filter_motifs(MotifDetector(), data, threshold=0.5, batch_size=7)
    n_planted = 30
    assert fm.n_sites[0] >= n_planted  # every planted copy (plus any chance copies)
    assert fm.n_sites[1] == 0
    assert fm.counts[0].sum() == fm.n_sites[0] * len(MOTIF)
    assert fm.max_activation[0] == pytest.approx(1.0)
    # batch size does not matter
    np.testing.assert_array_equal(fm.counts, filter_motifs(MotifDetector(), data).counts)


class SamePadded(nn.Module):
    """A 'same'-padded ConvBlock holding the motif (even width: uneven padding)."""

    def __init__(self, motif: str) -> None:
        super().__init__()
        self.block = ConvBlock(4, 1, len(motif))
        with torch.no_grad():
            self.block.conv.weight[0] = torch.as_tensor(one_hot([motif])[0])
            self.block.conv.bias.fill_(-(len(motif) - 1.0))

    def forward(self, x, extras=None):
        return self.block(x).amax(dim=2)


@pytest.mark.parametrize("motif", ["TGACTCA", "CACGTG"])
def test_same_padding_windows_are_aligned(motif: str):
    seqs, _ = with_motif(20, 40, seed=5, motif=motif)
    pfms = filter_pfms(SamePadded(motif), torch.as_tensor(one_hot(seqs)))
    assert consensus(pfms[0]) == motif


def test_cnn_ensemble_stacks_every_member(data):
    net = models.get("cnn", seq_len=50, filters=8, kernel=9, members=4)
    fm = filter_motifs(net, data)
    assert fm.pfms.shape == (32, 4, 9)
    assert (fm.n_sites > 0).all()


def test_errors():
    with pytest.raises(FilterError, match="no convolution"):
        filter_pfms(nn.Linear(4, 1), torch.zeros(2, 4, 10))
    with pytest.raises(FilterError, match="threshold"):
        filter_pfms(MotifDetector(), torch.zeros(2, 4, 10), threshold=1.5)
