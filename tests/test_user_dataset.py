"""A user file's Dataset: task settled against the labels, repeated ids noted."""

import pytest
from conftest import write

from genoviz.data import DataFormatError, load_file, load_text


def test_multiple_label_columns_make_a_multitask_set(tmp_path):
    p = write(tmp_path, "m.csv", "sequence,label_a,label_b\nACGT,1,0\nAAAA,0,1\n")
    ds = load_file(p)
    assert ds.labels.shape == (2, 2) and ds.task == "multitask-binary"
    # --task binary means the same set (it crashed drawing the splits); regression on
    # several columns is refused (one pooled Pearson, the columns' names lost)
    assert load_file(p, task="binary").task == "multitask-binary"
    with pytest.raises(DataFormatError, match="'regression' takes one label column"):
        load_file(p, task="regression")


def test_binary_task_needs_zero_one_labels(tmp_path):
    p = write(tmp_path, "r.csv", "id,sequence,label\na,ACGT,0\nb,ACGT,0.7\n")
    assert load_file(p).task == "regression"
    with pytest.raises(DataFormatError, match=r"needs labels 0 or 1, but line 3 \(b\) has 0\.7"):
        load_file(p, task="binary")


def test_several_label_columns_of_measured_values_are_refused_with_line_and_column(tmp_path):
    """A multi-column regression pooled its columns into one Pearson: 0.998 for a model
    that learned nothing, because the columns' means differ."""
    p = write(tmp_path, "m.csv", "sequence,label_a,label_b\nACGT,1,0\nAACC,0,104.2\n")
    with pytest.raises(DataFormatError, match=r"line 3 has 104\.2 in label column 'label_b'"):
        load_file(p)
    with pytest.raises(DataFormatError, match="keep one label column"):
        load_file(p, task="regression")
    # 0/1 columns (with a missing label) are a multi-task set, as before
    q = write(tmp_path, "t.csv", "sequence,label_a,label_b\nACGT,1,0\nAACC,0,1\n")
    assert load_file(q).task == "multitask-binary"


def test_repeated_ids_in_training_data_are_noted(tmp_path):
    text = "id,sequence,label\ns1,ACGTACGTAC,1\ns1,TTTTACGTAA,0\ns3,GGGGCCCCAA,1\n"
    ds = load_file(write(tmp_path, "dup.csv", text))
    note = "1 id(s) name more than one sequence: 's1' 2 times."
    assert ds.meta.notes["repeated_ids"] == note and ds.meta.description.endswith(note)
    fasta = load_text(">s1 label=1\nACGT\n>s1 label=0\nTTGA\n", "dup.fa")
    assert fasta.meta.notes["repeated_ids"] == note
    unique = load_text(">s1 label=1\nACGT\n>s2 label=0\nTTGA\n", "u.fa")
    assert "repeated_ids" not in unique.meta.notes
