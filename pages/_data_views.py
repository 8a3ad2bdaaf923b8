"""The Data page's views of one dataset: card, sequences, composition, ground truth and
splits. Kept apart from ``data.py``, which picks the dataset."""

from __future__ import annotations

import copy
import hashlib

import logomaker
import numpy as np
import pandas as pd
import streamlit as st

from genoviz.data import BUNDLED, Dataset
from genoviz.data.download import REMOTE
from genoviz.data.planted import planted_summary
from genoviz.data.split_groups import site_note
from genoviz.data.stats import (
    kmer_spectrum,
    position_composition,
    split_table,
)
from genoviz.plots_bars import bar_figure, grouped_bar_figure, histogram_figure
from genoviz.sequences import gc_content
from pages._common import explain_here
from pages._figures import logo_images, show_figure, show_logo
from pages._truth_views import show_ground_truth

TABS = ("Card", "Sequences", "Composition", "Ground truth", "Splits")
PREVIEW_ROWS = 500
#: Sequences (per class, when split) counted for the k-mer spectrum: enough for stable
#: frequencies, fast on every rerun.
KMER_CAP = 5_000
KMER_SHOWN = 64
KMER_ORDERS = ("ACGT order", "most frequent first", "largest difference between classes first")
#: Sequences averaged for the position-wise composition (one-hot of all of a large real
#: set would take gigabytes).
COMPOSITION_CAP = 20_000
LOGO_MODES = ("probability", "information (bits)")
LOGO_WHOLE_MAX = 101  # sets up to this length show every position by default
LOGO_WINDOW = 50  # else this many positions around the centre (site, TSS or middle)


# --- tables behind the views (cached per dataset) -----------------------------------------


def dataset_key(ds: Dataset) -> str:
    """A cache key: the name of a bundled or downloaded set, else a content fingerprint."""
    spec = ds.meta.notes.get("spec")
    if spec in BUNDLED or spec in REMOTE:
        return str(spec)
    h = hashlib.sha1("\n".join(ds.sequences).encode())
    h.update(ds.labels.tobytes())
    return f"{ds.name}:{len(ds)}:{h.hexdigest()}"


def profile(sequences: list[str], ids: list[str] | None) -> pd.DataFrame:
    """Per-sequence table: id, length, GC fraction and the sequence itself."""
    return pd.DataFrame(
        {
            "id": ids if ids is not None else [f"seq{i + 1}" for i in range(len(sequences))],
            "length": [len(s) for s in sequences],
            "gc": [gc_content(s) for s in sequences],
            "sequence": sequences,
        }
    )


def dataset_table(ds: Dataset) -> pd.DataFrame:
    df = profile(ds.sequences, ds.ids)
    labels = ds.labels.reshape(len(ds), -1)
    for j in range(labels.shape[1]):
        df["label" if labels.shape[1] == 1 else f"label{j + 1}"] = labels[:, j]
    if ds.extras is not None:
        names = ds.meta.extras_names or [f"extra{j + 1}" for j in range(ds.n_extras)]
        for j, extra in enumerate(names):
            df[extra] = ds.extras[:, j]
    return df


@st.cache_data(max_entries=8, show_spinner=False)
def dataset_profile(key: str, _ds: Dataset) -> pd.DataFrame:
    return dataset_table(_ds)


def class_names(ds: Dataset) -> list[str]:
    """Names of the classes of a binary or multiclass set, e.g. ``negative (0)``."""
    if ds.task == "multiclass":
        return ds.class_names
    names = ds.meta.notes.get("classes") or ["negative", "positive"]
    return [f"{names[c]} ({c})" for c in (0, 1)]


def class_sequences(ds: Dataset, by_class: bool, cap: int) -> dict[str, list[str]]:
    """Group -> the first ``cap`` sequences of that class (or of the whole set)."""
    if not by_class:
        return {"all sequences": ds.sequences[:cap]}
    y = ds.labels.astype(int)
    return {
        name: [ds.sequences[i] for i in np.flatnonzero(y == c)[:cap]]
        for c, name in enumerate(class_names(ds))
    }


@st.cache_data(max_entries=32, show_spinner="Counting k-mers…")
def kmer_table(key: str, _ds: Dataset, k: int, by_class: bool) -> pd.DataFrame:
    """Long table ``group, sequences, kmer, count, frequency`` (one block per class)."""
    frames = []
    for group, seqs in class_sequences(_ds, by_class, KMER_CAP).items():
        spectrum = kmer_spectrum(seqs, k)
        spectrum.insert(0, "sequences", len(seqs))
        spectrum.insert(0, "group", group)
        frames.append(spectrum)
    return pd.concat(frames, ignore_index=True)


