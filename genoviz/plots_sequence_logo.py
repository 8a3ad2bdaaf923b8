"""One sequence logo of a positions x letters matrix, drawn by logomaker (for a grid of
logos, see :mod:`genoviz.plots_logos`).

The logo is built on a ``matplotlib.figure.Figure()``, never through pyplot's global state,
so it is safe in a multi-threaded server; its title is wrapped to fit the figure and its
ticks kept apart on long logos. The heights (probabilities, bits, contributions) are
computed by the caller.
"""

from __future__ import annotations

import math
from typing import Any

import pandas as pd
from matplotlib.figure import Figure as MplFigure


def tick_spacing(n: int, most: int = 30) -> int:
    """Positions between labelled ticks along a logo of ``n`` positions: the finest of 1, 5,
    10, 20, 25, 50, 100, ... that labels at most ``most`` ticks (a 400 bp logo is 12 inches
    wide, and 40 three-digit labels ran into each other)."""
    for step in (1, 5, 10, 20, 25, 50):
        if n / step <= most:
            return step
    return 100 * max(1, math.ceil(n / (most * 100)))


def logo_figure(
    matrix: pd.DataFrame,
    title: str,
    y_label: str = "probability",
    y_max: float | None = None,
    height: float = 2.4,
    inches_per_position: float = 0.25,
) -> MplFigure:
    """A sequence logo of a positions x letters matrix, drawn by logomaker.

    Args:
        matrix: rows = positions (integer index, e.g. 1-based), columns = letters (A, C,
            G, T); values are heights already computed by the caller (probabilities or bits).
        y_label: what the heights are, e.g. ``"probability"`` or ``"information (bits)"``.
        y_max: top of the y axis (e.g. 1 for probability, 2 for DNA bits); None: automatic.
        height, inches_per_position: size in inches; the width grows with the positions
            (between 4 and 12 inches, so long windows stay on one screen).

    Returns:
        a ``matplotlib.figure.Figure`` with one Axes, not registered with pyplot: the
        caller saves it (``fig.savefig``) and drops it; nothing global needs closing.
    """
    import logomaker  # imported here: it pulls in matplotlib.pyplot, which only logos need

    n = len(matrix)
    width = min(max(4.0, 1.0 + inches_per_position * n), 12.0)
    fig = MplFigure(figsize=(width, height), layout="constrained")
    ax = fig.add_subplot()
    logo = logomaker.Logo(matrix, ax=ax, color_scheme="classic", show_spines=False)
    logo.style_spines(spines=("left", "bottom"), visible=True)
    logo.style_xticks(spacing=tick_spacing(n))
    if y_max is not None:
        ax.set_ylim(0, y_max)
    ax.set_xlabel("position")
    ax.set_ylabel(y_label)
    fit_title(ax, title)
    return fig


def fit_title(ax: Any, title: str, share: float = 0.95) -> None:
    """Set ``title`` on a matplotlib Axes, wrapped at spaces into lines that fit inside
    the figure (a word longer than a line is split), so a long motif name is never cut
    off at the figure's edge. The title is centred on the Axes, so a line may take
    ``share`` of twice the distance from the Axes' centre to the nearer figure edge;
    widths are measured with the Agg renderer after laying the figure out."""
    from matplotlib.backends.backend_agg import RendererAgg

    fig = ax.get_figure()
    text = ax.set_title(title)
    width_px, height_px = fig.get_figwidth() * fig.dpi, fig.get_figheight() * fig.dpi
    renderer = RendererAgg(width_px, height_px, fig.dpi)
    if text.get_window_extent(renderer).width <= share * (width_px - 2 * fig.dpi):
        return  # fits even if the Axes' left margin took an inch: no layout needed
    fig.draw_without_rendering()  # places the Axes (constrained layout)
    box = ax.get_position()
    centre = (box.x0 + box.x1) / 2
    limit = share * 2 * min(centre, 1 - centre) * width_px

    def fits(line: str) -> bool:
        text.set_text(line)
        return text.get_window_extent(renderer).width <= limit

    lines: list[str] = []
    for word in title.split():
        candidate = f"{lines[-1]} {word}" if lines else word
        if lines and fits(candidate):
            lines[-1] = candidate
            continue
        while len(word) > 1 and not fits(word):  # one word wider than a line: split it
            cut = max(k for k in range(1, len(word)) if fits(word[:k]) or k == 1)
            lines.append(word[:cut])
            word = word[cut:]
        lines.append(word)
    text.set_text("\n".join(lines) if lines else title)
