"""ROC, calibration, predicted-against-measured and confusion figures
(genoviz/plots_metrics.py): assert on traces, titles and axes, never on pixels."""

from __future__ import annotations

import numpy as np
import pytest

from genoviz import plots, plots_metrics


def test_roc_figure_has_curve_and_chance_line():
    fpr, tpr = np.array([0.0, 0.5, 1.0]), np.array([0.0, 0.9, 1.0])
    fig = plots_metrics.roc_figure(fpr, tpr, auc=0.7, title="ROC curve, test split")
    assert len(fig.data) == 2
    assert fig.data[0].name == "model (AUC 0.700)"
    assert list(fig.data[0].y) == [0.0, 0.9, 1.0]
    assert fig.data[1].name == "chance"
    assert list(fig.data[1].x) == [0, 1]
    assert fig.layout.title.text == "ROC curve, test split"
    assert fig.layout.xaxis.title.text == "false positive rate"
    assert plots_metrics.roc_figure(fpr, tpr).data[0].name == "model"


def test_scatter_figure_identity_line_spans_data():
    fig = plots_metrics.scatter_figure(np.array([0.1, 0.5, 0.9]), np.array([0.2, 0.4, 1.1]))
    assert [t.name for t in fig.data] == ["sequences", "y = x"]
    assert fig.data[0].mode == "markers"
    assert list(fig.data[1].x) == pytest.approx([0.1, 1.1])
    assert fig.layout.xaxis.title.text == "measured"


def test_confusion_figure_rows_are_true_classes():
    from genoviz.plots_metrics import confusion_figure

    counts = np.array([[8, 2, 0], [1, 9, 0], [0, 5, 5]])
    fig = confusion_figure(counts, ["neither", "donor", "acceptor"])
    heat = fig.data[0]
    assert list(heat.x) == ["neither", "donor", "acceptor"] == list(heat.y)
    np.testing.assert_allclose(np.asarray(heat.z)[2], [0, 0.5, 0.5])
    assert heat.text[0][0].startswith("8<br>80%")
    assert fig.layout.yaxis.autorange == "reversed"


def test_roc_curves_figure_one_trace_per_task_plus_chance():
    from genoviz.plots_metrics import roc_curves_figure

    fig = roc_curves_figure({"JUND": ([0, 1], [0, 1], 0.5), "CTCF": ([0, 0, 1], [0, 1, 1], 1.0)})
    assert [t.name for t in fig.data] == ["JUND (AUC 0.500)", "CTCF (AUC 1.000)", "chance"]


def test_calibration_figure_has_the_bins_and_the_diagonal():
    fig = plots_metrics.calibration_figure(
        np.array([0.05, 0.5]), np.array([0.02, 0.6]), np.array([90, 10]), "Calibration, test"
    )
    model, diagonal = fig.data
    assert list(model.x) == [0.05, 0.5] and list(model.y) == [0.02, 0.6]
    assert model.marker.size[0] > model.marker.size[1]  # the fuller bin is drawn bigger
    assert list(diagonal.x) == [0, 1] and diagonal.name == "perfectly calibrated"
    assert fig.layout.xaxis.title.text == "mean predicted probability"
    assert len(plots.figure_frame(fig)) >= 2
