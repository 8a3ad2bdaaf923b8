"""Lesson science and figures: scans worked out by hand, motif matching, planted truth."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from torch import nn

from genoviz.data import Dataset, DatasetMeta
from genoviz.interpret.filters import filter_pfms
from genoviz.lesson import (
    column_similarity,
    example_index,
    lesson_datasets,
    match_filters,
    planted_motifs,
    planted_sites,
    pwm_filter,
    scan,
    word_filter,
)
from genoviz.lesson_plots import one_hot_figure, scan_figure
from genoviz.onehot import one_hot
from genoviz.sequences import SequenceError


def test_scan_is_the_sum_of_the_weights_under_the_window():
    x = one_hot("AGATCA")[0]
    s = scan(x, word_filter("GAT"))
    assert s.activation.tolist() == [0, 3, 0, 0]  # GAT at position 1 (0-based)
    assert s.best == 1 and s.contributions[1].tolist() == [1, 1, 1]
    assert s.contributions[0].tolist() == [0, 0, 0]  # AGA: no base matches at its column
    with pytest.raises(ValueError, match="shorter"):
        scan(one_hot("AC")[0], word_filter("GAT"))
    with pytest.raises(SequenceError):
        word_filter("GAZ")


def test_column_similarity_finds_the_shift_and_match_uses_both_strands():
    motif = one_hot("TGACTCA")[0].astype(float) * 0.9 + 0.025
    inner = motif[:, 2:6]  # a filter that learned only 'ACTC'
    r, shift = column_similarity(inner, motif)
    assert r == pytest.approx(1.0) and shift == -2
    rc = inner[::-1, ::-1]
    flat = np.full((4, 5), 0.25)
    matches = match_filters(
        np.stack([np.pad(rc, ((0, 0), (0, 1)), constant_values=0.25), flat[:, :5]]), {"AP1": motif}
    )
    assert len(matches) == 1  # the flat filter never fired
    best = matches[0]
    assert (best.index, best.strand, best.offset) == (0, "-", -1)
    assert best.score == pytest.approx(4 / 5)  # 4 perfect columns and one flat one (r = 0)


def test_filter_pfms_average_the_windows_where_a_hand_set_filter_fires():
    conv = nn.Conv1d(4, 2, 3)
    with torch.no_grad():
        conv.weight.zero_()
        conv.bias.zero_()
        conv.weight[0] = torch.tensor(word_filter("GAT"))
        conv.weight[1] -= 1.0  # never positive: never fires
    x = torch.tensor(one_hot(["CCGATCC", "GATTTTT", "GCTAAAA"]))
    pfms = filter_pfms(nn.Sequential(conv), x, threshold=0.5)
    assert pfms.shape == (2, 4, 3)
    # GAT (score 3) twice; GCT scores 2 > 1.5 once: column 2 is C one time in three
    expected = (2 * word_filter("GAT") + word_filter("GCT")) / 3
    np.testing.assert_allclose(pfms[0], expected, atol=0.01)  # up to a small pseudocount
    np.testing.assert_allclose(pfms[1], 0.25)


def tiny_dataset() -> Dataset:
    meta = DatasetMeta(
        name="tiny",
        ground_truth={
            "motifs": {"MA0491.3": "JUND", "IUPAC:YYANWYY": "Inr"},
            "columns": ["index", "motif_id", "start", "strand", "kind"],
            "instances": [[0, "MA0491.3", 3, "+", "decoy"], [2, "MA0491.3", 5, "-", "site"]],
            "donor_pfm": [[2, 0], [0, 2], [0, 0], [0, 0]],
        },
    )
    return Dataset(["ACGT" * 5] * 3, np.array([0, 0, 1]), "binary", meta)


def test_planted_truth_is_read_from_jaspar_and_stored_matrices():
    ds = tiny_dataset()
    motifs = planted_motifs(ds)
    assert set(motifs) == {"JUND (MA0491.3)", "donor"}
    np.testing.assert_allclose(motifs["JUND (MA0491.3)"].sum(axis=0), 1.0)
    np.testing.assert_allclose(motifs["donor"], [[1, 0], [0, 1], [0, 0], [0, 0]])
    assert planted_sites(ds, 2) == [("JUND (MA0491.3)", 5, "-", "site")]
    assert planted_sites(ds, 1) == []
    assert planted_sites(ds, 0) == [("JUND (MA0491.3)", 3, "+", "decoy")]  # said a decoy
    assert example_index(ds) == 2  # the positive with a real site, not the decoy


def test_lesson_offers_every_trainable_bundled_dna_set():
    names = lesson_datasets()
    assert "tf-binding" in names and "sirna" in names and "splice-sites" in names
    assert "codon-corpus" not in names  # a language-model corpus: no model trains on it


def test_figures_show_the_grid_and_the_scan_position():
    fig = one_hot_figure("ACGTN", one_hot("ACGTN")[0])
    assert fig.data[0].z.shape == (4, 5) and list(fig.layout.xaxis.ticktext) == list("ACGTN")
    x = one_hot("AGATCA")[0]
    s = scan(x, word_filter("GAT"))
    fig = scan_figure("AGATCA", word_filter("GAT"), s.activation, 1, s.contributions[1])
    heat = fig.data[0].z
    assert np.isnan(heat[:, 0]).all() and heat[2, 1] == 1  # G weight sits at position 2
    marker = next(t for t in fig.data if getattr(t, "mode", None) == "markers")
    assert list(marker.x) == [2] and list(marker.y) == [3.0]
    assert "= <b>3.00</b>" in fig.layout.annotations[-1].text
    fig = scan_figure("AGNTCA", word_filter("GAT"), s.activation, 0)
    letters = next(t for t in fig.data if getattr(t, "mode", None) == "text")
    assert list(letters.text) == list("AGTCA") and list(letters.x) == [1, 2, 4, 5, 6]


def test_pwm_filter_is_log_odds_with_a_floor():
    pfm = np.array([[0.97, 0.0], [0.01, 0.5], [0.01, 0.5], [0.01, 0.0]])
    w = pwm_filter(pfm)
    assert w[0, 0] == pytest.approx(np.log2(0.97 / 0.25))
    assert w[1, 1] == pytest.approx(1.0) and w[0, 1] == -2.0 and w[3, 0] == -2.0


def test_aligned_logos_put_the_compared_columns_under_each_other():
    """Step 5 showed the learned filter and the planted motif unshifted, so a match two
    columns off looked unrelated."""
    from genoviz.lesson import column_similarity
    from genoviz.motifs import aligned

    motif = np.eye(4)[:, [0, 1, 2, 3, 0]]  # ACGTA
    filt = np.full((4, 7), 0.25)
    filt[:, 2:7] = motif  # the motif starts at the filter's column 2
    r, offset = column_similarity(filt, motif)
    assert (round(r, 6), offset) == (1.0, 2)
    a, b, shared = aligned(filt, motif, offset)
    assert a.shape == b.shape == (4, 7) and shared == 5
    np.testing.assert_array_equal(b[:, 2:], a[:, 2:])  # the same columns, one above the other
    assert not b[:, :2].any()  # empty where the motif has no column
    a, b, shared = aligned(motif, filt, -2)  # the other way round: padded on the left
    assert a.shape == (4, 7) and not a[:, :2].any() and shared == 5


def test_the_network_is_described_as_it_is_built_on_each_set():
    """Step 4 said one pooled number per filter everywhere; where position matters the
    head also sees each filter's best match per block (and on siRNA guides each base)."""
    from genoviz.data import load_bundled
    from genoviz.lesson import network_text

    strandless = network_text(load_bundled("tf-binding"))
    assert "16 convolution filters (9 bp wide)" in strandless and "block" not in strandless
    guides = network_text(load_bundled("sirna"))
    assert "every 3-bp block" in guides and "which base sits at each position" in guides
    assert "hidden layer of 32 units" in guides
    assert "every 10-bp block" in network_text(load_bundled("promoters"))


def test_composite_sites_are_sites_and_decoys_are_decoys():
    """tf-multitask plants its real GATA1-TAL1 sites as 'composite': the lesson called the
    first sequence it shows a set of decoys."""
    from genoviz.data import load_bundled

    ds = load_bundled("tf-multitask")
    shown = planted_sites(ds, example_index(ds))
    assert shown and not any(s.is_decoy for s in shown)
    kinds = {s.kind: s.is_decoy for i in range(300) for s in planted_sites(ds, i)}
    assert kinds["composite"] is False and kinds["decoy"] is True
    assert kinds.get("misspaced ebox decoy", True) is True
