"""BED regions plus an indexed FASTA genome (``pyfaidx``) into a Dataset.

The label comes from the BED ``score`` (column 5) or ``name`` (column 4) field. With
``width`` set, every window is centred on its region and resized to that width. A ``-``
in the strand field (column 6) reads the window's reverse complement, and a file that
gives strands is taken as strand-specific (no reverse-complement augmentation).
"""

from __future__ import annotations

import math
from pathlib import Path
from typing import Literal

import numpy as np

from genoviz.data.dataset import Dataset, DatasetMeta
from genoviz.data.errors import DataFormatError
from genoviz.data.importers import read_text
from genoviz.data.task_labels import settle_task, task_label_problem
from genoviz.sequences import SequenceError, clean_sequence, reverse_complement


def is_bed(path: str | Path) -> bool:
    """Whether a file name says BED (``.bed``, or ``.bed.gz``)."""
    return str(path).lower().removesuffix(".gz").endswith(".bed")


def load_bed(
    bed: str | Path,
    fasta: str | Path,
    label_from: Literal["score", "name"] = "score",
    width: int | None = None,
    task: str | None = None,
    unlabelled_ok: bool = False,
) -> Dataset:
    """Extract one window per BED line from an indexed FASTA.

    With ``unlabelled_ok`` (regions to predict), a file without the label column loads as
    plain sequences (task ``lm``, labels 0) instead of being refused.

    Raises:
        DataFormatError: naming the BED line for a bad row, unknown chromosome, a window
            off the chromosome end, or a label that is not a number.
    """
    from pyfaidx import Fasta, FastaIndexingError, FetchError

    bed = Path(bed)
    try:
        genome = Fasta(str(fasta), as_raw=True, sequence_always_upper=True)
    except (OSError, ValueError, FastaIndexingError) as e:
        raise DataFormatError(f"{fasta}: cannot open as an indexed FASTA ({e})") from None
    col = 4 if label_from == "score" else 3
    seqs, labels, ids = [], [], []
    stranded = False
    for lineno, line in enumerate(read_text(bed).splitlines(), start=1):
        if not line.strip() or line.startswith(("#", "track", "browser")):
            continue
        f = line.split("\t") if "\t" in line else line.split()
        where = f"{bed.name}, line {lineno}"
        # regions to score may have no label column, or '.' in it (BED6 without scores)
        unlabelled = unlabelled_ok and (len(f) <= col or f[col].strip() == ".")
        if len(f) < 3:
            raise DataFormatError(f"{where}: needs at least 3 columns (chrom, start, end)")
        if len(f) <= col and not unlabelled:
            raise DataFormatError(f"{where}: needs at least {col + 1} columns for the {label_from}")
        chrom = f[0]
        try:
            start, end = int(f[1]), int(f[2])
            label = math.nan if unlabelled else float(f[col])
        except ValueError:
            raise DataFormatError(
                f"{where}: start/end must be integers and the {label_from} a number; "
                f"got {f[1]!r}, {f[2]!r}, {f[col]!r}"
            ) from None
        if not math.isfinite(label) and not unlabelled:
            raise DataFormatError(f"{where}: the {label_from} {f[col]!r} is not a finite number")
        if end <= start or start < 0:
            raise DataFormatError(f"{where}: end ({end}) must be after start ({start})")
        if width is not None:
            mid = (start + end) // 2
            start, end = mid - width // 2, mid - width // 2 + width
        if chrom not in genome:
            raise DataFormatError(f"{where}: chromosome {chrom!r} is not in {Path(fasta).name}")
        if start < 0 or end > len(genome[chrom]):
            raise DataFormatError(
                f"{where}: window {chrom}:{start}-{end} runs off the chromosome "
                f"(length {len(genome[chrom])})"
            )
        strand = f[5].strip() if len(f) > 5 else "."
        if strand not in ("+", "-", "."):
            raise DataFormatError(f"{where}: the strand (column 6) is {f[5]!r}, not +, - or .")
        stranded |= strand != "."
        try:
            seq = clean_sequence(genome[chrom][start:end], f"{where} ({chrom}:{start}-{end})")
        except (SequenceError, FetchError) as e:
            raise DataFormatError(str(e)) from None
        seqs.append(reverse_complement(seq) if strand == "-" else seq)
        labels.append(label)
        ids.append(f"{chrom}:{start}-{end}" + ("(-)" if strand == "-" else ""))
    if not seqs:
        raise DataFormatError(f"{bed.name}: no regions")
    y = np.array(labels, dtype=np.float32)
    missing = np.isnan(y)
    if missing.all():  # regions to score: no labels at all
        y, task = np.zeros(len(y), np.float32), "lm"
    elif missing.any():
        raise DataFormatError(
            f"{bed.name}: region {ids[int(np.flatnonzero(missing)[0])]} has no {label_from} "
            "column though others have one; give every region a label, or none"
        )
    task = task if task == "lm" else settle_task(task, y)
    if problem := task_label_problem(task, y, ids):
        raise DataFormatError(f"{bed.name}: {problem}")
    meta = DatasetMeta(
        name=bed.name,
        description=f"{len(seqs)} regions from {bed.name} in {Path(fasta).name}, task {task}.",
        source=f"BED {bed} with genome {fasta}",
        notes={"width": width, "label_from": label_from, "stranded": stranded},
    )
    return Dataset(seqs, y, task, meta, ids=ids)
