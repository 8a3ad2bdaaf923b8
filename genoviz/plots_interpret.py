"""Figure builders for the interpretation views: saliency tracks, ISM heatmaps, variant
effects, and logo panels (filters, JASPAR matches).

Like :mod:`genoviz.plots`: numbers in, figure out; no science and no streamlit. Plotly
figures go through :func:`genoviz.plots.figure_frame` (or the ``*_frame`` tables of the
analysis modules) for their CSV; logo panels are matplotlib figures built without pyplot.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd
import plotly.colors
import plotly.graph_objects as go
from matplotlib.figure import Figure as MplFigure
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


# --- attention and embeddings ------------------------------------------------------------


def _binned(z: np.ndarray, cells: int) -> np.ndarray:
    """Display only: block means so a square map has at most ``cells`` rows and columns."""
    t = z.shape[-1]
    if t <= cells:
        return z
    edges = np.linspace(0, t, cells + 1).astype(int)[:-1]
    return np.add.reduceat(np.add.reduceat(z, edges, axis=-2), edges, axis=-1) / np.outer(
        np.diff(np.append(edges, t)), np.diff(np.append(edges, t))
    )


def attention_grid_figure(
    maps: np.ndarray,
    layers: Sequence[int],
    heads: Sequence[int],
    title: str = "Attention, every layer and head",
    max_cells: int = 96,
) -> go.Figure:
    """BertViz model-view style: one small heatmap per layer (rows) and head (columns).

    Args:
        maps: ``(len(layers), len(heads), T, T)``; rows attend to columns.
        layers, heads: 0-based numbers of the maps (shown 1-based).
        max_cells: maps with more tokens are shown as block means (the CSV keeps all).
    """
    n_l, n_h = maps.shape[:2]
    fig = make_subplots(
        rows=n_l,
        cols=n_h,
        row_titles=[f"layer {i + 1}" for i in layers],
        column_titles=[f"head {h + 1}" for h in heads],
        horizontal_spacing=0.01,
        vertical_spacing=0.02,
    )
    top = float(np.max(maps)) if maps.size else 1.0
    for i in range(n_l):
        for j in range(n_h):
            fig.add_trace(
                go.Heatmap(
                    z=_binned(np.asarray(maps[i, j], dtype=float), max_cells),
                    colorscale="Blues",
                    zmin=0,
                    zmax=top,
                    showscale=i == 0 and j == 0,
                    name=f"layer {layers[i] + 1} head {heads[j] + 1}",
                    hovertemplate="from %{y} to %{x}<br>%{z:.3f}<extra>%{fullData.name}</extra>",
                ),
                row=i + 1,
                col=j + 1,
            )
    fig.update_xaxes(showticklabels=False)
    fig.update_yaxes(showticklabels=False, autorange="reversed")
    suffix = f" (shown as {max_cells} x {max_cells} blocks)" if maps.shape[-1] > max_cells else ""
    layout = {**LAYOUT, "height": max(300, 110 * n_l + 80), "showlegend": False}
    fig.update_layout(title={"text": title + suffix}, **layout)
    return fig


def _token_labels(tokens: Sequence[str]) -> list[str]:
    # Plotly merges repeated category labels, and k-mers repeat: number them.
    return [f"{i}:{t}" for i, t in enumerate(tokens)]


def attention_head_figure(
    matrix: np.ndarray, tokens: Sequence[str], title: str = "Attention of one head"
) -> go.Figure:
    """One ``(T, T)`` map, large, with the k-mer tokens on both axes (row attends to column)."""
    labels = _token_labels(tokens)
    z = np.asarray(matrix, dtype=float)
    fig = go.Figure(
        go.Heatmap(
            z=z,
            x=labels,
            y=labels,
            colorscale="Blues",
            # from 0, as the grid: plotly drops zmin alone, and a scale from 0.0030 to 0.0038
            # made near-uniform attention look patterned
            zmin=0,
            zmax=float(np.nanmax(z)) if z.size and np.nanmax(z) > 0 else 1.0,
            colorbar={"title": "weight"},
            hovertemplate="%{y} attends to %{x}<br>%{z:.3f}<extra></extra>",
        )
    )
    fig = styled(fig, title, "attended token", "attending token")
    fig.update_yaxes(autorange="reversed")
    fig.update_layout(height=max(450, min(900, 12 * len(labels) + 150)))
    return fig


def cls_attention_figure(
    track: np.ndarray, sequence: str, title: str = "Attention from [CLS], mapped to bases"
) -> go.Figure:
    """The [CLS] attention per base as bars coloured by base."""
    return saliency_track_figure(track, sequence, title, y_title="attention from [CLS]")


def similarity_heatmap_figure(
    similarity: pd.DataFrame,
    title: str = "Cosine similarity of token embeddings",
    row_labels: Sequence[str] | None = None,
    marks: Sequence[tuple[str, str]] = (),
) -> go.Figure:
    """A similarity table as a heatmap (-1 to 1), in the table's row and column order.

    Args:
        row_labels: labels to show instead of the index (e.g. ``"GCT (A)"``).
        marks: ``(row, column)`` cells to outline, e.g. each codon's own amino acid.
    """
    y = list(row_labels) if row_labels is not None else list(similarity.index)
    fig = go.Figure(
        go.Heatmap(
            z=similarity.to_numpy(dtype=float),
            x=list(similarity.columns),
            y=y,
            colorscale="RdBu",
            reversescale=True,
            zmid=0,
            zmin=-1,
            zmax=1,
            colorbar={"title": "cosine"},
            name="similarity",
            hovertemplate="%{y} vs %{x}<br>%{z:.3f}<extra></extra>",
        )
    )
    if marks:
        pos = {r: y[i] for i, r in enumerate(similarity.index)}
        fig.add_trace(
            go.Scatter(
                x=[c for _, c in marks],
                y=[pos[r] for r, _ in marks],
                mode="markers",
                name="own amino acid",
                marker={"symbol": "square-open", "color": "black", "size": 9},
                hoverinfo="skip",
            )
        )
    fig = styled(fig, title, "", "")
    # every row named (plotly drops alternate labels it thinks crowded); the legend on
    # top, where it leaves no empty band beside the colour bar
    fig.update_yaxes(autorange="reversed", tickmode="array", tickvals=y, ticktext=y)
    fig.update_yaxes(tickfont={"size": 10 if len(y) > 40 else 12})
    fig.update_layout(
        height=max(450, min(1400, 14 * len(y) + 150)),
        showlegend=bool(marks),
        legend={"orientation": "h", "x": 0, "y": 1.0, "yanchor": "bottom"},
    )
    return fig


def mrr_figure(
    table: pd.DataFrame,
    chance: float,
    label: str = "species",
    title: str = "Mean reciprocal rank of each codon's amino acid",
    hover: str | None = None,
) -> go.Figure:
    """Bars of ``table["mrr"]`` per ``table[label]`` against a dashed chance line;
    ``hover`` names a column shown on hovering a bar."""
    extra = "" if hover is None else "<br>%{customdata}"
    fig = go.Figure(
        go.Bar(
            x=list(table[label]),
            y=table["mrr"].to_numpy(dtype=float),
            name="MRR",
            marker={"color": "#1f77b4"},
            customdata=None if hover is None else list(table[hover]),
            hovertemplate="%{x}<br>MRR %{y:.3f}" + extra + "<extra></extra>",
        )
    )
    fig.add_hline(
        y=chance,
        line={"dash": "dash", "color": "#7f7f7f"},
        annotation_text=f"chance {chance:.3f}",
        annotation_position="top left",
    )
    fig = styled(fig, title, label, "MRR (1 = always nearest)")
    fig.update_yaxes(range=[0, 1.05])
    return fig


def token_pca_figure(points: pd.DataFrame, explained: Sequence[float], title: str) -> go.Figure:
    """Scatter of ``points`` (``token``, ``kind``, ``amino_acid``, ``pc1``, ``pc2``): one
    trace per amino acid, codons as dots and the amino-acid token as a labelled diamond."""
    fig = go.Figure()
    # one colour per amino acid for its codons and its own token alike (plotly's default
    # cycle gave each trace the next of 10 colours); Alphabet holds 26, for 21 groups
    palette = plotly.colors.qualitative.Alphabet
    for n, (aa, group) in enumerate(points.groupby("amino_acid", sort=True)):
        colour = palette[n % len(palette)]
        for kind, symbol in (("codon", "circle"), ("amino acid", "diamond")):
            part = group[group["kind"] == kind]
            if not len(part):
                continue
            fig.add_trace(
                go.Scatter(
                    x=part["pc1"],
                    y=part["pc2"],
                    mode="markers+text" if kind == "amino acid" else "markers",
                    text=list(part["token"]) if kind == "amino acid" else None,
                    textposition="top center",
                    name=f"{aa} {kind}",
                    legendgroup=str(aa),
                    showlegend=kind == "amino acid",
                    marker={
                        "symbol": symbol,
                        "size": 12 if kind == "amino acid" else 7,
                        "color": colour,
                    },
                    hovertext=[f"{t} → {aa}" for t in part["token"]],
                    hoverinfo="text",
                )
            )
    return styled(fig, title, f"PC1 ({explained[0]:.0%} of variance)", f"PC2 ({explained[1]:.0%})")


def sequence_embedding_figure(
    points: pd.DataFrame, explained: Sequence[float], title: str
) -> go.Figure:
    """Scatter of ``points`` (``id``, ``label``, ``pc1``, ``pc2``): one trace per class when
    ``label`` holds class names (in category order), one trace on a colour scale with a
    colour bar when it holds values (regression)."""
    fig = go.Figure()
    marker = {"size": 6, "opacity": 0.7}
    if pd.api.types.is_numeric_dtype(points["label"]):
        fig.add_trace(
            go.Scattergl(
                x=points["pc1"],
                y=points["pc2"],
                mode="markers",
                name="label",
                marker=marker
                | {
                    "color": points["label"],
                    "colorscale": "Viridis",
                    "showscale": True,
                    "colorbar": {"title": {"text": "label"}},
                },
                hovertext=[
                    f"{i}: {v:.3g}" for i, v in zip(points["id"], points["label"], strict=True)
                ],
                hoverinfo="text",
            )
        )
    else:
        for name, part in points.groupby("label", sort=True, observed=True):
            fig.add_trace(
                go.Scattergl(
                    x=part["pc1"],
                    y=part["pc2"],
                    mode="markers",
                    name=str(name),
                    marker=marker,
                    hovertext=[f"{i}: {name}" for i in part["id"]],
                    hoverinfo="text",
                )
            )
    return styled(fig, title, f"PC1 ({explained[0]:.0%} of variance)", f"PC2 ({explained[1]:.0%})")
