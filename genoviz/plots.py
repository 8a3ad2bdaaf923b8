"""Pure figure builders: they take numbers and return a plotly ``Figure`` (or, for sequence
logos, a matplotlib ``Figure`` drawn by logomaker).

No science happens here (metrics, GC content, ROC points and information content are
computed by the caller) and nothing here knows about streamlit. :func:`figure_frame` turns
any plotly figure built here back into a table, so every figure can be downloaded as the
numbers behind it. Logos are built on a ``matplotlib.figure.Figure()``, never through
pyplot's global state, so they are safe in a multi-threaded server.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd
import plotly.graph_objects as go
from matplotlib.figure import Figure as MplFigure

#: Colour per series, so train/valid look the same in every figure.
COLORS = {
    "train": "#1f77b4",
    "valid": "#ff7f0e",
    "test": "#2ca02c",
    "neutral": "#7f7f7f",
}
#: Colours for the series of grouped figures (classes, motifs), in order.
SERIES_COLORS = (
    "#1f77b4",
    "#d62728",
    "#2ca02c",
    "#9467bd",
    "#ff7f0e",
    "#8c564b",
    "#e377c2",
    "#17becf",
    "#bcbd22",
    "#7f7f7f",
)
LAYOUT: dict[str, Any] = {
    "template": "plotly_white",
    "margin": {"l": 60, "r": 20, "t": 50, "b": 90},
    "legend": {"orientation": "h", "yanchor": "top", "y": -0.22, "xanchor": "left", "x": 0.0},
    "height": 380,
}


def plain_numbers(fig: go.Figure) -> go.Figure:
    """Axis and colour-bar numbers as powers of ten (5×10⁻⁴), not plotly's default SI
    prefixes: "−500μ" on a Δlogit axis reads as micro-units to a biologist."""
    fig.update_xaxes(exponentformat="power")
    fig.update_yaxes(exponentformat="power")
    fig.update_traces(colorbar_exponentformat="power", selector={"type": "heatmap"})
    return fig


def styled(fig: go.Figure, title: str, x_title: str, y_title: str) -> go.Figure:
    fig.update_layout(title={"text": title}, **LAYOUT)
    fig.update_xaxes(title_text=x_title)
    fig.update_yaxes(title_text=y_title)
    return plain_numbers(fig)


def history_figure(
    history: Sequence[Mapping[str, Any]],
    series: Mapping[str, str],
    title: str,
    y_title: str,
    x_key: str = "epoch",
    from_zero: bool = False,
) -> go.Figure:
    """One line per history key, against the epoch.

    Args:
        history: one record per epoch, e.g. ``{"epoch": 1, "train_loss": 0.6, ...}``.
        series: history key -> legend name, e.g. ``{"train_loss": "train"}``. Keys absent
            from every record are skipped; missing or None values become gaps.
        from_zero: the y axis runs from 0 to just above the largest value (for fractions
            such as accuracy, so all-zero values do not give an axis from -1 to 1).
    """
    fig = go.Figure()
    x = [r.get(x_key) for r in history]
    top = 0.0
    for key, name in series.items():
        if not any(key in r for r in history):
            continue
        y = [_finite_or_none(r.get(key)) for r in history]
        top = max([top, *(v for v in y if v is not None)])
        split = key.split("_", 1)[0]
        dash = "dot" if "pr_auc" in key or "spearman" in key else "solid"
        fig.add_trace(
            go.Scatter(
                x=x,
                y=y,
                mode="lines+markers",
                name=name,
                line={"color": COLORS.get(split, COLORS["neutral"]), "dash": dash},
            )
        )
    fig = styled(fig, title, "epoch", y_title)
    if from_zero:
        fig.update_yaxes(range=[0, 1.1 * top if top > 0 else 0.01])
    if 0 < len(history) <= 20:
        fig.update_xaxes(dtick=1)
    return fig


def mlm_figures(history: Sequence[Mapping[str, Any]]) -> list[go.Figure]:
    """Pretraining curves: masked-token loss, and masked-token accuracy against the
    commonest-token baseline (axis from 0)."""
    loss = history_figure(
        history, {"train_loss": "train", "valid_loss": "valid"}, "Masked-token loss", "loss"
    )
    series = {
        "train_masked_acc": "train",
        "valid_masked_acc": "valid",
        "baseline_masked_acc": "baseline: commonest token",
    }
    acc = history_figure(history, series, "Masked-token accuracy", "accuracy", from_zero=True)
    return [loss, acc]


def _finite_or_none(v: Any) -> float | None:
    if v is None:
        return None
    v = float(v)
    return v if np.isfinite(v) else None


def roc_figure(
    fpr: np.ndarray, tpr: np.ndarray, auc: float | None = None, title: str = "ROC curve"
) -> go.Figure:
    """ROC curve with the chance diagonal.

    Args:
        fpr, tpr: false- and true-positive rates, shape ``(k,)``, from the caller.
        auc: shown in the legend when given.
    """
    name = "model" if auc is None else f"model (AUC {auc:.3f})"
    curve = go.Scatter(
        x=np.asarray(fpr),
        y=np.asarray(tpr),
        mode="lines",
        name=name,
        line={"color": COLORS["test"], "width": 2},
    )
    return _roc_layout(go.Figure([curve]), title)


def _roc_layout(fig: go.Figure, title: str) -> go.Figure:
    """Add the chance diagonal and the unit axes every ROC plot shares."""
    return _unit_square(fig, "chance", title, "false positive rate", "true positive rate")


def _unit_square(
    fig: go.Figure, diagonal: str, title: str, x_title: str, y_title: str
) -> go.Figure:
    """A dashed ``y = x`` named ``diagonal``, and both axes from 0 to 1."""
    fig.add_trace(
        go.Scatter(
            x=[0, 1],
            y=[0, 1],
            mode="lines",
            name=diagonal,
            line={"color": COLORS["neutral"], "dash": "dash"},
        )
    )
    fig = styled(fig, title, x_title, y_title)
    fig.update_xaxes(range=[0, 1])
    fig.update_yaxes(range=[0, 1.02])
    return fig


def calibration_figure(
    predicted: np.ndarray,
    observed: np.ndarray,
    counts: np.ndarray,
    title: str = "Calibration",
) -> go.Figure:
    """Reliability diagram: the share of positives against the mean predicted probability
    per bin (from :func:`genoviz.metrics.calibration`), with the diagonal of a model whose
    probabilities can be taken at their word; marker area follows the bin's count."""
    counts = np.asarray(counts, dtype=float)
    size = 6 + 18 * np.sqrt(counts / counts.max()) if counts.size else counts
    fig = go.Figure(
        go.Scatter(
            x=np.asarray(predicted),
            y=np.asarray(observed),
            mode="lines+markers",
            name="model (marker area: sequences in the bin)",
            marker={"color": COLORS["test"], "size": size},
            line={"color": COLORS["test"]},
            customdata=counts,
            hovertemplate="predicted %{x:.3f}<br>observed %{y:.3f}<br>%{customdata:,.0f} "
            "sequences<extra></extra>",
        )
    )
    return _unit_square(
        fig, "perfectly calibrated", title, "mean predicted probability", "share of positives"
    )


