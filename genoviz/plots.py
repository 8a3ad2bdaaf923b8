"""The style every genoviz figure shares, and the numbers behind a figure.

:data:`COLORS`, :data:`SERIES_COLORS`, :data:`LAYOUT`, :func:`styled` and
:func:`plain_numbers` give every plotly figure the same colours, layout and axis numbers;
:func:`figure_frame` turns any plotly figure built on them back into a table, so every
figure can be downloaded as the numbers behind it.

The figure builders are pure: they take numbers and return a plotly ``Figure`` (or, for
sequence logos, a matplotlib ``Figure`` drawn by logomaker). No science happens in them
(metrics, GC content, ROC points and information content are computed by the caller) and
none knows about streamlit. They are :mod:`~genoviz.plots_training` (training curves),
:mod:`~genoviz.plots_metrics` (ROC, calibration, predicted against measured, confusion),
:mod:`~genoviz.plots_bars` (bars and histograms), :mod:`~genoviz.plots_sequence_logo` (one
logo), :mod:`~genoviz.plots_logos` (logo panels), :mod:`~genoviz.plots_interpret`,
:mod:`~genoviz.plots_attention`, :mod:`~genoviz.plots_embeddings` and
:mod:`~genoviz.plots_models`. Logos are built on a ``matplotlib.figure.Figure()``, never
through pyplot's global state, so they are safe in a multi-threaded server.
"""

from __future__ import annotations

from typing import Any

import pandas as pd
import plotly.graph_objects as go

#: Colour per series, so train/valid look the same in every figure.
COLORS = {
    "train": "#1f77b4",
    "valid": "#ff7f0e",
    "test": "#2ca02c",
    "neutral": "#7f7f7f",
}
#: Colours for the series of grouped figures (classes, motifs), in order.
SERIES_COLORS = (
    "#1f77b4",
    "#d62728",
    "#2ca02c",
    "#9467bd",
    "#ff7f0e",
    "#8c564b",
    "#e377c2",
    "#17becf",
    "#bcbd22",
    "#7f7f7f",
)
LAYOUT: dict[str, Any] = {
    "template": "plotly_white",
    "margin": {"l": 60, "r": 20, "t": 50, "b": 90},
    "legend": {"orientation": "h", "yanchor": "top", "y": -0.22, "xanchor": "left", "x": 0.0},
    "height": 380,
}


def plain_numbers(fig: go.Figure) -> go.Figure:
    """Axis and colour-bar numbers as powers of ten (5×10⁻⁴), not plotly's default SI
    prefixes: "−500μ" on a Δlogit axis reads as micro-units to a biologist."""
    fig.update_xaxes(exponentformat="power")
    fig.update_yaxes(exponentformat="power")
    fig.update_traces(colorbar_exponentformat="power", selector={"type": "heatmap"})
    return fig


def styled(fig: go.Figure, title: str, x_title: str, y_title: str) -> go.Figure:
    fig.update_layout(title={"text": title}, **LAYOUT)
    fig.update_xaxes(title_text=x_title)
    fig.update_yaxes(title_text=y_title)
    return plain_numbers(fig)


def figure_frame(fig: go.Figure) -> pd.DataFrame:
    """The numbers behind a figure, one row per point: ``trace, x, y``.

    Histograms have no ``y`` (the raw values are in ``x``); that column is then empty.
    """
    frames = []
    for i, trace in enumerate(fig.data):
        x = trace.x if getattr(trace, "x", None) is not None else []
        y = trace.y if getattr(trace, "y", None) is not None else [None] * len(x)
        n = max(len(x), len(y))
        frames.append(
            pd.DataFrame(
                {
                    "trace": [trace.name or f"trace {i + 1}"] * n,
                    "x": list(x) + [None] * (n - len(x)),
                    "y": list(y) + [None] * (n - len(y)),
                }
            )
        )
    if not frames:
        return pd.DataFrame(columns=["trace", "x", "y"])
    return pd.concat(frames, ignore_index=True)
