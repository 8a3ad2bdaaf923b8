"""Read user files into a :class:`Dataset`: CSV/TSV and FASTA (optionally gzipped).

CSV/TSV contract (DESIGN.md): a ``sequence`` column and a ``label`` column (or several
``label*`` columns), optional ``id`` and ``weight``; any other numeric column is an extra
input, except a row number, a coordinate, a weight spelt otherwise (``sample_weight``) and
a column that alone separates two classes (:func:`not_an_input`, :func:`separates_labels`).
FASTA labels come from a ``label=`` token in the header.
"""

from __future__ import annotations

import csv
import gzip
import io
import math
import re
import zlib
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import NamedTuple

import numpy as np
import pandas as pd

from genoviz.data.dataset import Dataset, DatasetMeta, settle_task, task_label_problem
from genoviz.sequences import (
    Record,
    SequenceError,
    clean_sequence,
    is_genbank,
    looks_like_kmers,
    parse_sequences,
)

Progress = Callable[[float], None]


class DataFormatError(ValueError):
    """A file whose layout genoviz cannot read; the message names the line or column."""


class UnlabelledError(DataFormatError):
    """The sequences read, but none has a label (a FASTA without any ``label=``, a table
    without a ``label`` column): they can be looked at and scored, not trained on."""


class Table(NamedTuple):
    """A table read as text cells, with the 1-based line of the input each row is on."""

    frame: pd.DataFrame
    lines: list[int]


FLOAT32_MAX = float(np.finfo(np.float32).max)
#: Widest table read: more columns than any multi-task label set (DeepSEA has 919).
MAX_COLUMNS = 2000
_FASTA_EXT = (".fa", ".fasta", ".fna", ".ffn", ".fas")
_GENBANK_EXT = (".gb", ".gbk", ".gbff", ".genbank")
#: What the upload boxes take (Predict adds ``bed``).
UPLOAD_TYPES = ["csv", "tsv", "txt", *(e[1:] for e in _FASTA_EXT + _GENBANK_EXT), "gz"]
_LABEL_TOKEN = re.compile(r"(?:^|\s|\|)label=([^\s|;]+)")
#: A tab-separated first line made only of these is sequence text, not a header.
_SEQUENCE_CELL = re.compile(r"[ACGTUNacgtun0-9 ]*")
_LINE_BREAK = re.compile(r"\r\n|\r|\n")
#: A number written with a decimal comma, as in 0,75.
_DECIMAL_COMMA = re.compile(r"[-+]?\d+,\d+")
#: A whole cell holding a number with a decimal comma (kept: the two sides).
_COMMA_NUMBER = re.compile(r"^(\s*[-+]?\d*),(\d+(?:[eE][-+]?\d+)?\s*)$")
_FIELDS_ERROR = re.compile(r"Expected (\d+) fields in line (\d+), saw (\d+)")
_QUOTE_ERROR = re.compile(r"EOF inside string starting at row (\d+)")


def read_text(path: str | Path) -> str:
    """Read a (possibly gzipped) text file, with a clear error for binary content."""
    return decode_bytes(Path(path).read_bytes(), str(path))


def decode_bytes(raw: bytes, name: str, max_bytes: int | None = None) -> str:
    """Bytes of a text file (gzipped or not) to text.

    Raises:
        DataFormatError: binary content, bad gzip, non-UTF-8 text (naming the line), or
            more than ``max_bytes`` once unpacked.
    """
    if raw[:2] == b"\x1f\x8b":
        try:
            if max_bytes is None:
                raw = gzip.decompress(raw)
            else:  # stop unpacking just past the limit: a tiny .gz can unpack to gigabytes
                unpacker = zlib.decompressobj(wbits=31)
                raw = unpacker.decompress(raw, max_bytes + 1)
                if not unpacker.eof and len(raw) <= max_bytes:
                    raise EOFError("the file ends before the end of the compressed stream")
        except (OSError, EOFError, zlib.error) as e:
            raise DataFormatError(f"{name}: damaged gzip file ({e})") from None
    if max_bytes is not None and len(raw) > max_bytes:
        raise DataFormatError(
            f"{name} unpacks to more than {max_bytes / 2**20:.3g} MB of text, the most "
            "genoviz reads here (GENOVIZ_MAX_UPLOAD_MB sets it)"
        )
    if b"\x00" in raw[:65536]:
        raise DataFormatError(f"{name}: this looks like a binary file, not text")
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as e:
        line = raw[: e.start].count(b"\n") + 1
        raise DataFormatError(f"{name}, line {line}: not UTF-8 text ({e.reason})") from None


