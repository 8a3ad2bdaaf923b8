"""Figure builders for the interpretation views: saliency tracks, ISM heatmaps, variant
effects, and whether the explanations agree. Logo panels are :mod:`genoviz.plots_logos`,
attention :mod:`genoviz.plots_attention`, embeddings :mod:`genoviz.plots_embeddings`.

Like :mod:`genoviz.plots`: numbers in, figure out; no science and no streamlit. Plotly
figures go through :func:`genoviz.plots.figure_frame` (or the ``*_frame`` tables of the
analysis modules) for their CSV; logo panels are matplotlib figures built without pyplot.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from genoviz.plots import LAYOUT, plain_numbers, styled
from genoviz.sequences import ALPHABET

#: Base colours as in logomaker's "classic" scheme, so tracks and logos agree.
BASE_COLORS = {"A": "#008000", "C": "#0000ff", "G": "#ffa500", "T": "#ff0000", "N": "#7f7f7f"}


def _outcome(label: float | str | None, prediction: float | str | None) -> str:
    parts = []
    if isinstance(label, str):  # a class name
        parts.append(f"label {label}")
    elif label is not None and np.isfinite(label):
        parts.append(f"label {label:.4g}")  # a measured value: 0.7577, not 0.757675
    if isinstance(prediction, str):
        parts.append(prediction)
    elif prediction is not None and np.isfinite(prediction):
        parts.append(f"prediction {prediction:.3g}")
    return " · ".join(parts)


def saliency_track_figure(
    per_base: np.ndarray,
    sequence: str,
    title: str = "Contribution per base",
    label: float | str | None = None,
    prediction: float | str | None = None,
    y_title: str = "contribution of the base",
) -> go.Figure:
    """Bars of each base's contribution along one sequence, coloured by base.

    Args:
        per_base: ``(L,)`` contribution of the observed base at each position.
        label, prediction: shown in the title when given; text (a class name, or a
            prediction such as ``P(label 1) 0.476``) as it is, a number as ``label 1`` /
            ``prediction 0.476``.
    """
    per_base = np.asarray(per_base, dtype=float)
    pos = np.arange(1, len(per_base) + 1)
    fig = go.Figure()
    for base in "ACGTN":
        mask = np.array([c == base for c in sequence])
        if not mask.any():
            continue
        fig.add_trace(
            go.Bar(
                x=pos[mask],
                y=per_base[mask],
                # one position wide: plotly sizes each trace's bars from its own smallest
                # gap, so a base seen every 7th position drew bars 7 wide over its neighbours
                width=1.0,
                name=base,
                marker={"color": BASE_COLORS[base]},
                hovertemplate=f"{base} at %{{x}}<br>%{{y:.4g}}<extra></extra>",
            )
        )
    extra = _outcome(label, prediction)
    fig = styled(fig, f"{title} ({extra})" if extra else title, "position", y_title)
    fig.update_layout(bargap=0.0, barmode="overlay")
    return fig


def saliency_heatmap_figure(
    per_base: np.ndarray, ids: Sequence[str], title: str = "Contribution per base"
) -> go.Figure:
    """Many sequences at once: rows = sequences, columns = positions, colour = contribution."""
    z = np.asarray(per_base, dtype=float)
    lim = float(np.nanmax(np.abs(z))) if z.size else 1.0
    fig = go.Figure(
        go.Heatmap(
            z=z,
            x=np.arange(1, z.shape[1] + 1),
            y=list(ids),
            colorscale="RdBu",
            reversescale=True,
            zmid=0,
            zmin=-lim,
            zmax=lim,
            colorbar={"title": "contribution"},
        )
    )
    fig = styled(fig, title, "position", "sequence")
    fig.update_layout(height=max(300, 40 + 18 * len(ids)))
    fig.update_yaxes(autorange="reversed")
    return fig


def ism_figure(
    effects: np.ndarray, max_effect: np.ndarray, sequence: str, title: str = "In-silico mutagenesis"
) -> go.Figure:
    """A 4 x L heatmap of substitution effects above the per-position maximum effect.

    Args:
        effects: ``(4, L)``, rows A, C, G, T (0 at the reference base, NaN at an N: left
            blank).
        max_effect: ``(L,)`` signed effect of largest magnitude per position.
    """
    effects = np.asarray(effects, dtype=float)
    pos = np.arange(1, effects.shape[1] + 1)
    lim = float(np.nanmax(np.abs(effects))) if np.isfinite(effects).any() else 1.0
    lim = lim or 1.0
    fig = make_subplots(
        rows=2, cols=1, shared_xaxes=True, row_heights=[0.55, 0.45], vertical_spacing=0.06
    )
    ref = [f"{i} ({b})" for i, b in zip(pos, sequence, strict=False)]
    fig.add_trace(
        go.Heatmap(
            z=effects,
            x=pos,
            y=list(ALPHABET),
            name="effect",
            colorscale="RdBu",
            reversescale=True,
            zmid=0,
            zmin=-lim,
            zmax=lim,
            customdata=np.tile(np.array(ref, dtype=object), (4, 1)),
            hovertemplate="position %{customdata} -> %{y}<br>effect %{z:.4g}<extra></extra>",
            colorbar={"title": "Δ output", "len": 0.55, "y": 0.78},
        ),
        row=1,
        col=1,
    )
    fig.add_trace(
        go.Bar(
            x=pos,
            y=np.asarray(max_effect, dtype=float),
            name="largest effect",
            marker={"color": [BASE_COLORS.get(b, "#7f7f7f") for b in sequence]},
            customdata=list(sequence),
            hovertemplate="%{customdata} at %{x}<br>largest effect %{y:.4g}<extra></extra>",
        ),
        row=2,
        col=1,
    )
    fig.update_layout(title={"text": title}, **{**LAYOUT, "height": 480}, showlegend=False)
    fig.update_yaxes(title_text="substituted base", row=1, col=1)
    fig.update_yaxes(title_text="largest Δ output", row=2, col=1)
    fig.update_xaxes(title_text="position", row=2, col=1)
    return plain_numbers(fig)


def variant_figure(table: pd.DataFrame, title: str = "Variant effects") -> go.Figure:
    """Bars of Δlogit per variant (``table`` from ``variant_effects``; a multi-class
    table's Δlog-probability), Δprobability on hover; for a regression table, bars of the
    change in the predicted value."""
    names = [(str(r.id), f"{r.ref}{r.pos}{r.alt}") for r in table.itertuples()]
    labels = [i if i == change else f"{i} {change}" for i, change in names]
    if "delta_value" in table:
        d = table["delta_value"].to_numpy(dtype=float)
        bar = {"name": "Δvalue", "hovertemplate": "%{x}<br>Δvalue %{y:.4g}<extra></extra>"}
        y_title = "Δ predicted value (alternative - reference)"
    else:
        score = "log_prob" if "delta_log_prob" in table else "logit"
        word = {"log_prob": "Δlog-probability", "logit": "Δlogit"}[score]
        d = table[f"delta_{score}"].to_numpy(dtype=float)
        bar = {
            "name": word,
            "customdata": table["delta_prob"].to_numpy(dtype=float),
            "hovertemplate": f"%{{x}}<br>{word} %{{y:.4g}}<br>Δprobability %{{customdata:.4g}}"
            "<extra></extra>",
        }
        y_title = f"{word} (alternative - reference)"
    fig = go.Figure(
        go.Bar(x=labels, y=d, marker={"color": np.where(d >= 0, "#d62728", "#1f77b4")}, **bar)
    )
    fig = styled(fig, title, "variant", y_title)
    fig.update_layout(showlegend=False)
    return fig


def agreement_figure(
    tracks: dict[str, np.ndarray], sequence: str, title: str = "Do the explanations agree?"
) -> go.Figure:
    """Per-base tracks (already scaled to 0-1) overlaid along one sequence."""
    fig = go.Figure()
    pos = np.arange(1, len(sequence) + 1)
    for i, (name, t) in enumerate(tracks.items()):
        fig.add_trace(
            go.Scatter(
                x=pos,
                y=np.asarray(t, dtype=float),
                mode="lines",
                name=name,
                customdata=list(sequence),
                hovertemplate="%{customdata} at %{x}<br>%{y:.3f}<extra>" + name + "</extra>",
                line={"color": _TRACK_COLORS[i % len(_TRACK_COLORS)]},
            )
        )
    fig = styled(fig, title, "position", "importance (scaled to its maximum)")
    fig.update_yaxes(range=[0, 1.05])
    return fig


_TRACK_COLORS = ("#1f77b4", "#d62728", "#2ca02c", "#9467bd")
