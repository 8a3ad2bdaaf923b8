"""``splice-sites``: 400 bp windows centred on a donor, an acceptor, or neither.

Stands for DNABERT's splice-site set (400 bp, three classes). The exon-intron boundary of a
centred site lies between indices 199 and 200, so a donor's GT sits at 200-201 and an
acceptor's AG at 198-199. Design choices, each mirroring something real:

- donors MAG|GURAGU are sampled from the human 5' splice-site matrix (exon -3..-1, intron
  +1..+6) and acceptors YAG|G from the 3' splice-site matrix (intron -15..-1, exon +1..+2),
  both from Zhang (1998);
- each acceptor has a branch point (YNYURAY, Zhang's branch matrix) whose A lies 18-40 nt
  upstream of the AG, a pyrimidine-rich tract from there to the 3' splice site, and no AG
  in between (the AG exclusion zone);
- exons are GC-richer than introns; a donor window may hold the acceptor at the start of its
  exon 50-150 nt upstream (and an acceptor window the donor downstream), so a model must
  use position, not just "is there a splice signal";
- "neither" windows carry a decoy GT (at 200) or AG (at 198) without its context, some sit
  inside exons, and a quarter hold a real site away from the centre;
- half of those decoys are pseudo sites: the donor or 3' splice-site matrix flattened half
  way towards uniform around the GT or AG, with no exon, branch point or pyrimidine tract,
  as the genome's many pseudo splice sites (Sun & Chasin 2000) match the consensus less
  well and lack the real context. They keep the set from being solved by the consensus
  alone: the default cnn reaches a one-vs-rest ROC AUC of about 0.955 after 4 epochs and
  0.975 after 20 (accuracy 0.84 and 0.90), where it reached 0.97 after 4 without them.

The labels depend on strand (``strand_symmetric=False``): a reverse-complemented donor is
not a donor.
"""

from __future__ import annotations

import numpy as np

from genoviz.data.background import markov_sequences, to_strings
from genoviz.data.dataset import Dataset, DatasetMeta
from genoviz.motifs import sample_from_pfm
from genoviz.sequences import ALPHABET

LENGTH = 400
BOUNDARY = 200  # first base after the exon-intron (donor) or intron-exon (acceptor) cut
CLASSES = ["neither", "donor", "acceptor"]
_CODES = np.frombuffer(ALPHABET.encode(), dtype=np.uint8)

# Human splice-site matrices from Zhang (1998) Hum Mol Genet 7:919 (low-GC loci), as
# tabulated in Deonier, Tavare & Waterman (2005) Computational Genome Analysis, Table 14.3.
# Rows A, C, G, T. Donor columns: exon -3, -2, -1 | intron +1 (G), +2 (T), +3 .. +6.
DONOR_PFM = np.array(
    [
        [0.38, 0.62, 0.12, 0.00, 0.00, 0.71, 0.73, 0.11, 0.21],
        [0.31, 0.10, 0.04, 0.00, 0.00, 0.02, 0.06, 0.06, 0.10],
        [0.18, 0.12, 0.77, 1.00, 0.00, 0.24, 0.08, 0.75, 0.14],
        [0.13, 0.16, 0.07, 0.00, 1.00, 0.03, 0.13, 0.08, 0.55],
    ]
)
DONOR_OFFSET = -3  # first column relative to BOUNDARY
# Acceptor columns: intron -15 .. -5, -4, -3, -2 (A), -1 (G) | exon +1, +2.
ACCEPTOR_PFM = (
    np.array(
        [
            [15, 14, 13, 11, 10, 10, 11, 12, 13, 11, 10, 26, 7, 100, 0, 26, 24],
            [24, 21, 20, 22, 21, 22, 25, 28, 28, 25, 22, 25, 55, 0, 0, 11, 15],
            [10, 12, 10, 9, 10, 9, 10, 10, 8, 5, 5, 15, 1, 0, 100, 50, 20],
            [51, 53, 57, 58, 59, 59, 54, 50, 51, 59, 63, 33, 37, 0, 0, 13, 41],
        ]
    )
    / 100.0
)
ACCEPTOR_OFFSET = -15
# Branch point, columns -5 .. +1 around the branch A (YNYURAY).
BRANCH_PFM = np.array(
    [
        [0.25, 0.25, 0.00, 0.00, 0.39, 1.00, 0.18],
        [0.19, 0.22, 0.60, 0.02, 0.24, 0.00, 0.33],
        [0.15, 0.17, 0.00, 0.00, 0.32, 0.00, 0.03],
        [0.41, 0.36, 0.40, 0.98, 0.05, 0.00, 0.46],
    ]
)
BRANCH_A = 5  # column of the branch A
BRANCH_DISTANCE = (18, 40)  # nt from the branch A to the G of the acceptor AG
PPT_PROBS = np.array([0.12, 0.23, 0.09, 0.56])  # Zhang's -15..-5 average: pyrimidine-rich
EXON_LENGTH = (50, 150)
#: Share of "neither" windows with a pseudo site at the centre, and how far its matrix is
#: flattened towards uniform. Pseudo splice sites far outnumber real ones in the genome
#: (Sun & Chasin 2000); they match the consensus less well and lack the real context.
PSEUDO_RATE, PSEUDO_MIX = 0.5, 0.5
_NEG_BOUNDARIES = np.r_[50:151, 250:391]  # off-centre sites in "neither" windows


