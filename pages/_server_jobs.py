"""The Runs page's "Jobs on this server" panel: every training job of this server,
whichever browser started it, with a Stop button each."""

from __future__ import annotations

import streamlit as st

from genoviz.jobs import default_manager
from pages._common import SESSION_JOBS


def job_text(job) -> str:
    """One line on a server job: what it trains, on what, how far, and where."""
    model = getattr(job, "model_name", None) or job.name
    data = job.dataset.name if getattr(job, "dataset", None) is not None else "?"
    where = f" into `{job.run_dir.name}`" if job.run_dir is not None else ""
    done = len(job.history)
    if job.status == "queued":
        state = f"waiting, place {job.queue_position or '?'}"
    elif job.status != "running":
        state = job.status
    elif job.stop_requested():
        state = "stopping (finishing the current batch)"
    elif job.name != "train" or not job.epochs:  # the Zoo's jobs: several runs' epochs
        state = f"running, {done} epoch(s) done"
    elif done >= job.epochs:
        state = "running, scoring the test split"
    else:
        state = f"running, epoch {done + 1} of {job.epochs}"
    return f"**{model}** on {data}{where}: {state}"


def jobs_section() -> None:
    """Every training job of this server, whichever browser started it: a teacher can see
    the class's queue and stop a job whose tab was closed (it trains on for nobody)."""
    jobs = default_manager().jobs()
    if not jobs:
        return
    waiting = sum(j.status == "queued" for j in jobs)
    # a fixed title: one with the counts in it changed as a job stopped, and Streamlit
    # then drew the panel closed
    with st.expander("Jobs on this server", icon=":material/pending:"):
        row = st.container(horizontal=True, gap="small")
        row.markdown(f"{len(jobs) - waiting} training, {waiting} waiting, as of now")
        row.button("Refresh", key="runs_jobs_refresh", icon=":material/refresh:")
        st.caption(
            f"This server trains at most {default_manager().max_jobs} at once "
            "(GENOVIZ_MAX_JOBS); the others wait in this order. Stop ends a job after its "
            "current batch, whichever browser started it; a saved run keeps its finished "
            "epochs."
        )
        sure = st.checkbox(
            "Let me stop jobs (mine or others', such as one whose tab was closed)",
            key="runs_jobs_sure",
        )
        mine = {id(st.session_state.get(k)) for k in SESSION_JOBS}
        for i, job in enumerate(jobs):
            c1, c2 = st.columns([5, 1])
            c1.markdown(job_text(job) + (" (yours)" if id(job) in mine else ""))
            c2.button(
                "Stop",
                key=f"runs_job_stop_{i}_{id(job)}",
                on_click=job.stop,
                icon=":material/stop:",
                disabled=not sure or job.done or job.stop_requested(),
            )
