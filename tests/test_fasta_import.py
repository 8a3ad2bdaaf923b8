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
