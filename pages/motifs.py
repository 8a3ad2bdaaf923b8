"""Motifs: what the first-layer filters learned, as logos matched to JASPAR, and (on
simulated sets) whether they found the planted motifs."""

from __future__ import annotations

import streamlit as st

from genoviz.interpret.filters import filter_label, has_filters
from genoviz.interpret.inputs import run_inputs
from genoviz.interpret.learned_motifs import has_learned_motifs
from genoviz.interpret.logos import ic_matrix
from genoviz.interpret.matching import TAX_GROUPS, default_release, jaspar_releases, match_words
from genoviz.interpret.motif_report import FilterReport, filter_report, match_filters
from genoviz.runs import Run
from pages._common import choose, ensure_app_navigation, error_boundary, explain_here, page_link
from pages._interpret_common import (
    NO_DATASET,
    choose_run,
    dataset_of,
    interpret_errors,
    model_of,
    show_user_error,
)
from pages._motif_views import (
    P_VALUE_COLUMN,
    PANEL,
    matches_panel,
    motif_table,
    show_learned,
    show_logo_panel,
    truth_panel,
)

REPORT = "motifs_report"


@st.cache_data(show_spinner=False)
def releases() -> tuple[list[str], str]:
    return jaspar_releases(), default_release()


def settings(learned: bool = False, binary: bool = True) -> dict:
    """The analysis settings; a motif-net (``learned``) scans no data, so it has no
    threshold and no sequence count. Only a binary set's positives come first."""
    rel, default = releases()
    c1, c2, c3 = st.columns(3)
    release = c2.selectbox("JASPAR release", rel, index=rel.index(default), key="motifs_release")
    group = c3.selectbox("Taxonomic group", [*TAX_GROUPS, "all"], key="motifs_group")
    if learned:
        overlap = c1.number_input("Minimum overlap (columns)", 1, 15, 5, key="motifs_overlap")
        return {"release": release, "tax_group": group, "min_overlap": int(overlap)}
    threshold = c1.slider(
        "Activation threshold (share of each filter's maximum)",
        0.1,
        0.9,
        0.5,
        0.05,
        key="motifs_threshold",
    )
    c4, c5 = st.columns(2)
    overlap = c4.number_input("Minimum overlap (columns)", 1, 15, 5, key="motifs_overlap")
    n = c5.number_input(
        "Sequences to scan (positives first)" if binary else "Sequences to scan",
        100,
        20000,
        4000,
        step=500,
        key="motifs_n",
    )
    return {
        "threshold": float(threshold),
        "release": release,
        "tax_group": group,
        "min_overlap": int(overlap),
        "max_sequences": int(n),
    }


def compute(run: Run, opts: dict) -> FilterReport | None:
    ds = dataset_of(run)
    if ds is None:  # main() says so before the settings; nothing to scan here
        return None
    key = (run.name, tuple(sorted(opts.items())))
    stored = st.session_state.get(REPORT)
    if stored is not None and stored[0] == key:
        return stored[1]
    if stored is not None and _scan_of(stored[0]) == _scan_of(key):
        # only the matching changed (release, group, overlap): the filters' sites stay
        with st.spinner("Matching the filters against JASPAR again…"):
            rep = match_filters(
                stored[1].motifs,
                ds.meta.ground_truth or None,
                release=opts["release"],
                tax_group=opts["tax_group"],
                min_overlap=opts["min_overlap"],
                control=stored[1].control,
            )
        st.session_state[REPORT] = (key, rep)
        return rep
    if not st.button("Find filter motifs", key="motifs_go", type="primary", icon=":material/bolt:"):
        st.caption("Press **Find filter motifs** (about 10-30 s the first time).")
        return None
    inputs = run_inputs(run, ds, "all", opts["max_sequences"], positives_first=ds.task == "binary")
    with st.status("Finding filter motifs…", expanded=True) as status:
        bar = st.progress(0.0)
        rep = filter_report(
            model_of(run),
            inputs.x,
            ground_truth=ds.meta.ground_truth or None,
            threshold=opts["threshold"],
            release=opts["release"],
            tax_group=opts["tax_group"],
            min_overlap=opts["min_overlap"],
            progress=lambda f, msg: bar.progress(f, text=msg),
            untrained=run.untrained_model(),
        )
        status.update(label="Filter motifs ready", state="complete", expanded=False)
    st.session_state[REPORT] = (key, rep)
    return rep


