"""Integrated gradients for the token BERTs (``kmer-bert``, ``codon-bert``): on the token
embeddings, spread back to bases.

Token ids are not differentiable, so the path runs through the word-embedding layer
(captum's ``LayerIntegratedGradients``), from the reference ``[CLS] [PAD]... [SEP]`` to the
sequence. The attention mask stays the sequence's own along the path, so the
attributions add up to ``f(x) - f(reference)`` with that mask. Each k-mer's attribution
(summed over the embedding dimensions) is split evenly over the k bases it covers, and
each codon's over its three bases (bases past the last whole codon get 0), which keeps the
total.
"""

from __future__ import annotations

import warnings
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import torch
from torch import nn

from genoviz.interpret.adapters import centred, reads_tokens
from genoviz.interpret.attention import tokens_to_bases
from genoviz.interpret.attribution import AttributionError
from genoviz.tokens import CLS_ID, PAD_ID, SEP_ID


@dataclass
class KmerAttribution:
    """Layer IG of ``n`` sequences.

    Attributes:
        per_token: ``(n, T)`` attribution of each token, ``[CLS]`` and ``[SEP]`` included
            (they equal the reference, so theirs is 0); padded positions are 0.
        per_base: list of ``n`` arrays, one value per base (k-mer shares spread evenly).
        delta: ``(n,)`` sum of attributions minus ``f(x) - f(reference)``.
        outputs: ``(n,)`` the explained output; ``reference_outputs``: ``f(reference)``.
        n_steps: ``(n,)`` integration steps each sequence needed.
    """

    per_token: np.ndarray
    per_base: list[np.ndarray]
    delta: np.ndarray
    outputs: np.ndarray
    reference_outputs: np.ndarray
    target: int
    n_steps: np.ndarray


def is_token_bert(model: nn.Module) -> bool:
    """True for a BERT that reads token ids (``kmer-bert`` or ``codon-bert``)."""
    return reads_tokens(model)


def is_kmer_bert(model: nn.Module) -> bool:
    """True for a ``kmer-bert`` (a token model with a k)."""
    return is_token_bert(model) and hasattr(model, "k")


def token_shares_to_bases(model: nn.Module, per_token: np.ndarray, length: int) -> np.ndarray:
    """One sequence's per-token scores ``(T,)`` (``[CLS]`` first) -> per base ``(length,)``,
    each token's score split evenly over the bases it reads."""
    if is_kmer_bert(model):
        k = int(model.k)
        return tokens_to_bases(per_token[1 : 1 + length - k + 1], k, length, mode="spread")
    n_codons = length // 3
    out = np.zeros(length)
    out[: 3 * n_codons] = np.repeat(np.asarray(per_token[1 : 1 + n_codons], float) / 3, 3)
    return out


