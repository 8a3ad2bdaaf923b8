"""Lesson: five guided steps from a dataset with planted truth to what a CNN learned.

Each step is a page state (``lesson_step``, also in the URL as ``step``), so a teacher can
share a link to any step. The steps are drawn by pages/_lesson_steps.py; the science is in
:mod:`genoviz.lesson`.
"""

from __future__ import annotations

import streamlit as st

from genoviz.lesson import LESSON_EPOCHS, STEPS, example_index, lesson_datasets
from genoviz.share import LESSON_MAX_EPOCHS, MAX_WORD, Setup
from pages._common import bundled_dataset, ensure_app_navigation, error_boundary
from pages._keep import forget
from pages._lesson_state import (
    DATASET,
    EPOCHS,
    FILTER,
    JOB,
    POS,
    SEED,
    SEQ,
    STEP,
    WORD,
    WORD_FILTER,
    WORD_FILTER_INDEX,
    go,
)
from pages._lesson_steps import STEP_VIEWS, filter_options
from pages._links import copy_link_button, link_setup, reattach_job, sync_link

# --- state --------------------------------------------------------------------------------


def init_state() -> None:
    """Set defaults, then a shared link (once) on top. The steps' values outlive the steps
    and pages that do not show them: ``app.py`` keeps them (``pages/_keep.py``)."""
    names = lesson_datasets()
    st.session_state.setdefault(DATASET, "tf-binding" if "tf-binding" in names else names[0])
    st.session_state.setdefault(STEP, 1)
    st.session_state.setdefault(SEED, 0)
    st.session_state.setdefault(EPOCHS, LESSON_EPOCHS)
    decoded = link_setup("lesson")
    if decoded is None:
        return
    for problem in decoded.problems:
        st.warning(problem)
    s = decoded.setup
    if s.dataset is not None and s.dataset in names:
        st.session_state[DATASET] = s.dataset
    elif s.dataset is not None:
        st.warning(f"The lesson needs a DNA dataset a model can train on, not {s.dataset}.")
    epochs = s.epochs
    if epochs is not None and epochs > LESSON_MAX_EPOCHS:
        st.warning(
            f"The link asks for {epochs} epochs; a lesson trains at most {LESSON_MAX_EPOCHS}, "
            f"so the default {LESSON_EPOCHS} is used."
        )
        epochs = None
    for key, value in ((STEP, s.step), (SEED, s.seed), (EPOCHS, epochs), (SEQ, s.seq)):
        if value is not None:
            st.session_state[key] = value
    if s.filter is not None:
        st.session_state["lesson_filter_index"] = s.filter
    if s.word is not None:  # the scan view shows the typed word (the last filter choice)
        st.session_state[WORD] = s.word
        st.session_state["lesson_filter_index"] = WORD_FILTER_INDEX
    if s.pos is not None:
        st.session_state[POS] = s.pos + 1


def typed_word() -> str | None:
    """The scan's typed word as a link carries it (None when it is not a plain DNA word)."""
    word = str(st.session_state.get(WORD, "")).strip().upper()
    return word if word and len(word) <= MAX_WORD and not set(word) - set("ACGT") else None


def on_dataset_change() -> None:
    """A new dataset: its own example sequence, and the scan starts at the left."""
    for key in (SEQ, POS, "lesson_filter_index", FILTER):
        forget(st.session_state, key)


# --- page ---------------------------------------------------------------------------------


def nav_buttons(step: int, where: str) -> None:
    row = st.container(horizontal=True, gap="small")
    row.button(
        "Back",
        key=f"lesson_back_{where}",
        on_click=go,
        args=(step - 1,),
        disabled=step == 1,
        icon=":material/arrow_back:",
    )
    row.button(
        "Next",
        key=f"lesson_next_{where}",
        on_click=go,
        args=(step + 1,),
        disabled=step == len(STEPS),
        type="primary",
        icon=":material/arrow_forward:",
    )


def main() -> None:
    st.title("Lesson: how a CNN reads DNA")
    init_state()
    reattach_job(JOB, "lesson")  # after a reload, the training this address bar started
    names = lesson_datasets()
    st.selectbox("Dataset", names, key=DATASET, on_change=on_dataset_change)
    ds = bundled_dataset(st.session_state[DATASET])
    if SEQ not in st.session_state:
        st.session_state[SEQ] = example_index(ds)
    st.session_state[SEQ] = max(0, min(int(st.session_state[SEQ]), len(ds) - 1))
    step = int(st.session_state[STEP])
    st.progress(step / len(STEPS), text=f"Step {step} of {len(STEPS)}")
    st.header(f"{step}. {STEPS[step - 1]}")
    with error_boundary(f"showing lesson step {step}"):
        STEP_VIEWS[step - 1](ds)
    st.divider()
    nav_buttons(step, "bottom")
    filter_names = list(filter_options(ds)) if step == 3 else []
    chosen = st.session_state.get(FILTER)
    setup = Setup(
        dataset=ds.name,
        seed=int(st.session_state[SEED]),
        epochs=int(st.session_state[EPOCHS]),
        seq=int(st.session_state[SEQ]),
        step=step,
        # the typed word travels as itself (word=), not as a place in a list that
        # training changes
        filter=filter_names.index(chosen)
        if chosen in filter_names and chosen != WORD_FILTER
        else None,
        pos=int(st.session_state[POS]) - 1 if step == 3 and POS in st.session_state else None,
        word=typed_word() if step == 3 and chosen == WORD_FILTER else None,
    )
    url = sync_link("lesson", setup, st.session_state.get(JOB))
    copy_link_button(url, key="lesson_copy_link")


ensure_app_navigation()
with error_boundary("showing the Lesson page"):
    main()