def _scan_of(key: tuple) -> tuple:
    """(run, threshold, sequences) of a report's key: what needs the sequences scanned."""
    opts = dict(key[1])
    return (key[0], opts.get("threshold"), opts.get("max_sequences"))


def show_filters(rep: FilterReport) -> None:
    explain_here("conv_filter")
    explain_here("motifs")
    recs = rep.records
    order = rep.most_informative()
    st.markdown(
        f"**{len(rep.alive)}** of {len(recs)} filters have sites above the threshold; "
        "logos show information content (bits), the most informative filters first."
    )
    if not order:
        st.info("No filter passed the threshold; lower it.")
        return
    pages = [order[i : i + PANEL] for i in range(0, len(order), PANEL)]
    k = choose(
        "Filters, most informative first",
        range(len(pages)),
        key="motifs_page",
        format_func=lambda p: f"ranks {p * PANEL + 1}-{p * PANEL + len(pages[p])}",
    )
    shown = pages[k]
    mats = [ic_matrix(rep.motifs.pfms[f]) for f in shown]
    titles = [
        f"{filter_label(f)} · {match_words(recs[f])} · {recs[f]['n_sites']} sites" for f in shown
    ]
    show_logo_panel(f"filters-{k + 1}", rep.table().iloc[shown], mats, titles)
    st.dataframe(
        motif_table(rep.table()), hide_index=True, key="motifs_table", column_config=P_VALUE_COLUMN
    )


def show_matches(rep: FilterReport) -> None:
    explain_here("jaspar")
    recs = rep.records
    f = choose(
        "Filter",
        rep.alive,
        key="motifs_filter",
        format_func=lambda i: (
            f"{filter_label(i)} ({recs[i]['consensus']}, {recs[i]['n_sites']} sites)"
        ),
    )
    query = (rep.motifs.pfms[f], filter_label(f))
    name = f"{filter_label(f).replace(' ', '-')}-matches"
    matches_panel(rep.matches, rep.alive.index(f), query, "motifs_top", name)


def show_truth(rep: FilterReport) -> None:
    truth_panel(rep.truth, rep.truth_pairs(), "filter")


def main() -> None:
    st.title("Motifs")
    st.caption(
        "Each first-layer filter as a motif: the windows that activate it above a "
        "threshold, stacked into a logo (DeepBind/Basset style), then matched to JASPAR."
    )
    run = choose_run("motifs_run")
    if run is None:
        return
    learned = has_learned_motifs(model_of(run))
    if not learned and not has_filters(model_of(run)):
        name = run.info.get("model", {}).get("name", "this model")
        where = {
            "kmer-bert": "The Attention page shows what it attends to, and its Motifs tab "
            "the motifs in the regions it attends to most.",
            "codon-bert": "The Embeddings page shows what its codon and amino-acid tokens learned.",
        }.get(name, "The Interpret page shows which bases drive its predictions.")
        st.info(
            f"`{name}` has no convolution, so it has no filters to show as motifs. Choose a "
            f"run of a convolutional model (cnn, deepchem-tf, danq, …) or a motif-net. {where}"
        )
        return
    if learned:
        st.info(
            "This is a motif-net: its motifs are its own learned matrices, shown directly "
            "with their position masks (no sequences need scanning)."
        )
    if not learned and dataset_of(run) is None:  # nothing to scan: no settings to offer
        st.warning(NO_DATASET + "`python -m genoviz interpret filters --run DIR --data FILE`.")
        page_link("pages/data.py", "Go to Data", icon=":material/dataset:")
        return
    opts = settings(learned, run.info.get("dataset", {}).get("task") == "binary")
    try:
        if learned:
            show_learned(run, opts)
            return
        rep = compute(run, opts)
        if rep is None:
            return
        t1, t2, t3 = st.tabs(["Filter logos", "JASPAR matches", "Planted truth"])
        with t1:
            show_filters(rep)
        with t2:
            show_matches(rep)
        with t3:
            show_truth(rep)
    except interpret_errors() as e:
        show_user_error(e)


ensure_app_navigation()
with error_boundary("showing the Motifs page"):
    main()
