"""Variant effects: known answers on a linear model, and clear errors naming the variant."""

from __future__ import annotations

import numpy as np
import pytest
from _interpret_toys import LinearModel, MotifDetector, random_sequences

from genoviz.interpret.variants import (
    Variant,
    VariantError,
    probability_kind,
    read_variants,
    variant_effects,
)
from genoviz.sequences import ALPHABET


def test_delta_logit_is_the_weight_difference():
    seq = random_sequences(1, 25, seed=3)[0]
    net = LinearModel(25)
    w = net.weight.detach().numpy()
    alt = next(b for b in "ACGT" if b != seq[9])
    df = variant_effects(net, seq, Variant("v1", 10, seq[9], alt))
    expected = w[ALPHABET.index(alt), 9] - w[ALPHABET.index(seq[9]), 9]
    assert df.loc[0, "delta_logit"] == pytest.approx(expected, abs=1e-5)
    sig = lambda z: 1 / (1 + np.exp(-z))  # noqa: E731
    assert df.loc[0, "delta_prob"] == pytest.approx(
        sig(df.loc[0, "alt_logit"]) - sig(df.loc[0, "ref_logit"]), abs=1e-6
    )
    assert list(df.columns) == [
        "id", "pos", "ref", "alt", "ref_logit", "alt_logit", "delta_logit",
        "ref_prob", "alt_prob", "delta_prob",
    ]  # fmt: skip


def test_a_regression_model_gets_values_not_logits_and_no_probabilities():
    from genoviz.plots_interpret import variant_figure

    seq = random_sequences(1, 25, seed=3)[0]
    net = LinearModel(25)
    alt = next(b for b in "ACGT" if b != seq[9])
    df = variant_effects(net, seq, Variant("v1", 10, seq[9], alt), probability="none")
    assert list(df.columns) == ["id", "pos", "ref", "alt", "ref_value", "alt_value", "delta_value"]
    logit = variant_effects(net, seq, Variant("v1", 10, seq[9], alt))
    assert df.loc[0, "delta_value"] == pytest.approx(logit.loc[0, "delta_logit"])
    fig = variant_figure(df)
    assert fig.layout.yaxis.title.text.startswith("Δ predicted value")
    assert list(fig.data[0].y) == pytest.approx([df.loc[0, "delta_value"]])
    assert variant_figure(logit).layout.yaxis.title.text.startswith("Δlogit")
    named = variant_effects(net, seq, Variant(f"{seq[9]}10{alt}", 10, seq[9], alt))
    assert list(variant_figure(named).data[0].x) == [f"{seq[9]}10{alt}"]  # not said twice
    assert list(fig.data[0].x) == [f"v1 {seq[9]}10{alt}"]


def test_breaking_the_motif_drops_the_probability():
    seq = "AAAA" + "TGACTCA" + "AAAA"
    table = read_variants("id,pos,ref,alt\nhit,5,T,A\nmiss,2,A,C")
    df = variant_effects(MotifDetector(), seq, table)
    assert df["delta_logit"].tolist() == pytest.approx([-2.0, 0.0], abs=1e-5)
    assert df.loc[0, "delta_prob"] < -0.4


def test_reference_mismatch_names_the_variant():
    seq = "ACGTACGT"
    with pytest.raises(VariantError, match=r"variant rs42: the reference base at position 3 is G"):
        variant_effects(LinearModel(8), seq, Variant("rs42", 3, "A", "T"))
    with pytest.raises(VariantError, match="rs7: position 9 is outside"):
        variant_effects(LinearModel(8), seq, Variant("rs7", 9, "A", "T"))
    with pytest.raises(VariantError, match="alternative base 'X'"):
        variant_effects(LinearModel(8), seq, Variant("rs8", 1, "A", "X"))


def test_read_variants_with_and_without_header():
    a = read_variants("id,pos,ref,alt\nrs1,12,a,g\n")
    b = read_variants("rs1\t12\tA\tG")
    assert a == b == [Variant("rs1", 12, "A", "G")]
    with pytest.raises(VariantError, match="position 'x' is not a whole number"):
        read_variants("rs1,x,A,G")
    with pytest.raises(VariantError, match="4 columns"):
        read_variants("rs1,3,A")


def test_probability_kinds():
    assert probability_kind("binary") == "sigmoid"
    assert probability_kind("multiclass") == "softmax"
    assert probability_kind("regression") == "none"
    df = variant_effects(LinearModel(8), "ACGTACGT", Variant("v", 1, "A", "C"), probability="none")
    assert "delta_prob" not in df and np.isfinite(df.loc[0, "delta_value"])
