"""Predict: score new sequences with a saved run and download the table."""

from __future__ import annotations

from pathlib import Path

import streamlit as st
from torch import nn

from genoviz.data import BUNDLED
from genoviz.data.importers import UPLOAD_TYPES
from genoviz.plots_bars import histogram_figure
from genoviz.predict import predict_sequences, prediction_table, trained_lengths
from genoviz.predict_inputs import MissingExtrasError, text_scoring
from genoviz.run_data import data_seed
from genoviz.run_folders import default_runs_dir, list_runs
from genoviz.runs import (
    WEIGHTS,
    Run,
    RunError,
    check_usable,
    is_pretraining,
    load_run,
)
from genoviz.train_setup import select_device
from pages._common import (
    bundled_dataset,
    choose,
    ensure_app_navigation,
    error_boundary,
    explain_here,
    page_link,
    read_upload,
)
from pages._figures import show_figure
from pages._run_pickers import run_choices

INPUTS = ("Paste sequences", "Upload a file")
SHOW_ROWS = 1000
#: The last file uploaded: ``{"text", "name", "showing"}``, ``showing`` while the uploader
#: itself still holds it. Streamlit empties an uploader when the user visits another page;
#: the file is then scored from here until the user uploads another or forgets it.
LAST_UPLOAD = "predict_last_upload"
PASTE_HELP = "FASTA, GenBank, one sequence per line, or a CSV with a 'sequence' column"


@st.cache_resource(max_entries=4, show_spinner="Loading the model…")
def cached_model(path: str, weights_mtime: float) -> nn.Module:
    """A run's model, shared by sessions, on the GPU when there is one; ``weights_mtime``
    renews it when retrained."""
    return load_run(path).load_model(select_device("auto"))


def example_text(run: Run, n: int = 5) -> str:
    """A few held-out sequences of the run's bundled dataset, as paste-ready text."""
    spec = run.info.get("dataset", {}).get("spec")
    if spec not in BUNDLED:
        return ""
    ds = bundled_dataset(spec, data_seed(run, fallback=0))
    idx = ds.splits.get("test", range(len(ds)))[:n]
    names = run.info["dataset"].get("extras_names") or []
    if int(run.info["model"]["build"].get("extras", 0)) and names and ds.extras is not None:
        lines = [",".join(["id", "sequence", *names])]
        lines += [
            ",".join([ds.ids[i], ds.sequences[i], *(f"{v:.3f}" for v in ds.extras[i])]) for i in idx
        ]
        return "\n".join(lines)
    return "\n".join(f">{ds.ids[i]}\n{ds.sequences[i]}" for i in idx)


def fill_example(run: Run) -> None:
    st.session_state["predict_input"] = INPUTS[0]
    st.session_state["predict_paste"] = example_text(run)


def input_section(run: Run) -> tuple[str, str] | None:
    """The text to score and where it came from, or None while there is none."""
    mode = st.radio("Sequences", INPUTS, horizontal=True, key="predict_input")
    if example_text(run):
        st.button(
            "Use a few held-out sequences as an example",
            key="predict_example",
            on_click=fill_example,
            args=(run,),
            type="tertiary",
            icon=":material/science:",
        )
    if mode == INPUTS[0]:
        text = st.text_area(
            f"Sequences to score ({PASTE_HELP})",
            height=200,
            key="predict_paste",
            placeholder=">seq1\nACGTACGT…",
        )
        if not text:
            st.info("Paste sequences above, then press Ctrl+Enter (or click outside the box).")
            return None
        return text, "pasted text"
    return upload_section()


def upload_section() -> tuple[str, str] | None:
    """The uploaded file's text and name; after a visit to another page, the file uploaded
    before it (the uploader itself comes back empty)."""
    drawn_before = "predict_upload" in st.session_state  # absent after another page
    up = st.file_uploader(
        f"File to score ({PASTE_HELP}; .gz allowed)",
        type=[*UPLOAD_TYPES, "bed"],
        key="predict_upload",
    )
    if up is not None:
        text = read_upload(up.getvalue(), up.name)
        st.session_state[LAST_UPLOAD] = {"text": text, "name": up.name, "showing": True}
        return text, up.name
    last = st.session_state.get(LAST_UPLOAD)
    if last is None:
        return None
    if last["showing"] and drawn_before:  # the user removed it from the uploader
        del st.session_state[LAST_UPLOAD]
        return None
    last["showing"] = False
    c1, c2 = st.columns([4, 1], vertical_alignment="center")
    c1.info(
        f"Scoring **{last['name']}**, the file uploaded before you left this page. Upload "
        "another above to replace it."
    )
    c2.button("Forget it", key="predict_forget_upload", on_click=forget_upload)
    return last["text"], last["name"]


