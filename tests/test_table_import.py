"""A CSV/TSV training table to a Dataset: sequences, weights, k-mers, progress."""

import numpy as np
import pytest
from conftest import write

from genoviz.data import DataFormatError, load_file, load_text


def test_csv_with_id_weight_and_extra_columns(tmp_path):
    p = write(
        tmp_path, "d.csv", "id,sequence,label,weight,access\na,acgt,1,2.0,0.5\nb,TTGA,0,1.0,0.1\n"
    )
    ds = load_file(p)
    assert ds.sequences == ["ACGT", "TTGA"] and ds.ids == ["a", "b"]
    assert ds.task == "binary"
    np.testing.assert_allclose(ds.weights, [2.0, 1.0])
    np.testing.assert_allclose(ds.extras[:, 0], [0.5, 0.1])
    assert ds.meta.extras_names == ["access"]


def test_missing_sequence_column_lists_the_columns(tmp_path):
    p = write(tmp_path, "x.csv", "seq,label\nACGT,1\n")
    with pytest.raises(DataFormatError, match=r"no 'sequence' column.*\['seq', 'label'\]"):
        load_file(p)


def test_bad_character_names_the_line(tmp_path):
    p = write(tmp_path, "x.csv", "sequence,label\nACGT,1\nACXT,0\n")
    with pytest.raises(DataFormatError, match=r"line 3.*'X' at position 3"):
        load_file(p)


def test_empty_sequence_cell_names_the_line(tmp_path):
    with pytest.raises(DataFormatError, match="line 2: the sequence is empty"):
        load_file(write(tmp_path, "e.csv", "sequence,label\n,1\n"))


def test_large_table_reports_progress(tmp_path):
    rows = "".join(f"ACGTACGTAC,{i % 2}\n" for i in range(45_000))
    p = write(tmp_path, "big.csv", "sequence,label\n" + rows)
    seen = []
    ds = load_file(p, progress=seen.append)
    assert len(ds) == 45_000 and seen == [0.0, 20_000 / 45_000, 40_000 / 45_000]


def test_table_without_sequence_column_says_so_not_an_illegal_character():
    with pytest.raises(DataFormatError) as e:
        load_text("seq,label\nACGT,1\n", "pasted table")
    assert "no 'sequence' column; found columns ['seq', 'label']" in str(e.value)
    assert "illegal" not in str(e.value)


def test_negative_or_all_zero_weights_are_refused(tmp_path):
    head = "sequence,label,weight\n"
    with pytest.raises(DataFormatError, match=r"line 3: weight column 'weight' is -1; .*0 or more"):
        load_file(write(tmp_path, "neg.csv", head + "ACGT,1,1\nACGA,0,-1\n"))
    with pytest.raises(DataFormatError, match="every weight in column 'weight' is 0"):
        load_file(write(tmp_path, "zero.csv", head + "ACGT,1,0\nACGA,0,0\n"))
    ok = load_file(write(tmp_path, "ok.csv", head + "ACGT,1,0\nACGA,0,2\n"))
    assert ok.weights.tolist() == [0.0, 2.0]


def test_overlapping_2mers_are_rebuilt_not_glued():
    """A 2-mer TSV ('AC CG GT TA') was glued into ACCGGTTA; four or more overlapping pairs
    are read as k-mers. Bases written apart in pairs that do not overlap stay as they are,
    and a kmer-bert does not take k = 2 from the file."""
    from genoviz.train_build import file_kmer

    rows = ["AC CG GT TA AC CC\t1", "GG GA AT TT TG GC\t0"] * 5
    ds = load_text("sequence\tlabel\n" + "\n".join(rows) + "\n", "k2.tsv")
    assert ds.sequences[:2] == ["ACGTACC", "GGATTGC"] and file_kmer(ds) is None
    assert load_text("sequence,label\nAC GT AC GT,1\n", "pairs.csv").sequences == ["ACGTACGT"]
