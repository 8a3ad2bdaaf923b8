"""Train: pick data, a model and hyperparameters; start, watch live curves, stop."""

from __future__ import annotations

import streamlit as st

import models
from genoviz.data import Dataset
from genoviz.fitted_lengths import fitted_lengths
from genoviz.jobs import default_manager
from genoviz.pretrain import DEFAULTS as PRETRAIN_DEFAULTS
from genoviz.run_folders import default_runs_dir
from genoviz.share import BATCH_SIZES, LEARNING_RATES, Setup
from genoviz.training import TrainConfig, select_device
from genoviz.training_job import TrainingJob
from models.bert_lengths import count_long, window_note
from pages._common import (
    ACTIVE_DATASET,
    STOP_REQUESTED,
    TRAIN_JOB,
    USER_CHOICE,
    USER_DATASET,
    active_choice,
    bundled_dataset,
    choose,
    dataset_choices,
    dataset_label,
    ensure_app_navigation,
    error_boundary,
    fresh_dataset,
)
from pages._keep import forget
from pages._links import copy_link_button, link_setup, reattach_job, sync_link
from pages._model_views import SettingsError, model_settings
from pages._run_pickers import my_run_dirs
from pages._train_views import final_panel, job_heading, live_panel
from pages._transfer_views import transfer_form

POLL_SECONDS = 1.0
#: The setup a shared link asked for; the widgets start from it (kept for this session).
LINK_SETUP = "train_link_setup"
LINK_WIDGETS = ("train_model", "train_epochs", "train_lr", "train_batch", "train_seed")
MLM_CHUNKS_PER_EPOCH = 512
POOLED = "all species, pooled"


def peek_dataset(choice: str) -> Dataset:
    """The chosen dataset, read-only (shared cache for bundled sets)."""
    if choice == USER_CHOICE:
        return st.session_state[USER_DATASET]
    return bundled_dataset(choice)


def model_label(name: str, task: str) -> str:
    recommended = task in models.spec(name).recommended_for
    return f"{name} (recommended)" if recommended else name