def sniff_format(name: str, text: str) -> str:
    """``fasta`` (records with headers: FASTA or GenBank) or ``table``, from the name's
    extension first, then the content."""
    stem = name.lower().removesuffix(".gz")
    headed = text.lstrip().startswith(">") or is_genbank(text)
    if stem.endswith(_FASTA_EXT + _GENBANK_EXT) or headed:
        return "fasta"
    return "table"


def load_file(
    path: str | Path,
    task: str | None = None,
    labels: str | Path | None = None,
    progress: Progress | None = None,
) -> Dataset:
    """Load a CSV/TSV (plain or DNABERT k-mer), FASTA or GenBank file (``.gz`` allowed).

    Args:
        task: override the task inferred from the labels.
        labels: for FASTA or GenBank, a CSV/TSV with ``id`` and ``label*`` columns joined
            on the record ids (instead of ``label=`` tokens in FASTA headers).
        progress: called with the fraction of rows read so far (for large files).
    """
    path = Path(path)
    if not path.exists():
        raise DataFormatError(f"no such file: {path}")
    if path.is_dir():
        raise DataFormatError(f"{path} is a folder; expected a CSV, TSV or FASTA file")
    label_text = read_text(labels) if labels is not None else None
    return load_text(
        read_text(path), path.name, task=task, labels_text=label_text, progress=progress
    )


def load_text(
    text: str,
    name: str,
    task: str | None = None,
    labels_text: str | None = None,
    progress: Progress | None = None,
) -> Dataset:
    """Parse file content already in memory (an upload, or a paste with labels)."""
    if not text.strip():
        raise DataFormatError(f"{name}: the file is empty")
    if sniff_format(name, text) == "fasta":
        return _from_fasta(text, name, task, labels_text)
    if problem := bed_problem(text, name, "train"):
        raise DataFormatError(problem)
    if labels_text is not None:  # it would be ignored: a table has its own label column
        raise DataFormatError(
            f"{name}: a labels file joins labels to a FASTA's record ids; this is a table, "
            "so give its labels as a 'label' column instead"
        )
    if table_header(text) is None:  # one sequence per line
        parse_sequences(text, mode="lines")  # a bad character: name its line
        raise UnlabelledError(
            f"{name}: one sequence per line, without labels; to train, give a table whose "
            "first line is 'sequence,label', or a FASTA with headers like '>seq1 label=1'"
        )
    return _from_table(text, name, task, progress)


def bed_problem(text: str, name: str, command: str) -> str | None:
    """What to say when ``text`` reads as BED regions (chromosome, start, end, ...), which
    need a genome FASTA to become sequences; None for anything else. ``command`` is the
    CLI command that reads them (``train`` or ``predict``)."""
    for line in text.splitlines():
        if not line.strip() or line.startswith(("#", "track", "browser")):
            continue
        f = line.split("\t") if "\t" in line else line.split()
        if len(f) < 3 or not (f[1].strip().isdigit() and f[2].strip().isdigit()):
            return None
        if set(f[0].strip().upper()) <= set("ACGTUN") or int(f[1]) > int(f[2]):
            return None  # a sequence with two numbers, not a chromosome and its interval
        extra = " --out predictions.csv" if command == "predict" else " --out runs/mine"
        return (
            f"{name} looks like BED regions (chromosome, start, end: {line.strip()[:40]!r}); "
            "their bases come from a genome FASTA, which the dashboard does not read. Run "
            f"python -m genoviz {command} --data regions.bed --genome genome.fa{extra}, "
            "or give the sequences themselves (FASTA, or a table with a 'sequence' column)."
        )
    return None


