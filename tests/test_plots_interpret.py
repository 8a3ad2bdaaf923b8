"""Interpretation figures: content, not pixels."""

from __future__ import annotations

import itertools

import numpy as np
import pandas as pd
import pytest

from genoviz.interpret.logos import ic_matrix
from genoviz.plots import figure_frame
from genoviz.plots_interpret import (
    attention_grid_figure,
    attention_head_figure,
    cls_attention_figure,
    ism_figure,
    logo_panel_figure,
    masked_logo_panel_figure,
    mrr_figure,
    saliency_heatmap_figure,
    saliency_track_figure,
    similarity_heatmap_figure,
    variant_figure,
)


def test_saliency_track_one_trace_per_base_with_outcome_in_title():
    seq = "ACGTAAC"
    fig = saliency_track_figure(np.arange(7.0), seq, label=1, prediction=0.87)
    assert [t.name for t in fig.data] == ["A", "C", "G", "T"]
    assert list(fig.data[0].x) == [1, 5, 6]
    assert "label 1" in fig.layout.title.text and "prediction 0.87" in fig.layout.title.text
    frame = figure_frame(fig)
    assert sorted(frame["y"]) == list(np.arange(7.0))


def test_saliency_track_shows_a_text_prediction_as_it_is():
    fig = saliency_track_figure(np.arange(4.0), "ACGT", label=1, prediction="P(label 1) 0.476")
    assert fig.layout.title.text.endswith("(label 1 · P(label 1) 0.476)")


def test_saliency_heatmap_rows_are_sequences():
    fig = saliency_heatmap_figure(np.ones((3, 10)), ["a", "b", "c"])
    assert fig.data[0].z.shape == (3, 10) and list(fig.data[0].y) == ["a", "b", "c"]


def test_ism_figure_heatmap_and_max_track():
    effects = np.zeros((4, 5))
    effects[2, 3] = -1.5
    fig = ism_figure(effects, effects[2], "ACGTA")
    assert fig.data[0].type == "heatmap" and np.asarray(fig.data[0].z).shape == (4, 5)
    assert list(fig.data[0].y) == list("ACGT")
    assert list(fig.data[1].y) == [0, 0, 0, -1.5, 0]
    # an N column (NaN, never substituted) is left blank; the colour range ignores it
    effects[:, 0] = np.nan
    blank = ism_figure(effects, effects[2], "NCGTA")
    assert np.isnan(np.asarray(blank.data[0].z, dtype=float)[:, 0]).all()
    assert blank.data[0].zmax == 1.5 and blank.data[0].zmin == -1.5
    # small effects as powers of ten, not SI prefixes ("-500μ" reads as micro-units)
    assert blank.layout.yaxis.exponentformat == blank.layout.yaxis2.exponentformat == "power"
    assert blank.data[0].colorbar.exponentformat == "power"


def test_variant_figure_bars():
    df = pd.DataFrame(
        {"id": ["v1", "v2"], "pos": [3, 9], "ref": ["A", "C"], "alt": ["G", "T"],
         "delta_logit": [0.5, -1.0], "delta_prob": [0.1, -0.2]}
    )  # fmt: skip
    fig = variant_figure(df)
    assert list(fig.data[0].x) == ["v1 A3G", "v2 C9T"]
    assert list(fig.data[0].y) == [0.5, -1.0]


def test_logo_panel_grid():
    mats = [ic_matrix(np.eye(4)[:, [0, 1, 2, 3, 0]]) for _ in range(5)]
    fig = logo_panel_figure(mats, [f"f{i}" for i in range(5)], ncols=4)
    axes = fig.get_axes()
    assert len(axes) == 8 and [a.get_title() for a in axes[:5]] == [f"f{i}" for i in range(5)]
    assert not axes[6].axison
    with pytest.raises(ValueError):
        logo_panel_figure([], [])


