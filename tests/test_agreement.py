"""Agreement: the explanation tracks of one sequence and the Spearman between them,
known answers."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from _interpret_toys import MOTIF, MotifDetector, with_motif

import models
from genoviz.interpret.agreement import (
    ATTENTION,
    IG,
    ISM,
    agreement,
    explanation_tracks,
    scaled_tracks,
    top_positions,
    track_names,
    track_table,
)
from genoviz.interpret.attention import tokens_to_bases
from genoviz.interpret.kmer_attribution import kmer_integrated_gradients
from genoviz.plots_interpret import agreement_figure


def test_pairwise_spearman_known_answers():
    up = np.arange(10.0)
    table = agreement({"ig": up, "ism": up**3, "flip": -up, "flat": np.ones(10)})
    rho = {(r.a, r.b): r.spearman for r in table.itertuples()}
    assert rho[("ig", "ism")] == pytest.approx(1.0)  # same order
    assert rho[("ig", "flip")] == pytest.approx(-1.0)
    assert np.isnan(rho[("ig", "flat")])
    assert len(table) == 6
    with pytest.raises(ValueError, match="differ in length"):
        agreement({"a": np.ones(3), "b": np.ones(4)})


def test_n_padding_is_left_out_of_the_correlation_and_the_top_positions():
    """Every method gives N 0: padding agreed perfectly and lifted rho (0.06 over a 40 bp
    window's real bases read 0.86 with the run's 101 bp padding)."""
    rng = np.random.default_rng(0)
    a, b = rng.random(40), rng.random(40)
    pad = np.zeros(30)
    padded = {"a": np.r_[pad, a + 1, pad], "b": np.r_[pad, b + 1, pad]}
    seq = "N" * 30 + "ACGT" * 10 + "N" * 30
    inflated = agreement(padded)["spearman"][0]
    honest = agreement(padded, seq)
    assert inflated > 0.7
    assert honest["spearman"][0] == pytest.approx(agreement({"a": a, "b": b})["spearman"][0])
    assert honest["positions"][0] == 40 and agreement(padded)["positions"][0] == 100
    assert top_positions(np.r_[5.0, 0, 3, 9], "NACG", k=2) == [4, 3]  # not the N at 1
    with pytest.raises(ValueError, match="the sequence has 3 bases, the tracks 4"):
        agreement({"a": np.ones(4), "b": np.ones(4)}, "ACG")


def test_scaled_tracks_and_figure():
    s = scaled_tracks({"a": np.array([-2.0, 1.0, 0.0]), "z": np.zeros(3)})
    assert s["a"].tolist() == [1.0, 0.5, 0.0] and s["z"].tolist() == [0, 0, 0]
    fig = agreement_figure(s, "ACG")
    assert [t.name for t in fig.data] == ["a", "z"]
    assert list(fig.data[0].y) == [1.0, 0.5, 0.0]


# --- explanation_tracks: the tracks themselves, on models with known answers -------------


def test_toy_cnn_ig_and_ism_peak_inside_the_site_and_agree():
    (seq,), (start,) = with_motif(1, 60, seed=0)
    net = MotifDetector(extras=1)
    tracks = explanation_tracks(net, seq, extras=np.array([0.3], dtype=np.float32))
    assert list(tracks) == [IG, ISM] == track_names(net)  # no attention for a cnn
    site = range(start, start + len(MOTIF))
    for name, t in tracks.items():
        assert t.shape == (60,)
        assert int(np.argmax(np.abs(t))) in site, name
        outside = np.delete(t, list(site))
        assert np.abs(outside).max() < 1e-6, name  # the filter never fires off the site
    # ISM: breaking any base of the one perfect site drops the logit by 2 (2 * ReLU(1)).
    np.testing.assert_allclose(tracks[ISM][list(site)], 2.0, atol=1e-5)
    rho = agreement(scaled_tracks(tracks)).spearman.iloc[0]
    assert rho > 0.9  # measured 0.997: both zero off the site, positive on it


def test_two_copies_blind_ism_but_not_ig():
    """Redundancy, the case the tab is for: with the motif twice, max pooling keeps the
    output when one copy breaks, so ISM sees nothing while IG credits a copy."""
    seq = "A" * 10 + MOTIF + "A" * 16 + MOTIF + "A" * 10
    tracks = explanation_tracks(MotifDetector(), seq, baseline="zeros")
    assert np.all(tracks[ISM] == 0)
    assert tracks[IG].max() > 0.1
    assert np.isnan(agreement(scaled_tracks(tracks)).spearman.iloc[0])


def test_tiny_kmer_bert_gets_three_tracks_and_attention_keeps_the_cls_mass():
    torch.manual_seed(0)
    net = models.get("kmer-bert", seq_len=30, outputs=1, k=3, size="tiny").eval()
    (seq,), _ = with_motif(1, 30, seed=1)
    tracks = explanation_tracks(net, seq, n_steps=32)
    assert list(tracks) == [IG, ISM, ATTENTION] == track_names(net)
    assert all(t.shape == (30,) for t in tracks.values())
    att = tracks[ATTENTION]
    assert np.all(att >= 0)
    # DNABERT's choice: the last layer's [CLS] row, mean over heads, mean over the k-mers
    # covering each base; weighting each base by its cover / k gives back the row's mass.
    ids = torch.as_tensor(net.encode([seq])[0])
    row = net.attentions(ids)[-1][:, 0, 1:-1].mean(0).numpy()
    cover_over_k = tokens_to_bases(np.ones(28), 3, 30, mode="spread")
    assert (att * cover_over_k).sum() == pytest.approx(row.sum(), rel=1e-5)
    assert 0 < row.sum() < 1  # [CLS] and [SEP] take the rest
    # IG is layer IG on the k-mer embeddings spread to bases: the bases keep its total.
    ig = kmer_integrated_gradients(net, [seq], n_steps=32)
    assert tracks[IG].sum() == pytest.approx(ig.per_token.sum(), rel=1e-4, abs=1e-6)
    assert tracks[ISM].max() > 0  # the one-hot adapter scored the 90 substitutions
    table = track_table(tracks, seq)
    assert list(table.columns) == ["position", "base", IG, ISM, ATTENTION]
    assert "".join(table.base) == seq and table.position.tolist() == list(range(1, 31))
