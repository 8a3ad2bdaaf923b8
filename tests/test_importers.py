import gzip

import numpy as np
import pytest

from genoviz.data import DataFormatError, load, load_file, load_text


def write(tmp_path, name, text, gz=False):
    p = tmp_path / name
    data = text.encode()
    p.write_bytes(gzip.compress(data) if gz else data)
    return p


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


def test_tsv_gz_crlf_regression_and_task_override(tmp_path):
    p = write(tmp_path, "d.tsv.gz", "sequence\tlabel\r\nACGU\t0.25\r\nAACC\t1.5\r\n", gz=True)
    ds = load_file(p)
    assert ds.task == "regression" and ds.sequences == ["ACGT", "AACC"]
    q = write(tmp_path, "b.csv", "sequence,label\nAC,1\nGT,0\n")
    assert load_file(q, task="regression").task == "regression"


def test_multiple_label_columns_make_a_multitask_set(tmp_path):
    p = write(tmp_path, "m.csv", "sequence,label_a,label_b\nACGT,1,0\nAAAA,0,1\n")
    ds = load_file(p)
    assert ds.labels.shape == (2, 2) and ds.task == "multitask-binary"
    # --task binary means the same set (it crashed drawing the splits); regression on
    # several columns is refused (one pooled Pearson, the columns' names lost)
    assert load_file(p, task="binary").task == "multitask-binary"
    with pytest.raises(DataFormatError, match="'regression' takes one label column"):
        load_file(p, task="regression")


def test_missing_sequence_column_lists_the_columns(tmp_path):
    p = write(tmp_path, "x.csv", "seq,label\nACGT,1\n")
    with pytest.raises(DataFormatError, match=r"no 'sequence' column.*\['seq', 'label'\]"):
        load_file(p)


def test_bad_character_names_the_line(tmp_path):
    p = write(tmp_path, "x.csv", "sequence,label\nACGT,1\nACXT,0\n")
    with pytest.raises(DataFormatError, match=r"line 3.*'X' at position 3"):
        load_file(p)


def test_missing_and_non_numeric_label_name_the_line(tmp_path):
    with pytest.raises(DataFormatError, match=r"line 3: label column 'label' has an empty cell"):
        load_file(write(tmp_path, "a.csv", "sequence,label\nACGT,1\nACGT,\n"))
    with pytest.raises(DataFormatError, match=r"line 2: label column 'label' is 'yes'"):
        load_file(write(tmp_path, "b.csv", "sequence,label\nACGT,yes\n"))


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


def test_semicolon_tables_load_and_text_labels_say_how_to_write_them(tmp_path):
    """Spreadsheets in European locales save 'CSV' with semicolons and decimal commas,
    which are read as decimals there (they were refused); in a comma table a quoted
    decimal comma says how to write it. Text classes are refused with the classes found
    and how to number them."""
    ds = load_file(write(tmp_path, "eu.csv", "id;sequence;label\na;ACGT;1\nb;TTGA;0\n"))
    assert (ds.ids, ds.sequences, ds.labels.tolist()) == (["a", "b"], ["ACGT", "TTGA"], [1, 0])
    eu = "id;sequence;label;weight;access\n1,5;ACGT;0,75;2;-,5\n2,5;TTGA;1,25e-1;1,5;3\n"
    ds = load_file(write(tmp_path, "eu2.csv", eu))
    assert ds.ids == ["1,5", "2,5"] and ds.task == "regression"  # ids are names, not numbers
    np.testing.assert_allclose(ds.labels, [0.75, 0.125])
    np.testing.assert_allclose(ds.weights, [2, 1.5])
    np.testing.assert_allclose(ds.extras[:, 0], [-0.5, 3])
    with pytest.raises(DataFormatError) as e:
        load_file(write(tmp_path, "us.csv", 'sequence,label\nACGT,"0,75"\n'))
    assert (
        "line 2: label column 'label' is '0,75', not a number; write decimals with a "
        "point (0.75)" in str(e.value)
    )
    classes = "sequence,label\nACGT,donor\nTTGA,acceptor\nGGCC,neither\nAACC,donor\n"
    with pytest.raises(DataFormatError) as e:
        load_file(write(tmp_path, "text.csv", classes))
    assert "line 2: label column 'label' is 'donor', not a number. Labels are numbers" in str(
        e.value
    )
    assert "3 text value(s): 'acceptor', 'donor', 'neither')" in str(e.value)


