"""FASTA and GenBank records to a labelled Dataset: ``label=`` in headers, or a labels file."""

from __future__ import annotations

import math
import re

import numpy as np

from genoviz.data.dataset import Dataset
from genoviz.data.errors import DataFormatError, UnlabelledError
from genoviz.data.tables import numeric_columns, read_table
from genoviz.data.user_dataset import user_dataset
from genoviz.sequence_parsing import is_genbank, parse_sequences
from genoviz.sequences import Record

FLOAT32_MAX = float(np.finfo(np.float32).max)
_LABEL_TOKEN = re.compile(r"(?:^|\s|\|)label=([^\s|;]+)")


def _labels_by_id(text: str, name: str) -> dict[str, np.ndarray]:
    """Each id's labels ``(tasks,)`` from a labels file of ``id`` and ``label*`` columns."""
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


def from_fasta(text: str, name: str, task: str | None, labels_text: str | None = None) -> Dataset:
    """A FASTA or GenBank text as a Dataset, its labels from ``label=`` tokens in the
    headers or, given ``labels_text``, from a table of ``id`` and ``label*`` columns."""
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
        return user_dataset(
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
    return user_dataset([r.sequence for r in records], y, ids, None, None, [], name, task)
