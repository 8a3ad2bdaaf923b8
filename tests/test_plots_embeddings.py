"""Embedding figures: content, not pixels."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from genoviz.plots_embeddings import mrr_figure, similarity_heatmap_figure


def test_mrr_bars_with_chance_line():
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
    from genoviz.plots_embeddings import token_pca_figure
    from genoviz.tokens import codon_vocab

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
    from genoviz.plots_embeddings import sequence_embedding_figure

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