def table_header(text: str) -> list[str] | None:
    """The column names when ``text`` is a comma-, tab- or semicolon-separated table, else
    None.

    The first non-blank line is a table header when it holds a comma, a tab or a
    semicolon, or is the single word ``sequence``. FASTA, and a tab-separated line of
    bases and digits only, are sequences, not tables.
    """
    first = next((ln for ln in _LINE_BREAK.split(text.lstrip("\ufeff")) if ln.strip()), "")
    if first.lstrip().startswith(">"):
        return None
    sep = _separator(first)
    if sep not in first:
        return [first.strip()] if first.strip().lower() == "sequence" else None
    cells = _cells(first, sep)
    if sep == "\t" and all(_SEQUENCE_CELL.fullmatch(c) for c in cells):
        return None
    return cells


def _cells(line: str, sep: str) -> list[str]:
    """The fields of one line, quotes removed (a header's, so no quoted separators)."""
    return [c.strip().strip('"').strip() for c in line.split(sep)]


def _labels_by_id(text: str, name: str) -> dict[str, np.ndarray]:
    table = read_table(text, name)
    df = table.frame
    cols = {c.lower(): c for c in df.columns}
    label_cols = [c for c in df.columns if c.lower().startswith("label")]
    if "id" not in cols or not label_cols:
        raise DataFormatError(
            f"{name}: a labels file needs an 'id' column and a 'label' column; "
            f"found {list(df.columns)}"
        )
    y = numeric_columns(df, label_cols, name, "label", table.lines)
    out: dict[str, np.ndarray] = {}
    first: dict[str, int] = {}
    for i, k in enumerate(df[cols["id"]]):
        key = str(k).strip()
        if key in out and not np.array_equal(out[key], y[i]):
            raise DataFormatError(
                f"{name}, line {table.lines[i]}: id {key!r} is listed again (first on line "
                f"{table.lines[first[key]]}) with another label; give each id one label"
            )
        out[key], first[key] = y[i], first.get(key, i)
    return out


def _from_fasta(text: str, name: str, task: str | None, labels_text: str | None = None):
    genbank = is_genbank(text)
    records = parse_sequences(text, mode="genbank" if genbank else "fasta")
    if labels_text is not None:
        seen: dict[str, Record] = {}
        for r in records:  # a labels file cannot tell two records of one id apart
            if (other := seen.setdefault(r.id, r)) is not r:
                raise DataFormatError(
                    f"{name}: two records are named {r.id!r} (lines {other.line} and "
                    f"{r.line}), so the labels file cannot say which label is whose; give "
                    "each record its own id"
                )
        table = _labels_by_id(labels_text, "labels file")
        missing = [r.id for r in records if r.id not in table]
        if missing:
            raise DataFormatError(
                f"{name}: record {missing[0]!r} has no row in the labels file"
                + (f" ({len(missing)} records missing)" if len(missing) > 1 else "")
            )
        y = np.stack([table[r.id] for r in records])
        y = y[:, 0] if y.shape[1] == 1 else y
        return _finish(
            [r.sequence for r in records], y, [r.id for r in records], None, None, [], name, task
        )
    found = [_LABEL_TOKEN.search(r.description) or _LABEL_TOKEN.search(r.id) for r in records]
    if not any(found):
        r = records[0]
        if genbank:
            raise UnlabelledError(
                f"{name}: GenBank records carry no labels. They can be looked at, scored on "
                "the Predict page or used to pretrain a BERT; to train a classifier on them, "
                f"give a labels file (columns 'id' and 'label', ids such as {r.id!r}) on the "
                f"command line: python -m genoviz train --data {name} --labels labels.csv"
            )
        raise UnlabelledError(
            f"{name}: record {r.id!r} (line {r.line}) has no 'label=' in its header; write "
            f"e.g. '>{r.id} label=1', or paste the sequences on the Predict page instead"
        )
    labels = []
    for r, m in zip(records, found, strict=True):
        if m is None:
            raise DataFormatError(
                f"{name}: record {r.id!r} (line {r.line}) has no 'label=' in its header, "
                f"though other records have one; write e.g. '>{r.id} label=1'"
            )
        try:
            labels.append(float(m.group(1)))
        except ValueError:
            labels.append(math.nan)
        if not (math.isfinite(labels[-1]) and abs(labels[-1]) <= FLOAT32_MAX):
            raise DataFormatError(
                f"{name}: record {r.id!r} (line {r.line}) has label={m.group(1)!r}, "
                "which is not a number"
            )
    y = np.array(labels, dtype=np.float32)
    # '>s0|label=1' names the record s0: the label is not part of its name.
    ids = [_LABEL_TOKEN.sub("", r.id) or r.id for r in records]
    return _finish([r.sequence for r in records], y, ids, None, None, [], name, task)


