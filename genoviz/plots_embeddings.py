"""Figure builders for embeddings: similarity heatmaps, MRR against chance, PCA scatters."""

from __future__ import annotations

from collections.abc import Sequence

import pandas as pd
import plotly.colors
import plotly.graph_objects as go

from genoviz.plots import styled


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
