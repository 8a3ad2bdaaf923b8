"""Pretraining corpora, and their sequences cut into the chunks a BERT reads.

A corpus is an unlabelled task-``lm`` dataset: ``dna-corpus``, a bundled set with its labels
dropped, or the user's own sequences; one species of a codon corpus can be taken alone.
:func:`chunk_texts` cuts it into texts of at most ``MaskConfig.max_tokens`` tokens (codons,
codons with their protein, or a shifted frame) and :func:`encode_texts` makes their ids.
"""

from __future__ import annotations

import copy
import dataclasses
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import torch
from torch import nn

import models
from genoviz.data import BUNDLED, Dataset, DatasetMeta, load_bundled
from genoviz.data.dna_corpus import DNA_CORPUS, dna_corpus
from genoviz.data.importers import read_text
from genoviz.predict_inputs import read_inputs
from genoviz.pretrain_masking import MaskConfig
from genoviz.sequences import Record, SequenceError


def as_corpus(dataset: Dataset, name: str | None = None) -> Dataset:
    """The same sequences as an unlabelled ``lm`` dataset (labels dropped)."""
    meta = copy.deepcopy(dataset.meta)
    meta.name = name or f"{dataset.name}-corpus"
    return Dataset(
        list(dataset.sequences), np.zeros(len(dataset), np.float32), "lm", meta, ids=dataset.ids
    )


def load_corpus(spec: str | Path, seed: int = 0) -> Dataset:
    """A pretraining corpus: ``dna-corpus``, any bundled set (labels dropped), or a file
    of the user's own sequences: FASTA, one per line, or a CSV/TSV with a ``sequence``
    column (plain or DNABERT k-mers; labels and other columns ignored)."""
    spec_s = str(spec)
    if spec_s == DNA_CORPUS:
        return dna_corpus(seed)
    if spec_s in BUNDLED:
        ds = load_bundled(spec_s, seed=seed)
        return ds if ds.task == "lm" else as_corpus(ds)
    path = Path(spec_s).expanduser()
    if not path.is_file():
        raise SequenceError(f"{spec_s!r} is not {DNA_CORPUS}, a bundled set or a file of sequences")
    inputs = read_inputs(read_text(path), path.name)
    corpus = corpus_from_records(
        [Record(i, s) for i, s in zip(inputs.ids, inputs.seqs, strict=True)], path.name
    )
    corpus.meta.notes["spec"] = str(path)
    return corpus


def corpus_from_records(records: Sequence[Record], name: str) -> Dataset:
    """The user's own sequences (FASTA or one per line, parsed) as a pretraining corpus."""
    meta = DatasetMeta(name=name, description="User sequences for pretraining")
    seqs = [r.sequence for r in records]
    return Dataset(seqs, np.zeros(len(seqs), np.float32), "lm", meta, ids=[r.id for r in records])


def species_corpus(dataset: Dataset, species: str) -> Dataset:
    """The sequences of one species of a codon corpus (named in ``meta.notes['species']``,
    labels are their indices), with their proteins."""
    names = list(dataset.meta.notes.get("species") or [])
    if not names:
        raise SequenceError(f"{dataset.name} has no species to choose from; pretrain on all of it")
    if species not in names:
        raise SequenceError(
            f"{dataset.name} has no species {species!r}; choose one of {', '.join(names)}"
        )
    rows = np.flatnonzero(dataset.labels == names.index(species))
    truth = dict(dataset.meta.ground_truth)
    if "proteins" in truth:  # row-aligned, so it is cut like the sequences
        truth["proteins"] = [truth["proteins"][i] for i in rows]
    part = dataset.subset(rows)
    part.meta = dataclasses.replace(part.meta, ground_truth=truth)
    return part


def chunk_starts(length: int, step: int) -> list[int]:
    """Starts of the ``step``-base chunks that cover ``length`` bases: every ``step``, then
    one flush with the end, overlapping the one before, so no base is left out (the end of
    a coding sequence holds its stop codon); one chunk when the sequence is shorter."""
    starts = list(range(0, max(length - step, 0) + 1, step))
    if starts[-1] + step < length:
        starts.append(length - step)
    return starts


def chunk_texts(
    dataset: Dataset, model: nn.Module, opts: MaskConfig
) -> tuple[list[str], np.ndarray]:
    """Cut the corpus into training texts that fit ``opts.max_tokens`` tokens.

    Returns:
        the texts and, for each, the index of the sequence it came from.
    """
    n_body = opts.max_tokens - 2
    base, _, shift = opts.view.partition("-frame")
    frame = int(shift or 0)
    if base not in ("codon", "parallel") or frame not in (0, 1, 2):
        raise SequenceError(
            f"unknown view {opts.view!r}; choose codon or parallel, optionally with -frame1 "
            "or -frame2"
        )
    codons = isinstance(model, models.bert.CodonBert)
    step = 3 * (n_body if base == "codon" else n_body // 2) if codons else n_body + model.k - 1
    proteins = dataset.meta.ground_truth.get("proteins") if base == "parallel" else None
    if base == "parallel" and proteins is None:
        raise SequenceError(f"the parallel view needs proteins; {dataset.name} has none")
    texts, source = [], []
    for i, s in enumerate(dataset.sequences):
        s = s[frame:]  # frame 1 or 2: every codon straddles two real ones
        # a codon text ends at the last whole codon, so every chunk keeps the frame
        for a in chunk_starts(len(s) - len(s) % 3 if codons else len(s), step):
            piece = s[a : a + step]
            if proteins is not None:  # the aligned residues follow as one-letter tokens
                piece = (piece, proteins[i][a // 3 : a // 3 + len(piece) // 3])
            texts.append(piece)
            source.append(i)
    return texts, np.array(source, dtype=np.int64)


def encode_texts(model: nn.Module, texts: list, width: int) -> torch.Tensor:
    """Token ids ``(n, width)`` for chunk texts (``(cds, protein)`` pairs: parallel view)."""
    if texts and isinstance(texts[0], tuple):
        from genoviz.tokens import codon_tokens
        from models.bert import encode_token_lists

        rows = [[*codon_tokens(c), "[SEP]", *p] for c, p in texts]
        ids = encode_token_lists(rows, model.vocab)
    else:
        ids = model.encode(texts)
    ids = ids[:, :width]
    if ids.shape[1] < width:
        ids = np.pad(ids, ((0, 0), (0, width - ids.shape[1])))
    return torch.from_numpy(ids)