def _separator(first_line: str) -> str:
    """Tab or comma, whichever the header has more of; a semicolon when it has neither
    (spreadsheets in many European locales save "CSV" that way)."""
    if ";" in first_line and "\t" not in first_line and "," not in first_line:
        return ";"
    return "\t" if first_line.count("\t") >= max(1, first_line.count(",")) else ","


def read_table(text: str, name: str) -> Table:
    """A comma- or tab-separated table (the first line is the header) as text cells; a
    semicolon-separated one too, whose decimal commas (``0,75``) become points.

    Raises:
        DataFormatError: a line with more fields than the header, an unclosed quotation
            mark, or a header wider than ``MAX_COLUMNS``, naming the line; two columns
            whose names differ only in case, naming both.
    """
    first = text.lstrip().split("\n", 1)[0]
    sep = _separator(first)
    if first.count(sep) >= MAX_COLUMNS:  # pandas slows down sharply with very wide tables
        raise DataFormatError(
            f"{name}: the header has {first.count(sep) + 1:,} columns; genoviz reads tables "
            f"of up to {MAX_COLUMNS:,} (a sequence column, label columns and extras)"
        )
    # The lines pandas reads: it skips blank ones. Quoted line breaks would shift them.
    physical = [
        (i, line)
        for i, line in enumerate(_LINE_BREAK.split(text), start=1)
        if line.strip() or sep in line
    ]
    header = _cells(physical[0][1], sep) if physical else []
    try:
        df = pd.read_csv(io.StringIO(text), sep=sep, dtype=str, keep_default_na=False)
    except pd.errors.EmptyDataError:
        raise DataFormatError(f"{name}: no header row and no data") from None
    except (ValueError, csv.Error) as e:  # pandas' ParserError is a ValueError
        raise DataFormatError(_table_error(str(e), name, len(header), physical)) from None
    lines = [i for i, _ in physical[1:]]
    if len(lines) != len(df):  # a quoted value holds a line break: count as csv reads
        lines = _row_lines(text, sep)
        if len(lines) != len(df):
            lines = [i + 2 for i in range(len(df))]
    if not isinstance(df.index, pd.RangeIndex):  # pandas took a first column for an index
        raise DataFormatError(
            f"{name}, line {lines[0]} has {len(header) + 1} fields, the header has {len(header)}"
        )
    df.columns = [str(c).strip() for c in df.columns]
    first_of: dict[str, str] = {}
    for c in df.columns:  # by name, 'Sequence' would silently stand in for 'sequence'
        if (other := first_of.setdefault(c.lower(), c)) != c:
            raise DataFormatError(
                f"{name}: columns {other!r} and {c!r} differ only in case, so genoviz cannot "
                "tell which one is meant; rename one"
            )
    if sep == ";":  # European spreadsheets write decimals with a comma there: 0,75
        for c in df.columns:
            if c.lower() not in ("id", "sequence"):
                df[c] = df[c].str.replace(_COMMA_NUMBER, r"\1.\2", regex=True)
    return Table(df, lines)


def _row_lines(text: str, sep: str) -> list[int]:
    """The 1-based input line each data row starts on, as the csv module reads the table
    (a quoted value may span lines; blank lines are skipped, as pandas skips them)."""
    reader = csv.reader(io.StringIO(text, newline=None), delimiter=sep)
    starts, end = [], 0
    for row in reader:
        start, end = end + 1, reader.line_num
        if any(c.strip() for c in row) or len(row) > 1:
            starts.append(start)
    return starts[1:]


