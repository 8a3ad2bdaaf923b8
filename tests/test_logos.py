"""Logo panels: information-content heights, and a panel drawn once then served from the
cache (timings are in benchmarks/interpret.py, not here)."""

from __future__ import annotations

import numpy as np
import pytest

import genoviz.plots_logos as plots_logos
from genoviz.interpret import logos
from genoviz.interpret.logos import PANEL_CACHE, contribution_matrix, ic_matrix, logo_panel


def test_ic_matrix_heights():
    pfm = np.array([[1.0, 0.25], [0.0, 0.25], [0.0, 0.25], [0.0, 0.25]])
    m = ic_matrix(pfm)
    assert list(m.columns) == list("ACGT") and list(m.index) == [1, 2]
    assert m.loc[1, "A"] == pytest.approx(2.0, abs=1e-6)  # a certain base: 2 bits
    assert m.loc[2].sum() == pytest.approx(0.0, abs=1e-6)  # uniform: no information
    c = contribution_matrix(np.arange(8.0).reshape(4, 2), start=5)
    assert list(c.index) == [5, 6] and c.loc[6, "T"] == 7.0


def test_panel_is_drawn_once_then_cached(monkeypatch):
    PANEL_CACHE.clear()
    calls = []
    real = plots_logos.logo_panel_figure

    def counting(*a, **k):
        calls.append(1)
        return real(*a, **k)

    monkeypatch.setattr(plots_logos, "logo_panel_figure", counting)
    rng = np.random.default_rng(0)
    mats = [ic_matrix(rng.dirichlet(np.ones(4), size=6).T) for _ in range(3)]
    titles = ["f1", "f2", "f3"]
    first = logo_panel(mats, titles, ncols=3)
    assert first[:8] == b"\x89PNG\r\n\x1a\n"
    again = logo_panel([m.copy() for m in mats], list(titles), ncols=3)  # equal content
    assert again is first and len(calls) == 1
    assert PANEL_CACHE.hits == 1 and PANEL_CACHE.misses == 1
    logo_panel(mats, ["other", "f2", "f3"], ncols=3)  # other titles: drawn again
    assert len(calls) == 2
    svg = logo_panel(mats, titles, ncols=3, fmt="svg")
    assert svg.lstrip().startswith(b"<?xml") and len(calls) == 3


def test_cache_is_bounded(monkeypatch):
    monkeypatch.setattr(logos, "PANEL_CACHE", logos._PanelCache(2))
    for k in range(3):
        logos.PANEL_CACHE.put((k,), b"x")
    assert list(logos.PANEL_CACHE.items) == [(1,), (2,)]


def test_masked_panel_is_cached_by_its_masks_too(monkeypatch):
    PANEL_CACHE.clear()
    calls = []
    real = plots_logos.masked_logo_panel_figure

    def counting(*a, **k):
        calls.append(1)
        return real(*a, **k)

    monkeypatch.setattr(plots_logos, "masked_logo_panel_figure", counting)
    mats = [ic_matrix(np.eye(4)[:, [0, 1, 2, 3, 0]]) for _ in range(2)]
    masks = [np.linspace(0, 1, 5), np.ones(5)]
    first = logo_panel(mats, ["a", "b"], masks=masks)
    assert first[:8] == b"\x89PNG\r\n\x1a\n"
    assert logo_panel(mats, ["a", "b"], masks=[m.copy() for m in masks]) is first
    assert len(calls) == 1
    logo_panel(mats, ["a", "b"], masks=[np.zeros(5), np.ones(5)])  # another mask: redrawn
    assert len(calls) == 2
    assert logo_panel(mats, ["a", "b"]) is not first  # without masks: the plain panel
