"""Quality on real data, through the CLI: ``python -m benchmarks.realdata`` (~5 min).

Protocol, per real file in ``../shared/data`` and per split seed (0, 1, 2 by default):

1. split the file with that seed into an 80% "train file" and a 20% held-out file
   (stratified by label for the binary JUND set) and write both as CSV;
2. ``python -m genoviz train --data TRAIN.csv --out RUN`` with every default (the
   recommended model, 20 epochs; the trainer picks the epoch on its own validation split,
   carved out of the train file);
3. ``python -m genoviz predict --run RUN --data HELD.csv --out preds.csv`` and score the
   held-out predictions: ROC AUC for JUND, Pearson r for siRNA.

Reference, measured on the same splits: a classic baseline with no deep learning. For
JUND, the best JASPAR JUND (MA0491) log-odds match on either strand (the brief's 0.61);
for siRNA, ridge regression on which base sits at each position (a BIOPREDsi-era linear
design score). Published yardsticks are printed with them.

``--proxy`` runs the same protocol on a simulated stand-in for the promoter sample in
DNABERT's repository (1,000 x 101 bp, -70..+30 around the TSS, negatives made by shuffling
segments of the positives; :func:`genoviz.data.promoters.build_core_promoters`), written as
DNABERT 6-mer TSVs so the k-mer importer and its strand handling are exercised too. One
proxy per seed; its baseline is logistic regression on which base sits at each position.
``--negatives substituted`` fills 12 of the 20 segments with random bases instead of
shuffling them (DeePromoter's construction as its public re-implementations read it:
composition shifts towards 25% of each base); ``--negatives genomic`` makes them genomic
background (easiest: composition separates them). ``--n`` sets the proxy's size
(default 1,000).
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd
from scipy import stats
from sklearn.linear_model import LogisticRegression, RidgeCV
from sklearn.metrics import roc_auc_score

from genoviz.data.promoters import CORE_NEGATIVES, build_core_promoters
from genoviz.motifs import fetch_jaspar, log_odds
from genoviz.onehot import one_hot
from genoviz.tokens import kmers

REPO = Path(__file__).resolve().parents[1]
DATA = REPO.parent / "shared" / "data"
SETS = {
    "sirna": ("sirna_huesken_train.csv.gz", "pearson", "book CNN ~0.64, BIOPREDsi 0.66"),
    "jund": ("jund_chr22_valid.csv.gz", "roc_auc", "book CNN 0.54, JASPAR PWM scan 0.61"),
}


def split(df: pd.DataFrame, seed: int, stratify: bool) -> tuple[pd.DataFrame, pd.DataFrame]:
    """80% / 20% by row, seeded; per label when ``stratify``."""
    rng = np.random.default_rng(seed)
    groups = (
        [np.flatnonzero(df["label"].to_numpy() == v) for v in (0, 1)]
        if stratify
        else [np.arange(len(df))]
    )
    held = np.concatenate([rng.permutation(g)[: round(0.2 * len(g))] for g in groups])
    mask = np.zeros(len(df), dtype=bool)
    mask[held] = True
    return df[~mask], df[mask]


def cli(*args: str) -> None:
    proc = subprocess.run(
        [sys.executable, "-m", "genoviz", *args], cwd=REPO, capture_output=True, text=True
    )
    if proc.returncode != 0:
        raise RuntimeError(f"genoviz {args[0]} failed: {proc.stderr.strip()}")


def score(metric: str, y: np.ndarray, pred: np.ndarray) -> float:
    if metric == "roc_auc":
        return float(roc_auc_score(y > 0.5, pred))
    return float(stats.pearsonr(y, pred).statistic)


def baseline(name: str, train: pd.DataFrame, held: pd.DataFrame) -> np.ndarray:
    """The classic, non-deep reference's predictions for the held-out rows."""
    if name == "jund":
        pwm = log_odds(fetch_jaspar("MA0491").pfm)  # (4, W)
        x = one_hot(held["sequence"].tolist())  # (n, 4, L)
        best = np.full(len(x), -np.inf)
        for w in (pwm, pwm[::-1, ::-1]):  # both strands
            for s in range(x.shape[2] - w.shape[1] + 1):
                best = np.maximum(best, np.einsum("ncl,cl->n", x[:, :, s : s + w.shape[1]], w))
        return best
    xs = [one_hot(d["sequence"].tolist()).reshape(len(d), -1) for d in (train, held)]
    ridge = RidgeCV(alphas=np.logspace(-1, 3, 20)).fit(xs[0], train["label"])
    return ridge.predict(xs[1])


