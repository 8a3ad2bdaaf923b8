"""Runs: compare saved runs (overlaid curves, a metrics table), rename, delete, export a
run as zip or as a one-file HTML report, and import a zip."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import streamlit as st

from genoviz.data import BUNDLED, DataFormatError, Dataset, load
from genoviz.jobs import JobBusy, default_manager
from genoviz.lesson import motif_indices, planted_motifs
from genoviz.metrics import METRIC_LABELS, PRIMARY_METRIC, curve_label
from genoviz.report import history_keys, overlay_figure, run_report_html, top_motifs
from genoviz.resume import check_resume_data
from genoviz.run_data import data_seed
from genoviz.run_folders import default_runs_dir, scan_runs, unreadable
from genoviz.run_lock import run_owner_alive
from genoviz.runs import (
    Run,
    RunError,
    is_pretraining,
)
from genoviz.runs_archive import delete_run, export_zip, import_zip, rename_run, status_label
from genoviz.sequences import SequenceError
from genoviz.training import TrainingError, resume_plan
from genoviz.training_job import TrainingJob
from pages._common import (
    STOP_REQUESTED,
    TRAIN_JOB,
    USER_CHOICE,
    USER_DATASET,
    bundled_dataset,
    choose,
    ensure_app_navigation,
    error_boundary,
    explain_here,
    fmt,
    fresh_dataset,
    page_link,
    trusted_folder,
)
from pages._figures import show_figure
from pages._keep import renamed
from pages._run_pickers import my_run_dirs, run_choices
from pages._server_jobs import jobs_section

SELECTED = "runs_selected"
RESUME_MESSAGE = "runs_resume_message"
IMPORTED = "runs_imported"
IMPORT_MESSAGE = "runs_import_message"
MAX_ZIP_MB = 1024.0


def metrics_table(runs: list[Run]) -> pd.DataFrame:
    """One row per run: status, data, model, settings and the final test metrics."""
    rows = []
    for run in runs:
        info = run.info
        cfg = info.get("config") or {}
        test = (info.get("final_metrics") or {}).get("test") or {}
        best = info.get("best_epoch")
        row = {
            "run": run.name,
            "status": status_label(run),
            "dataset": (info.get("dataset") or {}).get("name"),
            "model": (info.get("model") or {}).get("name"),
            "epochs": info.get("epochs_done", len(run.history)),
            "kept epoch": "–" if best is None else str(best),  # none kept yet, not "None"
            "lr": cfg.get("lr"),
            "batch": cfg.get("batch_size"),
            "seed": info.get("seed"),
        }
        for key, label in METRIC_LABELS.items():
            if key in test and key != "loss":
                row[f"test {label}"] = fmt(test[key])
        rows.append(row)
    df = pd.DataFrame(rows)
    tests = [c for c in df.columns if c.startswith("test ")]
    df[tests] = df[tests].fillna("–")  # a metric the run's task does not have, not "None"
    return df


def task_of(run: Run) -> str | None:
    """The run's task for pairing curves: an autoencoder's pretraining on a regression set
    shares no curve with a regression run on it."""
    if is_pretraining(run):
        return f"pretraining:{(run.info.get('model') or {}).get('name')}"
    return (run.info.get("dataset") or {}).get("task")


def report_for(run: Run) -> str:
    """The HTML report, with top motifs when the run's dataset is a bundled set."""
    spec = str((run.info.get("dataset") or {}).get("spec", ""))
    motifs = []
    if spec in BUNDLED and (run.path / "model.safetensors").exists():
        ds = bundled_dataset(spec, data_seed(run, fallback=0))
        seqs = [ds.sequences[i] for i in motif_indices(ds)]
        motifs = top_motifs(run, seqs, planted_motifs(ds) or None, k=4)
    return run_report_html(run, motifs)


def import_section() -> None:
    """Import an uploaded zip once per upload: its success or error shows once, not again
    after every later click while the file stays in the uploader."""
    with st.expander("Import a run (zip)", icon=":material/upload:"):
        up = st.file_uploader("Exported run (.zip)", type=["zip"], key="runs_import_file")
        done = st.session_state.pop(IMPORT_MESSAGE, None)
        if done is not None:
            st.success(done)
        if up is None or st.session_state.get(IMPORTED) == up.file_id:
            return
        st.session_state[IMPORTED] = up.file_id  # tried: a failure is shown this time only
        with error_boundary("importing the run"):
            data = up.getvalue()
            if len(data) > MAX_ZIP_MB * 2**20:
                st.error("The zip is larger than 1 GB; copy the run folder instead.")
                return
            try:
                path = import_zip(data, default_runs_dir())
            except RunError as e:
                st.error(f"`{up.name}` was not imported: {e}.")
                return
            st.session_state[IMPORT_MESSAGE] = f"Imported `{up.name}` as `{path.name}`."
            st.rerun()  # list the new run


