"""Training curves (genoviz/plots_training.py): assert on traces, titles and axes, never on
pixels."""

from __future__ import annotations

import math

import plotly.graph_objects as go
import pytest

from genoviz import plots, plots_training

HISTORY = [
    {"epoch": 1, "train_loss": 0.7, "valid_loss": 0.65, "valid_roc_auc": 0.6},
    {"epoch": 2, "train_loss": 0.5, "valid_loss": 0.55, "valid_roc_auc": math.nan},
    {"epoch": 3, "train_loss": 0.4, "valid_loss": 0.50, "valid_roc_auc": 0.8},
]


def test_history_figure_one_line_per_present_key():
    fig = plots_training.history_figure(
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
    fig = plots_training.history_figure(
        HISTORY, {"valid_roc_auc": "valid ROC AUC"}, "Metrics", "score"
    )
    assert list(fig.data[0].y) == [0.6, None, 0.8]
    assert len(plots_training.history_figure([], {"train_loss": "train"}, "Loss", "loss").data) == 0


def test_history_figure_from_zero_starts_the_axis_at_zero_even_when_all_values_are_zero():
    zeros = [{"epoch": 1, "valid_masked_acc": 0.0, "baseline_masked_acc": 0.0}]
    series = {"valid_masked_acc": "valid", "baseline_masked_acc": "baseline"}
    fig = plots_training.history_figure(
        zeros, series, "Masked-token accuracy", "accuracy", from_zero=True
    )
    lo, hi = fig.layout.yaxis.range
    assert lo == 0 and 0 < hi <= 0.05
    grown = [*zeros, {"epoch": 2, "valid_masked_acc": 0.2, "baseline_masked_acc": 0.05}]
    lo, hi = plots_training.history_figure(
        grown, series, "t", "a", from_zero=True
    ).layout.yaxis.range
    assert lo == 0 and hi == pytest.approx(0.22)
    assert plots_training.history_figure(grown, series, "t", "a").layout.yaxis.range is None
