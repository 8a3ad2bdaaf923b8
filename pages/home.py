"""Home: what genoviz is, a three-step quick start, and the device in use."""

from __future__ import annotations

import streamlit as st

from genoviz.data import BUNDLED
from genoviz.training import select_device
from pages._common import ensure_app_navigation, error_boundary, page_link


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
            "**Start training** and watch the loss and ROC AUC curves live."
        )
        page_link("pages/train.py", "Open Train", icon=":material/model_training:")
    with c3, st.container(border=True):
        st.markdown(
            "**3. Predict**  \nPick the saved run, paste or upload new sequences and "
            "download the predictions as CSV."
        )
        page_link("pages/predict.py", "Open Predict", icon=":material/online_prediction:")
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
