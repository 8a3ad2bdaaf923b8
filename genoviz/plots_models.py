"""Figure builders for the model zoo: the autoencoder's latent map and the side-by-side
score of a model with and without its extra inputs. Pure: numbers in, plotly figure out."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
import plotly.graph_objects as go

from genoviz.plots import SERIES_COLORS, styled
from genoviz.plots_bars import grouped_bar_figure

#: Labels with at most this many distinct values are drawn as groups, else as a colour scale.
MAX_GROUPS = 10


def latent_map_figure(
    coords: np.ndarray,
    labels: np.ndarray,
    explained: Sequence[float],
    title: str = "Autoencoder latent map",
    label_names: Sequence[str] | None = None,
    value_name: str = "label",
) -> go.Figure:
    """Scatter of the 2-D latent map, one trace per label value (or a colour scale,
    titled ``value_name``, for continuous labels).

    Args:
        coords: ``(n, 2)`` principal-component coordinates.
        labels: ``(n,)`` one label per point (class index, 0/1, or a value).
        explained: share of variance on each axis, for the axis titles.
        label_names: names for class indices 0, 1, ... (e.g. the dataset's class names).
    """
    coords = np.asarray(coords, dtype=float)
    labels = np.asarray(labels).reshape(len(coords))
    values = np.unique(labels)
    fig = go.Figure()
    if len(values) <= MAX_GROUPS:
        for i, v in enumerate(values):
            sel = labels == v
            name = f"label {v:g}"
            if label_names is not None and float(v).is_integer() and 0 <= v < len(label_names):
                name = str(label_names[int(v)])
            fig.add_trace(
                go.Scattergl(
                    x=coords[sel, 0],
                    y=coords[sel, 1],
                    mode="markers",
                    name=name,
                    marker={"size": 5, "opacity": 0.6, "color": SERIES_COLORS[i]},
                )
            )
    else:
        fig.add_trace(
            go.Scattergl(
                x=coords[:, 0],
                y=coords[:, 1],
                mode="markers",
                name=value_name,
                marker={
                    "size": 5,
                    "color": labels,
                    "colorscale": "Viridis",
                    "showscale": True,
                    "colorbar": {"title": {"text": value_name}},
                },
            )
        )
    return styled(
        fig, title, f"PC 1 ({explained[0]:.0%} of variance)", f"PC 2 ({explained[1]:.0%})"
    )


def extras_gain_figure(
    scores: Mapping[str, Mapping[str, float]],
    metric_label: str = "ROC AUC",
    title: str = "With and without the extra inputs",
) -> go.Figure:
    """Bars side by side: for each split, the score of each model variant.

    Args:
        scores: variant (e.g. ``"sequence only"``) -> split name -> score.
    """
    splits = list(next(iter(scores.values())))
    series = {variant: [s[k] for k in splits] for variant, s in scores.items()}
    return grouped_bar_figure(splits, series, title, "split", metric_label, show_values=True)
