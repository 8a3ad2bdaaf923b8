"""Each model's time per epoch on its default dataset: ``python -m benchmarks.models``.

One-hot models train on ``tf-binding`` (the demo set; ``deepchem-sirna`` on ``sirna``, the
only set it fits), the BERTs on a 2,000-sequence sample of ``promoters`` (k-mer) and
``codon-species`` (codons). Each row is epoch 2 (the first warms up) through the one training
loop (``fit``), against the default ``cnn``'s epoch on the same data measured in the same
run: the ratio says how much slower than the default a model is.
"""

from __future__ import annotations

import statistics
import sys

import numpy as np

import models
from benchmarks.speed import Row
from genoviz.data import Dataset, load
from genoviz.training import TrainConfig, fit

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


def _data(name: str, n: int | None) -> Dataset:
    ds = load(name)
    if n is not None and n < len(ds):
        keep = np.random.default_rng(0).choice(len(ds), n, replace=False)
        ds = ds.subset(np.sort(keep))
    return ds


def epoch_seconds(model: str, ds: Dataset, epochs: int = 2) -> float:
    """Median seconds of epochs 2..``epochs`` (the first warms up; by default epoch 2)."""
    lr = models.spec(model).lr or TrainConfig.lr
    config = TrainConfig(epochs=epochs, patience=epochs + 1, save=False, lr=lr)
    result = fit(ds, model, config)
    return statistics.median(r["seconds"] for r in result.history[1:])


def rows() -> list[Row]:
    out = []
    reference: dict[str, float] = {}
    for model, (name, n) in DEFAULT_DATA.items():
        ds = _data(name, n)
        key = f"{name}:{n}"
        if key not in reference:
            reference[key] = epoch_seconds("cnn", ds)
        t = reference[key] if model == "cnn" else epoch_seconds(model, ds)
        size = f"{len(ds):,} x {ds.summary()['length']} bp"
        out.append(Row(f"epoch: {model} on {name} ({size})", t, reference[key], "cnn epoch", "-"))
    return out


def main() -> int:
    table = rows()
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
