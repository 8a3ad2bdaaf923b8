"""Static export: a clear reason when it cannot work, real images when it can."""

from __future__ import annotations

import plotly.graph_objects as go
import pytest

from genoviz import export


@pytest.fixture(autouse=True)
def fresh_cache():
    export.static_export_problem.cache_clear()
    yield
    export.static_export_problem.cache_clear()


def test_no_browser_means_a_message_and_an_export_error(monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setenv("BROWSER_PATH", "")
    monkeypatch.setattr(export.shutil, "which", lambda name: None)
    monkeypatch.setattr(export, "kaleido_installed", lambda: True)
    problem = export.static_export_problem()
    assert problem and "Chromium" in problem and "HTML" in problem
    with pytest.raises(export.ExportError, match="never downloads"):
        export.figure_image(go.Figure(), "png")


def test_missing_kaleido_is_named(monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setattr(export, "kaleido_installed", lambda: False)
    assert "kaleido" in export.static_export_problem()


@pytest.mark.skipif(
    not export.kaleido_installed() or export.find_browser() is None,
    reason="kaleido or a local Chromium is not installed",
)
def test_png_and_svg_when_kaleido_and_chromium_are_here():
    fig = go.Figure(go.Scatter(x=[1, 2, 3], y=[3, 1, 2], name="line"))
    assert export.figure_image(fig, "png")[:8] == b"\x89PNG\r\n\x1a\n"
    assert b"<svg" in export.figure_image(fig, "svg")[:400]


def test_exports_keep_one_browser_and_a_dead_one_is_replaced(monkeypatch: pytest.MonkeyPatch):
    if export.static_export_problem():
        pytest.skip(export.static_export_problem())
    fig = go.Figure(go.Scatter(x=[1, 2, 3], y=[3, 1, 2]))
    assert export.figure_image(fig, "png")[:4] == b"\x89PNG"
    assert export._browser_kept  # later exports skip the browser launch
    real, calls = go.Figure.to_image, []

    def dies_once(self, **kwargs):
        calls.append(kwargs)
        if len(calls) == 1:
            raise RuntimeError("the kept browser is gone")
        return real(self, **kwargs)

    monkeypatch.setattr(go.Figure, "to_image", dies_once)
    assert b"<svg" in export.figure_image(fig, "svg")[:400]
    assert len(calls) == 2 and not export._browser_kept  # retried without the dead one
