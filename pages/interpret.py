"""Interpret: which bases drive a prediction (saliency), what every substitution does
(in-silico mutagenesis), and the effect of named variants."""

from __future__ import annotations

import numpy as np
import pandas as pd
import streamlit as st

import models
from genoviz.interpret.agreement import (
    agreement,
    explanation_tracks,
    scaled_tracks,
    track_table,
)
from genoviz.interpret.attribution import BASELINES, ShuffleError, attribute
from genoviz.interpret.attribution_methods import METHODS, USES_BASELINE
from genoviz.interpret.convergence import delta_warning, relative_delta
from genoviz.interpret.inputs import is_multiclass, is_token_run, output_unit, run_inputs
from genoviz.interpret.ism import saturation_mutagenesis
from genoviz.interpret.logos import contribution_matrix
from genoviz.interpret.outcome import explained_label, prediction_texts
from genoviz.interpret.variants import (
    Variant,
    onto_fitted,
    probability_kind,
    read_variants,
    variant_effects,
)
from genoviz.plots_interpret import (
    agreement_figure,
    ism_figure,
    saliency_heatmap_figure,
    saliency_track_figure,
    variant_figure,
)
from genoviz.predict import average_extras, fitted_length
from genoviz.runs import Run
from genoviz.sequences import fitted_shift, pad_or_trim, parse_sequences
from genoviz.share import Setup
from pages._common import (
    choose,
    copy_link_button,
    ensure_app_navigation,
    error_boundary,
    explain_here,
    link_setup,
    logo_images,
    show_figure,
    show_logo,
    sync_link,
)
from pages._interpret_common import (
    choose_run,
    choose_target,
    dataset_of,
    interpret_errors,
    model_of,
    of_output,
    saved_run,
    show_user_error,
)

SOURCES = ("Held-out sequences", "Paste sequences")
MAX_SEQUENCES = 50
#: The selected sequence (its dataset row), shared by the tabs' pickers and the link.
SEQ_ROW = "interp_seq_row"
#: A row from a link, still to be brought into the held-out list.
LINK_ROW = "interp_link_row"


class Chosen:
    """Sequences to explain, padded or trimmed to the run's length where its model needs
    it (a BERT reads them as they are), with ids, labels and extras; ``rows`` are their
    dataset rows (None for pasted sequences), ``pasted`` the pasted sequences' own lengths
    (a variant table counts positions along them)."""

    def __init__(self, ids, seqs, labels, extras, notes, rows=None, pasted=None):
        self.ids, self.seqs, self.labels, self.extras, self.notes = ids, seqs, labels, extras, notes
        self.rows = rows
        self.pasted = pasted

    def shift(self, i: int) -> int:
        """How far pasted sequence ``i``'s bases moved when fitted to the run's length."""
        return 0 if self.pasted is None else fitted_shift(self.pasted[i], len(self.seqs[i]))


def _picked(key: str, rows: list[int] | None) -> None:
    # Another run's old label comes back as a string (see choose): nothing to follow.
    i = st.session_state[key]
    if rows is not None and isinstance(i, int) and 0 <= i < len(rows):
        st.session_state[SEQ_ROW] = rows[i]


def pick_sequence(chosen: Chosen, label: str, key: str, n: int | None = None) -> int:
    """A select box of the first ``n`` sequences, kept on the selected one (shared by
    the tabs and restored from a link)."""
    n = len(chosen.seqs) if n is None else n
    row = st.session_state.get(SEQ_ROW)
    if chosen.rows is not None and row in chosen.rows[:n]:
        st.session_state[key] = chosen.rows.index(row)
    return choose(
        label,
        range(n),
        format_func=lambda k: chosen.ids[k],
        key=key,
        on_change=_picked,
        args=(key, chosen.rows),
    )


def bring_linked_row(run: Run, ds) -> None:
    """A link's sequence row: show enough held-out sequences to include it."""
    row = st.session_state.pop(LINK_ROW, None)
    if row is None:
        return
    got = run_inputs(run, ds, "test", MAX_SEQUENCES, positives_first=ds.task == "binary")
    rows = [int(i) for i in got.indices]
    if row not in rows:
        st.warning(
            f"The link's sequence (row {row}) is not among the first {MAX_SEQUENCES} held-out "
            "sequences of this run; showing the first ones."
        )
        st.session_state.pop(SEQ_ROW, None)
        return
    st.session_state["interp_n"] = max(int(st.session_state["interp_n"]), rows.index(row) + 1)


