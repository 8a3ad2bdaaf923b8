"""Helpers shared by the pages: error boundary, session state, cached loaders, dataset choices.

Only UI glue lives here; the science is in ``genoviz``. The leading underscore keeps this
module out of any page list. Figures with their downloads are in ``pages._figures``, run
pickers in ``pages._run_pickers``, the address bar (setup links, job tickets) in
``pages._links``.
"""

from __future__ import annotations

import copy
import logging
import math
import os
import runpy
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import streamlit as st
from streamlit.errors import StreamlitAPIException

import models
from genoviz.data import BUNDLED, DataFormatError, Dataset, load_bundled
from genoviz.data.importers import decode_bytes
from genoviz.explain import explain
from genoviz.export import ExportError
from genoviz.jobs import default_manager
from genoviz.metrics import METRIC_LABELS
from genoviz.runs import RunError
from genoviz.sequences import SequenceError
from genoviz.training import TrainingError
from pages._keep import forget

log = logging.getLogger("genoviz.ui")

#: Errors whose message is written for the user: shown as they are, without a traceback.
USER_ERRORS: tuple[type[Exception], ...] = (
    SequenceError,
    DataFormatError,
    TrainingError,
    RunError,
    models.ModelError,
    ExportError,
)

APP_SCRIPT = Path(__file__).resolve().parents[1] / "app.py"

#: Largest upload genoviz reads in the browser, after decompression (MB).
MAX_UPLOAD_MB = float(os.environ.get("GENOVIZ_MAX_UPLOAD_MB", "200"))

# Session-state keys shared between pages (widget keys are page-local and get cleared
# when the user navigates away, so pages copy what they share into these).
ACTIVE_DATASET = "active_dataset"  # a bundled name, or USER_CHOICE
USER_DATASET = "user_dataset"  # the Dataset loaded on the Data page
TRAIN_JOB = "train_job"  # the TrainingJob of this session
LESSON_JOB = "lesson_job"  # the Lesson page's TrainingJob
ZOO_JOBS = ("zoo_ae_job", "zoo_gain_job")  # the Zoo page's ThreadJobs
#: Every session-state key that holds a job this session started.
SESSION_JOBS = (TRAIN_JOB, LESSON_JOB, *ZOO_JOBS)
#: Resolved run folders of the jobs this session started, kept when a newer job replaces one.
MY_RUNS = "my_run_dirs"
STOP_REQUESTED = "train_stop_requested"
#: ``(resolved folder path, Dataset)`` of the DeepChem folder this session chose to trust.
DISK_MEMO = "data_disk_loaded"
USER_CHOICE = "__user__"
DEFAULT_DATASET = "tf-binding"


def ensure_app_navigation() -> None:
    """Run every page through ``app.py``'s ``st.navigation``, even on a deep link.

    Streamlit quirk (1.67): until some session has called ``st.navigation``, a server whose
    entry script sits next to a ``pages/`` folder serves a deep link such as ``/train`` the
    old multipage way: the page file runs alone, without ``app.py``'s page list and page
    config (AppTest resets to that state before every run). Then this runs ``app.py`` in
    place, which renders the same page through the real navigation, and stops the outer
    run. Clicks are kept, since it is the same script run (a rerun would drop them).
    """
    try:
        from streamlit.runtime.pages_manager import PagesManager
    except ImportError:  # a future streamlit without it: nothing to fix
        return
    if getattr(PagesManager, "uses_pages_directory", False):
        PagesManager.uses_pages_directory = False
        runpy.run_path(str(APP_SCRIPT), run_name="__main__")
        st.stop()


@contextmanager
def error_boundary(what: str) -> Iterator[None]:
    """Show errors inline instead of a traceback, so the session survives.

    Known user errors show their own message; anything else is logged with its traceback
    and shown as one line. ``st.rerun``/``st.stop`` are BaseExceptions and pass through.
    """
    try:
        yield
    except USER_ERRORS as e:
        st.error(str(e))
    except Exception as e:
        log.exception("error while %s", what)
        st.error(
            f"Something went wrong while {what}: {type(e).__name__}: {e}. "
            "The details are in the server log."
        )


def load_bundled_copy(name: str, seed: int = 0) -> Dataset:
    """A fresh copy of a bundled set that the caller may change."""
    return load_bundled(name, seed)


