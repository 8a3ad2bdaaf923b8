"""The JASPAR release the simulated sets' matrices are read from, cited on their cards.

The matrices come from the SQLite release bundled inside pyjaspar (its default release,
the one :func:`genoviz.motifs.fetch_jaspar` reads), so the card names that release
rather than a fixed year: a newer pyjaspar brings newer matrices.
"""

from __future__ import annotations

from importlib.metadata import PackageNotFoundError, version

#: The papers of the releases whose reference we have checked; another release is cited by
#: its name and the JASPAR site.
RELEASE_PAPERS = {
    "JASPAR2020": "Fornes et al. (2020) JASPAR 2020, Nucleic Acids Res 48:D87",
    "JASPAR2022": "Castro-Mondragon et al. (2022) JASPAR 2022, Nucleic Acids Res 50:D165",
    "JASPAR2024": "Rauluseviciute et al. (2024) JASPAR 2024, Nucleic Acids Res 52:D174",
}
PYJASPAR = "Khan (2021) pyJASPAR, Zenodo doi:10.5281/zenodo.4485856"


def jaspar_release() -> str:
    """The bundled release the matrices are read from, e.g. ``JASPAR2026``."""
    from genoviz.motifs import jaspar_db

    return str(jaspar_db().release)


def jaspar_citation(release: str | None = None) -> str:
    """The citation of ``release`` (default: the one the matrices are read from) and of
    the pyjaspar that bundles it, e.g. ``JASPAR 2026 (release JASPAR2026 as bundled in
    pyjaspar 4.0.0, https://jaspar.elixir.no); Khan (2021) pyJASPAR, ...``."""
    release = release or jaspar_release()
    try:
        bundled = f"pyjaspar {version('pyjaspar')}"
    except PackageNotFoundError:  # run from a source tree
        bundled = "pyjaspar"
    year = release.removeprefix("JASPAR")
    where = f"release {release} as bundled in {bundled}"
    paper = RELEASE_PAPERS.get(release)
    cited = f"{paper} ({where})" if paper else f"JASPAR {year} ({where}, https://jaspar.elixir.no)"
    return f"{cited}; {PYJASPAR}"
