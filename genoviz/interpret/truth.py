"""Planted-truth recovery on simulated sets: did the filters learn the planted motifs?

For each planted motif: the filter most like it, how alike (column similarity, 0-1), the
rank of the planted JASPAR matrix among that filter's TOMTOM matches, and whether it was
recovered (rank within ``top``).
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


def jaspar_rank(matches: Matches, query: int, matrix_id: str) -> int | None:
    """1-based rank of a JASPAR matrix (any version) among one query's matches."""
    base = _base_id(matrix_id)
    for r, i in enumerate(matches.ranking(query), start=1):
        if _base_id(matches.targets[i].id) == base:
            return r
    return None


def planted_match(matches: Matches, query: int, planted: list[PlantedMotif], top: int = TOP):
    """The id of a planted JASPAR matrix among a query's ``top`` matches, or None."""
    for i in matches.ranking(query)[:top]:
        for p in planted:
            if p.jaspar and _base_id(matches.targets[i].id) == _base_id(p.id):
                return p.id
    return None


def truth_recovery(
    pfms: np.ndarray,
    n_sites: np.ndarray,
    planted: list[PlantedMotif],
    matches: Matches | None = None,
    top: int = TOP,
) -> pd.DataFrame:
    """One row per planted motif: ``motif_id, motif_name, best_filter, similarity,
    jaspar_rank, recovered``.

    Args:
        pfms: filter PFMs ``(k, 4, w)``; ``n_sites`` ``(k,)``: filters without sites are
            skipped.
        matches: the filters' JASPAR matches (rows in filter order). With them the best
            filter is the one ranking the planted matrix highest (ties: most similar);
            without them, the most similar filter. Matrices not in JASPAR (and every
            matrix when ``matches`` is None) count as recovered at similarity >= 0.75.
    """
    alive = [f for f in range(len(pfms)) if n_sites[f] > 0]
    rows = []
    for p in planted:
        best, best_key, best_sim, best_rank = None, None, float("nan"), None
        for f in alive:
            sim = column_similarity(p.pfm, pfms[f])[0]
            rank = jaspar_rank(matches, f, p.id) if matches is not None and p.jaspar else None
            key = (rank if rank is not None else 10**9, -sim)
            if best_key is None or key < best_key:
                best, best_key, best_sim, best_rank = f, key, sim, rank
        rows.append(
            {
                "motif_id": p.id,
                "motif_name": p.name,
                "best_filter": best,
                "similarity": best_sim,
                "jaspar_rank": best_rank,
                "recovered": (best_rank is not None and best_rank <= top)
                if p.jaspar and matches is not None
                else bool(best is not None and best_sim >= SIMILAR),
            }
        )
    return pd.DataFrame(rows)
