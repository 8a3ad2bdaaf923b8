"""Interpretation figures: content, not pixels."""

from __future__ import annotations

import numpy as np
import pandas as pd

from genoviz.plots import figure_frame
from genoviz.plots_interpret import (
    ism_figure,
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


def test_each_base_bar_is_one_position_wide():
    """A base seen every 7th position drew bars 7 wide over its neighbours."""
    fig = saliency_track_figure(np.arange(1, 22) / 21, "GGGGCGGGGGGCGGGGGGAGG")
    assert {tr.name: tr.width for tr in fig.data} == {"A": 1.0, "C": 1.0, "G": 1.0}
