"""How well a model predicts: ROC curves, the calibration (reliability) diagram, predicted
against measured values, and the confusion matrix.

Pure builders like :mod:`genoviz.plots`: the ROC points, calibration bins and counts are
computed by the caller (:mod:`genoviz.metrics`).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
import plotly.graph_objects as go

from genoviz.plots import COLORS, styled


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
