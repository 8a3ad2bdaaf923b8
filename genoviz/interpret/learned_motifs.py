"""A ``motif-net``'s own motifs: its learned V read as PFMs, trimmed to the columns its
sigmoid position mask keeps, and matched to JASPAR like the first-layer filters.

A CNN filter has to be turned into a motif from the windows that activate it
(:mod:`genoviz.interpret.filters`); a motif-net's V *is* a motif (log-odds in bits,
times its mask σ(W)), so it is shown directly and needs no data.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
from torch import nn

from genoviz.interpret.filters import FilterError
from genoviz.interpret.matching import DEFAULT_MIN_OVERLAP, Matches, match_jaspar
from genoviz.interpret.motif_report import TruthPair, control_recovery, truth_pairs
from genoviz.interpret.truth import TOP, PlantedMotif, planted_match, planted_motifs, truth_recovery
from genoviz.motifs import information_content
from genoviz.sequences import ALPHABET

#: A column is kept when its mask σ(W) is above this (JASPAR padding sits at exactly 0.5).
MASK_KEEP = 0.5


def has_learned_motifs(model: nn.Module) -> bool:
    """Whether the model exposes its motifs directly (``motif_logos()``, as motif-net)."""
    return callable(getattr(model, "motif_logos", None))


def kept_span(mask: np.ndarray, keep: float = MASK_KEEP) -> tuple[int, int]:
    """``(start, end)`` (end exclusive) from the first to the last column of a mask
    ``(width,)`` above ``keep``; the whole width when no column is."""
    on = np.flatnonzero(np.asarray(mask) > keep)
    if not len(on):
        return 0, len(mask)
    return int(on[0]), int(on[-1]) + 1


@dataclass
class LearnedMotifs:
    """A motif-net's motifs and their JASPAR matches.

    Attributes:
        pfms: ``(M, 4, width)`` the masked V as probabilities (full width, aligned with
            ``mask``; a masked-out column is uniform).
        mask: ``(M, width)`` σ(W), 0..1.
        names: one label per motif (its JASPAR start where it had one).
        spans: per motif ``(start, end)``, the columns the mask keeps (0-based, end
            exclusive); these are what is matched.
        matches: TOMTOM of the trimmed motifs against JASPAR, one row per motif.
        records: one dict per motif (see :meth:`table`).
        truth: planted-truth recovery, or None without ground truth.
        planted: the planted motifs (empty without ground truth).
    """

    pfms: np.ndarray
    mask: np.ndarray
    names: list[str]
    spans: list[tuple[int, int]]
    matches: Matches
    records: list[dict[str, Any]]
    truth: pd.DataFrame | None
    planted: list[PlantedMotif]

    def trimmed(self, m: int) -> np.ndarray:
        """Motif ``m``'s PFM over the columns its mask keeps, ``(4, end - start)``."""
        start, end = self.spans[m]
        return self.pfms[m][:, start:end]

    def table(self) -> pd.DataFrame:
        return pd.DataFrame(
            [{k: v for k, v in r.items() if k != "top_matches"} for r in self.records]
        )

    def truth_pairs(self) -> list[TruthPair]:
        """Each planted motif with its best learned motif (kept columns), aligned for the
        truth logos."""
        return truth_pairs(self.truth, self.planted, lambda m: self.trimmed(m - 1), "best_motif")

    def matrix_table(self) -> pd.DataFrame:
        """Long table behind the logos: motif, position (1-based), A, C, G, T, mask."""
        rows = []
        for m, name in enumerate(self.names):
            for j in range(self.pfms.shape[2]):
                row = {"motif": m + 1, "name": name, "position": j + 1}
                row |= {b: float(self.pfms[m, i, j]) for i, b in enumerate(ALPHABET)}
                row["mask"] = float(self.mask[m, j])
                rows.append(row)
        return pd.DataFrame(rows)


def learned_motifs(
    model: nn.Module,
    ground_truth: dict[str, Any] | None = None,
    release: str | None = None,
    tax_group: str = "vertebrates",
    min_overlap: int = DEFAULT_MIN_OVERLAP,
    top: int = TOP,
    keep: float = MASK_KEEP,
    control: nn.Module | None = None,
) -> LearnedMotifs:
    """Read a motif-net's motifs, trim each to its kept columns, match them to JASPAR
    CORE (release, taxonomic group) and, with ground truth, score planted recovery.

    Args:
        control: the same network untrained (:meth:`Run.untrained_model`): a net started
            from JASPAR matrices holds them before any training, so recovery counts only
            when training closes half the gap from the control's similarity to 1 (see
            :func:`truth_recovery`).

    Raises:
        FilterError: the model has no learned motifs to show (not a motif-net).
    """
    if not has_learned_motifs(model):
        raise FilterError(
            "this model has no learned motif matrices to show directly (only motif-net has); "
            "its filters are read from the windows that activate them instead"
        )
    pfms, mask, names, spans, trimmed = _trimmed_logos(model, keep)
    matches = match_jaspar(trimmed, release, tax_group, min_overlap)
    planted = planted_motifs(ground_truth)
    records = []
    for m, pfm in enumerate(trimmed):
        rec: dict[str, Any] = {
            "motif": m + 1,
            "name": names[m],
            "columns_kept": f"{spans[m][0] + 1}-{spans[m][1]}",
            "consensus": "".join(ALPHABET[i] for i in pfm.argmax(axis=0)),
            "information_bits": float(information_content(pfm).sum()),
            **matches.best(m, pfm, min_overlap, top),
        }
        if planted:
            rec["planted_match"] = planted_match(matches, m, planted, top)
        records.append(rec)
    truth = None
    if planted:
        bar = None
        if control is not None:
            theirs = _trimmed_logos(control, keep)[-1]
            ones = np.ones(len(theirs))
            bar = control_recovery(theirs, ones, planted, release, tax_group, min_overlap, top)
        truth = truth_recovery(trimmed, np.ones(len(trimmed)), planted, matches, top, bar)
        truth = truth.rename(columns={"best_filter": "best_motif"})
        truth["best_motif"] = [None if pd.isna(f) else int(f) + 1 for f in truth["best_motif"]]
    return LearnedMotifs(pfms, mask, names, spans, matches, records, truth, planted)


def _trimmed_logos(model: nn.Module, keep: float):
    """A motif-net's PFMs, masks and names, each motif's kept columns (start, end), and
    each PFM cut to them."""
    logos = model.motif_logos()
    pfms, mask = np.asarray(logos.pfms, dtype=np.float64), np.asarray(logos.mask)
    spans = [kept_span(row, keep) for row in mask]
    trimmed = [pfms[m][:, s:e] for m, (s, e) in enumerate(spans)]
    return pfms, mask, list(logos.names), spans, trimmed
