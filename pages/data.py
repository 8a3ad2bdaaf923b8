"""Data: pick a bundled or downloaded set, paste sequences, upload a file or point at a
DeepChem folder; see its card, composition, planted ground truth and splits."""

from __future__ import annotations

import copy
import hashlib
from pathlib import Path
from typing import Any

import logomaker
import numpy as np
import pandas as pd
import streamlit as st

from genoviz.data import BUNDLED, DataFormatError, Dataset, infer_task, load, load_text
from genoviz.data.deepchem import METADATA, PICKLE_WARNING, is_disk_dataset
from genoviz.data.download import REMOTE, downloaded_sets
from genoviz.data.stats import (
    ground_truth_table,
    kmer_spectrum,
    position_composition,
    split_table,
)
from genoviz.plots import bar_figure, grouped_bar_figure, histogram_figure, stacked_histogram_figure
from genoviz.sequences import ALPHABET, Record, SequenceError, gc_content, parse_sequences
from pages._common import (
    ACTIVE_DATASET,
    DEFAULT_DATASET,
    USER_CHOICE,
    USER_DATASET,
    bundled_dataset,
    dataset_label,
    downloaded_dataset,
    ensure_app_navigation,
    error_boundary,
    logo_images,
    page_link,
    read_upload,
    show_figure,
    show_logo,
)

SOURCES = ("Bundled dataset", "Paste sequences", "Upload a file", "DeepChem folder")
USER_SOURCE = "user_dataset_source"
TASK_CHOICES = ("auto", "binary", "regression")
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
TRUTH_ROWS = 500
UPLOAD_MEMO = "data_upload_parsed"
DISK_MEMO = "data_disk_loaded"
PASTE_EXAMPLE = """>seq1
ACGTTGACTCATGCATGCAAGTCAGGT
>seq2
TTGACGTCAGGCATCGATCGATTAGCA

or one sequence per line, or a CSV with 'sequence,label' columns to train on"""


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
        fig = histogram_figure(df["length"], "Sequence length", "length (bp)")
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


def truth_line(truth: dict[str, Any]) -> str:
    """One sentence about the planted ground truth for the card (never the raw dict)."""
    if truth.get("instances") is not None:
        motifs = ", ".join(f"{k} ({v})" for k, v in (truth.get("motifs") or {}).items())
        return (
            f"**Ground truth.** {len(truth['instances']):,} planted motif instances"
            + (f" from {motifs}" if motifs else "")
            + ", kept for checking what a model learns."
        )
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
            st.markdown(truth_line(meta.ground_truth))
        summary = ds.summary()
        cols = st.columns(4)
        cols[0].metric("sequences", f"{summary['n']:,}")
        cols[1].metric("length (bp)", summary["length"])
        if "positives" in summary:
            share = summary["positives"] / max(1, summary["n"])
            cols[2].metric(
                "positives", f"{summary['positives']:,}", f"{share:.1%}", delta_color="off"
            )
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
    if ds.fixed_length is None:
        lengths = ds.lengths
        st.warning(
            f"Sequence lengths differ ({lengths.min()}–{lengths.max()} bp). The models need one "
            "length, so on the Train page you choose a length: shorter sequences are padded "
            "with N and longer ones trimmed, keeping their centre."
        )


def show_preview(df: pd.DataFrame) -> None:
    st.markdown("#### Preview")
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


# --- ground truth -------------------------------------------------------------------------

GROUP_COLUMNS = ("task", "element", "site", "role", "kind", "motif", "motif_id")
POSITION_COLUMNS = ("start", "boundary", "ebox_start")


def stored_tables(truth: dict[str, Any]) -> dict[str, list[str]]:
    """Row lists stored with their column names, other than ``instances`` (which
    :func:`ground_truth_table` reads): rows key -> column names. ``columns`` names the rows
    of the one list whose rows have that many fields (splice ``sites``);
    ``composite_columns`` those of ``composites``."""
    out: dict[str, list[str]] = {}
    for key, cols in truth.items():
        if not key.endswith("columns") or not isinstance(cols, list):
            continue
        prefix = key[: -len("columns")].rstrip("_")
        matches = [
            k
            for k, v in truth.items()
            if k != key
            and not k.endswith("_pfm")
            and (not prefix or k.startswith(prefix))
            and isinstance(v, list)
            and v
            and isinstance(v[0], list | tuple)
            and len(v[0]) == len(cols)
        ]
        if len(matches) == 1 and matches[0] != "instances":
            out[matches[0]] = cols
    return out


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
                f"{pos} (0-based position in the sequence)",
                nbins=50,
            )
            cols = [c for c in ("id", by, pos) if c and c in df]
            show_figure(fig, f"{name}-{what}-positions", df[cols])
    st.dataframe(df.head(TRUTH_ROWS), hide_index=True, height=240)
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


