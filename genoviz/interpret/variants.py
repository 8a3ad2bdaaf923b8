"""Effects of named single-base variants on one sequence: Δlogit and Δprobability."""

from __future__ import annotations

import csv
from collections.abc import Sequence
from dataclasses import dataclass, replace

import numpy as np
import pandas as pd
import torch
from torch import nn

from genoviz.interpret.adapters import as_onehot_model, class_score
from genoviz.onehot import one_hot
from genoviz.sequences import ALPHABET, clean_sequence, fitted_shift

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


def _base(allele: str) -> str:
    """An allele as the sequence alphabet reads it: upper case, RNA ``U`` as ``T`` (as
    :func:`~genoviz.sequences.clean_sequence` reads a sequence)."""
    return allele.upper().replace("U", "T")


def read_variants(text: str) -> list[Variant]:
    """Parse a pasted ``id,pos,ref,alt`` table (CSV or TSV, header optional; a byte-order
    mark and Windows line ends are fine). A row without exactly four fields, or with a
    position that is not a whole number, is an error naming its line. Bases may be lower
    case, and RNA ``U`` is read as ``T``."""
    text = text.lstrip("\ufeff").replace("\r\n", "\n").replace("\r", "\n")
    lines = [(n, line) for n, line in enumerate(text.split("\n"), start=1) if line.strip()]
    if not lines:
        raise VariantError("no variants given; paste lines like: rs1,12,A,G")
    sep = "\t" if "\t" in lines[0][1] else ","
    rows = []
    for n, line in lines:
        try:
            fields = next(csv.reader([line], delimiter=sep, strict=True))
        except csv.Error as e:
            raise VariantError(
                f"line {n}: cannot read it as {sep!r}-separated fields ({e})"
            ) from None
        while len(fields) > 4 and not fields[-1].strip():  # a trailing separator
            fields = fields[:-1]
        rows.append((n, fields))
    if [f.strip().lower() for f in rows[0][1]] == list(COLUMNS):
        rows = rows[1:]
    out = []
    for i, (n, fields) in enumerate(rows):
        if len(fields) != 4:
            raise VariantError(
                f"line {n}: a variant is 4 fields, id,pos,ref,alt; got {len(fields)} in "
                f"{sep.join(fields)!r}"
            )
        vid, pos, ref, alt = (f.strip() for f in fields)
        try:
            p = int(pos)
        except ValueError:
            raise VariantError(
                f"line {n}: variant {vid or i + 1}: position {pos!r} is not a whole number"
            ) from None
        out.append(Variant(vid or f"variant{i + 1}", p, _base(ref), _base(alt)))
    if not out:
        raise VariantError("no variants given, only a header; add lines like: rs1,12,A,G")
    return out


def onto_fitted(variants: Sequence[Variant], length: int, fitted: int) -> tuple[list[Variant], int]:
    """Variants given along a sequence of ``length`` bases, moved onto that sequence as
    padded with N or trimmed (centred) to the ``fitted`` bases a model reads, and the
    shift added to each position (:func:`~genoviz.sequences.fitted_shift`).

    Raises:
        VariantError: a position outside the sequence, or in a part trimmed off.
    """
    shift = fitted_shift(length, fitted)
    out = []
    for v in variants:
        if not 1 <= v.pos <= length:
            raise VariantError(
                f"variant {v.id}: position {v.pos} is outside the sequence (1 to {length})"
            )
        if not 1 <= v.pos + shift <= fitted:
            raise VariantError(
                f"variant {v.id}: position {v.pos} is trimmed off: the model reads the middle "
                f"{fitted} bp, bases {1 - shift} to {fitted - shift} of the {length}"
            )
        out.append(replace(v, pos=v.pos + shift))
    return out, shift


def check_variant(sequence: str, v: Variant) -> None:
    """Raise :class:`VariantError` naming the variant when it does not fit ``sequence``
    (read like :func:`variant_effects` reads it: any case, RNA ``U`` as ``T``)."""
    _check(clean_sequence(sequence, "the sequence"), replace(v, ref=_base(v.ref), alt=_base(v.alt)))


def _check(sequence: str, v: Variant) -> None:
    """:func:`check_variant` on a cleaned sequence and a variant of upper-case bases."""
    if not 1 <= v.pos <= len(sequence):
        raise VariantError(
            f"variant {v.id}: position {v.pos} is outside the sequence (1 to {len(sequence)})"
        )
    for what, b in (("reference", v.ref), ("alternative", v.alt)):
        if len(b) != 1:  # "GT" or "" passed a substring test, then failed as a length
            raise VariantError(
                f"variant {v.id}: {what} allele {b!r} is not one base; only single-base "
                "substitutions are scored (no insertions or deletions)"
            )
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
        sequence: DNA or RNA, any case (read by :func:`~genoviz.sequences.clean_sequence`:
            ``U`` is ``T``; whitespace and line numbers are dropped, and positions count
            the bases left). Variant bases are read the same way.
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
        SequenceError: a character in ``sequence`` that is not a base.
    """
    vs = [variants] if isinstance(variants, Variant) else list(variants)
    if not vs:
        raise VariantError("no variants given")
    sequence = clean_sequence(sequence, "the sequence")
    vs = [replace(v, ref=_base(v.ref), alt=_base(v.alt)) for v in vs]
    for v in vs:
        _check(sequence, v)
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
