"""Interpret page: one view per analysis tab: saliency, in-silico mutagenesis (ISM),
variant effects, and the agreement of IG, ISM (and attention for a BERT)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import streamlit as st

import models
from genoviz.interpret.agreement import agreement, explanation_tracks, scaled_tracks, track_table
from genoviz.interpret.attribution import BASELINES, ShuffleError, attribute
from genoviz.interpret.attribution_methods import METHODS, USES_BASELINE
from genoviz.interpret.convergence import delta_warning, relative_delta
from genoviz.interpret.inputs import is_multiclass, is_token_run, output_unit
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
from genoviz.runs import Run
from pages._common import explain_here
from pages._figures import logo_images, show_figure, show_logo
from pages._interpret_common import model_of, of_output
from pages._interpret_sequences import Chosen, pick_sequence


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