def scatter_figure(
    y_true: np.ndarray,
    y_pred: np.ndarray,
    title: str = "Predicted vs measured",
    x_title: str = "measured",
    y_title: str = "predicted",
) -> go.Figure:
    """Predicted against true values with the identity line ``y = x``."""
    y_true = np.asarray(y_true, dtype=float).reshape(-1)
    y_pred = np.asarray(y_pred, dtype=float).reshape(-1)
    fig = go.Figure(
        go.Scatter(
            x=y_true,
            y=y_pred,
            mode="markers",
            name="sequences",
            marker={"color": COLORS["test"], "size": 5, "opacity": 0.5},
        )
    )
    both = np.concatenate([y_true, y_pred])
    both = both[np.isfinite(both)]
    if both.size:
        lo, hi = float(both.min()), float(both.max())
        fig.add_trace(
            go.Scatter(
                x=[lo, hi],
                y=[lo, hi],
                mode="lines",
                name="y = x",
                line={"color": COLORS["neutral"], "dash": "dash"},
            )
        )
    return styled(fig, title, x_title, y_title)


def histogram_figure(
    values: Sequence[float] | np.ndarray,
    title: str,
    x_title: str,
    nbins: int | None = None,
    name: str = "sequences",
) -> go.Figure:
    """Histogram of raw values (plotly does the binning in the browser)."""
    fig = go.Figure(
        go.Histogram(
            x=np.asarray(values, dtype=float),
            nbinsx=nbins,
            name=name,
            marker={"color": COLORS["train"]},
        )
    )
    fig = styled(fig, title, x_title, "count")
    fig.update_layout(bargap=0.05, showlegend=False)
    return fig


def bar_figure(
    categories: Sequence[str],
    counts: Sequence[float],
    title: str,
    x_title: str,
    y_title: str = "count",
) -> go.Figure:
    """Bars of precomputed counts, labelled with their value."""
    fig = go.Figure(
        go.Bar(
            x=list(categories),
            y=list(counts),
            text=[f"{c:,.0f}" for c in counts],
            textposition="auto",
            marker={"color": COLORS["train"]},
            name=y_title,
        )
    )
    fig = styled(fig, title, x_title, y_title)
    fig.update_layout(showlegend=False)
    return fig


