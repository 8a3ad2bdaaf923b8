"""Attention: how a kmer-bert spreads attention over one sequence's k-mers, the [CLS]
attention on each base, and attention motifs (DNABERT style) matched to JASPAR."""

from __future__ import annotations

from typing import Any

import numpy as np
import streamlit as st

from genoviz.interpret.attention import (
    AttentionMotifs,
    SequenceAttention,
    attention_motifs,
    base_track_frame,
    cls_base_scores,
    sequence_attention,
)
from genoviz.interpret.inputs import run_inputs
from genoviz.interpret.logos import ic_matrix
from genoviz.interpret.matching import match_jaspar, match_table
from genoviz.interpret.outcome import label_text
from genoviz.plots_attention import (
    attention_grid_figure,
    attention_head_figure,
    cls_attention_figure,
)
from genoviz.runs import Run
from genoviz.sequence_parsing import parse_sequences
from models.bert_lengths import MAX_POSITIONS
from pages._common import choose, ensure_app_navigation, error_boundary, explain_here
from pages._figures import show_figure
from pages._interpret_common import (
    choose_bert_run,
    dataset_of,
    interpret_errors,
    model_of,
    show_user_error,
)
from pages._keep import forget
from pages._motif_views import show_logo_panel

MAPS = "attention_maps"
MOTIFS = "attention_motifs_result"
PASTE = "Paste a sequence"
SOURCES = ("Held-out sequences", PASTE)


def choose_sequence(run: Run) -> tuple[str, str] | None:
    """(id, sequence): one of the run's test sequences, or a pasted one (the record the
    user picks when several are pasted)."""
    ds = dataset_of(run)
    inputs = None
    if ds is not None:
        inputs = run_inputs(run, ds, "test", 50)
        # a choice of its own: as the 51st entry of the list it sat out of sight
        source = st.radio("Sequences", SOURCES, horizontal=True, key="attention_source")
    if ds is not None and source == SOURCES[0]:
        pick = choose("Sequence", inputs.ids, key="attention_seq")
        i = inputs.ids.index(pick)
        length = f"{len(inputs.sequences[i])} bp"
        if ds.task == "lm":  # a pretraining corpus: no labels, only the placeholder 0
            st.caption(f"Unlabelled (pretraining corpus) · {length}")
        else:
            values = np.asarray(inputs.labels[i], float).reshape(-1)
            named = [label_text(run, v) for v in values]  # a class's name, else the value
            label = ", ".join(v if isinstance(v, str) else f"{v:.3g}" for v in named)
            st.caption(f"Label {label} · {length}")
        return pick, inputs.sequences[i]
    text = st.text_area("Sequence (raw, FASTA or GenBank)", key="attention_paste", height=100)
    if not text.strip():
        st.caption("Paste a DNA sequence to see its attention.")
        return None
    records = parse_sequences(text)
    i = 0
    if len(records) > 1:
        i = choose(
            f"Record to show ({len(records)} pasted, one at a time)",
            range(len(records)),
            format_func=lambda j: f"{j + 1}. {records[j].id} · {len(records[j].sequence)} bp",
            key="attention_record",
        )
    rec = records[i]
    return rec.id, rec.sequence


def maps_for(run: Run, sid: str, seq: str) -> SequenceAttention:
    key = (run.name, seq)
    stored = st.session_state.get(MAPS)
    if stored is not None and stored[0] == key:
        return stored[1]
    with st.spinner("Reading the attention of every layer and head…"):
        att = sequence_attention(model_of(run), seq)
    st.session_state[MAPS] = (key, att)
    return att


def choose_layers_heads(att: SequenceAttention) -> tuple[list[int], list[int]]:
    n_layers, n_heads = att.maps.shape[:2]
    c1, c2 = st.columns(2)
    layers = choose_many(c1, "Layers", n_layers, "layer", key="attention_layers")
    heads = choose_many(c2, "Heads", n_heads, "head", key="attention_heads")
    return sorted(layers), sorted(heads)


def choose_many(where: Any, label: str, n: int, word: str, *, key: str) -> list[int]:
    """A multiselect of ``n`` numbered layers or heads, all chosen at first; a kept choice
    naming one the run does not have (another run, fewer layers) starts again from all."""
    options = list(range(n))
    kept = st.session_state.get(key)
    if kept is not None and not set(kept) <= set(options):
        forget(st.session_state, key)
        kept = None
    return where.multiselect(
        label,
        options,
        default=None if kept is not None else options,  # a kept value is the widget's own
        format_func=lambda i: f"{word} {i + 1}",
        key=key,
    )


def show_grid(att: SequenceAttention, sid: str, layers: list[int], heads: list[int]) -> None:
    explain_here("attention")
    fig = attention_grid_figure(att.select(layers, heads), layers, heads, f"Attention of {sid}")
    show_figure(fig, f"attention-grid-{sid}", lambda: att.frame(layers, heads))