def choose_sequences(run: Run) -> Chosen | None:
    ds = dataset_of(run)
    build = run.info["model"]["build"]
    seq_len, n_extras = int(build["seq_len"]), int(build.get("extras", 0))
    if ds is None:  # pasting is the only choice; the user's own choice stays for other runs
        source = st.radio(
            "Sequences",
            SOURCES[1:],
            horizontal=True,
            key="interp_source_paste_only",
            help="This run's training data is not loaded in this session (load the same "
            "file on the Data page to explain its held-out sequences), so paste sequences.",
        )
    else:
        source = st.radio("Sequences", SOURCES, horizontal=True, key="interp_source")
    notes: list[str] = []
    rows = None
    if source == SOURCES[0]:
        st.session_state.setdefault("interp_n", 5)  # set here: a link may raise it
        bring_linked_row(run, ds)
        label = "How many (positives first)" if ds.task == "binary" else "How many"
        n = st.slider(label, 1, MAX_SEQUENCES, key="interp_n")
        got = run_inputs(run, ds, "test", n, positives_first=ds.task == "binary")
        seqs, ids, extras = got.sequences, got.ids, got.extras
        # every task's label: the one shown is the explained output's (a multi-task
        # figure of CTCF showed JUND's label)
        labels = [np.asarray(v, dtype=float).reshape(-1) for v in got.labels]
        rows = [int(i) for i in got.indices]
        notes += got.notes  # what fitting them to the run took (padding, average extras)
    else:
        text = st.text_area(
            "Sequences (FASTA, GenBank or one per line)",
            key="interp_paste",
            height=120,
            placeholder=">my_seq\nACGT…",
        )
        if not text.strip():
            st.info("Paste one or more sequences, then press Ctrl+Enter.")
            return None
        records = parse_sequences(text)[:MAX_SEQUENCES]
        seqs, ids = [r.sequence for r in records], [r.id for r in records]
        labels = [None] * len(seqs)
        extras = None
        if n_extras:  # the run's training average; older runs: the set's, or 0
            extras = average_extras(run, len(seqs))
            if extras is None:
                mean = ds.extras.mean(axis=0) if ds is not None and ds.extras is not None else 0.0
                extras = np.broadcast_to(np.asarray(mean, np.float32), (len(seqs), n_extras))
                extras = extras.copy()
            names = ", ".join(run.info["dataset"].get("extras_names") or ["its extra input"])
            notes.append(f"The model also reads {names}; pasted sequences get the average value.")
    # As Predict reads them (fitted_length): at the run's length when its model reads only
    # that or it trained with a chosen length; else each as it is (a BERT masks [PAD]).
    pasted = None if source == SOURCES[0] else [len(s) for s in seqs]
    if fitted_length(run) and any(len(s) != seq_len for s in seqs):
        note = f"Sequences were padded with N or trimmed (centred) to {seq_len} bp"
        if pasted is not None:
            moved = [(ids[k], fitted_shift(n, seq_len)) for k, n in enumerate(pasted)]
            first = next((m for m in moved if m[1]), None)
            if first is not None:
                name, shift = first
                where = (
                    f"your base 1 is position {1 + shift}"
                    if shift > 0
                    else f"position 1 is your base {1 - shift}, after {-shift} trimmed off"
                )
                note += (
                    ": positions in the maps and their tables count along the fitted "
                    f"sequence (in {name}, {where}); variant tables give both"
                )
        notes.append(note + ".")
        seqs = pad_or_trim(seqs, seq_len)
    elif len({len(s) for s in seqs}) > 1:
        notes.append(
            "Sequences of different lengths: each is read as it is (no N padding, as in "
            "Predict), so each map ends at the sequence's last base."
        )
    return Chosen(ids, seqs, labels, extras, notes, rows, pasted)


