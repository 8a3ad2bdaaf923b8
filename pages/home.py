"""Home: what genoviz is, a three-step quick start, and the device in use."""

from __future__ import annotations

import streamlit as st
from streamlit.errors import StreamlitAPIException

from genoviz.data import BUNDLED
from genoviz.training import select_device
from pages._common import ensure_app_navigation, error_boundary, explain_here, page_link
from pages._keep import forget

LESSON_KEYS = (
    "lesson_step",
    "lesson_seq",
    "lesson_own",
    "lesson_window",
    "lesson_pos",
    "lesson_filter",
    "lesson_word",
)


def start_lesson() -> None:
    """Open the lesson at step 1 (the dataset keeps whatever was chosen before)."""
    for key in LESSON_KEYS:
        forget(st.session_state, key)
    st.session_state["lesson_step"] = 1


def main() -> None:
    st.title("genoviz")
    st.markdown(
        "Deep learning on DNA sequences, in the browser. Load a set of sequences with "
        "labels (bound or not, an efficacy), train a small neural network on them, watch "
        "it learn, and score new sequences. Bundled simulated sets let you start at once; "
        "your own CSV, TSV or FASTA files work the same way."
    )
    st.subheader("Quick start")
    c1, c2, c3 = st.columns(3)
    with c1, st.container(border=True):
        st.markdown(
            "**1. Data**  \nPick a bundled dataset (`tf-binding` is ready) or upload "
            "your own file, and look at its card and plots."
        )
        page_link("pages/data.py", "Open Data", icon=":material/dataset:")
    with c2, st.container(border=True):
        st.markdown(
            "**2. Train**  \nChoose a model (the recommended one is first), press "
            "**Start training** and watch the loss and score curves (ROC AUC, Pearson r, …) live."
        )
        page_link("pages/train.py", "Open Train", icon=":material/model_training:")
    with c3, st.container(border=True):
        st.markdown(
            "**3. Predict**  \nPick the saved run, paste or upload new sequences and "
            "download the predictions as CSV."
        )
        page_link("pages/predict.py", "Open Predict", icon=":material/online_prediction:")
    st.subheader("Teaching")
    with st.container(border=True):
        st.markdown(
            "**Lesson mode** walks a class through five steps: a dataset with planted "
            "motifs, one-hot encoding of a sequence, a convolution filter scanning it, "
            "training live, and the learned motifs next to the planted ones. Every step "
            "has its own link (the address bar), so you can share any of them."
        )
        if st.button(
            "Start the lesson", key="home_lesson", type="primary", icon=":material/school:"
        ):
            start_lesson()
            try:
                st.switch_page("pages/lesson.py")
            except StreamlitAPIException:
                st.info("Open Lesson in the page menu.")
    for key in ("one_hot", "conv_filter"):
        explain_here(key)
    st.subheader("Bundled datasets")
    for spec in BUNDLED.values():
        st.markdown(f"- **{spec.name}** ({spec.task}): {spec.summary}")
    device = select_device("auto")
    st.caption(
        f"Device in use: **{device}**"
        + (
            ""
            if device.type != "cpu"
            else " (no GPU found; the bundled sets train in minutes on a CPU)"
        )
    )


ensure_app_navigation()
with error_boundary("showing the Home page"):
    main()
