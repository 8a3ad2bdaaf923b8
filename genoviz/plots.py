"""Pure plotly figure builders: they take numbers and return a ``plotly.graph_objects.Figure``.

No science happens here (metrics, GC content and ROC points are computed by the caller) and
nothing here knows about streamlit. :func:`figure_frame` turns any figure built here back
into a table, so every figure can be downloaded as the numbers behind it.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd
import plotly.graph_objects as go

#: Colour per series, so train/valid look the same in every figure.
COLORS = {
    "train": "#1f77b4",
    "valid": "#ff7f0e",
    "test": "#2ca02c",
    "neutral": "#7f7f7f",
}
_LAYOUT: dict[str, Any] = {
    "template": "plotly_white",
    "margin": {"l": 60, "r": 20, "t": 50, "b": 90},
    "legend": {"orientation": "h", "yanchor": "top", "y": -0.22, "xanchor": "left", "x": 0.0},
    "height": 380,
}


def _styled(fig: go.Figure, title: str, x_title: str, y_title: str) -> go.Figure:
    fig.update_layout(title={"text": title}, **_LAYOUT)
    fig.update_xaxes(title_text=x_title)
    fig.update_yaxes(title_text=y_title)
    return fig


def history_figure(
    history: Sequence[Mapping[str, Any]],
    series: Mapping[str, str],
    title: str,
    y_title: str,
    x_key: str = "epoch",
) -> go.Figure:
    """One line per history key, against the epoch.

    Args:
        history: one record per epoch, e.g. ``{"epoch": 1, "train_loss": 0.6, ...}``.
        series: history key -> legend name, e.g. ``{"train_loss": "train"}``. Keys absent
            from every record are skipped; missing or None values become gaps.
    """
    fig = go.Figure()
    x = [r.get(x_key) for r in history]
    for key, name in series.items():
        if not any(key in r for r in history):
            continue
        y = [_finite_or_none(r.get(key)) for r in history]
        split = key.split("_", 1)[0]
        dash = "dot" if "pr_auc" in key or "spearman" in key else "solid"
        fig.add_trace(
            go.Scatter(
                x=x,
                y=y,
                mode="lines+markers",
                name=name,
                line={"color": COLORS.get(split, COLORS["neutral"]), "dash": dash},
            )
        )
    fig = _styled(fig, title, "epoch", y_title)
    if 0 < len(history) <= 20:
        fig.update_xaxes(dtick=1)
    return fig


def _finite_or_none(v: Any) -> float | None:
    if v is None:
        return None
    v = float(v)
    return v if np.isfinite(v) else None


def roc_figure(
    fpr: np.ndarray, tpr: np.ndarray, auc: float | None = None, title: str = "ROC curve"
) -> go.Figure:
    """ROC curve with the chance diagonal.

    Args:
        fpr, tpr: false- and true-positive rates, shape ``(k,)``, from the caller.
        auc: shown in the legend when given.
    """
    name = "model" if auc is None else f"model (AUC {auc:.3f})"
    fig = go.Figure(
        [
            go.Scatter(
                x=np.asarray(fpr),
                y=np.asarray(tpr),
                mode="lines",
                name=name,
                line={"color": COLORS["test"], "width": 2},
            ),
            go.Scatter(
                x=[0, 1],
                y=[0, 1],
                mode="lines",
                name="chance",
                line={"color": COLORS["neutral"], "dash": "dash"},
            ),
        ]
    )
    fig = _styled(fig, title, "false positive rate", "true positive rate")
    fig.update_xaxes(range=[0, 1])
    fig.update_yaxes(range=[0, 1.02])
    return fig


def scatter_figure(
    y_true: np.ndarray,
    y_pred: np.ndarray,
    title: str = "Predicted vs measured",
    x_title: str = "measured",
    y_title: str = "predicted",
) -> go.Figure:
    """Predicted against true values with the identity line ``y = x``."""
    y_true = np.asarray(y_true, dtype=float).reshape(-1)
    y_pred = np.asarray(y_pred, dtype=float).reshape(-1)
    fig = go.Figure(
        go.Scatter(
            x=y_true,
            y=y_pred,
            mode="markers",
            name="sequences",
            marker={"color": COLORS["test"], "size": 5, "opacity": 0.5},
        )
    )
    both = np.concatenate([y_true, y_pred])
    both = both[np.isfinite(both)]
    if both.size:
        lo, hi = float(both.min()), float(both.max())
        fig.add_trace(
            go.Scatter(
                x=[lo, hi],
                y=[lo, hi],
                mode="lines",
                name="y = x",
                line={"color": COLORS["neutral"], "dash": "dash"},
            )
        )
    return _styled(fig, title, x_title, y_title)


def histogram_figure(
    values: Sequence[float] | np.ndarray,
    title: str,
    x_title: str,
    nbins: int | None = None,
    name: str = "sequences",
) -> go.Figure:
    """Histogram of raw values (plotly does the binning in the browser)."""
    fig = go.Figure(
        go.Histogram(
            x=np.asarray(values, dtype=float),
            nbinsx=nbins,
            name=name,
            marker={"color": COLORS["train"]},
        )
    )
    fig = _styled(fig, title, x_title, "count")
    fig.update_layout(bargap=0.05, showlegend=False)
    return fig


def bar_figure(
    categories: Sequence[str],
    counts: Sequence[float],
    title: str,
    x_title: str,
    y_title: str = "count",
) -> go.Figure:
    """Bars of precomputed counts, labelled with their value."""
    fig = go.Figure(
        go.Bar(
            x=list(categories),
            y=list(counts),
            text=[f"{c:,.0f}" for c in counts],
            textposition="auto",
            marker={"color": COLORS["train"]},
            name=y_title,
        )
    )
    fig = _styled(fig, title, x_title, y_title)
    fig.update_layout(showlegend=False)
    return fig


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