def _normalise(pfm: np.ndarray) -> np.ndarray:
    return pfm / pfm.sum(axis=0, keepdims=True)


def _write(codes: np.ndarray, rows: np.ndarray, starts: np.ndarray, site: np.ndarray) -> None:
    codes[rows[:, None], starts[:, None] + np.arange(site.shape[1])] = site


def weakened(pfm: np.ndarray, mix: float, fixed: tuple[int, int]) -> np.ndarray:
    """A pseudo-site matrix: ``pfm`` mixed ``mix`` of the way towards uniform, except the
    two ``fixed`` columns (the GT or AG), which keep their consensus base."""
    out = (1 - mix) * _normalise(pfm) + mix * 0.25
    out[:, list(fixed)] = _normalise(pfm)[:, list(fixed)]
    return out


def _plant_donors(
    codes: np.ndarray,
    rows: np.ndarray,
    bounds: np.ndarray,
    rng: np.random.Generator,
    pfm: np.ndarray | None = None,
) -> None:
    pfm = _normalise(DONOR_PFM) if pfm is None else pfm
    _write(codes, rows, bounds + DONOR_OFFSET, sample_from_pfm(pfm, len(rows), rng))


def _plant_acceptors(
    codes: np.ndarray, rows: np.ndarray, bounds: np.ndarray, rng: np.random.Generator
) -> np.ndarray:
    """Branch point, pyrimidine tract, AG exclusion zone and 3' site; returns branch A indices."""
    m = len(rows)
    branch_a = bounds - 1 - rng.integers(BRANCH_DISTANCE[0], BRANCH_DISTANCE[1] + 1, size=m)
    # Pyrimidine tract from just after the branch point up to the acceptor matrix.
    col = np.arange(LENGTH)
    tract = (col >= (branch_a + 2)[:, None]) & (col < (bounds + ACCEPTOR_OFFSET)[:, None])
    draws = _CODES[(rng.random((m, LENGTH, 1)) > np.cumsum(PPT_PROBS)[:-1]).sum(axis=2)]
    sub = codes[rows]
    sub[tract] = draws[tract]
    _write(sub, np.arange(m), branch_a - BRANCH_A, sample_from_pfm(BRANCH_PFM, m, rng))
    acc = sample_from_pfm(_normalise(ACCEPTOR_PFM), m, rng)
    _write(sub, np.arange(m), bounds + ACCEPTOR_OFFSET, acc)
    # AG exclusion zone: no AG between the branch point and the real AG (its A at bound-2).
    zone = (col[:-1] > branch_a[:, None]) & (col[:-1] + 1 < (bounds - 2)[:, None])
    ag = zone & (sub[:, :-1] == ord("A")) & (sub[:, 1:] == ord("G"))
    sub[:, :-1][ag] = np.where(rng.random(int(ag.sum())) < 0.5, ord("C"), ord("T"))
    codes[rows] = sub
    return branch_a