@st.cache_resource(max_entries=24, show_spinner="Building the bundled dataset (first time only)…")
def bundled_dataset(name: str, seed: int = 0) -> Dataset:
    """The bundled set, shared by every session: read it, never change it (its arrays are
    read-only, so an accidental in-place write fails loudly instead of leaking). The app
    trains at seed 0; a run trained on the command line with ``--seed`` is explained on
    its own seed's set (:func:`genoviz.run_data.data_seed`)."""
    ds = load_bundled_copy(name, seed)
    for a in (ds.labels, ds.weights, ds.extras, *ds.splits.values()):
        if a is not None:
            a.setflags(write=False)
    return ds


def dataset_label(choice: str) -> str:
    """What a dataset choice is called in select boxes."""
    if choice == USER_CHOICE:
        ds = st.session_state.get(USER_DATASET)
        return f"your data: {ds.name}" if ds is not None else "your data"
    spec = BUNDLED.get(choice)
    return f"{choice} — {spec.summary}" if spec else choice


def dataset_choices() -> list[str]:
    """Bundled names, plus the user's own dataset when one was loaded on the Data page."""
    out = list(BUNDLED)
    if st.session_state.get(USER_DATASET) is not None:
        out.append(USER_CHOICE)
    return out


def active_choice() -> str:
    choice = st.session_state.get(ACTIVE_DATASET, DEFAULT_DATASET)
    return choice if choice in dataset_choices() else DEFAULT_DATASET


def fresh_dataset(choice: str) -> Dataset:
    """A dataset the caller may hand to training (which may set its splits): a copy."""
    if choice == USER_CHOICE:
        ds = st.session_state.get(USER_DATASET)
        if ds is None:
            raise DataFormatError("no dataset of your own is loaded; load one on the Data page")
        out = copy.copy(ds)
        out.splits = dict(ds.splits)
        return out
    return load_bundled_copy(choice)


def read_upload(data: bytes, name: str, limit_mb: float | None = None) -> str:
    """Bytes of an uploaded file to text: gunzip (with a size cap) and decode UTF-8.

    Raises:
        DataFormatError: too large, a broken gzip stream, binary or non-UTF-8 content.
    """
    limit_mb = MAX_UPLOAD_MB if limit_mb is None else limit_mb
    limit = int(limit_mb * 1024 * 1024)
    if len(data) > limit:
        raise DataFormatError(
            f"{name} is {len(data) / 2**20:,.1f} MB; the dashboard reads files up to "
            f"{limit_mb:g} MB (set GENOVIZ_MAX_UPLOAD_MB to change it). Use the command "
            "line (python -m genoviz train --data FILE) for bigger files."
        )
    text = decode_bytes(data, name, max_bytes=limit)
    if not text.strip():
        raise DataFormatError(f"{name}: the file is empty")
    return text


def fmt(v: Any, digits: int = 3) -> str:
    """A metric for display: ``0.873``, or ``n/a`` for NaN/None."""
    if v is None or (isinstance(v, float) and not math.isfinite(v)):
        return "n/a"
    return f"{v:.{digits}f}"


def trusted_folder(path: str | Path) -> bool:
    """Whether ``path`` is the DeepChem folder this session chose to trust on Data."""
    memo = st.session_state.get(DISK_MEMO)
    return memo is not None and memo[0] == str(Path(path).expanduser().resolve())


def choose(label: str, options: Iterable[Any], *, key: str, where: Any = None, **kwargs) -> Any:
    """``st.selectbox`` for options that change with the run or data: a kept choice that
    is no longer among them is forgotten, so the box starts from its default.

    The browser sends back the label it last showed, and when the new options have no such
    label Streamlit returns that old label as a string instead of an option (switching
    from a sirna run to a tf-binding one turned a sequence index into 'si00003'). When the
    labels change under a value that stays, the value is set again so the browser shows
    its new label."""
    options = list(options)
    if key in st.session_state and st.session_state[key] not in options:
        forget(st.session_state, key)
        index = kwargs.get("index", 0)
        if options and index is not None:  # set, so the browser shows it (it kept the old)
            st.session_state[key] = options[index]
    # Options that keep their values but change their labels (sequence 3 of another run):
    # the browser went on showing the old label; setting the value again sends the new one.
    fmt = kwargs.get("format_func", str)
    shown = tuple(str(fmt(o)) for o in options)
    seen = f"{SHOWN}{key}"
    if st.session_state.get(seen, shown) != shown and key in st.session_state:
        st.session_state[key] = st.session_state[key]
    st.session_state[seen] = shown
    return (where or st).selectbox(label, options, key=key, **kwargs)


#: Session-state prefix of the labels a :func:`choose` box showed last.
SHOWN = "_shown:"


