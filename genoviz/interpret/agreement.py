"""Agreement between explanations of one sequence: per-base tracks side by side and their
pairwise Spearman correlations. Where the explanations disagree is where to look.

Tracks are per-base importances of one sequence, e.g. Integrated Gradients' contribution,
ISM's largest absolute effect, and (for BERT models) attention mapped to bases.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pandas as pd
from scipy.stats import spearmanr


def agreement(tracks: Mapping[str, np.ndarray]) -> pd.DataFrame:
    """Pairwise Spearman correlations of per-base tracks ``(L,)``: one row per pair,
    ``a, b, spearman`` (NaN when a track is constant)."""
    names = list(tracks)
    arrays = [np.asarray(tracks[n], dtype=float).reshape(-1) for n in names]
    lengths = {len(a) for a in arrays}
    if len(lengths) > 1:
        raise ValueError(
            f"tracks differ in length: {dict(zip(names, map(len, arrays), strict=True))}"
        )
    rows = []
    for i in range(len(names)):
        for j in range(i + 1, len(names)):
            a, b = arrays[i], arrays[j]
            rho = np.nan if a.std() == 0 or b.std() == 0 else float(spearmanr(a, b)[0])
            rows.append({"a": names[i], "b": names[j], "spearman": rho})
    return pd.DataFrame(rows, columns=["a", "b", "spearman"])


def scaled_tracks(tracks: Mapping[str, np.ndarray]) -> dict[str, np.ndarray]:
    """Each track's magnitude divided by its maximum (0-1), so they share one axis."""
    out = {}
    for name, t in tracks.items():
        t = np.abs(np.asarray(t, dtype=float))
        m = t.max() if t.size else 0.0
        out[name] = t / m if m > 0 else t
    return out
