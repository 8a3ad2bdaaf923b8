"""Views shared by the Motifs page: downloads, planted-truth recovery, and a motif-net's
own motifs (its learned V as logos with the position mask under each, matched to JASPAR).
UI glue only; the analyses live in ``genoviz.interpret``."""

from __future__ import annotations

import numpy as np
import pandas as pd
import streamlit as st

from genoviz.interpret.learned_motifs import LearnedMotifs, learned_motifs
from genoviz.interpret.logos import ic_matrix, logo_panel
from genoviz.interpret.matching import MIN_MATCH_BITS, Matches
from genoviz.interpret.motif_report import TruthPair
from genoviz.interpret.truth import recovery_rule
from genoviz.motifs import information_content, reverse_complement_pfm
from genoviz.runs import WEIGHTS, Run
from genoviz.sequences import ALPHABET
from pages._common import choose, explain_here
from pages._figures import download_row
from pages._interpret_common import dataset_of, model_of

PANEL = 16
#: p- and E-values as 2.1e-15, not 0.0000000000000021.
P_VALUE_COLUMN = {
    c: st.column_config.NumberColumn(c, format="%.1e") for c in ("p_value", "e_value")
}

#: What TOMTOM's strand, offset and overlap mean (offset follows MEME's sign).
MATCH_COLUMNS = {
    "strand": st.column_config.TextColumn(
        "strand", help="+: the JASPAR matrix as stored; -: its reverse complement"
    ),
    "offset": st.column_config.NumberColumn(
        "offset",
        help="where this motif starts, counted in columns from the JASPAR matrix's first "
        "column (on the strand shown), as TOMTOM reports it: -3 means this motif has 3 "
        "columns before the matrix begins",
    ),
    "overlap": st.column_config.NumberColumn(
        "overlap", help="how many columns the two share in that alignment"
    ),
}


def motif_table(table: pd.DataFrame) -> pd.DataFrame:
    """A report table for display: no match reads '–' (text) or an empty cell (numbers),
    not None."""
    table = table.copy()
    for c in ("p_value", "e_value", "similarity"):
        if c in table:
            table[c] = pd.to_numeric(table[c], errors="coerce")
    text = table.select_dtypes(include=["object", "str"]).columns
    table[text] = table[text].fillna("–")
    return table


LEARNED = "motifs_learned_report"


def show_logo_panel(name: str, table: pd.DataFrame, mats: list, titles: list, **kw) -> None:
    """A grid of logos (:func:`logo_panel`, with its keywords) drawn as PNG, with PNG, SVG
    (drawn on click) and CSV downloads of it and ``table`` under it."""
    with st.spinner("Drawing the logos (first view only)…"):
        png = logo_panel(mats, titles, **kw)
    st.image(png)
    download_row(
        name,
        [
            ("Logos (PNG)", png, "png", "image/png", ":material/download:"),
            (
                "Logos (SVG)",
                lambda: logo_panel(mats, titles, fmt="svg", **kw),
                "svg",
                "image/svg+xml",
                ":material/image:",
            ),
            (
                "Data (CSV)",
                lambda: table.to_csv(index=False),
                "csv",
                "text/csv",
                ":material/table:",
            ),
        ],
    )


def truth_panel(t: pd.DataFrame | None, pairs: list[TruthPair], noun: str) -> None:
    """The recovery table of planted motifs, and each best motif's logo over the planted
    one, lined up on its strand and offset (``pairs``, from the report's ``truth_pairs``)."""
    explain_here("truth_recovery")
    if t is None:
        st.info(
            "This dataset stores no planted motifs (it is measured data, or simulated without "
            "planted motifs), so recovery cannot be scored; the JASPAR matches are the check."
        )
        return
    st.markdown(
        f"Recovered **{int(t['recovered'].sum())} of {len(t)}** planted motifs "
        f"({recovery_rule(noun, 'untrained_similarity' in t)})."
    )
    st.dataframe(t, hide_index=True, key="motifs_truth")
    download_row(
        "truth-recovery",
        [("Data (CSV)", lambda: t.to_csv(index=False), "csv", "text/csv", ":material/table:")],
    )
    if pairs:
        st.caption(
            f"Each planted matrix is drawn under its best {noun} on the strand and at the "
            "shift where their columns agree best (the similarity in the table), with "
            "empty columns where one has none."
        )
        mats = [ic_matrix(p.learned_pfm) for p in pairs]
        mats += [ic_matrix(p.planted_pfm) for p in pairs]
        rc = {"+": "", "-": ", rev. comp."}
        titles = [f"{noun} {p.number}" for p in pairs]
        titles += [f"planted {p.planted.id} {p.planted.name}{rc[p.strand]}" for p in pairs]
        table = pd.concat(  # the drawn matrices (bits), one row per logo column
            [
                m.reset_index(drop=True).assign(logo=title, position=np.arange(1, len(m) + 1))
                for m, title in zip(mats, titles, strict=True)
            ]
        )[["logo", "position", *ALPHABET]]
        show_logo_panel("truth-logos", table, mats, titles, ncols=len(pairs))


