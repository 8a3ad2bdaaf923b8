"""Parse, validate and normalise nucleotide sequences (one-hot encoding is
:mod:`genoviz.onehot`; k-mer and codon tokens are :mod:`genoviz.tokens`).

Alphabet contract (DESIGN.md): one-hot is float32 ``(n, 4, L)`` with channels A, C, G, T;
``N`` is an all-zero column; RNA ``U`` becomes ``T``; whitespace and digits set apart
from the bases (line numbers) are ignored; any other character, or a digit between two
bases, raises :class:`SequenceError` naming record, position and character.
"""

from __future__ import annotations

import io
import re
import warnings
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


def parse_sequences(
    text: str, mode: Literal["auto", "fasta", "genbank", "lines", "raw"] = "auto"
) -> list[Record]:
    """Parse pasted or file text into records.

    Modes: ``fasta`` (multi-record, ``>`` headers, wrapped lines joined), ``genbank``
    (GenBank flat-file records, ``LOCUS`` to ``//``, read by Biopython; each record's id is
    its accession.version), ``lines`` (one sequence per non-blank line), ``raw`` (the whole
    text is one sequence, e.g. a GenBank ORIGIN block with numbers). ``auto`` picks
    ``fasta`` when the first non-blank character is ``>``, ``genbank`` when the text starts
    with ``LOCUS``, and ``lines`` otherwise.

    Raises:
        SequenceError: empty input, a header without a sequence, or an illegal character.
    """
    text = text.replace("\r\n", "\n").replace("\r", "\n").lstrip("\ufeff")
    if not text.strip():
        raise SequenceError("no sequence given: the input is empty")
    if mode == "auto":
        mode = "fasta" if text.lstrip().startswith(">") else "lines"
        if is_genbank(text):
            mode = "genbank"
        elif mode == "lines" and _genbank_block(text):
            mode, text = "raw", _GENBANK_FRAME.sub("", text)
    if mode == "genbank":
        return _parse_genbank(text)
    if mode == "raw":
        return [Record("sequence 1", _nonempty(clean_sequence(text), "sequence 1"))]
    if mode == "lines":
        records = []
        for lineno, line in enumerate(text.split("\n"), start=1):
            if line.strip():
                if k := _kmer_line(line):
                    raise SequenceError(
                        f"line {lineno} holds overlapping {k}-mers (DNABERT's format), which "
                        "would be glued end to end: give the table its header line "
                        "('sequence' and 'label', tab-separated), or paste the bases",
                        line=lineno,
                    )
                rid = f"sequence {len(records) + 1}"
                seq = _nonempty(clean_sequence(line, rid, lineno), rid, lineno)
                records.append(Record(rid, seq, line=lineno))
        return records
    return _parse_fasta(text)


#: A GenBank ORIGIN line: its first base's position, then bases in blocks of ten.
_GENBANK_LINE = re.compile(r"\s*(\d+)((?:\s+[A-Za-z]{1,10})+)\s*")
#: The ``ORIGIN`` line before the block and the ``//`` after it, when pasted too.
_GENBANK_FRAME = re.compile(r"^[ \t]*(ORIGIN\b.*|//[ \t]*)$", re.MULTILINE | re.IGNORECASE)


def is_genbank(text: str) -> bool:
    """Whether ``text`` is a GenBank flat file (its first line starts with ``LOCUS``)."""
    return text.lstrip().startswith("LOCUS")


def _parse_genbank(text: str) -> list[Record]:
    """GenBank records (Biopython's parser): id (accession.version, else the LOCUS name),
    bases checked like any other, the definition line as description, and the line of
    each record's ``LOCUS``."""
    from Bio import BiopythonParserWarning, SeqIO
    from Bio.Seq import UndefinedSequenceError

    lines = text.split("\n")
    starts = [i for i, ln in enumerate(lines, start=1) if ln.lstrip().startswith("LOCUS")]
    try:
        with warnings.catch_warnings():  # loose LOCUS spacing and the like: read anyway
            warnings.simplefilter("ignore", BiopythonParserWarning)
            # Biopython wants LOCUS at the start of its line; a paste may indent the first
            parsed = list(SeqIO.parse(io.StringIO(text.lstrip()), "genbank"))
    except ValueError as e:  # Biopython names what it could not read
        raise SequenceError(f"not a readable GenBank file: {e}") from None
    if not parsed:  # Biopython drops a record whose LOCUS line it cannot split
        locus = lines[starts[0] - 1].strip() if starts else ""
        raise SequenceError(
            f"not a readable GenBank file: line {starts[0] if starts else 1}, the LOCUS line "
            f"{locus[:60]!r}, cannot be read, so no record starts there; GenBank writes "
            "the name, length, molecule, topology, division and date in fixed columns, e.g. "
            "'LOCUS       AB000263                 368 bp    mRNA    linear   PRI 05-FEB-1999'",
            line=starts[0] if starts else 1,
        )
    records = []
    for n, rec in enumerate(parsed):
        rid = rec.id if rec.id and rec.id != "<unknown id>" else rec.name or f"record {n + 1}"
        line = starts[n] if n < len(starts) else None
        where = f"record {rid!r}" + (f" (line {line})" if line else "")
        try:
            bases = str(rec.seq)
        except UndefinedSequenceError:  # a CONTIG record, or no ORIGIN block
            raise SequenceError(
                f"{where}: no bases (no ORIGIN block, or a CONTIG that only names its "
                "parts); download the record with its sequence",
                record=rid,
                line=line,
            ) from None
        if not bases:
            raise SequenceError(f"{where}: no bases in its ORIGIN block", record=rid, line=line)
        try:
            seq = clean_sequence(bases, f"record {rid!r}")
        except SequenceError as e:  # name the ORIGIN line that holds the base
            at = _origin_line(text, line, e.position or 1)
            raise SequenceError(
                str(e).replace(f"record {rid!r}", f"record {rid!r} (line {at})", 1),
                record=rid,
                position=e.position,
                char=e.char,
                line=at,
            ) from None
        records.append(Record(rid, seq, rec.description, line))
    return records


