"""Which JASPAR matrices a ``motif-net`` starts from.

TF names and matrix ids are read from the JASPAR release bundled with pyjaspar. A name can
find matrices of other species than the one studied (``GATA1`` also names an Arabidopsis
matrix, ``CTCF`` a Drosophila one), so each matrix comes with its species and taxonomic
group, and a name can be narrowed to one group. An id is always taken as given.
"""

from __future__ import annotations

import re
import warnings
from collections.abc import Sequence
from functools import lru_cache
from typing import NamedTuple

from genoviz.motifs import Motif, MotifError, fetch_jaspar, jaspar_db

#: A matrix id, CORE (``MA0139.2``) or UNVALIDATED (``UN0122.2``); the version is optional.
MATRIX_ID = re.compile(r"^(MA|UN)\d{4}(\.\d+)?$", re.IGNORECASE)
#: Under ``auto``, a name whose CORE matrices come from several groups keeps this group's.
#: It is also the group genoviz matches motifs against by default (Motifs page, CLI).
PREFERRED_GROUP = "vertebrates"
#: ``jaspar_tax_group`` values besides a group name (see :func:`choose_jaspar`).
TAX_MODES = ("auto", "all")


class JasparGroupError(MotifError):
    """A TF name JASPAR has, but not in the taxonomic group or collection asked for."""


class Origin(NamedTuple):
    """Where a JASPAR matrix comes from.

    Attributes:
        tax_group: JASPAR's taxonomic group, e.g. ``vertebrates``, ``plants``.
        species: Latin names, e.g. ``("Homo sapiens",)``; empty where JASPAR gives none.
        collection: ``CORE`` or ``UNVALIDATED``.
    """

    tax_group: str
    species: tuple[str, ...]
    collection: str

    def describe(self) -> str:
        """``Homo sapiens, vertebrates`` (and ``, unvalidated`` outside CORE)."""
        parts = [*self.species, self.tax_group]
        if self.collection and self.collection != "CORE":
            parts.append(self.collection.lower())
        return ", ".join(p for p in parts if p)


@lru_cache(maxsize=1024)
def jaspar_origin(matrix_id: str) -> Origin:
    """The taxonomic group, species and collection of one matrix (id with version).

    Raises:
        MotifError: the id is not in the bundled JASPAR release.
    """
    db = jaspar_db()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        motif = db.fetch_motif_by_id(matrix_id)
    if motif is None:
        raise MotifError(f"JASPAR has no matrix {matrix_id!r} in release {db.release}")
    taxa = [str(t) for t in (motif.species or []) if str(t).strip()]
    return Origin(
        tax_group=str(motif.tax_group or ""),
        species=tuple(_species_name(db, t) for t in taxa),
        collection=str(motif.collection or ""),
    )


def _species_name(db, tax_id: str) -> str:
    """The Latin name JASPAR's TAX table gives an NCBI taxonomy id (the id where none)."""
    conn = getattr(db, "conn", None)  # pyjaspar's SQLite connection
    if conn is None or not tax_id.isdigit():
        return tax_id
    row = conn.execute("SELECT SPECIES FROM TAX WHERE TAX_ID = ?", (int(tax_id),)).fetchone()
    return str(row[0]) if row and row[0] else tax_id


def short_name(motif: Motif, origin: Origin) -> str:
    """A motif-net's name for a matrix: ``MA0491.3 JUND``, with the group added outside
    vertebrates and the collection outside CORE (``MA2388.1 GATA1 (plants)``)."""
    tags = [origin.tax_group] if origin.tax_group and origin.tax_group != PREFERRED_GROUP else []
    if origin.collection and origin.collection != "CORE":
        tags.append(origin.collection.lower())
    return f"{motif.id} {motif.name}" + (f" ({', '.join(tags)})" if tags else "")


def label(motif: Motif, origin: Origin, width: int | None = None) -> str:
    """``MA0138.3 REST (Homo sapiens, vertebrates; centre 15 of 20 columns)``: the
    matrix, where it comes from and, when it is wider than ``width``, the columns kept."""
    detail = origin.describe()
    if width is not None and motif.width > width:
        detail += f"; centre {width} of {motif.width} columns"
    return f"{motif.id} {motif.name} ({detail})" if detail else f"{motif.id} {motif.name}"


class JasparChoice(NamedTuple):
    """The matrices a list of TF names and ids resolves to.

    Attributes:
        motifs: the matrices, each once, in first-named order.
        origins: one :class:`Origin` per motif.
        left_out: labels of matrices a name found but the group or collection left out.
        release: the JASPAR release they were read from, e.g. ``JASPAR2026``.
        rule: what was kept, in words (for saying why some were left out).
    """

    motifs: list[Motif]
    origins: list[Origin]
    left_out: list[str]
    release: str
    rule: str

    def labels(self, width: int | None = None) -> list[str]:
        """One :func:`label` per motif."""
        return [label(m, o, width) for m, o in zip(self.motifs, self.origins, strict=True)]

    def names(self) -> list[str]:
        """One :func:`short_name` per motif."""
        return [short_name(m, o) for m, o in zip(self.motifs, self.origins, strict=True)]

    def described(self, width: int | None = None) -> str:
        """``MA0035.5 GATA1 (Homo sapiens, vertebrates); ... (JASPAR2026).`` and the
        :meth:`note` on what was left out: what the Train page and ``train`` say after
        "Starts from" (labels hold commas, so ";" parts them)."""
        said = f"{'; '.join(self.labels(width))} ({self.release})."
        return f"{said} {self.note()}".strip()

    def note(self) -> str:
        """What the names found but were left out, and how to use one; "" when none."""
        if not self.left_out:
            return ""
        one = len(self.left_out) == 1
        return (
            f"Left out ({self.rule}): {', '.join(self.left_out)}. Give "
            f"{'its id' if one else 'a matrix id'} to start from {'it' if one else 'one'} too."
        )


