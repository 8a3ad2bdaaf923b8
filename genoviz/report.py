"""A one-file HTML report of a run: its card, curves, final metrics and top motifs.

The report is self-contained (plotly.js inlined once, logos as embedded PNG), so it opens
offline and can be mailed or attached to a lab notebook.
"""

from __future__ import annotations

import base64
import html
import io
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
import plotly.graph_objects as go
import torch
from markdown_it import MarkdownIt
from torch import nn

import models
from genoviz.explain import explain
from genoviz.interpret.filters import filter_label, filter_pfms
from genoviz.lesson import informative_filters, match_filters
from genoviz.metrics import (
    METRIC_LABELS,
    binary_metrics,
    calibration,
    curve_label,
    metric_series,
    roc_points,
)
from genoviz.motifs import lined_up
from genoviz.onehot import one_hot
from genoviz.plots_metrics import calibration_figure, roc_figure
from genoviz.plots_sequence_logo import logo_figure
from genoviz.plots_training import history_figure, mlm_figures
from genoviz.runs import Run, RunError
from genoviz.sequences import ALPHABET, pad_or_trim

#: Sequences used to build filter logos (the first positives), enough for stable PFMs.
MOTIF_SEQUENCES = 500


@dataclass(frozen=True)
class TopMotif:
    """A first-layer filter as a motif, with the planted motif it matches best (if any).

    Attributes:
        index: the filter's 0-based index in the model; people see it as
            :func:`filter_label` (``filter 1`` is index 0), as on the Motifs page.
        pfm: shape ``(4, W)``, rows A, C, G, T (with empty columns where the matched
            planted motif reaches past it).
        planted_pfm: the matched planted motif on the filter's strand, padded to the same
            width so its columns sit under those they were compared with.
        score: mean column Pearson r with it (NaN without planted motifs).
    """

    index: int
    pfm: np.ndarray
    planted: str | None = None
    planted_pfm: np.ndarray | None = None
    score: float = float("nan")


def top_motifs(
    run: Run,
    sequences: Sequence[str],
    planted: dict[str, np.ndarray] | None = None,
    k: int = 4,
) -> list[TopMotif]:
    """The ``k`` filters of a run that best match the planted motifs, or, without any,
    those carrying the most information; none for a model without filters (a BERT).

    Args:
        sequences: sequences the filters are run on (best: positives), padded or trimmed
            to the model's length; at most :data:`MOTIF_SEQUENCES` are used.
    """
    model = _filter_model(run)
    if model is None:  # a BERT, an LSTM or an MLP: no first-layer filters
        return []
    length = int(run.info["model"]["build"].get("seq_len") or max(map(len, sequences)))
    x = torch.from_numpy(one_hot(pad_or_trim(list(sequences[:MOTIF_SEQUENCES]), length)))
    pfms = filter_pfms(model, x, threshold=0.5)
    if planted:
        out = []
        for m in match_filters(pfms, planted)[:k]:
            # padded so the columns compared sit under each other, as on the Lesson
            learned, ref, _ = lined_up(pfms[m.index], planted[m.motif], m.offset, m.strand)
            name = m.motif if m.strand == "+" else f"{m.motif}, rev. comp."
            out.append(TopMotif(m.index, learned, name, ref, m.score))
        return out
    return [TopMotif(f, pfms[f]) for f in informative_filters(pfms, k)]


def logo_png(pfm: np.ndarray, title: str) -> bytes:
    """A probability logo of a ``(4, W)`` matrix as PNG bytes."""
    matrix = pd.DataFrame(
        np.asarray(pfm).T, columns=list(ALPHABET), index=range(1, pfm.shape[1] + 1)
    )
    fig = logo_figure(matrix, title, y_label="probability", y_max=1.0, height=1.8)
    try:
        buf = io.BytesIO()
        fig.savefig(buf, format="png", dpi=110)
        return buf.getvalue()
    finally:
        fig.clear()


def _img(png: bytes, alt: str) -> str:
    data = base64.b64encode(png).decode()
    return f'<img alt="{html.escape(alt)}" src="data:image/png;base64,{data}">'


def _table(rows: list[tuple[str, Any]]) -> str:
    cells = "".join(
        f"<tr><th>{html.escape(str(k))}</th><td>{html.escape(str(v))}</td></tr>" for k, v in rows
    )
    return f"<table>{cells}</table>"


def _fmt(v: Any) -> str:
    if isinstance(v, float):
        return "n/a" if not np.isfinite(v) else f"{v:.4g}"
    return "n/a" if v is None else str(v)


