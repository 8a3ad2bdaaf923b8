"""``tf-multitask``: 200 bp windows, four binding labels (JUND, CTCF, GATA1, TAL1).

Stands for a multi-task ChIP-seq set (ENCODE peaks for several factors, as in DeepSEA or
Basset, cut down to four). Design choices, each mirroring something real:

- background: the human Markov chain with per-window GC variation;
- sites are *sampled* from JASPAR matrices (JUND MA0491/MA0492, CTCF MA0139, GATA1
  MA0035.2, TAL1::TCF3 MA0091.2) at free positions on either strand;
- GATA1 and TAL1 co-bind in erythroid cells through the E-box-GATA composite element
  (CTG-N7/8-WGATAA): an E-box, then about 9 bp, then the GATA core. Most TAL1-bound windows
  are composites, which also count as GATA1-bound, so those labels correlate;
- GATA1 also binds alone, and some of those windows carry an E-box at the wrong spacing
  (TAL1 does not bind there); TAL1 alone is rare;
- each factor has motif-less positives (indirect binding) and weak or half-site decoys in
  its negatives, like ``tf-binding``, so no task is trivial.

``MA0035.2`` is pinned because the newest GATA1 matrices in the bundled release favour
AGATTA over the classic WGATAR.
"""

from __future__ import annotations

import numpy as np

from genoviz.data.background import markov_sequences, to_strings
from genoviz.data.dataset import Dataset, DatasetMeta
from genoviz.data.jaspar_source import jaspar_citation
from genoviz.motifs import fetch_jaspar, reverse_complement_pfm, sample_from_pfm

LENGTH = 200
TASKS = ["JUND", "CTCF", "GATA1", "TAL1"]
MOTIF_IDS = {"JUND": ("MA0491.3", "MA0492.2"), "CTCF": ("MA0139.2",)}
GATA_ID, TAL1_ID = "MA0035.2", "MA0091.2"
EBOX_COLS = (2, 8)  # CANNTG (CATCTG) inside MA0091.2
GATA_CORE_COL = 3  # the G of GATA inside MA0035.2 (ACAGATAAGAA)
SPACINGS, SPACING_P = (8, 9, 10), (0.25, 0.5, 0.25)  # E-box end to GATA core, in bp


_COMPLEMENT = np.frombuffer(bytes.maketrans(b"ACGT", b"TGCA"), dtype=np.uint8)


class _Planter:
    """Writes sampled sites into free positions of each window and records them."""

    def __init__(self, codes: np.ndarray, rng: np.random.Generator):
        self.codes, self.rng = codes, rng
        self.occupied = np.zeros(codes.shape, dtype=bool)
        self.instances: list[list] = []

    def free_start(self, i: int, width: int) -> int | None:
        free = np.convolve(~self.occupied[i], np.ones(width, dtype=int), mode="valid")
        starts = np.flatnonzero(free == width)
        return int(self.rng.choice(starts)) if len(starts) else None

    def site(self, i: int, task: str, motif_id: str, pfm: np.ndarray, kind: str) -> None:
        start = self.free_start(i, pfm.shape[1])
        if start is None:
            return
        strand = "+" if self.rng.random() < 0.5 else "-"
        mat = pfm if strand == "+" else reverse_complement_pfm(pfm)
        self.codes[i, start : start + pfm.shape[1]] = sample_from_pfm(mat, 1, self.rng)[0]
        self.occupied[i, start : start + pfm.shape[1]] = True
        self.instances.append([int(i), task, motif_id, start, strand, kind])

    def composite(self, i: int, tal: np.ndarray, gata: np.ndarray, gap: int) -> list | None:
        """E-box site, then ``gap`` bp from the E-box end to the GATA core; both strands."""
        gata_off = EBOX_COLS[1] + gap - GATA_CORE_COL
        width = gata_off + gata.shape[1]
        start = self.free_start(i, width)
        if start is None:
            return None
        block = self.codes[i, start : start + width].copy()
        block[: tal.shape[1]] = sample_from_pfm(tal, 1, self.rng)[0]
        block[gata_off:] = sample_from_pfm(gata, 1, self.rng)[0]
        strand = "+" if self.rng.random() < 0.5 else "-"
        ebox, core = EBOX_COLS[0], gata_off + GATA_CORE_COL
        tal_at, gata_at = 0, gata_off
        if strand == "-":  # mirror every offset: x -> width - x - w
            block = _COMPLEMENT[block][::-1]
            ebox, core = width - EBOX_COLS[1], width - core - 4
            tal_at, gata_at = width - tal.shape[1], width - gata_off - gata.shape[1]
        self.codes[i, start : start + width] = block
        self.occupied[i, start : start + width] = True
        self.instances.append([int(i), "TAL1", TAL1_ID, start + tal_at, strand, "composite"])
        self.instances.append([int(i), "GATA1", GATA_ID, start + gata_at, strand, "composite"])
        return [int(i), strand, start + ebox, start + core, int(gap)]


def _decoy(pfm: np.ndarray, rng: np.random.Generator, weak_mix: float = 0.45) -> np.ndarray:
    """A weak copy (flattened towards uniform) or a half-site (one half made uniform)."""
    if rng.random() < 0.5:
        return (1 - weak_mix) * pfm + weak_mix * 0.25
    half, keep = pfm.copy(), pfm.shape[1] // 2
    half[:, slice(keep, None) if rng.random() < 0.5 else slice(0, pfm.shape[1] - keep)] = 0.25
    return half