def settings_form(ds: Dataset, running: bool) -> tuple[str | None, TrainConfig]:
    """The model and hyperparameter widgets; returns the model name and the config.

    Their starting values come from a shared link when one was opened (``LINK_SETUP``)."""
    preset: Setup = st.session_state.get(LINK_SETUP) or Setup()
    lm = ds.task == "lm"  # pretraining: its own defaults, widgets and note
    if not lm and (why := ds.too_small_to_train()):
        st.error(f"{why} Load a larger set on the Data page.")
        return None, TrainConfig()
    if not lm and (note := ds.one_class_note()):
        st.warning(note)
    if note := ds.duplicate_note():
        st.caption(note)
    names = [s.name for s in fitting_models(ds)]
    if not names:
        st.error(
            f"No model in genoviz fits task {ds.task!r} with one-hot input yet; "
            "choose another dataset."
        )
        return None, TrainConfig()
    model = st.selectbox(
        "Model",
        names,
        index=names.index(preset.model) if preset.model in names else 0,
        format_func=lambda n: model_label(n, ds.task),
        key="train_model",
        disabled=running,
    )
    st.caption(models.spec(model).description)
    if lm:
        masked = (
            "single codons"
            if model == "codon-bert"
            else "spans of k overlapping k-mers, as DNABERT masks them"
        )
        st.info(
            f"Pretraining: the model learns to fill in masked tokens ({masked}). The curves "
            "show the masked-token accuracy next to the baseline of always guessing the "
            "commonest token."
        )
    # Pretraining has defaults of its own (the CLI's), and widgets of its own, so switching
    # between a labelled set and a corpus shows each task's defaults.
    spec_lr = PRETRAIN_DEFAULTS["lr"] if lm else models.spec(model).lr
    suffix = f"_lm_{model}" if lm else ""
    c1, c2, c3, c4 = st.columns(4)
    epochs = c1.number_input(
        "Epochs",
        1,
        500,
        preset.epochs or (PRETRAIN_DEFAULTS["epochs"] if lm else TrainConfig.epochs),
        key=f"train_epochs{suffix}",
        disabled=running,
        help="Training stops early when validation stops improving.",
    )
    lr = c2.select_slider(
        "Learning rate",
        LEARNING_RATES,
        value=preset.lr
        or (spec_lr if spec_lr in LEARNING_RATES else None)
        or (TrainConfig.lr if TrainConfig.lr in LEARNING_RATES else 1e-3),
        # own default per model
        key=f"train_lr{suffix}" if lm or spec_lr is None else f"train_lr_{model}",
        format_func=lambda v: f"{v:g}",
        disabled=running,
    )
    batch = c3.selectbox(
        "Batch size",
        BATCH_SIZES,
        index=BATCH_SIZES.index(
            preset.batch or (PRETRAIN_DEFAULTS["batch_size"] if lm else TrainConfig.batch_size)
        ),
        key=f"train_batch{suffix}",
        disabled=running,
    )
    seed = c4.number_input(
        "Seed",
        0,
        2**31 - 1,
        preset.seed or 0,
        key="train_seed",
        disabled=running,
        help="Fixes the starting weights and batch order, so a run can be repeated (exactly "
        "when no other training runs on this server at the same time: they share PyTorch's "
        "random generator). A bundled set and its splits are those of seed 0 whatever this "
        "says.",
    )
    use_extras = False
    names_x = ", ".join(ds.meta.extras_names) or f"{ds.n_extras} extra column(s)"
    if ds.n_extras and models.spec(model).input_kind == "onehot+extras":
        st.caption(f"This model always takes {names_x} next to the sequence.")
        use_extras = True
    elif ds.n_extras:
        use_extras = st.checkbox(
            f"Also give the model {names_x}",
            value=True,
            key="train_extras",
            disabled=running,
            help="Extra per-sequence numbers from the dataset, fed next to the sequence.",
        )
    seq_len = None
    if ds.fixed_length is None and not lm:  # pretraining cuts the corpus into chunks itself
        lengths = ds.lengths
        seq_len = st.number_input(
            "Pad or trim every sequence to (bp)",
            1,
            100_000,
            int(lengths.max()),
            key="train_seq_len",
            disabled=running,
        )
        padded, trimmed = fitted_lengths(lengths, int(seq_len))
        st.info(
            f"Sequence lengths differ ({lengths.min()}–{lengths.max()} bp). Before training, "
            f"shorter sequences are padded with N and longer ones trimmed (keeping the centre) "
            f"to {seq_len} bp: here {padded:,} of the {len(lengths):,} sequences are padded "
            f"and {trimmed:,} trimmed."
        )
    try:
        hparams = model_settings(ds, model, running)
    except SettingsError as e:
        st.error(str(e))
        return None, TrainConfig()
    if models.spec(model).input_kind in models.TOKEN_KINDS and not lm:
        lengths = [int(seq_len)] * len(ds) if seq_len else ds.lengths  # as trained
        n_long = count_long(model, lengths, hparams.get("k", 6))
        if n_long:
            st.info(window_note(n_long, done=False))
    mlm: dict = {}
    if lm:  # an "epoch" is a sample of chunks, so a curve point comes every minute
        mlm = {"chunks_per_epoch": MLM_CHUNKS_PER_EPOCH}
        species = ds.meta.notes.get("species") if model == "codon-bert" else None
        if species:
            pick = choose(
                "Species",
                [POOLED, *species],
                key="train_species",
                disabled=running,
                help="Pretrain on one species' genes (one 'language'), or on all of them.",
            )
            mlm["species"] = None if pick == POOLED else pick
    config = TrainConfig(
        epochs=int(epochs),
        lr=float(lr),
        batch_size=int(batch),
        seed=int(seed),
        use_extras=use_extras,
        seq_len=int(seq_len) if seq_len else None,
        hparams=hparams,
        mlm=mlm,
    )
    return model, config


def link_leaves_out(config: TrainConfig, has_extras: bool = True) -> list[str]:
    """The settings a Train link does not carry (it holds dataset, model, epochs, learning
    rate, batch size and seed), as the popover names them; ``has_extras``: whether the
    data has extra inputs to leave out at all."""
    out = []
    if config.hparams:
        shown = ", ".join(f"{k} {_short(v)}" for k, v in config.hparams.items())
        out.append(f"the model settings ({shown})")
    if config.seq_len:
        out.append(f"the sequence length ({config.seq_len} bp)")
    if has_extras and not config.use_extras:
        out.append("training without the extra inputs")
    if (config.mlm or {}).get("species"):
        out.append(f"the species ({config.mlm['species']})")
    if config.init_from or config.init_bert:
        out.append("the starting weights")
    return out


def _short(value: object) -> str:
    text = ", ".join(map(str, value)) if isinstance(value, list | tuple) else str(value)
    return text if len(text) <= 40 else text[:39] + "…"