def per_sequence_table(ds: Dataset, truth: dict[str, Any]) -> pd.DataFrame:
    """Ground-truth lists with one value per sequence (promoter kind, proteins), by id."""
    keys = [
        k
        for k, v in truth.items()
        if isinstance(v, list) and len(v) == len(ds) and v and not isinstance(v[0], list | dict)
    ]
    if not keys:
        return pd.DataFrame()
    df = pd.DataFrame({"id": ds.ids})
    if ds.task in ("binary", "multiclass", "regression") and ds.labels.ndim == 1:
        df["label"] = ds.labels
    for k in keys:
        df[k] = truth[k]
    return df


def flatten(value: Any, path: tuple[str, ...] = ()) -> list[tuple[tuple[str, ...], Any]]:
    """A nested mapping as (path, leaf) pairs, e.g. codon usage per species and amino acid."""
    if isinstance(value, dict):
        return [row for k, v in value.items() for row in flatten(v, (*path, str(k)))]
    return [(path, value)]


def preview(value: Any, width: int = 90) -> str:
    text = value if isinstance(value, str) else repr(value)
    return text if len(text) <= width else text[: width - 1] + "…"


def describe(key: str, value: Any, n: int) -> dict[str, str]:
    """One row of the summary of everything stored as ground truth."""
    if isinstance(value, dict):
        what, size, first = "mapping", f"{len(value):,} entries", list(value.items())[:3]
    elif isinstance(value, list) and value and isinstance(value[0], list | tuple):
        what, size, first = "rows", f"{len(value):,} × {len(value[0])}", value[0]
    elif isinstance(value, list):
        what = "one per sequence" if len(value) == n else "list"
        size, first = f"{len(value):,}", value[:3]
    else:
        what, size, first = "value", "", value
    return {"key": key, "what": what, "size": size, "first values": preview(first)}


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
        df = pd.DataFrame(truth[key], columns=cols)
        if "index" in df and ds.ids is not None:
            df.insert(1, "id", [ds.ids[i] for i in df["index"]])
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
    summary = pd.DataFrame([describe(k, v, len(ds)) for k, v in truth.items()])
    st.dataframe(summary, hide_index=True)


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
            "multiclass": "Sequences per class in each split.",
            "multitask-binary": "Positives per task in each split (a sequence can count for "
            "several tasks).",
        }.get(ds.task, "Sequences in each split.")
    fig = grouped_bar_figure(splits, series, "Split sizes", "split", show_values=True)
    show_figure(fig, f"{ds.name}-splits", table)
    st.caption(note + preview_note)


def show_dataset(ds: Dataset) -> None:
    """The dataset in tabs; only the open tab runs (the others cost nothing)."""
    tabs = st.tabs(TABS, key="data_tab", on_change="rerun")
    if tabs[0].open:
        with tabs[0]:
            show_card(ds)
            show_preview(dataset_profile(dataset_key(ds), ds))
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
    if tabs[3].open:
        with tabs[3]:
            show_ground_truth(ds)
    if tabs[4].open:
        with tabs[4]:
            show_splits(ds)


# --- sources ------------------------------------------------------------------------------


def use_for_training(ds: Dataset, source: str) -> None:
    """Remember a user dataset (and where it came from) for the Train page."""
    st.session_state[USER_DATASET] = ds
    st.session_state[USER_SOURCE] = source
    st.session_state[ACTIVE_DATASET] = USER_CHOICE
    st.success(f"Loaded {len(ds):,} labelled sequences ({ds.task}). Train will use this dataset.")
    page_link("pages/train.py", "Go to Train", icon=":material/model_training:")


def choice_label(name: str) -> str:
    if name in REMOTE:
        return f"{name} (real data) — {REMOTE[name].description.split(',')[0]}"
    return dataset_label(name)