def build_tf_multitask(
    seed: int = 0,
    n: int = 10_000,
    jund_rate: float = 0.10,
    ctcf_rate: float = 0.08,
    composite_rate: float = 0.07,
    gata_alone_rate: float = 0.05,
    tal1_alone_rate: float = 0.015,
    motifless_rate: float = 0.1,
    decoy_rate: float = 0.08,
) -> Dataset:
    """Simulate the set; labels ``(n, 4)`` in :data:`TASKS` order."""
    rng = np.random.default_rng(seed)
    codes = markov_sequences(n, LENGTH, rng, gc_shift=rng.normal(0.0, 0.25, size=n))
    motifs = {m: fetch_jaspar(m) for ids in MOTIF_IDS.values() for m in ids}
    motifs |= {GATA_ID: fetch_jaspar(GATA_ID), TAL1_ID: fetch_jaspar(TAL1_ID)}
    gata, tal = motifs[GATA_ID].pfm, motifs[TAL1_ID].pfm
    labels = np.zeros((n, len(TASKS)), dtype=np.float32)
    planter = _Planter(codes, rng)
    composites: list[list] = []

    # Erythroid programme: composite, GATA1 alone, TAL1 alone (mutually exclusive).
    u = rng.random(n)
    comp = u < composite_rate
    gata_only = (u >= composite_rate) & (u < composite_rate + gata_alone_rate)
    tal_only = (u >= 1 - tal1_alone_rate) & ~comp & ~gata_only
    labels[comp | gata_only, 2] = 1.0
    labels[comp | tal_only, 3] = 1.0
    for i in np.flatnonzero(comp):
        if rng.random() < motifless_rate:
            continue  # bound through a partner, no composite in the window
        gap = int(rng.choice(SPACINGS, p=SPACING_P))
        row = planter.composite(int(i), tal, gata, gap)
        if row is not None:
            composites.append(row)
    for i in np.flatnonzero(gata_only):
        if rng.random() < motifless_rate:
            continue
        for _ in range(1 if rng.random() < 0.7 else 2):
            planter.site(int(i), "GATA1", GATA_ID, gata, "site")
        if rng.random() < 0.3:  # an E-box >= 20 bp from any GATA site: TAL1 stays off
            saved = planter.occupied[i].copy()
            margin = np.convolve(saved, np.ones(41), mode="same") > 0
            planter.occupied[i] = margin
            planter.site(int(i), "TAL1", TAL1_ID, tal, "misspaced-ebox-decoy")
            planter.occupied[i] = saved | (planter.occupied[i] & ~margin)
    for i in np.flatnonzero(tal_only):
        if rng.random() < 0.6:
            planter.site(int(i), "TAL1", TAL1_ID, tal, "site")

    for col, (task, rate) in enumerate((("JUND", jund_rate), ("CTCF", ctcf_rate))):
        bound = rng.random(n) < rate
        labels[bound, col] = 1.0
        ids = MOTIF_IDS[task]
        for i in np.flatnonzero(bound):
            if rng.random() < motifless_rate:
                continue
            n_sites = 1 if task == "CTCF" or rng.random() < 0.75 else 2
            for _ in range(n_sites):
                mid = ids[int(rng.integers(len(ids)))]
                planter.site(int(i), task, mid, motifs[mid].pfm, "site")

    for col, task in enumerate(TASKS):
        ids = MOTIF_IDS.get(task, (GATA_ID,) if task == "GATA1" else (TAL1_ID,))
        neg = np.flatnonzero(labels[:, col] == 0)
        for i in neg[rng.random(len(neg)) < decoy_rate]:
            mid = ids[int(rng.integers(len(ids)))]
            planter.site(int(i), task, mid, _decoy(motifs[mid].pfm, rng), "decoy")

    meta = DatasetMeta(
        name="tf-multitask",
        description=(
            "Multi-task transcription-factor binding: 200 bp windows with four labels "
            "(JUND, CTCF, GATA1, TAL1), each bound in about 5-15% of windows. Simulated: "
            "sites sampled from JASPAR matrices; GATA1 and TAL1 co-bind through the "
            "erythroid E-box-GATA composite (E-box, ~9 bp, GATA core), so their labels "
            "correlate; motif-less positives and weak or half-site decoys in every task."
        ),
        source=(
            "Simulated by genoviz from JASPAR CORE (bundled in pyjaspar): JUND MA0491.3 and "
            "MA0492.2, CTCF MA0139.2, GATA1 MA0035.2, TAL1::TCF3 MA0091.2. Real "
            "counterpart: ENCODE ChIP-seq peaks (K562 for GATA1/TAL1) in multi-task sets "
            "such as DeepSEA's."
        ),
        citation=(
            "Wadman et al. (1997) EMBO J 16:3145 (E-box-GATA composite, 9 bp spacing); "
            "Wilson et al. (2010) Cell Stem Cell 7:532; Zhou & Troyanskaya (2015) DeepSEA, "
            "Nat Methods 12:931; ENCODE Project Consortium (2012) Nature 489:57; "
            f"{jaspar_citation()}."
        ),
        strand_symmetric=True,
        simulated=True,
        ground_truth={
            "motifs": {m.id: m.name for m in motifs.values()},
            "columns": ["index", "task", "motif_id", "start", "strand", "kind"],
            "instances": sorted(planter.instances),
            "composite_columns": ["index", "strand", "ebox_start", "gata_core_start", "spacing"],
            "composites": composites,
            "spacing": "bp between the 6 bp E-box (CANNTG) and the 4 bp GATA core",
        },
        notes={"seed": seed, "n": n, "tasks": TASKS},
    )
    return Dataset(
        sequences=to_strings(codes),
        labels=labels,
        task="multitask-binary",
        meta=meta,
        ids=[f"mt{i:05d}" for i in range(n)],
    )
