"""Validate and normalise nucleotide sequences (reading FASTA, GenBank and pasted text is
:mod:`genoviz.sequence_parsing`; one-hot encoding is :mod:`genoviz.onehot`; k-mer and codon
tokens are :mod:`genoviz.tokens`).

Alphabet contract (DESIGN.md): one-hot is float32 ``(n, 4, L)`` with channels A, C, G, T;
``N`` is an all-zero column; RNA ``U`` becomes ``T``; whitespace and digits set apart
from the bases (line numbers) are ignored; any other character, or a digit between two
bases, raises :class:`SequenceError` naming record, position and character.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import Literal, NamedTuple

ALPHABET = "ACGT"
_ALLOWED = frozenset("ACGTN")
_IGNORED = re.compile(r"[\s0-9]+")
#: Digits set in a run of letters (``ACGTGACTCA1TGCATG``): a typo, not a line number,
#: which stands apart from the bases; dropping it would shift every later base.
_DIGIT_IN_BASES = re.compile(r"(?<=[A-Za-z])[0-9]+(?=[A-Za-z])")
_COMPLEMENT = str.maketrans("ACGTN", "TGCAN")


class SequenceError(ValueError):
    """A sequence that cannot be read, with where and why.

    ``record`` is the sequence id (or a 1-based ordinal), ``position`` is 1-based within the
    cleaned text of ``line``, the 1-based line of the input text when known (a wrapped FASTA
    record's message also gives the base's place in the whole record).
    """

    def __init__(
        self,
        message: str,
        *,
        record: str | None = None,
        position: int | None = None,
        char: str | None = None,
        line: int | None = None,
    ) -> None:
        super().__init__(message)
        self.record = record
        self.position = position
        self.char = char
        self.line = line


@contextmanager
def in_file(name: str) -> Iterator[None]:
    """Put the file's ``name`` in front of a :class:`SequenceError` raised inside: a FASTA
    or a list of sequences says which record and line, and with several files open the
    user also needs to know which file."""
    try:
        yield
    except SequenceError as e:
        if str(e).startswith(f"{name}:"):
            raise
        raise SequenceError(
            f"{name}: {e}", record=e.record, position=e.position, char=e.char, line=e.line
        ) from None


class Record(NamedTuple):
    """One parsed sequence: its id, the cleaned sequence, any header text after the id, and
    the 1-based line of the input where it starts (its ``>`` header in FASTA)."""

    id: str
    sequence: str
    description: str = ""
    line: int | None = None


def clean_sequence(raw: str, record: str = "sequence 1", line: int | None = None) -> str:
    """Upper-case, drop whitespace and digits, turn U into T, and check the alphabet.

    Digits are ignored only apart from the bases (line numbers, GenBank coordinates).

    Raises:
        SequenceError: at the first character outside A, C, G, T, U, N, or a digit
            directly between two letters.
    """
    if m := _DIGIT_IN_BASES.search(raw):
        pos = len(_IGNORED.sub("", raw[: m.start()]))  # bases before the digit
        row, column = _typed_column(raw[: m.start()] + "x", pos)
        where = f"{record}" + (f" (line {line})" if line is not None else "")
        typed = "" if (row, column) == (1, pos + 1) else f" (character {column} as typed)"
        if row > 1:
            typed = f" (line {row}, character {column} as typed)"
        raise SequenceError(
            f"{where}: digit {m.group()[0]!r} at position {pos + 1}{typed}, between two "
            "bases; digits are ignored only as line numbers set apart by spaces, and "
            "dropping this one would shift every base after it. Remove it, or check the "
            "sequence for a lost base",
            record=record,
            position=pos + 1,
            char=m.group()[0],
            line=line,
        )
    seq = _IGNORED.sub("", raw).upper().replace("U", "T")
    bad = set(seq) - _ALLOWED
    if bad:
        pos = next(i for i, c in enumerate(seq) if c not in _ALLOWED)
        char = seq[pos]
        shown = repr(char) if char.isprintable() else f"U+{ord(char):04X}"
        where = f"{record}" + (f" (line {line})" if line is not None else "")
        # The position counts bases; with spaces or digits before it, also where it was typed.
        row, column = _typed_column(raw, pos)
        typed = "" if (row, column) == (1, pos + 1) else f" (character {column} as typed)"
        if row > 1:  # raw text of several lines (a pasted block read as one sequence)
            typed = f" (line {row}, character {column} as typed)"
        raise SequenceError(
            f"{where}: illegal character {shown} at position {pos + 1}{typed}; "
            "allowed are A, C, G, T, U and N",
            record=record,
            position=pos + 1,
            char=char,
            line=line,
        )
    return seq


def _typed_column(raw: str, pos: int) -> tuple[int, int]:
    """The 1-based line and column in ``raw`` of the ``pos``-th (0-based) character kept
    by :func:`clean_sequence`."""
    kept, row, column = -1, 1, 0
    for ch in raw:
        if ch == "\n":
            row, column = row + 1, 0
            continue
        column += 1
        if not _IGNORED.fullmatch(ch):
            kept += 1
            if kept == pos:
                break
    return row, column


def reverse_complement(seq: str) -> str:
    """Reverse complement of a cleaned DNA sequence (``N`` stays ``N``)."""
    return seq.translate(_COMPLEMENT)[::-1]


def gc_content(seq: str) -> float:
    """Fraction of G or C among the non-N bases (0.0 for an all-N sequence)."""
    called = len(seq) - seq.count("N")
    return (seq.count("G") + seq.count("C")) / called if called else 0.0


def pad_or_trim(
    sequences: Sequence[str], length: int, align: Literal["center", "left"] = "center"
) -> list[str]:
    """Bring every sequence to ``length`` by padding with ``N`` or trimming the ends."""
    out = []
    for s in sequences:
        d = length - len(s)
        if d == 0:
            out.append(s)
        elif align == "left":
            out.append(s[:length] if d < 0 else s + "N" * d)
        elif d > 0:
            out.append("N" * (d // 2) + s + "N" * (d - d // 2))
        else:
            start = (-d) // 2
            out.append(s[start : start + length])
    return out


def fitted_shift(length: int, fitted: int) -> int:
    """How far a base moves when a sequence of ``length`` bases is padded with N or
    trimmed, centred, to ``fitted`` (:func:`pad_or_trim`): its position there is its own
    plus this (the N added on the left, or minus the bases trimmed off the left)."""
    d = fitted - length
    return d // 2 if d >= 0 else -((-d) // 2)