@st.cache_data(max_entries=16, show_spinner="Counting bases per position…")
def composition_matrix(key: str, _ds: Dataset, group: str) -> pd.DataFrame:
    """Positions x ACGT frequencies (float64, as logomaker wants) of one class or all."""
    by_class = group != "all sequences"
    seqs = class_sequences(_ds, by_class, COMPOSITION_CAP)[group]
    return position_composition(seqs).astype(float)


# --- the views ----------------------------------------------------------------------------


def show_sequence_plots(df: pd.DataFrame, name: str, columns: list | None = None) -> None:
    c1, c2 = columns or st.columns(2)
    with c1:
        fig = histogram_figure(df["length"], "Sequence length", "length (bases)")
        show_figure(fig, f"{name}-lengths", df[["id", "length"]])
    with c2:
        fig = histogram_figure(df["gc"], "GC content", "GC fraction", nbins=40)
        show_figure(fig, f"{name}-gc", df[["id", "gc"]])


def show_label_plot(ds: Dataset, df: pd.DataFrame) -> None:
    """Counts per class (binary, multiclass, multi-task) or a histogram (regression)."""
    name, notes = ds.name, ds.meta.notes
    y = ds.labels
    if ds.task == "lm":
        st.caption("A language-model corpus: the sequences are their own targets, no labels.")
        return
    if ds.task in ("binary", "multiclass"):
        classes = np.arange(2) if ds.task == "binary" else np.unique(y.astype(int))
        counts = [int((y.astype(int) == c).sum()) for c in classes]
        names = notes.get("classes") or (["negative", "positive"] if ds.task == "binary" else [])
        cats = [f"{c} ({names[c]})" if c < len(names) else str(c) for c in classes]
        fig = bar_figure(cats, counts, "Labels", "label")
        show_figure(fig, f"{name}-labels", pd.DataFrame({"label": cats, "count": counts}))
    elif ds.task == "multitask-binary":
        tasks = notes.get("tasks") or [f"label{j + 1}" for j in range(ds.n_outputs)]
        counts = (y > 0.5).sum(axis=0).astype(int).tolist()
        fig = bar_figure(tasks, counts, "Positives per task", "task", "positives")
        show_figure(fig, f"{name}-labels", pd.DataFrame({"task": tasks, "positives": counts}))
    else:
        label_cols = [c for c in df.columns if c.startswith("label")]
        fig = histogram_figure(y.reshape(-1), "Label distribution", "label value", nbins=50)
        show_figure(fig, f"{name}-labels", df[["id", *label_cols]])


def truth_line(ds: Dataset) -> str:
    """One paragraph about the planted ground truth for the card (never the raw dict):
    real sites and decoys counted apart, each with the windows that hold them."""
    planted = planted_summary(ds)
    if planted is not None:
        return f"**Ground truth.** {planted} Kept for checking what a model learns."
    truth = ds.meta.ground_truth
    parts = [f"{k} ({len(v):,})" if isinstance(v, list | dict) else k for k, v in truth.items()]
    return f"**Ground truth.** Stored with the set: {', '.join(parts)}. See the Ground truth tab."


def show_card(ds: Dataset) -> None:
    meta = ds.meta
    with st.container(border=True, key="dataset_card"):
        st.subheader(meta.name)
        tags = [f"task: **{ds.task}**"]
        tags.append(":orange-badge[simulated]" if meta.simulated else ":green-badge[real data]")
        st.markdown(" · ".join(tags))
        if meta.description:
            st.write(meta.description)
        if meta.source:
            st.markdown(f"**Source.** {meta.source}")
        if meta.citation:
            st.markdown(f"**Cite.** {meta.citation}")
        if meta.ground_truth:
            st.markdown(truth_line(ds))
        summary = ds.summary()
        cols = st.columns(4)
        cols[0].metric("sequences", f"{summary['n']:,}")
        cols[1].metric("length (bases)", summary["length"])  # bp would say double-stranded
        if "positives" in summary:
            share = summary["positives"] / max(1, summary["n"])
            # the share in the label: a delta badge read "↑ 2.0%", as if it had risen, and
            # "4,000 (2.0%)" in the value was cut short in a quarter-width column
            cols[2].metric(f"positives ({share:.1%})", f"{summary['positives']:,}")
        elif ds.task == "multiclass":
            cols[2].metric("classes", ds.n_outputs)
        elif ds.task == "multitask-binary":
            cols[2].metric("tasks", ds.n_outputs)
        elif ds.task == "regression":
            lo, hi = np.nanmin(ds.labels), np.nanmax(ds.labels)
            cols[2].metric("label range", f"{lo:.2g} – {hi:.2g}")
        else:
            cols[2].metric("labels", "none")
        cols[3].metric("extra inputs", summary.get("extras", "none"))
    if ds.fixed_length is None and ds.task == "lm":
        lengths = ds.lengths
        st.caption(
            f"Sequence lengths differ ({lengths.min()}–{lengths.max()} bp), as they may in a "
            "pretraining corpus: pretraining cuts each sequence into chunks the model reads."
        )
    elif ds.fixed_length is None:
        lengths = ds.lengths
        st.warning(
            f"Sequence lengths differ ({lengths.min()}–{lengths.max()} bp). The models need one "
            "length, so on the Train page you choose a length: shorter sequences are padded "
            "with N and longer ones trimmed, keeping their centre."
        )


