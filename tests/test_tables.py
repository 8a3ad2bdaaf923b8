"""Reading a text table: headers, separators, and errors that name the line."""

import numpy as np
import pytest
from conftest import write

from genoviz.data import DataFormatError, load_file, load_text


def test_missing_and_non_numeric_label_name_the_line(tmp_path):
    with pytest.raises(DataFormatError, match=r"line 3: label column 'label' has an empty cell"):
        load_file(write(tmp_path, "a.csv", "sequence,label\nACGT,1\nACGT,\n"))
    with pytest.raises(DataFormatError, match=r"line 2: label column 'label' is 'yes'"):
        load_file(write(tmp_path, "b.csv", "sequence,label\nACGT,yes\n"))


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
    from genoviz.data.tables import table_header

    assert table_header(text) == header


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