def show_head(att: SequenceAttention, sid: str, layers: list[int], heads: list[int]) -> None:
    c1, c2 = st.columns(2)
    layer = c1.selectbox(
        "Layer", layers, index=len(layers) - 1, format_func=lambda i: f"layer {i + 1}"
    )
    head = c2.selectbox("Head", heads, format_func=lambda h: f"head {h + 1}")
    explain_here("attention")
    title = f"{sid}: layer {layer + 1}, head {head + 1}"
    fig = attention_head_figure(att.maps[layer, head], att.tokens, title)
    show_figure(
        fig, f"attention-head-{sid}-{layer + 1}-{head + 1}", lambda: att.frame([layer], [head])
    )


def show_cls(att: SequenceAttention, sid: str, seq: str, layers, heads) -> None:
    st.caption(
        "Each base gets the mean [CLS] attention of the k-mers that cover it (DNABERT's "
        "mapping), averaged over the layers and heads chosen above. The Motifs tab, the "
        "agreement view and `python -m genoviz interpret attention` read the last layer "
        "(every head), so choose only the last layer to see their track."
    )
    explain_here("attention")
    track = att.cls_to_bases(layers, heads)
    fig = cls_attention_figure(track, seq, f"{sid}: attention from [CLS], mapped to bases")
    show_figure(fig, f"attention-cls-{sid}", base_track_frame(track, seq, "cls_attention"))


def find_motifs(run: Run) -> AttentionMotifs | None:
    ds = dataset_of(run)
    if ds is None or ds.task != "binary":
        st.info(
            "Attention motifs compare positive with negative sequences, so they need a run "
            "on binary data loaded here: a bundled set, or your own file loaded on the Data "
            "page in this session. Or use `python -m genoviz interpret attention --run DIR "
            "--data FILE --out DIR`."
        )
        return None
    c1, c2 = st.columns(2)
    n = int(c1.number_input("Test sequences to read", 20, 2000, 200, step=20, key="att_n"))
    width = int(c2.number_input("Motif seed width", 4, 10, 6, key="att_width"))
    key = (run.name, n, width)
    stored = st.session_state.get(MOTIFS)
    if stored is not None and stored[0] == key:
        return stored[1]
    if not st.button("Find attention motifs", key="att_go", type="primary"):
        st.caption("Press **Find attention motifs** to read the attention of every sequence.")
        return None
    inputs = run_inputs(run, ds, "test", n)
    labels = np.asarray(inputs.labels)
    pos = [s for s, y in zip(inputs.sequences, labels, strict=True) if y == 1]
    neg = [s for s, y in zip(inputs.sequences, labels, strict=True) if y == 0]
    with st.status("Finding attention motifs…", expanded=True) as status:
        bar = st.progress(0.0, text="attention of the positives")
        scores = cls_base_scores(model_of(run), pos, progress=lambda f: bar.progress(f))
        found = attention_motifs(pos, scores, neg, width=width)
        status.update(label="Attention motifs ready", state="complete", expanded=False)
    st.session_state[MOTIFS] = (key, found)
    return found


def show_motifs(run: Run) -> None:
    found = find_motifs(run)
    if found is None:
        return
    st.markdown(
        f"**{len(found.regions)}** high-attention regions; **{len(found.table)}** motifs "
        "enriched in positives (hypergeometric test, Bonferroni p < 0.005)."
    )
    if found.table.empty:
        st.info("No motif passed the enrichment test.")
        return
    matches = match_jaspar(found.pfms)
    top = match_table(matches, list(found.table["motif"]), found.pfms, n=3)
    mats = [ic_matrix(p) for p in found.pfms[:8]]
    show_logo_panel(
        f"attention-motifs-{run.name}", found.table, mats, list(found.table["motif"][:8])
    )
    st.dataframe(found.table, hide_index=True, key="att_motif_table")
    st.dataframe(top, hide_index=True, key="att_motif_matches")


def main() -> None:
    st.title("Attention")
    st.caption(
        "Where a kmer-bert looks: each layer's and head's attention between the k-mers of "
        "one sequence, the attention from [CLS] on each base, and motifs in the regions it "
        "attends to."
    )
    run = choose_bert_run("attention_run", ("kmer-bert",))
    if run is None:
        return
    try:
        picked = choose_sequence(run)
        if picked is None:
            return
        sid, seq = picked
        att = maps_for(run, sid, seq)
        if att.n_windows > 1:
            st.info(
                f"This sequence gives more than {MAX_POSITIONS - 2} tokens, BERT's limit: "
                f"attention is computed in {att.n_windows} overlapping windows, each within "
                "the limit, and the maps are stitched together."
            )
        layers, heads = choose_layers_heads(att)
        views = (
            lambda: show_grid(att, sid, layers, heads),
            lambda: show_head(att, sid, layers, heads),
            lambda: show_cls(att, sid, seq, layers, heads),
        )
        *tabs, motifs_tab = st.tabs(["Layer x head grid", "One head", "[CLS] on bases", "Motifs"])
        for tab, view in zip(tabs, views, strict=True):
            with tab:
                if layers and heads:
                    view()
                else:
                    st.warning("Choose at least one layer and one head.")
        with motifs_tab:  # reads the last layer's heads itself: the choice above does not apply
            show_motifs(run)
    except interpret_errors() as e:
        show_user_error(e)


ensure_app_navigation()
with error_boundary("showing the Attention page"):
    main()
