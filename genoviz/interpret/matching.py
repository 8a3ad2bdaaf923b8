"""Match motifs against JASPAR CORE: TOMTOM (memelite) on both strands, plus a
column-correlation similarity for a readable 0-1 score.

JASPAR matrices come from the SQLite file bundled with ``pyjaspar``: the release and the
taxonomic group can be chosen, and nothing is downloaded.
"""

from __future__ import annotations

import threading
import warnings
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

import numpy as np
import pandas as pd

from genoviz.motifs import Motif, counts_to_pfm, information_content, reverse_complement_pfm
from genoviz.sequences import ALPHABET

TAX_GROUPS = (
    "vertebrates",
    "insects",
    "plants",
    "fungi",
    "nematodes",
    "urochordates",
    "trematodes",
    "diatoms",
    "cnidaria",
)
DEFAULT_MIN_OVERLAP = 5
#: Motifs carrying fewer bits than this (about one and a half fully specified bases) are
#: not matched. TOMTOM compares the shapes of columns, not their strength: a near-uniform
#: 15-column motif with a faint tilt towards CTCF (0.01 bits in all) got p = 1e-15 against
#: CTCF, and so did random noise around uniform.
MIN_MATCH_BITS = 3.0

_lock = threading.Lock()


class MatchError(ValueError):
    """A JASPAR release or group that does not exist, or motifs that cannot be compared."""


def jaspar_releases() -> list[str]:
    """Releases in the bundled JASPAR database, newest first."""
    from pyjaspar import jaspardb

    return list(jaspardb().get_releases())


def default_release() -> str:
    """pyjaspar's default release (the one :func:`genoviz.motifs.fetch_jaspar` reads)."""
    from pyjaspar import jaspardb

    return str(jaspardb().release)


@lru_cache(maxsize=8)
def _jaspar_core(release: str, tax_group: str) -> tuple[Motif, ...]:
    from pyjaspar import jaspardb

    releases = jaspar_releases()
    if release not in releases:
        raise MatchError(
            f"JASPAR release {release!r} is not bundled; choose one of {', '.join(releases)}"
        )
    db = jaspardb(release=release)  # its own connection: used only on this thread
    groups = None if tax_group == "all" else [tax_group]
    found = db.fetch_motifs(collection="CORE", tax_group=groups, all_versions=False)
    out = []
    for m in found:
        counts = np.array([list(m.counts[b]) for b in ALPHABET], dtype=np.float64)
        out.append(Motif(id=str(m.matrix_id), name=str(m.name), pfm=counts_to_pfm(counts)))
    if not out:
        raise MatchError(f"JASPAR {release} CORE has no {tax_group} matrices")
    return tuple(out)


def jaspar_core(release: str | None = None, tax_group: str = "vertebrates") -> list[Motif]:
    """JASPAR CORE matrices (latest version of each) of a release (None: pyjaspar's
    default) and taxonomic group (``all`` for every group). Read once per process (about
    5 s), then cached."""
    with _lock:
        return list(_jaspar_core(release or default_release(), tax_group))


def column_similarity(
    a: np.ndarray, b: np.ndarray, min_overlap: int = DEFAULT_MIN_OVERLAP
) -> tuple[float, int, str]:
    """Best mean Pearson correlation of aligned columns, over offsets and both strands.

    Written by hand as a readable score next to TOMTOM's p-value: 1 means the overlapping
    columns agree exactly in shape. Uniform columns correlate 0 with anything.

    Args:
        a, b: PFMs ``(4, wa)`` and ``(4, wb)``.
        min_overlap: fewest overlapping columns (capped at the shorter motif's width).

    Returns:
        ``(similarity, offset, strand)``: ``offset`` is where ``b``'s first column sits
        relative to ``a``'s; ``strand`` is ``+`` or ``-`` (``b`` reverse-complemented).
    """
    za, wa = _zcols(a), a.shape[1]
    best = (-1.0, 0, "+")
    for strand, bb in (("+", b), ("-", reverse_complement_pfm(b))):
        zb, wb = _zcols(bb), bb.shape[1]
        need = min(min_overlap, wa, wb)
        r = za.T @ zb / 4.0  # (wa, wb): Pearson r of every column pair
        for off in range(-(wb - need), wa - need + 1):
            i0, i1 = max(0, off), min(wa, off + wb)
            if i1 - i0 < need:
                continue
            score = float(np.mean([r[i, i - off] for i in range(i0, i1)]))
            if score > best[0] + 1e-12:
                best = (score, off, strand)
    return best


def _zcols(pfm: np.ndarray) -> np.ndarray:
    p = np.asarray(pfm, dtype=np.float64)
    c = p - p.mean(axis=0, keepdims=True)
    sd = np.sqrt((c**2).mean(axis=0, keepdims=True))
    return np.divide(c, sd, out=np.zeros_like(c), where=sd > 1e-9)


