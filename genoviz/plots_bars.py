"""Bar charts and histograms: counts per category (one series or several side by side)
and histograms of raw values (plotly bins them in the browser).

Pure builders like :mod:`genoviz.plots`: counts, GC content and k-mer frequencies are
computed by the caller.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
import plotly.graph_objects as go

from genoviz.plots import COLORS, SERIES_COLORS, styled


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
    fig = styled(fig, title, x_title, "count")
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
    fig = styled(fig, title, x_title, y_title)
    fig.update_layout(showlegend=False)
    return fig


def value_label(value: float) -> str:
    """A bar's value as text: whole numbers as integers with thousands separators
    (``15,680``, never ``1.568e+04``), others to 4 significant digits (``0.8531``)."""
    v = float(value)
    if not np.isfinite(v):
        return ""
    if v.is_integer() or abs(v) >= 1000:
        return f"{round(v):,}"
    return f"{v:.4g}"


def grouped_bar_figure(
    categories: Sequence[str],
    series: Mapping[str, Sequence[float]],
    title: str,
    x_title: str,
    y_title: str = "count",
    show_values: bool = False,
) -> go.Figure:
    """Bars side by side: one trace per series over the same categories.

    Args:
        categories: x labels, e.g. k-mers or split names.
        series: legend name -> one value per category, e.g. ``{"positive": [...]}``.
        show_values: write each bar's value on it (for a few bars, not hundreds).
    """
    fig = go.Figure()
    for i, (name, values) in enumerate(series.items()):
        values = list(values)
        fig.add_trace(
            go.Bar(
                x=list(categories),
                y=values,
                name=name,
                marker={"color": COLORS.get(name, SERIES_COLORS[i % len(SERIES_COLORS)])},
                text=[value_label(v) for v in values] if show_values else None,
                textposition="outside" if show_values else None,
                cliponaxis=False,
            )
        )
    fig = styled(fig, title, x_title, y_title)
    fig.update_layout(barmode="group", bargap=0.15, showlegend=len(series) > 1)
    return fig


def stacked_histogram_figure(
    groups: Mapping[str, Sequence[float] | np.ndarray],
    title: str,
    x_title: str,
    nbins: int | None = None,
) -> go.Figure:
    """Histograms of raw values, one stacked trace per group, sharing their bins
    (e.g. planted motif start positions, per motif)."""
    fig = go.Figure()
    for i, (name, values) in enumerate(groups.items()):
        fig.add_trace(
            go.Histogram(
                x=np.asarray(values, dtype=float),
                name=name,
                nbinsx=nbins,
                bingroup=1,
                marker={"color": SERIES_COLORS[i % len(SERIES_COLORS)]},
            )
        )
    fig = styled(fig, title, x_title, "count")
    fig.update_layout(barmode="stack", bargap=0.05, showlegend=len(groups) > 1)
    return fig