def show_preview(df: pd.DataFrame) -> None:
    st.markdown("#### Preview")
    preview_table(df)


def preview_table(df: pd.DataFrame) -> None:
    """The first :data:`PREVIEW_ROWS` rows, saying so when there are more."""
    st.dataframe(df.head(PREVIEW_ROWS), hide_index=True, height=260)
    if len(df) > PREVIEW_ROWS:
        st.caption(f"First {PREVIEW_ROWS} of {len(df):,} sequences.")


def show_kmer_spectrum(ds: Dataset) -> None:
    st.markdown("#### k-mer spectrum")
    splittable = ds.task in ("binary", "multiclass")
    c1, c2, c3 = st.columns([2, 2, 3])
    k = c1.slider("k", 1, 6, 3, key="data_kmer_k", help="Length of the words counted.")
    by_class = c2.checkbox(
        "Split by class",
        value=splittable,
        disabled=not splittable,
        key="data_kmer_by_class",
        help="Side by side per class: where motif enrichment and CpG depletion show.",
    )
    by_class = by_class and splittable
    orders = KMER_ORDERS if by_class else KMER_ORDERS[:2]
    order = c3.radio("Order", orders, horizontal=True, key="data_kmer_order")
    table = kmer_table(dataset_key(ds), ds, k, by_class)
    wide = table.pivot(index="kmer", columns="group", values="frequency")
    wide = wide.loc[table["kmer"].iloc[: 4**k], list(dict.fromkeys(table["group"]))]
    if order == KMER_ORDERS[1]:
        wide = wide.loc[wide.max(axis=1).sort_values(ascending=False, kind="stable").index]
    elif order == KMER_ORDERS[2]:
        spread = wide.max(axis=1) - wide.min(axis=1)
        wide = wide.loc[spread.sort_values(ascending=False, kind="stable").index]
    shown = wide.head(KMER_SHOWN)
    fig = grouped_bar_figure(
        list(shown.index),
        {g: shown[g].tolist() for g in shown.columns},
        f"{k}-mer frequencies" + (" by class" if by_class else ""),
        f"{k}-mer",
        "frequency",
    )
    fig.update_xaxes(tickangle=-90 if k > 2 else 0, dtick=1)
    show_figure(fig, f"{ds.name}-kmers-k{k}", table)
    sizes = table.drop_duplicates("group").set_index("group")["sequences"]
    notes = []
    if len(wide) > KMER_SHOWN:
        notes.append(f"Showing {KMER_SHOWN} of {len(wide):,} {k}-mers ({order}); the CSV has all.")
    counted = ", ".join(f"{g}: {n:,}" for g, n in sizes.items())
    each = " of each class" if by_class else ""
    notes.append(f"Sequences counted (at most the first {KMER_CAP:,}{each}): {counted}.")
    st.caption(" ".join(notes))


def logo_centre(ds: Dataset, length: int) -> int:
    """1-based position a long logo window centres on: the planted site or TSS if known."""
    truth = ds.meta.ground_truth or {}
    for key in ("boundary", "tss_index"):
        if isinstance(truth.get(key), int) and 0 <= truth[key] < length:
            return int(truth[key]) + 1
    return length // 2 + 1


