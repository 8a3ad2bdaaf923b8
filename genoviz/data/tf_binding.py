"""``tf-binding``: a JUND-like ChIP-seq window set with planted JASPAR motifs.

Stands for the DeepChem book's chapter-6 JUND data (HepG2 ChIP-seq, 101 bp windows, about
0.4-2% bound). Design choices, each mirroring something real:

- background: first-order Markov chain with human dinucleotide statistics (CpG depleted)
  and per-window GC variation, like isochores;
- positives: one or two JUND sites *sampled* from real JASPAR matrices MA0491 / MA0492
  (so every instance differs, as real sites do), at random positions, on either strand;
- a third of the positives has no site at all: indirect binding through partners, which
  real ChIP peaks show (most real JUND peaks on chr22 hold no canonical site) and which
  caps any sequence-only model well below a perfect score;
- negatives carry decoys: weak instances (the matrix flattened towards uniform) and
  half-sites (only part of the matrix), so a model must learn the whole motif;
- ``accessibility`` (a DNase-like score) is higher in bound windows on average but overlaps
  heavily with unbound ones, so it helps without giving the label away.
"""

from __future__ import annotations

import numpy as np

from genoviz.data.background import markov_sequences, to_strings
from genoviz.data.dataset import Dataset, DatasetMeta
from genoviz.data.jaspar_source import jaspar_citation
from genoviz.data.task_labels import class_weights
from genoviz.motifs import fetch_jaspar, reverse_complement_pfm, sample_from_pfm

MOTIF_IDS = ("MA0491", "MA0492")
LENGTH = 101


def intact(instances: list[list], widths: dict[str, int]) -> list[list]:
    """The planted instances still in their sequence: a second site planted over the first
    (two sites in one window, drawn without regard to each other) overwrote it, so the
    earlier one is not ground truth any more."""
    kept = []
    for a, (row, motif, start, _, _) in enumerate(instances):
        end = start + widths[motif]
        later = instances[a + 1 :]
        if not any(r == row and s < end and s + widths[m] > start for r, m, s, _, _ in later):
            kept.append(instances[a])
    return kept


def build_tf_binding(
    seed: int = 0,
    n: int = 20_000,
    positive_rate: float = 0.02,
    motifless_positive_rate: float = 0.33,
    decoy_rate: float = 0.35,
    weak_mix: float = 0.45,
    accessibility_shift: float = 0.9,
) -> Dataset:
    """Simulate the set. Defaults are tuned so the recommended model's validation ROC AUC
    lands between 0.80 and 0.95 for every seed (about 0.86; see tests/test_difficulty.py).
    ``ground_truth`` lists the planted instances and the motif-less positives."""
    rng = np.random.default_rng(seed)
    motifs = [fetch_jaspar(m) for m in MOTIF_IDS]
    gc_shift = rng.normal(0.0, 0.25, size=n)
    codes = markov_sequences(n, LENGTH, rng, gc_shift=gc_shift)

    labels = np.zeros(n, dtype=np.float32)
    pos_idx = rng.choice(n, size=round(n * positive_rate), replace=False)
    labels[pos_idx] = 1.0
    instances: list[list] = []

    def plant(i: int, pfm: np.ndarray, motif_id: str, kind: str) -> None:
        strand = "+" if rng.random() < 0.5 else "-"
        mat = pfm if strand == "+" else reverse_complement_pfm(pfm)
        w = mat.shape[1]
        start = int(rng.integers(0, LENGTH - w + 1))
        codes[i, start : start + w] = sample_from_pfm(mat, 1, rng)[0]
        instances.append([int(i), motif_id, start, strand, kind])

    # Indirect binding: peaks without a JUND site (an exact share, so seeds differ less).
    motifless = rng.choice(
        pos_idx, size=round(len(pos_idx) * motifless_positive_rate), replace=False
    )
    for i in np.setdiff1d(pos_idx, motifless):
        for _ in range(1 if rng.random() < 0.75 else 2):
            m = motifs[int(rng.integers(len(motifs)))]
            plant(i, m.pfm, m.id, "site")

    neg_idx = np.flatnonzero(labels == 0)
    for i in rng.choice(neg_idx, size=round(len(neg_idx) * decoy_rate), replace=False):
        m = motifs[int(rng.integers(len(motifs)))]
        if rng.random() < 0.5:
            weak = (1 - weak_mix) * m.pfm + weak_mix * 0.25
            plant(i, weak, m.id, "weak-decoy")
        else:
            half = m.pfm.copy()
            keep = m.width // 2
            cut = slice(keep, None) if rng.random() < 0.5 else slice(0, m.width - keep)
            half[:, cut] = 0.25
            plant(i, half, m.id, "half-site-decoy")

    instances = intact(instances, {m.id: m.width for m in motifs})
    accessibility = rng.normal(0.0, 1.0, size=n) + accessibility_shift * labels
    meta = DatasetMeta(
        name="tf-binding",
        description=(
            "JUND-like transcription-factor binding: 101 bp windows labelled 1 when the "
            "factor binds (about 2% of windows). Simulated: human-like background with "
            "JUND sites sampled from JASPAR MA0491/MA0492 on either strand, motif-less "
            "indirect peaks, weak and half-site decoys, and a noisy accessibility score."
        ),
        source=(
            "Simulated by genoviz from JASPAR CORE (bundled in pyjaspar). Real counterpart: "
            "ENCODE JUND ChIP-seq in HepG2 as used in the DeepChem book, chapter 6: "
            "`python -m genoviz download deepchem-jund` fetches it, or load it as a file."
        ),
        citation=(
            "Ramsundar et al. (2019) Deep Learning for the Life Sciences, O'Reilly, ch. 6; "
            f"{jaspar_citation()}."
        ),
        strand_symmetric=True,
        simulated=True,
        extras_names=["accessibility"],
        ground_truth={
            "motifs": {m.id: m.name for m in motifs},
            "columns": ["index", "motif_id", "start", "strand", "kind"],
            "instances": instances,
            "motifless_positives": sorted(int(i) for i in motifless),
        },
        notes={"seed": seed, "n": n, "positive_rate": positive_rate},
    )
    return Dataset(
        sequences=to_strings(codes),
        labels=labels,
        task="binary",
        meta=meta,
        weights=class_weights(labels),
        extras=accessibility[:, None],
        ids=[f"tf{i:05d}" for i in range(n)],
    )
