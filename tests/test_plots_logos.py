"""Logo panels: content, not pixels."""

from __future__ import annotations

import itertools

import numpy as np
import pytest

from genoviz.interpret.logos import ic_matrix
from genoviz.plots_logos import logo_panel_figure, masked_logo_panel_figure


def test_logo_panel_grid():
    mats = [ic_matrix(np.eye(4)[:, [0, 1, 2, 3, 0]]) for _ in range(5)]
    fig = logo_panel_figure(mats, [f"f{i}" for i in range(5)], ncols=4)
    axes = fig.get_axes()
    assert len(axes) == 8 and [a.get_title() for a in axes[:5]] == [f"f{i}" for i in range(5)]
    assert not axes[6].axison
    with pytest.raises(ValueError):
        logo_panel_figure([], [])


def test_masked_logo_panel_draws_a_mask_strip_under_each_logo():
    mats = [ic_matrix(np.eye(4)[:, [0, 1, 2, 3, 0]]) for _ in range(3)]
    masks = [np.array([0.5, 1.0, 1.0, 0.2, 0.0]) * (k + 1) / 3 for k in range(3)]
    fig = masked_logo_panel_figure(mats, masks, ["m1", "m2", "m3"], ncols=2)
    axes = fig.get_axes()
    assert len(axes) == 6  # a logo and its strip per motif, no empty cells
    logos, strips = axes[0::2], axes[1::2]
    assert [a.get_title() for a in logos] == ["m1", "m2", "m3"]
    for strip, mask in zip(strips, masks, strict=True):
        heights = [p.get_height() for p in strip.patches]
        np.testing.assert_allclose(heights, mask)
        assert [p.get_x() + p.get_width() / 2 for p in strip.patches] == [1, 2, 3, 4, 5]
        assert strip.get_ylim() == (0, 1)
    with pytest.raises(ValueError, match="one mask per logo"):
        masked_logo_panel_figure(mats, masks[:2], ["m1", "m2", "m3"])


def test_long_logo_titles_do_not_run_into_their_neighbours():
    """Titles such as 'filter 3 · MA0491.3 JUND, MA0492.2 JUND · 120 sites' ran over the
    next panel's title; they are wrapped to their panel's width."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    from genoviz.plots_logos import logo_panel_figure, masked_logo_panel_figure

    mat = ic_matrix(np.full((4, 8), 0.25))
    long = "filter 12 · MA0491.3 JUND (E=1.2e-05), MA0492.2 JUND (E=3.4e-04) · 1,234 sites"
    for fig in (
        logo_panel_figure([mat] * 4, [long] * 4),
        masked_logo_panel_figure([mat] * 4, [np.ones(8)] * 4, [long] * 4),
    ):
        canvas = FigureCanvasAgg(fig)
        canvas.draw()
        renderer = canvas.get_renderer()
        boxes = sorted(
            (ax.title.get_window_extent(renderer) for ax in fig.axes if ax.get_title()),
            key=lambda b: b.x0,
        )
        assert len(boxes) == 4
        for left, right in itertools.pairwise(boxes):
            assert left.x1 <= right.x0, (left, right)
        assert all("\n" in ax.get_title() for ax in fig.axes if ax.get_title())