def _table_error(message: str, name: str, n_header: int, physical: list[tuple[int, str]]) -> str:
    """pandas' parser message in the words of the table: which line, what is wrong."""
    if m := _FIELDS_ERROR.search(message):  # pandas counts every line, header and blanks
        return f"{name}, line {m.group(2)} has {m.group(3)} fields, the header has {n_header}"
    if m := _QUOTE_ERROR.search(message):  # rows counted from 0 at the header, blanks not
        row = int(m.group(1))
        line = physical[row][0] if row < len(physical) else row + 1
        return f'{name}, line {line}: a quotation mark (") opens a value that is never closed'
    return (
        f"{name}: cannot read as a table; expected plain text with a header line and the "
        "same number of comma- or tab-separated fields on every line"
    )


def kmers_to_sequence(tokens: list[str], where: str) -> str:
    """Rebuild a sequence from overlapping k-mers (DNABERT's input format)."""
    k = len(tokens[0]) if tokens else 0
    if k == 0:
        raise DataFormatError(f"{where}: no k-mers")
    for j in range(1, len(tokens)):
        if len(tokens[j]) != k or tokens[j][:-1] != tokens[j - 1][1:]:
            raise DataFormatError(
                f"{where}: k-mer {j + 1} ({tokens[j]!r}) does not overlap k-mer {j} "
                f"({tokens[j - 1]!r}); expected overlapping {k}-mers as DNABERT writes them"
            )
    return tokens[0] + "".join(t[-1] for t in tokens[1:])


def sequence_column(
    raw_seqs: list[str], lines: list[int], name: str, progress: Progress | None = None
) -> tuple[list[str], int]:
    """A table's ``sequence`` cells as clean sequences, and k (0 when they are plain bases):
    a column of space-separated overlapping k-mers (DNABERT's TSV) is joined back into
    bases. Errors name the file and the line (``lines``: each row's input line).

    The first row decides between bases and k-mers, and every row must agree. Spaces in a
    row of bases are dropped, as in FASTA (``ATG GCC AAA``).

    Raises:
        DataFormatError: a bad character, an empty sequence, k-mers that do not overlap, or
            a row unlike the first (bases among k-mers, another k).
    """
    first_tokens = raw_seqs[0].split() if raw_seqs else []
    # Tokens of DNABERT's k (3-8) whose first pairs overlap decide k-mers (a broken overlap
    # further on is then an error that names it); tokens that do not overlap from the start
    # are bases with spaces (codons written apart); a longer k only when all overlap
    k0 = len(first_tokens[0]) if len(first_tokens) > 1 else 0
    starts_overlapping = looks_like_kmers(first_tokens[:3])
    kmer = k0 if (3 <= k0 <= 8 and starts_overlapping) or looks_like_kmers(first_tokens) else 0
    first = f"line {lines[0]}" if lines else "the first line"
    seqs = []
    n_rows = len(raw_seqs)
    for i, raw in enumerate(raw_seqs):
        if progress is not None and i % 20_000 == 0:
            progress(i / n_rows)
        line = lines[i]
        if not raw.strip():
            raise DataFormatError(f"{name}, line {line}: the sequence is empty")
        tokens = raw.split()
        if kmer and (len(tokens) == 1 or len(tokens[0]) != kmer):
            found = "plain bases" if len(tokens) == 1 else f"{len(tokens[0])}-mers"
            raise DataFormatError(
                f"{name}, line {line} holds {found}, while {first} holds {kmer}-mers; a "
                "DNABERT file has k-mers of one k on every line"
            )
        if not kmer and looks_like_kmers(tokens):
            raise DataFormatError(
                f"{name}, line {line} holds overlapping {len(tokens[0])}-mers, while {first} "
                "holds plain bases; give one or the other on every line"
            )
        if kmer:
            raw = kmers_to_sequence(tokens, f"{name}, line {line}")
        try:
            seqs.append(clean_sequence(raw, f"{name}, line {line}"))
        except SequenceError as e:
            raise DataFormatError(str(e)) from None
        if not seqs[-1]:
            raise DataFormatError(
                f"{name}, line {line}: the sequence {raw.strip()[:20]!r} has no bases left "
                "after removing spaces and digits"
            )
    return seqs, kmer


