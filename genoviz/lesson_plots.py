"""Figures for lesson mode: a one-hot grid and a filter scanning a sequence.

Pure builders like :mod:`genoviz.plots`: numbers in, plotly ``Figure`` out, no science.
"""

from __future__ import annotations

import numpy as np
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from genoviz.plots import COLORS
from genoviz.sequences import ALPHABET

#: Above this many bases the letters are left off (they would overlap).
MAX_LETTERS = 120


def one_hot_figure(sequence: str, x: np.ndarray, title: str = "One-hot encoding") -> go.Figure:
    """The ``(4, L)`` one-hot grid of one sequence: a row per base, a column per position,
    each cell labelled 1 or 0, the sequence's letters along the top."""
    x = np.asarray(x)
    length = x.shape[1]
    positions = list(range(1, length + 1))
    show_text = length <= MAX_LETTERS
    fig = go.Figure(
        go.Heatmap(
            z=x,
            x=positions,
            y=list(ALPHABET),
            colorscale=[[0, "#f4f4f4"], [1, COLORS["train"]]],
            zmin=0,
            zmax=1,
            showscale=False,
            text=x.astype(int).astype(str) if show_text else None,
            texttemplate="%{text}" if show_text else None,
            xgap=1,
            ygap=1,
            name="one-hot",
            hovertemplate="position %{x}<br>%{y}: %{z}<extra></extra>",
        )
    )
    fig.update_layout(
        title={"text": title},
        template="plotly_white",
        height=260,
        margin={"l": 50, "r": 20, "t": 70, "b": 40},
    )
    fig.update_yaxes(autorange="reversed", title_text="channel")
    fig.update_xaxes(title_text="position")
    if show_text:
        fig.update_xaxes(
            side="top",
            tickmode="array",
            tickvals=positions,
            ticktext=list(sequence[:length]),
            title_text=None,
        )
    return fig


def scan_figure(
    sequence: str,
    weights: np.ndarray,
    activation: np.ndarray,
    position: int,
    contributions: np.ndarray | None = None,
    title: str = "Filter scan",
) -> go.Figure:
    """The filter's weights laid over the sequence at ``position`` (top) and its activation
    at every position with the current one marked (bottom).

    Args:
        sequence: the sequence, length L.
        weights: the filter, ``(4, W)``.
        activation: ``(L - W + 1,)``, score with the filter's first column at each position.
        position: 0-based position of the filter's first column.
        contributions: ``(W,)`` the weight each base under the filter picks, shown as text.
    """
    w = np.asarray(weights, dtype=float)
    width, length = w.shape[1], len(sequence)
    grid = np.full((4, length), np.nan)
    grid[:, position : position + width] = w
    xs = list(range(1, length + 1))
    fig = make_subplots(
        rows=2,
        cols=1,
        shared_xaxes=True,
        row_heights=[0.45, 0.55],
        vertical_spacing=0.08,
        subplot_titles=("filter weights over the sequence", "activation"),
    )
    lim = float(np.nanmax(np.abs(w))) or 1.0
    fig.add_trace(
        go.Heatmap(
            z=grid,
            x=xs,
            y=list(ALPHABET),
            colorscale="RdBu",
            zmid=0,
            zmin=-lim,
            zmax=lim,
            showscale=False,
            opacity=0.6,  # the sequence's letters stay readable on top
            xgap=1,
            ygap=1,
            name="filter",
            hovertemplate="position %{x}<br>%{y}: weight %{z:.2f}<extra></extra>",
        ),
        row=1,
        col=1,
    )
    if length <= MAX_LETTERS:  # each base as a letter in its own row (N has no row)
        known = [(i, b) for i, b in zip(xs, sequence, strict=True) if b in ALPHABET]
        fig.add_trace(
            go.Scatter(
                x=[i for i, _ in known],
                y=[b for _, b in known],
                mode="text",
                text=[b for _, b in known],
                textfont={"size": 13, "color": "black"},
                name="sequence",
                hoverinfo="skip",
            ),
            row=1,
            col=1,
        )
    act_x = list(range(1, len(activation) + 1))
    fig.add_trace(
        go.Scatter(
            x=act_x,
            y=np.asarray(activation, dtype=float),
            mode="lines",
            name="activation",
            line={"color": COLORS["train"]},
        ),
        row=2,
        col=1,
    )
    fig.add_trace(
        go.Scatter(
            x=[position + 1],
            y=[float(activation[position])],
            mode="markers",
            name=f"position {position + 1}",
            marker={"color": COLORS["valid"], "size": 12},
        ),
        row=2,
        col=1,
    )
    fig.add_vrect(
        x0=position + 0.5,
        x1=position + width + 0.5,
        line_width=2,
        line_color=COLORS["valid"],
        fillcolor="rgba(0,0,0,0)",
        row=1,
        col=1,
    )
    if contributions is not None:
        text = " + ".join(f"{c:.1f}" for c in contributions)
        fig.add_annotation(
            text=f"score at {position + 1}: {text} = <b>{float(np.sum(contributions)):.2f}</b>",
            xref="paper",
            yref="paper",
            x=0,
            y=-0.3,
            showarrow=False,
            xanchor="left",
        )
    fig.update_yaxes(autorange="reversed", row=1, col=1)
    fig.update_yaxes(title_text="score", row=2, col=1)
    fig.update_xaxes(title_text="position (filter's first column)", row=2, col=1)
    fig.update_layout(
        title={"text": title},
        template="plotly_white",
        height=460,
        showlegend=False,
        margin={"l": 50, "r": 20, "t": 70, "b": 110},
    )
    return fig
