"""Figures and logos on a page, each with its download buttons (HTML, PNG, SVG, CSV)."""

from __future__ import annotations

import io
import re
from collections.abc import Callable
from typing import Any, NamedTuple

import pandas as pd
import plotly.graph_objects as go
import streamlit as st

from genoviz.export import figure_image, static_export_problem
from genoviz.plots import figure_frame
from genoviz.plots_sequence_logo import logo_figure


def _slug(name: str) -> str:
    return re.sub(r"[^A-Za-z0-9_.-]+", "-", name).strip("-") or "figure"


def download_row(
    name: str, files: list[tuple[str, Any, str, str, str]], unavailable: str | None = None
) -> None:
    """A row of download buttons: (label, data, extension, mime, icon) each; ``data`` may be
    a callable, so the file is made only when clicked. Keys are ``dl_<ext>_<name>``.
    ``unavailable``: why PNG/SVG cannot be offered, shown on a disabled button."""
    slug = _slug(name)
    row = st.container(horizontal=True, gap="small")
    for label, data, ext, mime, icon in files:
        row.download_button(
            label,
            data=data,
            file_name=f"{slug}.{ext}",
            mime=mime,
            key=f"dl_{ext}_{slug}",
            on_click="ignore",
            icon=icon,
        )
    if unavailable:
        row.button(
            "PNG/SVG unavailable",
            key=f"dl_nostatic_{slug}",
            disabled=True,
            help=unavailable,
            icon=":material/image_not_supported:",
        )


#: A figure's numbers: a table, or a function that builds it when its download is clicked.
FigureData = pd.DataFrame | Callable[[], pd.DataFrame] | None


def figure_downloads(fig: go.Figure, name: str, df: FigureData = None) -> None:
    """Download buttons: the interactive figure as HTML, PNG and SVG where static export
    works here (kaleido and a local Chromium), and its numbers as CSV.

    The files are made only when clicked (deferred callables), so they cost nothing
    per rerun. ``df`` defaults to the figure's own points (:func:`figure_frame`); pass a
    function when the table itself is costly to build (an attention grid's has millions
    of rows). Where static export cannot work, a disabled PNG/SVG button says why in its
    tooltip.
    """
    html = lambda: fig.to_html(include_plotlyjs=True, full_html=True)  # noqa: E731

    def csv() -> str:
        table = df() if callable(df) else df
        return (table if table is not None else figure_frame(fig)).to_csv(index=False)

    files = [("Figure (HTML)", html, "html", "text/html", ":material/download:")]
    problem = static_export_problem()
    if problem is None:
        png = lambda: figure_image(fig, "png")  # noqa: E731
        svg = lambda: figure_image(fig, "svg")  # noqa: E731
        files += [
            ("PNG", png, "png", "image/png", ":material/image:"),
            ("SVG", svg, "svg", "image/svg+xml", ":material/image:"),
        ]
    files.append(("Data (CSV)", csv, "csv", "text/csv", ":material/table:"))
    download_row(name, files, unavailable=problem)


def show_figure(fig: go.Figure, name: str, df: FigureData = None) -> None:
    """A plotly chart (its toolbar also saves PNG) with HTML and CSV downloads under it."""
    slug = _slug(name)
    st.plotly_chart(
        fig,
        key=f"fig_{slug}",
        config={"toImageButtonOptions": {"filename": slug, "scale": 2}, "displaylogo": False},
    )
    figure_downloads(fig, name, df)


class LogoImages(NamedTuple):
    """A rendered logo: PNG for the page and the PNG download, SVG for the SVG download,
    and the width to show it at (pixels; the PNG has 1.5 times as many, for sharp screens)."""

    png: bytes
    svg: bytes
    width: int


@st.cache_data(max_entries=64, show_spinner="Drawing the logo…")
def logo_images(
    matrix: pd.DataFrame, title: str, y_label: str, y_max: float | None = None
) -> LogoImages:
    """Draw a logo once (logomaker takes a second or two) and keep its PNG and SVG bytes."""
    fig = logo_figure(matrix, title, y_label=y_label, y_max=y_max)
    try:
        out = {}
        for fmt in ("png", "svg"):
            buf = io.BytesIO()
            fig.savefig(buf, format=fmt, dpi=150)
            out[fmt] = buf.getvalue()
        width = round(fig.get_figwidth() * 100)
    finally:
        fig.clear()  # a figure outside pyplot: nothing global to close; free its artists
    return LogoImages(out["png"], out["svg"], width)


def show_logo(images: LogoImages, name: str, matrix: pd.DataFrame) -> None:
    """A logo image with PNG, SVG and CSV (the matrix behind it) downloads under it."""
    st.image(images.png, width=images.width)
    csv = lambda: matrix.rename_axis("position").to_csv()  # noqa: E731
    download_row(
        name,
        [
            ("Logo (PNG)", images.png, "png", "image/png", ":material/download:"),
            ("Logo (SVG)", images.svg, "svg", "image/svg+xml", ":material/download:"),
            ("Data (CSV)", csv, "csv", "text/csv", ":material/table:"),
        ],
    )