def _rule(tax_group: str | None) -> str:
    if tax_group is None:
        return "every matrix of each name"
    if tax_group == "all":
        return "CORE matrices only"
    if tax_group == "auto":
        return f"CORE only; a name with {PREFERRED_GROUP} matrices among several groups keeps those"
    return f"{tax_group} CORE matrices only"


def _check_group(tax_group: str | None) -> None:
    from genoviz.interpret.matching import TAX_GROUPS

    if tax_group is not None and tax_group not in (*TAX_MODES, *TAX_GROUPS):
        raise ValueError(
            f"jaspar_tax_group {tax_group!r} is not a JASPAR taxonomic group; choose one of "
            f"{', '.join(TAX_GROUPS)}, or auto or all"
        )


def _name_hits(key: str) -> list[str]:
    """Ids (with version, latest of each) of every matrix JASPAR files under a TF name,
    in any group or collection, case-insensitive, sorted."""
    with warnings.catch_warnings():  # pyjaspar warns on no hits; we raise instead
        warnings.simplefilter("ignore")
        hits = jaspar_db().fetch_motifs_by_name(key) or []
    return sorted(str(m.matrix_id) for m in hits)


def _keep(ids: list[str], tax_group: str) -> list[str]:
    core = [i for i in ids if jaspar_origin(i).collection == "CORE"]
    if tax_group == "all":
        return core
    if tax_group == "auto":
        groups = {jaspar_origin(i).tax_group for i in core}
        if len(groups) > 1 and PREFERRED_GROUP in groups:
            return [i for i in core if jaspar_origin(i).tax_group == PREFERRED_GROUP]
        return core
    return [i for i in core if jaspar_origin(i).tax_group == tax_group]


def choose_jaspar(keys: Sequence[str], tax_group: str | None = None) -> JasparChoice:
    """Resolve TF names and matrix ids to JASPAR matrices.

    An id (``MA0139.2``, ``MA0139`` for its latest version, ``UN0122.2``) gives that
    matrix, whatever ``tax_group`` says. A name gives the latest version of each matrix
    JASPAR files under it, narrowed by ``tax_group``:

    - ``None``: every one, in any group or collection (``GATA1`` -> MA0035.5, human, and
      MA2388.1, Arabidopsis); how runs saved before this option were built;
    - ``auto``: the CORE ones, and of a name whose CORE matrices come from several
      groups, the vertebrate ones (``GATA1`` -> MA0035.5; a plant-only name keeps its
      plant matrices);
    - ``all``: the CORE ones of every group;
    - a group (``vertebrates``, ``plants``, ``insects``, ...): the CORE ones of that group.

    A matrix named twice (``CTCF, CTCF`` or ``CTCF, MA0139.2``) is taken once.

    Raises:
        MotifError: an id or name JASPAR does not have (:class:`JasparGroupError` when
            the name has matrices, but none the rule keeps).
        ValueError: a ``tax_group`` that is no JASPAR group.
    """
    _check_group(tax_group)
    release = str(jaspar_db().release)
    found: list[Motif] = []
    dropped: list[str] = []
    for key in keys:
        if MATRIX_ID.match(key):
            found.append(fetch_jaspar(key.upper()))
            continue
        ids = _name_hits(key)
        if not ids:
            raise MotifError(f"JASPAR has no matrix for a factor named {key!r}")
        keep = ids if tax_group is None else _keep(ids, tax_group)
        if not keep:
            group = tax_group not in TAX_MODES
            others = ", ".join(label(fetch_jaspar(i), jaspar_origin(i)) for i in ids)
            raise JasparGroupError(
                f"JASPAR has no {f'{tax_group} ' if group else ''}CORE matrix for a factor "
                f"named {key!r}, only {others}; give a matrix id to start from one"
                + (", or choose its taxonomic group" if group else "")
            )
        found += [fetch_jaspar(i) for i in keep]
        dropped += [i for i in ids if i not in keep]
    motifs = list({m.id: m for m in found}.values())  # one of each, in first-named order
    chosen = {m.id for m in motifs}
    left_out = [
        label(fetch_jaspar(i), jaspar_origin(i)) for i in dict.fromkeys(dropped) if i not in chosen
    ]
    return JasparChoice(
        motifs=motifs,
        origins=[jaspar_origin(m.id) for m in motifs],
        left_out=left_out,
        release=release,
        rule=_rule(tax_group),
    )


def resolve_jaspar(keys: Sequence[str], tax_group: str | None = None) -> list[Motif]:
    """The matrices of :func:`choose_jaspar`, without where they come from."""
    return choose_jaspar(keys, tax_group).motifs
