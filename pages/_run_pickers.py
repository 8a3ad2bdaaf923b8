"""Run pickers: how a run is labelled, and which runs a picker offers first (this
session's own, not one still training)."""

from __future__ import annotations

from pathlib import Path
from typing import Any, NamedTuple

import streamlit as st

from genoviz.jobs import default_manager
from genoviz.metrics import METRIC_LABELS
from pages._common import MY_RUNS, SESSION_JOBS, fmt

#: The headline test metric a run is labelled with, the first it has.
HEADLINE_METRICS = ("roc_auc", "pearson", "accuracy", "masked_acc")


def run_label(run: Any, status: bool = False) -> str:
    """``name · model on dataset[ · status] · test <headline metric>`` for run pickers."""
    info = run.info
    model = info.get("model", {}).get("name", "?")
    data = info.get("dataset", {}).get("name", "?")
    test = (info.get("final_metrics") or {}).get("test") or {}
    key = next((k for k in HEADLINE_METRICS if k in test), None)
    headline = f" · test {METRIC_LABELS[key]} {fmt(test[key])}" if key else ""
    state = f" · {run.status}" if status else ""
    if getattr(run, "untrained", False):  # its numbers are those of the starting model
        state += " · untrained (stopped before epoch 1)"
    return f"{run.name} · {model} on {data}{state}{headline}"


def my_run_dirs() -> set[str]:
    """The run folders (resolved paths) that this session's jobs wrote: the current ones
    and every earlier one noted here. Call it before a new job replaces an old one."""
    mine: set[str] = st.session_state.setdefault(MY_RUNS, set())
    for key in SESSION_JOBS:
        folder = getattr(st.session_state.get(key), "run_dir", None)
        if folder is not None:
            mine.add(str(Path(folder).resolve()))
    return set(mine)


class RunChoices(NamedTuple):
    """Runs as a picker offers them: this session's first, and where it starts."""

    runs: list[Any]
    index: int
    tags: dict[str, str]  # folder path -> " · yours", " · training now", ...

    def label(self, run: Any, status: bool = False) -> str:
        return run_label(run, status) + self.tags.get(str(run.path), "")


def run_choices(runs: list[Any]) -> RunChoices:
    """``runs`` (newest first) with this session's own first, each tagged "yours" and,
    while this server trains it, "training now". The picker starts on the newest of them
    that is not training; without one, on the newest run that is not training. A picker
    that started on the server's newest run showed a classmate's, or a half-trained one."""
    mine = my_run_dirs()
    manager = default_manager()

    def training(run: Any) -> bool:
        job = manager.job_for(run.path)
        return job is not None and not getattr(job, "done", False)

    own = {id(r) for r in runs if str(Path(r.path).resolve()) in mine}
    ordered = [r for r in runs if id(r) in own] + [r for r in runs if id(r) not in own]
    busy = [training(r) for r in ordered]  # each run asked once, not per use
    tags = {}
    for r, now in zip(ordered, busy, strict=True):
        tag = (" · yours" if id(r) in own else "") + (" · training now" if now else "")
        if tag:
            tags[str(r.path)] = tag
    settled = [i for i, now in enumerate(busy) if not now]
    return RunChoices(ordered, settled[0] if settled else 0, tags)
