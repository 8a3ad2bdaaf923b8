"""Static figure export (PNG, SVG) through kaleido and a locally installed Chromium.

plotly 7 renders static images with kaleido 1.x, which drives a Chrome/Chromium it finds
on this machine. genoviz never downloads a browser: when kaleido or a browser is missing,
:func:`static_export_problem` says so in one line, and the pages offer interactive HTML
(which the plotly toolbar in the browser can still save as PNG).
"""

from __future__ import annotations

import atexit
import importlib.util
import os
import shutil
import threading
import warnings
from functools import lru_cache
from typing import Literal

import plotly.graph_objects as go

#: Browser names kaleido (through choreographer) also looks for on ``PATH``.
BROWSERS = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable", "chrome")


class ExportError(RuntimeError):
    """A static image could not be made; the message says why and what to use instead."""


def find_browser() -> str | None:
    """``$BROWSER_PATH`` or the first Chrome/Chromium on ``PATH``."""
    env = os.environ.get("BROWSER_PATH")
    if env and os.access(env, os.X_OK):
        return env
    return next((p for p in map(shutil.which, BROWSERS) if p), None)


def kaleido_installed() -> bool:
    return importlib.util.find_spec("kaleido") is not None


@lru_cache(maxsize=1)
def static_export_problem() -> str | None:
    """Why PNG/SVG export cannot work here, or None when it can."""
    if not kaleido_installed():
        return (
            "PNG/SVG export needs the kaleido package (pip install kaleido), which is not "
            "installed; download the interactive HTML instead (its toolbar saves a PNG)."
        )
    if find_browser() is None:
        return (
            "PNG/SVG export needs Chrome or Chromium on this machine and genoviz never "
            "downloads one; download the interactive HTML instead (its toolbar saves a PNG)."
        )
    return None


def figure_image(fig: go.Figure, fmt: Literal["png", "svg"], scale: float = 2.0) -> bytes:
    """The figure as PNG or SVG bytes.

    Raises:
        ExportError: export is unavailable here, or the renderer failed.
    """
    problem = static_export_problem()
    if problem is not None:
        raise ExportError(problem)
    opts = {"format": fmt, "scale": scale if fmt == "png" else 1.0}
    try:
        _keep_browser()
        with warnings.catch_warnings():  # plotly's browser options go to the kept one
            warnings.filterwarnings("ignore", "The kopts argument is ignored")
            return fig.to_image(**opts)
    except Exception:  # the kept browser may have died: once more with a fresh one
        _stop_browser()
    try:
        return fig.to_image(**opts)
    except Exception as e:  # kaleido/browser failures come in many types
        raise ExportError(f"static {fmt.upper()} export failed ({e}); use the HTML") from e


_browser_lock = threading.Lock()
_browser_kept = False


def _keep_browser() -> None:
    """Keep one headless browser running for every export of this process: launching one
    per image took 3.5-4 s, a kept one answers in about 0.3 s (kaleido's sync server)."""
    global _browser_kept
    with _browser_lock:
        if _browser_kept:
            return
        import kaleido

        kaleido.start_sync_server(silence_warnings=True)
        _browser_kept = True
    atexit.register(_stop_browser)


def _stop_browser() -> None:
    global _browser_kept
    with _browser_lock:
        if not _browser_kept:
            return
        import kaleido

        _browser_kept = False
        kaleido.stop_sync_server(silence_warnings=True)
