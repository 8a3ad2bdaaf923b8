"""Read a comma-, tab- or semicolon-separated table as text cells and numeric columns."""

from __future__ import annotations

import csv
import io
import re
from typing import NamedTuple

import numpy as np
import pandas as pd

from genoviz.data.errors import DataFormatError


class Table(NamedTuple):
    """A table read as text cells, with the 1-based line of the input each row is on."""

    frame: pd.DataFrame
    lines: list[int]


#: Widest table read: more columns than any multi-task label set (DeepSEA has 919).
MAX_COLUMNS = 2000
#: A tab-separated first line made only of these is sequence text, not a header.
_SEQUENCE_CELL = re.compile(r"[ACGTUNacgtun0-9 ]*")
_LINE_BREAK = re.compile(r"\r\n|\r|\n")
#: A number written with a decimal comma, as in 0,75.
_DECIMAL_COMMA = re.compile(r"[-+]?\d+,\d+")
#: A whole cell holding a number with a decimal comma (kept: the two sides).
_COMMA_NUMBER = re.compile(r"^(\s*[-+]?\d*),(\d+(?:[eE][-+]?\d+)?\s*)$")
_FIELDS_ERROR = re.compile(r"Expected (\d+) fields in line (\d+), saw (\d+)")
_QUOTE_ERROR = re.compile(r"EOF inside string starting at row (\d+)")


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
