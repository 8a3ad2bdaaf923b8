"""Effects of named single-base variants on one sequence: Δlogit and Δprobability."""

from __future__ import annotations

import io
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd
import torch
from torch import nn

from genoviz.interpret.adapters import as_onehot_model, class_score
from genoviz.sequences import ALPHABET, one_hot

COLUMNS = ("id", "pos", "ref", "alt")


class VariantError(ValueError):
    """A variant that does not fit the sequence (bad position, base, or reference)."""


@dataclass(frozen=True)
class Variant:
    """One substitution. ``pos`` is 1-based (as in VCF); ``ref`` and ``alt`` are bases."""

    id: str
    pos: int
    ref: str
    alt: str


def read_variants(text: str) -> list[Variant]:
    """Parse a pasted ``id,pos,ref,alt`` table (CSV or TSV, header optional)."""
    text = text.strip()
    if not text:
        raise VariantError("no variants given; paste lines like: rs1,12,A,G")
    first = text.split("\n", 1)[0]
    sep = "\t" if "\t" in first else ","
    header = first.lower().replace(" ", "").split(sep)[:4] == list(COLUMNS)
    df = pd.read_csv(
        io.StringIO(text),
        sep=sep,
        header=0 if header else None,
        dtype=str,
        keep_default_na=False,
    )
    if df.shape[1] < 4:
        raise VariantError(
            f"each variant needs 4 columns id,pos,ref,alt; got {df.shape[1]} in {first!r}"
        )
    out = []
    for i, row in enumerate(df.iloc[:, :4].itertuples(index=False)):
        vid, pos, ref, alt = (str(v).strip() for v in row)
        try:
            p = int(pos)
        except ValueError:
            raise VariantError(
                f"variant {vid or i + 1}: position {pos!r} is not a whole number"
            ) from None
        out.append(Variant(vid or f"variant{i + 1}", p, ref.upper(), alt.upper()))
    return out


def check_variant(sequence: str, v: Variant) -> None:
    """Raise :class:`VariantError` naming the variant when it does not fit ``sequence``."""
    if not 1 <= v.pos <= len(sequence):
        raise VariantError(
            f"variant {v.id}: position {v.pos} is outside the sequence (1 to {len(sequence)})"
        )
    for what, b in (("reference", v.ref), ("alternative", v.alt)):
        if b not in ALPHABET:
            raise VariantError(f"variant {v.id}: {what} base {b!r} is not one of A, C, G, T")
    found = sequence[v.pos - 1]
    if found != v.ref:
        raise VariantError(
            f"variant {v.id}: the reference base at position {v.pos} is {found}, "
            f"not {v.ref} as the variant says; check the position (1-based) and strand"
        )
    if v.alt == v.ref:
        raise VariantError(f"variant {v.id}: alternative base equals the reference ({v.ref})")


def _squash(logits: np.ndarray, kind: str, target: int) -> np.ndarray:
    if kind == "sigmoid":
        return 1.0 / (1.0 + np.exp(-logits[:, target]))
    if kind == "softmax":
        z = logits - logits.max(axis=1, keepdims=True)
        p = np.exp(z) / np.exp(z).sum(axis=1, keepdims=True)
        return p[:, target]
    raise ValueError(f"unknown probability kind {kind!r}")


@torch.no_grad()
def variant_effects(
    model: nn.Module,
    sequence: str,
    variants: Sequence[Variant] | Variant,
    target: int = 0,
    probability: str = "sigmoid",
    extras: np.ndarray | None = None,
) -> pd.DataFrame:
    """Score each variant against the reference sequence.

    Args:
        sequence: a cleaned DNA string.
        probability: how outputs become probabilities: ``sigmoid`` (binary and
            multi-task), ``softmax`` (multiclass) or ``none`` (regression: the outputs
            are the predicted values).

    Returns:
        one row per variant: ``id, pos, ref, alt, ref_logit, alt_logit, delta_logit,
        ref_prob, alt_prob, delta_prob``; for ``softmax``, ``ref_log_prob, alt_log_prob,
        delta_log_prob`` (the class's log-probability) in place of the logits, whose
        change can point against the probability's; for ``none``, ``id, pos, ref, alt,
        ref_value, alt_value, delta_value``.

    Raises:
        VariantError: a position outside the sequence, or a reference base that differs
            from the sequence (the message names the variant).
    """
    vs = [variants] if isinstance(variants, Variant) else list(variants)
    if not vs:
        raise VariantError("no variants given")
    for v in vs:
        check_variant(sequence, v)
    seqs = [sequence] + [sequence[: v.pos - 1] + v.alt + sequence[v.pos :] for v in vs]
    x = torch.as_tensor(one_hot(seqs))
    e = None
    if extras is not None:
        e = torch.as_tensor(np.asarray(extras, dtype=np.float32)).reshape(1, -1)
        e = e.expand(len(seqs), -1)
    model = as_onehot_model(model)
    was_training = model.training
    model.eval()
    try:
        with torch.no_grad():
            logits = model(x, e).float().cpu().numpy()
    finally:
        model.train(was_training)
    if not 0 <= target < logits.shape[1]:
        raise VariantError(f"target {target} does not exist: the model has {logits.shape[1]}")
    ref_l, alt_l = logits[0, target], logits[1:, target]
    named = {
        "id": [v.id for v in vs],
        "pos": [v.pos for v in vs],
        "ref": [v.ref for v in vs],
        "alt": [v.alt for v in vs],
    }
    if probability == "none":  # regression: the outputs are the values themselves
        return pd.DataFrame(
            named | {"ref_value": ref_l, "alt_value": alt_l, "delta_value": alt_l - ref_l}
        )
    probs = _squash(logits, probability, target)
    ref_p, alt_p = probs[0], probs[1:]
    score = "logit"
    if probability == "softmax":
        score = "log_prob"
        log_p = class_score(torch.as_tensor(logits), target, softmax=True).numpy()
        ref_l, alt_l = log_p[0], log_p[1:]
    return pd.DataFrame(
        named
        | {
            f"ref_{score}": ref_l,
            f"alt_{score}": alt_l,
            f"delta_{score}": alt_l - ref_l,
            "ref_prob": ref_p,
            "alt_prob": alt_p,
            "delta_prob": alt_p - ref_p,
        }
    )


def probability_kind(task: str) -> str:
    """How a task's outputs become probabilities (see :func:`variant_effects`)."""
    return {"binary": "sigmoid", "multitask-binary": "sigmoid", "multiclass": "softmax"}.get(
        task, "none"
    )
