"""Helpers shared by the pages: error boundary, session state, cached loaders, downloads.

Only UI glue lives here; the science is in ``genoviz``. The leading underscore keeps this
module out of any page list.
"""

from __future__ import annotations

import copy
import io
import logging
import math
import os
import re
import runpy
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, NamedTuple

import pandas as pd
import plotly.graph_objects as go
import streamlit as st
from streamlit.errors import StreamlitAPIException

import models
from genoviz.data import BUNDLED, DataFormatError, Dataset, load_bundled
from genoviz.data.importers import decode_bytes
from genoviz.explain import explain
from genoviz.export import ExportError, figure_image, static_export_problem
from genoviz.jobs import default_manager
from genoviz.metrics import METRIC_LABELS
from genoviz.plots import figure_frame
from genoviz.plots_sequence_logo import logo_figure
from genoviz.runs import RunError
from genoviz.sequences import SequenceError
from genoviz.share import Decoded, Setup, decode_setup, encode_setup, share_url
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


#: The headline test metric a run is labelled with, the first it has.
HEADLINE_METRICS = ("roc_auc", "pearson", "accuracy", "masked_acc")


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

    def own(run: Any) -> bool:
        return str(Path(run.path).resolve()) in mine

    def training(run: Any) -> bool:
        job = manager.job_for(run.path)
        return job is not None and not getattr(job, "done", False)

    ordered = [r for r in runs if own(r)] + [r for r in runs if not own(r)]
    tags = {}
    for r in ordered:
        tag = (" · yours" if own(r) else "") + (" · training now" if training(r) else "")
        if tag:
            tags[str(r.path)] = tag
    settled = [i for i, r in enumerate(ordered) if not training(r)]
    return RunChoices(ordered, settled[0] if settled else 0, tags)


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


def _slug(name: str) -> str:
    return re.sub(r"[^A-Za-z0-9_.-]+", "-", name).strip("-") or "figure"


def download_row(
    name: str, files: list[tuple[str, Any, str, str, str]], unavailable: str | None = None
) -> None:
    """A row of download buttons: (label, data, extension, mime, icon) each; ``data`` may be
    a callable, so the file is made only when clicked. Keys are ``dl_<ext>_<name>``.
    ``unavailable``: why PNG/SVG cannot be offered, shown on a disabled button."""
    slug = _slug(name)
    row = st.container(horizontal=True, gap="small")
    for label, data, ext, mime, icon in files:
        row.download_button(
            label,
            data=data,
            file_name=f"{slug}.{ext}",
            mime=mime,
            key=f"dl_{ext}_{slug}",
            on_click="ignore",
            icon=icon,
        )
    if unavailable:
        row.button(
            "PNG/SVG unavailable",
            key=f"dl_nostatic_{slug}",
            disabled=True,
            help=unavailable,
            icon=":material/image_not_supported:",
        )


#: A figure's numbers: a table, or a function that builds it when its download is clicked.
FigureData = pd.DataFrame | Callable[[], pd.DataFrame] | None


def figure_downloads(fig: go.Figure, name: str, df: FigureData = None) -> None:
    """Download buttons: the interactive figure as HTML, PNG and SVG where static export
    works here (kaleido and a local Chromium), and its numbers as CSV.

    The files are made only when clicked (deferred callables), so they cost nothing
    per rerun. ``df`` defaults to the figure's own points (:func:`figure_frame`); pass a
    function when the table itself is costly to build (an attention grid's has millions
    of rows). Where static export cannot work, a disabled PNG/SVG button says why in its
    tooltip.
    """
    html = lambda: fig.to_html(include_plotlyjs=True, full_html=True)  # noqa: E731

    def csv() -> str:
        table = df() if callable(df) else df
        return (table if table is not None else figure_frame(fig)).to_csv(index=False)

    files = [("Figure (HTML)", html, "html", "text/html", ":material/download:")]
    problem = static_export_problem()
    if problem is None:
        png = lambda: figure_image(fig, "png")  # noqa: E731
        svg = lambda: figure_image(fig, "svg")  # noqa: E731
        files += [
            ("PNG", png, "png", "image/png", ":material/image:"),
            ("SVG", svg, "svg", "image/svg+xml", ":material/image:"),
        ]
    files.append(("Data (CSV)", csv, "csv", "text/csv", ":material/table:"))
    download_row(name, files, unavailable=problem)


def show_figure(fig: go.Figure, name: str, df: FigureData = None) -> None:
    """A plotly chart (its toolbar also saves PNG) with HTML and CSV downloads under it."""
    slug = _slug(name)
    st.plotly_chart(
        fig,
        key=f"fig_{slug}",
        config={"toImageButtonOptions": {"filename": slug, "scale": 2}, "displaylogo": False},
    )
    figure_downloads(fig, name, df)


def page_link(page: str, label: str, icon: str | None = None) -> None:
    """``st.page_link`` when the app's navigation knows the page; plain text otherwise
    (e.g. a page file run on its own with ``streamlit run pages/x.py``)."""
    try:
        st.page_link(page, label=label, icon=icon)
    except StreamlitAPIException:
        st.markdown(f"→ {label} (in the page menu)")


# --- appended for the Data page: downloaded real sets and logo images ----------------------


@st.cache_resource(show_spinner="Reading the downloaded dataset (first time only)…")
def downloaded_dataset(name: str) -> Dataset:
    """A real set fetched with ``python -m genoviz download NAME``, shared by every session:
    read it, never change it."""
    from genoviz.data import load

    return load(name)


