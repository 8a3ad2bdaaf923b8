"""``codon-corpus`` and ``codon-species``: coding sequences from several species.

For a multilingual-BERT experiment: each species is a "language" whose words are codons.
Codon usage comes from real tables (Kazusa, via ``python_codon_tables``) and each species
reads its CDS with its own NCBI genetic code (Biopython). A Mycoplasma-like species uses
B. subtilis codon usage under code 4, where TGA means Trp, not stop. Proteins are simulated:
residues drawn independently from the average Swiss-Prot amino-acid composition (the same
for every species), so species differ only in how they spell a protein.

Views (pure functions) turn a CDS into token "sentences": in-frame codons (frames 1 and 2
are the control), overlapping 3-mers, amino acids, or a CDS-protein parallel pair.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from typing import NamedTuple

import numpy as np
import python_codon_tables as pct
from Bio.Data import CodonTable

from genoviz.data.dataset import Dataset, DatasetMeta


@dataclass(frozen=True)
class Species:
    name: str
    codon_table: str  # python_codon_tables name
    genetic_code: int  # NCBI translation table id


SPECIES: tuple[Species, ...] = (
    Species("e_coli", "e_coli_316407", 11),
    Species("b_subtilis", "b_subtilis_1423", 11),
    Species("mycoplasma_like", "b_subtilis_1423", 4),
    Species("s_cerevisiae", "s_cerevisiae_4932", 1),
    Species("c_elegans", "c_elegans_6239", 1),
    Species("d_melanogaster", "d_melanogaster_7227", 1),
    Species("g_gallus", "g_gallus_9031", 1),
    Species("h_sapiens", "h_sapiens_9606", 1),
    Species("m_musculus", "m_musculus_10090", 1),
)
SPECIES_NAMES = [s.name for s in SPECIES]
#: Share of Trp codons spelled TGA under code 4: UGA is the commoner Trp codon in
#: mycoplasmas (Yamao et al. 1985); the exact share is our choice.
TGA_TRP_SHARE = 0.75
# Average Swiss-Prot amino-acid composition (%), as listed by PROSITE for its
# compositional-bias profiles (e.g. PS50324).
AA_PERCENT = {
    "A": 7.55, "C": 1.69, "D": 5.30, "E": 6.32, "F": 4.07, "G": 6.84, "H": 2.24,
    "I": 5.72, "K": 5.93, "L": 9.33, "M": 2.35, "N": 4.52, "P": 4.92, "Q": 4.02,
    "R": 5.15, "S": 7.22, "T": 5.74, "V": 6.52, "W": 1.25, "Y": 3.19,
}  # fmt: skip
AMINO_ACIDS = "".join(AA_PERCENT)
CODONS = [a + b + c for a in "TCAG" for b in "TCAG" for c in "TCAG"]
_CODON_BYTES = np.frombuffer("".join(CODONS).encode(), dtype=np.uint8).reshape(64, 3)
SEP = "[SEP]"
VIEWS = ("codon", "codon-frame1", "codon-frame2", "3mer", "protein", "parallel")


@dataclass(frozen=True)
class CodonUsage:
    """One species' sampling model: per amino acid (and ``*``), codon indices and probs."""

    codons: dict[str, np.ndarray]
    probs: dict[str, np.ndarray]

    def relative_frequencies(self) -> dict[str, dict[str, float]]:
        return {
            aa: {CODONS[c]: float(p) for c, p in zip(self.codons[aa], self.probs[aa], strict=True)}
            for aa in self.codons
        }


def genetic_code(species: Species | str | int) -> CodonTable.CodonTable:
    """The NCBI (Biopython) DNA codon table a species reads its genes with."""
    sp = _species(species)
    return CodonTable.unambiguous_dna_by_id[sp.genetic_code]


@lru_cache(maxsize=16)
def codon_usage(species: Species | str | int) -> CodonUsage:
    """Codon probabilities per amino acid, restricted to the species' genetic code.

    A codon keeps its relative frequency from the usage table when the code agrees with the
    table's (standard) meaning; codons the code reassigns (TGA -> Trp under code 4) get
    :data:`TGA_TRP_SHARE` of their new amino acid.
    """
    sp = _species(species)
    table = pct.get_codons_table(sp.codon_table)  # read from the package's bundled CSVs
    code = genetic_code(sp)
    meaning = dict(code.forward_table) | dict.fromkeys(code.stop_codons, "*")
    codons, probs = {}, {}
    for aa in [*AMINO_ACIDS, "*"]:
        mine = [c for c in CODONS if meaning.get(c) == aa]
        known = np.array([table[aa].get(c, 0.0) for c in mine])
        reassigned = np.array([c not in table[aa] for c in mine])
        if reassigned.any():
            known = known / known.sum() * (1 - TGA_TRP_SHARE)
            known[reassigned] = TGA_TRP_SHARE / reassigned.sum()
        codons[aa] = np.array([CODONS.index(c) for c in mine])
        probs[aa] = known / known.sum()
    return CodonUsage(codons, probs)


