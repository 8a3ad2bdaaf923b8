"""Bar charts and histograms (genoviz/plots_bars.py): assert on traces, titles and axes,
never on pixels."""

from __future__ import annotations

import numpy as np
import plotly.graph_objects as go
import pytest

from genoviz import plots, plots_bars


def test_histogram_and_bar_figures():
    fig = plots_bars.histogram_figure([0.4, 0.5, 0.5], "GC content", "GC fraction", nbins=10)
    assert isinstance(fig.data[0], go.Histogram)
    assert list(fig.data[0].x) == [0.4, 0.5, 0.5]
    assert fig.data[0].nbinsx == 10
    assert fig.layout.yaxis.title.text == "count"
    bar = plots_bars.bar_figure(["0 (negative)", "1 (positive)"], [98, 2], "Labels", "label")
    assert list(bar.data[0].x) == ["0 (negative)", "1 (positive)"]
    assert list(bar.data[0].y) == [98, 2]
    assert list(bar.data[0].text) == ["98", "2"]


def test_grouped_bar_figure_one_trace_per_series():
    fig = plots_bars.grouped_bar_figure(
        ["AA", "AC", "CG"],
        {"negative (0)": [0.5, 0.3, 0.2], "positive (1)": [0.4, 0.4, 0.2]},
        "2-mer frequencies by class",
        "2-mer",
        "frequency",
    )
    assert [t.name for t in fig.data] == ["negative (0)", "positive (1)"]
    assert all(isinstance(t, go.Bar) for t in fig.data)
    assert list(fig.data[1].x) == ["AA", "AC", "CG"]
    assert list(fig.data[1].y) == pytest.approx([0.4, 0.4, 0.2])
    assert fig.data[0].text is None
    assert fig.layout.barmode == "group"
    assert fig.layout.title.text == "2-mer frequencies by class"
    assert fig.layout.yaxis.title.text == "frequency"
    assert fig.layout.showlegend is True
    labelled = plots_bars.grouped_bar_figure(
        ["train"], {"sequences": [80]}, "Splits", "split", show_values=True
    )
    assert list(labelled.data[0].text) == ["80"]
    assert labelled.layout.showlegend is False
    df = plots.figure_frame(fig)
    assert len(df) == 6 and set(df["trace"]) == {"negative (0)", "positive (1)"}


def test_grouped_bar_values_are_integers_with_thousands_separators():
    fig = plots_bars.grouped_bar_figure(
        ["train", "valid", "test"],
        {"negatives": [15_680, 1_960, 1_960], "positives": [320, 40, 40]},
        "Split sizes",
        "split",
        show_values=True,
    )
    assert list(fig.data[0].text) == ["15,680", "1,960", "1,960"]
    assert list(fig.data[1].text) == ["320", "40", "40"]
    assert [plots_bars.value_label(v) for v in (np.int64(1_234_567), 0.85314, 12_345.6)] == [
        "1,234,567",
        "0.8531",
        "12,346",
    ]


def test_stacked_histogram_figure_shares_bins():
    fig = plots_bars.stacked_histogram_figure(
        {"site": [10, 12, 12], "decoy": np.array([50, 60])}, "Planted starts", "start", nbins=20
    )
    assert [t.name for t in fig.data] == ["site", "decoy"]
    assert all(isinstance(t, go.Histogram) for t in fig.data)
    assert list(fig.data[0].x) == [10, 12, 12]
    assert {t.bingroup for t in fig.data} == {"1"}
    assert fig.layout.barmode == "stack"
    assert fig.layout.xaxis.title.text == "start"
