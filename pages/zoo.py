"""Zoo: two experiments from the model zoo. The autoencoder learns without labels
(reconstruction accuracy, a 2-D latent map coloured by label), and the same data is
trained with and without its extra inputs (accessibility on tf-binding), side by side.

Both train in a background job polled by a fragment, like the Train page."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from genoviz.autoencoder import (
    AutoencoderConfig,
    AutoencoderResult,
    autoencoder_job,
)
from genoviz.background import ThreadJob
from genoviz.data import BUNDLED, Dataset
from genoviz.extras_gain import PAIRS, ExtrasGain, extras_gain_job
from genoviz.jobs import default_manager
from genoviz.metrics import METRIC_LABELS, PRIMARY_METRIC
from genoviz.plots_models import extras_gain_figure, latent_map_figure
from genoviz.plots_training import history_figure
from genoviz.report import overlay_figure
from genoviz.share import LEARNING_RATES
from genoviz.training import TrainConfig
from pages._common import (
    ACTIVE_DATASET,
    USER_CHOICE,
    USER_DATASET,
    ZOO_JOBS,
    active_choice,
    bundled_dataset,
    choose,
    dataset_choices,
    dataset_label,
    ensure_app_navigation,
    error_boundary,
    explain_here,
    fmt,
    fresh_dataset,
    page_link,
)
from pages._figures import show_figure
from pages._links import hold_tickets, reattach_job
from pages._run_pickers import my_run_dirs

POLL_SECONDS = 1.0
AE_JOB, GAIN_JOB = ZOO_JOBS
#: Each job's ticket in the address bar (a reload finds it again), and its kind of job.
TICKETS = {AE_JOB: "ae", GAIN_JOB: "gain"}


def job_kind(key: str) -> str:
    """The job manager's kind for the Zoo job kept under ``key`` (zoo-ae, zoo-gain)."""
    return f"zoo-{TICKETS[key]}"


ARMS = ("without", "with")


def status_line(job: ThreadJob) -> str:
    if job.status == "queued":
        return (
            f"queued, position {job.queue_position or 1}: this server trains at most "
            f"{default_manager().max_jobs} model(s) at once, and yours starts when a place frees"
        )
    if job.status == "running" and job.stop_requested():
        return "stopping (finishing the current batch)"
    return job.status


def stop(key: str) -> None:
    job: ThreadJob | None = st.session_state.get(key)
    if job is not None and not job.done:
        job.stop()


def buttons(prefix: str, start_label: str, running: bool, key: str) -> bool:
    """Start and Stop side by side; True when Start was pressed."""
    row = st.container(horizontal=True, gap="small")
    start = row.button(
        start_label,
        type="primary",
        key=f"{prefix}_start",
        disabled=running,
        icon=":material/play_arrow:",
    )
    row.button(
        "Stop",
        key=f"{prefix}_stop",
        on_click=stop,
        args=(key,),
        disabled=not running,
        icon=":material/stop:",
    )
    return start


def submit(key: str, job: ThreadJob) -> None:
    old: ThreadJob | None = st.session_state.get(key)
    if old is not None and not old.done:
        return  # one job of each kind per session at a time
    my_run_dirs()  # the old job's run stays this session's
    # starts now, or queues past GENOVIZ_MAX_JOBS
    default_manager().submit(job, kind=job_kind(key))
    st.session_state[key] = job
    st.rerun()  # redraw with Start disabled and Stop enabled


def progress_bar(job: ThreadJob, epochs: int, done_epochs: int, what: str = "") -> None:
    if job.done:
        st.caption(f"{what}epoch {done_epochs} / {epochs} done")
        return
    epoch = min(done_epochs + 1, epochs)
    st.progress(
        job.progress, text=f"{what}epoch {epoch} / {epochs} · {job.progress:.0%} of this epoch"
    )


# --- the autoencoder ---------------------------------------------------------------------


def ae_live(running_at_render: bool) -> None:
    """Status, progress and the reconstruction-accuracy curves; polled while it trains."""
    with error_boundary("drawing the autoencoder's curves"):
        job: ThreadJob | None = st.session_state.get(AE_JOB)
        if job is None:
            return
        history = job.history
        with st.container(key="zoo_ae_status"):
            st.markdown(f"**Status:** {status_line(job)}")
            progress_bar(job, job.epochs, len(history))
        if history:
            fig = history_figure(
                history,
                {"train_accuracy": "train", "valid_accuracy": "valid"},
                "Reconstruction accuracy (share of bases rebuilt)",
                "accuracy",
            )
            show_figure(fig, "autoencoder-accuracy", pd.DataFrame(history))
        else:
            st.caption("The curve appears after the first epoch.")
        if running_at_render and job.done:
            st.rerun()  # the whole page, to show the latent map


