"""Train page: start from a saved run (transfer learning) and say what was copied.

UI glue only: compatibility is :func:`genoviz.transfer.compatible_runs`.
"""

from __future__ import annotations

import dataclasses
import json

import pandas as pd
import streamlit as st
from torch import nn

import models
from genoviz.data import Dataset
from genoviz.random_streams import drawing
from genoviz.run_folders import list_runs
from genoviz.runs import is_pretraining
from genoviz.training import TrainConfig, model_build_args
from genoviz.transfer import RunMatch, TransferReport, compatible_runs, report_rows
from models.checkpoints import CheckpointError, checkpoint_summary
from pages._common import choose, error_boundary

NO_RUN = ""
NO_RUN_LABEL = "nothing: fresh random weights"


@st.cache_resource(max_entries=8, show_spinner=False)
def blank_model(name: str, build_json: str) -> nn.Module:
    """A freshly built model, only to read its tensor names and shapes (never trained)."""
    with drawing():  # its random start never cuts into a training's draws
        return models.get(name, **json.loads(build_json))


def match_label(m: RunMatch) -> str:
    info = m.run.info
    model = (info.get("model") or {}).get("name", "?")
    data = (info.get("dataset") or {}).get("name", "?")
    kind = " (pretraining)" if is_pretraining(m.run) else ""
    return f"{m.run.name} · {model}{kind} on {data} · fills {m.matching} of {m.total} tensors"


def transfer_form(ds: Dataset, model: str, config: TrainConfig, running: bool) -> TrainConfig:
    """The "Start from a saved run" selector and "freeze the trunk" checkbox (and, for a
    kmer-bert, a checkpoint folder), in an expander; returns ``config`` with
    ``init_from`` / ``freeze_trunk`` (or ``init_bert``) set."""
    out = config
    with (
        st.expander(
            "Start from a saved run or a BERT checkpoint (transfer learning)"
            if model == "kmer-bert"
            else "Start from a saved run (transfer learning)",
            icon=":material/move_down:",
        ),
        error_boundary("looking for saved runs to start from"),
    ):
        out = _choose_run(ds, model, config, running)
        if model == "kmer-bert":
            out = _choose_checkpoint(out, running)
    return out


def _choose_checkpoint(config: TrainConfig, running: bool) -> TrainConfig:
    """A Hugging Face checkpoint folder in DNABERT's layout (e.g. a downloaded DNA_bert_6)
    or a pretraining run's folder; checked before training, and it sets the architecture."""
    path = st.text_input(
        "…or a BERT checkpoint folder on this machine",
        key="train_init_bert",
        disabled=running,
        placeholder="e.g. ~/models/DNA_bert_6",
        help="A folder in DNABERT's layout: config.json, vocab.txt and model.safetensors or "
        "pytorch_model.bin (read without running code). Its k and size replace the model's; "
        "a task head starts fresh (pretraining goes on with its masked-token head).",
    ).strip()
    if not path:
        return config
    try:
        summary = checkpoint_summary(path)
    except CheckpointError as e:
        st.error(f"That folder cannot be used: {e}")
        return config
    st.success(f"Fine-tuning from `{path}`: {summary}.", icon=":material/check:")
    if config.init_from:
        st.warning("Both a saved run and a checkpoint folder are chosen: the folder is used.")
    return dataclasses.replace(config, init_bert=path, init_from=None, freeze_trunk=False)


def _choose_run(ds: Dataset, model: str, config: TrainConfig, running: bool) -> TrainConfig:
    build = model_build_args(ds, model, config)
    net = blank_model(model, json.dumps(build, sort_keys=True, default=str))
    matches = {str(m.run.path): m for m in compatible_runs(net, list_runs())}
    if not matches:
        st.info(
            f"No saved run fits **{model}** on {build['seq_len']} bp sequences yet. A run "
            "fits when it trained the same kind of model on sequences of the same length "
            "(the output layer may differ). For example, pretrain the autoencoder on the "
            "Zoo page, then choose the model **autoencoder** here."
        )
        return config
    choice = choose(
        "Start from",
        [NO_RUN, *matches],
        format_func=lambda p: NO_RUN_LABEL if p == NO_RUN else match_label(matches[p]),
        key="train_init_from",
        disabled=running,
        help="Tensors with the same name and shape are copied; the rest start fresh.",
    )
    freeze = st.checkbox(
        "Freeze the trunk (train only the dense head)",
        key="train_freeze_trunk",
        disabled=running or choice == NO_RUN,
        help="Keeps the copied layers fixed: useful with few labelled sequences.",
    )
    if choice == NO_RUN:
        return config
    return dataclasses.replace(config, init_from=choice, freeze_trunk=bool(freeze))


def transfer_report(report: dict) -> None:
    """What the run copied, kept fresh and froze, after training."""
    summary = TransferReport(**report).summary()
    st.markdown(f"**Transfer:** {summary}.")
    with st.expander("Every tensor", icon=":material/list:"):
        st.dataframe(pd.DataFrame(report_rows(report)), hide_index=True, key="train_transfer")
