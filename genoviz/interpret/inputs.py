"""The sequences a saved run is interpreted on: its dataset's split, encoded as it trained."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import torch

from genoviz.data import Dataset
from genoviz.runs import Run
from genoviz.sequences import pad_or_trim


@dataclass
class RunInputs:
    """Encoded sequences for a run.

    Attributes:
        x: one-hot ``(n, 4, L)`` at the run's training length.
        extras: ``(n, e)`` when the model takes extras, else None.
        indices: rows of the dataset, ``(n,)``.
        ids, sequences, labels: per row (labels ``(n,)`` or ``(n, tasks)``). Sequences
            are as the model trained on them: padded or trimmed to the run's length, except
            for token models (BERTs) trained without a set length, which read them as they
            are (N padding would add [UNK] tokens and shift a codon model's frame).
        notes: what was done to the data to fit the run (padding, average extras).
    """

    x: torch.Tensor
    extras: np.ndarray | None
    indices: np.ndarray
    ids: list[str]
    sequences: list[str]
    labels: np.ndarray
    notes: list[str] = field(default_factory=list)


def run_inputs(
    run: Run,
    dataset: Dataset,
    split: str = "test",
    max_sequences: int | None = 2000,
    positives_first: bool = False,
    sample: bool = False,
) -> RunInputs:
    """The rows of ``split`` (``all`` for every row), at most ``max_sequences`` of them.

    With ``positives_first`` (binary tasks) rows labelled 1 come first, so a small sample
    still holds the sequences the model calls bound. With ``sample`` a larger split gives
    a random draw (seeded by the run's seed, kept in dataset order) instead of its first
    rows, which in datasets stored class by class would all share one label. Extra inputs
    are matched to the run's by name, the run's training average standing in for missing
    ones (:func:`genoviz.predict_inputs.dataset_extras`).
    """
    from genoviz.onehot import one_hot

    notes = []
    if split == "all":
        idx = np.arange(len(dataset))
    else:
        from genoviz.run_data import data_seed
        from genoviz.run_record import content_digest, split_digest

        dataset.ensure_splits(data_seed(run))
        idx = np.asarray(dataset.splits[split])
        record = run.info.get("dataset", {})
        trained, rows = record.get("split_digest"), record.get("content_digest")
        extras = bool(run.info["model"]["build"].get("extras"))
        # the digest hashes the extra columns as the run read them: with other columns
        # (one added, left out or moved) it cannot tell the rows apart, so it is not asked
        same_columns = not extras or list(dataset.meta.extras_names) == list(
            record.get("extras_names") or []
        )
        if rows is not None and same_columns and rows != content_digest(dataset, extras):
            notes.append(
                f"This data is not, row by row, the data {run.name} trained on (a file "
                f"re-sorted or edited since, or another of the same size): its {split} "
                "rows are drawn by row number, so some may be sequences it trained on."
            )
        elif trained is not None and trained != split_digest(dataset.splits):
            notes.append(
                f"These {split} sequences come from other splits than the ones {run.name} "
                "trained on (its data changed since, or it trained before copies of one "
                "sequence were kept in one split, or before multi-class and multi-task "
                "splits kept each label in proportion): some may be sequences it trained on."
            )
    if positives_first and dataset.labels.ndim == 1:
        idx = idx[np.argsort(dataset.labels[idx] != 1, kind="stable")]
    if sample and max_sequences is not None and len(idx) > max_sequences:
        rng = np.random.default_rng(int(run.info.get("seed", 0)))
        idx = np.sort(rng.choice(idx, max_sequences, replace=False))
    if max_sequences is not None:
        idx = idx[:max_sequences]
    build = run.info["model"]["build"]
    raw = [dataset.sequences[i] for i in idx]
    padded = pad_or_trim(raw, int(build["seq_len"]))
    x = torch.as_tensor(one_hot(padded))
    seqs = raw if reads_unpadded(run) else padded
    if not reads_unpadded(run) and any(len(s) != int(build["seq_len"]) for s in raw):
        notes.append(
            f"Sequences were padded with N or trimmed (centred) to the run's "
            f"{build['seq_len']} bp; positions count along the padded sequence."
        )
    extras = None
    if int(build.get("extras", 0)):
        from genoviz.predict_inputs import dataset_extras

        got = dataset_extras(run, dataset)  # by name; the training average when absent
        extras = np.asarray(got.values[idx], dtype=np.float32)
        notes += [got.note] if got.note else []
    ids = [dataset.ids[i] for i in idx] if dataset.ids is not None else [f"seq{i}" for i in idx]
    return RunInputs(x, extras, idx, ids, seqs, np.asarray(dataset.labels)[idx], notes)


def is_token_run(run: Run) -> bool:
    """True for a run of a model that reads token ids (a BERT), not one-hot bases."""
    import models

    return models.spec(run.info["model"]["name"]).input_kind in models.TOKEN_KINDS


def is_multiclass(run: Run) -> bool:
    """True for a run whose outputs are softmax class logits: explanations then read the
    class's log-probability (ISM, variants) or its centred logit (attributions)."""
    return run.info.get("dataset", {}).get("task") == "multiclass"


def output_unit(task: str) -> str:
    """What ISM effects are measured on, for captions: ``value``, ``log-probability`` or
    ``logit``."""
    return {"regression": "value", "multiclass": "log-probability"}.get(task, "logit")


def reads_unpadded(run: Run) -> bool:
    """True for a token model (BERT) trained without a set length: it read each sequence
    as it is, padding with [PAD] tokens, not N bases."""
    return is_token_run(run) and not run.info.get("config", {}).get("seq_len")
