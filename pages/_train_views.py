"""Train page: the run's views: its status line, live curves (the fragment ``live_panel``),
heading and final results on the test split.

UI glue only: the figures come from :mod:`genoviz.plots_metrics` and
:mod:`genoviz.plots_training`, the numbers from :mod:`genoviz.metrics`.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import streamlit as st
from streamlit.errors import StreamlitAPIException

from genoviz.data import Dataset
from genoviz.explain import TASK_TOPIC
from genoviz.metrics import METRIC_LABELS, calibration, confusion_matrix, metric_series, roc_points
from genoviz.plots_metrics import (
    calibration_figure,
    confusion_figure,
    roc_curves_figure,
    roc_figure,
    scatter_figure,
)
from genoviz.plots_training import history_figure, mlm_figures
from genoviz.train_weights import unequal_weights
from genoviz.training_job import TrainingJob
from pages._common import (
    STOP_REQUESTED,
    TRAIN_JOB,
    error_boundary,
    explain_here,
    fmt,
    queued_text,
    summary_text,
)
from pages._figures import show_figure
from pages._transfer_views import transfer_report


def status_line(job: TrainingJob) -> str:
    status = job.status
    if status == "queued":
        return queued_text(job)
    if status == "running" and st.session_state.get(STOP_REQUESTED):
        return "stopping (finishing the current batch)"
    return status


def show_curves(history: list[dict]) -> None:
    if not history:
        st.caption("The curves appear after the first epoch.")
        return
    df = pd.DataFrame(history)
    if "valid_masked_acc" in df:
        show_mlm_curves(history, df)
        return
    c1, c2 = st.columns(2)
    with c1:
        fig = history_figure(
            history, {"train_loss": "train loss", "valid_loss": "valid loss"}, "Loss", "loss"
        )
        show_figure(fig, "loss-curves", df)
    with c2:
        fig = history_figure(history, metric_series(history), "Metrics", "score")
        show_figure(fig, "metric-curves", df.drop(columns=["valid_confusion"], errors="ignore"))
    explain_here("overfitting")
    confusion = history[-1].get("valid_confusion")
    job: TrainingJob | None = st.session_state.get(TRAIN_JOB)
    if confusion is not None and job is not None:
        names = job.dataset.class_names
        fig = confusion_figure(np.array(confusion), names, f"Validation, epoch {len(history)}")
        show_figure(fig, "confusion-valid", pd.DataFrame(confusion, index=names, columns=names))


def show_mlm_curves(history: list[dict], df: pd.DataFrame) -> None:
    """Pretraining: masked-token loss and accuracy, with the commonest-token baseline."""
    loss, acc = mlm_figures(history)
    c1, c2 = st.columns(2)
    with c1:
        show_figure(loss, "mlm-loss", df)
    with c2:
        show_figure(acc, "mlm-accuracy", df)


def live_panel(running_at_render: bool) -> None:
    """Status, progress and curves; a fragment polls it while the job runs."""
    with error_boundary("drawing the training curves"):
        job: TrainingJob | None = st.session_state.get(TRAIN_JOB)
        if job is None:
            return
        history = job.history
        n_epochs = job.config.epochs
        with st.container(key="train_status"):
            st.markdown(f"**Status:** {status_line(job)}")
            if job.status == "queued":
                pass  # nothing has started: no epoch to show progress in
            elif not job.done:
                epoch = min(len(history) + 1, n_epochs)
                st.progress(
                    min(max(job.progress, 0.0), 1.0),
                    text=f"epoch {epoch} / {n_epochs} · {job.progress:.0%} of this epoch",
                )
            else:
                st.caption(f"epoch {len(history)} / {n_epochs} done")
        if job.done and job.result is None and job.status == "stopped":
            st.info(job.message)  # stopped while it waited (here or on the Runs page)
        else:
            show_curves(history)
        if running_at_render and job.done:
            st.rerun()  # the whole page, to show the final results


def job_heading(job: TrainingJob, dataset: str, model: str | None) -> None:
    """Which run the curves and results below belong to, and a word when the settings
    above have moved on (another dataset chosen on the Data page, another model)."""
    what = "Training" if not job.done else "This session's last run"
    st.subheader(f"{what}: {job.model_name} on {job.dataset.name}")
    if (job.dataset.name, job.model_name) != (dataset, model):
        st.caption(
            f"The settings above ({model or 'no model'} on {dataset}) are for your next "
            "run; the curves and results below are this one's."
        )


def final_panel(job: TrainingJob) -> None:
    if job.status == "failed":
        st.error(f"Training failed: {job.message}")
        return
    result = job.result
    if result is None:
        return
    st.success(job.message)
    task = job.dataset.task
    m = result.test_metrics
    n = len(result.test_labels)
    if job.status == "stopped" and not result.history:
        st.warning(
            "Stopped before the first epoch finished: these numbers are for an untrained model."
        )
    if task == "lm":
        acc, base = m.get("masked_acc"), m.get("baseline_masked_acc")
        st.subheader("Held-out test chunks")
        cols = st.columns(3)
        cols[0].metric("masked-token accuracy", fmt(acc))
        cols[1].metric("baseline (commonest token)", fmt(base))
        cols[2].metric("masked-token loss", fmt(m.get("mlm_loss")))
        if result.run_dir is not None:
            st.markdown(
                f"Pretrained BERT saved in `{result.run_dir}/hf`; fine-tune from it with "
                f"`python -m genoviz train --model {job.model_name} --init-bert {result.run_dir}`."
            )
        return
    st.subheader("Held-out test set")
    names = [k for k in m if k in METRIC_LABELS][:5]
    cols = st.columns(len(names) + 1)
    for col, k in zip(cols, names, strict=False):
        col.metric(METRIC_LABELS.get(k, k.upper()), fmt(m.get(k)))
    cols[-1].metric("test sequences", f"{n:,}")
    share = float((result.test_labels > 0.5).mean()) if task == "binary" and n else None
    st.markdown(summary_text(task, m, n, share))
    if task in TASK_TOPIC:
        explain_here(TASK_TOPIC[task])
    y, p = result.test_labels, result.test_predictions
    if task == "binary" and 0 < (y > 0.5).sum() < n:
        fpr, tpr = roc_points(y, p)
        fig = roc_figure(fpr, tpr, m.get("roc_auc"), "ROC curve, test split")
        show_figure(fig, "roc-test", pd.DataFrame({"fpr": fpr, "tpr": tpr}))
        show_calibration(y, p, job.dataset)
    elif task == "multiclass" and p.ndim == 2:
        names = job.dataset.class_names
        counts = confusion_matrix(y, p)
        fig = confusion_figure(counts, names, "Confusion matrix, test split")
        show_figure(fig, "confusion-test", pd.DataFrame(counts, index=names, columns=names))
    elif task == "multitask-binary" and p.ndim == 2:
        curves = {}
        for j, name in enumerate(job.dataset.class_names):
            if 0 < (y[:, j] > 0.5).sum() < n:
                fpr, tpr = roc_points(y[:, j], p[:, j])
                curves[name] = (fpr, tpr, m.get(f"roc_auc_{name}"))
        fig = roc_curves_figure(curves, "ROC curve per task, test split")
        show_figure(fig, "roc-tasks-test", per_task_table(m, job.dataset.class_names))
    elif task == "regression" and y.ndim == 1:
        fig = scatter_figure(y, p, "Predicted vs measured, test split")
        table = pd.DataFrame({"id": result.test_ids, "label": y, "prediction": p})
        show_figure(fig, "scatter-test", table)
    if result.transfer:
        transfer_report(result.transfer)
    if result.run_dir is not None:
        st.markdown(f"Run saved in `{result.run_dir}` (device: {result.device}).")
        # a button, not a link: Predict keeps the run chosen there before, so this one is
        # chosen on the way
        if st.button(
            "Predict new sequences with it",
            key="train_to_predict",
            icon=":material/online_prediction:",
        ):
            st.session_state["predict_run"] = str(result.run_dir)
            try:
                st.switch_page("pages/predict.py")
            except StreamlitAPIException:  # the page file run on its own, without the app
                st.info("Open Predict in the page menu; this run is chosen there.")


def show_calibration(y: np.ndarray, p: np.ndarray, dataset: Dataset) -> None:
    """The reliability diagram of the test predictions, and what it says."""
    cal = calibration(y, p)
    fig = calibration_figure(cal.predicted, cal.observed, cal.counts, "Calibration, test split")
    table = pd.DataFrame(
        {"mean_predicted": cal.predicted, "share_positive": cal.observed, "sequences": cal.counts}
    )
    show_figure(fig, "calibration-test", table)
    st.caption(cal.summary(weighted=unequal_weights(dataset)))
    explain_here("calibration")


def per_task_table(metrics: dict, tasks: list[str]) -> pd.DataFrame:
    """Per-task ROC AUC and PR AUC from the flat metrics dict."""
    return pd.DataFrame(
        {
            "task": tasks,
            "roc_auc": [metrics.get(f"roc_auc_{t}") for t in tasks],
            "pr_auc": [metrics.get(f"pr_auc_{t}") for t in tasks],
        }
    )