def test_empty_sequence_cell_names_the_line(tmp_path):
    with pytest.raises(DataFormatError, match="line 2: the sequence is empty"):
        load_file(write(tmp_path, "e.csv", "sequence,label\n,1\n"))


def test_empty_and_binary_files(tmp_path):
    with pytest.raises(DataFormatError, match="empty"):
        load_file(write(tmp_path, "e.csv", ""))
    p = tmp_path / "bin.csv"
    p.write_bytes(b"\x00\x01\x02garbage")
    with pytest.raises(DataFormatError, match="binary"):
        load_file(p)


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


def test_large_table_reports_progress(tmp_path):
    rows = "".join(f"ACGTACGTAC,{i % 2}\n" for i in range(45_000))
    p = write(tmp_path, "big.csv", "sequence,label\n" + rows)
    seen = []
    ds = load_file(p, progress=seen.append)
    assert len(ds) == 45_000 and seen == [0.0, 20_000 / 45_000, 40_000 / 45_000]


def test_decode_bytes_unpacks_gzip_and_enforces_the_limit():
    from genoviz.data.importers import decode_bytes

    assert decode_bytes(gzip.compress(b"sequence,label\n"), "x.gz") == "sequence,label\n"
    bomb = gzip.compress(b"A" * 5_000_000)  # 5 MB of text in a few kB
    with pytest.raises(DataFormatError, match=r"unpacks to more than 0\.954 MB"):
        decode_bytes(bomb, "bomb.csv.gz", max_bytes=1_000_000)
    with pytest.raises(DataFormatError, match="damaged gzip"):
        decode_bytes(b"\x1f\x8b" + b"junk" * 10, "bad.gz")


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


@pytest.mark.parametrize(
    ("text", "header"),
    [
        ("seq,label\nACGT,1\n", ["seq", "label"]),
        ("\n id\tseq\nx\tACGT\n", ["id", "seq"]),
        ("sequence\nACGT\n", ["sequence"]),
        ("sequence;label\nACGT;1\n", ["sequence", "label"]),  # a European-locale "CSV"
        ("ACGT,1\n", ["ACGT", "1"]),  # no header: the first row is read as one
        ("ACGT\nTTGA\n", None),
        ("acgt\t12\n", None),  # bases and digits: a sequence, not a header
        (">a label=1\nACGT\n", None),
    ],
)
def test_table_header_tells_tables_from_sequences(text, header):
    from genoviz.data.importers import table_header

    assert table_header(text) == header


def test_table_without_sequence_column_says_so_not_an_illegal_character():
    with pytest.raises(DataFormatError) as e:
        load_text("seq,label\nACGT,1\n", "pasted table")
    assert "no 'sequence' column; found columns ['seq', 'label']" in str(e.value)
    assert "illegal" not in str(e.value)


def test_fasta_with_a_bad_label_names_the_record_and_line_and_is_no_unlabelled_file():
    from genoviz.data.importers import UnlabelledError

    with pytest.raises(DataFormatError) as e:
        load_text(">a label=1\nACGTACGT\n>b label=x\nACGTACGT\n", "badlabel.fa")
    assert not isinstance(e.value, UnlabelledError)
    assert str(e.value) == ("badlabel.fa: record 'b' (line 3) has label='x', which is not a number")
    with pytest.raises(DataFormatError, match=r"'b' \(line 3\) has no 'label='") as e:
        load_text(">a label=1\nACGT\n>b\nACGT\n", "mixed.fa")
    assert not isinstance(e.value, UnlabelledError)


def test_files_without_any_label_are_unlabelled():
    from genoviz.data.importers import UnlabelledError

    with pytest.raises(UnlabelledError, match=r"'r1' \(line 1\) has no 'label='"):
        load_text(">r1\nACGT\n>r2\nACGT\n", "reads.fa")
    with pytest.raises(UnlabelledError, match="no 'label' column"):
        load_text("sequence,id\nACGT,x\n", "t.csv")
    with pytest.raises(UnlabelledError, match="one sequence per line"):
        load_text("ACGT\nTTGA\n", "reads.txt")


