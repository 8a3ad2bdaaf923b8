"""One sequence logo (genoviz/plots_sequence_logo.py): assert on the Axes, its title and
ticks, never on pixels."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from genoviz import plots_sequence_logo


@pytest.fixture
def freq_matrix():
    """Positions 5-9 of an aligned set: position 7 is always G, the rest uniform."""
    import pandas as pd

    rows = [[0.25] * 4] * 5
    rows[2] = [0.0, 0.0, 1.0, 0.0]
    return pd.DataFrame(rows, columns=list("ACGT"), index=range(5, 10))


def test_logo_figure_one_axes_covering_the_positions(freq_matrix):
    from matplotlib.figure import Figure

    fig = plots_sequence_logo.logo_figure(
        freq_matrix, "splice-sites: donor", y_label="probability", y_max=1.0
    )
    try:
        assert isinstance(fig, Figure)
        assert len(fig.axes) == 1
        ax = fig.axes[0]
        assert ax.get_title() == "splice-sites: donor"
        assert ax.get_xlabel() == "position"
        assert ax.get_ylabel() == "probability"
        lo, hi = ax.get_xlim()
        assert lo < 5 and hi > 9 and hi - lo < 6  # every position, nothing more
        assert ax.get_ylim() == pytest.approx((0.0, 1.0))
        assert [int(t) for t in ax.get_xticks()] == [5, 6, 7, 8, 9]
        # one glyph per letter of non-zero height: 4 x 4 uniform positions + the lone G
        assert len(ax.patches) == 17
    finally:
        fig.clear()


@pytest.mark.parametrize(
    "title",
    [
        "planted JUND (MA0492.2) (reverse complement)",
        "planted motif: TAL1::TCF3 (MA0091.2), a much longer name than usual (rev. comp.)",
        "MA" + "0" * 120,  # one word longer than the figure
    ],
)
def test_logo_title_is_wrapped_to_fit_the_figure(freq_matrix, title):
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    # 5 positions: the narrowest logo, 4 in
    fig = plots_sequence_logo.logo_figure(freq_matrix, title)
    try:
        FigureCanvasAgg(fig).draw()  # lays the figure out as savefig does
        shown = fig.axes[0].title
        box = shown.get_window_extent()
        assert box.x0 >= 0 and box.x1 <= fig.bbox.width  # nothing cut off at either edge
        assert "\n" in shown.get_text()
        assert shown.get_text().replace("\n", " " if " " in title else "") == title
    finally:
        fig.clear()


def test_short_logo_title_stays_on_one_line(freq_matrix):
    fig = plots_sequence_logo.logo_figure(freq_matrix, "JUND (MA0491.3)")
    try:
        assert fig.axes[0].get_title() == "JUND (MA0491.3)"
    finally:
        fig.clear()


def test_logo_figure_is_not_registered_with_pyplot(freq_matrix):
    import matplotlib.pyplot as plt

    before = plt.get_fignums()
    fig = plots_sequence_logo.logo_figure(freq_matrix, "t")
    try:
        assert plt.get_fignums() == before
        assert 4.0 <= fig.get_figwidth() <= 12.0
    finally:
        fig.clear()


def test_logo_ticks_stay_apart_on_long_logos():
    assert [plots_sequence_logo.tick_spacing(n) for n in (20, 101, 300, 400, 600, 2400, 9000)] == [
        1,
        5,
        10,
        20,
        20,
        100,
        300,
    ]
    matrix = pd.DataFrame(np.full((400, 4), 0.25), columns=list("ACGT"), index=range(1, 401))
    fig = plots_sequence_logo.logo_figure(matrix, "long", y_label="contribution")
    try:
        ticks = [t for t in fig.axes[0].get_xticks() if 1 <= t <= 400]
        assert len(ticks) <= 30
    finally:
        fig.clear()