def test_masked_logo_panel_draws_a_mask_strip_under_each_logo():
    mats = [ic_matrix(np.eye(4)[:, [0, 1, 2, 3, 0]]) for _ in range(3)]
    masks = [np.array([0.5, 1.0, 1.0, 0.2, 0.0]) * (k + 1) / 3 for k in range(3)]
    fig = masked_logo_panel_figure(mats, masks, ["m1", "m2", "m3"], ncols=2)
    axes = fig.get_axes()
    assert len(axes) == 6  # a logo and its strip per motif, no empty cells
    logos, strips = axes[0::2], axes[1::2]
    assert [a.get_title() for a in logos] == ["m1", "m2", "m3"]
    for strip, mask in zip(strips, masks, strict=True):
        heights = [p.get_height() for p in strip.patches]
        np.testing.assert_allclose(heights, mask)
        assert [p.get_x() + p.get_width() / 2 for p in strip.patches] == [1, 2, 3, 4, 5]
        assert strip.get_ylim() == (0, 1)
    with pytest.raises(ValueError, match="one mask per logo"):
        masked_logo_panel_figure(mats, masks[:2], ["m1", "m2", "m3"])


def test_attention_grid_one_heatmap_per_layer_and_head_and_bins_long_maps():
    maps = np.random.default_rng(0).random((2, 3, 10, 10))
    fig = attention_grid_figure(maps, [0, 3], [0, 1, 2])
    assert len(fig.data) == 6
    titles = [a.text for a in fig.layout.annotations]
    assert "layer 4" in titles and "head 3" in titles
    np.testing.assert_allclose(fig.data[5].z, maps[1, 2])
    big = np.ones((1, 1, 200, 200))
    fig = attention_grid_figure(big, [0], [0], max_cells=50)
    assert np.asarray(fig.data[0].z).shape == (50, 50)
    np.testing.assert_allclose(fig.data[0].z, 1.0)
    assert "50 x 50" in fig.layout.title.text


def test_attention_head_labels_are_numbered_tokens():
    fig = attention_head_figure(np.eye(4), ["[CLS]", "ACG", "ACG", "[SEP]"])
    assert list(fig.data[0].x) == ["0:[CLS]", "1:ACG", "2:ACG", "3:[SEP]"]
    # the scale runs from 0 (plotly ignored zmin without zmax and spread near-uniform
    # weights of 0.0030-0.0038 over the whole colour range)
    near_uniform = np.full((4, 4), 0.25) + np.linspace(0, 0.001, 16).reshape(4, 4)
    fig = attention_head_figure(near_uniform, ["a", "b", "c", "d"])
    assert fig.data[0].zmin == 0 and fig.data[0].zmax == pytest.approx(near_uniform.max())


def test_cls_track_and_mrr_bars_with_chance_line():
    fig = cls_attention_figure(np.array([0.1, 0.2, 0.3]), "ACA")
    assert {t.name for t in fig.data} == {"A", "C"} and "[CLS]" in fig.layout.title.text
    table = pd.DataFrame({"species": ["x", "y"], "mrr": [0.9, 0.2]})
    fig = mrr_figure(table, chance=0.17)
    assert list(fig.data[0].y) == [0.9, 0.2]
    assert fig.layout.shapes[0].y0 == pytest.approx(0.17)


def test_similarity_heatmap_marks_cells():
    sim = pd.DataFrame([[1.0, -0.5], [0.2, 0.3]], index=["GCT", "TGG"], columns=["A", "W"])
    fig = similarity_heatmap_figure(sim, row_labels=["GCT (A)", "TGG (W)"], marks=[("TGG", "W")])
    assert list(fig.data[0].y) == ["GCT (A)", "TGG (W)"] and fig.data[0].zmin == -1
    assert list(fig.data[1].x) == ["W"] and list(fig.data[1].y) == ["TGG (W)"]
    # all 64 codon rows get a label (plotly thins crowded automatic ticks to every other)
    codons = [f"C{i:02d}" for i in range(64)]
    big = similarity_heatmap_figure(pd.DataFrame(np.zeros((64, 21)), index=codons))
    assert list(big.layout.yaxis.tickvals) == codons == list(big.layout.yaxis.ticktext)


