"""A CSV/TSV training table (plain bases or DNABERT k-mers) to a labelled Dataset."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from genoviz.data.dataset import Dataset
from genoviz.data.errors import DataFormatError, UnlabelledError
from genoviz.data.extra_inputs import extra_inputs, ignored_note
from genoviz.data.tables import numeric_columns, read_table
from genoviz.data.user_dataset import user_dataset
from genoviz.sequence_parsing import looks_like_kmers
from genoviz.sequences import SequenceError, clean_sequence

Progress = Callable[[float], None]


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


def from_table(text: str, name: str, task: str | None, progress: Progress | None = None) -> Dataset:
    """A table with a ``sequence`` column and ``label*`` columns (optional ``id``,
    ``weight`` and extra input columns) as a Dataset; ``progress`` gets the fraction read."""
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
    extras = extra_inputs(df, [c for c in df.columns if c not in used], y, name, lines)
    ds = user_dataset(
        seqs, y[:, 0] if y.shape[1] == 1 else y, ids, w, extras.values, extras.names, name,
        task, lines=lines, columns=label_cols,
    )  # fmt: skip
    if extras.ignored:
        ds.meta.notes["ignored_columns"] = extras.ignored
        ds.meta.description += " " + ignored_note(extras.ignored)
    if kmer:
        ds.meta.notes["kmer"] = kmer
        ds.meta.description += f" Read from DNABERT {kmer}-mer format."
    return ds
