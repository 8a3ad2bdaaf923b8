"""The Lesson page's five steps, one function each (see pages/lesson.py for the page; the
training job behind step 4 is pages/_lesson_training.py).

Only UI wiring: the science is in :mod:`genoviz.lesson` and :mod:`genoviz.interpret`.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import streamlit as st
import torch

from genoviz.data import Dataset
from genoviz.interpret.filters import filter_label, filter_pfms
from genoviz.lesson import (
    Site,
    informative_filters,
    match_filters,
    motif_indices,
    network_text,
    planted_motifs,
    planted_sites,
    pwm_filter,
    scan,
    word_filter,
)
from genoviz.lesson_plots import one_hot_figure, scan_figure
from genoviz.motifs import lined_up
from genoviz.onehot import one_hot
from genoviz.sequences import ALPHABET, clean_sequence
from genoviz.share import LESSON_MAX_EPOCHS
from genoviz.training_job import TrainingJob
from pages._common import explain_here, summary_text
from pages._figures import logo_images, show_figure, show_logo
from pages._lesson_state import (
    EPOCHS,
    FILTER,
    MOTIFS_MEMO,
    OWN,
    POS,
    SEED,
    SEQ,
    WORD,
    WORD_FILTER,
    go,
)
from pages._lesson_training import lesson_job, live_training, start_training, stop_training

WINDOW = 60  # bases of one-hot shown at once
POLL_SECONDS = 1.0


def current_sequence(ds: Dataset) -> tuple[str, str]:
    """(sequence, where it comes from): the user's own, or the chosen row of the dataset."""
    own = st.session_state.get(OWN, "").strip()
    if own:
        return clean_sequence(own, record="your sequence"), "your sequence"
    i = int(st.session_state.get(SEQ, 0))
    return ds.sequences[i], f"{ds.ids[i]} (row {i} of {ds.name}, label {label_text(ds, i)})"


def label_text(ds: Dataset, i: int) -> str:
    y = ds.labels[i]
    if ds.task == "multiclass":
        return ds.class_names[int(y)]
    if ds.task == "multitask-binary":
        on = [n for n, v in zip(ds.class_names, y, strict=True) if v > 0.5]
        return "+".join(on) or "none"
    return f"{float(y):g}"


# --- steps --------------------------------------------------------------------------------


def step_dataset(ds: Dataset) -> None:
    st.markdown(ds.meta.description)
    s = ds.summary()
    c = st.columns(3)
    c[0].metric("sequences", f"{len(ds):,}")
    c[1].metric("task", ds.task)
    c[2].metric("length (bp)", str(s["length"]))
    motifs = planted_motifs(ds)
    if motifs:
        st.markdown("#### The planted truth: motifs hidden in the sequences")
        cols = st.columns(min(len(motifs), 3))
        for k, (name, pfm) in enumerate(motifs.items()):
            matrix = pfm_matrix(pfm)
            with cols[k % len(cols)]:
                show_logo(logo_images(matrix, name, "probability", 1.0), f"planted-{name}", matrix)
    else:
        st.info(
            "This set has no planted motif: its labels come from rules described above "
            "(for example base composition at certain positions). The lesson still shows "
            "how a network reads it; step 5 then shows the filters that carry the most "
            "information instead of a comparison."
        )
    i = int(st.session_state[SEQ])
    sites = planted_sites(ds, i)
    if sites:
        decoys = any(s.is_decoy for s in sites)
        st.markdown(
            f"Sequence **{ds.ids[i]}** (label {label_text(ds, i)}) has these "
            + ("planted motifs:" if decoys else "sites:")
        )
        st.dataframe(sites_table(sites), hide_index=True)
        st.caption(
            "Positions count from 1 (the sequence's first base), as in every step."
            + (
                " A decoy is a motif planted where the factor does not bind (weakened, "
                "halved, or too far from its partner), so the network cannot just look for "
                "the letters."
                if decoys
                else ""
            )
        )
    explain_here("ground_truth")


def sites_table(sites: list[Site]) -> pd.DataFrame:
    """Planted sites as the lesson shows them: ``start`` is 1-based, like every position
    the lesson shows (the one-hot columns, the scan's positions, its best match)."""
    table = pd.DataFrame(
        {
            "motif": [s.motif for s in sites],
            "start": [s.start + 1 for s in sites],
            "strand": [s.strand for s in sites],
        }
    )
    if any(s.kind != "site" for s in sites):  # a decoy is planted too: never call it a site
        table["kind"] = [s.kind for s in sites]
    return table


