import numpy as np
import pytest

from genoviz.onehot import one_hot
from genoviz.sequence_parsing import parse_sequences
from genoviz.sequences import SequenceError, clean_sequence, gc_content, pad_or_trim


def test_rna_u_becomes_t_and_lowercase_whitespace_digits_ignored():
    assert clean_sequence("acg u\n 12 AcGu\t") == "ACGTACGT"
    np.testing.assert_array_equal(one_hot(clean_sequence("U")), one_hot("T"))


def test_pad_or_trim_centres():
    assert pad_or_trim(["ACGT", "AACCGGTT", "ACGTA"], 6) == ["NACGTN", "ACCGGT", "ACGTAN"]
    assert pad_or_trim(["ACGT"], 6, align="left") == ["ACGTNN"]


def test_gc_content_ignores_n():
    assert gc_content("GCNN") == 1.0
    assert gc_content("ATGC") == 0.5
    assert gc_content("NNN") == 0.0


def test_an_illegal_character_after_spaces_also_says_where_it_was_typed():
    """The position counts bases, so after a space it was not the place in the line."""
    with pytest.raises(SequenceError, match=r"at position 5 \(character 6 as typed\)"):
        clean_sequence("ACG TXA")
    with pytest.raises(SequenceError, match=r"'X' at position 5; allowed"):
        clean_sequence("ACGTXA")  # nothing skipped: one number
    block = "ORIGIN\n        1 acgtacgtac\n       11 acgtxcgtac\n//\n"
    with pytest.raises(SequenceError, match=r"position 15 \(line 3, character 15 as typed\)"):
        parse_sequences(block)


def test_a_digit_between_bases_is_an_error_while_line_numbers_are_ignored():
    """'ACGTGACTCA1TGCATG' was read as 16 bases, every base after the 1 moved left."""
    with pytest.raises(SequenceError) as e:
        parse_sequences(">d1\nACGTGACTCA1TGCATG\n>ok\nACGTACGT\n")
    assert (e.value.record, e.value.line, e.value.position, e.value.char) == ("d1", 2, 11, "1")
    assert str(e.value).startswith("d1 (line 2): digit '1' at position 11, between two bases;")
    with pytest.raises(SequenceError) as e:  # one sequence per line: 'sequence 2'
        parse_sequences("ACGTACGT\nAC GT12GGA\n")
    assert str(e.value).startswith(
        "sequence 2 (line 2): digit '1' at position 5 (character 6 as typed), between"
    )
    with pytest.raises(SequenceError, match=r"^table.csv, line 3: digit '7' at position 3"):
        clean_sequence("ac7gt", "table.csv, line 3")
    # digits set apart by spaces are line numbers or coordinates: still ignored
    assert clean_sequence("1 acgtacgtac 11 gt") == "ACGTACGTACGT"
    assert parse_sequences(">n\n1 ACGTACGTAC\n11 GGCC 14\nAAAA60\n")[0].sequence == (
        "ACGTACGTACGGCCAAAA"
    )
