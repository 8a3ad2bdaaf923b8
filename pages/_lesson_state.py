"""The Lesson's session-state keys and the move between steps (shared by pages/lesson.py,
pages/_lesson_steps.py and pages/_lesson_training.py)."""

from __future__ import annotations

import streamlit as st

from genoviz.lesson import STEPS
from pages._common import LESSON_JOB

STEP = "lesson_step"
DATASET = "lesson_dataset"
SEQ = "lesson_seq"
OWN = "lesson_own"
FILTER = "lesson_filter"
WORD = "lesson_word"
#: The scan's own filter, typed as a word; the last of the filter choices.
WORD_FILTER = "a word you type"
WORD_FILTER_INDEX = -1
POS = "lesson_pos"
SEED = "lesson_seed"
EPOCHS = "lesson_epochs"
JOB = LESSON_JOB
MOTIFS_MEMO = "lesson_motifs_memo"
#: (dataset, epochs, seed) whose saved lesson run was last looked for on disk.
LOOKED = "lesson_saved_looked"


def go(step: int) -> None:
    st.session_state[STEP] = max(1, min(len(STEPS), step))
