"""The ``run.json`` record a training run starts with (its model, data, config, device and
versions), and the fingerprints of the data and its splits that tie a run to the very rows
it trained on (resuming and explaining a run check them).
"""

from __future__ import annotations

import platform
import time
from dataclasses import asdict
from typing import Any

import numpy as np
import torch

from genoviz.data import Dataset
from genoviz.train_build import strand_symmetric
from genoviz.train_setup import TrainConfig
from genoviz.train_weights import unequal_weights


def split_digest(splits: dict[str, np.ndarray]) -> str:
    """A short fingerprint of which rows are in which split: a run goes on (or is
    explained) only on the very split it trained with."""
    import hashlib

    h = hashlib.sha1()
    for name in ("train", "valid", "test"):
        h.update(name.encode())
        h.update(np.asarray(splits.get(name, []), dtype=np.int64).tobytes())
    return h.hexdigest()[:16]


def content_digest(dataset: Dataset, extras: bool) -> str:
    """A short fingerprint of the data itself, row by row: its sequences and labels, and its
    extra inputs when the model reads them (``extras``). The splits are drawn by row
    number, so a run goes on only with the very rows it began with: the same file re-sorted
    or edited has the same size and the same :func:`split_digest`, and would put training
    sequences into the test split."""
    import hashlib

    h = hashlib.sha1()
    for s in dataset.sequences:
        h.update(s.encode())
        h.update(b"\n")
    h.update(np.ascontiguousarray(dataset.labels, dtype=np.float64).tobytes())
    if extras and dataset.extras is not None:
        h.update(np.ascontiguousarray(dataset.extras, dtype=np.float64).tobytes())
    return h.hexdigest()[:16]


def run_info(
    dataset: Dataset,
    model_name: str,
    build: dict[str, Any],
    config: TrainConfig,
    device: torch.device,
) -> dict[str, Any]:
    import genoviz

    return {
        "status": "running",
        "created": time.strftime("%Y-%m-%dT%H:%M:%S"),
        "model": {"name": model_name, "build": build},
        "dataset": {
            "name": dataset.name,
            "spec": dataset.meta.notes.get("spec", dataset.name),
            # what else loading it took: a FASTA's labels file, a BED's genome and width
            "load_options": dataset.meta.notes.get("load_options") or {},
            "task": dataset.task,
            "n": len(dataset),
            # The lengths the model saw: the pad/trim length, or the set's shortest and longest.
            "lengths": [int(config.seq_len)] * 2
            if config.seq_len
            else [int(dataset.lengths.min()), int(dataset.lengths.max())],
            # the data's own shortest and longest, before any padding or trimming
            "file_lengths": [int(dataset.lengths.min()), int(dataset.lengths.max())],
            "strand_symmetric": strand_symmetric(dataset, config),
            "extras_names": dataset.meta.extras_names if build["extras"] else [],
            # What sequences without their own extra values are scored with (Predict).
            "extras_means": dataset.extras[dataset.splits["train"]].mean(axis=0).tolist()
            if build["extras"]
            else [],
            "class_names": dataset.class_names,
            # Unequal training weights shift predicted probabilities (Predict says so).
            "weighted": unequal_weights(dataset),
            "splits": {k: len(v) for k, v in dataset.splits.items()},
            # the seed the data was loaded with (a bundled set's simulation, the splits'
            # draw), which need not be the training seed: the app loads at seed 0
            # a subset's (a species of codon-species) is its parent's load seed
            "data_seed": int(
                dataset.meta.notes.get("data_seed", dataset.meta.notes.get("seed", config.seed))
            ),
            "split_digest": split_digest(dataset.splits),
            "content_digest": content_digest(dataset, bool(build["extras"])),
        },
        "config": asdict(config),
        "seed": config.seed,
        "device": str(device),
        "versions": {
            "genoviz": genoviz.__version__,
            "torch": torch.__version__,
            "numpy": np.__version__,
            "python": platform.python_version(),
        },
    }