def resume_dataset(spec: str, task: str | None, seed: int, options: dict) -> Dataset:
    """The data a run goes on with. A file uploaded or pasted on the Data page is kept in
    that browser session only, so its run names just the file: the session's own data of
    that name is used (fit checks that its splits are those the run trained on)."""
    mine = st.session_state.get(USER_DATASET)
    if spec not in BUNDLED and mine is not None and mine.name == spec:
        return fresh_dataset(USER_CHOICE)
    if spec not in BUNDLED and not Path(spec).exists():
        raise DataFormatError(
            f"it trained on {spec}, uploaded or pasted on the Data page, and the server "
            "keeps such data only in the browser session that loaded it. Load it again on "
            "the Data page, then press Resume"
        )
    return load(  # a DeepChem folder only when this session trusted it on Data
        spec, task=task or None, seed=seed, trust=trusted_folder(spec), **options
    )


def resume_run(run: Run) -> None:
    """Start this session's training job on the run's last checkpoint (button callback)."""
    job = st.session_state.get(TRAIN_JOB)
    if job is not None and not job.done:
        st.session_state[RESUME_MESSAGE] = (
            "error",
            "A training job of yours is running; stop it first.",
        )
        return
    try:
        plan = resume_plan(run.path, data_seed_fallback=0)  # the app loaded at seed 0
        dataset = resume_dataset(plan.dataset_spec, plan.task, plan.data_seed, plan.load_options)
        check_resume_data(run.path, run.info, dataset, plan.build)  # here, not on Train
    except (RunError, DataFormatError, SequenceError, OSError, TrainingError) as e:
        st.session_state[RESUME_MESSAGE] = ("error", f"Cannot resume {run.name}: {e}")
        return
    job = TrainingJob(dataset, plan.model_name, plan.config)
    my_run_dirs()  # the old job's run stays this session's
    try:
        default_manager().submit(job)
    except JobBusy as e:  # another session pressed Resume on it first
        st.session_state[RESUME_MESSAGE] = ("error", f"Cannot resume {run.name}: {e}.")
        return
    st.session_state[TRAIN_JOB] = job
    st.session_state[STOP_REQUESTED] = False  # an earlier Stop is not this job's
    waits = (
        f" It waits for a training place (position {job.queue_position or 1}) and starts "
        "when one frees."
        if job.status == "queued"
        else ""
    )
    st.session_state[RESUME_MESSAGE] = (
        "success",
        f"Resumed {run.name} after epoch {plan.epochs_done}; the Train page shows it live."
        + waits
        + (f" ({plan.note}.)" if plan.note else ""),
    )


def actions(run: Run) -> None:
    """Rename, delete (with confirmation), zip and report of one run."""
    root = default_runs_dir()
    st.markdown(f"#### `{run.name}` · status: **{status_label(run)}**")
    if status_label(run).startswith("interrupted"):
        st.warning(
            "This run never finished: it was cut off (the server stopped or crashed). Its "
            "curves are kept up to the last finished epoch; **Resume** goes on from there "
            "with the same weights, optimizer and random state."
        )
    # a job of this server on it, whichever session started it (a closed tab's too)
    live = default_manager().job_for(run.path)
    row = st.container(horizontal=True, gap="small")
    if live is not None:
        sure = row.checkbox("Let me stop it", key=f"runs_stop_sure_{run.name}")
        row.button(
            "Stop training",
            key="runs_stop",
            on_click=live.stop,
            icon=":material/stop:",
            disabled=not sure or live.stop_requested(),
            help="Stop it after the current batch, whichever browser started it (tick the "
            "box first: it may be a classmate's). The run keeps its finished epochs, and "
            "Resume goes on from them.",
        )
    elif run.resumable:
        row.button(
            "Resume",
            key="runs_resume",
            on_click=resume_run,
            args=(run,),
            icon=":material/resume:",
            help="Go on training from the last finished epoch; watch it on the Train page.",
        )
    row.download_button(
        "Export as zip",
        data=lambda: export_zip(run.path),
        file_name=f"{run.name}.zip",
        mime="application/zip",
        key="runs_zip",
        on_click="ignore",
        icon=":material/folder_zip:",
    )
    row.download_button(
        "HTML report",
        data=lambda: report_for(run),
        file_name=f"{run.name}-report.html",
        mime="text/html",
        key="runs_report",
        on_click="ignore",
        icon=":material/description:",
    )
    training = live is not None or run_owner_alive(run.path)
    if live is not None and live.status == "queued":
        st.caption(
            "It waits for a training place on this server: rename and delete wait until it "
            "has trained or is stopped."
        )
    elif training:
        st.caption("It is training now: rename and delete wait until it ends or is stopped.")
    c1, c2 = st.columns(2)
    with c1, st.form(f"runs_rename_{run.name}", border=False):
        new = st.text_input("New name", value=run.name, key=f"runs_new_name_{run.name}")
        if st.form_submit_button("Rename", icon=":material/edit:", disabled=training):
            with error_boundary("renaming the run"):
                path = rename_run(run.path, new, root)
                renamed(st.session_state, str(run.path), str(path))
                st.session_state[SELECTED] = path.name
                st.rerun()
    with c2:
        sure = st.checkbox(
            f"Yes, delete {run.name} and its weights", key=f"runs_confirm_{run.name}"
        )
        if st.button(
            "Delete run", key="runs_delete", disabled=training or not sure, icon=":material/delete:"
        ):
            with error_boundary("deleting the run"):
                delete_run(run.path, root)
                st.session_state.pop(SELECTED, None)
                st.rerun()