@dataclass
class Matches:
    """TOMTOM results of ``q`` queries against ``t`` targets.

    Attributes:
        p_values, offsets, overlaps: ``(q, t)``; p = 1 where the overlap is too short.
        strands: ``(q, t)``, 0 for the target as is, 1 for its reverse complement.
        targets: the target motifs, in column order.

    A p-value is for one comparison; each query is compared with every target, so
    :attr:`e_values` (p x the number of targets, TOMTOM's E-value) is the number of
    targets expected to match that well by chance.
    """

    p_values: np.ndarray
    offsets: np.ndarray
    overlaps: np.ndarray
    strands: np.ndarray
    targets: list[Motif]

    @property
    def e_values(self) -> np.ndarray:
        """``(q, t)`` E-values: p x the number of targets compared (TOMTOM's)."""
        return self.p_values * self.p_values.shape[1]

    def e_value(self, query: int, target: int) -> float:
        """One query's E-value against one target (column ``target``)."""
        return float(self.e_values[query, target])

    def ranking(self, query: int) -> np.ndarray:
        """Indices of the targets one query matched (p < 1), best (smallest p) first."""
        p = self.p_values[query]
        order = np.argsort(p, kind="stable")
        return order[p[order] < 1.0]

    def best(self, query: int, pfm: np.ndarray, min_overlap: int, n: int) -> dict[str, Any]:
        """A report record's match fields for one query ``pfm``: the best match, its
        p-value and column similarity, and the ``n`` best as ``top_matches`` (None and an
        empty list when nothing matched, e.g. a motif too flat to match)."""
        order = self.ranking(query)[:n]
        if not len(order):
            return no_match()
        best = self.targets[order[0]]
        return {
            "best_match_id": best.id,
            "best_match_name": best.name,
            "p_value": float(self.p_values[query, order[0]]),
            "e_value": float(self.e_values[query, order[0]]),
            "similarity": column_similarity(pfm, best.pfm, min_overlap)[0],
            "top_matches": [
                {
                    "id": self.targets[i].id,
                    "name": self.targets[i].name,
                    "p_value": float(self.p_values[query, i]),
                    "e_value": float(self.e_values[query, i]),
                }
                for i in order
            ],
        }

    def top(self, query: int, n: int = 5) -> pd.DataFrame:
        """The ``n`` best targets of one query: rank, id, name, p- and E-value, strand,
        offset and overlap. ``offset`` is TOMTOM's (MEME's): the query's first column
        relative to the target's, so -3 means 3 query columns before the target begins
        (:func:`column_similarity` counts the other way round)."""
        idx = self.ranking(query)[:n]
        return pd.DataFrame(
            {
                "rank": np.arange(1, len(idx) + 1),
                "match_id": [self.targets[i].id for i in idx],
                "match_name": [self.targets[i].name for i in idx],
                "p_value": self.p_values[query, idx],
                "e_value": self.e_values[query, idx],
                "strand": ["-" if self.strands[query, i] else "+" for i in idx],
                "offset": self.offsets[query, idx].astype(int),
                "overlap": self.overlaps[query, idx].astype(int),
            }
        )


#: The E-value below which a match is worth naming as one (E counts the matches this good
#: expected by chance among the matrices compared).
SIGNIFICANT_E = 0.05


def match_words(record: dict[str, Any]) -> str:
    """A report record's best match for a logo title: ``JUND E=2.1e-05``; ``n.s. (nearest
    PBX2, E=9.0e+00)`` when E is not below :data:`SIGNIFICANT_E` (a class read every best
    name as an identification); or ``-``."""
    name, e = record.get("best_match_name"), record.get("e_value")
    if not name:
        return "-"
    if e is None:
        return str(name)
    if e >= SIGNIFICANT_E:
        return f"n.s. (nearest {name}, E={e:.1e})"
    return f"{name} E={e:.1e}"


def no_match() -> dict[str, Any]:
    """The match fields of a report record that matched nothing (see :meth:`Matches.best`)."""
    return {
        "best_match_id": None,
        "best_match_name": None,
        "p_value": None,
        "e_value": None,
        "similarity": None,
        "top_matches": [],
    }


def tomtom_matches(
    queries: Sequence[np.ndarray],
    targets: Sequence[Motif],
    min_overlap: int = DEFAULT_MIN_OVERLAP,
) -> Matches:
    """Compare PFMs ``(4, w)`` with memelite's TOMTOM on both strands.

    Alignments overlapping fewer than ``min_overlap`` columns (capped at the query's
    width), and every alignment of a query with fewer than :data:`MIN_MATCH_BITS`, get
    p = 1: no match.
    """
    from memelite import tomtom

    if not len(queries) or not len(targets):
        raise MatchError("nothing to compare: no query or no target motifs")
    qs = [np.asarray(q, dtype=np.float64) for q in queries]
    ts = [np.asarray(t.pfm, dtype=np.float64) for t in targets]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        p, _scores, offsets, overlaps, strands = tomtom(qs, ts, n_jobs=1)
    need = np.minimum(min_overlap, np.array([q.shape[1] for q in qs]))[:, None]
    p = np.where(overlaps >= need, p, 1.0)
    p[[too_flat(q) for q in qs]] = 1.0
    return Matches(p, offsets, overlaps, strands, list(targets))


def too_flat(pfm: np.ndarray) -> bool:
    """Whether a PFM ``(4, w)`` carries too little information to match (see
    :data:`MIN_MATCH_BITS`)."""
    return float(information_content(pfm).sum()) < MIN_MATCH_BITS


def match_jaspar(
    pfms: Sequence[np.ndarray],
    release: str | None = None,
    tax_group: str = "vertebrates",
    min_overlap: int = DEFAULT_MIN_OVERLAP,
) -> Matches:
    """TOMTOM of each PFM ``(4, w)`` against JASPAR CORE of a release and group."""
    return tomtom_matches(pfms, jaspar_core(release, tax_group), min_overlap)


def match_table(
    matches: Matches, names: Sequence[str], queries: Sequence[np.ndarray], n: int = 3
) -> pd.DataFrame:
    """Top ``n`` matches of every query in one table, with the column similarity; a query
    that matched nothing has one row with empty match fields."""
    rows = []
    for q, name in enumerate(names):
        top = matches.top(q, n)
        if top.empty:
            top = pd.DataFrame({"rank": [np.nan], "match_id": [None], "match_name": [None]})
        top.insert(0, "query", name)
        top["similarity"] = [
            column_similarity(queries[q], matches.targets[i].pfm)[0] for i in matches.ranking(q)[:n]
        ] or [np.nan]
        rows.append(top)
    return pd.concat(rows, ignore_index=True)
