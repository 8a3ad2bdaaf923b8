"""Variant effects: known answers on a linear model, and clear errors naming the variant."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from _interpret_toys import LinearModel, MotifDetector, ThreeClasses, random_sequences

from genoviz.interpret.ism import saturation_mutagenesis
from genoviz.interpret.variants import (
    Variant,
    VariantError,
    check_variant,
    probability_kind,
    read_variants,
    variant_effects,
)
from genoviz.sequences import ALPHABET, SequenceError


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
    # an insertion or a deletion passed a substring test, then failed as a length
    for alt in ("AT", ""):
        with pytest.raises(VariantError, match="only single-base substitutions"):
            variant_effects(LinearModel(8), seq, Variant("ins", 1, "A", alt))


def test_read_variants_with_and_without_header():
    a = read_variants("id,pos,ref,alt\nrs1,12,a,g\n")
    b = read_variants("rs1\t12\tA\tG")
    assert a == b == [Variant("rs1", 12, "A", "G")]
    with pytest.raises(VariantError, match="position 'x' is not a whole number"):
        read_variants("rs1,x,A,G")
    with pytest.raises(VariantError, match=r"line 1: a variant is 4 fields, id,pos,ref,alt; got 3"):
        read_variants("rs1,3,A")
    # a byte-order mark and Windows line ends, with commas or tabs
    assert read_variants("\ufeffid,pos,ref,alt\r\nrs1,12,A,G\r\n") == a
    assert read_variants("id\tpos\tref\talt\r\nrs1\t12\ta\tg\r\n") == a
    with pytest.raises(VariantError, match=r"line 3: a variant is 4 fields.*got 6"):
        read_variants("id,pos,ref,alt\nrs1,12,A,G\nrs2,5,C,T,G,A\n")  # pandas took an index
    with pytest.raises(VariantError, match="line 2: cannot read it as ','-separated fields"):
        read_variants('id,pos,ref,alt\n"rs1,3,A,G\n')  # an unclosed quote
    # trailing separators, on the header too, as spreadsheets write them
    assert read_variants("id,pos,ref,alt,\nrs1,12,A,G,\n") == a
    with pytest.raises(VariantError, match="only a header"):
        read_variants("id,pos,ref,alt\n")


def test_rna_letters_and_lower_case_are_read_as_the_sequence_reads_them():
    """``u1,4,u,c`` was refused ("reference base 'U' is not one of A, C, G, T") although U
    is read as T on input, and a lower-case sequence gave a false mismatch ("the
    reference base at position 3 is g, not G")."""
    assert read_variants("u1,4,u,c\nu2,2,a,U") == [
        Variant("u1", 4, "T", "C"),
        Variant("u2", 2, "A", "T"),
    ]
    net = LinearModel(8)
    want = variant_effects(net, "ACGTACGT", Variant("v", 3, "G", "T"))
    for seq, v in [
        ("acgtacgt", Variant("v", 3, "G", "T")),
        ("ACGUACGU", Variant("v", 3, "g", "u")),
        ("acgu acgu\n", Variant("v", 3, "G", "T")),  # positions count the bases
    ]:
        pd.testing.assert_frame_equal(variant_effects(net, seq, v), want)
    check_variant("acgu", Variant("v", 4, "u", "A"))  # fits: no error
    with pytest.raises(VariantError, match="position 4 is C, not G"):
        check_variant("ac gc", Variant("v", 4, "G", "A"))
    with pytest.raises(SequenceError, match="illegal character 'X' at position 4"):
        variant_effects(net, "ACGXACGT", Variant("v", 3, "G", "T"))


def test_probability_kinds():
    assert probability_kind("binary") == "sigmoid"
    assert probability_kind("multiclass") == "softmax"
    assert probability_kind("regression") == "none"
    df = variant_effects(LinearModel(8), "ACGTACGT", Variant("v", 1, "A", "C"), probability="none")
    assert "delta_prob" not in df and np.isfinite(df.loc[0, "delta_value"])


def test_multiclass_effects_follow_the_class_probability_not_its_raw_logit():
    net = ThreeClasses()
    # logits (0, 0, 0) -> (1, 2, 0): log p0 goes from -log 3 to 1 - log(1 + e + e^2)
    expected = 1 - np.log(1 + np.e + np.e**2) + np.log(3)
    assert expected < 0
    df = variant_effects(net, "CCCC", Variant("v", 2, "C", "A"), target=0, probability="softmax")
    assert "delta_logit" not in df  # the raw logit rose by 1: the wrong sign to show
    np.testing.assert_allclose(df.loc[0, "delta_log_prob"], expected, rtol=1e-5)
    assert df.loc[0, "delta_prob"] < 0
    r = saturation_mutagenesis(net, "CCCC", target=0, softmax=True)
    np.testing.assert_allclose(r.effects[0], expected, rtol=1e-5)  # every C -> A
    np.testing.assert_allclose(r.effects[1:], 0.0, atol=1e-6)  # C -> G or T: nothing
    assert saturation_mutagenesis(net, "CCCC", target=0).effects[0, 0] == pytest.approx(1.0)
