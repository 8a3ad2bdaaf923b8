"""Training curves: a line per metric against the epoch (loss, ROC AUC, ...), and the
masked-token pretraining curves.

Pure builders like :mod:`genoviz.plots`: the history is recorded by the fit loop; nothing
is computed here.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import plotly.graph_objects as go

from genoviz.plots import COLORS, styled


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
