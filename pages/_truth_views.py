"""The Data page's ground-truth view: what was planted, where, and everything else a
simulated set stores about its making."""

from __future__ import annotations

import numpy as np
import pandas as pd
import streamlit as st

from genoviz.data import Dataset
from genoviz.data.stats import (
    describe,
    flatten,
    ground_truth_table,
    is_start,
    per_sequence_table,
    preview,
    stored_table,
    stored_tables,
)
from genoviz.plots_bars import stacked_histogram_figure
from genoviz.sequences import ALPHABET
from pages._figures import logo_images, show_figure, show_logo

TRUTH_ROWS = 500


# --- ground truth -------------------------------------------------------------------------

GROUP_COLUMNS = ("task", "element", "site", "role", "kind", "motif", "motif_id")
POSITION_COLUMNS = ("start", "boundary", "ebox_start")


def counting(df: pd.DataFrame) -> dict[str, str]:
    """How each of a truth table's columns counts, where it is a place: its positions from
    1, a boundary as the bases before it, the dataset row (``index``) from 0."""
    out = {}
    for c in df.columns:
        if is_start(c):
            out[c] = "1-based position of the first base"
        elif c == "boundary":
            out[c] = "the bases before it (it lies between base n and n + 1)"
        elif c == "index":
            out[c] = "the sequence's row in the dataset, counted from 0"
    return out


def counting_note(df: pd.DataFrame) -> str:
    """:func:`counting` in a sentence, columns that count alike named together."""
    alike: dict[str, list[str]] = {}
    for c, how in counting(df).items():
        alike.setdefault(how, []).append(c)
    parts = [f"{', '.join(cols)}: {how}" for how, cols in alike.items()]
    return "; ".join(parts) + "." if parts else ""


def column_help(df: pd.DataFrame) -> dict:
    """Column tooltips with :func:`counting`'s conventions."""
    return {c: st.column_config.NumberColumn(c, help=how) for c, how in counting(df).items()}


def show_truth_table(df: pd.DataFrame, what: str, name: str) -> None:
    """Counts per motif/kind, a histogram of positions and the first rows of a truth table."""
    st.markdown(f"#### {what.capitalize()}: {len(df):,}")
    groups = [c for c in GROUP_COLUMNS if c in df]
    pos = next((c for c in POSITION_COLUMNS if c in df), None)
    c1, c2 = st.columns(2)
    with c1:
        if groups:
            counts = df.value_counts(groups).sort_index().rename("count").reset_index()
            st.dataframe(counts, hide_index=True)
    with c2:
        if pos is not None:
            by = next((c for c in ("task", "element", "site", "kind", "motif_id") if c in df), None)
            label = df[by].astype(str) if by else pd.Series("all", index=df.index)
            if by == "motif_id" and "motif" in df:
                label = label + " " + df["motif"].astype(str)
            fig = stacked_histogram_figure(
                {g: df.loc[label == g, pos] for g in dict.fromkeys(label)},
                f"Where they are ({pos})",
                f"{pos} (1-based position of the first base)"
                if is_start(pos)
                else f"{pos} (bases before it in the sequence)",
                nbins=50,
            )
            cols = [c for c in ("id", by, pos) if c and c in df]
            show_figure(fig, f"{name}-{what}-positions", df[cols])
    st.dataframe(df.head(TRUTH_ROWS), hide_index=True, height=240, column_config=column_help(df))
    if said := counting_note(df):
        st.caption(said)
    if len(df) > TRUTH_ROWS:
        st.caption(f"First {TRUTH_ROWS} of {len(df):,} rows; the CSV below has them all.")
    st.download_button(
        f"All {len(df):,} rows (CSV)",
        data=lambda: df.to_csv(index=False),
        file_name=f"{name}-{what.replace(' ', '-')}.csv",
        mime="text/csv",
        key=f"dl_truth_{name}_{what}",
        on_click="ignore",
        icon=":material/table:",
    )


def show_ground_truth(ds: Dataset) -> None:
    truth = ds.meta.ground_truth or {}
    if not truth:
        st.info(
            "No planted ground truth is stored with this set. "
            + (
                "Its labels come from how it was simulated (see the card)."
                if ds.meta.simulated
                else "It is measured data: what a model learns can be checked against "
                "known motifs (JASPAR) instead."
            )
        )
        return
    name = ds.name
    table = ground_truth_table(ds)
    if not table.empty:
        show_truth_table(table, "planted instances", name)
    for key, cols in stored_tables(truth).items():
        df = stored_table(ds, truth[key], cols)
        show_truth_table(df, f"planted {key}", name)
    pfms = {k: v for k, v in truth.items() if k.endswith("_pfm") and len(v) == 4}
    if pfms:
        st.markdown("#### Planted motifs (the matrices the sites were drawn from)")
        for key, pfm in pfms.items():
            arr = np.asarray(pfm, dtype=float).T  # stored as 4 rows, A C G T
            matrix = pd.DataFrame(arr, columns=list(ALPHABET), index=range(1, len(arr) + 1))
            motif = key.removesuffix("_pfm")
            show_logo(logo_images(matrix, motif, "probability", 1.0), f"{name}-{key}", matrix)
    per_seq = per_sequence_table(ds, truth)
    if not per_seq.empty:
        st.markdown("#### Per sequence")
        cats = [c for c in per_seq.columns if c != "id" and per_seq[c].nunique() <= 12]
        if cats:
            counts = per_seq.value_counts(cats).sort_index().rename("count").reset_index()
            st.dataframe(counts, hide_index=True)
        shown = per_seq.head(TRUTH_ROWS)
        st.dataframe(shown.assign(sequence=ds.sequences[: len(shown)]), hide_index=True, height=240)
    mappings = {k: v for k, v in truth.items() if isinstance(v, dict)}
    for key, value in mappings.items():
        rows = flatten(value)
        depth = max(len(p) for p, _ in rows)
        df = pd.DataFrame(
            [[*p, *[""] * (depth - len(p)), preview(v)] for p, v in rows],
            columns=[f"key {i + 1}" for i in range(depth)] + ["value"],
        )
        if key == "motifs":
            df.columns = ["motif_id", "name"]
        with st.expander(f"{key} ({len(df):,} entries)", expanded=key == "motifs"):
            st.dataframe(df, hide_index=True, height=min(240, 38 + 35 * len(df)))
    st.markdown("#### Everything stored")
    st.caption(
        "The card's ground truth as it is stored: here rows, starts and other places count "
        "from 0, where the tables above count positions from 1."
    )
    summary = pd.DataFrame([describe(k, v, len(ds)) for k, v in truth.items()])
    st.dataframe(summary, hide_index=True)