def saliency_tab(run: Run, chosen: Chosen, target: int) -> None:
    # A BERT reads token ids, not one-hot bases: only IG on its token embeddings applies.
    token = is_token_run(run)
    methods = ["integrated_gradients"] if token else list(METHODS)
    asked = st.session_state.get("sal_method")
    if asked is not None and asked not in methods:
        st.session_state["sal_method"] = methods[0]  # set, so the browser shows it too
        st.info(
            f"{METHODS.get(asked, asked)} does not apply to a BERT: Integrated Gradients it is."
        )
    c1, c2, c3 = st.columns(3)
    method = c1.selectbox("Method", methods, format_func=METHODS.get, key="sal_method")
    baseline = c2.selectbox(
        "Reference (baseline)",
        list(BASELINES),
        format_func=BASELINES.get,
        key="sal_baseline",
        disabled=token or method not in USES_BASELINE,
    )
    if token:
        st.caption(
            "A BERT reads tokens, so Integrated Gradients runs on its token embeddings from a "
            "reference of [PAD] tokens, and each token's share is split evenly over its bases."
        )
    shuffles = c3.number_input(
        "Shuffles", 1, 50, 10, key="sal_shuffles", disabled=token or baseline != "shuffle"
    )
    key = (run.name, method, baseline, int(shuffles), target, tuple(chosen.seqs))
    if st.button("Compute saliency", key="sal_go", type="primary", icon=":material/bolt:"):
        bar = st.progress(0.0, text="Attributing…")
        try:
            r = attribute(
                model_of(run),
                list(chosen.seqs),
                method=method,
                target=target,
                baseline=baseline,
                n_shuffles=int(shuffles),
                extras=chosen.extras,
                progress=lambda f: bar.progress(f, text=f"Attributing… {f:.0%}"),
                softmax=is_multiclass(run),
            )
        except ShuffleError as e:
            st.error(e.message(chosen.ids))
        else:
            said = prediction_texts(run, chosen.seqs, target, chosen.extras, model_of(run))
            st.session_state["sal_result"] = (key, r, said)
        finally:
            bar.empty()
    explain_here("saliency")
    stored = st.session_state.get("sal_result")
    if stored is None or stored[0] != key:
        st.caption("Choose a method and press **Compute saliency**.")
        return
    r, said = stored[1], stored[2]
    if is_multiclass(run):
        st.caption(
            "Explained: the class's logit minus the mean of all classes' logits (softmax "
            "ignores what raises every logit alike)."
        )
    if r.delta is not None:
        st.caption(
            f"Convergence delta (sum of contributions minus the output change): at most "
            f"{np.abs(r.delta).max():.2g}; overall the sums miss the output change by "
            f"{relative_delta(r):.1%}."
        )
        if warning := delta_warning(r, model_of(run)):
            st.warning(warning)
    n = len(r.per_base)
    i = pick_sequence(chosen, "Sequence to show", "sal_pick", n)
    seq = chosen.seqs[i]
    per_base = r.per_base[i][: len(seq)]  # a BERT's maps are NaN past a shorter sequence
    fig = saliency_track_figure(
        per_base,
        seq,
        f"{chosen.ids[i]}: {METHODS[method]}{of_output(run, target)}",
        explained_label(run, chosen.labels[i], target),
        said[i],
    )
    track = pd.DataFrame(
        {"position": np.arange(1, len(seq) + 1), "base": list(seq), "contribution": per_base}
    )
    show_figure(fig, f"saliency-{chosen.ids[i]}", track)
    matrix = contribution_matrix(r.contributions[i][:, : len(seq)])
    title = f"{chosen.ids[i]}: contribution logo{of_output(run, target)}"
    show_logo(logo_images(matrix, title, "contribution", None), f"saliency-logo-{i}", matrix)
    if n > 1:
        heat = saliency_heatmap_figure(
            r.per_base, chosen.ids[:n], f"Contribution per base{of_output(run, target)}"
        )
        wide = pd.DataFrame(
            r.per_base, index=chosen.ids[:n], columns=range(1, r.per_base.shape[1] + 1)
        )
        show_figure(heat, "saliency-all", wide.rename_axis("id").reset_index())


def ism_tab(run: Run, chosen: Chosen, target: int) -> None:
    i = pick_sequence(chosen, "Sequence to mutate", "ism_pick")
    key = (run.name, target, chosen.seqs[i])
    if st.button("Run mutagenesis", key="ism_go", type="primary", icon=":material/bolt:"):
        bar = st.progress(0.0, text=f"Scoring {3 * len(chosen.seqs[i]):,} substitutions…")
        r = saturation_mutagenesis(
            model_of(run),
            chosen.seqs[i],
            target=target,
            extras=None if chosen.extras is None else chosen.extras[i],
            progress=lambda f: bar.progress(f),
            softmax=is_multiclass(run),
        )
        bar.empty()
        extras = None if chosen.extras is None else chosen.extras[i : i + 1]
        said = prediction_texts(run, [chosen.seqs[i]], target, extras, model_of(run))[0]
        st.session_state["ism_result"] = (key, r, said)
    explain_here("ism")
    stored = st.session_state.get("ism_result")
    if stored is None or stored[0] != key:
        st.caption("Press **Run mutagenesis** to score every single-base substitution.")
        return
    r, said = stored[1], stored[2]
    unit = output_unit(run.info["dataset"]["task"]) + of_output(run, target)
    title = f"{chosen.ids[i]}: every substitution ({said}; effects on the {unit})"
    table = pd.DataFrame(r.effects.T, columns=list("ACGT"))
    table.insert(0, "ref", list(r.sequence))
    table.insert(0, "position", np.arange(1, len(r.sequence) + 1))
    table["max_effect"] = r.max_effect
    if n_unknown := r.sequence.upper().count("N"):
        st.caption(
            f"The {n_unknown} N position(s) (padding or unknown bases) have no base to "
            "substitute, so they are left empty, not scored 0."
        )
    show_figure(
        ism_figure(r.effects, r.max_effect, r.sequence, title), f"ism-{chosen.ids[i]}", table
    )


