"""Filters -> motifs -> JASPAR matches -> planted-truth recovery, in one call (the CLI's
``interpret filters`` and the Motifs page share it)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
import torch
from torch import nn

from genoviz.interpret.filters import FilterMotifs, filter_motifs
from genoviz.interpret.matching import (
    DEFAULT_MIN_OVERLAP,
    Matches,
    column_similarity,
    match_jaspar,
    no_match,
)
from genoviz.interpret.truth import TOP, PlantedMotif, planted_match, planted_motifs, truth_recovery
from genoviz.motifs import information_content, lined_up
from genoviz.sequences import ALPHABET

#: Filters with fewer sites than this are listed after the others.
MIN_SITES = 20


@dataclass
class FilterReport:
    """Everything the Motifs views show.

    Attributes:
        motifs: the filters' PFMs and site counts.
        matches: TOMTOM against JASPAR for the filters with sites (``alive``, in order).
        alive: filter indices that had sites (0-based, internal; ``records[i]`` is index
            ``i``).
        records: one dict per filter in index order (the CLI's ``filters.json``); its
            ``filter`` is the 1-based number every title and table shows
            (:func:`~genoviz.interpret.filters.filter_label`).
        truth: planted-truth recovery, or None without ground truth; its ``best_filter`` is
            a 1-based filter number.
        planted: the planted motifs (empty without ground truth).
        control: the same network's filter motifs untrained, from the same sequences
            (None when no untrained model was given); recovery is scored against them.
    """

    motifs: FilterMotifs
    matches: Matches | None
    alive: list[int]
    records: list[dict[str, Any]]
    truth: pd.DataFrame | None
    planted: list[PlantedMotif]
    control: FilterMotifs | None = None

    def most_informative(self, min_sites: int = MIN_SITES) -> list[int]:
        """Filters with sites (0-based indices), sharpest motif (most bits in total) first,
        among those with at least ``min_sites`` sites (a handful of sites always looks
        sharp); background filters with thousands of weak sites sink to the end."""
        recs = self.records
        return sorted(
            self.alive, key=lambda f: (recs[f]["n_sites"] < min_sites, -recs[f]["information_bits"])
        )

    def pfm_of(self, number: int) -> np.ndarray:
        """The PFM ``(4, w)`` of filter ``number`` (1-based, as ``best_filter`` names it)."""
        return self.motifs.pfms[number - 1]

    def table(self) -> pd.DataFrame:
        return pd.DataFrame(
            [{k: v for k, v in r.items() if k != "top_matches"} for r in self.records]
        )

    def truth_pairs(self) -> list[TruthPair]:
        """Each planted motif with its best filter, aligned for the truth logos."""
        return truth_pairs(self.truth, self.planted, self.pfm_of, "best_filter")


@dataclass(frozen=True)
class TruthPair:
    """A learned motif and the planted motif it is scored against, lined up for logos.

    Attributes:
        number: the learned motif's 1-based number (the truth table's best filter or motif).
        planted: the planted motif.
        learned_pfm: ``(4, W)``, the learned motif padded with empty (all-zero) columns.
        planted_pfm: ``(4, W)``, the planted matrix on the learned motif's strand (reverse
            complemented on ``-``), padded so the columns compared sit under each other.
        strand: ``+``, or ``-`` when the learned motif matches the planted one's reverse
            complement.
        offset: where the planted matrix's first column sits relative to the learned one's.
        shared: how many columns they share.
    """

    number: int
    planted: PlantedMotif
    learned_pfm: np.ndarray
    planted_pfm: np.ndarray
    strand: str
    offset: int
    shared: int


def truth_pairs(
    truth: pd.DataFrame | None,
    planted: list[PlantedMotif],
    pfm_of: Callable[[int], np.ndarray],
    best: str,
    min_overlap: int = DEFAULT_MIN_OVERLAP,
) -> list[TruthPair]:
    """For each planted motif with a best learned motif (the ``best`` column of ``truth``,
    rows in ``planted`` order, 1-based numbers that ``pfm_of`` turns into a ``(4, w)`` PFM):
    both matrices aligned on the strand and offset of their best column similarity, the
    alignment the table's ``similarity`` scores. Empty without a truth table."""
    if truth is None:
        return []
    out = []
    for number, p in zip(truth[best], planted, strict=True):
        if number is None or pd.isna(number):
            continue
        learned = np.asarray(pfm_of(int(number)), dtype=np.float64)
        _, offset, strand = column_similarity(learned, p.pfm, min_overlap)
        a, b, shared = lined_up(learned, p.pfm, offset, strand)
        out.append(TruthPair(int(number), p, a, b, strand, offset, shared))
    return out