def fitting_models(ds: Dataset) -> list[models.ModelSpec]:
    """One-hot models (with those that need extras when the data has them), then k-mer
    BERT for DNA and codon BERT for codon sets."""
    onehot = "onehot+extras" if ds.n_extras else "onehot"
    kinds = [onehot, "kmer"] + (["codon"] if ds.name.startswith("codon") else [])
    return [s for kind in kinds for s in models.available(ds.task, kind)]


def start_job(choice: str, model: str, config: TrainConfig) -> None:
    old = st.session_state.get(TRAIN_JOB)
    if old is not None and not old.done:
        return  # one job per session at a time
    my_run_dirs()  # the old job's run stays this session's
    job = TrainingJob(fresh_dataset(choice), model, config)
    default_manager().submit(job)  # starts now, or queues past GENOVIZ_MAX_JOBS
    st.session_state[TRAIN_JOB] = job
    st.session_state[STOP_REQUESTED] = False


def stop_job() -> None:
    job = st.session_state.get(TRAIN_JOB)
    if job is not None and not job.done:
        job.stop()
        st.session_state[STOP_REQUESTED] = True


def restore_link(running: bool) -> None:
    """Apply a setup from the URL once: the dataset, then the widgets' starting values."""
    decoded = link_setup("train")
    if decoded is None:
        return
    for problem in decoded.problems:
        st.warning(problem)
    if running:
        st.info("A training run is in progress, so the link's settings were not applied.")
        return
    st.session_state[LINK_SETUP] = decoded.setup
    if decoded.setup.dataset is not None:
        st.session_state[ACTIVE_DATASET] = decoded.setup.dataset
        st.session_state.pop("train_dataset", None)
    # recreated with the link's values as their defaults; epochs, learning rate and batch
    # have a key per model or task too (train_lr_kmer-bert, train_epochs_lm, ...)
    for key in [k for k in st.session_state if isinstance(k, str) and k.startswith(LINK_WIDGETS)]:
        forget(st.session_state, key)


def main() -> None:
    st.title("Train")
    st.caption(
        f"Runs are saved under `{default_runs_dir()}` · training on **{select_device('auto')}**"
    )
    reload = TRAIN_JOB not in st.session_state
    job: TrainingJob | None = reattach_job(TRAIN_JOB, "train")
    running = job is not None and not job.done
    # after a reload the address is the running job's own: its settings fill the widgets
    restore_link(running and not reload)
    choices = dataset_choices()
    current = active_choice()
    choice = st.selectbox(
        "Dataset",
        choices,
        index=choices.index(current),
        format_func={c: dataset_label(c) for c in choices}.__getitem__,
        key="train_dataset",
        disabled=running,
    )
    st.session_state[ACTIVE_DATASET] = choice
    ds = peek_dataset(choice)
    st.caption(f"{len(ds):,} sequences · task **{ds.task}** · length {ds.summary()['length']} bp")
    model, config = settings_form(ds, running)
    if model is not None:
        config = transfer_form(ds, model, config, running)
    setup = Setup(
        dataset=choice if choice != USER_CHOICE else None,
        model=model,
        epochs=config.epochs,
        lr=config.lr,
        batch=config.batch_size,
        seed=config.seed,
    )
    url = sync_link("train", setup, job)
    buttons = st.container(horizontal=True, gap="small")
    start = buttons.button(
        "Start training",
        type="primary",
        key="train_start",
        disabled=running or model is None,
        icon=":material/play_arrow:",
    )
    buttons.button(
        "Stop", key="train_stop", on_click=stop_job, disabled=not running, icon=":material/stop:"
    )
    left_out = link_leaves_out(config, has_extras=ds.n_extras > 0)
    copy_link_button(url, buttons, key="train_copy_link", left_out=left_out)
    if choice == USER_CHOICE:
        buttons.caption("Your own data cannot travel in a link; the link has the settings.")
    if start and model is not None:
        start_job(choice, model, config)
        st.rerun()  # redraw with Start disabled and Stop enabled
    if job is None:
        st.info("Press **Start training** to train; the curves update live, every epoch.")
        return
    st.divider()
    job_heading(job, ds.name, model)
    st.fragment(live_panel, run_every=POLL_SECONDS if running else None)(running)
    if job.done:
        final_panel(job)


ensure_app_navigation()
with error_boundary("showing the Train page"):
    main()
