"""Interpret: which bases drive a prediction (saliency), what every substitution does
(in-silico mutagenesis), and the effect of named variants."""

from __future__ import annotations

import streamlit as st

from genoviz.interpret.attribution_methods import USES_BASELINE
from genoviz.interpret.inputs import is_token_run
from genoviz.runs import Run
from genoviz.share import Setup
from pages._common import ensure_app_navigation, error_boundary
from pages._interpret_common import (
    choose_run,
    choose_target,
    dataset_of,
    interpret_errors,
    saved_run,
    show_user_error,
)
from pages._interpret_sequences import LINK_ROW, SEQ_ROW, SOURCES, Chosen, choose_sequences
from pages._interpret_views import agreement_tab, ism_tab, saliency_tab, variants_tab
from pages._links import copy_link_button, link_setup, sync_link


def restore_link() -> None:
    """Apply a shared link once: the run (by folder name, if saved here), the method,
    the baseline and the selected sequence."""
    decoded = link_setup("interpret")
    if decoded is None:
        return
    for problem in decoded.problems:
        st.warning(problem)
    s = decoded.setup
    if s.run is not None:
        run = saved_run(s.run, predictors_only=True)
        if run is None and saved_run(s.run) is not None:
            st.warning(
                f"The link's run {s.run!r} is a pretraining run: its output layer never "
                "learned the labels, so there is no prediction to explain; showing the newest run."
            )
        elif run is None:
            st.warning(f"The link's run {s.run!r} is not saved here; showing the newest run.")
        else:
            st.session_state["interp_run"] = str(run.path)
    if s.method is not None:
        st.session_state["sal_method"] = s.method
    if s.baseline is not None:
        st.session_state["sal_baseline"] = s.baseline
    if s.seq is not None:
        st.session_state["interp_source"] = SOURCES[0]
        st.session_state[SEQ_ROW] = st.session_state[LINK_ROW] = s.seq


def share_link(run: Run, chosen: Chosen | None, where) -> None:
    """The setup into the address bar, and a "Copy link" button."""
    method = st.session_state.get("sal_method")
    row = st.session_state.get(SEQ_ROW)
    token = is_token_run(run)
    setup = Setup(
        run=run.name,
        method=method,
        baseline=(
            st.session_state.get("sal_baseline") if method in USES_BASELINE and not token else None
        ),
        seq=row if chosen is not None and chosen.rows is not None and row in chosen.rows else None,
    )
    url = sync_link("interpret", setup)
    copy_link_button(url, where, key="interp_copy_link")
    if chosen is not None and chosen.rows is None:
        where.caption("Pasted sequences cannot travel in a link; it holds the run and method.")


def main() -> None:
    st.title("Interpret")
    st.caption(
        "Which bases drive a prediction, what every substitution does, and the effect of "
        "named variants."
    )
    restore_link()
    run = choose_run("interp_run", predictors_only=True)
    if run is None:
        return
    link_row = st.container(horizontal=True, gap="small")
    ds = dataset_of(run)
    target = choose_target(run, ds, "interp_target")
    chosen = choose_sequences(run)
    if chosen is not None:
        for note in chosen.notes:
            st.info(note)
        tabs = st.tabs(["Saliency", "Mutagenesis (ISM)", "Variants", "Agreement"])
        views = (saliency_tab, ism_tab, variants_tab, agreement_tab)
        for tab, show in zip(tabs, views, strict=True):
            with tab:
                try:
                    show(run, chosen, target)
                except interpret_errors() as e:
                    show_user_error(e)
    share_link(run, chosen, link_row)


ensure_app_navigation()
with error_boundary("showing the Interpret page"):
    main()