def _origin_line(text: str, locus_line: int | None, position: int) -> int | None:
    """The 1-based line of ``text`` whose ORIGIN numbering holds base ``position`` of the
    record whose LOCUS is on ``locus_line``."""
    if locus_line is None:
        return None
    found = None
    for n, line in enumerate(text.split("\n")[locus_line - 1 :], start=locus_line):
        if line.startswith("//"):
            break
        m = re.match(r"\s*(\d+)\s+[A-Za-z]", line)
        if m and int(m.group(1)) <= position:
            found = n
    return found


def _genbank_block(text: str) -> bool:
    """Whether ``text`` is a GenBank ORIGIN block (``1 gatcctccat atac...``, ``61 ...``):
    numbered lines whose numbers count the bases before them. Read as one sequence; line
    by line, each would be a sequence of its own."""
    lines = [ln for ln in _GENBANK_FRAME.sub("", text).split("\n") if ln.strip()]
    expected = 1
    for line in lines:
        m = _GENBANK_LINE.fullmatch(line)
        if m is None or int(m.group(1)) != expected:
            return False
        expected += len(m.group(2).replace(" ", "").replace("\t", ""))
    return bool(lines)


#: The longest k-mers read as DNABERT-style overlapping tokens.
MAX_K = 64


def looks_like_kmers(tokens: list[str]) -> bool:
    """Several tokens of one length (3-64) that overlap like DNABERT's k-mers (DNABERT
    itself uses 3-6; a longer k is read the same way rather than glued end to end), or
    four or more overlapping 2-mers (bases written in pairs overlap by chance only one
    time in 64 at four pairs, and ever more rarely with more)."""
    k = len(tokens[0]) if tokens else 0
    return (
        len(tokens) > 1
        and len(set(tokens)) > 1  # one word repeated (AAA AAA, NNNNN NNNNN) overlaps itself
        and (3 <= k <= MAX_K or (k == 2 and len(tokens) >= 4))
        and all(len(t) == k for t in tokens)
        and all(tokens[j][:-1] == tokens[j - 1][1:] for j in range(1, len(tokens)))
    )


def _kmer_line(line: str) -> int:
    """k when a line's words (a trailing number aside: a label) are three or more
    overlapping k-mers (:func:`looks_like_kmers`), as in a DNABERT TSV row; else 0."""
    tokens = line.split()
    if tokens and tokens[-1].replace(".", "", 1).lstrip("-").isdigit():
        tokens = tokens[:-1]
    return len(tokens[0]) if len(tokens) > 2 and looks_like_kmers(tokens) else 0


def _parse_fasta(text: str) -> list[Record]:
    records: list[Record] = []
    header: tuple[str, str, int] | None = None
    chunks: list[tuple[str, int]] = []

    def flush() -> None:
        if header is None:
            return
        rid, desc, hline = header
        parts: list[str] = []
        for c, ln in chunks:
            try:
                parts.append(clean_sequence(c, rid, ln))
            except SequenceError as e:  # a wrapped record: also say where in the record
                if not parts:
                    raise
                base = sum(map(len, parts)) + (e.position or 0)
                raise SequenceError(
                    f"{e} (base {base} of {rid})",
                    record=rid,
                    position=e.position,
                    char=e.char,
                    line=ln,
                ) from None
        seq = "".join(parts)
        if not seq:
            raise SequenceError(
                f"record {rid!r} (line {hline}): its header has no sequence after it",
                record=rid,
                line=hline,
            )
        records.append(Record(rid, seq, desc, hline))

    for lineno, line in enumerate(text.split("\n"), start=1):
        if line.startswith(">"):
            flush()
            fields = line[1:].strip().split(maxsplit=1)
            rid = fields[0] if fields else f"record {len(records) + 1}"
            header = (rid, fields[1] if len(fields) > 1 else "", lineno)
            chunks = []
        elif line.strip():
            if header is None:
                raise SequenceError(
                    f"line {lineno}: sequence text before the first '>' header",
                    line=lineno,
                )
            chunks.append((line, lineno))
    flush()
    return records


def _nonempty(seq: str, record: str, line: int | None = None) -> str:
    if not seq:
        where = record + (f" (line {line})" if line is not None else "")
        raise SequenceError(
            f"{where}: no bases left after removing spaces and digits",
            record=record,
            line=line,
        )
    return seq


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
