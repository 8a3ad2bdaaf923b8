"""The Data page's pasted sequences and uploaded files: read them as a labelled dataset,
or preview sequences without labels (to score, or to pretrain a BERT on)."""

from __future__ import annotations

import hashlib

import streamlit as st

from genoviz.data import DataFormatError, Dataset, infer_task, load_text
from genoviz.data.errors import UnlabelledError
from genoviz.data.importers import UPLOAD_TYPES
from genoviz.data.tables import table_header
from genoviz.predict_inputs import read_inputs
from genoviz.pretrain_corpus import corpus_from_records
from genoviz.sequence_parsing import parse_sequences
from genoviz.sequences import Record, SequenceError
from pages._common import page_link, read_upload
from pages._data_choice import SOURCES, remember, sequence_count, show_previous, use_for_training
from pages._data_views import preview_table, profile, show_dataset, show_sequence_plots

TASK_CHOICES = ("auto", "binary", "regression", "multiclass")
UPLOAD_MEMO = "data_upload_parsed"
PASTE_EXAMPLE = """>seq1
ACGTTGACTCATGCATGCAAGTCAGGT
>seq2
TTGACGTCAGGCATCGATCGATTAGCA

or one sequence per line, or a CSV with 'sequence,label' columns to train on"""


def looks_labelled(text: str) -> str | None:
    """A file-like name for load_text when the paste is a table or a FASTA with labels,
    else None (plain sequences)."""
    if table_header(text) is not None:
        return "pasted table"
    if text.lstrip().startswith(">") and "label=" in text:
        return "pasted FASTA"
    return None


def task_box(key: str) -> str:
    """The task to read labels as: ``auto`` (detected) or one chosen."""
    return st.selectbox(
        "Task",
        TASK_CHOICES,
        format_func=lambda t: "detect from the labels" if t == "auto" else t,
        key=key,
        help="binary: labels 0/1 (e.g. bound or not); regression: any number (e.g. "
        "efficacy); multiclass: class numbers 0, 1, 2, … (e.g. donor, acceptor, neither), "
        "which detection would read as numbers.",
    )


def paste_section() -> None:
    text = st.text_area(
        "Sequences (FASTA, GenBank, one per line, or a CSV with sequence and label columns)",
        height=220,
        placeholder=PASTE_EXAMPLE,
        key="data_paste",
    )
    task = task_box("data_paste_task")
    if not text:
        if not show_previous(SOURCES[1]):
            st.info("Paste sequences above, then press Ctrl+Enter (or click outside the box).")
        return
    labelled_name = looks_labelled(text)
    if labelled_name is not None:
        try:
            ds = load_text(text, labelled_name, task=None if task == "auto" else task)
        except UnlabelledError as e:  # a table of sequences without labels
            st.warning(str(e))
            preview_unlabelled(unlabelled_records(text, labelled_name), "pasted", SOURCES[1])
            return
        use_for_training(ds, SOURCES[1])
        show_dataset(ds)
        return
    preview_unlabelled(parse_sequences(text), "pasted", SOURCES[1])


def unlabelled_records(text: str, name: str) -> list[Record]:
    """The sequences of a table or FASTA without labels, as Predict reads them (an
    ``id,sequence`` table too; errors name the line)."""
    inputs = read_inputs(text, name)
    return [Record(i, seq) for i, seq in zip(inputs.ids, inputs.seqs, strict=True)]


def preview_unlabelled(records: list[Record], name: str, source: str) -> None:
    """Table and plots for sequences without labels (they can be scored, not trained on)."""
    df = profile([r.sequence for r in records], [r.id for r in records])
    st.success(f"Read {len(records):,} sequence(s).")
    st.info(
        "These sequences have no labels: you can look at them here, score them on the "
        "Predict page, or pretrain a BERT on them (masked-token modelling needs no labels). "
        "To train a classifier, give labels: a FASTA header like `>seq1 label=1`, a "
        "CSV with `sequence,label` columns, or for GenBank a labels file on the command line "
        "(`train --labels`)."
    )
    if st.button(
        "Pretrain a BERT on these sequences",
        key="data_use_corpus",
        icon=":material/school:",
        help="The Train page then offers kmer-bert pretraining on them.",
    ):
        corpus = corpus_from_records(records, name)
        remember(corpus, source)
        st.success(
            f"Loaded {sequence_count(len(corpus))} as a pretraining corpus. Train will "
            "pretrain a BERT on them."
        )
        page_link("pages/train.py", "Go to Train", icon=":material/model_training:")
    preview_table(df)
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
        "CSV/TSV (columns sequence, label; optional id, weight, numeric extras), FASTA "
        "with label= in the headers, or GenBank (to look at or pretrain on); .gz allowed",
        type=UPLOAD_TYPES,
        key="data_upload",
    )
    task = task_box("data_task")
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
    except UnlabelledError as e:
        try:  # a table, FASTA or one sequence per line without labels: worth a look
            records = unlabelled_records(text, up.name)
        except (SequenceError, DataFormatError):
            raise e from None
        st.warning(str(e))
        preview_unlabelled(records, up.name, SOURCES[2])
        return
    inferred = ds.task
    if task != "auto" and task != inferred:
        if task == "binary" and infer_task(ds.labels) != "binary":
            raise DataFormatError(
                f"{up.name}: the labels are not all 0 or 1, so the task cannot be binary; "
                "choose regression, or relabel the file with 0 and 1."
            )
        ds = parse_upload(text, up.name, task)
    # said once the chosen task has read the labels (a refused one said "using" it)
    st.caption(f"Inferred task: **{inferred}**" + ("" if task == "auto" else f"; using **{task}**"))
    use_for_training(ds, SOURCES[2])
    show_dataset(ds)
