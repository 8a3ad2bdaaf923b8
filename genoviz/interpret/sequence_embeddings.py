"""Sequence embeddings: one vector per sequence from a trained model, mapped to two
dimensions by PCA and coloured by label. Do the model's sequences group by their label?

BERT models (``kmer-bert``, ``codon-bert``) give the last layer's ``[CLS]`` vector or the
mean over the sequence's own tokens. One-hot models give what their final linear layer
reads: the logits are a linear function of this vector, so it is the last representation
the model builds (see :func:`sequence_embeddings`).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import NamedTuple

import numpy as np
import pandas as pd
import torch
from torch import nn

from genoviz.data import Dataset
from genoviz.interpret.embeddings import EmbeddingError
from genoviz.interpret.inputs import RunInputs, run_inputs
from genoviz.onehot import one_hot
from genoviz.runs import Run
from genoviz.tokens import SPECIAL_TOKENS

#: Pooling of a BERT's last-layer token vectors into one vector per sequence.
POOLINGS = {"cls": "the [CLS] token", "mean": "the mean over the sequence's tokens"}
#: Names of binary labels 0 and 1 in the map's legend.
BINARY_NAMES = ("0 (negative)", "1 (positive)")


def is_token_model(model: nn.Module) -> bool:
    """True for models that read token ids and expose last-layer states (the BERTs)."""
    return hasattr(model, "hidden_states") and hasattr(model, "encode")


def sequence_embeddings(
    model: nn.Module,
    sequences: Sequence[str],
    pooling: str = "cls",
    batch_size: int = 32,
    on_progress: Callable[[float], None] | None = None,
    extras: np.ndarray | None = None,
) -> np.ndarray:
    """One vector per sequence, in eval mode without gradients (the mode is restored).

    Args:
        model: a BERT (``kmer-bert``, ``codon-bert``) or a one-hot model whose head is a
            ``DenseHead`` (every one-hot model in ``models``).
        sequences: DNA strings; for one-hot models all of the run's training length.
        pooling: BERTs only: ``cls`` (the last layer's [CLS] vector) or ``mean`` (the mean
            of the last layer over the sequence's tokens; [PAD], [CLS], [SEP] and [UNK]
            are left out). A sequence longer than BERT's window is cut into the overlapping
            windows its predictions use, and its vector is the mean of its windows'
            vectors. One-hot models ignore it: their head already reads one vector.
        on_progress: called with the share of sequences done.
        extras: ``(n, e)`` for one-hot models trained with extras.

    Returns:
        ``(n, d)`` float32: BERT's hidden size, or for one-hot models the input of the
        final linear layer (the members' vectors side by side for the ``cnn`` ensemble,
        averaged over both strands where the model averages them; for ``linear``, which
        has no hidden layer, the one-hot input itself).
    """
    if len(sequences) == 0:
        raise EmbeddingError("no sequences to embed")
    if not is_token_model(model):
        step = _head_batch(model, extras)
    elif pooling in POOLINGS:
        step = _bert_batch
    else:
        raise EmbeddingError(f"pooling must be one of {', '.join(POOLINGS)}, not {pooling!r}")
    was_training = model.training
    model.eval()
    out = []
    try:
        with torch.no_grad():
            for s in range(0, len(sequences), batch_size):
                rows = slice(s, s + batch_size)
                out.append(step(model, list(sequences[rows]), pooling, rows))
                if on_progress is not None:
                    on_progress(min(1.0, (s + batch_size) / len(sequences)))
    finally:
        model.train(was_training)
    return torch.cat(out).numpy()


def pool_hidden(hidden: torch.Tensor, ids: torch.Tensor, pooling: str) -> torch.Tensor:
    """``(n, T, d)`` last-layer states of ids ``(n, T)`` -> ``(n, d)``: the [CLS] row, or
    the mean over non-special tokens (zeros for a sequence without any)."""
    if pooling == "cls":
        return hidden[:, 0]
    keep = (ids >= len(SPECIAL_TOKENS)).to(hidden.dtype)[..., None]
    return (hidden * keep).sum(1) / keep.sum(1).clamp(min=1.0)


def _bert_batch(model: nn.Module, seqs: list[str], pooling: str, rows: slice) -> torch.Tensor:
    device = next(model.parameters()).device
    ids = torch.as_tensor(model.encode(seqs)).to(device)
    if ids.shape[1] <= model.max_positions:
        return pool_hidden(model.hidden_states(ids), ids, pooling).float().cpu()
    pooled = model.windowed_mean(  # a batch's worth of windows at a time
        ids, lambda w: pool_hidden(model.hidden_states(w), w, pooling), batch=len(ids)
    )
    return pooled.cpu()


def _head_batch(model: nn.Module, extras: np.ndarray | None) -> Callable:
    """The batch step for one-hot models: read the input of each ``DenseHead``'s final
    linear layer with a forward pre-hook (removed after each batch)."""
    from models.layers import DenseHead

    heads = [m for m in model.modules() if isinstance(m, DenseHead)]
    if not heads:
        raise EmbeddingError(
            "sequence embeddings need a BERT or a model with a dense head; "
            f"{type(model).__name__} has neither"
        )
    if any(h.n_extras for h in heads) and extras is None:
        raise EmbeddingError("this model also reads extra values per sequence; give them")

    def step(model: nn.Module, seqs: list[str], pooling: str, rows: slice) -> torch.Tensor:
        device = next(model.parameters()).device
        seen: list[list[torch.Tensor]] = [[] for _ in heads]
        hooks = [
            h.out.register_forward_pre_hook(lambda _m, args, i=i: seen[i].append(args[0]))
            for i, h in enumerate(heads)
        ]
        try:
            x = torch.as_tensor(one_hot(seqs)).to(device)
            e = None if extras is None else torch.as_tensor(extras[rows]).float().to(device)
            model(x, e)
        finally:
            for hook in hooks:
                hook.remove()
        # A strand-averaging model runs each head twice (sequence, reverse complement):
        # its logits are the final layer applied to the mean of the two inputs.
        return torch.cat([torch.stack(s).mean(0) for s in seen], dim=1).float().cpu()

    return step


def long_sequence_note(model: nn.Module, sequences: Sequence[str]) -> str | None:
    """What the UI says when some sequences needed BERT's windows (None when none did)."""
    if not is_token_model(model):
        return None
    n_long = sum(model.n_tokens(len(s)) > model.max_positions for s in sequences)
    if not n_long:
        return None
    return (
        f"{n_long} sequence(s) give more than {model.max_positions - 2} tokens, BERT's "
        "limit: each was read in overlapping windows and its vector is the mean of its "
        "windows' vectors."
    )


