"""Model registry: name -> builder, input kind, supported tasks and default hyperparameters.

>>> import models
>>> net = models.get("cnn", seq_len=101)
>>> [s.name for s in models.available("binary", "onehot")][:1]
['cnn']

To add a model: write an ``nn.Module`` with ``forward(x, extras=None) -> logits`` (see
``models/cnn.py``), then add one :class:`ModelSpec` to ``REGISTRY`` below.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from torch import nn

from models.bert import CodonBert, KmerBert
from models.cnn import CNN, DeepChemSiRNA, DeepChemTF


@dataclass(frozen=True)
class ModelSpec:
    """What the registry knows about one model.

    Attributes:
        input_kind: ``onehot`` (extras optional and concatenated after the trunk),
            ``onehot+extras``, ``kmer`` or ``codon``.
        tasks: tasks the head supports.
        fixed_length: True when the model flattens positions, so every sequence must
            have the training length.
        recommended_for: tasks for which this is the first choice.
        lr: the learning rate the CLI and the Train page start from (None = the default).
    """

    name: str
    builder: Callable[..., nn.Module]
    description: str
    input_kind: str = "onehot"
    tasks: tuple[str, ...] = ("binary", "regression")
    defaults: dict[str, Any] = field(default_factory=dict)
    fixed_length: bool = False
    recommended_for: tuple[str, ...] = ()
    #: Learning rate this model trains well with (None = ``TrainConfig.lr``).
    lr: float | None = None


REGISTRY: dict[str, ModelSpec] = {
    spec.name: spec
    for spec in (
        ModelSpec(
            "cnn",
            CNN,
            "Four small CNNs averaged: Conv -> global max and mean pool -> small dense head. "
            "Fast and strong; averages both strands where strand does not matter.",
            defaults={
                "filters": 32,
                "kernel": 9,
                "hidden": 32,
                "dropout": 0.2,
                "members": 4,
                "mean_pool": True,
            },
            tasks=("binary", "regression", "multiclass", "multitask-binary"),
            recommended_for=("binary", "regression", "multiclass", "multitask-binary"),
        ),
        ModelSpec(
            "deepchem-tf",
            DeepChemTF,
            "The DeepChem book's JUND CNN: 3 conv layers (15 filters, kernel 10), "
            "dropout 0.5, flatten, linear.",
            tasks=("binary", "regression", "multiclass", "multitask-binary"),
            defaults={"filters": 15, "kernel": 10, "layers": 3, "dropout": 0.5},
            fixed_length=True,
        ),
        ModelSpec(
            "deepchem-sirna",
            DeepChemSiRNA,
            "The DeepChem book's siRNA CNN: 2 conv layers (10 filters, kernel 10), "
            "dropout 0.3, flatten, linear, sigmoid.",
            tasks=("regression",),
            defaults={"filters": 10, "kernel": 10, "layers": 2, "dropout": 0.3},
            fixed_length=True,
        ),
        ModelSpec(
            "kmer-bert",
            KmerBert,
            "DNABERT-style BERT (Hugging Face transformers) over overlapping k-mers, k = 3-6. "
            "Task lm pretrains it by masked-k-mer modelling; others fine-tune it (from scratch, "
            "a pretraining run or a DNABERT checkpoint folder).",
            input_kind="kmer",
            tasks=("binary", "regression", "multiclass", "multitask-binary", "lm"),
            defaults={"k": 6, "size": "small"},
            lr=3e-4,
        ),
        ModelSpec(
            "codon-bert",
            CodonBert,
            "BERT over in-frame codons with a joint codon + amino-acid vocabulary; task lm "
            "pretrains it on codon sentences (or codon-protein pairs).",
            input_kind="codon",
            tasks=("binary", "regression", "multiclass", "lm"),
            defaults={"size": "small"},
            lr=3e-4,
        ),
    )
}
#: Input kinds whose models read token ids and encode sequences themselves (``model.encode``).
TOKEN_KINDS = ("kmer", "codon")


class ModelError(ValueError):
    """An unknown model or one that does not fit the data."""


def spec(name: str) -> ModelSpec:
    try:
        return REGISTRY[name]
    except KeyError:
        raise ModelError(f"unknown model {name!r}; choose one of {', '.join(REGISTRY)}") from None


def available(task: str, input_kind: str = "onehot") -> list[ModelSpec]:
    """Models that fit a task and input kind, recommended first."""
    fits = [
        s
        for s in REGISTRY.values()
        if task in s.tasks and (s.input_kind == input_kind or input_kind.startswith(s.input_kind))
    ]
    return sorted(fits, key=lambda s: task not in s.recommended_for)


def recommended(task: str, input_kind: str = "onehot") -> str:
    """The first-choice model name for a task and input."""
    fits = available(task, input_kind)
    if not fits:
        raise ModelError(f"no model fits task {task!r} with input {input_kind!r}")
    return fits[0].name


#: ``cnn`` looks at positions in strand-specific sequences up to this long.
POSITIONAL_MAX_LEN = 64
#: ... and at each base itself once there are this many training sequences per input weight.
PER_BASE_MIN_EXAMPLES = 10


def data_hparams(
    name: str, *, strand_symmetric: bool, seq_len: int, n_train: int | None = None
) -> dict[str, Any]:
    """Hyperparameters that follow from the data rather than the user.

    Strand is a property of the dataset: where it does not matter (TF binding) ``cnn``
    averages both strands. Where it does and the sequence is short (siRNA guides) ``cnn``
    also looks at *where* along it each match is, and, given enough training sequences
    (``n_train``; None = enough), at which base sits at each position.
    """
    if name != "cnn":
        return {}
    positional = (not strand_symmetric) and seq_len <= POSITIONAL_MAX_LEN
    enough = n_train is None or n_train >= PER_BASE_MIN_EXAMPLES * 4 * seq_len
    return {
        "strand_average": strand_symmetric,
        "positional": positional,
        "per_base": positional and enough,
    }


def get(name: str, *, seq_len: int, outputs: int = 1, extras: int = 0, **hparams: Any) -> nn.Module:
    """Build a fresh model: registry defaults, overridden by ``hparams``."""
    s = spec(name)
    merged = {**s.defaults, **hparams}
    try:
        return s.builder(seq_len=seq_len, outputs=outputs, extras=extras, **merged)
    except TypeError as e:
        raise ModelError(f"model {name!r}: bad hyperparameters {sorted(hparams)}: {e}") from None
