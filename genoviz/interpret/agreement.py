"""Agreement between explanations of one sequence: per-base tracks side by side and their
pairwise Spearman correlations. Where the explanations disagree is where to look.

:func:`explanation_tracks` computes the tracks with the existing analyses: Integrated
Gradients' contribution per base (:func:`~genoviz.interpret.attribution.attribute`; layer
IG spread to bases for a ``kmer-bert``), ISM's largest absolute effect per position
(:func:`~genoviz.interpret.ism.saturation_mutagenesis`; a ``kmer-bert`` through the one-hot
adapter) and, for a ``kmer-bert``, attention from ``[CLS]`` mapped to bases as DNABERT
does (:func:`~genoviz.interpret.attention.cls_base_scores`).
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pandas as pd
import torch
from scipy.stats import spearmanr
from torch import nn

from genoviz.interpret.attention import cls_base_scores
from genoviz.interpret.attribution import BaselineKind, attribute
from genoviz.interpret.ism import saturation_mutagenesis
from genoviz.interpret.kmer_attribution import is_kmer_bert
from genoviz.onehot import one_hot

IG = "Integrated Gradients"
ISM = "ISM largest effect"
ATTENTION = "Attention from [CLS]"


def track_names(model: nn.Module) -> list[str]:
    """The tracks :func:`explanation_tracks` returns for ``model``, in order."""
    return [IG, ISM, ATTENTION] if is_kmer_bert(model) else [IG, ISM]


def explanation_tracks(
    model: nn.Module,
    sequence: str,
    target: int = 0,
    extras: np.ndarray | torch.Tensor | None = None,
    baseline: BaselineKind = "shuffle",
    n_shuffles: int = 10,
    n_steps: int = 50,
    seed: int = 0,
    softmax: bool = False,
) -> dict[str, np.ndarray]:
    """Per-base explanations of one sequence, each of shape ``(L,)``.

    - ``Integrated Gradients``: attribution x input summed over the bases' channels, signed
      (one-hot models: ``baseline`` references; ``kmer-bert``: ``[PAD]`` tokens).
    - ``ISM largest effect``: the largest ``|output(mutant) - output(sequence)|`` over the
      three substitutions at each position.
    - ``Attention from [CLS]`` (``kmer-bert`` only): DNABERT's choice, the last layer's
      ``[CLS]`` row over the k-mers, each base getting the mean over the k-mers that cover
      it. Heads are averaged (DNABERT sums them: the same ranks and scaled track).

    Args:
        sequence: a cleaned DNA string of the model's input length.
        extras: ``(e,)`` or ``(1, e)`` extra inputs for models trained with them.
        baseline, n_shuffles, n_steps, seed: Integrated Gradients' settings, as in
            :func:`~genoviz.interpret.attribution.attribute`.
        softmax: a multi-class model (its centred logit for IG, its log-probability for
            ISM, as those functions take it).
    """
    e = None if extras is None else np.asarray(extras, dtype=np.float32).reshape(1, -1)
    ig = attribute(
        model,
        one_hot([sequence]),
        target=target,
        baseline=baseline,
        n_shuffles=n_shuffles,
        n_steps=n_steps,
        extras=e,
        seed=seed,
        softmax=softmax,
    )
    ism = saturation_mutagenesis(model, sequence, target=target, extras=e, softmax=softmax)
    tracks = {IG: ig.per_base[0], ISM: ism.max_abs}
    if is_kmer_bert(model):
        tracks[ATTENTION] = cls_base_scores(model, [sequence])[0]
    return tracks


def track_table(tracks: Mapping[str, np.ndarray], sequence: str) -> pd.DataFrame:
    """Tracks as a table: ``position`` (1-based), ``base``, then one column per track."""
    return pd.DataFrame(
        {"position": np.arange(1, len(sequence) + 1), "base": list(sequence), **tracks}
    )


def agreement(tracks: Mapping[str, np.ndarray], sequence: str | None = None) -> pd.DataFrame:
    """Pairwise Spearman correlations of per-base tracks ``(L,)``: one row per pair,
    ``a, b, spearman, positions`` (NaN when a track is constant there). Pass
    :func:`scaled_tracks` to compare the magnitudes drawn in the overlay (signs dropped, as
    ISM's largest effect and attention have none).

    Args:
        sequence: the explained sequence; its ``N`` positions (padding, unknown bases)
            are left out: they carry no base to explain (ISM has no value there, and IG
            from shuffled or zero references scores them 0, which would read as
            agreement). ``positions`` counts the positions compared.
    """
    names = list(tracks)
    arrays = [np.asarray(tracks[n], dtype=float).reshape(-1) for n in names]
    lengths = {len(a) for a in arrays}
    if len(lengths) > 1:
        raise ValueError(
            f"tracks differ in length: {dict(zip(names, map(len, arrays), strict=True))}"
        )
    known = known_positions(sequence, arrays[0].size if arrays else 0)
    rows = []
    for i in range(len(names)):
        for j in range(i + 1, len(names)):
            both = known & np.isfinite(arrays[i]) & np.isfinite(arrays[j])
            a, b = arrays[i][both], arrays[j][both]
            flat = a.size < 2 or a.std() == 0 or b.std() == 0
            rho = np.nan if flat else float(spearmanr(a, b)[0])
            rows.append({"a": names[i], "b": names[j], "spearman": rho, "positions": a.size})
    return pd.DataFrame(rows, columns=["a", "b", "spearman", "positions"])


def known_positions(sequence: str | None, length: int) -> np.ndarray:
    """A mask of the positions whose base is known (not ``N``); all when no sequence."""
    if sequence is None:
        return np.ones(length, dtype=bool)
    if len(sequence) != length:
        raise ValueError(f"the sequence has {len(sequence)} bases, the tracks {length}")
    return np.frombuffer(sequence.upper().encode(), dtype=np.uint8) != ord("N")


def top_positions(track: np.ndarray, sequence: str | None = None, k: int = 10) -> list[int]:
    """The ``k`` 1-based positions of the largest values, ``N`` positions left out."""
    track = np.asarray(track, dtype=float).reshape(-1)
    order = np.argsort(-track, kind="stable")
    known = known_positions(sequence, track.size)
    return [int(i) + 1 for i in order if known[i]][:k]


def scaled_tracks(tracks: Mapping[str, np.ndarray]) -> dict[str, np.ndarray]:
    """Each track's magnitude divided by its maximum (0-1), so they share one axis."""
    out = {}
    for name, t in tracks.items():
        t = np.abs(np.asarray(t, dtype=float))
        m = np.nanmax(t) if np.isfinite(t).any() else 0.0  # ISM has no value at an N
        out[name] = t / m if m > 0 else t
    return out
