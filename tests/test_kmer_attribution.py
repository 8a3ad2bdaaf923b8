"""Layer integrated gradients for kmer-bert: completeness, the spread to bases, dispatch."""

from __future__ import annotations

import numpy as np
import pytest
import torch

import models
from genoviz.interpret.attribution import AttributionError, attribute
from genoviz.interpret.kmer_attribution import kmer_integrated_gradients, one_hot_to_sequences
from genoviz.onehot import one_hot

SEQS = ["ACGTTGACTCAGGCATTACG", "TTTTGACTCATTGCAGCAGA"]


@pytest.fixture
def net():
    torch.manual_seed(0)
    m = models.get("kmer-bert", seq_len=20, outputs=2, k=3, size="tiny").eval()
    # Larger weights than BERT's init (std 0.02) make the output depend on the tokens,
    # so completeness is tested on a real gap.
    with torch.no_grad():
        for p in m.parameters():
            if p.dim() == 2:
                p.normal_(0, 0.3)
    return m


def test_completeness_and_the_spread_to_bases(net):
    # 4 steps are too few here: the sequences are redone with more until within 1%.
    r = kmer_integrated_gradients(net, SEQS, target=1, n_steps=4)
    assert r.n_steps.max() > 4 and r.n_steps.max() <= 800
    gap = r.outputs - r.reference_outputs
    assert np.all(np.abs(gap) > 0.05)
    total = r.per_token.sum(1)
    np.testing.assert_allclose(total, gap, rtol=0.01, atol=1e-4)
    assert np.all(np.abs(r.delta) <= 0.01 * np.abs(gap) + 1e-4)
    # [CLS] and [SEP] equal the reference: no share. Bases keep the tokens' total.
    assert np.all(r.per_token[:, 0] == 0) and np.all(r.per_token[:, -1] == 0)
    for i, s in enumerate(SEQS):
        assert r.per_base[i].shape == (len(s),)
        assert r.per_base[i].sum() == pytest.approx(total[i], rel=1e-5, abs=1e-6)
        # Base 0 is covered only by token 0 (1/3 of it).
        assert r.per_base[i][0] == pytest.approx(r.per_token[i, 1] / 3, rel=1e-5)


def test_attribute_dispatches_kmer_bert_and_is_batch_size_invariant(net):
    x = torch.as_tensor(one_hot(SEQS))
    a = attribute(net, x, target=0, n_steps=32)
    assert a.attributions.shape == (2, 4, 20) and a.baseline == "[PAD] tokens"
    # Only the observed base carries the share.
    np.testing.assert_allclose(a.attributions.sum(1), a.per_base, atol=1e-6)
    assert np.all(a.attributions[x.numpy() == 0] == 0)
    one = attribute(net, x[1:], target=0, n_steps=32)
    np.testing.assert_allclose(one.per_base[0], a.per_base[1], atol=1e-4)
    with pytest.raises(AttributionError, match="only integrated gradients"):
        attribute(net, x, method="deeplift")
    with pytest.raises(AttributionError, match="target 5"):
        attribute(net, x, target=5)


def test_sequences_of_different_lengths_are_read_as_they_are_not_padded_with_n(net):
    """Given strings, a BERT reads each at its own length ([PAD] tokens, masked): the
    shorter one's map equals its map alone, and past its end there is no base (NaN), not
    N padding with an attribution of its own."""
    short, long_ = SEQS[0][:12], SEQS[1]
    a = attribute(net, [short, long_], target=0, n_steps=32)
    assert a.per_base.shape == (2, 20) and a.attributions.shape == (2, 4, 20)
    alone = attribute(net, [short], target=0, n_steps=32)
    np.testing.assert_allclose(a.per_base[0, :12], alone.per_base[0], atol=1e-4)
    assert np.isnan(a.per_base[0, 12:]).all() and np.isnan(a.contributions[0, :, 12:]).all()
    assert not np.isnan(a.per_base[1]).any()
    padded = attribute(net, one_hot([short.center(20, "N"), long_]), target=0, n_steps=32)
    assert np.abs(padded.per_base[0][:4]).max() > 0  # what N padding used to get
    # a one-hot model that reads any length takes each as it is too
    cnn = attribute(models.get("cnn", seq_len=20), [short, long_], baseline="zeros")
    assert np.isnan(cnn.per_base[0, 12:]).all() and not np.isnan(cnn.per_base[1]).any()


def test_one_hot_back_to_text_keeps_n():
    assert one_hot_to_sequences(one_hot(["ACGTN"])) == ["ACGTN"]


def test_codon_bert_attributions_fall_on_the_codons_that_differ_from_the_reference():
    """codon-bert goes through the same layer IG. With every codon embedding zero but
    AAA's (and [PAD]'s, the reference, zero too), only AAA codons can move the output: all
    other bases get exactly 0, each AAA's share is split evenly over its three bases, and
    the trailing base past the last whole codon gets 0."""
    torch.manual_seed(0)
    net = models.get("codon-bert", seq_len=31, outputs=3, size="tiny").eval()
    with torch.no_grad():
        for p in net.parameters():
            if p.dim() == 2:
                p.normal_(0, 0.3)
        table = net.hf.bert.embeddings.word_embeddings.weight
        aaa = net.vocab.index("AAA")
        keep = table[aaa].clone()
        table.zero_()
        table[aaa] = keep
    seqs = ["ATGAAAGCTTTTAAAGGCCCATAAGGCTAAC", "AAAATGTTTGGGCCCAAATTTGGGCCCTAGA"]
    x = torch.as_tensor(one_hot(seqs))
    a = attribute(net, x, target=2, n_steps=64)
    assert a.per_base.shape == (2, 31)
    for i, s in enumerate(seqs):
        codons = [s[j : j + 3] for j in range(0, 30, 3)]
        is_aaa = np.repeat([c == "AAA" for c in codons], 3)
        assert np.all(a.per_base[i][:30][~is_aaa] == 0) and a.per_base[i][30] == 0
        shares = a.per_base[i][:30][is_aaa].reshape(-1, 3)
        assert np.all(np.abs(shares) > 1e-6)
        np.testing.assert_allclose(shares, shares[:, :1].repeat(3, 1), rtol=1e-6)
    # Completeness: the bases add up to f(x) - f(reference).
    assert np.all(np.abs(a.delta) <= 0.01 * np.abs(a.per_base.sum(1)) + 1e-4)
    with pytest.raises(AttributionError, match="codon-bert reads tokens"):
        attribute(net, x, method="saliency")


def test_an_n_keeps_its_share_in_the_logo(net):
    """The logo's rows were one_hot(s) * share: an N column (all zero) lost its share, so
    the logo and its CSV no longer added up to the track."""
    r = attribute(net, ["ACGTTGCANGTACGGT"], method="integrated_gradients")
    np.testing.assert_allclose(r.contributions[0].sum(0), r.per_base[0], atol=1e-7)
    assert np.allclose(r.contributions[0][:, 8], r.per_base[0][8] / 4)