def _from_table(
    text: str, name: str, task: str | None, progress: Progress | None = None
) -> Dataset:
    table = read_table(text, name)
    df, lines = table
    cols = {c.lower(): c for c in df.columns}
    if "sequence" not in cols:
        raise DataFormatError(
            f"{name}: no 'sequence' column; found columns {list(df.columns)}. The first "
            "line must name the columns: 'sequence' for the sequences and 'label' for the "
            "labels (optional 'id', 'weight')."
        )
    label_cols = [c for c in df.columns if c.lower().startswith("label")]
    if not label_cols:
        raise UnlabelledError(
            f"{name}: no 'label' column; found {list(df.columns)}. To predict on unlabelled "
            "sequences, use Predict (the page, or python -m genoviz predict)."
        )
    seqs, kmer = sequence_column(df[cols["sequence"]].tolist(), lines, name, progress)
    y = numeric_columns(df, label_cols, name, "label", lines)
    ids = df[cols["id"]].tolist() if "id" in cols else None
    w = (
        numeric_columns(df, [cols["weight"]], name, "weight", lines)[:, 0]
        if "weight" in cols
        else None
    )
    if w is not None:
        if (w < 0).any():
            i = int(np.flatnonzero(w < 0)[0])
            raise DataFormatError(
                f"{name}, line {lines[i]}: weight column {cols['weight']!r} is {w[i]:g}; "
                "weights say how much a sequence counts, so they are 0 or more"
            )
        if not (w > 0).any():
            raise DataFormatError(
                f"{name}: every weight in column {cols['weight']!r} is 0, so no sequence "
                "would count; give the ones to train on a weight above 0"
            )
    used = {cols["sequence"], *label_cols, cols.get("id"), cols.get("weight")}
    others = [c for c in df.columns if c not in used]
    not_inputs = {c: why for c in others if (why := not_an_input(c))}
    extra_cols = [c for c in others if c not in not_inputs and _numeric_or_blank(df[c])]
    extras = (
        numeric_columns(df, extra_cols, name, "extra", lines, EXTRA_HINT) if extra_cols else None
    )
    if extras is not None:  # a column that is the label in another form is no input
        for j, c in enumerate(list(extra_cols)):
            if why := separates_labels(extras[:, j], y):
                not_inputs[c] = why
        keep = [j for j, c in enumerate(extra_cols) if c not in not_inputs]
        extra_cols = [extra_cols[j] for j in keep]
        extras = extras[:, keep] if keep else None
    ds = _finish(
        seqs, y[:, 0] if y.shape[1] == 1 else y, ids, w, extras, extra_cols, name, task,
        lines=lines, columns=label_cols,
    )  # fmt: skip
    ignored = {
        c: not_inputs.get(c) or _why_not_numeric(df[c], lines)
        for c in others
        if c not in extra_cols
    }
    if ignored:
        ds.meta.notes["ignored_columns"] = ignored
        ds.meta.description += " " + ignored_note(ignored)
    if kmer:
        ds.meta.notes["kmer"] = kmer
        ds.meta.description += f" Read from DNABERT {kmer}-mer format."
    return ds


EXTRA_HINT = (
    " (a column of numbers besides sequence, label, id and weight is read as an extra model "
    "input: fill the cell in, or remove the column if it is not an input)"
)


def _numeric_or_blank(col: pd.Series) -> bool:
    """Every filled cell a number (and at least one filled): an extra input, whose empty
    cells are then an error naming the line."""
    filled = col[col.astype(str).str.strip() != ""]
    return not filled.empty and pd.to_numeric(filled, errors="coerce").notna().all()


def _why_not_numeric(col: pd.Series, lines: list[int]) -> str:
    """Why a column is not read as an input: its first cell that is not a number."""
    text = col.astype(str).str.strip()
    bad = np.flatnonzero((text != "").to_numpy() & pd.to_numeric(col, errors="coerce").isna())
    if not len(bad):
        return "it is empty"
    i = int(bad[0])
    return f"line {lines[i]} holds {text.iloc[i]!r}, not a number"


