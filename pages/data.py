"""Data: pick a bundled or downloaded set, paste sequences, upload a file or point at a
DeepChem folder; see its card, composition, planted ground truth and splits."""

from __future__ import annotations

from pathlib import Path

import streamlit as st

from genoviz.data import BUNDLED, DataFormatError, load
from genoviz.data.deepchem import METADATA, PICKLE_WARNING, is_disk_dataset
from genoviz.data.download import REMOTE, downloaded_sets
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
    trusted_folder,
)
from pages._data_choice import SOURCES, USER_SOURCE, show_previous, use_for_training
from pages._data_paste_upload import paste_section, upload_section
from pages._data_views import show_dataset

# --- sources ------------------------------------------------------------------------------


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