def kmer_integrated_gradients(
    model: nn.Module,
    sequences: Sequence[str],
    target: int = 0,
    n_steps: int = 50,
    extras: np.ndarray | torch.Tensor | None = None,
    internal_batch_size: int | None = None,
    tolerance: float = 0.01,
    max_steps: int = 800,
    softmax: bool = False,
) -> KmerAttribution:
    """Layer integrated gradients on ``model``'s word embeddings for each sequence.

    Sequences whose attributions miss ``f(x) - f(reference)`` by more than ``tolerance``
    (relative) are recomputed with twice the steps, up to ``max_steps``; ``delta`` says
    how close each got.

    Args:
        extras: ``(n, e)`` for models trained with extras (not attributed).
        softmax: explain a multi-class model's class logit minus the mean logit, as
            :func:`~genoviz.interpret.attribution.attribute` does.
    """
    from captum.attr import LayerIntegratedGradients

    if not is_token_bert(model):
        raise AttributionError("token attributions need a kmer-bert or codon-bert model")
    if getattr(model, "head", "classify") != "classify":
        raise AttributionError(
            "this BERT is a pretrained language model with no prediction to explain; "
            "fine-tune it on a labelled dataset first"
        )
    ids = torch.as_tensor(model.encode(list(sequences)))
    if ids.shape[1] > model.max_positions:
        raise AttributionError(
            f"sequences of {ids.shape[1]} tokens are over BERT's {model.max_positions}; "
            "integrated gradients reads one window, so shorten them"
        )
    mask = (ids != PAD_ID).long()
    ref = torch.where((ids == CLS_ID) | (ids == SEP_ID), ids, torch.full_like(ids, PAD_ID))
    e = None if extras is None else torch.as_tensor(np.asarray(extras, dtype=np.float32))

    def forward(tokens: torch.Tensor, attention_mask: torch.Tensor, ex=None) -> torch.Tensor:
        out = model.hf(input_ids=tokens, attention_mask=attention_mask).logits
        if model.extras_head is not None:
            out = out + model.extras_head(model.extras_scale(ex))
        return centred(out) if softmax else out

    with torch.no_grad():
        n_out = forward(ids[:1], mask[:1], None if e is None else e[:1]).shape[1]
    if not 0 <= target < n_out:
        raise AttributionError(f"target {target} does not exist: the model has {n_out}")
    was_training = model.training
    model.eval()
    try:
        lig = LayerIntegratedGradients(forward, model.hf.bert.embeddings.word_embeddings)
        extra_args = (mask,) if e is None else (mask, e)
        with torch.no_grad():
            outs = forward(ids, *extra_args)[:, target].float()
            ref_outs = forward(ref, *extra_args)[:, target].float()
        gap = (outs - ref_outs).abs()
        attr = torch.zeros(*ids.shape, model.hf.config.hidden_size)
        delta = torch.zeros(len(ids))
        steps = torch.zeros(len(ids), dtype=torch.long)
        todo = torch.arange(len(ids))
        n = n_steps
        # A trained BERT's path from [PAD] to the sequence can be steep (LayerNorm, softmax):
        # sequences that miss completeness are redone with twice the steps, up to max_steps.
        while len(todo):
            args = tuple(a[todo] for a in extra_args)
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", UserWarning)
                a, d = lig.attribute(
                    ids[todo],
                    baselines=ref[todo],
                    target=target,
                    additional_forward_args=args,
                    n_steps=n,
                    internal_batch_size=internal_batch_size,
                    return_convergence_delta=True,
                )
            attr[todo], delta[todo], steps[todo] = a.detach().float(), d.detach().float(), n
            bad = d.detach().abs() > tolerance * gap[todo] + 1e-4
            n *= 2
            todo = todo[bad] if n <= max_steps else todo[:0]
    finally:
        model.train(was_training)
    per_token = (attr.sum(-1) * mask).detach().float().numpy()
    per_base = [token_shares_to_bases(model, per_token[i], len(s)) for i, s in enumerate(sequences)]
    return KmerAttribution(
        per_token=per_token,
        per_base=per_base,
        delta=delta.detach().float().numpy(),
        outputs=outs.numpy(),
        reference_outputs=ref_outs.numpy(),
        target=target,
        n_steps=steps.numpy(),
    )


def one_hot_to_sequences(x: np.ndarray) -> list[str]:
    """One-hot ``(n, 4, L)`` back to text; all-zero columns are ``N``."""
    x = np.asarray(x)
    letters = np.array(list("ACGTN"))
    idx = np.where(x.sum(axis=1) > 0, x.argmax(axis=1), 4)
    return ["".join(row) for row in letters[idx]]


def token_attribute(
    model: nn.Module, x: torch.Tensor | Sequence[str], method: str, target: int, **kw
):
    """:func:`genoviz.interpret.attribution.attribute` for a token BERT: layer IG on the
    embeddings, returned as an ``Attribution`` whose maps are the per-base shares placed
    on the observed bases.

    Args:
        x: one-hot ``(n, 4, L)`` (all-zero columns read as N), or cleaned sequences of
            any lengths: each is read as it is, its tokens followed by [PAD] tokens the
            model does not attend to, as in training, so no N padding is attributed.
            The maps are then ``(n, 4, L_max)`` and ``(n, L_max)``, NaN past each
            sequence's last base.
    """
    from genoviz.interpret.attribution import Attribution
    from genoviz.onehot import one_hot

    if method != "integrated_gradients":
        name = "kmer-bert" if is_kmer_bert(model) else "codon-bert"
        unit = "k-mer" if is_kmer_bert(model) else "codon"
        raise AttributionError(
            f"{name} reads tokens, not one-hot bases: only integrated gradients (on its "
            f"{unit} embeddings) works, not {method!r}"
        )
    if isinstance(x, torch.Tensor | np.ndarray):
        sequences = one_hot_to_sequences(torch.as_tensor(x).detach().cpu().numpy())
    else:
        sequences = list(x)
    r = kmer_integrated_gradients(model, sequences, target=target, **kw)
    width = max(len(s) for s in sequences)
    per_base = np.full((len(sequences), width), np.nan, dtype=np.float32)
    maps = np.full((len(sequences), 4, width), np.nan, dtype=np.float32)
    for i, s in enumerate(sequences):
        per_base[i, : len(s)] = r.per_base[i]
        # an N's share is spread evenly over the four rows, so each column of the logo
        # and its CSV sums to the base's share, N included
        rows = one_hot([s])[0]
        rows[:, rows.sum(0) == 0] = 0.25
        maps[i, :, : len(s)] = rows * r.per_base[i][None, :]
    return Attribution(
        attributions=maps,
        contributions=maps,
        per_base=per_base,
        delta=r.delta,
        outputs=r.outputs,
        method=method,
        baseline="[PAD] tokens",
        target=target,
    )