def bundled_section() -> None:
    real = downloaded_sets()
    names = list(BUNDLED) + real
    current = st.session_state.get(ACTIVE_DATASET, DEFAULT_DATASET)
    user = st.session_state.get(USER_DATASET)
    if (
        current == USER_CHOICE
        and user is not None
        and st.session_state.get(USER_SOURCE) == SOURCES[0]
    ):
        current = user.meta.notes.get("spec")
    name = st.selectbox(
        "Dataset (bundled, or real data downloaded on this server)",
        names,
        index=names.index(current) if current in names else names.index(DEFAULT_DATASET),
        format_func=choice_label,
        key="data_bundled",
    )
    if not real:
        st.caption(
            "Real data: run `python -m genoviz download deepchem-jund` (or `deepchem-sirna`) "
            "on this server, then reload the page, to add the DeepChem book's real sets here."
        )
    if name in BUNDLED:
        st.session_state[ACTIVE_DATASET] = name
        show_dataset(bundled_dataset(name))
    else:
        ds = downloaded_dataset(name)
        use_for_training(ds, SOURCES[0])
        show_dataset(ds)


def looks_labelled(text: str) -> str | None:
    """A file-like name for load_text when the paste carries labels, else None."""
    first = text.lstrip().split("\n", 1)[0].lower()
    if "sequence" in first and ("," in first or "\t" in first):
        return "pasted table"
    if first.startswith(">") and "label=" in text:
        return "pasted FASTA"
    return None


def paste_section() -> None:
    text = st.text_area(
        "Sequences (FASTA, one per line, or a CSV with sequence and label columns)",
        height=220,
        placeholder=PASTE_EXAMPLE,
        key="data_paste",
    )
    if not text:
        if not show_previous(SOURCES[1]):
            st.info("Paste sequences above, then press Ctrl+Enter (or click outside the box).")
        return
    labelled_name = looks_labelled(text)
    if labelled_name is not None:
        ds = load_text(text, labelled_name)
        use_for_training(ds, SOURCES[1])
        show_dataset(ds)
        return
    preview_unlabelled(parse_sequences(text), "pasted")


def preview_unlabelled(records: list[Record], name: str) -> None:
    """Table and plots for sequences without labels (they can be scored, not trained on)."""
    df = profile([r.sequence for r in records], [r.id for r in records])
    st.success(f"Read {len(records):,} sequence(s).")
    st.info(
        "These sequences have no labels: you can look at them here and score them on the "
        "Predict page. To train, give labels: a FASTA header like `>seq1 label=1`, or a "
        "CSV with `sequence,label` columns."
    )
    st.dataframe(df.head(PREVIEW_ROWS), hide_index=True, height=260)
    show_sequence_plots(df, name)


def parse_upload(text: str, name: str, task: str | None) -> Dataset:
    """``load_text`` with a progress bar; remembered in the session, so reruns (a widget
    click) do not parse the file again. Failures are not remembered."""
    memo: dict[tuple, Dataset] = st.session_state.setdefault(UPLOAD_MEMO, {})
    key = (name, task, hashlib.sha1(text.encode()).hexdigest())
    if key not in memo:
        bar = st.progress(0.0, text=f"Reading {name}…")

        def progress(fraction: float) -> None:
            fraction = min(max(float(fraction), 0.0), 1.0)
            bar.progress(fraction, text=f"Reading {name}: {fraction:.0%}")

        try:
            ds = load_text(text, name, task=task, progress=progress)
        finally:
            bar.empty()
        while len(memo) >= 2:  # the file with and without a task override
            memo.pop(next(iter(memo)))
        memo[key] = ds
    return memo[key]