def summary_text(task: str, metrics: dict[str, float], n: int, positive_share: float | None) -> str:
    """One or two plain-language sentences about the test metrics."""
    if task == "binary":
        auc, pr = metrics.get("roc_auc", math.nan), metrics.get("pr_auc", math.nan)
        if not math.isfinite(auc):
            return (
                f"The {n:,} held-out sequences contain only one class, so ROC AUC is "
                "undefined; use a larger or more balanced dataset."
            )
        text = (
            f"ROC AUC {auc:.2f} on {n:,} held-out sequences: the model ranks a random "
            f"positive (label 1) above a random negative {auc:.0%} of the time "
            "(50% is guessing)."
        )
        if math.isfinite(pr) and positive_share is not None:
            text += (
                f" PR AUC {pr:.2f}, against {positive_share:.2f} for random guessing "
                "(the share of positives among them)."
            )
        return text
    if task == "regression":
        r, rho = metrics.get("pearson", math.nan), metrics.get("spearman", math.nan)
        if not math.isfinite(r):
            return f"Correlation is undefined on the {n:,} held-out sequences (constant values)."
        text = (
            f"Pearson r {r:.2f} on {n:,} held-out sequences (Spearman ρ {fmt(rho, 2)}): a "
            f"straight line through the predictions explains about {r * r:.0%} of the "
            "spread in the measured values."
        )
        r2 = metrics.get("r2", math.nan)
        if math.isfinite(r2) and r2 < 0:
            text += (
                f" Taken as they are, though, the predictions miss the measured values by "
                f"more than the values' own mean would (R² {r2:.2f}, below 0): they may order "
                "the sequences, but their numbers are off the measured scale. Train longer, "
                "or rank by them only."
            )
        elif math.isfinite(r2):
            text += f" Taken as they are, without that line, they explain {r2:.0%} (R² {r2:.2f})."
        return text
    if task == "multiclass" and math.isfinite(metrics.get("accuracy", math.nan)):
        return (
            f"Accuracy {metrics['accuracy']:.0%} on {n:,} held-out sequences, macro F1 "
            f"{fmt(metrics.get('macro_f1'), 2)} (every class counts the same, however "
            f"rare) and MCC {fmt(metrics.get('mcc'), 2)} (0 is guessing, 1 is perfect). The "
            "confusion matrix shows which classes the model mixes up."
        )
    if task == "multitask-binary" and math.isfinite(metrics.get("roc_auc", math.nan)):
        every = {k[len("roc_auc_") :]: v for k, v in metrics.items() if k.startswith("roc_auc_")}
        per = {k: v for k, v in every.items() if math.isfinite(v)}
        best, worst = max(per, key=per.__getitem__), min(per, key=per.__getitem__)
        undefined = [k for k in every if k not in per]
        left_out = (
            f" {', '.join(undefined)}: no ROC AUC (only one class among its test labels), "
            "so not in the mean."
            if undefined
            else ""
        )
        return (
            f"Mean ROC AUC {metrics['roc_auc']:.2f} over {len(per)} tasks on {n:,} held-out "
            f"sequences; easiest {best} ({fmt(per[best], 2)}), hardest {worst} "
            f"({fmt(per[worst], 2)}).{left_out}"
        )
    shown = ", ".join(
        f"{METRIC_LABELS.get(k, k)} {fmt(v)}" for k, v in metrics.items() if k in METRIC_LABELS
    )
    return f"On {n:,} held-out sequences: {shown}." if shown else ""


def page_link(page: str, label: str, icon: str | None = None) -> None:
    """``st.page_link`` when the app's navigation knows the page; plain text otherwise
    (e.g. a page file run on its own with ``streamlit run pages/x.py``)."""
    try:
        st.page_link(page, label=label, icon=icon)
    except StreamlitAPIException:
        st.markdown(f"→ {label} (in the page menu)")


# --- appended for the Data page: downloaded real sets ---------------------------------------


@st.cache_resource(show_spinner="Reading the downloaded dataset (first time only)…")
def downloaded_dataset(name: str) -> Dataset:
    """A real set fetched with ``python -m genoviz download NAME``, shared by every session:
    read it, never change it."""
    from genoviz.data import load

    return load(name)


# --- teaching: explanations --------------------------------------------------------------


def explain_here(key: str, expanded: bool = False) -> None:
    """The "What am I seeing?" expander for ``key`` (see :mod:`genoviz.explain`); call it
    right next to the figure it explains."""
    e = explain(key)
    with st.expander(e.title, expanded=expanded, icon=":material/help:"):
        st.markdown(e.body)


def queued_text(job: Any) -> str:
    """What a page says of a job waiting for one of the server's training places."""
    return (
        f"queued, position {job.queue_position or 1}: this server trains at most "
        f"{default_manager().max_jobs} model(s) at once, and yours starts when a place frees"
    )
