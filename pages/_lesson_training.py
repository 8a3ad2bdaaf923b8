"""The Lesson's training (step 4): start and stop the job, its live curves, and a lesson
run trained earlier read back from disk."""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd
import streamlit as st

from genoviz.data import Dataset
from genoviz.jobs import default_manager
from genoviz.lesson import LESSON_HPARAMS
from genoviz.metrics import metric_series
from genoviz.plots_training import history_figure
from genoviz.run_folders import list_runs
from genoviz.runs import WEIGHTS, RunError
from genoviz.train_setup import TrainResult
from genoviz.training import TrainConfig
from genoviz.training_job import TrainingJob
from pages._common import error_boundary, load_bundled_copy, queued_text
from pages._figures import show_figure
from pages._lesson_state import EPOCHS, JOB, LOOKED, MOTIFS_MEMO, SEED
from pages._run_pickers import my_run_dirs


@dataclass
class SavedLessonJob:
    """A lesson run read back from disk, with the parts of a TrainingJob the steps read:
    after a reload, or from a shared step link, the network trained earlier is shown
    again instead of "train the network first"."""

    dataset: Dataset
    config: TrainConfig
    result: TrainResult
    status: str
    message: str
    done: bool = True
    progress: float = 1.0

    @property
    def history(self) -> list[dict]:
        return self.result.history


def lesson_run_name(name: str) -> str:
    return f"lesson-{name}"


def saved_lesson_job(ds: Dataset) -> SavedLessonJob | None:
    """The newest saved lesson run on ``ds`` with this session's epochs and seed (a link
    carries both), or None."""
    epochs, seed = st.session_state.get(EPOCHS), st.session_state.get(SEED)
    for run in list_runs():
        config = run.info.get("config") or {}
        if (
            run.name.endswith("-" + lesson_run_name(ds.name))
            and run.info.get("dataset", {}).get("spec") == ds.name
            and run.status in ("finished", "stopped")
            and not run.untrained
            and (run.path / WEIGHTS).exists()
            and config.get("epochs") == epochs
            and config.get("seed") == seed
        ):
            try:
                result = TrainResult.from_run(run)
            except (RunError, OSError, KeyError, ValueError):
                continue  # an unreadable folder: the next one, or train again
            message = (
                f"The network trained earlier with these settings ({run.name}, "
                f"{len(result.history)} epoch(s), seed {seed}), read back from disk."
            )
            train = TrainConfig(epochs=int(epochs), seed=int(seed))
            return SavedLessonJob(ds, train, result, run.status, message)
    return None


def lesson_job(ds: Dataset) -> TrainingJob | SavedLessonJob | None:
    """This session's lesson training on ``ds``; else one saved with the same settings."""
    job: TrainingJob | SavedLessonJob | None = st.session_state.get(JOB)
    if job is not None and job.dataset.name == ds.name:
        return job
    looked = (ds.name, st.session_state.get(EPOCHS), st.session_state.get(SEED))
    if (job is None or job.done) and st.session_state.get(LOOKED) != looked:
        st.session_state[LOOKED] = looked  # the runs folder is read once per setting
        saved = saved_lesson_job(ds)
        if saved is not None:
            st.session_state[JOB] = saved
            return saved
    return None


def start_training(name: str) -> None:
    old: TrainingJob | None = st.session_state.get(JOB)
    if old is not None and not old.done:
        return
    my_run_dirs()  # the old job's run stays this session's
    config = TrainConfig(
        epochs=int(st.session_state[EPOCHS]),
        seed=int(st.session_state[SEED]),
        hparams=dict(LESSON_HPARAMS),
        run_name=lesson_run_name(name),
        # the sequence only, as the step describes: with tf-binding's accessibility score
        # the ROC AUC it shows came mostly from that score, not from the filters
        use_extras=False,
    )
    job = TrainingJob(load_bundled_copy(name), "cnn", config)
    # the server's cap on trainings at once holds for a hall of students on the lesson too
    st.session_state[JOB] = default_manager().submit(job, kind="lesson")
    st.session_state.pop(MOTIFS_MEMO, None)


def stop_training() -> None:
    job: TrainingJob | None = st.session_state.get(JOB)
    if job is not None and not job.done:
        job.stop()


def live_training(running_at_render: bool) -> None:
    with error_boundary("drawing the lesson's training curves"):
        job: TrainingJob | None = st.session_state.get(JOB)
        if job is None:
            return
        history = job.history
        with st.container(key="lesson_status"):
            status = job.status
            st.markdown(f"**Status:** {queued_text(job) if status == 'queued' else status}")
            if not job.done and status != "queued":
                st.progress(
                    min(max(job.progress, 0.0), 1.0),
                    text=f"epoch {min(len(history) + 1, job.config.epochs)} / {job.config.epochs}",
                )
        if history:
            c1, c2 = st.columns(2)
            with c1:
                fig = history_figure(
                    history,
                    {"train_loss": "train loss", "valid_loss": "valid loss"},
                    "Loss",
                    "loss",
                )
                show_figure(
                    fig,
                    "lesson-loss",
                    pd.DataFrame(history).drop(columns=["valid_confusion"], errors="ignore"),
                )
            with c2:
                fig = history_figure(history, metric_series(history), "Metrics", "score")
                show_figure(fig, "lesson-metrics")
        elif job.done and job.result is None and job.status == "stopped":
            st.info(job.message)  # stopped while it waited (here or on the Runs page)
        else:
            st.caption("The curves appear after the first epoch.")
        if running_at_render and job.done:
            st.rerun()