class LogoImages(NamedTuple):
    """A rendered logo: PNG for the page and the PNG download, SVG for the SVG download,
    and the width to show it at (pixels; the PNG has 1.5 times as many, for sharp screens)."""

    png: bytes
    svg: bytes
    width: int


@st.cache_data(max_entries=64, show_spinner="Drawing the logo…")
def logo_images(
    matrix: pd.DataFrame, title: str, y_label: str, y_max: float | None = None
) -> LogoImages:
    """Draw a logo once (logomaker takes a second or two) and keep its PNG and SVG bytes."""
    fig = logo_figure(matrix, title, y_label=y_label, y_max=y_max)
    try:
        out = {}
        for fmt in ("png", "svg"):
            buf = io.BytesIO()
            fig.savefig(buf, format=fmt, dpi=150)
            out[fmt] = buf.getvalue()
        width = round(fig.get_figwidth() * 100)
    finally:
        fig.clear()  # a figure outside pyplot: nothing global to close; free its artists
    return LogoImages(out["png"], out["svg"], width)


def show_logo(images: LogoImages, name: str, matrix: pd.DataFrame) -> None:
    """A logo image with PNG, SVG and CSV (the matrix behind it) downloads under it."""
    st.image(images.png, width=images.width)
    csv = lambda: matrix.rename_axis("position").to_csv()  # noqa: E731
    download_row(
        name,
        [
            ("Logo (PNG)", images.png, "png", "image/png", ":material/download:"),
            ("Logo (SVG)", images.svg, "svg", "image/svg+xml", ":material/download:"),
            ("Data (CSV)", csv, "csv", "text/csv", ":material/table:"),
        ],
    )


# --- teaching and sharing: explanations, links that restore a setup ----------------------


def explain_here(key: str, expanded: bool = False) -> None:
    """The "What am I seeing?" expander for ``key`` (see :mod:`genoviz.explain`); call it
    right next to the figure it explains."""
    e = explain(key)
    with st.expander(e.title, expanded=expanded, icon=":material/help:"):
        st.markdown(e.body)


#: The address-bar parameter with this session's job ticket (see :mod:`genoviz.jobs`).
JOB_PARAM = "job"


def _query_key(page: str) -> str:
    return f"_share_synced_{page}"


def link_setup(page: str) -> Decoded | None:
    """The setup in the URL on the page's first run in this session (a link was opened),
    else None. Bad values come back as ``problems`` to show, never raise.

    Only the first run counts: opening or editing a link loads a new session, while a
    rerun may carry the browser's previous query string (Streamlit 1.67 sometimes updates
    the address bar one run late), which must not undo what the user just did.
    """
    if _query_key(page) in st.session_state:
        return None
    current = st.query_params.to_dict()
    st.session_state[_query_key(page)] = current
    return decode_setup(current) if current else None


def sync_link(page: str, setup: Setup, job: Any = None) -> str:
    """Write ``setup`` into the address bar (the setup lives in the URL, as in TF
    Playground) and return the full shareable link.

    With this session's training ``job``, the address bar also holds its ticket
    (``job=``), so that a reload finds it again (:func:`reattach_job`); the shareable link
    never carries it."""
    params = encode_setup(setup)
    ticket = default_manager().ticket(job) if job is not None else None
    if ticket is not None:
        params[JOB_PARAM] = ticket
    if st.query_params.to_dict() != params:
        st.query_params.from_dict(params)
    st.session_state[_query_key(page)] = params
    base = st.context.url or f"/{page}"
    return share_url(base, setup)


def reattach_job(state_key: str, kind: str, param: str = JOB_PARAM) -> Any:
    """This session's job under ``state_key``. A reload starts a new session with nothing
    in it: then the job whose ticket the address bar holds under ``param``
    (:func:`sync_link`, :func:`hold_tickets`), when the server still has it, is this
    session's again, training or finished."""
    job = st.session_state.get(state_key)
    if job is None:
        ticket = st.query_params.get(param)
        found = default_manager().find(ticket, kind) if ticket else None
        if found is not None:
            st.session_state[state_key] = job = found
    return job


def hold_tickets(jobs: dict[str, Any]) -> None:
    """Keep each of this session's jobs' tickets in the address bar under its parameter
    name (``jobs``: parameter -> job or None), for a page with no setup link (the Zoo's
    two jobs), so that a reload finds them again (:func:`reattach_job`)."""
    manager = default_manager()
    for param, job in jobs.items():
        ticket = manager.ticket(job) if job is not None else None
        if ticket is not None and st.query_params.get(param) != ticket:
            st.query_params[param] = ticket


def copy_link_button(
    url: str, where: Any = None, key: str = "copy_link", left_out: list[str] | None = None
) -> None:
    """A "Copy link" popover holding the link with a one-click copy icon; ``left_out``
    names settings of the page that the link does not carry."""
    target = where if where is not None else st
    with target.popover("Copy link", icon=":material/link:", key=key):
        if left_out:
            st.caption(
                "This link opens the same setup, except what a link cannot carry: "
                f"{'; '.join(left_out)}. Set those again after opening it (the copy icon is "
                "on the right):"
            )
        else:
            st.caption("This link opens the same setup (the copy icon is on the right):")
        st.code(url, language=None, wrap_lines=True)


def queued_text(job: Any) -> str:
    """What a page says of a job waiting for one of the server's training places."""
    return (
        f"queued, position {job.queue_position or 1}: this server trains at most "
        f"{default_manager().max_jobs} model(s) at once, and yours starts when a place frees"
    )