def latent_section(result: AutoencoderResult, ds: Dataset) -> None:
    lat = result.latent
    labels = lat.labels
    names = ds.class_names if ds.task == "multiclass" else None
    column = {}
    if labels.ndim == 2:
        tasks = ds.class_names or [f"task{j + 1}" for j in range(labels.shape[1])]
        task = choose("Colour by", tasks, key="zoo_ae_colour")
        labels = labels[:, tasks.index(task)]
        column = {"task": task}
    title = f"Autoencoder latent map, test split of {ds.name}"
    fig = latent_map_figure(
        lat.coords, labels, lat.explained, title, label_names=names, value_name="label value"
    )
    df = pd.DataFrame(
        {"id": lat.ids, "pc1": lat.coords[:, 0], "pc2": lat.coords[:, 1], "label": labels}
    )
    show_figure(fig, "latent-map", df.assign(**column))
    explain_here("autoencoder")
    meaning = (
        "colours that change steadily across the map mean the code already captures what "
        "the label measures."
        if ds.task == "regression"
        else "colours that separate mean the code already captures what distinguishes the classes."
    )
    st.caption(
        "Each point is a held-out sequence, placed by the first two principal components of "
        f"its bottleneck code. The autoencoder never saw the labels: {meaning}"
    )


def ae_final(job: ThreadJob) -> None:
    if job.status == "failed":
        st.error(f"Autoencoder training failed: {job.message}")
        return
    result: AutoencoderResult | None = job.result
    if result is None:
        st.info(job.message)
        return
    st.success(f"{job.status.capitalize()} after {len(result.history)} epoch(s).")
    if not result.history:
        st.warning("Stopped before the first epoch finished: the map is of an untrained code.")
    c1, c2 = st.columns(2)
    c1.metric("Test reconstruction accuracy", fmt(result.test_accuracy))
    c2.metric(
        "Always guessing the commonest base",
        fmt(result.test_floor),
        help="The floor to beat: what rebuilding every test base as the most frequent one scores.",
    )
    latent_section(result, job.dataset)
    if result.run_dir is not None:
        st.markdown(
            f"Run saved in `{result.run_dir}`. Fine-tune from it: on the Train page choose the "
            "model **autoencoder** and open **Start from a saved run**."
        )
        page_link("pages/train.py", "Go to Train", icon=":material/model_training:")


def autoencoder_section(choice: str, ds: Dataset) -> None:
    st.header("Autoencoder: learning without labels")
    st.markdown(
        "A convolutional encoder squeezes each one-hot sequence into a short code and a "
        "decoder rebuilds the sequence from it. No labels are used; the saved run can then "
        "start a classifier (transfer learning on the Train page)."
    )
    job: ThreadJob | None = st.session_state.get(AE_JOB)
    running = job is not None and not job.done
    c1, c2, c3 = st.columns(3)
    epochs = c1.number_input("Epochs", 1, 200, 5, key="zoo_ae_epochs", disabled=running)
    default_lr = AutoencoderConfig.lr if AutoencoderConfig.lr in LEARNING_RATES else 1e-3
    lr = c2.select_slider(
        "Learning rate",
        LEARNING_RATES,
        value=default_lr,
        key="zoo_ae_lr",
        format_func=lambda v: f"{v:g}",
        disabled=running,
    )
    seed = c3.number_input("Seed", 0, 2**31 - 1, 0, key="zoo_ae_seed", disabled=running)
    seq_len = None
    if ds.fixed_length is None:
        seq_len = st.number_input(
            "Pad or trim every sequence to (bp)",
            1,
            100_000,
            int(ds.lengths.max()),
            key="zoo_ae_seq_len",
            disabled=running,
        )
    if buttons("zoo_ae", "Train the autoencoder", running, AE_JOB):
        config = AutoencoderConfig(
            epochs=int(epochs), lr=float(lr), seed=int(seed), seq_len=seq_len and int(seq_len)
        )
        submit(AE_JOB, autoencoder_job(fresh_dataset(choice), config))
    if job is None:
        st.info("Press **Train the autoencoder**; the accuracy curve updates every epoch.")
        return
    what = "Training" if running else "This session's last autoencoder"
    st.subheader(f"{what}: on {job.dataset.name}")
    if job.dataset.name != ds.name:
        st.caption(
            f"The settings above are for your next run, on {ds.name}; the curve and map "
            f"below are this one's, on {job.dataset.name}."
        )
    st.fragment(ae_live, run_every=POLL_SECONDS if running else None)(running)
    if job.done:
        ae_final(job)


# --- with and without the extra inputs ---------------------------------------------------


def arm_names(ds: Dataset) -> dict[str, str]:
    extras = ", ".join(ds.meta.extras_names) or "extra inputs"
    return {"without": "sequence only", "with": f"sequence + {extras}"}


