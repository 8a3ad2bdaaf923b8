"""Data: pick a bundled set, paste sequences or upload a file; see its card and plots."""

from __future__ import annotations

import numpy as np
import pandas as pd
import streamlit as st

from genoviz.data import BUNDLED, DataFormatError, Dataset, infer_task, load_text
from genoviz.plots import bar_figure, histogram_figure
from genoviz.sequences import Record, SequenceError, gc_content, parse_sequences
from pages._common import (
    ACTIVE_DATASET,
    DEFAULT_DATASET,
    USER_CHOICE,
    USER_DATASET,
    bundled_dataset,
    dataset_label,
    ensure_app_navigation,
    error_boundary,
    page_link,
    read_upload,
    show_figure,
)

SOURCES = ("Bundled dataset", "Paste sequences", "Upload a file")
USER_SOURCE = "user_dataset_source"
TASK_CHOICES = ("auto", "binary", "regression")
PREVIEW_ROWS = 500
PASTE_EXAMPLE = """>seq1
ACGTTGACTCATGCATGCAAGTCAGGT
>seq2
TTGACGTCAGGCATCGATCGATTAGCA

or one sequence per line, or a CSV with 'sequence,label' columns to train on"""


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


@st.cache_data(show_spinner=False)
def bundled_profile(name: str) -> pd.DataFrame:
    ds = bundled_dataset(name)
    return dataset_table(ds)


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


@st.cache_data(max_entries=4, show_spinner="Reading the file…")
def load_text_cached(text: str, name: str, task: str | None) -> Dataset:
    return load_text(text, name, task=task)


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
        truth = meta.ground_truth or {}
        if truth.get("instances") is not None:
            motifs = ", ".join(f"{k} ({v})" for k, v in (truth.get("motifs") or {}).items())
            st.markdown(
                f"**Ground truth.** {len(truth['instances']):,} planted motif instances"
                + (f" from {motifs}" if motifs else "")
                + ", kept for checking what a model learns."
            )
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
            cols[2].metric("classes", len(np.unique(ds.labels)))
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


def show_dataset(ds: Dataset, df: pd.DataFrame) -> None:
    show_card(ds)
    st.markdown("#### Preview")
    st.dataframe(df.head(PREVIEW_ROWS), hide_index=True, height=260)
    if len(df) > PREVIEW_ROWS:
        st.caption(f"First {PREVIEW_ROWS} of {len(df):,} sequences.")
    c1, c2, c3 = st.columns(3)
    show_sequence_plots(df, ds.name, [c1, c2])
    with c3:
        show_label_plot(ds, df)


def use_for_training(ds: Dataset, source: str) -> None:
    """Remember a user dataset (and where it came from) for the Train page."""
    st.session_state[USER_DATASET] = ds
    st.session_state[USER_SOURCE] = source
    st.session_state[ACTIVE_DATASET] = USER_CHOICE
    st.success(f"Loaded {len(ds):,} labelled sequences ({ds.task}). Train will use this dataset.")
    page_link("pages/train.py", "Go to Train", icon=":material/model_training:")


def bundled_section() -> None:
    names = list(BUNDLED)
    current = st.session_state.get(ACTIVE_DATASET, DEFAULT_DATASET)
    name = st.selectbox(
        "Bundled dataset",
        names,
        index=names.index(current) if current in names else names.index(DEFAULT_DATASET),
        format_func={n: dataset_label(n) for n in names}.__getitem__,
        key="data_bundled",
    )
    st.session_state[ACTIVE_DATASET] = name
    show_dataset(bundled_dataset(name), bundled_profile(name))


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
        show_dataset(ds, dataset_table(ds))
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
            st.info("Upload a file to see its card and plots.")
        return
    text = read_upload(up.getvalue(), up.name)
    try:
        ds = load_text_cached(text, up.name, None)
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
        ds = load_text_cached(text, up.name, task)
    use_for_training(ds, SOURCES[2])
    show_dataset(ds, dataset_table(ds))


def show_previous(source: str) -> bool:
    """When the input is empty, show the dataset loaded earlier from this source."""
    ds = st.session_state.get(USER_DATASET)
    if ds is None or st.session_state.get(USER_SOURCE) != source:
        return False
    st.session_state[ACTIVE_DATASET] = USER_CHOICE
    st.info(f"Your dataset **{ds.name}** ({len(ds):,} sequences) is loaded; Train uses it.")
    show_dataset(ds, dataset_table(ds))
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
        else:
            upload_section()


ensure_app_navigation()
with error_boundary("showing the Data page"):
    main()
