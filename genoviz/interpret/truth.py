"""Planted-truth recovery on simulated sets: did the filters learn the planted motifs?

For each planted motif: the filter most like it, how alike (column similarity, 0-1), the
rank of the planted JASPAR matrix among that filter's TOMTOM matches, and whether it was
recovered (rank within ``top``, or a significant match this close column for column).
"""

from __future__ import annotations

import warnings
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from genoviz.interpret.matching import Matches, column_similarity
from genoviz.motifs import MotifError, fetch_jaspar

#: A planted matrix is recovered when it is among a filter's top this-many JASPAR matches.
TOP = 3
#: ... or, for a matrix not in JASPAR, when a filter's column similarity reaches this.
SIMILAR = 0.75
#: ... or, for a JASPAR matrix past the top ranks, when the filter matches it significantly
#: and column for column this closely. JASPAR holds near-copies of one family: a filter
#: that is MA0491 (JUND) at similarity 0.98-0.999 ranked it 4th, behind NFE2, JDP2 and JUNB.
CLOSE = 0.9


@dataclass(frozen=True)
class PlantedMotif:
    """A motif planted in a simulated set; ``jaspar`` is False for hand-made matrices."""

    id: str
    name: str
    pfm: np.ndarray
    jaspar: bool


def planted_motifs(ground_truth: Mapping[str, Any] | None) -> list[PlantedMotif]:
    """The planted matrices a dataset's ``meta.ground_truth`` names: JASPAR ids under
    ``motifs``, and ``<name>_pfm`` matrices (4 rows, A C G T) stored with the set."""
    truth = ground_truth or {}
    out = []
    for mid, name in (truth.get("motifs") or {}).items():
        try:
            with warnings.catch_warnings():  # pyjaspar warns before returning nothing
                warnings.simplefilter("ignore")
                m = fetch_jaspar(str(mid))
        except MotifError:
            continue  # e.g. an IUPAC-built element that JASPAR does not hold
        out.append(PlantedMotif(m.id, str(name), m.pfm, True))
    for key, value in truth.items():
        if key.endswith("_pfm") and len(value) == 4:
            pfm = np.asarray(value, dtype=float)
            out.append(PlantedMotif(key, key.removesuffix("_pfm"), pfm, False))
    return out


def _base_id(matrix_id: str) -> str:
    return matrix_id.split(".")[0]


#: ... and only when that match is significant (TOMTOM's E-value, as logo titles use it).
SIGNIFICANT_E = 0.05
#: With an untrained control: the share of the gap from the untrained network's best
#: similarity to 1 that the trained network must close. Four untrained cnns on
#: splice-sites reached 0.78-0.86, so "more similar than one of them" passed by chance.
GAP_CLOSED = 0.5


def jaspar_hit(matches: Matches, query: int, matrix_id: str) -> tuple[int, float] | None:
    """1-based rank and E-value of a JASPAR matrix (any version) among one query's
    matches; None when it did not match."""
    base = _base_id(matrix_id)
    for r, i in enumerate(matches.ranking(query), start=1):
        if _base_id(matches.targets[i].id) == base:
            return r, matches.e_value(query, int(i))
    return None


def planted_match(matches: Matches, query: int, planted: list[PlantedMotif], top: int = TOP):
    """The id of a planted JASPAR matrix among a query's ``top`` matches, or None."""
    for i in matches.ranking(query)[:top]:
        for p in planted:
            if p.jaspar and _base_id(matches.targets[i].id) == _base_id(p.id):
                return p.id
    return None


def _jaspar_passes(hit: tuple[int, float] | None, similarity: float, top: int) -> bool:
    """Whether a filter's match to a planted JASPAR matrix (rank, E) counts as recovery."""
    return hit is not None and hit[1] < SIGNIFICANT_E and (hit[0] <= top or similarity >= CLOSE)


def truth_recovery(
    pfms: np.ndarray,
    n_sites: np.ndarray,
    planted: list[PlantedMotif],
    matches: Matches | None = None,
    top: int = TOP,
    control: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """One row per planted motif: ``motif_id, motif_name, best_filter, similarity,
    jaspar_rank, e_value, recovered`` (and ``untrained_similarity`` with a ``control``).

    Args:
        pfms: filter PFMs ``(k, 4, w)``; ``n_sites`` ``(k,)``: filters without sites are
            skipped.
        matches: the filters' JASPAR matches (rows in filter order). With them the best
            filter is the one ranking the planted matrix highest (those that pass first;
            ties: most similar), and a JASPAR matrix is recovered when it ranks within
            ``top`` at E < 0.05, or at any rank at E < 0.05 with similarity >= 0.9 (its
            family's near-copies in JASPAR can outrank it); without them, the most similar
            filter. Matrices not
            in JASPAR (and every matrix when ``matches`` is None) count as recovered at
            similarity >= 0.75.
        control: this table for the same network untrained (its filters read from the
            same sequences). Windows that activate even random filters are enriched in a
            strong planted site, so an untrained network can pass the rules above (all 3
            splice-site matrices, seeds 0-3, at 0.78-0.86); with a control, a motif is
            recovered only when its best filter also closes half the gap from the
            untrained network's best similarity to 1.
    """
    alive = [f for f in range(len(pfms)) if n_sites[f] > 0]
    bar = (
        {}
        if control is None
        else dict(zip(control["motif_id"], control["similarity"], strict=True))
    )
    rows = []
    for p in planted:
        best, best_key, best_sim, best_hit = None, None, float("nan"), None
        for f in alive:
            sim = column_similarity(p.pfm, pfms[f])[0]
            hit = jaspar_hit(matches, f, p.id) if matches is not None and p.jaspar else None
            rank = hit[0] if hit is not None else 10**9
            key = (not _jaspar_passes(hit, sim, top), rank, -sim)
            if best_key is None or key < best_key:
                best, best_key, best_sim, best_hit = f, key, sim, hit
        if p.jaspar and matches is not None:
            ok = _jaspar_passes(best_hit, best_sim, top)
        else:
            ok = best is not None and best_sim >= SIMILAR
        row = {
            "motif_id": p.id,
            "motif_name": p.name,
            "best_filter": best,
            "similarity": best_sim,
            "jaspar_rank": None if best_hit is None else best_hit[0],
            "e_value": None if best_hit is None else best_hit[1],
        }
        if control is not None:
            untrained = bar.get(p.id, float("nan"))
            row["untrained_similarity"] = untrained
            # NaN (no untrained filter had sites) does not bar
            ok = ok and not (best_sim < untrained + GAP_CLOSED * (1 - untrained))
        rows.append(row | {"recovered": bool(ok)})
    return pd.DataFrame(rows)


def recovery_rule(noun: str, control: bool) -> str:
    """The rule a recovery table applied, in words, for its headline."""
    rule = (
        f"planted matrix among a {noun}'s top {TOP} JASPAR matches at E < {SIGNIFICANT_E:g} "
        f"(or matched at E < {SIGNIFICANT_E:g} with column similarity at least {CLOSE:g}); "
        f"for a matrix not in JASPAR, column similarity at least {SIMILAR:g}"
    )
    if control:
        rule += (
            f", and in both cases a {noun} that closes {GAP_CLOSED:.0%} of the gap from the "
            "same network untrained to a perfect match (similarity 1)"
        )
    return rule