def build_splice_sites(
    seed: int = 0,
    n: int = 6_000,
    flank_rate: float = 0.5,
    pseudo_rate: float = PSEUDO_RATE,
    pseudo_mix: float = PSEUDO_MIX,
) -> Dataset:
    """Simulate the set: a third each of neither (0), donor (1) and acceptor (2).

    ``pseudo_rate`` of the "neither" windows hold a pseudo site at the centre instead of a
    bare GT or AG: the donor or 3' splice-site matrix weakened ``pseudo_mix`` of the way
    towards uniform, without the exon, branch point or pyrimidine tract of a real site.
    """
    rng = np.random.default_rng(seed)
    labels = rng.permutation(np.arange(n) % 3)
    # Sites as parallel arrays: row, kind (1 donor, 2 acceptor), boundary, role.
    rows, kinds, bounds, roles = [], [], [], []

    def add(r: np.ndarray, kind: np.ndarray | int, b: np.ndarray, role: str) -> None:
        rows.append(r)
        kinds.append(np.broadcast_to(kind, r.shape))
        bounds.append(b)
        roles.append(np.full(r.shape, role))

    for kind in (1, 2):
        r = np.flatnonzero(labels == kind)
        add(r, kind, np.full(len(r), BOUNDARY), "centre")
        r = r[rng.random(len(r)) < flank_rate]  # the other end of the exon, in the window
        exon = rng.integers(EXON_LENGTH[0], EXON_LENGTH[1] + 1, size=len(r))
        add(r, 3 - kind, BOUNDARY - exon if kind == 1 else BOUNDARY + exon, "flank")
    neg = np.flatnonzero(labels == 0)
    flank_neg = rng.random(len(neg)) < 0.25
    r = neg[flank_neg]
    add(r, rng.integers(1, 3, size=len(r)), rng.choice(_NEG_BOUNDARIES, size=len(r)), "flank")
    row, kind, bound, role = (np.concatenate(x) for x in (rows, kinds, bounds, roles))

    # Exons: after an acceptor, before a donor, up to the partner site or the window edge.
    exon_lo = np.zeros(n, dtype=np.int64)
    exon_hi = np.zeros(n, dtype=np.int64)
    inside = neg[~flank_neg][rng.random(int((~flank_neg).sum())) < 0.2]
    exon_hi[inside] = LENGTH  # "neither" windows deep inside a long exon
    for k, lo_side in ((2, True), (1, False)):  # acceptors first: donors then clip the end
        sel = kind == k
        if lo_side:
            exon_lo[row[sel]], exon_hi[row[sel]] = bound[sel], LENGTH
        else:
            has_acc = exon_hi[row[sel]] > 0
            exon_lo[row[sel]] = np.where(has_acc, exon_lo[row[sel]], 0)
            exon_hi[row[sel]] = bound[sel]
    col = np.arange(LENGTH)
    is_exon = (col >= exon_lo[:, None]) & (col < exon_hi[:, None])
    intron = markov_sequences(n, LENGTH, rng, gc_shift=rng.normal(-0.1, 0.2, size=n))
    exonic = markov_sequences(n, LENGTH, rng, gc_shift=rng.normal(0.35, 0.2, size=n))
    codes = np.where(is_exon, exonic, intron)

    branch = np.full(len(row), -1)
    acc = kind == 2
    branch[acc] = _plant_acceptors(codes, row[acc], bound[acc], rng)
    _plant_donors(codes, row[~acc], bound[~acc], rng)
    gt_decoy = rng.random(len(neg)) < 0.5
    pseudo = rng.random(len(neg)) < pseudo_rate
    codes[neg[gt_decoy], BOUNDARY : BOUNDARY + 2] = np.frombuffer(b"GT", dtype=np.uint8)
    codes[neg[~gt_decoy], BOUNDARY - 2 : BOUNDARY] = np.frombuffer(b"AG", dtype=np.uint8)
    pd_rows, pa_rows = neg[pseudo & gt_decoy], neg[pseudo & ~gt_decoy]
    donor_cols = (-DONOR_OFFSET, 1 - DONOR_OFFSET)
    _plant_donors(
        codes,
        pd_rows,
        np.full(len(pd_rows), BOUNDARY),
        rng,
        weakened(DONOR_PFM, pseudo_mix, donor_cols),
    )
    acc_cols = (-ACCEPTOR_OFFSET - 2, -ACCEPTOR_OFFSET - 1)
    _write(
        codes,
        pa_rows,
        np.full(len(pa_rows), BOUNDARY + ACCEPTOR_OFFSET),
        sample_from_pfm(weakened(ACCEPTOR_PFM, pseudo_mix, acc_cols), len(pa_rows), rng),
    )

    order = np.lexsort((bound, row))
    sites = [
        [int(row[i]), CLASSES[kind[i]], int(bound[i]), str(role[i]), int(branch[i])] for i in order
    ]
    has_exon = np.flatnonzero(exon_hi > exon_lo)
    decoys = sorted(
        [int(i), "GT" if d else "AG", BOUNDARY if d else BOUNDARY - 2, "pseudo" if p else "bare"]
        for i, d, p in zip(neg, gt_decoy, pseudo, strict=True)
    )
    meta = DatasetMeta(
        name="splice-sites",
        description=(
            "Splice-site recognition (3 classes: 0 neither, 1 donor, 2 acceptor): 400 bp "
            "windows with the site's exon-intron boundary between indices 199 and 200. "
            "Simulated: donors and acceptors sampled from human splice-site matrices, each "
            "acceptor with a branch point 18-40 nt upstream of its AG and a pyrimidine "
            "tract, GC-richer exons, the partner site of the exon sometimes in the window, "
            "and 'neither' windows with decoy GT/AG dinucleotides out of context, half of "
            "them pseudo sites (weaker matches to the splice-site matrix, no branch point, "
            "tract or exon)."
        ),
        source=(
            "Simulated by genoviz from published human splice-site, branch-point and "
            "polypyrimidine-tract frequencies (Zhang 1998). Real counterpart: DNABERT's "
            "splice-site set (400 bp windows around Ensembl GRCh38 donors and acceptors, "
            "after SpliceFinder, Wang et al. 2019)."
        ),
        citation=(
            "Zhang (1998) Statistical features of human exons and their flanking regions, "
            "Hum Mol Genet 7:919, via Deonier, Tavare & Waterman (2005) Computational "
            "Genome Analysis, Springer, Table 14.3; Shapiro & Senapathy (1987) Nucleic "
            "Acids Res 15:7155; Gooding et al. (2006) Genome Biol 7:R1 (AG exclusion zone); "
            "Sun & Chasin (2000) Mol Cell Biol 20:6414 (pseudo splice sites); "
            "Ji et al. (2021) DNABERT, Bioinformatics 37:2112; Wang et al. (2019) "
            "SpliceFinder, BMC Bioinformatics 20:1."
        ),
        strand_symmetric=False,
        simulated=True,
        ground_truth={
            "boundary": BOUNDARY,
            "columns": ["index", "site", "boundary", "role", "branch_point"],
            "sites": sites,
            "decoy_columns": ["index", "dinucleotide", "start", "kind"],
            "decoys": decoys,
            "exons": [[int(i), int(exon_lo[i]), int(exon_hi[i])] for i in has_exon],
            "donor_pfm": DONOR_PFM.tolist(),
            "acceptor_pfm": ACCEPTOR_PFM.tolist(),
            "branch_pfm": BRANCH_PFM.tolist(),
        },
        notes={
            "seed": seed,
            "n": n,
            "classes": CLASSES,
            "flank_rate": flank_rate,
            "pseudo_rate": pseudo_rate,
            "pseudo_mix": pseudo_mix,
        },
    )
    return Dataset(
        sequences=to_strings(codes),
        labels=labels.astype(np.float32),
        task="multiclass",
        meta=meta,
        ids=[f"ss{i:05d}" for i in range(n)],
    )