def step_one_hot(ds: Dataset) -> None:
    c1, c2 = st.columns([1, 2])
    c1.number_input("Sequence (row of the dataset)", 0, len(ds) - 1, key=SEQ)
    c2.text_input(
        "…or type your own DNA sequence",
        key=OWN,
        placeholder="e.g. TTGACTCATGC (leave empty to use the dataset's)",
    )
    seq, where = current_sequence(ds)
    st.markdown(f"**{where}**, {len(seq)} bp:")
    st.code(seq, language=None, wrap_lines=True)
    x = one_hot(seq)[0]
    start = 0
    if len(seq) > WINDOW:
        start = st.slider("Show bases from", 1, len(seq) - WINDOW + 1, key="lesson_window") - 1
    part = seq[start : start + WINDOW]
    fig = one_hot_figure(
        part, x[:, start : start + WINDOW], f"One-hot of bases {start + 1}–{start + len(part)}"
    )
    table = pd.DataFrame(x[:, start : start + WINDOW].T, columns=list(ALPHABET))
    table.insert(0, "base", list(part))
    table.insert(0, "position", range(start + 1, start + len(part) + 1))
    show_figure(fig, "lesson-one-hot", table)
    explain_here("one_hot", expanded=True)


def filter_options(ds: Dataset) -> dict[str, np.ndarray]:
    """Filters the scan can use: planted motifs as log-odds, learned ones after step 4."""
    out = {f"planted motif: {n}": pwm_filter(p) for n, p in planted_motifs(ds).items()}
    job = lesson_job(ds)
    if job is not None and job.result is not None:
        weights = job.result.model.first_layer_filters().detach().cpu().numpy()
        for f in range(weights.shape[0]):
            out[f"learned {filter_label(f)}"] = weights[f]
    out[WORD_FILTER] = np.zeros((4, 1))  # always last: see WORD_FILTER_INDEX
    return out


def step_scan(ds: Dataset) -> None:
    seq, where = current_sequence(ds)
    options = filter_options(ds)
    names = list(options)
    wanted = st.session_state.pop("lesson_filter_index", None)
    if wanted is not None:
        st.session_state[FILTER] = names[min(int(wanted), len(names) - 1)]  # -1: the word
    if st.session_state.get(FILTER) not in names:
        st.session_state[FILTER] = names[0]
    c1, c2 = st.columns([2, 1])
    choice = c1.selectbox("Filter", names, key=FILTER)
    if choice == WORD_FILTER:
        word = c2.text_input("Word", key=WORD, value="TGACTCA")
        weights = word_filter(word or "A")
    else:
        weights = options[choice]
    if weights.shape[1] > len(seq):
        st.error(f"The filter ({weights.shape[1]} bp) is longer than the sequence ({len(seq)} bp).")
        return
    result = scan(one_hot(seq)[0], weights)
    n_pos = len(result.activation)
    pos = int(st.session_state.get(POS, 1))
    st.session_state[POS] = max(1, min(pos, n_pos))
    st.caption(f"Scanning **{where}**, {len(seq)} bp, with a {weights.shape[1]}-wide filter.")
    st.markdown("#### The filter (its logo)")
    matrix = pd.DataFrame(weights.T, columns=list(ALPHABET), index=range(1, weights.shape[1] + 1))
    show_logo(logo_images(matrix, choice, "weight"), f"lesson-filter-{choice}", matrix)
    row = st.container(horizontal=True, gap="small", vertical_alignment="bottom")
    row.button(
        "Step back",
        key="lesson_pos_back",
        on_click=move,
        args=(-1, n_pos),
        icon=":material/chevron_left:",
    )
    row.button(
        "Step forward",
        key="lesson_pos_next",
        on_click=move,
        args=(1, n_pos),
        icon=":material/chevron_right:",
    )
    row.button(
        "Jump to the best match",
        key="lesson_pos_best",
        on_click=jump,
        args=(result.best + 1,),
        icon=":material/my_location:",
    )
    if n_pos > 1:
        st.slider("Filter position (scrub)", 1, n_pos, key=POS)
    p = int(st.session_state[POS]) - 1
    fig = scan_figure(
        seq, weights, result.activation, p, result.contributions[p], f"{choice}, position {p + 1}"
    )
    table = pd.DataFrame({"position": range(1, n_pos + 1), "activation": result.activation})
    show_figure(fig, "lesson-scan", table)
    st.markdown(
        f"At position **{p + 1}** the filter covers `{seq[p : p + weights.shape[1]]}` and scores "
        f"**{result.activation[p]:.2f}**; its best match is at position {result.best + 1} "
        f"({result.activation[result.best]:.2f})."
    )
    explain_here("conv_filter", expanded=True)


def move(delta: int, n_pos: int) -> None:
    st.session_state[POS] = max(1, min(int(st.session_state.get(POS, 1)) + delta, n_pos))


def jump(pos: int) -> None:
    st.session_state[POS] = pos