def variants_tab(run: Run, chosen: Chosen, target: int) -> None:
    i = pick_sequence(chosen, "Reference sequence", "var_pick")
    seq = chosen.seqs[i]
    mode = st.radio("Variants", ("One variant", "A table"), horizontal=True, key="var_mode")
    explain_here("variants")
    if mode == "One variant":
        c1, c2 = st.columns(2)
        known = [p + 1 for p, b in enumerate(seq) if b in "ACGT"]
        if not known:
            st.warning(f"{chosen.ids[i]} has no known base (all N): nothing to substitute.")
            return
        # A new sequence starts at its first known base (one padded with N to the run's
        # length starts with Ns); the box keeps what the user typed for the same sequence.
        if st.session_state.get("var_pos_of") != (chosen.ids[i], seq):
            st.session_state["var_pos_of"] = (chosen.ids[i], seq)
            st.session_state["var_pos"] = known[0]
        along = " along the fitted sequence" if chosen.shift(i) else ""
        pos = int(c1.number_input(f"Position (1-based{along})", 1, len(seq), key="var_pos"))
        if seq[pos - 1] not in "ACGT":
            st.info(
                f"Position {pos} is N (an unknown base, or padding to the run's length): "
                f"choose a known base, from {known[0]} to {known[-1]}."
            )
            return
        alts = [b for b in "ACGT" if b != seq[pos - 1]]
        alt = c2.selectbox(f"Alternative base (reference {seq[pos - 1]})", alts, key="var_alt")
        named = pos - chosen.shift(i)  # along the sequence as pasted
        variants = [Variant(f"{seq[pos - 1]}{named}{alt}", pos, seq[pos - 1], alt)]
    else:
        text = st.text_area(
            "id,pos,ref,alt (pos 1-based; header optional)",
            key="var_table",
            placeholder="rs1,12,A,G\nrs2,30,C,T",
        )
        if not text.strip():
            st.info("Paste variants as id,pos,ref,alt lines.")
            return
        variants = read_variants(text)
    shift = chosen.shift(i)
    if mode != "One variant" and chosen.pasted is not None:  # along the pasted sequence
        variants, shift = onto_fitted(variants, chosen.pasted[i], len(seq))
    task = run.info["dataset"]["task"]
    extras = None if chosen.extras is None else chosen.extras[i]
    df = variant_effects(
        model_of(run), seq, variants, target, probability_kind(task), extras=extras
    )
    if shift:
        df.insert(2, "fitted_pos", df["pos"])
        df["pos"] -= shift
        st.caption(
            f"Positions count along {chosen.ids[i]} as pasted; fitted_pos is where each "
            f"lies in the {len(seq)} bp the model reads (shifted by {shift:+d})."
        )
    st.dataframe(df, hide_index=True, key="var_df")
    title = f"Variant effects on {chosen.ids[i]}{of_output(run, target, ' (', ')')}"
    show_figure(variant_figure(df, title), f"variants-{chosen.ids[i]}", df)