def show_logo_section(ds: Dataset) -> None:
    st.markdown("#### Base composition per position")
    length = ds.fixed_length
    if length is None:
        st.info(
            "The sequences have different lengths, so their positions do not line up: a "
            "position-wise logo needs aligned sequences of one length."
        )
        return
    if length > LOGO_WHOLE_MAX:
        centre = logo_centre(ds, length)
        lo = max(1, centre - LOGO_WINDOW // 2)
        default = (lo, min(length, lo + LOGO_WINDOW))
    else:
        default = (1, length)
    groups = ["all sequences"]
    if ds.task in ("binary", "multiclass"):
        groups += class_names(ds)
    c1, c2, c3 = st.columns([3, 2, 2])
    start, end = c1.slider(
        "Positions",
        1,
        length,
        default,
        key=f"data_logo_range:{ds.name}:{length}",
        help="Long windows take a few seconds to draw the first time.",
    )
    mode = c2.radio("Height", LOGO_MODES, horizontal=True, key="data_logo_mode")
    group = c3.selectbox("Sequences", groups, key=f"data_logo_group:{ds.name}")
    matrix = composition_matrix(dataset_key(ds), ds, group).loc[start:end]
    title = f"{ds.name}: {group}, positions {start}–{end}"
    y_max: float | None = 1.0
    if mode == LOGO_MODES[1]:
        try:
            # logomaker's own transform: bits = frequency x (2 - entropy), background uniform.
            matrix = logomaker.transform_matrix(
                matrix, from_type="probability", to_type="information"
            )
            y_max = 2.0
        except logomaker.LogomakerError:
            st.warning(
                "Some positions are all N, so their information is undefined; showing "
                "probabilities instead."
            )
            mode = LOGO_MODES[0]
    images = logo_images(matrix, title, mode, y_max)
    show_logo(images, f"{ds.name}-logo-{group}-{start}-{end}-{mode.split()[0]}", matrix)
    n = len(class_sequences(ds, group != "all sequences", COMPOSITION_CAP)[group])
    st.caption(
        f"Frequencies of A, C, G and T at each position over {n:,} sequences"
        + (f" (at most the first {COMPOSITION_CAP:,})" if n == COMPOSITION_CAP else "")
        + ". Information content (bits) = frequency × (2 − entropy): tall letters mark "
        "positions that are far from random."
    )


def show_splits(ds: Dataset) -> None:
    st.markdown("#### Splits and class balance")
    preview_note = ""
    if not ds.splits:  # a file without its own split: training makes one from its seed
        ds = copy.copy(ds)
        ds.ensure_splits(0)
        preview_note = (
            " This file has no split of its own: training makes a seeded, 80/10/10 one; "
            "shown here with seed 0 (the Train page's default)."
        )
    table = split_table(ds)
    st.dataframe(table, hide_index=True)
    splits = table["split"].tolist()
    if ds.task == "binary":
        series = {
            "negatives": (table["sequences"] - table["positives"]).tolist(),
            "positives": table["positives"].tolist(),
        }
        note = "Binary splits are stratified: each keeps the same share of positives."
    else:
        groups = [c for c in table.columns if c not in ("split", "sequences")]
        series = {g: table[g].tolist() for g in groups} or {"sequences": table["sequences"]}
        note = {
            "multiclass": "Sequences per class in each split. Splits are stratified: each "
            "keeps every class in proportion.",
            "multitask-binary": "Positives per task in each split (a sequence can count for "
            "several tasks). Splits are stratified: each keeps every pattern of tasks in "
            "proportion.",
        }.get(ds.task, "Sequences in each split.")
    fig = grouped_bar_figure(splits, series, "Split sizes", "split", show_values=True)
    show_figure(fig, f"{ds.name}-splits", table)
    if site := site_note(ds.ids, ds.labels, ds.task):
        note += " " + site
    st.caption(note + preview_note)


def show_dataset(ds: Dataset) -> None:
    """The dataset in tabs; only the open tab runs (the others cost nothing)."""
    tabs = st.tabs(TABS, key="data_tab", on_change="rerun")
    if tabs[0].open:
        with tabs[0]:
            show_card(ds)
            show_preview(dataset_profile(dataset_key(ds), ds))
            explain_here("one_hot")
    if tabs[1].open:
        with tabs[1]:
            df = dataset_profile(dataset_key(ds), ds)
            c1, c2, c3 = st.columns(3)
            show_sequence_plots(df, ds.name, [c1, c2])
            with c3:
                show_label_plot(ds, df)
    if tabs[2].open:
        with tabs[2]:
            show_kmer_spectrum(ds)
            show_logo_section(ds)
            explain_here("composition")
    if tabs[3].open:
        with tabs[3]:
            explain_here("ground_truth")
            show_ground_truth(ds)
    if tabs[4].open:
        with tabs[4]:
            show_splits(ds)