def gain_live(running_at_render: bool) -> None:
    """Status, progress and each arm's validation curve; polled while it trains."""
    with error_boundary("drawing the comparison's curves"):
        job: ThreadJob | None = st.session_state.get(GAIN_JOB)
        if job is None:
            return
        history = job.history
        names = arm_names(job.dataset)
        per_arm = {names[a]: [r for r in history if r["arm"] == a] for a in ARMS}
        arm = job.stage or ARMS[0]
        with st.container(key="zoo_gain_status"):
            st.markdown(f"**Status:** {status_line(job)}")
            what = f"arm {ARMS.index(arm) + 1} of 2, {names[arm]} · "
            progress_bar(job, job.epochs, len(per_arm[names[arm]]), what)
        metric = PRIMARY_METRIC[job.dataset.task]
        label = METRIC_LABELS.get(metric, metric)
        if history:
            fig = overlay_figure(per_arm, f"valid_{metric}", f"Validation {label} by epoch")
            show_figure(fig, "extras-gain-curves", pd.DataFrame(history))
        if running_at_render and job.done:
            st.rerun()


def gain_final(job: ThreadJob) -> None:
    if job.status == "failed":
        st.error(f"The comparison failed: {job.message}")
        return
    gain: ExtrasGain | None = job.result
    if gain is None:
        st.info(job.message)
        return
    if gain.stopped:
        st.warning("Stopped before both arms finished training, so there is no fair comparison.")
        return
    label = METRIC_LABELS.get(gain.metric, gain.metric)
    t = gain.table
    fig = extras_gain_figure(gain.scores(), label, f"{label} with and without the extra inputs")
    show_figure(fig, "extras-gain", t)
    explain_here("extras_gain")
    st.dataframe(t, hide_index=True, key="zoo_gain_table")
    if gain.unlearned:
        st.warning(gain.unlearned_note("**"))
    st.markdown(gain.summary("**"))


def gain_section(choice: str, ds: Dataset) -> None:
    st.header("What the extra inputs add")
    job: ThreadJob | None = st.session_state.get(GAIN_JOB)
    running = job is not None and not job.done
    if not ds.n_extras:
        st.info(
            f"{ds.name} has no extra per-sequence inputs. Choose **tf-binding** (which has "
            "DNA accessibility) to train the same model with and without them."
        )
    else:
        st.markdown(
            f"The same data and settings, trained twice: on the sequence alone, then with "
            f"{', '.join(ds.meta.extras_names) or 'the extra inputs'} next to it, as the "
            "DeepChem book does for JUND. The models are compared, not saved."
        )
        c1, c2 = st.columns([3, 1])
        pair = c1.radio(
            "Models",
            list(PAIRS),
            format_func=lambda k: PAIRS[k][1],
            key="zoo_gain_pair",
            disabled=running,
        )
        epochs = c2.number_input("Epochs", 1, 200, 10, key="zoo_gain_epochs", disabled=running)
        if buttons("zoo_gain", "Train both", running, GAIN_JOB):
            config = TrainConfig(epochs=int(epochs), save=False)
            submit(GAIN_JOB, extras_gain_job(fresh_dataset(choice), config, PAIRS[pair][0]))
    if job is None:
        return
    st.fragment(gain_live, run_every=POLL_SECONDS if running else None)(running)
    if job.done:
        gain_final(job)


#: The dataset this page last showed (another page may change the active one meanwhile).
SEEN = "zoo_seen_active"


def choose_dataset() -> tuple[str, Dataset]:
    """The dataset selector, shared with the other pages; language-model corpora are left
    out (they have no labels to colour or compare)."""
    choices = [c for c in dataset_choices() if c not in BUNDLED or BUNDLED[c].task != "lm"]
    current = active_choice()
    if st.session_state.get(SEEN) != current and current in choices:
        # another page chose the dataset since: show it, not the kept choice, which would
        # make itself the active dataset again
        st.session_state["zoo_dataset"] = current
    choice = st.selectbox(
        "Dataset",
        choices,
        index=choices.index(current) if current in choices else 0,
        format_func={c: dataset_label(c) for c in choices}.__getitem__,
        key="zoo_dataset",
    )
    st.session_state[ACTIVE_DATASET] = st.session_state[SEEN] = choice
    ds = st.session_state[USER_DATASET] if choice == USER_CHOICE else bundled_dataset(choice)
    st.caption(f"{len(ds):,} sequences · task **{ds.task}** · length {ds.summary()['length']} bp")
    return choice, ds


def reattach() -> None:
    """After a reload, this browser's Zoo jobs (their tickets in the address bar), and the
    dataset the newest of them trains on when it is a bundled one."""
    found = [
        job
        for key, param in TICKETS.items()
        if key not in st.session_state
        and (job := reattach_job(key, job_kind(key), param)) is not None
    ]
    names = [job.dataset.name for job in found if job.dataset.name in BUNDLED]
    if names:
        st.session_state[ACTIVE_DATASET] = names[-1]


def main() -> None:
    st.title("Zoo")
    reattach()
    choice, ds = choose_dataset()
    autoencoder_section(choice, ds)
    st.divider()
    gain_section(choice, ds)
    hold_tickets({param: st.session_state.get(key) for key, param in TICKETS.items()})


ensure_app_navigation()
with error_boundary("showing the Zoo page"):
    main()