def filter_report(
    model: nn.Module,
    x: torch.Tensor,
    ground_truth: dict[str, Any] | None = None,
    threshold: float = 0.5,
    release: str | None = None,
    tax_group: str = "vertebrates",
    min_overlap: int = DEFAULT_MIN_OVERLAP,
    top: int = TOP,
    progress: Callable[[float, str], None] | None = None,
    untrained: nn.Module | None = None,
) -> FilterReport:
    """Collect filter motifs from ``x`` ``(n, 4, L)``, match them to JASPAR and, when the
    data has planted motifs, score their recovery: against the ``untrained`` network of
    the same architecture, when given, whose filters are read from the same sequences."""
    say = progress or (lambda f, msg: None)
    control = None
    scan = 0.6 if untrained is None or not planted_motifs(ground_truth) else 0.4
    say(0.0, "collecting the windows that activate each filter")
    fm = filter_motifs(model, x, threshold, progress=lambda f: say(scan * f, "filters"))
    if scan < 0.6:
        say(scan, "the same for the untrained network, the control for planted motifs")
        control = filter_motifs(
            untrained, x, threshold, progress=lambda f: say(scan + 0.2 * f, "untrained filters")
        )
    return match_filters(fm, ground_truth, release, tax_group, min_overlap, top, say, control)


def match_filters(
    fm: FilterMotifs,
    ground_truth: dict[str, Any] | None = None,
    release: str | None = None,
    tax_group: str = "vertebrates",
    min_overlap: int = DEFAULT_MIN_OVERLAP,
    top: int = TOP,
    progress: Callable[[float, str], None] | None = None,
    control: FilterMotifs | None = None,
) -> FilterReport:
    """The matching half of :func:`filter_report`, on filter motifs already collected: a
    new JASPAR release, group or overlap needs no new scan of the sequences."""
    say = progress or (lambda f, msg: None)
    alive = [int(i) for i in np.flatnonzero(fm.n_sites > 0)]
    say(0.6, "matching the motifs against JASPAR")
    matches = match_jaspar([fm.pfms[i] for i in alive], release, tax_group, min_overlap)
    planted = planted_motifs(ground_truth)
    records = []
    row_of = {f: r for r, f in enumerate(alive)}
    for f in range(len(fm.pfms)):
        pfm = fm.pfms[f]
        rec: dict[str, Any] = {
            "filter": f + 1,  # people count filters from 1 (filter_label)
            "n_sites": int(fm.n_sites[f]),
            "consensus": "".join(ALPHABET[i] for i in pfm.argmax(axis=0)),
            "information_bits": float(information_content(pfm).sum()),
            **(matches.best(row_of[f], pfm, min_overlap, top) if f in row_of else no_match()),
        }
        if planted:
            rec["planted_match"] = (
                planted_match(matches, row_of[f], planted, top) if (f in row_of) else None
            )
        records.append(rec)
    truth = None
    if planted:
        bar = None
        if control is not None:
            say(0.8, "matching the untrained network's motifs, the control")
            bar = control_recovery(
                control.pfms, control.n_sites, planted, release, tax_group, min_overlap, top
            )
        say(0.9, "scoring planted-motif recovery")
        sub = _Rows(matches, alive)
        truth = truth_recovery(fm.pfms, fm.n_sites, planted, sub, top, control=bar)
        truth["best_filter"] = [None if pd.isna(f) else int(f) + 1 for f in truth["best_filter"]]
    say(1.0, "done")
    return FilterReport(fm, matches, alive, records, truth, planted, control)


def control_recovery(
    pfms: Sequence[np.ndarray],
    n_sites: np.ndarray,
    planted: list[PlantedMotif],
    release: str | None,
    tax_group: str,
    min_overlap: int,
    top: int = TOP,
) -> pd.DataFrame:
    """The untrained control's own planted-truth table (its motifs with sites matched to
    JASPAR): what :func:`truth_recovery` reads as ``control``."""
    on = [int(i) for i in np.flatnonzero(np.asarray(n_sites) > 0)]
    theirs = match_jaspar([pfms[i] for i in on], release, tax_group, min_overlap)
    return truth_recovery(pfms, n_sites, planted, _Rows(theirs, on), top)


class _Rows(Matches):
    """``matches`` seen with one row per filter (filters without sites rank nothing)."""

    def __init__(self, matches: Matches, alive: list[int]) -> None:
        self.__dict__.update(matches.__dict__)
        self._row = {f: r for r, f in enumerate(alive)}

    def ranking(self, query: int) -> np.ndarray:
        r = self._row.get(query)
        return np.array([], dtype=int) if r is None else super().ranking(r)

    def e_value(self, query: int, target: int) -> float:
        return super().e_value(self._row[query], target)
