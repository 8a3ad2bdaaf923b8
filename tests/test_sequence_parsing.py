import pytest

from genoviz.sequence_parsing import parse_sequences
from genoviz.sequences import SequenceError


def test_illegal_character_names_record_position_and_character():
    with pytest.raises(SequenceError) as e:
        parse_sequences(">first\nACGT\n>second\nACGTXA\n")
    err = e.value
    assert (err.record, err.position, err.char, err.line) == ("second", 5, "X", 4)
    assert "second" in str(err) and "position 5" in str(err) and "'X'" in str(err)
    # In a wrapped record the position is the line's; the message adds the record's base.
    with pytest.raises(SequenceError) as e:
        parse_sequences(">r1\nACGTAC\nAC GX\n")
    assert (e.value.line, e.value.position) == (3, 4)
    assert str(e.value).startswith(
        "r1 (line 3): illegal character 'X' at position 4 (character 5 as typed);"
    )
    assert str(e.value).endswith("(base 10 of r1)")


def test_multi_record_fasta_with_wrapped_lines_and_crlf():
    recs = parse_sequences(">a desc here\r\nACGT\r\nacgt\r\n\r\n>b\r\nNNAA\r\n")
    assert [(r.id, r.sequence, r.description) for r in recs] == [
        ("a", "ACGTACGT", "desc here"),
        ("b", "NNAA", ""),
    ]


def test_one_sequence_per_line_and_raw_modes():
    assert [r.sequence for r in parse_sequences("ACGT\n\nTTGA\n")] == ["ACGT", "TTGA"]
    raw = "        1 acgtacgtac gtacgtacgt\n       21 aaaa\n"
    assert parse_sequences(raw, mode="raw")[0].sequence == "ACGTACGTACGTACGTACGTAAAA"
    with pytest.raises(SequenceError, match="line 2"):
        parse_sequences("ACGT\nAC-GT\n")


@pytest.mark.parametrize("text", ["", "   \n\t", ">only_header\n", ">a\nACGT\n>b\n"])
def test_empty_input_and_header_without_sequence(text):
    with pytest.raises(SequenceError):
        parse_sequences(text)


def test_header_without_sequence_names_the_record():
    with pytest.raises(SequenceError) as e:
        parse_sequences(">a\nACGT\n>b some text\n>c\nGG\n")
    assert str(e.value) == "record 'b' (line 3): its header has no sequence after it"


def test_text_before_first_header_is_an_error():
    with pytest.raises(SequenceError, match="line 1"):
        parse_sequences("ACGT\n>a\nACGT", mode="fasta")


def test_records_know_the_line_they_start_on():
    recs = parse_sequences("\n>a\nACGT\nAC\n\n>b label=1\nTT\n")
    assert [(r.id, r.line) for r in recs] == [("a", 2), ("b", 6)]
    assert [r.line for r in parse_sequences("ACGT\n\nTTGA\n")] == [1, 3]


def test_a_pasted_genbank_origin_block_is_one_sequence():
    """Its numbered lines were read as one 60 bp sequence each."""
    block = (
        "ORIGIN\n"
        "        1 gatcctccat atacaacggt atctccacct caggtttaga tctcaacaac ggaaccattg\n"
        "       61 ccgacatgag acagttaggt atcgtcgaga gttacaagct aaaacgagca gtagtcagct\n"
        "      121 ctgcatctga agccgctgaa\n"
        "//\n"
    )
    for text in (block, block.replace("ORIGIN\n", "").replace("//\n", "")):
        (record,) = parse_sequences(text)
        assert len(record.sequence) == 140 and record.sequence.startswith("GATCCTCCATATAC")
    # numbered lines whose numbers do not count the bases stay one sequence per line
    assert [r.sequence for r in parse_sequences("1 ACGT\n2 GGCC\n")] == ["ACGT", "GGCC"]


def test_a_headerless_dnabert_row_is_refused_not_glued():
    """A DNABERT TSV pasted without its header line became one sequence k times too long."""
    with pytest.raises(SequenceError, match="line 2 holds overlapping 4-mers") as e:
        parse_sequences("ACGTACGT\nACGT CGTA GTAC TACG\t1\n")
    assert e.value.line == 2
    # words that do not overlap are bases with spaces, and so is one word repeated
    assert parse_sequences("ACG TTT GGG\n")[0].sequence == "ACGTTTGGG"
    assert parse_sequences("AAA AAA AAA\nNNNNN NNNNN NNNNN\n")[1].sequence == "N" * 15


def test_a_short_locus_line_is_named_as_what_genbank_cannot_read():
    """'no record from LOCUS to //' was said of text that runs from LOCUS to //."""
    text = "\nLOCUS  X 20 bp DNA\nORIGIN\n        1 acgtacgtac gtacgtacgt\n//\n"
    with pytest.raises(SequenceError) as e:
        parse_sequences(text)
    assert e.value.line == 2
    assert str(e.value).startswith(
        "not a readable GenBank file: line 2, the LOCUS line 'LOCUS  X 20 bp DNA', cannot be "
        "read, so no record starts there;"
    )
    example = str(e.value).split("e.g. ")[1].strip("'")  # the example given reads
    assert parse_sequences(text.replace("LOCUS  X 20 bp DNA", example))[0].id == "AB000263"
