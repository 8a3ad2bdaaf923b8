"""Which dataset the session uses: remember a dataset loaded on the Data page (and which
source it came from) for the Train page, say whether it can train, and show the one
loaded earlier."""

from __future__ import annotations

import numpy as np
import streamlit as st

from genoviz.data import Dataset
from genoviz.data.extra_inputs import ignored_note
from genoviz.data.task_labels import class_numbering_problem
from pages._common import ACTIVE_DATASET, USER_CHOICE, USER_DATASET, page_link
from pages._data_views import show_dataset

SOURCES = ("Bundled dataset", "Paste sequences", "Upload a file", "DeepChem folder")
USER_SOURCE = "user_dataset_source"


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


def show_previous(source: str) -> bool:
    """When the input is empty, show the dataset loaded earlier from this source."""
    ds = st.session_state.get(USER_DATASET)
    if ds is None or st.session_state.get(USER_SOURCE) != source:
        return False
    st.session_state[ACTIVE_DATASET] = USER_CHOICE
    st.info(f"Your dataset **{ds.name}** ({sequence_count(len(ds))}) is loaded; Train uses it.")
    show_dataset(ds)
    return True