def damaged_section(root: Path, damaged: list[tuple[Path, str]]) -> None:
    """Folders whose run.json cannot be read: named with the reason, and deletable here
    (they are listed nowhere else)."""
    if not damaged:
        return
    with st.expander(f"{len(damaged)} run folder(s) could not be read", icon=":material/warning:"):
        for path, why in damaged:
            st.markdown(f"`{path.name}`: {why}")
            if unreadable(path):  # perhaps another user's good run: mend, never delete here
                st.caption(
                    "The server cannot read this folder's files (they may belong to another "
                    "user, as a run trained on the command line would): make them readable "
                    f"(`chmod -R a+rX {path}`) and it is listed again."
                )
                continue
            sure = st.checkbox(f"Yes, delete {path.name}", key=f"runs_damaged_confirm_{path.name}")
            if st.button(
                "Delete folder",
                key=f"runs_damaged_delete_{path.name}",
                disabled=not sure,
                icon=":material/delete:",
            ):
                with error_boundary("deleting the folder"):
                    delete_run(path, root)
                    st.rerun()


def main() -> None:
    st.title("Runs")
    root = default_runs_dir()
    st.caption(f"Saved under `{root}`")
    jobs_section()
    runs, damaged = scan_runs(root)  # every run.json read once
    message = st.session_state.pop(RESUME_MESSAGE, None)
    if message is not None:
        kind, text = message
        (st.success if kind == "success" else st.error)(text)
        if kind == "success":
            page_link("pages/train.py", "Watch it on the Train page", ":material/model_training:")
    import_section()
    damaged_section(root, damaged)
    if not runs:
        st.info("No runs yet: train one on the Train page or in the Lesson, or import a zip.")
        return
    names = [r.name for r in runs]
    by_name = dict(zip(names, runs, strict=True))
    st.subheader("All runs")
    st.dataframe(
        metrics_table(runs),
        hide_index=True,
        key="runs_table",
        column_config={
            "kept epoch": st.column_config.TextColumn(
                help="The epoch whose weights the run kept: the latest one within a standard "
                "error of the top validation score (binary and regression; other tasks keep "
                "the top-scoring epoch). Predict and Interpret use it."
            )
        },
    )
    st.subheader("Compare curves")
    # This session's newest settled run (else the server's) and up to two more of its task,
    # the session's first: runs of other tasks share no curve.
    offered = run_choices(runs)
    first = offered.runs[offered.index]
    task = task_of(first)
    others = [r.name for r in offered.runs if task_of(r) == task and r is not first]
    same_task = [first.name, *others[:2]]
    kept = st.session_state.get("runs_overlay")
    if kept is not None:  # a renamed or deleted run leaves the overlay, the rest stays
        st.session_state["runs_overlay"] = [n for n in kept if n in names] or same_task
    chosen = st.multiselect(
        "Runs to overlay",
        names,
        default=None if kept is not None else same_task,
        key="runs_overlay",
    )
    histories = {n: by_name[n].history for n in chosen}
    keys = history_keys(list(histories.values()))
    if keys:
        # the task's headline metric (ROC AUC, Pearson, ...), else the first validation one
        headline = [f"valid_{PRIMARY_METRIC.get(task_of(by_name[n]) or '', '')}" for n in chosen]
        default = next(
            (
                k
                for k in [*headline, *keys]
                if k in keys and k.startswith("valid_") and k != "valid_loss"
            ),
            keys[0],
        )
        key = choose(
            "Curve", keys, index=keys.index(default), format_func=curve_label, key="runs_curve"
        )
        label = curve_label(key)
        fig = overlay_figure(histories, key, f"{label} by epoch")
        show_figure(fig, f"runs-{key}")
        missing = [n for n, h in histories.items() if all(r.get(key) is None for r in h)]
        early = [n for n in missing if not histories[n]]
        if early:
            st.info(
                f"No line for {', '.join(f'`{n}`' for n in early)}: no epoch has finished "
                "yet (a run still in its first epoch, or stopped before one ended)."
            )
        if other := [n for n in missing if histories[n]]:
            st.info(
                f"No line for {', '.join(f'`{n}`' for n in other)}: "
                f"{'it has' if len(other) == 1 else 'they have'} no {label} value in any "
                "epoch (a run of another task has other metrics; ROC and PR AUC are left "
                "empty when the validation split holds only one class)."
            )
        explain_here("runs")
    elif chosen:
        st.caption("The chosen runs recorded no epoch yet.")
    st.subheader("Manage a run")
    current = st.session_state.get(SELECTED)
    selected = choose(
        "Run",
        names,
        index=names.index(current if current in names else first.name),
        format_func=lambda n: n + offered.tags.get(str(by_name[n].path), ""),
        key="runs_pick",
    )
    st.session_state[SELECTED] = selected
    actions(by_name[selected])


ensure_app_navigation()
with error_boundary("showing the Runs page"):
    main()
