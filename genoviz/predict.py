"""Predictions from a trained model or a saved run."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
import torch
from torch import nn

from genoviz.data import Dataset
from genoviz.onehot import one_hot
from genoviz.runs import Run, RunError, check_usable, is_pretraining
from genoviz.sequences import SequenceError, pad_or_trim
from genoviz.tasks import to_predictions
from genoviz.train_setup import select_device


@torch.no_grad()
def predict_arrays(
    model: nn.Module,
    x: torch.Tensor | np.ndarray,
    extras: torch.Tensor | np.ndarray | None = None,
    device: str | torch.device | None = None,
    batch_size: int = 512,
    raw: bool = False,
) -> np.ndarray:
    """Batched forward pass in eval mode (restoring the previous mode afterwards).

    Args:
        x: one-hot, shape ``(n, 4, L)``, or token ids ``(n, T)`` for BERT models.
        device: where the batches go; by default the model's own device.
        raw: return the model outputs as they are (logits); otherwise squash ``(n, 1)``
            to ``(n,)``.

    Returns:
        float32 ``(n, outputs)`` when ``raw`` else ``(n,)`` for single-output models.
    """
    if device is None:
        device = model_device(model)
    was_training = model.training
    model.eval()
    try:
        x = torch.as_tensor(x)
        e = torch.as_tensor(extras) if extras is not None else None
        outs = []
        for s in range(0, len(x), batch_size):
            xb = x[s : s + batch_size].to(device)
            eb = e[s : s + batch_size].to(device) if e is not None else None
            outs.append(model(xb, eb).float().cpu())
        out = torch.cat(outs) if outs else torch.zeros((0, 1))
    finally:
        model.train(was_training)
    arr = out.numpy()
    return arr if raw or arr.shape[1] != 1 else arr[:, 0]


#: A sequence with more than this share of N (unknown bases) is named in a note.
MOSTLY_UNKNOWN = 0.5


def unknown_note(sequences: Sequence[str], ids: Sequence[str] | None = None) -> str | None:
    """A note naming the sequences that are all or mostly N: the model scores them, but
    what it says is about the few known bases (or, with none, about no sequence at all)."""
    share = np.array([s.upper().count("N") / max(len(s), 1) for s in sequences])
    mostly = np.flatnonzero(share > MOSTLY_UNKNOWN)
    if not len(mostly):
        return None

    def names(rows: np.ndarray) -> str:
        shown = [repr(ids[i]) if ids is not None else f"sequence {i + 1}" for i in rows[:3]]
        return ", ".join(shown) + (f" and {len(rows) - 3:,} more" if len(rows) > 3 else "")

    empty = mostly[share[mostly] == 1.0]
    parts = []
    if len(empty):
        parts.append(
            f"{names(empty)} {'has' if len(empty) == 1 else 'have'} no known base (all N): "
            "its prediction is what the model says of no sequence at all, not a property of "
            "it"
        )
    some = np.setdiff1d(mostly, empty)
    if len(some):
        parts.append(
            f"{names(some)} {'is' if len(some) == 1 else 'are'} mostly N (over "
            f"{MOSTLY_UNKNOWN:.0%} unknown bases): read {'its' if len(some) == 1 else 'their'} "
            "prediction with care"
        )
    return "; ".join(parts) + "."


def model_device(model: nn.Module) -> torch.device:
    """The device of the model's first parameter (cpu for a model without any)."""
    first = next(model.parameters(), None)
    return first.device if first is not None else torch.device("cpu")


@dataclass
class Prediction:
    """Predictions with what was done to make them fit.

    ``values``: shape ``(n,)`` (binary: probability; regression: value), or ``(n, c)``
    with one column per name in ``columns``: class probabilities (multi-class, rows sum
    to 1) or per-task probabilities (multi-task).
    """

    values: np.ndarray
    kind: str  # "probability" or "value"
    notes: list[str]
    columns: list[str] = field(default_factory=list)

    @classmethod
    def from_outputs(
        cls, out: np.ndarray, task: str, notes: list[str], names: Sequence[str]
    ) -> Prediction:
        """From raw model outputs ``(n, outputs)``: probabilities or values
        (:func:`genoviz.tasks.to_predictions`), with ``names`` for 2-D ones."""
        values = to_predictions(task, torch.from_numpy(out))
        kind = "value" if task == "regression" else "probability"
        return cls(values, kind, notes, list(names) if values.ndim == 2 else [])


def check_predictor(run: Run) -> None:
    """Refuse a pretraining run: its output layer never learned labels.

    Raises:
        RunError: naming the option that fine-tunes a model from it, or for a run.json
            without its model or dataset record.
    """
    check_usable(run)
    if is_pretraining(run):
        from models import TOKEN_KINDS, spec

        tokens = spec(run.info["model"]["name"]).input_kind in TOKEN_KINDS
        option = "--init-bert" if tokens else "--init"
        raise RunError(
            f"{run.path} is a pretraining run: its output layer never learned labels. "
            f"Fine-tune a model from it (train {option} {run.path}) and predict with that run"
        )


