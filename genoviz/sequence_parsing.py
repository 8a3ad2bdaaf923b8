"""Read pasted or file text as sequence records: FASTA, GenBank, one sequence per line, or
one raw block (a GenBank ORIGIN block with its numbers); each sequence is checked by
:func:`genoviz.sequences.clean_sequence`.
"""

from __future__ import annotations

import io
import re
import warnings
from typing import Literal

from genoviz.sequences import Record, SequenceError, clean_sequence


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
