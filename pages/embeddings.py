"""Embeddings: how a BERT places its tokens. For codon-bert, does each codon sit near the
amino acid it encodes (cosine similarity, MRR per species)? For kmer-bert, which k-mers
sit together? And for any run: do its sequence embeddings group by label (PCA map)?"""

from __future__ import annotations

import streamlit as st

from genoviz.data.codon_corpus import SPECIES
from genoviz.interpret.embeddings import (
    codon_amino_acid_similarity,
    codon_meanings,
    codon_token_pca,
    codons_by_amino_acid,
    kmer_similarity,
    mrr_by_genetic_code,
    mrr_by_species,
)
from genoviz.interpret.sequence_embeddings import (
    POOLINGS,
    embedding_inputs,
    is_token_model,
    label_names,
    long_sequence_note,
    sequence_embeddings,
    sequence_pca,
)
from genoviz.plots_embeddings import (
    mrr_figure,
    sequence_embedding_figure,
    similarity_heatmap_figure,
    token_pca_figure,
)
from genoviz.predict import extras_names
from genoviz.runs import Run, is_pretraining
from pages._common import choose, ensure_app_navigation, error_boundary, explain_here
from pages._figures import show_figure
from pages._interpret_common import (
    choose_run,
    dataset_of,
    interpret_errors,
    model_of,
    show_user_error,
)

CODES = {1: "standard (1)", 4: "mycoplasma, UGA = Trp (4)", 11: "bacterial (11)"}
BERTS = ("codon-bert", "kmer-bert")
#: Session key of the last sequence embeddings: (settings, embeddings, ids, labels, note).
SEQ_EMB = "sequence_embeddings_result"


def show_codons(run: Run) -> None:
    model = model_of(run)
    emb, vocab = model.token_embeddings(), model.vocab
    names = {sp.genetic_code: sp.name for sp in reversed(SPECIES)}
    code = st.selectbox(
        "Genetic code (which amino acid each codon means)",
        list(CODES),
        format_func=lambda c: f"{CODES[c]} · e.g. {names.get(c, '')}",
        key="emb_code",
    )
    similarity_tab, pca_tab = st.tabs(["Codons against amino acids", "PCA map"])
    with similarity_tab:
        show_codon_similarity(run, emb, vocab, code)
    with pca_tab:
        pca = codon_token_pca(emb, vocab, code)
        st.caption(
            "The 64 codon and 21 amino-acid embeddings on their first two principal "
            "components; dots are codons, diamonds amino acids, one colour per amino acid."
        )
        fig = token_pca_figure(
            pca.points, pca.explained, f"Token embeddings, coloured by amino acid (code {code})"
        )
        show_figure(fig, f"token-pca-{run.name}-{code}", pca.points)


def show_codon_similarity(run: Run, emb, vocab: list[str], code: int) -> None:
    res = codon_amino_acid_similarity(emb, vocab, code)
    st.metric("MRR", f"{res.mrr:.3f}", delta=f"{res.mrr - res.chance_mrr:+.3f} vs chance")
    explain_here("embeddings")
    sim = codons_by_amino_acid(res.similarity, code)
    meaning = codon_meanings(code)
    fig = similarity_heatmap_figure(
        sim,
        f"Codons against amino acids (genetic code {code}); boxes: each codon's own",
        row_labels=[f"{c} ({meaning[c]})" for c in sim.index],
        marks=[(c, meaning[c]) for c in sim.index],
    )
    show_figure(fig, f"codon-similarity-{run.name}-{code}", sim.reset_index(names="codon"))
    table = mrr_by_genetic_code(mrr_by_species(emb, vocab))
    st.caption(
        "MRR: for each codon, 1 / the rank of its own amino acid among all 21 by cosine "
        "similarity, averaged over the 64 codons; the dashed line is random ranking. One "
        "bar per genetic code the corpus's species use (hover for which species): the same "
        "embeddings rank alike under one code."
    )
    fig = mrr_figure(table, res.chance_mrr, label="genetic_code", hover="species")
    show_figure(fig, f"codon-mrr-{run.name}", table)
    st.dataframe(res.ranks.reset_index(names="codon"), hide_index=True, key="emb_ranks")


def show_kmers(run: Run) -> None:
    model = model_of(run)
    k = int(model.k)
    explain_here("embeddings")
    if k > 4:
        st.info(
            f"This model reads {k}-mers: {4**k:,} of them are too many for one heatmap. "
            "The view takes k up to 4: train a kmer-bert with k = 3 or 4 (Train page, "
            "*Model settings*) to see it."
        )
        return
    with st.spinner("Clustering the k-mer embeddings…"):
        sim = kmer_similarity(model.token_embeddings(), model.vocab, k)
    fig = similarity_heatmap_figure(
        sim, f"Cosine similarity of {k}-mer embeddings (clustered: similar k-mers together)"
    )
    show_figure(fig, f"kmer-similarity-{run.name}", sim.reset_index(names="kmer"))


