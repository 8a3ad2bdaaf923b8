"""Attention: token-to-base mapping, the grid, windowing, and DNABERT-style motifs."""

from __future__ import annotations

import numpy as np
import pytest
import torch

import models
from genoviz.interpret.attention import (
    AttentionError,
    attention_motifs,
    cls_base_scores,
    high_attention_regions,
    select,
    sequence_attention,
    token_spans,
    tokens_to_bases,
    window_starts,
)

TINY = {"size": "tiny"}


def test_token_spans_for_k3_and_k6():
    np.testing.assert_array_equal(token_spans(3, 6), [[0, 3], [1, 4], [2, 5], [3, 6]])
    spans = token_spans(6, 10)
    assert spans.shape == (5, 2)
    np.testing.assert_array_equal(spans[0], [0, 6])
    np.testing.assert_array_equal(spans[-1], [4, 10])


def test_hand_made_cls_row_maps_to_the_dnabert_mean():
    # 6 bases, k = 3: tokens t0..t3 cover bases 0-2, 1-3, 2-4, 3-5.
    t = np.array([0.4, 0.2, 0.2, 0.0])
    expected = [0.4, 0.3, 0.8 / 3, 0.4 / 3, 0.1, 0.0]
    np.testing.assert_allclose(tokens_to_bases(t, 3, 6), expected)


def test_k6_mean_and_spread_and_spread_keeps_the_mass():
    t = np.zeros(5)
    t[2] = 1.0  # token 2 covers bases 2..7 of 10
    mean = tokens_to_bases(t, 6, 10)
    # base 2 is covered by tokens 0-2 (mean 1/3); base 5 by tokens 0-4 (1/5).
    np.testing.assert_allclose(mean[[0, 1, 2, 5, 7, 8, 9]], [0, 0, 1 / 3, 1 / 5, 1 / 3, 0, 0])
    rng = np.random.default_rng(0)
    scores = rng.random(95)
    spread = tokens_to_bases(scores, 6, 100, mode="spread")
    assert spread.sum() == pytest.approx(scores.sum())
    with pytest.raises(AttentionError, match="expected 95"):
        tokens_to_bases(scores[:-1], 6, 100)


def test_select_filters_layers_and_heads():
    maps = np.arange(3 * 4 * 2 * 2).reshape(3, 4, 2, 2).astype(float)
    sub = select(maps, [2, 0], [1])
    assert sub.shape == (2, 1, 2, 2)
    np.testing.assert_array_equal(sub[0, 0], maps[2, 1])
    with pytest.raises(AttentionError, match="layer 5"):
        select(maps, [5], None)


def test_sequence_attention_grid_labels_and_cls_track():
    torch.manual_seed(0)
    net = models.get("kmer-bert", seq_len=20, k=3, **TINY).eval()
    seq = "ACGTACGTTGCAACGTACGA"
    att = sequence_attention(net, seq)
    assert att.maps.shape == (2, 4, 20, 20) and att.n_windows == 1
    assert att.tokens[:3] == ["[CLS]", "ACG", "CGT"] and att.tokens[-1] == "[SEP]"
    np.testing.assert_allclose(att.maps.sum(-1), 1.0, atol=1e-5)
    track = att.cls_to_bases(layers=[1], heads=[0, 2])
    cls_row = att.maps[1, [0, 2], 0, 1:-1].mean(0)
    np.testing.assert_allclose(track, tokens_to_bases(cls_row, 3, 20), atol=1e-6)
    batch = cls_base_scores(net, [seq, seq[:15]], batch_size=2)
    np.testing.assert_allclose(batch[0], att.cls_to_bases(), atol=1e-5)
    assert len(batch[1]) == 15


def test_long_sequences_are_stitched_from_the_models_windows():
    torch.manual_seed(0)
    net = models.get(
        "kmer-bert", seq_len=40, k=3, **TINY, bert_config={"max_position_embeddings": 12}
    ).eval()
    seq = "ACGGTCATTGACCATGCAGT"  # 18 tokens, windows of 10 starting at 0, 5, 8
    assert window_starts(18, 10) == [0, 5, 8]
    att = sequence_attention(net, seq)
    assert att.n_windows == 3 and att.maps.shape == (2, 4, 20, 20)
    ids = torch.as_tensor(net.encode([seq])[0])
    first = net.attentions(torch.cat([ids[:11], ids[-1:]]))  # window 0: tokens 0..9
    # Token 2 (full index 3) is only in window 0, token 0 (index 1) too: exact.
    np.testing.assert_allclose(att.maps[0, :, 1, 3], first[0][:, 1, 3].numpy(), atol=1e-6)
    # Tokens 0 and 17 share no window.
    assert np.all(att.maps[:, :, 1, 18] == 0)
    assert att.cls_to_bases().shape == (20,)
    with pytest.raises(AttentionError, match="a part of the sequence at most that long"):
        sequence_attention(net, seq, max_tokens=15)


def test_high_attention_regions_are_contiguous_runs():
    s = np.array([0, 0, 5, 5, 5, 5, 5, 0, 0, 5, 5, 0], dtype=float)
    assert high_attention_regions(s, min_len=5) == [(2, 7)]
    assert high_attention_regions(s, min_len=2) == [(2, 7), (9, 11)]


def test_enrichment_picks_the_planted_region():
    rng = np.random.default_rng(0)
    motif = "TGACTCA"

    def random_seq(n: int) -> str:
        return "".join(rng.choice(list("ACGT"), n))

    positives, scores = [], []
    for _ in range(40):
        s = random_seq(60)
        at = int(rng.integers(5, 45))
        s = s[:at] + motif + s[at + 7 :]
        sc = rng.random(60) * 0.1
        sc[at : at + 7] += 1.0
        # A decoy region, high attention on random bases, different every time.
        d = (at + 20) % 50
        sc[d : d + 6] += 1.0
        positives.append(s)
        scores.append(sc)
    negatives = [random_seq(60) for _ in range(40)]
    found = attention_motifs(positives, scores, negatives, width=6, flank=1)
    assert len(found.table) >= 1
    best = found.table.iloc[0]
    assert best["motif"] in motif and best["pos_hits"] == 40
    assert best["p_adjusted"] < 0.005
    pfm = found.pfms[0]
    assert pfm.shape == (4, 8)
    np.testing.assert_allclose(pfm.sum(0), 1.0)
    consensus = "".join("ACGT"[i] for i in pfm.argmax(0))
    assert best["motif"] in consensus and consensus[1:-1] in motif
    # Nothing from the decoys passes, and the overlapping 6-mers were merged into one.
    assert all(m in motif for m in found.table["motif"])
    assert len(found.table) == 1
    assert len(found.regions) >= 40