def predict_sequences(
    run: Run,
    sequences: Sequence[str],
    extras: np.ndarray | None = None,
    model: nn.Module | None = None,
    device: str = "auto",
    ids: Sequence[str] | None = None,
) -> Prediction:
    """Predict cleaned sequences with a saved run (``ids`` name them in errors).

    ``model`` is the run's model already loaded, and is run where it is; otherwise the
    run's model is loaded on ``device`` (``auto``: a GPU when there is one).

    Sequences of another length than the run was trained on are padded with N or trimmed
    (centred) for fixed-length models, and the returned notes say so; a model that takes
    any length scores them as they are, with a note that they differ from the trained
    length. A model trained with
    extras needs them: ``extras`` shape ``(n, e)``.
    """
    check_predictor(run)
    if len(sequences) == 0:
        raise SequenceError("no sequences to predict")
    build = run.info["model"]["build"]
    seq_len, n_extras = int(build["seq_len"]), int(build.get("extras", 0))
    notes = []
    lengths = [len(s) for s in sequences]
    from models import TOKEN_KINDS, spec

    name = run.info["model"]["name"]
    tokens = spec(name).input_kind in TOKEN_KINDS
    codons = spec(name).input_kind == "codon"
    k = int(build.get("k", 0)) if name == "kmer-bert" else 3 if codons else 0
    short = next((i for i, n in enumerate(lengths) if n < k), None)
    if short is not None:
        who = repr(ids[short]) if ids is not None else f"sequence {short + 1}"
        unit = "codons (3 bases)" if codons else f"{k}-mers"
        raise SequenceError(
            f"{who} has {lengths[short]} base(s); this model reads {unit}, so it needs at "
            f"least {k}",
            record=str(ids[short]) if ids is not None else who,
        )
    partial = sum(n % 3 != 0 for n in lengths) if codons else 0
    if partial:
        notes.append(
            f"{partial:,} sequence(s) end in a partial codon (1 or 2 bases after the last "
            "whole one), which this model does not read: it reads codons in frame from the "
            "first base."
        )
    if note := unknown_note(sequences, ids):
        notes.append(note)
    if set(lengths) != {seq_len} and fitted_length(run):
        n_changed = sum(n != seq_len for n in lengths)
        notes.append(
            f"{n_changed:,} sequence(s) were padded with N or trimmed (centred) to "
            f"{seq_len} bp, the length this model was trained on."
        )
        sequences = pad_or_trim(sequences, seq_len)
    elif note := length_note(lengths, *trained_lengths(run)):
        notes.append(note)
    if n_extras:
        names = extras_names(run)
        if extras is None:
            raise SequenceError(
                f"this model also needs {', '.join(names)} for each sequence; upload a CSV "
                f"with {'those columns' if n_extras > 1 else 'that column'}"
            )
        extras = np.asarray(extras, dtype=np.float32).reshape(len(sequences), n_extras)
    if model is None:
        model = run.load_model(select_device(device))
    if tokens:
        from models.bert_lengths import window_note

        x = model.encode(list(sequences))
        n_long = sum(model.n_tokens(len(s)) > model.max_positions for s in sequences)
        notes += [n for n in [window_note(n_long, model.max_positions)] if n]
        out = predict_arrays(model, x, extras, raw=True)
    else:
        out = _by_length(model, list(sequences), extras)
    task = run.info["dataset"]["task"]
    if task != "regression" and run.info["dataset"].get("weighted"):
        chance = "of each class" if task == "multiclass" else "of being positive"
        notes.append(
            f"{run.name} was trained with unequal weights (its data's weight column, or "
            "per-task weights for rare positives), which shifts every probability: rank "
            f"sequences by them, but do not read them as the chance {chance}."
        )
    return Prediction.from_outputs(out, task, notes, output_names(run))


def fitted_length(run: Run) -> int | None:
    """The length a run's model reads new sequences at, padded with N or trimmed (centred)
    as in training, or None when it reads each as it is. A model that reads only its
    training length (:func:`models.needs_training_length`) needs it; so does any run
    trained with a chosen length (``--seq-len``, the Train page's sequence length), BERTs
    included: training fitted every sequence to it, and a score at another length is not
    the one its test predictions kept."""
    from models import needs_training_length

    build = run.info["model"]["build"]
    chosen = run.info.get("config", {}).get("seq_len")
    if chosen or needs_training_length(run.info["model"]["name"], build):
        return int(build["seq_len"])
    return None


def _by_length(model: nn.Module, sequences: list[str], extras: np.ndarray | None) -> np.ndarray:
    """Raw outputs ``(n, outputs)`` of a one-hot model, each length scored in its own
    batches, so a sequence gets the same score whatever it is pasted with."""
    lengths = np.array([len(s) for s in sequences])
    out: np.ndarray | None = None
    for n in np.unique(lengths):
        idx = np.flatnonzero(lengths == n)
        x = one_hot([sequences[i] for i in idx])
        part = predict_arrays(model, x, extras[idx] if extras is not None else None, raw=True)
        if out is None:
            out = np.empty((len(sequences), part.shape[1]), dtype=part.dtype)
        out[idx] = part
    assert out is not None
    return out


