"""Figure builders for BERT attention: every layer and head, one head, [CLS] along the bases."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from genoviz.plots import LAYOUT, styled
from genoviz.plots_interpret import saliency_track_figure


def _binned(z: np.ndarray, cells: int) -> np.ndarray:
    """Display only: block means so a square map has at most ``cells`` rows and columns."""
    t = z.shape[-1]
    if t <= cells:
        return z
    edges = np.linspace(0, t, cells + 1).astype(int)[:-1]
    return np.add.reduceat(np.add.reduceat(z, edges, axis=-2), edges, axis=-1) / np.outer(
        np.diff(np.append(edges, t)), np.diff(np.append(edges, t))
    )


def attention_grid_figure(
    maps: np.ndarray,
    layers: Sequence[int],
    heads: Sequence[int],
    title: str = "Attention, every layer and head",
    max_cells: int = 96,
) -> go.Figure:
    """BertViz model-view style: one small heatmap per layer (rows) and head (columns).

    Args:
        maps: ``(len(layers), len(heads), T, T)``; rows attend to columns.
        layers, heads: 0-based numbers of the maps (shown 1-based).
        max_cells: maps with more tokens are shown as block means (the CSV keeps all).
    """
    n_l, n_h = maps.shape[:2]
    fig = make_subplots(
        rows=n_l,
        cols=n_h,
        row_titles=[f"layer {i + 1}" for i in layers],
        column_titles=[f"head {h + 1}" for h in heads],
        horizontal_spacing=0.01,
        vertical_spacing=0.02,
    )
    top = float(np.max(maps)) if maps.size else 1.0
    for i in range(n_l):
        for j in range(n_h):
            fig.add_trace(
                go.Heatmap(
                    z=_binned(np.asarray(maps[i, j], dtype=float), max_cells),
                    colorscale="Blues",
                    zmin=0,
                    zmax=top,
                    showscale=i == 0 and j == 0,
                    name=f"layer {layers[i] + 1} head {heads[j] + 1}",
                    hovertemplate="from %{y} to %{x}<br>%{z:.3f}<extra>%{fullData.name}</extra>",
                ),
                row=i + 1,
                col=j + 1,
            )
    fig.update_xaxes(showticklabels=False)
    fig.update_yaxes(showticklabels=False, autorange="reversed")
    suffix = f" (shown as {max_cells} x {max_cells} blocks)" if maps.shape[-1] > max_cells else ""
    layout = {**LAYOUT, "height": max(300, 110 * n_l + 80), "showlegend": False}
    fig.update_layout(title={"text": title + suffix}, **layout)
    return fig


def _token_labels(tokens: Sequence[str]) -> list[str]:
    # Plotly merges repeated category labels, and k-mers repeat: number them.
    return [f"{i}:{t}" for i, t in enumerate(tokens)]


def attention_head_figure(
    matrix: np.ndarray, tokens: Sequence[str], title: str = "Attention of one head"
) -> go.Figure:
    """One ``(T, T)`` map, large, with the k-mer tokens on both axes (row attends to column)."""
    labels = _token_labels(tokens)
    z = np.asarray(matrix, dtype=float)
    fig = go.Figure(
        go.Heatmap(
            z=z,
            x=labels,
            y=labels,
            colorscale="Blues",
            # from 0, as the grid: plotly drops zmin alone, and a scale from 0.0030 to 0.0038
            # made near-uniform attention look patterned
            zmin=0,
            zmax=float(np.nanmax(z)) if z.size and np.nanmax(z) > 0 else 1.0,
            colorbar={"title": "weight"},
            hovertemplate="%{y} attends to %{x}<br>%{z:.3f}<extra></extra>",
        )
    )
    fig = styled(fig, title, "attended token", "attending token")
    fig.update_yaxes(autorange="reversed")
    fig.update_layout(height=max(450, min(900, 12 * len(labels) + 150)))
    return fig


def cls_attention_figure(
    track: np.ndarray, sequence: str, title: str = "Attention from [CLS], mapped to bases"
) -> go.Figure:
    """The [CLS] attention per base as bars coloured by base."""
    return saliency_track_figure(track, sequence, title, y_title="attention from [CLS]")