def step_train(ds: Dataset) -> None:
    job = lesson_job(ds)
    running = job is not None and not job.done
    st.markdown(
        f"The network: {network_text(ds)} It reads the sequence only (on both strands "
        "where strand does not matter), no extra inputs. Training nudges every weight, "
        "filters included, to make the predictions better."
    )
    c1, c2 = st.columns(2)
    c1.number_input("Epochs", 1, LESSON_MAX_EPOCHS, key=EPOCHS, disabled=running)
    c2.number_input("Seed", 0, 2**31 - 1, key=SEED, disabled=running)
    row = st.container(horizontal=True, gap="small")
    row.button(
        "Start training",
        key="lesson_train",
        type="primary",
        on_click=start_training,
        args=(ds.name,),
        disabled=running,
        icon=":material/play_arrow:",
    )
    row.button(
        "Stop",
        key="lesson_stop",
        on_click=stop_training,
        disabled=not running,
        icon=":material/stop:",
    )
    if job is None:
        st.info("Press **Start training**: the curves update live, every epoch.")
        return
    st.fragment(live_training, run_every=POLL_SECONDS if running else None)(running)
    if job.done and job.result is not None:
        r = job.result
        n = len(r.test_labels)
        share = float((r.test_labels > 0.5).mean()) if ds.task == "binary" and n else None
        st.success(f"{job.message} {summary_text(ds.task, r.test_metrics, n, share)}")
    elif job.status == "failed":
        st.error(f"Training failed: {job.message}")
    explain_here("overfitting", expanded=True)


def learned_pfms(ds: Dataset, job: TrainingJob) -> np.ndarray:
    """Filter PFMs of the lesson's model on the sequences where motifs should be (memoised
    per job: it takes a second on a few hundred sequences)."""
    memo = st.session_state.get(MOTIFS_MEMO)
    if memo is not None and memo[0] == id(job):
        return memo[1]
    idx = motif_indices(ds)
    x = torch.from_numpy(one_hot([ds.sequences[i] for i in idx]))
    model = job.result.model
    pfms = filter_pfms(model, x, threshold=0.5)
    st.session_state[MOTIFS_MEMO] = (id(job), pfms)
    return pfms


def step_interpret(ds: Dataset) -> None:
    job = lesson_job(ds)
    if job is None or job.result is None:
        st.info("Train the network first (step 4); then come back to see what it learned.")
        st.button("Back to training", key="lesson_to_train", on_click=go, args=(4,))
        return
    pfms = learned_pfms(ds, job)
    motifs = planted_motifs(ds)
    if motifs:
        matches = match_filters(pfms, motifs)[:3]
        st.markdown(
            "Each row: a learned filter (left, built from the sequences where it fires) "
            "next to the planted motif it resembles most (right, on the filter's strand), "
            "shifted so that the columns compared sit under each other."
        )
        for m in matches:
            learned, ref, shared = lined_up(pfms[m.index], motifs[m.motif], m.offset, m.strand)
            c1, c2 = st.columns(2)
            with c1:
                matrix = pfm_matrix(learned)
                title = f"learned {filter_label(m.index)}"
                show_logo(
                    logo_images(matrix, title, "probability", 1.0),
                    f"lesson-learned-{m.index}",
                    matrix,
                )
            with c2:
                matrix = pfm_matrix(ref)
                show_logo(
                    logo_images(matrix, truth_title(m.motif, m.strand), "probability", 1.0),
                    f"lesson-truth-{m.index}",
                    matrix,
                )
            st.caption(
                f"similarity r = {m.score:.2f} over the {shared} columns they share (1 = "
                "identical columns, 0 = unrelated; a short overlap matches more easily)"
            )
    else:
        st.markdown("No planted motif to compare with; these filters carry the most information:")
        for f in informative_filters(pfms, 3):
            matrix = pfm_matrix(pfms[f])
            title = f"learned {filter_label(f)}"
            show_logo(logo_images(matrix, title, "probability", 1.0), f"lesson-learned-{f}", matrix)
    explain_here("motifs", expanded=True)
    st.markdown("Next: scan a sequence with a *learned* filter in step 3, or try another dataset.")


def truth_title(motif: str, strand: str) -> str:
    """Title of a planted motif's logo in step 5, e.g. ``planted JUND (MA0492.2), rev.
    comp.``: short, so it fits over a narrow logo (the logo wraps longer names)."""
    return f"planted {motif}" + (", rev. comp." if strand == "-" else "")


def pfm_matrix(pfm: np.ndarray) -> pd.DataFrame:
    return pd.DataFrame(np.asarray(pfm).T, columns=list(ALPHABET), index=range(1, pfm.shape[1] + 1))


STEP_VIEWS = (step_dataset, step_one_hot, step_scan, step_train, step_interpret)
