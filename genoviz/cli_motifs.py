"""``python -m genoviz interpret filters``: a model's first-layer filters (or a motif-net's
own matrices) as motifs, matched to JASPAR, written as JSON, CSV and logo panels (PNG, and
inside an HTML page with the table).
"""

from __future__ import annotations

import base64
import html
import sys
from pathlib import Path

import numpy as np
import pandas as pd

from genoviz.cli_tracks import write_json


def _learned(args, model, control, dataset, out: Path) -> list[Path]:
    """``filters`` for a motif-net: its own learned matrices, no sequences scanned;
    planted-truth recovery reads ``control``, the same network untrained."""
    from genoviz.interpret.learned_motifs import learned_motifs
    from genoviz.interpret.logos import ic_matrix
    from genoviz.interpret.matching import default_release

    rep = learned_motifs(
        model,
        ground_truth=dataset.meta.ground_truth or None,
        release=args.release,
        tax_group=args.tax_group,
        min_overlap=args.min_overlap,
        control=control,
    )
    paths = [out / "filters.json", out / "filters.csv", out / "filter_pfms.csv"]
    truth = None if rep.truth is None else rep.truth.to_dict(orient="records")
    write_json(
        paths[0],
        {
            "kind": "motif-net learned matrices",
            "release": args.release or default_release(),  # the one used, not None
            "tax_group": args.tax_group,
            "filters": rep.records,
            "truth": truth,
        },
    )
    rep.table().to_csv(paths[1], index=False)
    rep.matrix_table().to_csv(paths[2], index=False)
    shown = list(range(min(16, len(rep.names))))
    mats = [ic_matrix(rep.trimmed(m)) for m in shown]
    titles = [f"motif {m + 1}: {rep.records[m]['best_match_name'] or '-'}" for m in shown]
    return paths + _truth_and_logos(out, rep.truth, "Learned motifs", mats, titles, rep.table())


def filters(args, run, model, inputs, dataset, out: Path) -> list[Path]:
    """``interpret filters``: first-layer filters as motifs (a motif-net: its own matrices),
    matched to JASPAR, with logos, tables and the planted truth when the data has it."""
    from genoviz.interpret.filters import filter_label
    from genoviz.interpret.learned_motifs import has_learned_motifs
    from genoviz.interpret.logos import ic_matrix
    from genoviz.interpret.matching import default_release, match_words
    from genoviz.interpret.motif_report import filter_report

    if has_learned_motifs(model):
        return _learned(args, model, run.untrained_model(), dataset, out)

    def say(frac: float, msg: str) -> None:
        print(f"[{frac:4.0%}] {msg}", file=sys.stderr, flush=True)

    rep = filter_report(
        model,
        inputs.x,
        ground_truth=dataset.meta.ground_truth or None,
        threshold=args.threshold,
        release=args.release,
        tax_group=args.tax_group,
        min_overlap=args.min_overlap,
        progress=say,
        untrained=run.untrained_model(),
    )
    paths = [out / "filters.json", out / "filters.csv", out / "filter_pfms.csv"]
    truth = None if rep.truth is None else rep.truth.to_dict(orient="records")
    write_json(
        paths[0],
        {
            "threshold": args.threshold,
            "release": args.release or default_release(),  # the one used, not None
            "tax_group": args.tax_group,
            "n_sequences": len(inputs.ids),
            "filters": rep.records,
            "truth": truth,
        },
    )
    rep.table().to_csv(paths[1], index=False)
    pfm_rows = [
        {"filter": f + 1, "position": p + 1, **dict(zip("ACGT", pfm[:, p], strict=True))}
        for f, pfm in enumerate(rep.motifs.pfms)
        for p in range(pfm.shape[1])
    ]
    pd.DataFrame(pfm_rows).to_csv(paths[2], index=False)
    shown = rep.most_informative()[:16]
    mats = [ic_matrix(rep.motifs.pfms[f]) for f in shown]
    titles = [
        f"{filter_label(f)}: {match_words(rep.records[f])} ({rep.records[f]['n_sites']} sites)"
        for f in shown
    ]
    return paths + _truth_and_logos(out, rep.truth, "Filter motifs", mats, titles, rep.table())


def _truth_and_logos(
    out: Path,
    truth: pd.DataFrame | None,
    title: str,
    mats: list[np.ndarray],
    titles: list[str],
    table: pd.DataFrame,
) -> list[Path]:
    """``truth.csv`` when the data has planted motifs; the logo panel as ``filters.png`` and
    inside ``filters.html`` with the table, when there are logos to draw."""
    from genoviz.interpret.logos import logo_panel

    paths = []
    if truth is not None:
        paths.append(out / "truth.csv")
        truth.to_csv(paths[-1], index=False)
    if mats:
        png = logo_panel(mats, titles)
        paths.append(out / "filters.png")
        paths[-1].write_bytes(png)
        paths.append(out / "filters.html")
        _logo_html(paths[-1], title, png, table)
    return paths


def _logo_html(path: Path, title: str, png: bytes, table: pd.DataFrame) -> None:
    img = base64.b64encode(png).decode()
    path.write_text(
        f"<!doctype html><html><head><meta charset='utf-8'><title>{html.escape(title)}"
        f"</title></head><body><h1>{html.escape(title)}</h1>"
        f"<img alt='{html.escape(title)}' src='data:image/png;base64,{img}'>"
        f"{table.to_html(index=False, na_rep='')}</body></html>"
    )