# --- motif-net: its own motifs -------------------------------------------------------------


def compute_learned(run: Run, opts: dict) -> LearnedMotifs:
    """The run's learned motifs and JASPAR matches, kept for this session per settings."""
    weights = run.path / WEIGHTS
    key = (run.name, weights.stat().st_mtime, tuple(sorted(opts.items())))
    stored = st.session_state.get(LEARNED)
    if stored is not None and stored[0] == key:
        return stored[1]
    ds = dataset_of(run)
    with st.spinner("Matching the learned motifs against JASPAR…"):
        rep = learned_motifs(
            model_of(run),
            ground_truth=(ds.meta.ground_truth or None) if ds is not None else None,
            release=opts["release"],
            tax_group=opts["tax_group"],
            min_overlap=opts["min_overlap"],
            control=run.untrained_model(),
        )
    st.session_state[LEARNED] = (key, rep)
    return rep


def learned_panel(rep: LearnedMotifs) -> None:
    explain_here("motif_net")
    st.markdown(
        f"**{len(rep.names)}** learned motifs: each logo is the motif's scores (times its "
        "mask) read as probabilities, in bits; the grey bars under it are the position mask."
    )
    n = len(rep.names)
    pages = [list(range(i, min(i + PANEL, n))) for i in range(0, n, PANEL)]
    k = choose(
        "Motifs",
        range(len(pages)),
        key="motifs_learned_page",
        format_func=lambda p: f"{pages[p][0] + 1}-{pages[p][-1] + 1}",
    )
    shown = pages[k]
    recs = rep.records
    mats = [ic_matrix(rep.pfms[m]) for m in shown]
    titles = [f"{m + 1}. {rep.names[m]} · best {recs[m]['best_match_name'] or '-'}" for m in shown]
    long = rep.matrix_table()
    numbers = long[long["motif"].isin([m + 1 for m in shown])]
    masks = [rep.mask[m] for m in shown]
    show_logo_panel(f"learned-motifs-{k + 1}", numbers, mats, titles, masks=masks)
    st.dataframe(
        motif_table(rep.table()),
        hide_index=True,
        key="motifs_learned_table",
        column_config=P_VALUE_COLUMN,
    )


def learned_matches(rep: LearnedMotifs) -> None:
    explain_here("jaspar")
    recs = rep.records
    m = choose(
        "Motif",
        range(len(rep.names)),
        key="motifs_learned_pick",
        format_func=lambda i: f"{i + 1}. {rep.names[i]} ({recs[i]['consensus']})",
    )
    query = (rep.trimmed(m), f"motif {m + 1} (kept columns)")
    matches_panel(rep.matches, m, query, "motifs_learned_top", f"motif-{m + 1}-matches")


def matches_panel(
    matches: Matches, row: int, query: tuple[np.ndarray, str], key: str, name: str, n: int = 3
) -> None:
    """One motif's logo beside its ``n`` best JASPAR matches (each on the strand it matched
    on), their table and the downloads; ``row`` is the motif's row in ``matches``."""
    top = matches.top(row, n)
    if top.empty:
        bits = float(information_content(query[0]).sum())
        st.info(
            f"No JASPAR match for {query[1]}: "
            + (
                f"it carries {bits:.1f} bits, under the {MIN_MATCH_BITS:g} a match needs. "
                "TOMTOM compares the shapes of columns, not their strength, so an almost "
                "flat motif would otherwise 'match' with a tiny p-value."
                if bits < MIN_MATCH_BITS
                else "no JASPAR matrix overlaps it by enough columns."
            )
        )
        return
    mats, titles = [ic_matrix(query[0])], [query[1]]
    for hit in top.itertuples():
        pfm = matches.targets[matches.ranking(row)[hit.rank - 1]].pfm
        if hit.strand == "-":
            pfm = reverse_complement_pfm(pfm)
        mats.append(ic_matrix(pfm))
        titles.append(f"{hit.match_id} {hit.match_name} ({hit.strand}) E={hit.e_value:.1e}")
    show_logo_panel(name, top, mats, titles, ncols=4)
    st.dataframe(top, hide_index=True, key=key, column_config=P_VALUE_COLUMN | MATCH_COLUMNS)


def show_learned(run: Run, opts: dict) -> None:
    """A motif-net run: its motifs need no data, so they show straight away."""
    rep = compute_learned(run, opts)
    t1, t2, t3 = st.tabs(["Learned motifs", "JASPAR matches", "Planted truth"])
    with t1:
        learned_panel(rep)
    with t2:
        learned_matches(rep)
    with t3:
        truth_panel(rep.truth, rep.truth_pairs(), "motif")