#: Column names that are never model inputs, whatever they hold: a row number that
#: pandas (``to_csv`` without ``index=False``) or R writes under a blank header, and the
#: genomic coordinates of a region, whose values say where a window lies, not what it holds
#: (a row number sorted by label gave test ROC AUC 1.0; a start coordinate in the hundred
#: thousands collapsed training to one prediction).
ROW_NUMBER = re.compile(r"^(unnamed: \d+|index|)$")
COORDINATES = frozenset(
    {"chrom", "chr", "chromosome", "seqnames", "start", "end", "stop", "chromstart",
     "chromend", "pos", "position", "begin", "strand"}
)  # fmt: skip
#: Weights spelt other than ``weight``: JUND's class weights (0.50 for a negative, 118 for
#: a positive) renamed ``sample_weight`` became an input and gave test ROC AUC 1.0.
WEIGHT_LIKE = re.compile(r"^(sample|class|instance)?[ _.-]?weights?$")
NOT_INPUT_REASONS = (
    "a row number",
    "a genomic coordinate",
    "a weight column",
    "it alone separates the labels",
)
#: An extra column that ranks two classes this well on its own is the label in another
#: form (a class weight, a score made from the label), not a measurement to learn from; a
#: real input such as tf-binding's accessibility reaches ROC AUC 0.72.
SEPARATING_AUC = 0.99
#: With fewer rows of a class, any column can separate the classes by chance (5 against 5
#: random values do one time in 126); 10 against 10 one time in 46,189.
MIN_CLASS_ROWS = 10


def not_an_input(column: str) -> str | None:
    """Why a table column is never an extra input, by its name (None when it may be)."""
    name = str(column).strip().lower()
    if ROW_NUMBER.match(name):
        return f"{NOT_INPUT_REASONS[0]} (an index written with the table), not a measurement"
    if name in COORDINATES:
        return f"{NOT_INPUT_REASONS[1]}: it says where the window lies, not what it holds"
    if WEIGHT_LIKE.match(name):
        return f"{NOT_INPUT_REASONS[2]}: name it 'weight' to weight the loss with it"
    return None


def separates_labels(values: np.ndarray, labels: np.ndarray) -> str | None:
    """Why ``values`` (n,) is no input when on its own it separates two-class ``labels``
    (``(n,)`` or ``(n, tasks)``, each column checked) with ROC AUC >= ``SEPARATING_AUC``,
    it or its negative; None otherwise, or with fewer than ``MIN_CLASS_ROWS`` of a class."""
    from sklearn.metrics import roc_auc_score

    y = np.asarray(labels, dtype=np.float64).reshape(len(values), -1)
    for t in range(y.shape[1]):
        known = np.isfinite(y[:, t])
        classes, counts = np.unique(y[known, t], return_counts=True)
        if len(classes) != 2 or counts.min() < MIN_CLASS_ROWS:
            continue
        auc = float(roc_auc_score(y[known, t] == classes[1], values[known]))
        if max(auc, 1 - auc) >= SEPARATING_AUC:
            task = f" of label column {t + 1}" if y.shape[1] > 1 else ""
            flipped = ", its low values marking the higher label" if auc < 0.5 else ""
            return (
                f"{NOT_INPUT_REASONS[3]}{task} (ROC AUC {max(auc, 1 - auc):.3f}{flipped}), so "
                "it is probably the label in another form, not a measurement"
            )
    return None


def _shown(column: str) -> str:
    """A column as the user's file names it: pandas calls a blank header 'Unnamed: 0'."""
    if m := re.fullmatch(r"Unnamed: (\d+)", str(column)):
        return f"column {int(m.group(1)) + 1}, which has no name"
    return repr(column)


def ignored_note(ignored: dict[str, str]) -> str:
    """One sentence on the columns a table had that are not inputs, so none vanishes
    without a word."""
    parts = "; ".join(f"{_shown(c)} ({why})" for c, why in ignored.items())
    fixable = any(not why.startswith(NOT_INPUT_REASONS) for why in ignored.values())
    return f"Not used as model inputs: {parts}." + (
        " Fix the cells of a column that holds text to use it as an extra input." if fixable else ""
    )


