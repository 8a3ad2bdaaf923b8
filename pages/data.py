"""Data: pick a bundled or downloaded set, paste sequences, upload a file or point at a
DeepChem folder; see its card, composition, planted ground truth and splits."""

from __future__ import annotations

import hashlib
from pathlib import Path

import numpy as np
import streamlit as st

from genoviz.data import BUNDLED, DataFormatError, Dataset, infer_task, load, load_text
from genoviz.data.deepchem import METADATA, PICKLE_WARNING, is_disk_dataset
from genoviz.data.download import REMOTE, downloaded_sets
from genoviz.data.errors import UnlabelledError
from genoviz.data.extra_inputs import ignored_note
from genoviz.data.importers import UPLOAD_TYPES
from genoviz.data.tables import table_header
from genoviz.data.task_labels import class_numbering_problem
from genoviz.predict_inputs import read_inputs
from genoviz.pretrain_corpus import corpus_from_records
from genoviz.sequence_parsing import parse_sequences
from genoviz.sequences import Record, SequenceError
from pages._common import (
    ACTIVE_DATASET,
    DEFAULT_DATASET,
    DISK_MEMO,
    USER_CHOICE,
    USER_DATASET,
    bundled_dataset,
    dataset_label,
    downloaded_dataset,
    ensure_app_navigation,
    error_boundary,
    page_link,
    read_upload,
    trusted_folder,
)
from pages._data_views import profile, show_dataset, show_sequence_plots

SOURCES = ("Bundled dataset", "Paste sequences", "Upload a file", "DeepChem folder")
USER_SOURCE = "user_dataset_source"
TASK_CHOICES = ("auto", "binary", "regression", "multiclass")
PREVIEW_ROWS = 500
UPLOAD_MEMO = "data_upload_parsed"
PASTE_EXAMPLE = """>seq1
ACGTTGACTCATGCATGCAAGTCAGGT
>seq2
TTGACGTCAGGCATCGATCGATTAGCA

or one sequence per line, or a CSV with 'sequence,label' columns to train on"""


# --- sources ------------------------------------------------------------------------------


def remember(ds: Dataset, source: str) -> None:
    """Make a user dataset (and where it came from) the one the Train page uses."""
    st.session_state[USER_DATASET] = ds
    st.session_state[USER_SOURCE] = source
    st.session_state[ACTIVE_DATASET] = USER_CHOICE


def use_for_training(ds: Dataset, source: str) -> None:
    """Remember a labelled user dataset for the Train page, and say whether it can train."""
    remember(ds, source)
    loaded = f"Loaded {sequence_count(len(ds), 'labelled ')} ({ds.task})."
    if ds.task == "multiclass" and (problem := class_numbering_problem(ds.labels)):
        st.success(loaded)
        st.warning(f"{problem.capitalize()}.")
        return
    too_small = ds.too_small_to_train()
    if too_small is not None:
        st.success(loaded)
        st.warning(f"{too_small} Add sequences before training.")
        return
    st.success(f"{loaded} Train will use this dataset.")
    if ignored := ds.meta.notes.get("ignored_columns"):
        st.info(ignored_note(ignored))
    if note := class_numbers_note(ds):
        st.info(note)
    if note := ds.one_class_note():
        st.warning(note)
    if note := ds.duplicate_note():
        st.info(note)
    page_link("pages/train.py", "Go to Train", icon=":material/model_training:")


def class_numbers_note(ds: Dataset) -> str | None:
    """A hint when labels read as values are whole numbers 0, 1, 2, ... up to 20, or -1
    and 1: they may be classes, which detection cannot tell."""
    y = np.asarray(ds.labels, dtype=np.float64)
    if ds.task != "regression" or y.ndim != 1 or not len(y):
        return None
    values = np.unique(y)
    if values.tolist() == [-1.0, 1.0]:
        return (
            "The labels are −1 and 1, read as values (regression). If they name two "
            "classes, write them as 0 and 1 in the file: binary training reads 0 and 1."
        )
    if not (np.all(values == np.round(values)) and values.min() == 0 and 2 <= values.max() <= 20):
        return None
    if len(values) != values.max() + 1:  # a gap: multiclass would refuse it
        return None
    return (
        f"The labels are whole numbers from 0 to {values.max():g}, read as values "
        "(regression). If they name classes, choose **multiclass** in the Task box above."
    )