def show_sequences(run: Run) -> None:
    ds = dataset_of(run)
    if ds is None:
        st.info(
            "Sequence embeddings read the run's own dataset: a bundled or downloaded set, or "
            "your own file loaded on the Data page in this session. Or use `python -m genoviz "
            "interpret embeddings --sequences --run DIR --data FILE --out DIR`."
        )
        return
    model = model_of(run)
    token = is_token_model(model)
    if not token and is_pretraining(run):
        # a one-hot model's embedding is its head's input, and this head never trained
        st.info(
            f"{run.name} is a pretraining run: its prediction layer never learned the labels, "
            "so the vectors it predicts from mean nothing yet. The autoencoder's own latent "
            "map is on the Model zoo page; fine-tune the run on the Train page (Start from "
            "a saved run) to embed the sequences here."
        )
        return
    if not token and (names := extras_names(run)):
        st.caption(
            f"This model also reads {', '.join(names)} beside the sequence, and so does the "
            "vector it predicts from: the map can follow it more than the bases."
        )
    c1, c2, c3 = st.columns(3) if token else (None, *st.columns(2))
    pooling = None
    if token:
        pooling = c1.radio(
            "Pooling",
            list(POOLINGS),
            format_func=lambda p: "[CLS]" if p == "cls" else "mean of tokens",
            key="seqemb_pooling",
            horizontal=True,
        )
    split = c2.selectbox("Split", ["test", "valid"], key="seqemb_split")
    n = int(c3.number_input("Sequences (at most)", 20, 5000, 500, step=50, key="seqemb_n"))
    key = (run.name, split, n, pooling)
    stored = st.session_state.get(SEQ_EMB)
    if stored is None or stored[0] != key:
        if not st.button("Embed the sequences", key="seqemb_go", type="primary"):
            st.caption("Press **Embed the sequences** to run the model on them.")
            return
        inputs = embedding_inputs(run, ds, split, n)
        with st.status("Embedding the sequences…", expanded=True) as status:
            bar = st.progress(0.0, text=f"{len(inputs.ids)} {split} sequences")
            emb = sequence_embeddings(
                model,
                inputs.sequences,
                pooling or "cls",
                on_progress=lambda f: bar.progress(f),
                extras=inputs.extras,
            )
            status.update(label="Embeddings ready", state="complete", expanded=False)
        note = long_sequence_note(model, inputs.sequences)
        stored = (key, emb, inputs.ids, inputs.labels, note)
        st.session_state[SEQ_EMB] = stored
    _, emb, ids, labels, note = stored
    target = 0
    if ds.task == "multitask-binary":
        names = ds.class_names
        target = choose(
            "Colour by task", range(len(names)), format_func=lambda j: names[j], key="seqemb_task"
        )
    pca = sequence_pca(emb, labels, ds.task, ids, label_names(ds), target)
    explain_here("sequence_embeddings")
    if note:
        st.caption(note)
    what = {"cls": "[CLS] vectors", "mean": "mean token vectors", None: "head inputs"}[pooling]
    title = f"{len(ids)} {split} sequences: PCA of the {what}, coloured by label"
    fig = sequence_embedding_figure(pca.points, pca.explained, title)
    show_figure(fig, f"sequence-pca-{run.name}-{pooling or 'head'}", pca.points)
    st.dataframe(pca.points, hide_index=True, key="seqemb_points")


def show_tokens(run: Run) -> None:
    if run.info["model"]["name"] == "codon-bert":
        show_codons(run)
    else:
        show_kmers(run)


def main() -> None:
    st.title("Embeddings")
    st.caption(
        "Each token's embedding is the vector a BERT starts from. Tokens used alike end up "
        "pointing the same way (high cosine similarity). Each sequence's embedding is the "
        "vector the model predicts from; sequences it groups together sit together."
    )
    run = choose_run("emb_run")
    if run is None:
        return
    views = [show_sequences]
    if run.info["model"]["name"] in BERTS:
        views = [show_tokens, show_sequences]
        tabs = st.tabs(["Tokens", "Sequences"])
    else:
        st.caption("Token views need a kmer-bert or codon-bert run; this run shows its sequences.")
        tabs = [st.container()]
    for tab, view in zip(tabs, views, strict=True):
        with tab:
            try:
                view(run)
            except interpret_errors() as e:
                show_user_error(e)


ensure_app_navigation()
with error_boundary("showing the Embeddings page"):
    main()
