"""Figure builders: assert on traces, titles and axes, never on pixels."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import plotly.graph_objects as go
import pytest

from genoviz import plots

HISTORY = [
    {"epoch": 1, "train_loss": 0.7, "valid_loss": 0.65, "valid_roc_auc": 0.6},
    {"epoch": 2, "train_loss": 0.5, "valid_loss": 0.55, "valid_roc_auc": math.nan},
    {"epoch": 3, "train_loss": 0.4, "valid_loss": 0.50, "valid_roc_auc": 0.8},
]


def test_history_figure_one_line_per_present_key():
    fig = plots.history_figure(
        HISTORY,
        {"train_loss": "train loss", "valid_loss": "valid loss", "absent": "never drawn"},
        "Loss",
        "loss",
    )
    assert isinstance(fig, go.Figure)
    assert [t.name for t in fig.data] == ["train loss", "valid loss"]
    assert list(fig.data[0].x) == [1, 2, 3]
    assert list(fig.data[0].y) == pytest.approx([0.7, 0.5, 0.4])
    assert fig.layout.title.text == "Loss"
    assert fig.layout.xaxis.title.text == "epoch"
    assert fig.layout.yaxis.title.text == "loss"
    # train and valid get their fixed colours
    assert fig.data[0].line.color == plots.COLORS["train"]
    assert fig.data[1].line.color == plots.COLORS["valid"]


def test_history_figure_nan_becomes_gap_and_empty_history_is_empty():
    fig = plots.history_figure(HISTORY, {"valid_roc_auc": "valid ROC AUC"}, "Metrics", "score")
    assert list(fig.data[0].y) == [0.6, None, 0.8]
    assert len(plots.history_figure([], {"train_loss": "train"}, "Loss", "loss").data) == 0


def test_history_figure_from_zero_starts_the_axis_at_zero_even_when_all_values_are_zero():
    zeros = [{"epoch": 1, "valid_masked_acc": 0.0, "baseline_masked_acc": 0.0}]
    series = {"valid_masked_acc": "valid", "baseline_masked_acc": "baseline"}
    fig = plots.history_figure(zeros, series, "Masked-token accuracy", "accuracy", from_zero=True)
    lo, hi = fig.layout.yaxis.range
    assert lo == 0 and 0 < hi <= 0.05
    grown = [*zeros, {"epoch": 2, "valid_masked_acc": 0.2, "baseline_masked_acc": 0.05}]
    lo, hi = plots.history_figure(grown, series, "t", "a", from_zero=True).layout.yaxis.range
    assert lo == 0 and hi == pytest.approx(0.22)
    assert plots.history_figure(grown, series, "t", "a").layout.yaxis.range is None


def test_roc_figure_has_curve_and_chance_line():
    fpr, tpr = np.array([0.0, 0.5, 1.0]), np.array([0.0, 0.9, 1.0])
    fig = plots.roc_figure(fpr, tpr, auc=0.7, title="ROC curve, test split")
    assert len(fig.data) == 2
    assert fig.data[0].name == "model (AUC 0.700)"
    assert list(fig.data[0].y) == [0.0, 0.9, 1.0]
    assert fig.data[1].name == "chance"
    assert list(fig.data[1].x) == [0, 1]
    assert fig.layout.title.text == "ROC curve, test split"
    assert fig.layout.xaxis.title.text == "false positive rate"
    assert plots.roc_figure(fpr, tpr).data[0].name == "model"


def test_scatter_figure_identity_line_spans_data():
    fig = plots.scatter_figure(np.array([0.1, 0.5, 0.9]), np.array([0.2, 0.4, 1.1]))
    assert [t.name for t in fig.data] == ["sequences", "y = x"]
    assert fig.data[0].mode == "markers"
    assert list(fig.data[1].x) == pytest.approx([0.1, 1.1])
    assert fig.layout.xaxis.title.text == "measured"


def test_histogram_and_bar_figures():
    fig = plots.histogram_figure([0.4, 0.5, 0.5], "GC content", "GC fraction", nbins=10)
    assert isinstance(fig.data[0], go.Histogram)
    assert list(fig.data[0].x) == [0.4, 0.5, 0.5]
    assert fig.data[0].nbinsx == 10
    assert fig.layout.yaxis.title.text == "count"
    bar = plots.bar_figure(["0 (negative)", "1 (positive)"], [98, 2], "Labels", "label")
    assert list(bar.data[0].x) == ["0 (negative)", "1 (positive)"]
    assert list(bar.data[0].y) == [98, 2]
    assert list(bar.data[0].text) == ["98", "2"]


def test_figure_frame_gives_the_numbers_behind_a_figure():
    fig = plots.roc_figure(np.array([0.0, 1.0]), np.array([0.0, 1.0]), auc=0.5)
    df = plots.figure_frame(fig)
    assert list(df.columns) == ["trace", "x", "y"]
    assert len(df) == 4
    assert set(df["trace"]) == {"model (AUC 0.500)", "chance"}
    hist = plots.figure_frame(plots.histogram_figure([1.0, 2.0], "t", "x"))
    assert list(hist["x"]) == [1.0, 2.0]
    assert hist["y"].isna().all()
    assert plots.figure_frame(go.Figure()).empty


def test_grouped_bar_figure_one_trace_per_series():
    fig = plots.grouped_bar_figure(
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
    labelled = plots.grouped_bar_figure(
        ["train"], {"sequences": [80]}, "Splits", "split", show_values=True
    )
    assert list(labelled.data[0].text) == ["80"]
    assert labelled.layout.showlegend is False
    df = plots.figure_frame(fig)
    assert len(df) == 6 and set(df["trace"]) == {"negative (0)", "positive (1)"}


def test_grouped_bar_values_are_integers_with_thousands_separators():
    fig = plots.grouped_bar_figure(
        ["train", "valid", "test"],
        {"negatives": [15_680, 1_960, 1_960], "positives": [320, 40, 40]},
        "Split sizes",
        "split",
        show_values=True,
    )
    assert list(fig.data[0].text) == ["15,680", "1,960", "1,960"]
    assert list(fig.data[1].text) == ["320", "40", "40"]
    assert [plots.value_label(v) for v in (np.int64(1_234_567), 0.85314, 12_345.6)] == [
        "1,234,567",
        "0.8531",
        "12,346",
    ]


def test_stacked_histogram_figure_shares_bins():
    fig = plots.stacked_histogram_figure(
        {"site": [10, 12, 12], "decoy": np.array([50, 60])}, "Planted starts", "start", nbins=20
    )
    assert [t.name for t in fig.data] == ["site", "decoy"]
    assert all(isinstance(t, go.Histogram) for t in fig.data)
    assert list(fig.data[0].x) == [10, 12, 12]
    assert {t.bingroup for t in fig.data} == {"1"}
    assert fig.layout.barmode == "stack"
    assert fig.layout.xaxis.title.text == "start"


@pytest.fixture
def freq_matrix():
    """Positions 5-9 of an aligned set: position 7 is always G, the rest uniform."""
    import pandas as pd

    rows = [[0.25] * 4] * 5
    rows[2] = [0.0, 0.0, 1.0, 0.0]
    return pd.DataFrame(rows, columns=list("ACGT"), index=range(5, 10))


def test_logo_figure_one_axes_covering_the_positions(freq_matrix):
    from matplotlib.figure import Figure

    fig = plots.logo_figure(freq_matrix, "splice-sites: donor", y_label="probability", y_max=1.0)
    try:
        assert isinstance(fig, Figure)
        assert len(fig.axes) == 1
        ax = fig.axes[0]
        assert ax.get_title() == "splice-sites: donor"
        assert ax.get_xlabel() == "position"
        assert ax.get_ylabel() == "probability"
        lo, hi = ax.get_xlim()
        assert lo < 5 and hi > 9 and hi - lo < 6  # every position, nothing more
        assert ax.get_ylim() == pytest.approx((0.0, 1.0))
        assert [int(t) for t in ax.get_xticks()] == [5, 6, 7, 8, 9]
        # one glyph per letter of non-zero height: 4 x 4 uniform positions + the lone G
        assert len(ax.patches) == 17
    finally:
        fig.clear()


@pytest.mark.parametrize(
    "title",
    [
        "planted JUND (MA0492.2) (reverse complement)",
        "planted motif: TAL1::TCF3 (MA0091.2), a much longer name than usual (rev. comp.)",
        "MA" + "0" * 120,  # one word longer than the figure
    ],
)
def test_logo_title_is_wrapped_to_fit_the_figure(freq_matrix, title):
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    fig = plots.logo_figure(freq_matrix, title)  # 5 positions: the narrowest logo, 4 in
    try:
        FigureCanvasAgg(fig).draw()  # lays the figure out as savefig does
        shown = fig.axes[0].title
        box = shown.get_window_extent()
        assert box.x0 >= 0 and box.x1 <= fig.bbox.width  # nothing cut off at either edge
        assert "\n" in shown.get_text()
        assert shown.get_text().replace("\n", " " if " " in title else "") == title
    finally:
        fig.clear()


def test_short_logo_title_stays_on_one_line(freq_matrix):
    fig = plots.logo_figure(freq_matrix, "JUND (MA0491.3)")
    try:
        assert fig.axes[0].get_title() == "JUND (MA0491.3)"
    finally:
        fig.clear()


def test_logo_figure_is_not_registered_with_pyplot(freq_matrix):
    import matplotlib.pyplot as plt

    before = plt.get_fignums()
    fig = plots.logo_figure(freq_matrix, "t")
    try:
        assert plt.get_fignums() == before
        assert 4.0 <= fig.get_figwidth() <= 12.0
    finally:
        fig.clear()


def test_confusion_figure_rows_are_true_classes():
    from genoviz.plots import confusion_figure

    counts = np.array([[8, 2, 0], [1, 9, 0], [0, 5, 5]])
    fig = confusion_figure(counts, ["neither", "donor", "acceptor"])
    heat = fig.data[0]
    assert list(heat.x) == ["neither", "donor", "acceptor"] == list(heat.y)
    np.testing.assert_allclose(np.asarray(heat.z)[2], [0, 0.5, 0.5])
    assert heat.text[0][0].startswith("8<br>80%")
    assert fig.layout.yaxis.autorange == "reversed"


def test_roc_curves_figure_one_trace_per_task_plus_chance():
    from genoviz.plots import roc_curves_figure

    fig = roc_curves_figure({"JUND": ([0, 1], [0, 1], 0.5), "CTCF": ([0, 0, 1], [0, 1, 1], 1.0)})
    assert [t.name for t in fig.data] == ["JUND (AUC 0.500)", "CTCF (AUC 1.000)", "chance"]


def test_calibration_figure_has_the_bins_and_the_diagonal():
    fig = plots.calibration_figure(
        np.array([0.05, 0.5]), np.array([0.02, 0.6]), np.array([90, 10]), "Calibration, test"
    )
    model, diagonal = fig.data
    assert list(model.x) == [0.05, 0.5] and list(model.y) == [0.02, 0.6]
    assert model.marker.size[0] > model.marker.size[1]  # the fuller bin is drawn bigger
    assert list(diagonal.x) == [0, 1] and diagonal.name == "perfectly calibrated"
    assert fig.layout.xaxis.title.text == "mean predicted probability"
    assert len(plots.figure_frame(fig)) >= 2


def test_logo_ticks_stay_apart_on_long_logos():
    assert [plots.tick_spacing(n) for n in (20, 101, 300, 400, 600, 2400, 9000)] == [
        1,
        5,
        10,
        20,
        20,
        100,
        300,
    ]
    matrix = pd.DataFrame(np.full((400, 4), 0.25), columns=list("ACGT"), index=range(1, 401))
    fig = plots.logo_figure(matrix, "long", y_label="contribution")
    try:
        ticks = [t for t in fig.axes[0].get_xticks() if 1 <= t <= 400]
        assert len(ticks) <= 30
    finally:
        fig.clear()