def agreement_tab(run: Run, chosen: Chosen, target: int) -> None:
    i = pick_sequence(chosen, "Sequence", "agr_pick")
    seq = chosen.seqs[i]
    # IG from the reference chosen on the Saliency tab (a BERT's is always [PAD] tokens)
    baseline = st.session_state.get("sal_baseline", "shuffle")
    key = (run.name, target, seq, baseline)
    bert = models.spec(run.info["model"]["name"]).input_kind == "kmer"
    label = "Compare IG, ISM and attention" if bert else "Compare IG and ISM"
    if st.button(label, key="agr_go", type="primary", icon=":material/bolt:"):
        extras = None if chosen.extras is None else chosen.extras[i]
        what = ", every substitution and attention" if bert else " and every substitution"
        try:
            with st.spinner(f"Integrated Gradients{what}…"):
                tracks = explanation_tracks(
                    model_of(run),
                    seq,
                    target=target,
                    extras=extras,
                    baseline=baseline,
                    softmax=is_multiclass(run),
                )
        except ShuffleError as e:
            st.error(e.message([chosen.ids[i]], where=" on the Saliency tab"))
        else:
            st.session_state["agr_result"] = (key, tracks)
    explain_here("agreement")
    stored = st.session_state.get("agr_result")
    if stored is None or stored[0] != key:
        st.caption(
            "Compare the explanations of one sequence base by base; where they disagree is "
            "where to look."
        )
        return
    scaled = scaled_tracks(stored[1])
    table = agreement(scaled, seq)
    st.dataframe(
        table.rename(
            columns={
                "a": "explanation",
                "b": "compared with",
                "spearman": "Spearman ρ",
                "positions": "bases compared",
            }
        ),
        hide_index=True,
        key="agr_table",
        column_config={"Spearman ρ": st.column_config.NumberColumn(format="%.2f")},
    )
    compared = int(table["positions"].iloc[0])
    if compared < len(seq):
        st.caption(
            f"ρ compares the {compared} known bases: the {len(seq) - compared} N positions "
            "(padding or unknown bases) are left out, as they carry no base to explain (ISM "
            "has no value there, and the shuffled or zero references score them 0, which "
            "would read as agreement)."
        )
    if table["spearman"].isna().any():
        st.caption("An empty ρ means a track is flat: it ranks no position above another.")
    frame = track_table(stored[1], seq)
    show_figure(agreement_figure(scaled, seq), f"agreement-{chosen.ids[i]}", frame)


def restore_link() -> None:
    """Apply a shared link once: the run (by folder name, if saved here), the method,
    the baseline and the selected sequence."""
    decoded = link_setup("interpret")
    if decoded is None:
        return
    for problem in decoded.problems:
        st.warning(problem)
    s = decoded.setup
    if s.run is not None:
        run = saved_run(s.run, predictors_only=True)
        if run is None and saved_run(s.run) is not None:
            st.warning(
                f"The link's run {s.run!r} is a pretraining run: its output layer never "
                "learned the labels, so there is no prediction to explain; showing the newest run."
            )
        elif run is None:
            st.warning(f"The link's run {s.run!r} is not saved here; showing the newest run.")
        else:
            st.session_state["interp_run"] = str(run.path)
    if s.method is not None:
        st.session_state["sal_method"] = s.method
    if s.baseline is not None:
        st.session_state["sal_baseline"] = s.baseline
    if s.seq is not None:
        st.session_state["interp_source"] = SOURCES[0]
        st.session_state[SEQ_ROW] = st.session_state[LINK_ROW] = s.seq


def share_link(run: Run, chosen: Chosen | None, where) -> None:
    """The setup into the address bar, and a "Copy link" button."""
    method = st.session_state.get("sal_method")
    row = st.session_state.get(SEQ_ROW)
    token = is_token_run(run)
    setup = Setup(
        run=run.name,
        method=method,
        baseline=(
            st.session_state.get("sal_baseline") if method in USES_BASELINE and not token else None
        ),
        seq=row if chosen is not None and chosen.rows is not None and row in chosen.rows else None,
    )
    url = sync_link("interpret", setup)
    copy_link_button(url, where, key="interp_copy_link")
    if chosen is not None and chosen.rows is None:
        where.caption("Pasted sequences cannot travel in a link; it holds the run and method.")


def main() -> None:
    st.title("Interpret")
    st.caption(
        "Which bases drive a prediction, what every substitution does, and the effect of "
        "named variants."
    )
    restore_link()
    run = choose_run("interp_run", predictors_only=True)
    if run is None:
        return
    link_row = st.container(horizontal=True, gap="small")
    ds = dataset_of(run)
    target = choose_target(run, ds, "interp_target")
    chosen = choose_sequences(run)
    if chosen is not None:
        for note in chosen.notes:
            st.info(note)
        tabs = st.tabs(["Saliency", "Mutagenesis (ISM)", "Variants", "Agreement"])
        views = (saliency_tab, ism_tab, variants_tab, agreement_tab)
        for tab, show in zip(tabs, views, strict=True):
            with tab:
                try:
                    show(run, chosen, target)
                except interpret_errors() as e:
                    show_user_error(e)
    share_link(run, chosen, link_row)


ensure_app_navigation()
with error_boundary("showing the Interpret page"):
    main()
