"""``promoters``: 300 bp core-promoter windows against genomic and shuffled negatives.

Stands for DNABERT's Prom-300 (EPDnew human promoters, -249..+50 around the TSS). Design
choices, each mirroring something real:

- windows run from -249 to +50, so the TSS (the +1 base) sits at index 249;
- positives carry core-promoter elements *sampled* from matrices at their usual places,
  each present with some probability, as in real promoters: a TATA box (TBP, JASPAR
  MA0108) starting at -31 +/- 2 in about a quarter of them; an Inr (YYANWYY, the A at +1);
  a CCAAT box (NF-Y, MA0060) at -100..-60 and GC boxes (SP1, MA0079) at -150..-110 and
  -57..-43, either strand;
- most TATA-less positives sit in a CpG island: GC-rich, CpG only mildly depleted (a
  fifth of CpGs deaminated), where the TATA ones and the rest look like the genome;
- negatives are half genomic background (the human Markov chain) and half DNABERT-style
  hard negatives: a fresh promoter-like window cut into 20 segments, 8 kept in place and
  the other 12 shuffled among themselves, so composition (GC, CpG) matches the positives
  and only the arrangement of the elements tells them apart.

JASPAR CORE has no initiator matrix, so the Inr PFM is built from the IUPAC consensus
YYANWYY (Javahery et al. 1994) with 10% of each column spread evenly over all bases.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from genoviz.data.background import markov_sequences, to_strings
from genoviz.data.dataset import Dataset, DatasetMeta
from genoviz.data.jaspar_source import jaspar_citation
from genoviz.data.task_labels import class_weights
from genoviz.motifs import fetch_jaspar, reverse_complement_pfm, sample_from_pfm
from genoviz.sequences import ALPHABET

LENGTH = 300
TSS = 249  # index of the +1 base
N_SEGMENTS = 20
KEEP_SEGMENTS = 8
INR_IUPAC = "YYANWYY"
_CODES = np.frombuffer(ALPHABET.encode(), dtype=np.uint8)
_IUPAC = {"A": "A", "C": "C", "G": "G", "T": "T", "Y": "CT", "R": "AG", "W": "AT", "N": "ACGT"}

# element: (JASPAR id or None for Inr, start range relative to the TSS, both strands?)
ELEMENTS: dict[str, tuple[str | None, tuple[int, int], bool]] = {
    "TATA": ("MA0108", (-33, -29), False),
    "Inr": (None, (-2, -2), False),
    "CCAAT": ("MA0060", (-100, -67), True),
    "GC-box": ("MA0079", (-150, -110), True),
    "GC-box-proximal": ("MA0079", (-57, -43), True),
}


def iupac_pfm(pattern: str, softness: float = 0.1) -> np.ndarray:
    """A ``(4, W)`` PFM from an IUPAC string; ``softness`` of each column is uniform."""
    pfm = np.zeros((4, len(pattern)))
    for j, ch in enumerate(pattern):
        bases = _IUPAC[ch]
        for b in bases:
            pfm[ALPHABET.index(b), j] = 1.0 / len(bases)
    return (1.0 - softness) * pfm + softness / 4


def _cpg_island(
    m: int, rng: np.random.Generator, length: int = LENGTH, tss: int = TSS
) -> np.ndarray:
    """CpG-island-like windows, uint8 codes ``(m, length)``: GC ~0.55-0.7, CpG o/e ~0.8."""
    # GC peaks just upstream of the TSS and falls off on both sides, as CpG islands do.
    bump = np.exp(-(((np.arange(length) - (tss - 60)) / 90.0) ** 2))
    gc = np.clip(rng.normal(0.54, 0.04, size=m)[:, None] + 0.16 * bump, 0.4, 0.85)
    probs = np.stack([(1 - gc) / 2, gc / 2, gc / 2, (1 - gc) / 2], axis=2)  # (m, L, 4)
    idx = (rng.random((m, length, 1)) > np.cumsum(probs, axis=2)[:, :, :-1]).sum(axis=2)
    # Deaminate a fifth of CpGs (C->T on either strand) so CpG is mildly, not fully, depleted.
    cg = (idx[:, :-1] == 1) & (idx[:, 1:] == 2) & (rng.random((m, length - 1)) < 0.2)
    top = cg & (rng.random(cg.shape) < 0.5)
    idx[:, :-1][top] = 3  # CG -> TG
    idx[:, 1:][cg & ~top] = 0  # CG -> CA
    return _CODES[idx]


def _plant(
    codes: np.ndarray,
    rows: np.ndarray,
    pfm: np.ndarray,
    starts: np.ndarray,
    minus: np.ndarray,
    rng: np.random.Generator,
) -> None:
    """Write one sampled site per row at ``starts``; ``minus`` rows get the RC matrix."""
    w = pfm.shape[1]
    fwd = sample_from_pfm(pfm, len(rows), rng)
    rev = sample_from_pfm(reverse_complement_pfm(pfm), len(rows), rng)
    codes[rows[:, None], starts[:, None] + np.arange(w)] = np.where(minus[:, None], rev, fwd)


def _promoter_windows(
    m: int,
    rng: np.random.Generator,
    tata_rate: float,
    cgi_rate: float,
    length: int = LENGTH,
    tss: int = TSS,
) -> tuple[np.ndarray, np.ndarray, np.ndarray, list[list]]:
    """Promoter-like windows with planted elements (those whose range fits the window).

    Returns codes ``(m, length)``, TATA flags, CpG-island flags and instance rows
    ``[row, element, motif_id, start, strand]``.
    """
    tata = rng.random(m) < tata_rate
    cgi = ~tata & (rng.random(m) < cgi_rate)
    codes = markov_sequences(m, length, rng, gc_shift=rng.normal(0.0, 0.25, size=m))
    codes[cgi] = _cpg_island(int(cgi.sum()), rng, length, tss)
    presence = {
        "TATA": tata,
        "Inr": rng.random(m) < 0.5,
        "CCAAT": rng.random(m) < 0.3,
        "GC-box": rng.random(m) < np.where(cgi, 0.6, 0.25),
        "GC-box-proximal": rng.random(m) < np.where(cgi, 0.6, 0.25),
    }
    instances: list[list] = []
    for element, (motif_id, (lo, hi), both) in ELEMENTS.items():
        rows = np.flatnonzero(presence[element])
        if motif_id is None:
            pfm, mid = iupac_pfm(INR_IUPAC), f"IUPAC:{INR_IUPAC}"
        else:
            motif = fetch_jaspar(motif_id)
            pfm, mid = motif.pfm, motif.id
        lo, hi = max(lo, -tss), min(hi, length - tss - pfm.shape[1])
        if lo > hi:  # the element's usual place lies outside this window
            continue
        starts = tss + rng.integers(lo, hi + 1, size=len(rows))
        minus = (rng.random(len(rows)) < 0.5) if both else np.zeros(len(rows), dtype=bool)
        _plant(codes, rows, pfm, starts, minus, rng)
        name = element.removesuffix("-proximal")
        instances += [
            [int(r), name, mid, int(s), "-" if neg else "+"]
            for r, s, neg in zip(rows, starts, minus, strict=True)
        ]
    return codes, tata, cgi, instances


class Shuffled(NamedTuple):
    codes: np.ndarray  # (m, LENGTH) uint8
    order: np.ndarray  # (m, N_SEGMENTS): slot j holds original segment order[j] (-1: random)


def _segments_to_change(m: int, rng: np.random.Generator) -> np.ndarray:
    """Per row, the ``N_SEGMENTS - KEEP_SEGMENTS`` segment slots a negative changes:
    ``(m, 12)``; the other ``KEEP_SEGMENTS`` stay as they are."""
    return np.argsort(rng.random((m, N_SEGMENTS)), axis=1)[:, KEEP_SEGMENTS:]


def segment_shuffle(codes: np.ndarray, rng: np.random.Generator) -> Shuffled:
    """DNABERT-style hard negatives: per row, keep ``KEEP_SEGMENTS`` of ``N_SEGMENTS``
    segments in place and permute the rest among their own slots.

    ``codes``: uint8 ``(m, L)``. Segments are ``L // N_SEGMENTS`` long; the last
    ``L % N_SEGMENTS`` bases (if any) stay in place.
    """
    m, length = codes.shape
    seg = length // N_SEGMENTS
    cut = seg * N_SEGMENTS
    moved = _segments_to_change(m, rng)
    shuffled = np.take_along_axis(moved, np.argsort(rng.random(moved.shape), axis=1), axis=1)
    order = np.tile(np.arange(N_SEGMENTS), (m, 1))
    order[np.arange(m)[:, None], moved] = shuffled
    blocks = codes[:, :cut].reshape(m, N_SEGMENTS, seg)
    out = codes.copy()
    out[:, :cut] = np.take_along_axis(blocks, order[:, :, None], axis=1).reshape(m, cut)
    return Shuffled(out, order)


def segment_substitute(codes: np.ndarray, rng: np.random.Generator) -> Shuffled:
    """DeePromoter-style negatives: per row, keep ``KEEP_SEGMENTS`` of ``N_SEGMENTS``
    segments and fill the others with uniform random bases (Oubounyt et al. 2019, as
    their public re-implementations build them). Unlike :func:`segment_shuffle` this
    moves the composition towards 25% of each base.

    Returns the codes and, per row, each slot's source segment, with -1 for a slot
    of random bases (the last ``L % N_SEGMENTS`` bases stay in place).
    """
    m, length = codes.shape
    seg = length // N_SEGMENTS
    cut = seg * N_SEGMENTS
    replaced = _segments_to_change(m, rng)
    order = np.tile(np.arange(N_SEGMENTS), (m, 1))
    order[np.arange(m)[:, None], replaced] = -1
    out = codes.copy()
    noise = _CODES[rng.integers(0, 4, size=(m, cut))]
    fill = np.repeat(order == -1, seg, axis=1)
    out[:, :cut][fill] = noise[fill]
    return Shuffled(out, order)


def tata_flags(kinds: np.ndarray) -> list[int]:
    """1 for TATA-box promoters, else 0 (TATA-less promoters and every negative)."""
    return (np.asarray(kinds) == "tata").astype(int).tolist()


def build_promoters(
    seed: int = 0,
    n: int = 8_000,
    tata_rate: float = 0.25,
    cgi_rate: float = 0.8,
    hard_negative_rate: float = 0.6,
) -> Dataset:
    """Simulate the set: half positives; ``hard_negative_rate`` of the negatives are
    segment-shuffled promoters, the rest genomic background."""
    rng = np.random.default_rng(seed)
    n_pos = n // 2
    n_hard = round((n - n_pos) * hard_negative_rate)
    n_easy = n - n_pos - n_hard
    pos, tata, cgi, inst = _promoter_windows(n_pos, rng, tata_rate, cgi_rate)
    src, _, src_cgi, _ = _promoter_windows(n_hard, rng, tata_rate, cgi_rate)
    hard, order = segment_shuffle(src, rng)
    easy = markov_sequences(n_easy, LENGTH, rng, gc_shift=rng.normal(0.0, 0.25, size=n_easy))

    codes = np.concatenate([pos, hard, easy])
    kinds = np.array(
        ["tata" if t else "tata-less" for t in tata] + ["shuffled"] * n_hard + ["genomic"] * n_easy
    )
    cpg = np.concatenate([cgi, src_cgi, np.zeros(n_easy, dtype=bool)])
    perm = rng.permutation(n)  # final row i holds generated row perm[i]
    where = np.empty(n, dtype=np.int64)
    where[perm] = np.arange(n)
    codes, kinds, cpg = codes[perm], kinds[perm], cpg[perm]
    labels = (np.isin(kinds, ["tata", "tata-less"])).astype(np.float32)
    instances = sorted([int(where[r]), *rest] for r, *rest in inst)
    shuffles = sorted([int(where[n_pos + k]), order[k].tolist()] for k in range(n_hard))

    jaspar = [fetch_jaspar(mid) for mid, *_ in ELEMENTS.values() if mid]
    motifs = {m.id: m.name for m in jaspar}
    motifs[f"IUPAC:{INR_IUPAC}"] = "Inr (built from IUPAC; not in JASPAR CORE)"
    meta = DatasetMeta(
        name="promoters",
        description=(
            "Core promoters (binary): 300 bp windows from -249 to +50 around a TSS (index "
            "249), labelled 1 for promoters (half the set). Simulated: positives carry a "
            "TATA box (TBP, ~25%) starting at -31 +/- 2, an Inr at the TSS, CCAAT (NF-Y) "
            "and GC boxes (SP1) upstream, each sampled from its matrix and present only "
            "some of the time; most TATA-less ones are CpG-island-like. Negatives are "
            "genomic background (40%) and DNABERT-style hard negatives (60%): promoter "
            "windows cut into 20 segments with 8 kept in place and 12 shuffled, so GC "
            "content alone cannot separate the classes. Results can be split by "
            "ground_truth['tata']."
        ),
        source=(
            "Simulated by genoviz from JASPAR CORE (bundled in pyjaspar): TBP MA0108, "
            "NFYA MA0060, SP1 MA0079; the Inr matrix is built from the IUPAC consensus "
            "YYANWYY because JASPAR CORE has none. Real counterpart: DNABERT Prom-300 "
            "(EPDnew human promoters, -249..+50, with shuffled negatives), also in the "
            "GUE benchmark (prom_300_all / prom_300_tata / prom_300_notata)."
        ),
        citation=(
            "Ji et al. (2021) DNABERT, Bioinformatics 37:2112; Oubounyt et al. (2019) "
            "DeePromoter, Front Genet 10:286 (segment-shuffled negatives); Dreos et al. "
            "(2013) EPD and EPDnew, Nucleic Acids Res 41:D157; Smale & Kadonaga (2003) The "
            "RNA polymerase II core promoter, Annu Rev Biochem 72:449; Javahery et al. "
            "(1994) Mol Cell Biol 14:116; Gardiner-Garden & Frommer (1987) J Mol Biol "
            f"196:261; {jaspar_citation()}."
        ),
        strand_symmetric=False,
        simulated=True,
        ground_truth={
            "tss_index": TSS,
            "motifs": motifs,
            "columns": ["index", "element", "motif_id", "start", "strand"],
            "instances": instances,
            "kind": kinds.tolist(),
            "tata": tata_flags(kinds),
            "cpg_island": cpg.astype(int).tolist(),
            "shuffle": {"segments": N_SEGMENTS, "kept": KEEP_SEGMENTS, "orders": shuffles},
        },
        notes={
            "seed": seed,
            "n": n,
            "tata_rate": tata_rate,
            "hard_negative_rate": hard_negative_rate,
            "coordinates": "index = 249 + position relative to the TSS",
        },
    )
    return Dataset(
        sequences=to_strings(codes),
        labels=labels,
        task="binary",
        meta=meta,
        weights=class_weights(labels),
        ids=[f"prom{i:05d}" for i in range(n)],
    )


#: The DNABERT-sample proxy: 101 bp from -70 to +30 around the TSS (index 70 is +1).
CORE_LENGTH, CORE_TSS = 101, 70


#: Negatives :func:`build_core_promoters` can make.
CORE_NEGATIVES = ("shuffled", "substituted", "genomic")


def build_core_promoters(
    seed: int = 0,
    n: int = 1_000,
    tata_rate: float = 0.25,
    cgi_rate: float = 0.8,
    negatives: str = "shuffled",
) -> Dataset:
    """A stand-in for the promoter sample in DNABERT's repository (1,000 x 101 bp).

    Windows run from -70 to +30 (the TSS, +1, at index 70) and carry the elements of
    :func:`build_promoters` that fit: TATA near -30, Inr at the TSS, the proximal GC box
    and a CCAAT box squeezed into -70..-67. Half are positives; each negative is a
    positive of the set cut into 20 five-base segments with 8 kept in place and 12
    shuffled (one reading of DeePromoter's construction), so every negative has the base
    composition of a positive. ``negatives="substituted"`` fills the 12 with random bases
    instead (DeePromoter's construction as its public re-implementations read it), which
    shifts composition towards 25% each; ``negatives="genomic"`` makes them genomic
    background (the human Markov chain), the easiest kind. Not a
    bundled set: tests and benchmarks write it as a DNABERT 6-mer TSV to check the
    importer-to-CLI path on a realistic stranded file.
    """
    if negatives not in CORE_NEGATIVES:
        raise ValueError(f"negatives must be {' or '.join(CORE_NEGATIVES)}, not {negatives!r}")
    rng = np.random.default_rng(seed)
    n_pos = n // 2
    n_neg = n - n_pos
    pos, tata, cgi, inst = _promoter_windows(n_pos, rng, tata_rate, cgi_rate, CORE_LENGTH, CORE_TSS)
    source = rng.choice(n_pos, size=n_neg, replace=n_neg > n_pos)
    derived = negatives != "genomic"  # each negative is made from a source positive
    if derived:
        remake = segment_shuffle if negatives == "shuffled" else segment_substitute
        neg, order = remake(pos[source], rng)
        neg_cgi = cgi[source]  # a derived negative keeps (part of) its source's CpG island
    else:
        shift = rng.normal(0.0, 0.25, size=n_neg)
        neg = markov_sequences(n_neg, CORE_LENGTH, rng, gc_shift=shift)
        neg_cgi = np.zeros(n_neg, dtype=bool)
    codes = np.concatenate([pos, neg])
    kinds = np.array(["tata" if t else "tata-less" for t in tata] + [negatives] * n_neg)
    perm = rng.permutation(n)
    where = np.empty(n, dtype=np.int64)
    where[perm] = np.arange(n)
    cpg = np.concatenate([cgi, neg_cgi])[perm]
    codes, kinds = codes[perm], kinds[perm]
    made_from, segment_orders = {}, {}
    if derived:  # each negative's row -> its source positive's row, and its segment order
        for k, s in enumerate(source):
            row = int(where[n_pos + k])
            made_from[row], segment_orders[row] = int(where[s]), order[k].tolist()
    labels = np.isin(kinds, ["tata", "tata-less"]).astype(np.float32)
    meta = DatasetMeta(
        name="promoters-101",
        description=(
            "Core promoters (binary), 101 bp from -70 to +30 around a TSS (index 70), like "
            "the promoter sample in DNABERT's repository. Simulated like 'promoters'; every "
            + {
                "shuffled": "negative is a segment-shuffled positive (20 segments, 8 kept "
                "in place).",
                "substituted": "negative is a positive with 12 of 20 segments made random.",
                "genomic": "negative is genomic background.",
            }[negatives]
        ),
        source="Simulated by genoviz (see the 'promoters' card); a proxy, not real data.",
        citation="Ji et al. (2021) DNABERT, Bioinformatics 37:2112; Oubounyt et al. (2019).",
        strand_symmetric=False,
        simulated=True,
        ground_truth={
            "tss_index": CORE_TSS,
            "columns": ["index", "element", "motif_id", "start", "strand"],
            "instances": sorted([int(where[r]), *rest] for r, *rest in inst),
            "kind": kinds.tolist(),
            "tata": tata_flags(kinds),
            "cpg_island": cpg.astype(int).tolist(),
            "made_from": made_from,  # negative row -> the positive row it was made from
            "segment_orders": segment_orders,  # slot -> source segment; -1 = random bases
        },
        notes={
            "seed": seed,
            "n": n,
            "tata_rate": tata_rate,
            "cgi_rate": cgi_rate,
            "negatives": negatives,
        },
    )
    return Dataset(
        sequences=to_strings(codes),
        labels=labels,
        task="binary",
        meta=meta,
        ids=[f"core{i:04d}" for i in range(n)],
    )