def value_label(value: float) -> str:
    """A bar's value as text: whole numbers as integers with thousands separators
    (``15,680``, never ``1.568e+04``), others to 4 significant digits (``0.8531``)."""
    v = float(value)
    if not np.isfinite(v):
        return ""
    if v.is_integer() or abs(v) >= 1000:
        return f"{round(v):,}"
    return f"{v:.4g}"


def grouped_bar_figure(
    categories: Sequence[str],
    series: Mapping[str, Sequence[float]],
    title: str,
    x_title: str,
    y_title: str = "count",
    show_values: bool = False,
) -> go.Figure:
    """Bars side by side: one trace per series over the same categories.

    Args:
        categories: x labels, e.g. k-mers or split names.
        series: legend name -> one value per category, e.g. ``{"positive": [...]}``.
        show_values: write each bar's value on it (for a few bars, not hundreds).
    """
    fig = go.Figure()
    for i, (name, values) in enumerate(series.items()):
        values = list(values)
        fig.add_trace(
            go.Bar(
                x=list(categories),
                y=values,
                name=name,
                marker={"color": COLORS.get(name, SERIES_COLORS[i % len(SERIES_COLORS)])},
                text=[value_label(v) for v in values] if show_values else None,
                textposition="outside" if show_values else None,
                cliponaxis=False,
            )
        )
    fig = styled(fig, title, x_title, y_title)
    fig.update_layout(barmode="group", bargap=0.15, showlegend=len(series) > 1)
    return fig


def stacked_histogram_figure(
    groups: Mapping[str, Sequence[float] | np.ndarray],
    title: str,
    x_title: str,
    nbins: int | None = None,
) -> go.Figure:
    """Histograms of raw values, one stacked trace per group, sharing their bins
    (e.g. planted motif start positions, per motif)."""
    fig = go.Figure()
    for i, (name, values) in enumerate(groups.items()):
        fig.add_trace(
            go.Histogram(
                x=np.asarray(values, dtype=float),
                name=name,
                nbinsx=nbins,
                bingroup=1,
                marker={"color": SERIES_COLORS[i % len(SERIES_COLORS)]},
            )
        )
    fig = styled(fig, title, x_title, "count")
    fig.update_layout(barmode="stack", bargap=0.05, showlegend=len(groups) > 1)
    return fig


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


def figure_frame(fig: go.Figure) -> pd.DataFrame:
    """The numbers behind a figure, one row per point: ``trace, x, y``.

    Histograms have no ``y`` (the raw values are in ``x``); that column is then empty.
    """
    frames = []
    for i, trace in enumerate(fig.data):
        x = trace.x if getattr(trace, "x", None) is not None else []
        y = trace.y if getattr(trace, "y", None) is not None else [None] * len(x)
        n = max(len(x), len(y))
        frames.append(
            pd.DataFrame(
                {
                    "trace": [trace.name or f"trace {i + 1}"] * n,
                    "x": list(x) + [None] * (n - len(x)),
                    "y": list(y) + [None] * (n - len(y)),
                }
            )
        )
    if not frames:
        return pd.DataFrame(columns=["trace", "x", "y"])
    return pd.concat(frames, ignore_index=True)


def confusion_figure(
    counts: np.ndarray, class_names: Sequence[str], title: str = "Confusion matrix"
) -> go.Figure:
    """Heatmap of counts ``(classes, classes)``: rows true, columns predicted, each cell
    labelled with its count and its share of the true class."""
    counts = np.asarray(counts)
    names = list(class_names)
    row_share = counts / np.maximum(counts.sum(axis=1, keepdims=True), 1)
    text = [
        [f"{c:,}<br>{s:.0%}" for c, s in zip(r, rs, strict=True)]
        for r, rs in zip(counts, row_share, strict=True)
    ]
    fig = go.Figure(
        go.Heatmap(
            z=row_share,
            x=names,
            y=names,
            text=text,
            texttemplate="%{text}",
            colorscale="Blues",
            zmin=0,
            zmax=1,
            colorbar={"title": "share of row"},
            customdata=counts,
            hovertemplate="true %{y}<br>predicted %{x}<br>%{customdata:,}<extra></extra>",
        )
    )
    fig = styled(fig, title, "predicted class", "true class")
    fig.update_yaxes(autorange="reversed")
    return fig


def roc_curves_figure(
    curves: Mapping[str, tuple[np.ndarray, np.ndarray, float | None]],
    title: str = "ROC curves",
) -> go.Figure:
    """One ROC curve per task or class: name -> (fpr, tpr, auc), with the chance line."""
    fig = go.Figure()
    for name, (fpr, tpr, auc) in curves.items():
        label = name if auc is None or not np.isfinite(auc) else f"{name} (AUC {auc:.3f})"
        fig.add_trace(go.Scatter(x=np.asarray(fpr), y=np.asarray(tpr), mode="lines", name=label))
    return _roc_layout(fig, title)
