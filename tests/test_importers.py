"""Loading a user file: decoding, sniffing the format, and what is refused up front."""

import gzip

import numpy as np
import pytest
from conftest import write

from genoviz.data import DataFormatError, load, load_file, load_text


def test_tsv_gz_crlf_regression_and_task_override(tmp_path):
    p = write(tmp_path, "d.tsv.gz", "sequence\tlabel\r\nACGU\t0.25\r\nAACC\t1.5\r\n", gz=True)
    ds = load_file(p)
    assert ds.task == "regression" and ds.sequences == ["ACGT", "AACC"]
    q = write(tmp_path, "b.csv", "sequence,label\nAC,1\nGT,0\n")
    assert load_file(q, task="regression").task == "regression"


def test_empty_and_binary_files(tmp_path):
    with pytest.raises(DataFormatError, match="empty"):
        load_file(write(tmp_path, "e.csv", ""))
    p = tmp_path / "bin.csv"
    p.write_bytes(b"\x00\x01\x02garbage")
    with pytest.raises(DataFormatError, match="binary"):
        load_file(p)


def test_load_text_sniffs_fasta_by_content():
    ds = load_text(">a label=0.5\nACGT\n", "upload.txt")
    assert ds.task == "regression"


def test_load_unknown_spec_says_what_is_available(tmp_path):
    with pytest.raises(DataFormatError, match="neither a bundled dataset"):
        load(str(tmp_path / "nope.csv"))


def test_real_files_load_as_they_are(shared_data):
    si = load(shared_data / "sirna_huesken_train.csv.gz")
    assert (len(si), si.task, si.fixed_length) == (2187, "regression", 21)
    jund = load(shared_data / "jund_chr22_valid.csv.gz")
    assert (len(jund), jund.task, int(jund.labels.sum())) == (34527, "binary", 146)
    np.testing.assert_allclose(np.unique(jund.weights), [0.502, 118.2], atol=0.1)
    assert any("N" in s for s in jund.sequences)


def test_decode_bytes_unpacks_gzip_and_enforces_the_limit():
    from genoviz.data.importers import decode_bytes

    assert decode_bytes(gzip.compress(b"sequence,label\n"), "x.gz") == "sequence,label\n"
    bomb = gzip.compress(b"A" * 5_000_000)  # 5 MB of text in a few kB
    with pytest.raises(DataFormatError, match=r"unpacks to more than 0\.954 MB"):
        decode_bytes(bomb, "bomb.csv.gz", max_bytes=1_000_000)
    with pytest.raises(DataFormatError, match="damaged gzip"):
        decode_bytes(b"\x1f\x8b" + b"junk" * 10, "bad.gz")


def test_files_without_any_label_are_unlabelled():
    from genoviz.data.errors import UnlabelledError

    with pytest.raises(UnlabelledError, match=r"'r1' \(line 1\) has no 'label='"):
        load_text(">r1\nACGT\n>r2\nACGT\n", "reads.fa")
    with pytest.raises(UnlabelledError, match="no 'label' column"):
        load_text("sequence,id\nACGT,x\n", "t.csv")
    with pytest.raises(UnlabelledError, match="one sequence per line"):
        load_text("ACGT\nTTGA\n", "reads.txt")


def test_options_that_would_be_ignored_are_refused(tmp_path):
    """--labels with a table, and --genome/--width without a BED file, used to be dropped
    silently: the CSV trained on its own label column."""
    table = write(tmp_path, "t.csv", "id,sequence,label\na,ACGT,1\n")
    labels = write(tmp_path, "l.csv", "id,label\na,0\n")
    with pytest.raises(DataFormatError, match="this is a table, so give its labels as a"):
        load(str(table), labels=str(labels))
    with pytest.raises(DataFormatError, match="apply to BED regions only"):
        load(str(table), width=50)
    with pytest.raises(DataFormatError, match="apply to files only"):
        load("sirna", width=50)