def embedding_inputs(run: Run, dataset: Dataset, split: str = "test", n: int = 500) -> RunInputs:
    """A seeded random draw of at most ``n`` rows of ``split`` (see :func:`run_inputs`,
    which gives token models their sequences unpadded, as they trained)."""
    return run_inputs(run, dataset, split, n, sample=True)


def label_names(dataset: Dataset) -> list[str] | None:
    """Names of the label values 0, 1, ... for the map's legend: the classes of a
    multiclass set, the species of a ``codon-corpus`` (task ``lm``); None otherwise."""
    if dataset.task == "multiclass":
        return dataset.class_names
    notes = dataset.meta.notes
    names = notes.get("classes") or notes.get("species")
    return list(names) if dataset.task == "lm" and names else None


class SequencePca(NamedTuple):
    """Results of :func:`sequence_pca`."""

    #: one row per sequence: ``id``, ``label`` (class name, categorical in class order;
    #: the value for regression), ``pc1``, ``pc2``.
    points: pd.DataFrame
    #: share of variance along PC1 and PC2.
    explained: np.ndarray


def sequence_pca(
    embeddings: np.ndarray,
    labels: np.ndarray,
    task: str,
    ids: Sequence[str] | None = None,
    class_names: Sequence[str] | None = None,
    target: int = 0,
) -> SequencePca:
    """2-D PCA (sklearn) of sequence embeddings, with each sequence's label.

    Args:
        embeddings: ``(n, d)``, n >= 2, e.g. from :func:`sequence_embeddings`.
        labels: ``(n,)``, or ``(n, tasks)`` of which column ``target`` is shown.
        task: the dataset's task; ``regression`` keeps values, the others name classes.
        class_names: names of label values 0, 1, ... (default: :data:`BINARY_NAMES` for
            binary tasks, the value itself otherwise).
    """
    from sklearn.decomposition import PCA

    emb = np.asarray(embeddings, dtype=np.float64)
    if emb.ndim != 2 or len(emb) < 2 or emb.shape[1] < 2:
        raise EmbeddingError(f"a PCA map needs at least 2 sequences of 2+ numbers, not {emb.shape}")
    y = np.asarray(labels, dtype=np.float64)
    y = y[:, target] if y.ndim == 2 else y.reshape(len(emb))
    pca = PCA(n_components=2, random_state=0).fit(emb)
    xy = pca.transform(emb)
    label: np.ndarray | pd.Categorical = y
    if task != "regression":
        binary = task in ("binary", "multitask-binary")
        names = list(class_names or (BINARY_NAMES if binary else []))
        label = _class_labels(y, names)
    points = pd.DataFrame(
        {
            "id": list(ids) if ids is not None else [f"seq{i}" for i in range(len(emb))],
            "label": label,
            "pc1": xy[:, 0],
            "pc2": xy[:, 1],
        }
    )
    return SequencePca(points, pca.explained_variance_ratio_)


def _class_labels(y: np.ndarray, names: list[str]) -> pd.Categorical:
    """Class values -> names, ordered by value (named classes first); NaN -> no label."""

    def name(v: float) -> str:
        if np.isnan(v):
            return "no label"
        if v.is_integer() and 0 <= v < len(names):
            return str(names[int(v)])
        return f"{v:g}"

    values = np.unique(y[~np.isnan(y)])
    order = [name(v) for v in values] + (["no label"] if np.isnan(y).any() else [])
    return pd.Categorical([name(v) for v in y], categories=list(dict.fromkeys(order)))
