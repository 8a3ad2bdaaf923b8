"""Real experimental data from ``../shared/data``, through the CLI as people script it.

Skipped when the folder is absent. Run with ``-s`` to see the cross-validated Pearson r.
The full quality protocol (3 split seeds, JUND included) is ``python -m benchmarks.realdata``.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from genoviz.cli import main
from genoviz.data import load

DATA = Path(__file__).resolve().parents[1].parent / "shared" / "data"
SIRNA = DATA / "sirna_huesken_train.csv.gz"
JUND = DATA / "jund_chr22_valid.csv.gz"

pytestmark = [
    pytest.mark.realdata,
    pytest.mark.skipif(not DATA.is_dir(), reason=f"real data folder {DATA} is absent"),
]


def test_sirna_cross_validated_pearson_through_the_cli(tmp_path, capsys):
    """3-fold CV: ``train`` on two folds with the defaults, ``predict`` the third."""
    df = pd.read_csv(SIRNA)
    assert len(df) == 2187 and {"sequence", "label"} <= set(df.columns)
    folds = np.array_split(np.random.default_rng(0).permutation(len(df)), 3)
    scores = []
    for k, held in enumerate(folds):
        mask = np.zeros(len(df), dtype=bool)
        mask[held] = True
        train_csv, held_csv = tmp_path / f"train{k}.csv", tmp_path / f"held{k}.csv"
        df[~mask].to_csv(train_csv, index=False)
        df[mask].to_csv(held_csv, index=False)
        run, preds = tmp_path / f"run{k}", tmp_path / f"preds{k}.csv"
        assert main(["train", "--data", str(train_csv), "--out", str(run), "--quiet"]) == 0
        assert (
            main(["predict", "--run", str(run), "--data", str(held_csv), "--out", str(preds)]) == 0
        )
        out = pd.read_csv(preds)
        assert len(out) == mask.sum() and out["id"].astype(str).tolist() == (
            df[mask]["id"].astype(str).tolist()
        )
        scores.append(stats.pearsonr(out["label"], out["prediction"]).statistic)
    mean = float(np.mean(scores))
    with capsys.disabled():
        print(
            f"\nsiRNA (Huesken) 3-fold CV Pearson r with the default model: {mean:.3f} "
            f"(folds {', '.join(f'{s:.3f}' for s in scores)}; the book's CNN ~0.64)"
        )
    assert mean >= 0.55, scores


def test_jund_loads_with_the_books_class_weights():
    ds = load(JUND)
    assert ds.task == "binary" and len(ds) == 34_527 and ds.fixed_length == 101
    assert int(ds.labels.sum()) == 146
    np.testing.assert_allclose(np.unique(ds.weights), [0.502123, 118.243], rtol=1e-5)
    assert (ds.weights[ds.labels == 1] > 100).all()
