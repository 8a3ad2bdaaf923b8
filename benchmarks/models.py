"""Each model's time per epoch on its default dataset: ``python -m benchmarks.models``.

One-hot models train on ``tf-binding`` (the demo set; ``deepchem-sirna`` on ``sirna``, the
only set it fits), the BERTs on a 2,000-sequence sample of ``promoters`` (k-mer) and
``codon-species`` (codons). Each model trains through the one training loop (``fit``) for
1 + ``pairs`` epochs (default 3 pairs); the first warms up. After each later epoch the
reference runs: the default ``cnn``'s epoch 2 on the same data, from a fresh two-epoch
``fit``. So model and reference epochs alternate, a busy spell slows both alike, and the
row shows the median of each: the ratio says how much slower than the default a model is
(the ``cnn`` row, measured against itself the same way, shows the noise left).

``--only TEXT`` runs the rows whose name contains TEXT (repeatable), ``--list`` names them,
``--pairs N`` sets the number of pairs.
"""

from __future__ import annotations

import argparse
import statistics
import sys

import numpy as np

import models
from benchmarks.rows import add_row_options, wanted
from benchmarks.speed import Row
from benchmarks.timing import rng_aside
from genoviz.data import Dataset, load
from genoviz.training import TrainConfig, fit, select_device

#: model -> (dataset, sample size or None for all)
DEFAULT_DATA: dict[str, tuple[str, int | None]] = {
    "cnn": ("tf-binding", None),
    "linear": ("tf-binding", None),
    "mlp": ("tf-binding", None),
    "deepchem-tf": ("tf-binding", None),
    "deepchem-tf-access": ("tf-binding", None),
    "deepchem-sirna": ("sirna", None),
    "bilstm": ("tf-binding", None),
    "danq": ("tf-binding", None),
    "motif-net": ("tf-binding", None),
    "autoencoder": ("tf-binding", None),
    "kmer-bert": ("promoters", 2000),
    "codon-bert": ("codon-species", 2000),
}
REFERENCE = "cnn"


def label(model: str) -> str:
    """The row's name without the data size (known once the data is loaded)."""
    return f"epoch: {model} on {DEFAULT_DATA[model][0]}"


def _data(name: str, n: int | None) -> Dataset:
    ds = load(name)
    if n is not None and n < len(ds):
        keep = np.random.default_rng(0).choice(len(ds), n, replace=False)
        ds = ds.subset(np.sort(keep))
    return ds


def _config(model: str, epochs: int) -> TrainConfig:
    lr = models.spec(model).lr or TrainConfig.lr
    return TrainConfig(epochs=epochs, patience=epochs + 1, save=False, lr=lr)


def epoch_seconds(model: str, ds: Dataset, epochs: int = 2) -> float:
    """Median seconds of epochs 2..``epochs`` of a fresh fit (the first warms up; by
    default epoch 2)."""
    result = fit(ds, model, _config(model, epochs))
    return statistics.median(r["seconds"] for r in result.history[1:])


def paired_epochs(model: str, ds: Dataset, pairs: int = 3) -> tuple[list[float], list[float]]:
    """Seconds of ``model``'s epochs 2..1+``pairs`` and of the reference epoch measured
    right after each (``cnn``'s epoch 2 of a fresh fit on ``ds``)."""
    if pairs < 1:
        raise ValueError(f"pairs must be at least 1, not {pairs}")
    model_s: list[float] = []
    reference_s: list[float] = []
    device = select_device(TrainConfig.device)

    def reference_after(record: dict) -> None:
        if record["epoch"] < 2:  # the warm-up epoch has no pair
            return
        model_s.append(record["seconds"])
        with rng_aside(device):  # the model's own random draws stay as they were
            reference_s.append(epoch_seconds(REFERENCE, ds))

    fit(ds, model, _config(model, 1 + pairs), on_epoch=reference_after)
    return model_s, reference_s


def rows(only: list[str] | None = None, pairs: int = 3) -> list[Row]:
    out = []
    for model, (name, n) in DEFAULT_DATA.items():
        if not wanted(label(model), only):
            continue
        ds = _data(name, n)
        model_s, reference_s = paired_epochs(model, ds, pairs)
        size = f"{len(ds):,} x {ds.summary()['length']} bp"
        out.append(
            Row(
                f"{label(model)} ({size})",
                statistics.median(model_s),
                statistics.median(reference_s),
                f"{REFERENCE} epoch",
                "-",
            )
        )
    return out


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(
        prog="python -m benchmarks.models",
        description="Each model's epoch against the default cnn's, alternating.",
    )
    add_row_options(ap)
    ap.add_argument("--pairs", type=int, default=3, help="model/reference pairs (default 3)")
    args = ap.parse_args(argv)
    if args.list:
        print("\n".join(label(m) for m in DEFAULT_DATA))
        return 0
    table = rows(args.only, args.pairs)
    if not table:
        print(f"no row name contains {' or '.join(args.only)}; see --list", file=sys.stderr)
        return 2
    w = max(len(r.name) for r in table)
    print(f"{'benchmark':{w}}  {'measured':>9}  {'reference':>9}  {'ratio':>6}  reference")
    for r in table:
        print(
            f"{r.name:{w}}  {r.measured:8.3g}s  {r.reference:8.3g}s  {r.ratio:6.2f}  "
            f"{r.reference_name}"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