def card_rows(run: Run) -> list[tuple[str, Any]]:
    """The run card: what was trained, on what, how, and where."""
    info = run.info
    ds = info.get("dataset", {})
    model = info.get("model", {})
    cfg = info.get("config", {})
    versions = info.get("versions", {})
    return [
        ("run", run.name),
        ("status", run.status),
        ("dataset", f"{ds.get('name', '?')} ({ds.get('task', '?')}, {ds.get('n', '?')} sequences)"),
        ("splits", ", ".join(f"{k} {v}" for k, v in (ds.get("splits") or {}).items())),
        ("model", model.get("name", "?")),
        ("model settings", ", ".join(f"{k}={v}" for k, v in (model.get("build") or {}).items())),
        (
            "epochs (done / asked)",
            f"{info.get('epochs_done', len(run.history))} / {cfg.get('epochs', '?')}",
        ),
        (
            "kept epoch (the latest within a standard error of the top validation score; "
            "multi-class and multi-task: the top)",
            info.get("best_epoch", "?"),
        ),
        ("learning rate", cfg.get("lr", "?")),
        ("batch size", cfg.get("batch_size", "?")),
        ("seed", info.get("seed", cfg.get("seed", "?"))),
        ("device", info.get("device", "?")),
        ("created", info.get("created", "?")),
        ("finished", info.get("finished", "")),
        ("genoviz / torch", f"{versions.get('genoviz', '?')} / {versions.get('torch', '?')}"),
    ]


def metric_rows(run: Run) -> list[tuple[str, str, str]]:
    """(metric, valid, test) for every headline metric in ``run.json``."""
    final = run.info.get("final_metrics") or {}
    valid, test = final.get("valid") or {}, final.get("test") or {}
    keys = [k for k in METRIC_LABELS if k in valid or k in test]
    return [(METRIC_LABELS[k], _fmt(valid.get(k)), _fmt(test.get(k))) for k in keys]


def curve_figures(run: Run) -> list[go.Figure]:
    """Loss curves and metric curves of the run, one figure each (none without history);
    for BERT pretraining, masked-token loss and accuracy with its baseline."""
    h = run.history
    if not h:
        return []
    if any("valid_masked_acc" in r for r in h):  # BERT pretraining
        return mlm_figures(h)
    figs = [
        history_figure(h, {"train_loss": "train loss", "valid_loss": "valid loss"}, "Loss", "loss")
    ]
    if series := metric_series(h):  # as the pages draw them: R² left out
        figs.append(history_figure(h, series, "Metrics", "score"))
    return figs


_CSS = """
body{font-family:system-ui,sans-serif;max-width:1100px;margin:2em auto;color:#222}
table{border-collapse:collapse;margin:1em 0}
th,td{border:1px solid #ddd;padding:4px 10px;text-align:left}
th{background:#f6f6f6}.motif{display:flex;gap:1em;align-items:center;margin:.5em 0}
.note{color:#555;font-size:.92em;max-width:800px}
"""


def _note(topic: str) -> str:
    """A "What am I seeing?" text as HTML (its markdown rendered, raw HTML escaped)."""
    body = MarkdownIt("commonmark", {"html": False}).render(explain(topic).body)
    return f"<div class='note'>{body}</div>"


def _filter_model(run: Run) -> nn.Module | None:
    """The run's model, loaded once, when it has first-layer convolution filters; None for
    a BERT, an LSTM or an MLP, or a run without usable weights."""
    from genoviz.interpret.filters import has_filters

    name = (run.info.get("model") or {}).get("name", "")
    if name in models.REGISTRY and models.spec(name).input_kind in models.TOKEN_KINDS:
        return None
    try:
        model = run.load_model("cpu")
    except (RunError, models.ModelError, TypeError, ValueError):  # no usable weights
        return None
    return model if has_filters(model) else None


def run_report_html(run: Run, motifs: Sequence[TopMotif] = ()) -> str:
    """The whole report as one HTML document."""
    parts = [
        "<!doctype html><html><head><meta charset='utf-8'>",
        f"<title>genoviz run {html.escape(run.name)}</title><style>{_CSS}</style></head><body>",
        f"<h1>genoviz run <code>{html.escape(run.name)}</code></h1>",
        "<h2>Run card</h2>",
        _table(card_rows(run)),
        "<h2>Final metrics</h2>",
    ]
    rows = metric_rows(run)
    if rows:
        head = "<tr><th>metric</th><th>validation</th><th>test</th></tr>"
        body = "".join(
            f"<tr><td>{html.escape(a)}</td><td>{b}</td><td>{c}</td></tr>" for a, b, c in rows
        )
        parts.append(f"<table>{head}{body}</table>")
    else:
        parts.append("<p>No final metrics: the run did not finish.</p>")
    parts.append("<h2>Training curves</h2>")
    figs = curve_figures(run)
    if not figs:
        parts.append("<p>No epoch was recorded.</p>")
    for i, fig in enumerate(figs):
        parts.append(fig.to_html(full_html=False, include_plotlyjs=(i == 0)))
    parts.append(_note("overfitting"))
    parts += _test_section(run, plotlyjs=not figs)
    if _filter_model(run) is not None:  # a BERT has no first-layer filters to show
        parts += _motif_section(motifs)
    parts.append("</body></html>")
    return "\n".join(parts)


