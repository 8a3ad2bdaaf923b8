"""In-silico saturation mutagenesis: every single-base substitution of one sequence.

Written by hand (a batched forward pass over the 3L mutants, through the model's own
``forward``, so strand averaging and extras apply); tangermeme's
``saturation_mutagenesis`` would fit too but returns its own layout. For the ``cnn``
ensemble an exact fast path patches only the window each substitution touches
(:mod:`~genoviz.interpret.fast_ism`).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import torch
from torch import nn

from genoviz.interpret import fast_ism
from genoviz.interpret.adapters import as_onehot_model, class_score
from genoviz.onehot import one_hot
from genoviz.sequences import ALPHABET


class ISMError(ValueError):
    """A sequence or target that ISM cannot handle."""


@dataclass
class ISMResult:
    """Effects of all single-base substitutions of one sequence of length ``L``.

    Attributes:
        effects: ``(4, L)``, rows A, C, G, T: output(mutant) - output(reference); 0 at the
            reference base, NaN for every base at an N (nothing there to substitute: a 0
            would read as a measured "no effect").
        max_effect: ``(L,)``, the effect of largest magnitude at each position, with its
            sign; NaN at an N.
        max_abs: ``(L,)``, ``|max_effect|``.
        reference_output: the unmutated sequence's output (a logit for binary
            classifiers, the class's log-probability with ``softmax``).
        sequence: the sequence as analysed.
    """

    effects: np.ndarray
    max_effect: np.ndarray
    max_abs: np.ndarray
    reference_output: float
    sequence: str
    target: int


def substitutions(x: torch.Tensor) -> tuple[np.ndarray, np.ndarray]:
    """Every single-base substitution of one-hot ``(4, L)``: new base row ``(m,)`` and
    position ``(m,)``, ``m = 3L`` (none at N), ordered by base then position."""
    ref = x.argmax(dim=0).numpy()
    known = x.sum(dim=0).numpy() > 0
    pos, base = np.meshgrid(np.arange(x.shape[1]), np.arange(4))
    keep = (base != ref[None, :]) & known[None, :]
    return base[keep], pos[keep]


def mutants(x: torch.Tensor) -> tuple[torch.Tensor, np.ndarray, np.ndarray]:
    """All single-base substitutions of one one-hot sequence ``(4, L)``.

    Returns:
        the mutants ``(m, 4, L)`` (``m = 3L`` without N), and for each its base row
        ``(m,)`` and position ``(m,)``.
    """
    base, pos = substitutions(x)
    out = x.unsqueeze(0).repeat(len(pos), 1, 1)
    idx = torch.arange(len(pos))
    p = torch.as_tensor(pos)
    out[idx, :, p] = 0.0
    out[idx, torch.as_tensor(base), p] = 1.0
    return out, base, pos


def _forward_mutants(
    model: nn.Module,
    x: torch.Tensor,
    e: torch.Tensor | None,
    target: int,
    batch_size: int,
    progress: Callable[[float], None] | None,
    softmax: bool = False,
) -> np.ndarray:
    """Outputs of every mutant by plain forward passes, in :func:`substitutions` order."""
    muts, _, _ = mutants(x)
    vals = np.empty(len(muts), dtype=np.float32)
    for s in range(0, len(muts), batch_size):
        mb = muts[s : s + batch_size]
        eb = None if e is None else e.expand(len(mb), -1)
        vals[s : s + len(mb)] = class_score(model(mb, eb), target, softmax).numpy()
        if progress is not None:
            progress(min(1.0, (s + len(mb)) / max(len(muts), 1)))
    return vals


@torch.no_grad()
def saturation_mutagenesis(
    model: nn.Module,
    sequence: str | np.ndarray | torch.Tensor,
    target: int = 0,
    extras: np.ndarray | torch.Tensor | None = None,
    batch_size: int = 1024,
    progress: Callable[[float], None] | None = None,
    fast: bool = True,
    softmax: bool = False,
) -> ISMResult:
    """Score every single-base substitution of one sequence.

    Args:
        sequence: a cleaned DNA string, or one-hot ``(4, L)`` / ``(1, 4, L)``.
        target: the output column to read (task or class index).
        extras: ``(e,)`` or ``(1, e)`` extra inputs for models trained with them.
        batch_size: mutants per forward pass (results do not depend on it).
        fast: for the ``cnn`` ensemble, patch only the window each substitution touches
            (exact; see :mod:`~genoviz.interpret.fast_ism`); False runs every mutant.
        softmax: the outputs are a multi-class model's logits: read the class's
            log-probability, so an effect's sign is its probability's.
    """
    if isinstance(sequence, str):
        x = torch.as_tensor(one_hot([sequence]))[0]
        seq = sequence
    else:
        x = torch.as_tensor(np.asarray(sequence), dtype=torch.float32).reshape(4, -1)
        idx, known = x.argmax(0).tolist(), (x.sum(0) > 0).tolist()
        seq = "".join(ALPHABET[i] if k else "N" for i, k in zip(idx, known, strict=True))
    e = None
    if extras is not None:
        e = torch.as_tensor(np.asarray(extras, dtype=np.float32)).reshape(1, -1)
    base, pos = substitutions(x)
    model = as_onehot_model(model)
    was_training = model.training
    model.eval()
    try:
        ref_out = model(x[None], e)
        if not 0 <= target < ref_out.shape[1]:
            raise ISMError(f"target {target} does not exist: the model has {ref_out.shape[1]}")
        ref_val = float(class_score(ref_out, target, softmax)[0])
        if fast and fast_ism.supports(model) and len(pos):
            out = fast_ism.cnn_mutant_outputs(model, x, base, pos, e)
            vals = class_score(out, target, softmax).numpy()
            if progress is not None:
                progress(1.0)
        else:
            vals = _forward_mutants(model, x, e, target, batch_size, progress, softmax)
    finally:
        model.train(was_training)
    effects = np.zeros((4, x.shape[1]), dtype=np.float32)
    effects[:, ~(x.sum(dim=0) > 0).numpy()] = np.nan  # an N is not substituted: no effect
    effects[base, pos] = vals - ref_val
    pick = np.where(np.isnan(effects), -1.0, np.abs(effects)).argmax(axis=0)
    max_effect = effects[pick, np.arange(effects.shape[1])]
    return ISMResult(
        effects=effects,
        max_effect=max_effect,
        max_abs=np.abs(max_effect),
        reference_output=ref_val,
        sequence=seq,
        target=target,
    )