def forget_upload() -> None:
    st.session_state.pop(LAST_UPLOAD, None)


def show_predictions(run: Run, text: str, name: str) -> None:
    try:
        scoring = text_scoring(run, text, name)
    except MissingExtrasError as e:
        st.warning(
            f"{e} Or train a model without extra inputs (untick the checkbox on the Train page)."
        )
        return
    ids, seqs, extras = scoring.inputs.ids, scoring.inputs.seqs, scoring.extras.values
    for note in scoring.notes:
        st.info(note)
    weights = run.path / WEIGHTS
    model = cached_model(str(run.path), weights.stat().st_mtime if weights.exists() else 0.0)
    with st.spinner(f"Scoring {len(seqs):,} sequence(s) with {run.name}…"):
        pred = predict_sequences(run, seqs, extras, model=model, ids=ids)
    for note in pred.notes:
        st.info(note)
    df = prediction_table(run, pred, ids, scoring.label_values, extras)
    df.insert(1, "length", [len(s) for s in seqs])
    df["sequence"] = seqs
    st.success(f"Scored {len(df):,} sequence(s) with {run.name}.")
    st.dataframe(df.head(SHOW_ROWS), hide_index=True, key="predict_table")
    if len(df) > SHOW_ROWS:
        st.caption(f"First {SHOW_ROWS:,} of {len(df):,} rows; the download has them all.")
    st.download_button(
        "Download predictions (CSV)",
        df.to_csv(index=False),
        f"predictions-{run.name}.csv",
        mime="text/csv",
        key="predict_download",
        on_click="ignore",
        type="primary",
        icon=":material/download:",
    )
    if "prediction" in df and len(df) > 1:
        binary = pred.kind == "probability"
        x_title = "predicted probability of label 1" if binary else "prediction"
        fig = histogram_figure(df["prediction"].to_numpy(), "Predictions", x_title, nbins=40)
        show_figure(fig, f"prediction-histogram-{run.name}", df[["id", "prediction"]])
    explain_here("predictions")


def main() -> None:
    st.title("Predict")
    found = list_runs()
    runs = [r for r in found if not is_pretraining(r)]  # an untrained head predicts nothing
    if found and not runs:
        st.info(
            "The saved runs are all pretraining runs (such as the autoencoder's): their output "
            "layer never learned the labels. Fine-tune one on the Train page (Start from a "
            "saved run), then predict with that."
        )
        page_link("pages/train.py", "Go to Train", icon=":material/model_training:")
        return
    if not runs:
        st.info(
            f"No trained runs in `{Path(default_runs_dir()).resolve()}` yet. Train a model "
            "first; each run is saved there."
        )
        page_link("pages/train.py", "Go to Train", icon=":material/model_training:")
        return
    offered = run_choices(runs)
    by_path = {str(r.path): r for r in offered.runs}
    path = choose(
        "Trained run",
        by_path,
        index=offered.index,
        format_func=lambda p: offered.label(by_path[p], status=True),
        key="predict_run",
    )
    run = by_path[path]
    try:
        check_usable(run)  # a damaged run.json: say what it lacks, before anything reads it
    except RunError as e:
        st.error(f"{e}.")
        return
    build = run.info.get("model", {}).get("build", {})
    task = run.info.get("dataset", {}).get("task", "?")
    lo, hi = trained_lengths(run) if build.get("seq_len") else ("?", "?")
    st.caption(
        f"Task **{task}** · trained on {lo if lo == hi else f'{lo}-{hi}'} bp sequences · "
        f"folder `{run.path}`"
    )
    if run.status == "failed":
        st.warning(f"This run failed: {run.info.get('message', 'no message')}")
    elif run.untrained:
        st.warning(
            f"This run was {run.status} before its first epoch finished: these are the "
            "predictions of its starting model, untrained."
        )
    given = input_section(run)
    if given is not None:
        show_predictions(run, *given)


ensure_app_navigation()
with error_boundary("showing the Predict page"):
    main()
