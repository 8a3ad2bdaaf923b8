"""Transfer learning: start a model from a saved run's weights, optionally freezing its trunk.

This is how "pretrain on one species (or on unlabelled sequences), fine-tune on another"
works: every tensor whose name and shape match is copied, and the rest (typically the
output layer, when the number of classes differs) keeps its fresh initialisation.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import torch
from safetensors import safe_open
from torch import nn

from genoviz import runs


class TransferError(ValueError):
    """A run whose weights cannot initialise the model."""


@dataclass
class TransferReport:
    """What :func:`init_from_run` did.

    Attributes:
        source: the run folder the weights came from.
        copied: names of the tensors copied.
        skipped: name -> why it was not copied (``missing in the run`` or the two shapes).
        unused: tensors in the run that the model has no place for.
        frozen: parameters frozen by :func:`freeze_trunk` (filled in by the caller).
    """

    source: str
    copied: list[str]
    skipped: dict[str, str]
    unused: list[str]
    frozen: list[str] = field(default_factory=list)

    def to_dict(self) -> dict:
        return {
            "source": self.source,
            "copied": self.copied,
            "skipped": self.skipped,
            "unused": self.unused,
            "frozen": self.frozen,
        }

    def summary(self) -> str:
        text = f"copied {len(self.copied)} tensor(s) from {self.source}"
        if self.skipped:
            text += f"; kept {len(self.skipped)} fresh: " + ", ".join(
                f"{k} ({v})" for k, v in self.skipped.items()
            )
        if self.frozen:
            text += f"; froze {len(self.frozen)} trunk parameter(s)"
        return text


def run_weights(run_dir: str | Path) -> dict[str, torch.Tensor]:
    """A run's saved weights (safetensors; nothing is unpickled)."""
    run = runs.load_run(run_dir)
    path = run.path / runs.WEIGHTS
    if not path.exists():
        raise TransferError(f"{run.path}: no {runs.WEIGHTS}; that run saved no weights")
    try:
        return runs.read_weights(path)
    except runs.RunError as e:
        raise TransferError(str(e)) from None


def init_from_run(model: nn.Module, run_dir: str | Path) -> TransferReport:
    """Copy every tensor of the run whose name and shape match into ``model``, in place.

    Raises:
        TransferError: not a run, no weights, or not one tensor fits the model.
    """
    try:
        saved = run_weights(run_dir)
    except runs.RunError as e:
        raise TransferError(str(e)) from None
    own = model.state_dict()
    copied, skipped = [], {}
    for name, tensor in own.items():
        if name not in saved:
            skipped[name] = "missing in the run"
        elif saved[name].shape != tensor.shape:
            skipped[name] = (
                f"shape {tuple(saved[name].shape)} in the run, {tuple(tensor.shape)} here"
            )
        else:
            copied.append(name)
    if not copied:
        raise TransferError(
            f"no weights of {run_dir} fit this model (no tensor with the same name and shape); "
            "initialise from a run of the same model family and sequence length"
        )
    with torch.no_grad():
        for name in copied:
            own[name].copy_(saved[name].to(own[name].dtype))
    unused = sorted(set(saved) - set(own))
    return TransferReport(str(run_dir), copied, skipped, unused)


#: Name components that mark a parameter as part of a head: our models' dense ``head``
#: (``extras_head`` in a BERT), and Hugging Face BERT's ``pooler`` and ``classifier``, which
#: a checkpoint pretrained by masked-token modelling does not have.
HEAD_PARTS = frozenset({"head", "extras_head", "pooler", "classifier"})


def is_head(name: str) -> bool:
    """Whether a parameter belongs to a head (a :data:`HEAD_PARTS` component in its name)."""
    return not HEAD_PARTS.isdisjoint(name.split("."))


def freeze_trunk(model: nn.Module) -> list[str]:
    """Stop gradients to every parameter outside the dense head(s); returns their names."""
    frozen = []
    for name, p in model.named_parameters():
        if not is_head(name):
            p.requires_grad_(False)
            frozen.append(name)
    return frozen


@dataclass
class RunMatch:
    """A saved run that can initialise a model: how many of the model's tensors it fills.

    Attributes:
        run: the saved run.
        matching: tensors with the same name and shape in both.
        total: tensors in the model.
    """

    run: runs.Run
    matching: int
    total: int


def saved_shapes(run_dir: str | Path) -> dict[str, tuple[int, ...]]:
    """Name -> shape of each tensor in a run's weights, read from the file header only."""
    from safetensors import SafetensorError

    path = Path(run_dir) / runs.WEIGHTS
    try:
        with safe_open(str(path), framework="pt") as f:
            return {k: tuple(f.get_slice(k).get_shape()) for k in f.keys()}  # noqa: SIM118
    except (OSError, SafetensorError) as e:
        raise TransferError(f"{path}: damaged weights ({e})") from None


def compatible_runs(model: nn.Module, candidates: list[runs.Run]) -> list[RunMatch]:
    """The runs whose weights fill at least one of ``model``'s tensors (same name and
    shape), in the order given. Runs still training, failed runs and runs without
    weights are left out."""
    own = {k: tuple(v.shape) for k, v in model.state_dict().items()}
    out = []
    for run in candidates:
        if run.status in ("running", "failed") or not (run.path / runs.WEIGHTS).exists():
            continue
        try:
            shapes = saved_shapes(run.path)
        except (TransferError, ValueError, RuntimeError):  # a damaged or half-copied file
            continue
        matching = sum(1 for k, shape in own.items() if shapes.get(k) == shape)
        if matching:
            out.append(RunMatch(run, matching, len(own)))
    return out


def report_rows(report: dict) -> list[dict[str, str]]:
    """One row per tensor of a :meth:`TransferReport.to_dict`: ``tensor`` and ``what``
    (``copied``, ``copied, frozen``, ``kept fresh: <why>``, ``in the run, not used``)."""
    frozen = set(report.get("frozen", []))
    rows = [
        {"tensor": n, "what": "copied, frozen" if n in frozen else "copied"}
        for n in report.get("copied", [])
    ]
    rows += [
        {"tensor": n, "what": f"kept fresh: {why}"} for n, why in report.get("skipped", {}).items()
    ]
    rows += [{"tensor": n, "what": "in the run, not used"} for n in report.get("unused", [])]
    return rows