def evaluate(name: str, seeds: list[int]) -> None:
    file, metric, yardstick = SETS[name]
    df = pd.read_csv(DATA / file)
    ours, ref = [], []
    for seed in seeds:
        t0 = time.perf_counter()
        train, held = split(df, seed, stratify=metric == "roc_auc")
        with tempfile.TemporaryDirectory() as tmp:
            tmp_path = Path(tmp)
            train.to_csv(tmp_path / "train.csv", index=False)
            held.to_csv(tmp_path / "held.csv", index=False)
            cli(
                "train",
                "--data",
                str(tmp_path / "train.csv"),
                "--out",
                str(tmp_path / "run"),
                "--quiet",
            )
            cli(
                "predict",
                "--run",
                str(tmp_path / "run"),
                "--data",
                str(tmp_path / "held.csv"),
                "--out",
                str(tmp_path / "preds.csv"),
            )
            preds = pd.read_csv(tmp_path / "preds.csv")
        ours.append(score(metric, held["label"].to_numpy(), preds["prediction"].to_numpy()))
        ref.append(score(metric, held["label"].to_numpy(), baseline(name, train, held)))
        print(
            f"  {name} split seed {seed}: default cnn {ours[-1]:.3f}   baseline {ref[-1]:.3f}"
            f"   ({time.perf_counter() - t0:.0f} s)",
            flush=True,
        )
    print(
        f"{name:6s} {metric:8s} default cnn {np.mean(ours):.3f} ± {_sd(ours):.3f}   "
        f"baseline {np.mean(ref):.3f} ± {_sd(ref):.3f}   ratio {np.mean(ours) / np.mean(ref):.2f}"
        f"   published: {yardstick}",
        flush=True,
    )


def write_dnabert_tsv(df: pd.DataFrame, path: Path, k: int = 6) -> None:
    """DNABERT's fine-tuning layout: a header, then ``k-mers<TAB>label`` per row."""
    rows = [
        f"{' '.join(kmers(s, k))}\t{int(y)}"
        for s, y in zip(df["sequence"], df["label"], strict=True)
    ]
    path.write_text("sequence\tlabel\n" + "\n".join(rows) + "\n")


def evaluate_proxy(
    seeds: list[int], model: str | None = None, negatives: str = "shuffled", n: int = 1_000
) -> None:
    """The DNABERT promoter-sample proxy: simulate with each seed, split 80/20, train
    (the recommended model, or ``model``) and predict through the CLI from DNABERT 6-mer
    TSVs, score held-out ROC AUC."""
    name = model or "default cnn"
    print(f"promoter proxy: {n:,} x 101 bp, {negatives} negatives", flush=True)
    extra = ["--model", model] if model else []
    ours, ref = [], []
    for seed in seeds:
        t0 = time.perf_counter()
        ds = build_core_promoters(seed=seed, n=n, negatives=negatives)
        df = pd.DataFrame({"sequence": ds.sequences, "label": ds.labels.astype(int)})
        train, held = split(df, seed, stratify=True)
        with tempfile.TemporaryDirectory() as tmp:
            tmp_path = Path(tmp)
            write_dnabert_tsv(train, tmp_path / "train.tsv")
            write_dnabert_tsv(held, tmp_path / "held.tsv")
            run, preds = tmp_path / "run", tmp_path / "preds.csv"
            data = ["--data", str(tmp_path / "train.tsv")]
            cli("train", *data, "--out", str(run), "--quiet", *extra)
            cli(
                "predict",
                "--run",
                str(run),
                "--data",
                str(tmp_path / "held.tsv"),
                "--out",
                str(preds),
            )
            pred = pd.read_csv(preds)["prediction"].to_numpy()
        y = held["label"].to_numpy()
        ours.append(score("roc_auc", y, pred))
        xs = [one_hot(d["sequence"].tolist()).reshape(len(d), -1) for d in (train, held)]
        lr = LogisticRegression(C=0.05, max_iter=2000).fit(xs[0], train["label"])
        ref.append(score("roc_auc", y, lr.predict_proba(xs[1])[:, 1]))
        print(
            f"  promoter proxy seed {seed}: {name} {ours[-1]:.3f}   per-position LR "
            f"{ref[-1]:.3f}   ({time.perf_counter() - t0:.0f} s)",
            flush=True,
        )
    print(
        f"proxy  roc_auc  {name} {np.mean(ours):.3f} ± {_sd(ours):.3f}   "
        f"baseline {np.mean(ref):.3f} ± {_sd(ref):.3f}   (targets on the real DNABERT "
        "sample: cnn >= 0.95, kmer-bert >= 0.90)",
        flush=True,
    )


def _sd(values: list[float]) -> float:
    return float(np.std(values, ddof=1)) if len(values) > 1 else float("nan")


#: The smallest --n whose 80/10/10 split leaves sequences of both labels in each part.
MIN_PROXY = 100


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m benchmarks.realdata", description=__doc__)
    p.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2])
    p.add_argument("--only", choices=sorted(SETS), help="one dataset only")
    p.add_argument("--proxy", action="store_true", help="the DNABERT promoter proxy only")
    p.add_argument("--model", help="with --proxy: train this model, e.g. kmer-bert")
    p.add_argument(
        "--negatives",
        choices=CORE_NEGATIVES,
        default="shuffled",
        help="with --proxy: positives with 12 of 20 segments shuffled (default) or made "
        "random (substituted), or genomic background",
    )
    p.add_argument("--n", type=int, default=1_000, help="with --proxy: sequences (default 1,000)")
    args = p.parse_args(argv)
    if args.proxy and args.n < MIN_PROXY:
        p.error(f"--n {args.n}: the proxy needs at least {MIN_PROXY} sequences to split")
    if args.proxy:
        try:
            evaluate_proxy(args.seeds, args.model, args.negatives, args.n)
        except RuntimeError as e:  # genoviz said why; no traceback on top
            print(e, file=sys.stderr)
            return 1
        return 0
    if not DATA.is_dir():
        print(f"real data folder {DATA} is absent; nothing to do", file=sys.stderr)
        return 1
    for name in [args.only] if args.only else list(SETS):
        evaluate(name, args.seeds)
    return 0


if __name__ == "__main__":
    sys.exit(main())
