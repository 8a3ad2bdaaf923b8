"""Widgets shared by the Interpret and Motifs pages: pick a run, load its model and data,
choose the output to explain. UI glue only; the analyses live in ``genoviz.interpret``."""

from __future__ import annotations

import copy
from pathlib import Path

import streamlit as st
from torch import nn

from genoviz.data import BUNDLED, Dataset
from genoviz.data.download import REMOTE
from genoviz.interpret import outcome
from genoviz.predict import output_names
from genoviz.run_data import data_seed
from genoviz.run_folders import default_runs_dir, list_runs
from genoviz.runs import (
    WEIGHTS,
    Run,
    is_pretraining,
    load_run,
)
from pages._common import (
    USER_CHOICE,
    USER_DATASET,
    bundled_dataset,
    choose,
    downloaded_dataset,
    fresh_dataset,
    page_link,
)
from pages._run_pickers import run_choices

#: This session's own copy of the model it explains: ``(path, weights mtime), model``.
MODEL_MEMO = "interpret_model_memo"


@st.cache_resource(max_entries=4, show_spinner="Loading the model…")
def run_model(path: str, weights_mtime: float) -> nn.Module:
    """A run's model in eval mode, read from disk once for every session; never handed to
    an analysis itself (see :func:`model_of`). ``weights_mtime`` renews it when the run is
    retrained."""
    return load_run(path).load_model("cpu")


def model_of(run: Run) -> nn.Module:
    """The run's model for this session alone. Analyses add hooks (DeepLift, the
    sequence-embedding probe) or switch attention to eager on the model they get: on one
    model shared by every session, a student's DeepLift broke another's saliency map
    mid-computation. Each session keeps a copy of the last run it explained."""
    weights = run.path / WEIGHTS
    key = (str(run.path), weights.stat().st_mtime if weights.exists() else 0.0)
    memo = st.session_state.get(MODEL_MEMO)
    if memo is None or memo[0] != key:
        memo = (key, copy.deepcopy(run_model(*key)))
        st.session_state[MODEL_MEMO] = memo
    return memo[1]


def dataset_of(run: Run) -> Dataset | None:
    """The run's dataset when it is bundled or downloaded (shared: read, never change), or
    the file this session loaded on the Data page when the run trained on it (a copy:
    its splits are set at the run's seed)."""
    info = run.info.get("dataset", {})
    spec = info.get("spec")
    if spec in BUNDLED:
        return bundled_dataset(spec, data_seed(run, fallback=0))
    if spec in REMOTE:
        return downloaded_dataset(spec)
    mine = st.session_state.get(USER_DATASET)
    if mine is not None and mine.name == spec and len(mine) == info.get("n", len(mine)):
        return fresh_dataset(USER_CHOICE)
    return None


#: Why a run's own sequences cannot be shown, and what to do about it.
NO_DATASET = (
    "This run trained on a file that is not loaded in this browser session (the server "
    "keeps uploaded or pasted data only in the session that loaded it). Load the same file "
    "on the Data page to use its sequences here, or use the command line: "
)


def saved_runs(predictors_only: bool = False) -> list[Run]:
    """The saved runs that have weights, newest first. ``predictors_only`` leaves out
    pretraining runs (such as the autoencoder's), whose output layer never learned the
    labels, as the Predict page does (:func:`genoviz.runs.is_pretraining`)."""
    runs = [r for r in list_runs() if (r.path / WEIGHTS).exists()]
    return [r for r in runs if not is_pretraining(r)] if predictors_only else runs


def saved_run(name: str, predictors_only: bool = False) -> Run | None:
    """The saved run (with weights) whose folder is called ``name``: a link names a run
    this way, and only a run listed here can be opened from it."""
    return next((r for r in saved_runs(predictors_only) if r.name == name), None)


def choose_run(key: str, predictors_only: bool = False) -> Run | None:
    """A select box of the saved runs with weights (``predictors_only``: no pretraining
    runs); None (and a hint) when there are none."""
    runs = saved_runs(predictors_only)
    if not runs and saved_runs():
        st.info(
            "The saved runs are all pretraining runs (such as the autoencoder's): their output "
            "layer never learned the labels, so there is no prediction to explain. Fine-tune "
            "one on the Train page (Start from a saved run), then explain that."
        )
        page_link("pages/train.py", "Go to Train", icon=":material/model_training:")
        return None
    if not runs:
        st.info(
            f"No trained runs in `{Path(default_runs_dir()).resolve()}` yet. Train a model "
            "first; each run is saved there."
        )
        page_link("pages/train.py", "Go to Train", icon=":material/model_training:")
        return None
    return _select_run("Trained run", runs, key)


def choose_bert_run(key: str, names: tuple[str, ...]) -> Run | None:
    """A select box of the saved runs of the BERT models ``names``; None, with how to make
    one, when there are none."""
    runs = [r for r in saved_runs() if r.info.get("model", {}).get("name") in names]
    if not runs:
        st.info(
            f"No {' or '.join(names)} run yet. Train one on the Train page (choose "
            f"**{names[0]}** as the model), or pretrain one from the command line: "
            "`python -m genoviz pretrain --help`."
        )
        page_link("pages/train.py", "Go to Train", icon=":material/model_training:")
        return None
    return _select_run("BERT run", runs, key)


def _select_run(label: str, runs: list[Run], key: str) -> Run:
    """A select box of ``runs``, keyed by folder path, shown by their labels: this
    session's own first, starting on the newest that is not training (:func:`run_choices`)."""
    offered = run_choices(runs)
    by_path = {str(r.path): r for r in offered.runs}
    path = choose(
        label,
        by_path,
        index=offered.index,
        format_func=lambda p: offered.label(by_path[p]),
        key=key,
    )
    return by_path[path]


def choose_target(run: Run, ds: Dataset | None, key: str) -> int:
    """The output column to explain: a select box when the model has several."""
    outputs = int(run.info["model"]["build"].get("outputs", 1))
    if outputs <= 1:
        return 0
    names = output_names(run, ds)
    return choose("Output to explain", range(outputs), format_func=lambda i: names[i], key=key)


def of_output(run: Run, target: int, before: str = " of ", after: str = "") -> str:
    """`` of donor`` for a run with several outputs (the one explained), else ``""``; its
    data's names for a run saved without them."""
    return outcome.of_output(run, target, before, after, dataset_of(run))


#: The interpretation errors written for the user (shown as they are, no traceback).
def interpret_errors() -> tuple[type[Exception], ...]:
    from genoviz.interpret.attention import AttentionError
    from genoviz.interpret.attribution import AttributionError
    from genoviz.interpret.embeddings import EmbeddingError
    from genoviz.interpret.filters import FilterError
    from genoviz.interpret.ism import ISMError
    from genoviz.interpret.matching import MatchError
    from genoviz.interpret.variants import VariantError
    from genoviz.motifs import MotifError

    return (
        AttentionError,
        AttributionError,
        EmbeddingError,
        FilterError,
        ISMError,
        MatchError,
        VariantError,
        MotifError,
    )


def show_user_error(e: Exception) -> None:
    st.error(str(e))