def _species(species: Species | str | int) -> Species:
    if isinstance(species, Species):
        return species
    if isinstance(species, int):
        return SPECIES[species]
    if species not in SPECIES_NAMES:
        raise ValueError(f"unknown species {species!r}; choose one of {', '.join(SPECIES_NAMES)}")
    return SPECIES[SPECIES_NAMES.index(species)]


def _draw(usage: CodonUsage, residues: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """Codon indices for residue symbols (``AMINO_ACIDS`` letters or ``*``), vectorised."""
    out = np.empty(len(residues), dtype=np.int64)
    u = rng.random(len(residues))
    for aa in np.unique(residues):
        sel = residues == aa
        cdf = np.cumsum(usage.probs[aa])
        out[sel] = usage.codons[aa][(u[sel, None] > cdf[:-1]).sum(axis=1)]
    return out


def _residues(n: int, rng: np.random.Generator) -> np.ndarray:
    p = np.array(list(AA_PERCENT.values()))
    return np.array(list(AMINO_ACIDS))[rng.choice(len(p), size=n, p=p / p.sum())]


class Genes(NamedTuple):
    cds: list[str]
    proteins: list[str]


def simulate_genes(
    species: Species | str | int, n: int, rng: np.random.Generator, median_length: int = 250
) -> Genes:
    """``n`` (CDS, protein) pairs: ATG + one codon per residue + a stop of the species' code.

    Protein lengths are log-normal (median ``median_length`` residues, 50-800); the protein
    is returned without the stop symbol.
    """
    usage = codon_usage(species)
    lengths = np.clip(rng.lognormal(np.log(median_length), 0.5, size=n), 50, 800).astype(int)
    body = _residues(int((lengths - 1).sum()), rng)
    body_codons = _CODON_BYTES[_draw(usage, body, rng)].tobytes().decode()
    stops = _CODON_BYTES[_draw(usage, np.full(n, "*"), rng)].tobytes().decode()
    residues = "".join(body)
    cds, proteins, at = [], [], 0
    for k, length in enumerate(lengths):
        m = length - 1
        cds.append("ATG" + body_codons[3 * at : 3 * (at + m)] + stops[3 * k : 3 * k + 3])
        proteins.append("M" + residues[at : at + m])
        at += m
    return Genes(cds, proteins)


def codon_sentences(cds: str, frame: int = 0) -> list[str]:
    """Non-overlapping 3-mers starting at ``frame`` (0 = the reading frame; 1, 2 = controls)."""
    if frame not in (0, 1, 2):
        raise ValueError(f"frame must be 0, 1 or 2, not {frame}")
    return [cds[i : i + 3] for i in range(frame, len(cds) - 2, 3)]


def overlapping_3mers(cds: str) -> list[str]:
    """Every 3-mer, stride 1 (DNABERT-style, k = 3): ``len(cds) - 2`` tokens."""
    return [cds[i : i + 3] for i in range(len(cds) - 2)]


def protein_sentence(protein: str) -> list[str]:
    """One token per residue; a trailing stop ``*`` is dropped."""
    return list(protein.rstrip("*"))


def parallel_pair(cds: str, protein: str) -> list[str]:
    """In-frame codons, then ``[SEP]``, then the amino acids: a translation pair."""
    return [*codon_sentences(cds), SEP, *protein_sentence(protein)]


def corpus_view(
    dataset: Dataset, view: str = "codon", species: str | int | None = None
) -> list[list[str]]:
    """Token lists for one view of a codon dataset, for one species or pooled (``None``).

    Args:
        view: one of :data:`VIEWS`; ``protein`` and ``parallel`` need the proteins that
            ``codon-corpus`` keeps in ``meta.ground_truth['proteins']``.
    """
    if view not in VIEWS:
        raise ValueError(f"unknown view {view!r}; choose one of {', '.join(VIEWS)}")
    names = dataset.meta.notes.get("species", SPECIES_NAMES)
    rows = np.arange(len(dataset))
    if species is not None:
        idx = species if isinstance(species, int) else names.index(species)
        rows = np.flatnonzero(dataset.labels == idx)
    seqs = [dataset.sequences[i] for i in rows]
    if view in ("protein", "parallel"):
        proteins = dataset.meta.ground_truth.get("proteins")
        if proteins is None:
            raise ValueError(f"the {view!r} view needs proteins; {dataset.name} has none")
        prots = [proteins[i] for i in rows]
        if view == "protein":
            return [protein_sentence(p) for p in prots]
        return [parallel_pair(c, p) for c, p in zip(seqs, prots, strict=True)]
    if view == "3mer":
        return [overlapping_3mers(s) for s in seqs]
    frame = 0 if view == "codon" else int(view[-1])
    return [codon_sentences(s, frame) for s in seqs]


_CITATION = (
    "Nakamura, Gojobori & Ikemura (2000) Codon usage tabulated from international DNA "
    "sequence databases, Nucleic Acids Res 28:292 (Kazusa tables, via python_codon_tables "
    "0.1.18); Elzanowski & Ostell, The Genetic Codes, NCBI; Cock et al. (2009) Biopython, "
    "Bioinformatics 25:1422; Yamao et al. (1985) UGA is read as tryptophan in Mycoplasma "
    "capricolum, PNAS 82:2306; Sigrist et al. (2013) PROSITE, Nucleic Acids Res 41:D344 "
    "(Swiss-Prot average composition)."
)


def _card(name: str, description: str, seed: int, n: int, **extra) -> DatasetMeta:
    return DatasetMeta(
        name=name,
        description=description,
        source=(
            "Simulated by genoviz. Codon usage: Kazusa tables bundled in python_codon_tables "
            f"({', '.join(sorted({s.codon_table for s in SPECIES}))}); genetic codes: NCBI "
            "tables from Biopython (11 for the bacteria, 4 for the Mycoplasma-like species, "
            "1 for the eukaryotes); proteins: random residues with the average Swiss-Prot "
            "composition. Real counterpart: CDS and proteins from RefSeq / Ensembl / UniProt."
        ),
        citation=_CITATION,
        strand_symmetric=False,
        simulated=True,
        notes={
            "seed": seed,
            "n": n,
            "species": SPECIES_NAMES,
            "genetic_code": [s.genetic_code for s in SPECIES],
            "codon_table": [s.codon_table for s in SPECIES],
            **extra,
        },
    )


def build_codon_corpus(seed: int = 0, n_per_species: int = 200) -> Dataset:
    """The corpus (task ``lm``): full CDSs; ``labels`` = species index, proteins in
    ``meta.ground_truth['proteins']``."""
    rng = np.random.default_rng(seed)
    seqs, prots, labels = [], [], []
    for k, sp in enumerate(SPECIES):
        cds, proteins = simulate_genes(sp, n_per_species, rng)
        seqs += cds
        prots += proteins
        labels += [k] * n_per_species
    meta = _card(
        "codon-corpus",
        "Coding sequences (ATG ... stop) of nine species, for codon language models: "
        "one 'language' per species. SIMULATED: proteins drawn from the average Swiss-Prot "
        "amino-acid composition, each residue spelled with a codon drawn from the species' "
        "real codon-usage table under its own genetic code (a Mycoplasma-like species "
        "reads TGA as Trp). Labels are species indices; proteins are in ground_truth.",
        seed,
        len(seqs),
        n_per_species=n_per_species,
    )
    meta.ground_truth = {
        "proteins": prots,
        "codon_usage": {s.name: codon_usage(s).relative_frequencies() for s in SPECIES},
    }
    ids = [f"{SPECIES_NAMES[k]}_{i:04d}" for k in range(len(SPECIES)) for i in range(n_per_species)]
    return Dataset(seqs, np.array(labels, dtype=np.float32), "lm", meta, ids=ids)


def build_codon_species(seed: int = 0, n_per_species: int = 500, codons: int = 50) -> Dataset:
    """Species from a CDS fragment (task ``multiclass``): ``codons`` in-frame codons from
    inside a gene (no start or stop), labels = species index."""
    rng = np.random.default_rng(seed)
    seqs, labels = [], []
    for k, sp in enumerate(SPECIES):
        idx = _draw(codon_usage(sp), _residues(n_per_species * codons, rng), rng)
        flat = _CODON_BYTES[idx].tobytes().decode()
        step = 3 * codons
        seqs += [flat[i : i + step] for i in range(0, len(flat), step)]
        labels += [k] * n_per_species
    order = rng.permutation(len(seqs))
    meta = _card(
        "codon-species",
        f"Which species is this gene from? {3 * codons} nt in-frame CDS fragments of nine "
        "species (multiclass, labels = species index). SIMULATED like codon-corpus: the "
        "same protein composition for all, so only codon bias (and TGA-as-Trp in the "
        "Mycoplasma-like species) tells them apart.",
        seed,
        len(seqs),
        classes=SPECIES_NAMES,
        fragment_codons=codons,
    )
    return Dataset(
        [seqs[i] for i in order],
        np.array(labels, dtype=np.float32)[order],
        "multiclass",
        meta,
        ids=[f"frag{i:05d}" for i in range(len(seqs))],
    )
