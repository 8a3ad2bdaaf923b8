"""Which extra columns of a table become model inputs, and why others do not."""

import numpy as np
import pandas as pd
import pytest
from conftest import write

from genoviz.data import DataFormatError, load, load_file
from genoviz.data.extra_inputs import extra_inputs


def test_a_gap_in_an_extra_column_names_the_line_and_a_text_column_is_said_unused(tmp_path):
    head = "sequence,label,acc,gene\n"
    ok = load_file(write(tmp_path, "ok.csv", head + "ACGT,1,0.5,JUN\nACGA,0,0.25,FOS\n"))
    assert ok.meta.extras_names == ["acc"]  # gene names are not an input
    np.testing.assert_allclose(ok.extras[:, 0], [0.5, 0.25])
    gap = head + "ACGT,1,0.5,JUN\nACGA,0,,FOS\nACGC,0,0.1,MYC\n"
    with pytest.raises(DataFormatError, match=r"line 3: extra column 'acc' has an empty cell"):
        load_file(write(tmp_path, "gap.csv", gap))
    # a column with text is not an input, and the card says so rather than dropping it
    typo = head + "ACGT,1,0.5,JUN\nACGA,0,0.3,FOS\nACGC,0,high,MYC\n"
    ds = load_file(write(tmp_path, "typo.csv", typo))
    assert ds.meta.extras_names == [] and ds.extras is None
    assert ds.meta.notes["ignored_columns"] == {
        "acc": "line 4 holds 'high', not a number",
        "gene": "line 2 holds 'JUN', not a number",
    }
    assert "Not used as model inputs: 'acc' (line 4 holds 'high', not a number)" in (
        ds.meta.description
    )
    assert "Fix the cells" in ds.meta.description
    chrom = "sequence,label,chrom\nACGT,1,1\nACGA,0,X\nACGC,1,3\n"  # loads as before
    assert load_file(write(tmp_path, "chrom.csv", chrom)).extras is None


def test_a_row_number_or_a_coordinate_is_never_an_input(tmp_path):
    """pandas' to_csv without index=False writes the row number under a blank header: a
    file sorted by label then trained to test ROC AUC 1.0 on it. Genomic coordinates in
    the hundred thousands collapsed training to one prediction."""
    text = ",chrom,start,end,sequence,label,signal\n"
    text += "0,chr1,100000,100004,ACGT,0,0.5\n1,chr1,200000,200004,ACGA,1,0.25\n"
    ds = load_file(write(tmp_path, "pandas.csv", text))
    assert ds.meta.extras_names == ["signal"]
    ignored = ds.meta.notes["ignored_columns"]
    assert set(ignored) == {"Unnamed: 0", "chrom", "start", "end"}
    assert ignored["Unnamed: 0"].startswith("a row number")
    assert ignored["start"].startswith("a genomic coordinate")
    assert "Not used as model inputs: column 1, which has no name (a row number" in (
        ds.meta.description
    )
    assert "Fix the cells" not in ds.meta.description  # nothing to fix here


@pytest.mark.parametrize(
    "column", ["sample_weight", "weights", "class_weight", "sample_weights", "Class_Weights"]
)
def test_a_weight_column_spelt_otherwise_is_never_an_input(tmp_path, column):
    """JUND's class weights (0.50 per negative, 118 per positive) in a column named
    sample_weight became an input: test ROC AUC 1.0. Only 'weight' weights the loss."""
    text = f"sequence,label,{column},access\nACGT,1,118.2,0.5\nACGA,0,0.502,0.25\n"
    ds = load_file(write(tmp_path, "w.csv", text))
    assert ds.meta.extras_names == ["access"] and ds.weights is None
    why = ds.meta.notes["ignored_columns"][column]
    assert why == "a weight column: name it 'weight' to weight the loss with it"
    assert f"Not used as model inputs: '{column}' (a weight column" in ds.meta.description
    assert "Fix the cells" not in ds.meta.description


def test_an_extra_column_that_alone_separates_the_labels_is_no_input(tmp_path):
    """A class weight (or any score made from the label) under a neutral name ranks the
    classes perfectly: it is left out with its ROC AUC, read either way round."""
    rng = np.random.default_rng(0)
    y = np.repeat([0, 1], 12)
    score = np.where(y == 1, 118.2, 0.502)
    noisy = rng.normal(size=24) + 0.9 * y  # a measurement: informative, not the label
    rows = [
        f"{s},{label},{sc:g},{-sc:g},{n:.4f}"
        for s, label, sc, n in zip(["ACGT", "ACGA"] * 12, y, score, noisy, strict=True)
    ]
    text = "sequence,label,jund_w,minus,signal\n" + "\n".join(rows) + "\n"
    ds = load_file(write(tmp_path, "leak.csv", text))
    assert ds.meta.extras_names == ["signal"]
    ignored = ds.meta.notes["ignored_columns"]
    assert ignored["jund_w"] == (
        "it alone separates the labels (ROC AUC 1.000), so it is probably the label in "
        "another form, not a measurement"
    )
    assert ignored["minus"].startswith(
        "it alone separates the labels (ROC AUC 1.000, its low values marking the higher"
    )
    # with 10 or fewer rows of a class, a column separates by chance: it stays an input
    few = "sequence,label,signal\nACGT,1,0.5\nACGA,0,0.25\n"
    assert load_file(write(tmp_path, "few.csv", few)).meta.extras_names == ["signal"]


def test_tf_binding_accessibility_written_to_a_table_is_still_an_input(tmp_path):
    """A realistic extra input (tf-binding's accessibility, ROC AUC about 0.7) is kept."""
    ds = load("tf-binding")
    n = 3000  # 72 positives
    rows = [
        f"{s},{int(label)},{a:.5f}"
        for s, label, a in zip(ds.sequences[:n], ds.labels[:n], ds.extras[:n, 0], strict=True)
    ]
    text = "sequence,label,accessibility\n" + "\n".join(rows) + "\n"
    mine = load_file(write(tmp_path, "tf.csv", text))
    assert mine.meta.extras_names == ["accessibility"]
    assert "ignored_columns" not in mine.meta.notes
    np.testing.assert_allclose(mine.extras[:, 0], ds.extras[:n, 0], atol=1e-5)


def test_extra_inputs_gives_the_inputs_and_why_each_other_column_is_not_one():
    df = pd.DataFrame({"start": ["5", "9"], "acc": ["0.5", "0.25"], "gene": ["JUN", "FOS"]})
    got = extra_inputs(df, ["start", "acc", "gene"], np.array([1.0, 0.0]), "t.csv", [2, 3])
    assert got.names == ["acc"]
    np.testing.assert_allclose(got.values, [[0.5], [0.25]])
    assert list(got.ignored) == ["start", "gene"]
    assert got.ignored["start"].startswith("a genomic coordinate")
    assert got.ignored["gene"] == "line 2 holds 'JUN', not a number"
    assert extra_inputs(df, ["gene"], np.array([1.0, 0.0]), "t.csv", [2, 3]).values is None
