"""Logo panels (filters, JASPAR matches, motif-net's masked motifs) as matplotlib figures."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd
from matplotlib.figure import Figure as MplFigure


def fit_title(title: str, width_in: float) -> str:
    """A logo's title broken into lines that fit its panel (9 pt text, about 13
    characters an inch): long ones ran over the neighbouring panels' titles."""
    import textwrap

    return "\n".join(textwrap.wrap(title, width=max(12, int(width_in * 13)))) or title


def logo_panel_figure(
    matrices: Sequence[pd.DataFrame],
    titles: Sequence[str],
    y_label: str = "bits",
    y_max: float | None = 2.0,
    ncols: int = 4,
    width_per_col: float = 3.2,
    height_per_row: float = 1.6,
) -> MplFigure:
    """A grid of logos (e.g. 16 filters, or filter | JASPAR match pairs with ``ncols=2``).

    Args:
        matrices: positions x letters tables, heights already computed.
        y_max: common top of the y axes (2 bits for DNA); None: each automatic.
    """
    import logomaker

    n = len(matrices)
    if n == 0:
        raise ValueError("no logos to draw")
    ncols = max(1, min(ncols, n))
    nrows = -(-n // ncols)
    fig = MplFigure(figsize=(width_per_col * ncols, height_per_row * nrows), layout="constrained")
    axes = fig.subplots(nrows, ncols, squeeze=False)
    for i, ax in enumerate(axes.flat):
        if i >= n:
            ax.set_axis_off()
            continue
        logo = logomaker.Logo(matrices[i], ax=ax, color_scheme="classic", show_spines=False)
        logo.style_spines(spines=("left", "bottom"), visible=True)
        if y_max is not None:
            ax.set_ylim(0, y_max)
        ax.set_title(fit_title(titles[i], width_per_col), fontsize=9)
        ax.tick_params(labelsize=7)
        if i % ncols == 0:
            ax.set_ylabel(y_label, fontsize=8)
    return fig


def masked_logo_panel_figure(
    matrices: Sequence[pd.DataFrame],
    masks: Sequence[np.ndarray],
    titles: Sequence[str],
    y_max: float | None = 2.0,
    ncols: int = 4,
    width_per_col: float = 3.2,
    height_per_row: float = 2.0,
) -> MplFigure:
    """Logos, each with a small bar strip under it: a position mask in 0..1 (motif-net's
    σ(W)), one bar per logo column.

    Args:
        matrices: positions x letters tables (heights in bits).
        masks: one ``(width,)`` array per logo, same positions as its matrix.
    """
    import logomaker

    n = len(matrices)
    if n == 0 or len(masks) != n:
        raise ValueError("need one mask per logo, and at least one logo")
    ncols = max(1, min(ncols, n))
    nrows = -(-n // ncols)
    fig = MplFigure(figsize=(width_per_col * ncols, height_per_row * nrows), layout="constrained")
    grid = fig.add_gridspec(nrows, ncols)
    for i, (matrix, mask) in enumerate(zip(matrices, masks, strict=True)):
        cell = grid[i // ncols, i % ncols].subgridspec(2, 1, height_ratios=(3, 1), hspace=0.05)
        ax = fig.add_subplot(cell[0])
        logo = logomaker.Logo(matrix, ax=ax, color_scheme="classic", show_spines=False)
        logo.style_spines(spines=("left", "bottom"), visible=True)
        if y_max is not None:
            ax.set_ylim(0, y_max)
        ax.set_title(fit_title(titles[i], width_per_col), fontsize=9)
        ax.tick_params(labelsize=7, labelbottom=False)
        bars = fig.add_subplot(cell[1], sharex=ax)
        bars.bar(matrix.index, np.asarray(mask, dtype=float), width=0.8, color="#7f7f7f")
        bars.set_ylim(0, 1)
        bars.set_yticks([0, 1])
        bars.tick_params(labelsize=6)
        if i % ncols == 0:
            ax.set_ylabel("bits", fontsize=8)
            bars.set_ylabel("mask", fontsize=7)
    return fig