def test_figures(run: Run) -> tuple[list[go.Figure], str]:
    """A binary run's test-split ROC curve and calibration plot from its saved
    ``test_predictions.csv``, and what the calibration says; none for other runs, runs
    saved without the file, or a file that cannot be read (an imported zip's, say)."""
    if (run.info.get("dataset") or {}).get("task") != "binary":
        return [], ""
    try:
        table = run.test_predictions()
        if table is None:
            return [], ""
        y, p = table["label"].to_numpy(float), table["prediction"].to_numpy(float)
        cal = calibration(y, p)
    except (ValueError, KeyError, pd.errors.ParserError):
        return [], "The saved test predictions could not be read."
    figs = []
    if 0 < (y > 0.5).sum() < len(y):
        fpr, tpr = roc_points(y, p)
        figs.append(roc_figure(fpr, tpr, binary_metrics(y, p)["roc_auc"], "ROC curve, test split"))
    figs.append(
        calibration_figure(cal.predicted, cal.observed, cal.counts, "Calibration, test split")
    )
    return figs, cal.summary(weighted=bool(run.info["dataset"].get("weighted")))


def _test_section(run: Run, plotlyjs: bool) -> list[str]:
    """``plotlyjs``: inline plotly.js with the first figure (no curve figure did)."""
    figs, said = test_figures(run)
    if not figs and not said:
        return []
    parts = ["<h2>Test split</h2>"]
    parts += [
        fig.to_html(full_html=False, include_plotlyjs=plotlyjs and i == 0)
        for i, fig in enumerate(figs)
    ]
    parts.append(f"<p>{html.escape(said)}</p>")
    if figs:
        parts += [_note("roc_pr"), _note("calibration")]
    return parts


def _motif_section(motifs: Sequence[TopMotif]) -> list[str]:
    parts = ["<h2>Top motifs</h2>"]
    if not motifs:
        parts.append("<p>No motifs in this report.</p>")
    for m in motifs:
        label = filter_label(m.index)
        cells = [_img(logo_png(m.pfm, label), label)]
        if m.planted is not None and m.planted_pfm is not None:
            cells.append(_img(logo_png(m.planted_pfm, f"planted: {m.planted}"), m.planted))
            cells.append(f"<span>match r = {m.score:.2f}</span>")
        parts.append(f"<div class='motif'>{''.join(cells)}</div>")
    parts.append(_note("motifs"))
    return parts


def overlay_figure(histories: dict[str, list[dict[str, Any]]], key: str, title: str) -> go.Figure:
    """One line per run of the history key ``key`` (e.g. ``valid_roc_auc``) against the
    epoch, to compare runs on one axis; the legend names the runs, even a single one."""
    fig = go.Figure()
    last = 0
    for name, history in histories.items():
        points = [(r.get("epoch"), r.get(key)) for r in history if r.get(key) is not None]
        if not points:
            continue
        x, y = zip(*points, strict=True)
        last = max(last, *x)
        fig.add_trace(go.Scatter(x=list(x), y=list(y), mode="lines+markers", name=name))
    fig.update_layout(
        title={"text": title},
        template="plotly_white",
        height=420,
        showlegend=True,  # plotly hides a one-trace legend, leaving the line unnamed
        legend={"orientation": "h", "yanchor": "top", "y": -0.2, "xanchor": "left", "x": 0.0},
        margin={"l": 60, "r": 20, "t": 50, "b": 110},
    )
    fig.update_xaxes(title_text="epoch")
    if 0 < last <= 20:  # whole epochs, not 1, 1.2, 1.4 …
        fig.update_xaxes(dtick=1)
    fig.update_yaxes(title_text=curve_label(key))
    return fig


def history_keys(histories: list[list[dict[str, Any]]]) -> list[str]:
    """Scalar per-epoch keys found in any history (train/valid loss and metrics)."""
    keys: dict[str, None] = {}
    for h in histories:
        for r in h:
            for k, v in r.items():
                if k.split("_", 1)[0] in ("train", "valid") and isinstance(v, int | float):
                    keys[k] = None
    return sorted(keys, key=lambda k: (k.split("_", 1)[1] != "loss", k.split("_", 1)[1], k))