def sequence_count(n: int, kind: str = "") -> str:
    """``1 labelled sequence``, ``2 labelled sequences``."""
    return f"{n:,} {kind}sequence{'' if n == 1 else 's'}"


def choice_label(name: str) -> str:
    if name in REMOTE:
        return f"{name} (real data) — {REMOTE[name].description.split(',')[0]}"
    return dataset_label(name)


def active_bundled(names: list[str]) -> str:
    """The active dataset as the bundled box names it (a downloaded set by its name), or
    the default when the active one is not among ``names`` (a pasted or uploaded set)."""
    current = st.session_state.get(ACTIVE_DATASET, DEFAULT_DATASET)
    user = st.session_state.get(USER_DATASET)
    if (
        current == USER_CHOICE
        and user is not None
        and st.session_state.get(USER_SOURCE) == SOURCES[0]
    ):
        current = user.meta.notes.get("spec")
    return current if current in names else DEFAULT_DATASET


def bundled_section() -> None:
    real = downloaded_sets()
    names = list(BUNDLED) + real
    name = st.selectbox(
        "Dataset (bundled, or real data downloaded on this server)",
        names,
        index=names.index(active_bundled(names)),
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


def forget_trust() -> None:
    """A new folder path needs its own confirmation."""
    st.session_state["data_disk_trust"] = False


def forget_loaded_folder() -> None:
    """Unticking the trust box withdraws it: the folder is not kept as trusted."""
    if not st.session_state.get("data_disk_trust"):
        st.session_state.pop(DISK_MEMO, None)


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
    if text.strip() and trusted_folder(text.strip()):
        st.session_state["data_disk_trust"] = True  # trusted earlier in this session
    trusted = st.checkbox(
        "I trust this folder: load its pickled shards",
        key="data_disk_trust",
        help=PICKLE_WARNING,
        on_change=forget_loaded_folder,
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
    st.info(f"Your dataset **{ds.name}** ({sequence_count(len(ds))}) is loaded; Train uses it.")
    show_dataset(ds)
    return True


#: The active dataset when this page last ran (another page may change it meanwhile).
SEEN = "data_seen_active"


def main() -> None:
    st.title("Data")
    st.caption("Choose the sequences to look at and train on.")
    start = SOURCES[0]
    if st.session_state.get(ACTIVE_DATASET) == USER_CHOICE:
        start = st.session_state.get(USER_SOURCE, SOURCES[0])
    if st.session_state.get(SEEN) != st.session_state.get(ACTIVE_DATASET):
        # Another page (Train, Zoo) chose the dataset since this page last ran: show that
        # one, not the kept choice (which would make it the active dataset again).
        st.session_state["data_source"] = start if start in SOURCES else SOURCES[0]
        st.session_state["data_bundled"] = active_bundled([*BUNDLED, *downloaded_sets()])
    source = st.radio(
        "Source",
        SOURCES,
        index=SOURCES.index(start) if start in SOURCES else 0,
        horizontal=True,
        key="data_source",
    )
    try:
        with error_boundary("reading the data"):
            if source == SOURCES[0]:
                bundled_section()
            elif source == SOURCES[1]:
                paste_section()
            elif source == SOURCES[2]:
                upload_section()
            else:
                disk_section()
    finally:
        st.session_state[SEEN] = st.session_state.get(ACTIVE_DATASET)


ensure_app_navigation()
with error_boundary("showing the Data page"):
    main()
