"""Attention figures: content, not pixels."""

from __future__ import annotations

import numpy as np
import pytest

from genoviz.plots_attention import (
    attention_grid_figure,
    attention_head_figure,
    cls_attention_figure,
)


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


def test_cls_track_is_bars_coloured_by_base():
    fig = cls_attention_figure(np.array([0.1, 0.2, 0.3]), "ACA")
    assert {t.name for t in fig.data} == {"A", "C"} and "[CLS]" in fig.layout.title.text