@pytest.mark.parametrize(
    ("text", "message"),
    [  # pandas counts the header as line 1, and blank lines too
        (
            "sequence,label\nACGT,1\nACGT,0\nACGT,1,5\n",
            "t.csv, line 4 has 3 fields, the header has 2",
        ),
        ("sequence,label\n\nACGT,1\n\nACGT,0,5\n", "t.csv, line 5 has 3 fields, the header has 2"),
        # a first row one field too wide: pandas would silently take column 1 as an index
        ("sequence,label\nACGT,1,5\nACGT,0\n", "t.csv, line 2 has 3 fields, the header has 2"),
        ('sequence,label\nACGT,1\n"ACGT,0\nAC,1\n', "t.csv, line 3: a quotation mark"),
    ],
)
def test_table_layout_errors_name_the_line_in_plain_words(text, message):
    with pytest.raises(DataFormatError) as e:
        load_text(text, "t.csv")
    assert str(e.value).startswith(message)
    assert "C error" not in str(e.value) and "tokenizing" not in str(e.value)


def test_table_row_errors_give_the_line_once_counting_blank_lines():
    with pytest.raises(DataFormatError) as e:
        load_text("sequence,label\nACGT,1\nACXT,0\n", "pasted table")
    assert str(e.value).startswith("pasted table, line 3: illegal character 'X' at position 3")
    assert "(line" not in str(e.value)
    with pytest.raises(DataFormatError, match=r"^t\.csv, line 5: illegal character 'X'"):
        load_text("sequence,label\n\nACGT,1\n\nACXT,0\n", "t.csv")
    with pytest.raises(DataFormatError, match=r"^t\.csv, line 4: label column 'label' is 'no'"):
        load_text("sequence,label\nACGT,1\n\nACGT,no\n", "t.csv")


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
    from genoviz.train_setup import file_kmer

    rows = ["AC CG GT TA AC CC\t1", "GG GA AT TT TG GC\t0"] * 5
    ds = load_text("sequence\tlabel\n" + "\n".join(rows) + "\n", "k2.tsv")
    assert ds.sequences[:2] == ["ACGTACC", "GGATTGC"] and file_kmer(ds) is None
    assert load_text("sequence,label\nAC GT AC GT,1\n", "pairs.csv").sequences == ["ACGTACGT"]


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


@pytest.mark.parametrize(
    ("header", "first", "second"),
    [
        ("id,sequence,Sequence,label", "sequence", "Sequence"),
        ("id,ID,sequence,label", "id", "ID"),
        ("sequence,label,weight,Weight", "weight", "Weight"),
        ("sequence,label,Label", "label", "Label"),
    ],
)
def test_columns_differing_only_in_case_are_refused(tmp_path, header, first, second):
    """'Sequence' after 'sequence' was read in its place, and 'Weight' made the column
    'weight' an extra input: now the file is refused, naming both."""
    row = ",".join(
        {"sequence": "ACGT", "label": "1"}.get(c.lower(), "1") for c in header.split(",")
    )
    with pytest.raises(DataFormatError) as e:
        load_file(write(tmp_path, "case.csv", f"{header}\n{row}\n"))
    assert str(e.value) == (
        f"case.csv: columns {first!r} and {second!r} differ only in case, so genoviz cannot "
        "tell which one is meant; rename one"
    )


def test_errors_after_a_quoted_line_break_name_the_physical_line(tmp_path):
    """A note cell spanning two lines (and a blank line) made a bad base on line 6 read
    'line 4'."""
    text = 'id,sequence,label,note\ns1,ACGTACGTAC,1,"multi\nline note"\ns2,TTTT,0,x\n'
    text += "\ns4,ACACX,0,z\n"
    with pytest.raises(DataFormatError, match=r"^q\.csv, line 6: illegal character 'X'"):
        load_file(write(tmp_path, "q.csv", text))


def test_repeated_ids_in_training_data_are_noted(tmp_path):
    text = "id,sequence,label\ns1,ACGTACGTAC,1\ns1,TTTTACGTAA,0\ns3,GGGGCCCCAA,1\n"
    ds = load_file(write(tmp_path, "dup.csv", text))
    note = "1 id(s) name more than one sequence: 's1' 2 times."
    assert ds.meta.notes["repeated_ids"] == note and ds.meta.description.endswith(note)
    fasta = load_text(">s1 label=1\nACGT\n>s1 label=0\nTTGA\n", "dup.fa")
    assert fasta.meta.notes["repeated_ids"] == note
    unique = load_text(">s1 label=1\nACGT\n>s2 label=0\nTTGA\n", "u.fa")
    assert "repeated_ids" not in unique.meta.notes
