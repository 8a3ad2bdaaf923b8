"""``sirna``: 21 nt siRNA guide strands with efficacy simulated from published design rules.

Sequences are written like the Huesken set: the guide (antisense) strand 5'->3' in DNA
letters. Efficacy is a sum of rule contributions plus noise, squashed to 0..~1.3 with the
mean (0.70) and spread (sd 0.20) of Huesken's normalised inhibition:

- Ui-Tei et al. 2004: guide 5' end A/U (position 1), sense 5' end G/C (guide position 19),
  A/U-rich 5' third of the guide (positions 1-7), no long G/C stretch;
- Reynolds et al. 2004, mapped from sense to guide positions: GC content 30-52%, A/U at
  guide 1-5 (sense 15-19), U at guide 17 (sense A3), A at guide 10 (sense U10), no C at
  guide 7 (sense G13 is disfavoured);
- thermodynamic asymmetry: the guide 5' end less stable than its 3' end.

This set is simulated. The real Huesken et al. 2005 data loads as a file
(``../shared/data/sirna_huesken_train.csv.gz``).
"""

from __future__ import annotations

import numpy as np

from genoviz.data.background import to_strings
from genoviz.data.dataset import Dataset, DatasetMeta

LENGTH = 21
SCALE, SLOPE, OFFSET = 1.3, 0.68, 0.17
_CODES = np.frombuffer(b"ACGT", dtype=np.uint8)


def sirna_rule_score(idx: np.ndarray) -> np.ndarray:
    """Design-rule score for base indices ``(n, 21)`` (0..3 = A, C, G, T); higher = better."""
    a, c, g, t = (idx == k for k in range(4))
    au, gc = a | t, c | g
    score = np.zeros(len(idx))
    score += 1.0 * au[:, 0] - 1.2 * g[:, 0] - 0.6 * c[:, 0]  # Ui-Tei: guide 5' A/U
    score += 0.5 * gc[:, 18]  # Ui-Tei: sense 5' end G/C
    score += 0.35 * (au[:, 0:7].sum(axis=1) >= 4)  # A/U-rich 5' third
    score += 0.2 * au[:, 0:5].sum(axis=1)  # Reynolds: A/U at sense 15-19
    score += 0.3 * t[:, 16] + 0.3 * a[:, 9] - 0.3 * c[:, 6]  # sense A3, U10, not G13
    gc_frac = gc[:, :19].mean(axis=1)
    score -= 3.0 * np.clip(np.abs(gc_frac - 0.41) - 0.11, 0, None)  # GC 30-52%
    score += 0.3 * (gc[:, 14:19].sum(axis=1) - gc[:, 0:5].sum(axis=1)) / 5  # asymmetry
    run = np.zeros(len(idx), dtype=int)
    longest = np.zeros(len(idx), dtype=int)
    for j in range(LENGTH):
        run = np.where(gc[:, j], run + 1, 0)
        longest = np.maximum(longest, run)
    score -= 0.5 * (longest >= 9)
    return score


def build_sirna(seed: int = 0, n: int = 3_000, noise: float = 0.9) -> Dataset:
    """Simulate the set. ``noise`` (in units of the rule score's spread) is tuned so the
    recommended model reaches Pearson about 0.65-0.75, like real data; labels are spread
    like Huesken's (see tests/test_difficulty.py)."""
    rng = np.random.default_rng(seed)
    # Guides from transcripts are mildly GC-rich and varied; draw per-guide GC propensity.
    gc_p = rng.beta(5, 6, size=n)
    probs = np.stack([(1 - gc_p) / 2, gc_p / 2, gc_p / 2, (1 - gc_p) / 2], axis=1)
    idx = (rng.random((n, LENGTH))[:, :, None] > np.cumsum(probs, axis=1)[:, None, :-1]).sum(2)
    score = sirna_rule_score(idx)
    z = (score - score.mean()) / score.std() + rng.normal(0.0, noise, size=n)
    z /= np.sqrt(1.0 + noise**2)  # unit variance whatever the noise
    # Squashed like normalised inhibition: for unit-variance z this gives mean 0.70, sd 0.20
    # and quartiles 0.56 / 0.70 / 0.85 (Huesken: 0.69, 0.20; 0.54 / 0.70 / 0.84).
    labels = SCALE / (1.0 + np.exp(-(SLOPE * z + OFFSET)))
    meta = DatasetMeta(
        name="sirna",
        description=(
            "siRNA knock-down efficacy (regression): 21 nt guide strands, 5'->3', with "
            "efficacy from published design rules (5' end asymmetry, A/U-rich seed, GC "
            "window) plus noise, on Huesken's scale of normalised inhibition: 1 is the "
            "knock-down of the reference siRNA, so the best guides score above 1 (in the "
            "real data up to 1.32). This set is SIMULATED; the real Huesken 2005 data "
            "loads as a file."
        ),
        source=(
            "Simulated by genoviz from the Ui-Tei 2004 and Reynolds 2004 rules. Real "
            "counterpart: Huesken et al. 2005 (2,431 siRNAs), as used in the DeepChem book "
            "ch. 6: `python -m genoviz download deepchem-sirna` fetches it, or load it as a "
            "file."
        ),
        citation=(
            "Ui-Tei et al. (2004) Nucleic Acids Res 32:936; Reynolds et al. (2004) Nat "
            "Biotechnol 22:326; Huesken et al. (2005) Nat Biotechnol 23:995."
        ),
        strand_symmetric=False,
        simulated=True,
        notes={"seed": seed, "n": n, "noise": noise},
    )
    return Dataset(
        sequences=to_strings(_CODES[idx]),
        labels=labels.astype(np.float32),
        task="regression",
        meta=meta,
        ids=[f"si{i:05d}" for i in range(n)],
    )
