"""Interpretation figures: content, not pixels."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from genoviz.interpret.logos import ic_matrix
from genoviz.plots import figure_frame
from genoviz.plots_interpret import (
    ism_figure,
    logo_panel_figure,
    masked_logo_panel_figure,
    saliency_heatmap_figure,
    saliency_track_figure,
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
