"""Datasets: the container, bundled simulated sets, and importers for user files.

``load(spec)`` takes a bundled name (``tf-binding``) or a file path and returns a fresh
:class:`Dataset` the caller may change freely: the cached original is never handed out.
"""

from __future__ import annotations

import contextlib
import copy
import importlib
import json
import os
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import numpy as np

from genoviz.data.bed import is_bed, load_bed
from genoviz.data.dataset import Dataset, DatasetMeta
from genoviz.data.deepchem import METADATA as DISK_METADATA
from genoviz.data.deepchem import is_disk_dataset, load_disk_dataset
from genoviz.data.download import REMOTE, load_downloaded
from genoviz.data.errors import DataFormatError
from genoviz.data.importers import load_file, load_text
from genoviz.data.splits import make_splits
from genoviz.data.task_labels import class_weights, infer_task

__all__ = [
    "BUNDLED",
    "DataFormatError",
    "Dataset",
    "DatasetMeta",
    "class_weights",
    "infer_task",
    "load",
    "load_bed",
    "load_bundled",
    "load_disk_dataset",
    "load_file",
    "load_text",
    "make_splits",
]

#: Bump when a builder changes, so stale disk caches are rebuilt.
CACHE_VERSION = 8


@dataclass(frozen=True)
class BundledSpec:
    """A bundled set: its builder is ``module:function``, imported only when first built
    (some builders pull in Biopython and python_codon_tables)."""

    name: str
    task: str
    builder_path: str
    summary: str

    @property
    def builder(self) -> Callable[..., Dataset]:
        module, func = self.builder_path.split(":")
        return getattr(importlib.import_module(module), func)


_SPECS = (
    (
        "tf-binding",
        "binary",
        "tf_binding:build_tf_binding",
        "JUND-like binding, 101 bp, ~2% positives, with accessibility",
    ),
    ("sirna", "regression", "sirna:build_sirna", "siRNA knock-down efficacy, 21 nt guides"),
    (
        "promoters",
        "binary",
        "promoters:build_promoters",
        "Core promoters vs genomic and shuffled negatives, 300 bp, TATA / TATA-less",
    ),
    (
        "splice-sites",
        "multiclass",
        "splice_sites:build_splice_sites",
        "Donor / acceptor / neither, 400 bp windows centred on the site",
    ),
    (
        "tf-multitask",
        "multitask-binary",
        "tf_multitask:build_tf_multitask",
        "JUND, CTCF, GATA1, TAL1 binding, 200 bp, GATA1-TAL1 composite co-binding",
    ),
    (
        "codon-corpus",
        "lm",
        "codon_corpus:build_codon_corpus",
        "Coding sequences and proteins of nine species, for codon language models",
    ),
    (
        "dna-corpus",
        "lm",
        "dna_corpus:build_dna_corpus",
        "Unlabelled DNA from the bundled sets' training splits (codon-species left out) plus "
        "genome-like background, for BERT",
    ),
    (
        "codon-species",
        "multiclass",
        "codon_corpus:build_codon_species",
        "Species of a 150 nt CDS fragment from its codon bias (9 classes)",
    ),
)
BUNDLED: dict[str, BundledSpec] = {
    name: BundledSpec(name, task, f"genoviz.data.{path}", summary)
    for name, task, path, summary in _SPECS
}


def cache_dir() -> Path:
    """Where built datasets are kept: ``$GENOVIZ_CACHE_DIR`` or ``~/.cache/genoviz``."""
    root = os.environ.get("GENOVIZ_CACHE_DIR") or Path.home() / ".cache" / "genoviz"
    return Path(root) / "datasets"