def trained_lengths(run: Run) -> tuple[int, int]:
    """The shortest and longest sequence ``run`` was trained on (both its ``seq_len`` for a
    run saved before ``run.json`` recorded them)."""
    seq_len = int(run.info["model"]["build"]["seq_len"])
    lo, hi = run.info.get("dataset", {}).get("lengths") or (seq_len, seq_len)
    return int(lo), int(hi)


def length_note(lengths: Sequence[int], shortest: int, longest: int | None = None) -> str | None:
    """What to tell the user about sequences scored at a length the model was not trained
    on (by a model that takes any length): trained on ``shortest``..``longest`` bp (one
    length when ``longest`` is None). None when every length is in that range."""
    longest = shortest if longest is None else longest
    shorter = [n for n in lengths if n < shortest]
    longer = [n for n in lengths if n > longest]
    if not shorter and not longer:
        return None
    parts = [f"{len(shorter):,} shorter (down to {min(shorter):,} bp)"] if shorter else []
    parts += [f"{len(longer):,} longer (up to {max(longer):,} bp)"] if longer else []
    trained = (
        f"{shortest} bp long, the length this model was trained on"
        if shortest == longest
        else f"{shortest}-{longest} bp long, the lengths this model was trained on"
    )
    return (
        f"{len(shorter) + len(longer):,} of {len(lengths):,} sequence(s) are not {trained}: "
        f"{' and '.join(parts)}. The model scores them at their own length, but its "
        "predictions are less reliable the further a sequence is from the lengths it was "
        "trained on."
    )


def extras_names(run: Run) -> list[str]:
    """The extra per-sequence inputs ``run`` was trained with (empty for none)."""
    n = int(run.info["model"]["build"].get("extras", 0))
    if not n:
        return []
    return run.info["dataset"].get("extras_names") or [f"extra{i + 1}" for i in range(n)]


def average_extras(run: Run, n: int) -> np.ndarray | None:
    """``(n, e)`` rows of the run's training-split average extra inputs, for sequences
    that come without their own; None when the run takes none or did not record them
    (runs saved before ``run.json`` had ``extras_means``)."""
    means = run.info["dataset"].get("extras_means") or []
    if not extras_names(run) or len(means) != len(extras_names(run)):
        return None
    return np.tile(np.asarray(means, np.float32), (n, 1))


def output_names(run: Run, dataset: Dataset | None = None) -> list[str]:
    """The run's class names (multi-class) or task names (multi-task), in output order;
    for a run saved without them, ``dataset``'s when it has as many, else ``class1``…"""
    info = run.info
    names = info["dataset"].get("class_names") or []
    n = int(info["model"]["build"].get("outputs", len(names) or 1))
    if len(names) != n and dataset is not None:
        names = dataset.class_names
    prefix = "task" if info["dataset"].get("task") == "multitask-binary" else "class"
    return [str(c) for c in names] if len(names) == n else [f"{prefix}{j + 1}" for j in range(n)]


def prediction_table(
    run: Run,
    pred: Prediction,
    ids: Sequence[str],
    labels: np.ndarray | None = None,
    extras: np.ndarray | None = None,
) -> pd.DataFrame:
    """The predictions as ``predict`` writes them and the Predict page shows them.

    Columns: ``id``; ``prediction`` for one output, else ``p_<class>`` per class or task
    (and ``predicted_class`` for a multi-class run); the known ``labels`` (``(n, t)``,
    matched to the run's outputs: ``label``, a class name for a multi-class run, or
    ``label_<task>`` per task); the extra inputs each sequence was scored with, named as
    the run names them (its training average where the input had none).
    """
    values = np.asarray(pred.values).reshape(len(ids), -1)
    df = pd.DataFrame({"id": list(ids)})
    names = [f"p_{c}" for c in pred.columns] or ["prediction"]
    for name, column in zip(names, values.T, strict=True):
        df[name] = column
    multiclass = run.info["dataset"].get("task") == "multiclass" and bool(pred.columns)
    if multiclass:
        df["predicted_class"] = [pred.columns[j] for j in values.argmax(axis=1)]
    if labels is not None:
        labels = np.asarray(labels).reshape(len(ids), -1)
        if multiclass:  # the class's name, not its index (checked: 0 <= label < classes)
            df["label"] = [pred.columns[int(v)] for v in labels[:, 0]]
        elif labels.shape[1] == 1:
            df["label"] = labels[:, 0]
        else:
            for task, column in zip(pred.columns, labels.T, strict=True):
                df[f"label_{task}"] = column
    if extras is not None:
        for name, column in zip(extras_names(run), np.asarray(extras).T, strict=True):
            if name not in df:
                df[name] = column
    return df