def numeric_columns(
    df: pd.DataFrame,
    columns: list[str],
    name: str,
    what: str,
    lines: list[int],
    hint: str = "",
) -> np.ndarray:
    """``columns`` of a text table as numbers ``(n, len(columns))``; a cell that is missing,
    not a number or too large for float32 is a :class:`DataFormatError` naming its
    ``lines`` entry (the input line of each row) and ``what`` column it is, then ``hint``."""
    out = np.empty((len(df), len(columns)), dtype=np.float32)
    for j, c in enumerate(columns):
        values = pd.to_numeric(df[c], errors="coerce").to_numpy(dtype=np.float64)
        with np.errstate(over="ignore"):
            bad = np.flatnonzero(~np.isfinite(values.astype(np.float32)))
        if len(bad):
            i = int(bad[0])
            shown = df[c].iloc[i]
            problem = (
                "has an empty cell" if not str(shown).strip() else f"is {shown!r}, not a number"
            )
            if np.isinf(values[i]) or np.isfinite(values[i]):
                problem = f"is {shown!r}, which is infinite or too large"
            elif _DECIMAL_COMMA.fullmatch(str(shown).strip()):
                problem += f"; write decimals with a point ({str(shown).strip().replace(',', '.')})"
            elif what == "label" and str(shown).strip():
                text = sorted({str(v).strip() for v in df[c]} - {""}, key=str.lower)
                text = [v for v in text if not np.isfinite(pd.to_numeric(v, errors="coerce"))]
                problem += (
                    ". Labels are numbers: 0 and 1 for two classes, 0, 1, 2, … for more, or "
                    "any number for regression; write each class as its number (this column "
                    f"has {len(text)} text value(s): {', '.join(repr(v) for v in text[:6])}"
                    f"{', …' if len(text) > 6 else ''})"
                )
            raise DataFormatError(f"{name}, line {lines[i]}: {what} column {c!r} {problem}{hint}")
        out[:, j] = values
    return out


def _finish(seqs, y, ids, w, extras, extra_names, name, task, lines=None, columns=None) -> Dataset:
    if not seqs:
        raise DataFormatError(f"{name}: no rows after the header")
    task = settle_task(task, y)
    if problem := task_label_problem(task, y, ids, lines=lines, columns=columns):
        raise DataFormatError(f"{name}: {problem}")
    meta = DatasetMeta(
        name=Path(name).name,
        description=f"Loaded from {name}: {len(seqs)} sequences, task {task}.",
        source=f"user file {name}",
        extras_names=list(extra_names),
    )
    if columns and np.ndim(y) == 2 and len(columns) == np.shape(y)[1]:
        meta.notes["tasks"] = task_names(columns)
    if ids is not None and (repeated := repeated_ids_note(ids)):
        meta.notes["repeated_ids"] = repeated
        meta.description += " " + repeated
    return Dataset(seqs, y, task, meta, weights=w, extras=extras, ids=ids)


def repeated_ids_note(ids: list[str], shown: int = 3) -> str:
    """A sentence naming the ids that occur more than once and how often (the first
    ``shown`` of them); "" when every id is its own."""
    counts = Counter(str(i) for i in ids)
    repeated = [(i, n) for i, n in counts.items() if n > 1]
    if not repeated:
        return ""
    listed = ", ".join(f"{i!r} {n} times" for i, n in repeated[:shown])
    more = f" and {len(repeated) - shown:,} more" if len(repeated) > shown else ""
    return f"{len(repeated):,} id(s) name more than one sequence: {listed}{more}."


def label_suffix(column: str) -> str:
    """A label column's task part: ``label_JUND`` -> ``JUND``, ``label2`` -> ``2``."""
    return str(column)[len("label") :].lstrip("_- ")


def task_names(columns: list[str]) -> list[str]:
    """Multi-task names from ``label_*`` columns (:func:`label_suffix`), so a run's
    outputs are ``p_JUND`` and ``predict`` finds the file's own ``label_JUND`` again; the
    whole column names where stripping would leave one empty or two alike."""
    names = [label_suffix(c) for c in columns]
    return names if all(names) and len(set(names)) == len(names) else list(columns)
