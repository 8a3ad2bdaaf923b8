"""The numbers behind a figure (genoviz/plots.py): assert on the table, never on pixels."""

from __future__ import annotations

import numpy as np
import plotly.graph_objects as go

from genoviz import plots, plots_bars, plots_metrics


def test_figure_frame_gives_the_numbers_behind_a_figure():
    fig = plots_metrics.roc_figure(np.array([0.0, 1.0]), np.array([0.0, 1.0]), auc=0.5)
    df = plots.figure_frame(fig)
    assert list(df.columns) == ["trace", "x", "y"]
    assert len(df) == 4
    assert set(df["trace"]) == {"model (AUC 0.500)", "chance"}
    hist = plots.figure_frame(plots_bars.histogram_figure([1.0, 2.0], "t", "x"))
    assert list(hist["x"]) == [1.0, 2.0]
    assert hist["y"].isna().all()
    assert plots.figure_frame(go.Figure()).empty