def test_token_pca_figure_one_legend_entry_per_amino_acid():
    from genoviz.interpret.embeddings import codon_token_pca
    from genoviz.plots_interpret import token_pca_figure
    from genoviz.sequences import codon_vocab

    vocab = codon_vocab()
    emb = np.random.default_rng(0).normal(size=(len(vocab), 8))
    pca = codon_token_pca(emb, vocab)
    fig = token_pca_figure(pca.points, pca.explained, "Token PCA")
    assert fig.layout.title.text == "Token PCA"
    legend = [t for t in fig.data if t.showlegend]
    assert len(legend) == 21 and len(fig.data) == 42
    w = next(t for t in fig.data if t.name == "W codon")
    assert len(w.x) == 1 and "TGG → W" in w.hovertext
    # a codon's dots share its amino acid's colour, and no two amino acids share one
    colours = {t.name: t.marker.color for t in fig.data}
    assert all(colours[f"{aa} codon"] == colours[f"{aa} amino acid"] for aa in "AW*")
    assert len({c for n, c in colours.items() if n.endswith("amino acid")}) == 21
    assert fig.layout.xaxis.title.text.startswith("PC1 (")


def test_sequence_embedding_figure_one_trace_per_class_or_a_colour_bar():
    from genoviz.interpret.sequence_embeddings import BINARY_NAMES, sequence_pca
    from genoviz.plots_interpret import sequence_embedding_figure

    rng = np.random.default_rng(0)
    emb, y = rng.normal(size=(30, 6)), np.arange(30) % 2
    pca = sequence_pca(emb, y, "binary", ids=[f"s{i}" for i in range(30)])
    fig = sequence_embedding_figure(pca.points, pca.explained, "Sequences")
    assert [t.name for t in fig.data] == list(BINARY_NAMES)
    assert [len(t.x) for t in fig.data] == [15, 15] and "s1: 1 (positive)" in fig.data[1].hovertext
    assert fig.layout.title.text == "Sequences" and fig.layout.xaxis.title.text.startswith("PC1 (")
    classes = sequence_pca(emb, np.arange(30) % 3, "multiclass", class_names=["x", "y", "z"])
    fig = sequence_embedding_figure(classes.points, classes.explained, "Classes")
    assert [t.name for t in fig.data] == ["x", "y", "z"]
    values = rng.normal(size=30)
    reg = sequence_pca(emb, values, "regression")
    (trace,) = sequence_embedding_figure(reg.points, reg.explained, "Values").data
    assert trace.marker.showscale and list(trace.marker.color) == list(values)
    assert trace.marker.colorbar.title.text == "label"


def test_each_base_bar_is_one_position_wide():
    """A base seen every 7th position drew bars 7 wide over its neighbours."""
    fig = saliency_track_figure(np.arange(1, 22) / 21, "GGGGCGGGGGGCGGGGGGAGG")
    assert {tr.name: tr.width for tr in fig.data} == {"A": 1.0, "C": 1.0, "G": 1.0}


def test_long_logo_titles_do_not_run_into_their_neighbours():
    """Titles such as 'filter 3 · MA0491.3 JUND, MA0492.2 JUND · 120 sites' ran over the
    next panel's title; they are wrapped to their panel's width."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    from genoviz.plots_interpret import logo_panel_figure, masked_logo_panel_figure

    mat = ic_matrix(np.full((4, 8), 0.25))
    long = "filter 12 · MA0491.3 JUND (E=1.2e-05), MA0492.2 JUND (E=3.4e-04) · 1,234 sites"
    for fig in (
        logo_panel_figure([mat] * 4, [long] * 4),
        masked_logo_panel_figure([mat] * 4, [np.ones(8)] * 4, [long] * 4),
    ):
        canvas = FigureCanvasAgg(fig)
        canvas.draw()
        renderer = canvas.get_renderer()
        boxes = sorted(
            (ax.title.get_window_extent(renderer) for ax in fig.axes if ax.get_title()),
            key=lambda b: b.x0,
        )
        assert len(boxes) == 4
        for left, right in itertools.pairwise(boxes):
            assert left.x1 <= right.x0, (left, right)
        assert all("\n" in ax.get_title() for ax in fig.axes if ax.get_title())
