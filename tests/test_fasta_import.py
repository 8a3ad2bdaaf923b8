"""FASTA records to a labelled Dataset: label= tokens in the headers."""

import numpy as np
import pytest
from conftest import write

from genoviz.data import DataFormatError, load_file, load_text


def test_fasta_with_label_tokens(tmp_path):
    p = write(tmp_path, "s.fa", ">s1 label=1\nACGT\nAC\n>s2 label=0 extra words\nTTTTTT\n")
    ds = load_file(p)
    assert ds.ids == ["s1", "s2"] and ds.sequences == ["ACGTAC", "TTTTTT"]
    np.testing.assert_array_equal(ds.labels, [1, 0])
    # a label joined to the name with '|' is not part of the name
    ds = load_text(">s0|label=0\nACGT\n>s1|label=1|x\nGGCC\n>label=1\nTTAA\n", "bar.fa")
    assert ds.ids == ["s0", "s1|x", "label=1"] and ds.labels.tolist() == [0, 1, 1]


def test_fasta_without_label_names_the_record(tmp_path):
    with pytest.raises(DataFormatError, match=r"'s2' \(line 3\) has no 'label='"):
        load_file(write(tmp_path, "s.fasta", ">s1 label=1\nACGT\n>s2\nACGT\n"))


def test_fasta_with_a_bad_label_names_the_record_and_line_and_is_no_unlabelled_file():
    from genoviz.data.errors import UnlabelledError

    with pytest.raises(DataFormatError) as e:
        load_text(">a label=1\nACGTACGT\n>b label=x\nACGTACGT\n", "badlabel.fa")
    assert not isinstance(e.value, UnlabelledError)
    assert str(e.value) == ("badlabel.fa: record 'b' (line 3) has label='x', which is not a number")
    with pytest.raises(DataFormatError, match=r"'b' \(line 3\) has no 'label='") as e:
        load_text(">a label=1\nACGT\n>b\nACGT\n", "mixed.fa")
    assert not isinstance(e.value, UnlabelledError)


@pytest.mark.parametrize(
    ("name", "text", "expected"),
    [
        (
            "my.fa",
            ">a label=1\nACGT\n>b label=0\nACZT\n",
            "my.fa: b (line 4): illegal character 'Z'",
        ),
        ("my.fa", "ACGT\n>b label=0\nACGT\n", "my.fa: "),
        ("list.txt", "ACGT\nACQT\n", "list.txt: sequence 2 (line 2): illegal character 'Q'"),
    ],
)
def test_a_bad_base_in_a_fasta_or_a_list_names_the_file(name: str, text: str, expected: str):
    """A table's errors named the file; a FASTA's and a plain list's named only the record
    and line, which is not enough with a training file and a labels file open."""
    from genoviz.predict_inputs import read_inputs
    from genoviz.sequences import SequenceError

    for read in (load_text, read_inputs):
        with pytest.raises(SequenceError) as e:
            read(text, name)
        assert str(e.value).startswith(expected), str(e.value)
        assert str(e.value).count(name) == 1