def upload_section() -> None:
    up = st.file_uploader(
        "CSV/TSV (columns sequence, label; optional id, weight, numeric extras) or FASTA "
        "with label= in the headers; .gz allowed",
        type=["csv", "tsv", "txt", "fa", "fasta", "fna", "fas", "gz"],
        key="data_upload",
    )
    task = st.selectbox(
        "Task",
        TASK_CHOICES,
        format_func=lambda t: "detect from the labels" if t == "auto" else t,
        key="data_task",
        help="binary: labels 0/1 (e.g. bound or not); regression: any number (e.g. efficacy).",
    )
    if up is None:
        if not show_previous(SOURCES[2]):
            st.info(
                "Upload a file to see its card and plots. A DeepChem DiskDataset is a folder: "
                "choose **DeepChem folder** above."
            )
        return
    text = read_upload(up.getvalue(), up.name)
    try:
        ds = parse_upload(text, up.name, None)
    except DataFormatError as e:
        try:  # plain FASTA or one sequence per line: no labels, but worth a look
            records = parse_sequences(text)
        except SequenceError:
            raise e from None
        st.warning(str(e))
        preview_unlabelled(records, up.name)
        return
    inferred = ds.task
    st.caption(f"Inferred task: **{inferred}**" + ("" if task == "auto" else f"; using **{task}**"))
    if task != "auto" and task != inferred:
        if task == "binary" and infer_task(ds.labels) != "binary":
            raise DataFormatError(
                f"{up.name}: the labels are not all 0 or 1, so the task cannot be binary; "
                "choose regression, or relabel the file with 0 and 1."
            )
        ds = parse_upload(text, up.name, task)
    use_for_training(ds, SOURCES[2])
    show_dataset(ds)


def forget_trust() -> None:
    """A new folder path needs its own confirmation."""
    st.session_state["data_disk_trust"] = False


def disk_section() -> None:
    st.caption(
        "A browser cannot upload a folder. When genoviz runs on your own computer (or you "
        "can put files on its server), type the folder's path here."
    )
    text = st.text_input(
        "Path to a DeepChem DiskDataset folder on this server",
        key="data_disk_path",
        placeholder="/path/to/train_dataset",
        on_change=forget_trust,
    )
    trusted = st.checkbox(
        "I trust this folder: load its pickled shards",
        key="data_disk_trust",
        help=PICKLE_WARNING,
    )
    if not text.strip():
        if not show_previous(SOURCES[3]):
            st.info(
                f"A DiskDataset folder holds `{METADATA}` and `shard-*.joblib` files. "
                f"{PICKLE_WARNING} So genoviz loads one only after you tick the box."
            )
        return
    path = Path(text.strip()).expanduser()
    if not path.exists():
        raise DataFormatError(f"there is no file or folder {path} on this server")
    if not path.is_dir():
        raise DataFormatError(
            f"{path} is a file, not a folder; use **Upload a file** for CSV, TSV and FASTA"
        )
    if not is_disk_dataset(path):
        raise DataFormatError(
            f"{path} is a folder but not a DeepChem DiskDataset: it has no {METADATA}"
        )
    if not trusted:
        st.warning(
            f"**Not loaded.** {PICKLE_WARNING} Tick *I trust this folder* to load {path.name}."
        )
        return
    key = str(path.resolve())
    memo = st.session_state.get(DISK_MEMO)
    if memo is None or memo[0] != key:
        with st.spinner(f"Loading {path.name}…"):
            memo = (key, load(path, trust=True))  # load_disk_dataset(path, trust=True), split
        st.session_state[DISK_MEMO] = memo
    ds = memo[1]
    use_for_training(ds, SOURCES[3])
    show_dataset(ds)


def show_previous(source: str) -> bool:
    """When the input is empty, show the dataset loaded earlier from this source."""
    ds = st.session_state.get(USER_DATASET)
    if ds is None or st.session_state.get(USER_SOURCE) != source:
        return False
    st.session_state[ACTIVE_DATASET] = USER_CHOICE
    st.info(f"Your dataset **{ds.name}** ({len(ds):,} sequences) is loaded; Train uses it.")
    show_dataset(ds)
    return True


def main() -> None:
    st.title("Data")
    st.caption("Choose the sequences to look at and train on.")
    start = SOURCES[0]
    if st.session_state.get(ACTIVE_DATASET) == USER_CHOICE:
        start = st.session_state.get(USER_SOURCE, SOURCES[0])
    source = st.radio(
        "Source", SOURCES, index=SOURCES.index(start), horizontal=True, key="data_source"
    )
    with error_boundary("reading the data"):
        if source == SOURCES[0]:
            bundled_section()
        elif source == SOURCES[1]:
            paste_section()
        elif source == SOURCES[2]:
            upload_section()
        else:
            disk_section()


ensure_app_navigation()
with error_boundary("showing the Data page"):
    main()