def _save_cache(ds: Dataset, path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    arrays = {
        "sequences": np.array(ds.sequences),
        "labels": ds.labels,
        "ids": np.array(ds.ids),
    }
    if ds.weights is not None:
        arrays["weights"] = ds.weights
    if ds.extras is not None:
        arrays["extras"] = ds.extras
    fd, tmp = tempfile.mkstemp(dir=path.parent, suffix=".npz")
    with os.fdopen(fd, "wb") as fh:
        np.savez_compressed(fh, **arrays)
    meta = json.dumps({"task": ds.task, "meta": ds.meta.to_dict()})
    path.with_suffix(".json").write_text(meta)
    os.replace(tmp, path)


def _load_cache(path: Path) -> Dataset | None:
    meta_path = path.with_suffix(".json")
    if not (path.exists() and meta_path.exists()):
        return None
    try:
        info = json.loads(meta_path.read_text())
        with np.load(path, allow_pickle=False) as z:
            return Dataset(
                sequences=z["sequences"].tolist(),
                labels=z["labels"],
                task=info["task"],
                meta=DatasetMeta(**info["meta"]),
                weights=z.get("weights", None),
                extras=z.get("extras", None),
                ids=z["ids"].tolist(),
            )
    except (OSError, ValueError, KeyError, TypeError):
        return None  # a damaged cache is rebuilt


@lru_cache(maxsize=8)
def _bundled_cached(name: str, seed: int) -> Dataset:
    path = cache_dir() / f"{name}-seed{seed}-v{CACHE_VERSION}.npz"
    ds = _load_cache(path)
    if ds is None:
        ds = BUNDLED[name].builder(seed=seed)
        # A read-only home still works, just without the disk cache.
        with contextlib.suppress(OSError):
            _save_cache(ds, path)
    return ds


def load_bundled(name: str, seed: int = 0) -> Dataset:
    """Build (or read from cache) a bundled set; returns a copy safe to modify."""
    if name not in BUNDLED:
        raise DataFormatError(f"no bundled dataset {name!r}; choose one of {', '.join(BUNDLED)}")
    ds = copy.copy(_bundled_cached(name, seed))
    ds.meta = copy.deepcopy(ds.meta)
    ds.sequences = list(ds.sequences)
    ds.ids = list(ds.ids) if ds.ids is not None else None
    # copy.copy shares the arrays with the cached original: copy them too, so a caller
    # changing its copy in place cannot change what every later caller gets.
    for attr in ("labels", "weights", "extras"):
        if getattr(ds, attr) is not None:
            setattr(ds, attr, getattr(ds, attr).copy())
    ds.splits = make_splits(ds.labels, ds.task, seed, sequences=ds.sequences, ids=ds.ids)
    ds.meta.notes["spec"] = name
    ds.meta.notes["seed"] = seed  # of the simulation and the splits: a run reloads with it
    return ds


def load(
    spec: str | Path,
    task: str | None = None,
    seed: int = 0,
    *,
    trust: bool = False,
    genome: str | Path | None = None,
    labels: str | Path | None = None,
    width: int | None = None,
    progress: Callable[[float], None] | None = None,
) -> Dataset:
    """Load by spec, detecting the format from the file or folder.

    Args:
        spec: a bundled name; a CSV/TSV (plain or DNABERT k-mer) or FASTA file (``.gz``
            allowed); a DeepChem DiskDataset folder; or a BED file (needs ``genome``).
        trust: allow a DiskDataset folder, whose shards are pickles.
        genome: indexed FASTA for a BED file.
        labels: a labels CSV joined on id, for FASTA without ``label=`` headers.
        width: BED only: centre each region and resize it to this many bp.
        progress: CSV/TSV only: called with the fraction of rows read.
    """
    spec_s = str(spec)
    bed = is_bed(spec_s)
    if (
        not bed
        and (genome is not None or width is not None or labels is not None)
        and (spec_s in BUNDLED or spec_s in REMOTE or Path(spec_s).expanduser().is_dir())
    ):
        raise DataFormatError(f"{spec_s}: --genome, --width and --labels apply to files only")
    if not bed and (genome is not None or width is not None):
        raise DataFormatError(
            f"{Path(spec_s).name}: a genome and a width apply to BED regions only; this is "
            "not a .bed file"
        )
    if spec_s in BUNDLED:
        return load_bundled(spec_s, seed=seed)
    if spec_s in REMOTE:
        ds = load_downloaded(spec_s)
        ds.meta.notes["spec"] = spec_s
        return ds
    path = Path(spec_s).expanduser()
    if not path.exists():
        raise DataFormatError(
            f"{spec_s!r} is neither a bundled dataset ({', '.join(BUNDLED)}) nor an "
            "existing file or folder"
        )
    if path.is_dir():
        if not is_disk_dataset(path):
            raise DataFormatError(
                f"{path} is a folder but not a DeepChem DiskDataset (no {DISK_METADATA})"
            )
        ds = load_disk_dataset(path, trust=trust, task=task)
    elif bed:
        if genome is None:
            raise DataFormatError(f"{path.name}: a BED file needs a genome FASTA to read from")
        ds = load_bed(path, genome, width=width, task=task)
    else:
        ds = load_file(path, task=task, labels=labels, progress=progress)
    # Absolute, with the options it needed: a run reloads its data from any folder.
    ds.meta.notes["spec"] = str(path.resolve())
    options = {"genome": genome, "labels": labels, "width": width}
    ds.meta.notes["load_options"] = {
        k: (v if k == "width" else str(Path(v).expanduser().resolve()))
        for k, v in options.items()
        if v is not None
    }
    ds.ensure_splits(seed)
    return ds
