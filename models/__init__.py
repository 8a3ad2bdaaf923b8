"""Model registry: name -> builder, input kind, supported tasks and default hyperparameters.

>>> import models
>>> net = models.get("cnn", seq_len=101)
>>> [s.name for s in models.available("binary", "onehot")][:1]
['cnn']

To add a model: write an ``nn.Module`` with ``forward(x, extras=None) -> logits`` (see
``models/cnn.py``), then add one :class:`ModelSpec` to ``REGISTRY`` below.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from torch import nn

from models.autoencoder import ConvAutoencoder
from models.bert import CodonBert, KmerBert
from models.cnn import CNN, DeepChemSiRNA, DeepChemTF
from models.motif_net import MotifNet
from models.rnn import BiLSTM, DanQ
from models.simple import MLP, Linear


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


#: Every supervised task the fit loop trains.
ALL_TASKS = ("binary", "regression", "multiclass", "multitask-binary")

REGISTRY: dict[str, ModelSpec] = {
    spec.name: spec
    for spec in (
        ModelSpec(
            "cnn",
            CNN,
            "Four small CNNs averaged: Conv -> global max and mean pool -> small dense head. "
            "Fast and strong; averages both strands where strand does not matter, and where "
            "it does (promoters, splice sites, siRNA) also pools each block of the sequence, "
            "so it sees where each match lies.",
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
            "deepchem-tf-access",
            DeepChemTF,
            "The DeepChem book's second JUND model: the same 3-layer CNN, with the "
            "accessibility value concatenated after the flattened convolutions.",
            input_kind="onehot+extras",
            tasks=ALL_TASKS,
            defaults={"filters": 15, "kernel": 10, "layers": 3, "dropout": 0.5},
            fixed_length=True,
        ),
        ModelSpec(
            "linear",
            Linear,
            "Teaching step 1: one linear layer on the flattened one-hot sequence, a score "
            "for each base at each position. Cannot recognise a motif that moves.",
            tasks=ALL_TASKS,
            fixed_length=True,
        ),
        ModelSpec(
            "mlp",
            MLP,
            "Teaching step 2: flattened one-hot -> hidden ReLU layer(s) -> output. "
            "Nonlinear, but still position-bound: no shared filters.",
            tasks=ALL_TASKS,
            defaults={"hidden": 64, "layers": 1, "dropout": 0.2},
            fixed_length=True,
        ),
        ModelSpec(
            "bilstm",
            BiLSTM,
            "Bidirectional LSTM over the bases, max and mean pooled, dense head. Reads the "
            "whole sequence in order; slower than a CNN.",
            tasks=ALL_TASKS,
            defaults={"hidden": 32, "dense": 32, "dropout": 0.2},
        ),
        ModelSpec(
            "danq",
            DanQ,
            "DanQ (Quang & Xie 2016): convolution -> max pool -> BiLSTM -> dense. The "
            "filters find motifs, the LSTM reads their order and spacing.",
            tasks=ALL_TASKS,
            defaults={
                "filters": 64,
                "kernel": 19,
                "pool": 13,
                "hidden": 32,
                "dense": 64,
                "dropout": 0.2,
                "rnn_dropout": 0.5,
            },
            fixed_length=True,
        ),
        ModelSpec(
            "motif-net",
            MotifNet,
            "Learnable PSSMs, each with a learnable position mask so it finds its own "
            "length, scanned on both strands -> ReLU -> [attention across motifs] -> max "
            "pool -> dense head. Can start from (and freeze) real JASPAR matrices.",
            tasks=ALL_TASKS,
            defaults={
                "motifs": 16,
                "width": 15,
                "both_strands": True,
                "attention_heads": 0,
                "hidden": 32,
                "dropout": 0.2,
                "init": "random",
                "jaspar": [],
                "freeze_motifs": False,
            },
        ),
        ModelSpec(
            "autoencoder",
            ConvAutoencoder,
            "The encoder of a convolutional autoencoder with a dense head. Pretrain it "
            "without labels (python -m genoviz autoencode), then fine-tune from that run.",
            tasks=ALL_TASKS,
            defaults={
                "filters": 32,
                "kernel": 9,
                "pool": 2,
                "latent": 4,
                "hidden": 32,
                "dropout": 0.2,
            },
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
    """The first-choice model name for a task and input.

    No one-hot model pretrains on a corpus (task ``lm``): there the k-mer BERT is the
    choice (``input_kind="codon"`` gives the codon BERT)."""
    fits = available(task, input_kind)
    if not fits and task == "lm" and input_kind.startswith("onehot"):
        fits = available(task, "kmer")
    if not fits:
        raise ModelError(f"no model fits task {task!r} with input {input_kind!r}")
    return fits[0].name


#: ``cnn`` looks at which base sits at each position in strand-specific sequences up to
#: this long ...
POSITIONAL_MAX_LEN = 64
#: ... once there are this many training sequences per input weight.
PER_BASE_MIN_EXAMPLES = 10
#: Longer strand-specific windows are max-pooled into about this many blocks per filter.
POSITIONAL_BLOCKS = 30


def data_hparams(
    name: str, *, strand_symmetric: bool, seq_len: int, n_train: int | None = None
) -> dict[str, Any]:
    """Hyperparameters that follow from the data rather than the user.

    Strand is a property of the dataset: where it does not matter (TF binding) ``cnn``
    averages both strands and asks only whether and how much each motif occurs. Where it
    does (siRNA guides, windows centred on a TSS or a splice site) ``cnn`` also looks at
    *where* each match is: the head sees each filter's maximum in every ``pool``-bp block,
    3 bp for short sequences and about :data:`POSITIONAL_BLOCKS` blocks along longer ones
    (10 bp on 300 bp promoters). Short sequences with enough training examples (``n_train``;
    None = enough) also show the head which base sits at each position.
    """
    if name != "cnn":
        # Every other one-hot model averages its head's scores over both strands where
        # strand does not matter (it trains on both; an autoencoder's reconstruction is
        # not its forward). A BERT learns the symmetry from the augmentation alone.
        averages = spec(name).input_kind.startswith("onehot")
        return {"strand_average": True} if strand_symmetric and averages else {}
    if strand_symmetric:
        return {"strand_average": True, "positional": False, "per_base": False}
    short = seq_len <= POSITIONAL_MAX_LEN
    enough = n_train is None or n_train >= PER_BASE_MIN_EXAMPLES * 4 * seq_len
    return {
        "strand_average": False,
        "positional": True,
        "pool": 3 if short else -(-seq_len // POSITIONAL_BLOCKS),
        "per_base": short and enough,
    }


def needs_training_length(name: str, build: dict[str, Any]) -> bool:
    """Whether a model built with ``build`` reads only sequences of its training length:
    one that flattens positions (``fixed_length``), or a ``cnn`` whose head sees where
    matches lie (``positional``) or which base sits at each position (``per_base``)."""
    if spec(name).fixed_length:
        return True
    merged = {**spec(name).defaults, **build}
    return name == "cnn" and bool(merged.get("positional") or merged.get("per_base"))


def get(name: str, *, seq_len: int, outputs: int = 1, extras: int = 0, **hparams: Any) -> nn.Module:
    """Build a fresh model: registry defaults, overridden by ``hparams``.

    Raises:
        ModelError: an unknown hyperparameter (with the closest known name), a value of the
            wrong kind, or one the model cannot be built with (a negative size).
    """
    s = spec(name)
    hparams = dict(hparams)
    # ``strand_average`` is the base class's (SequenceModel): set on any one-hot model
    # after building, unless its builder takes it (cnn).
    average = None
    if name != "cnn" and "strand_average" in hparams:
        average = hparams.pop("strand_average")
        if not isinstance(average, bool):
            raise ModelError(f"model {name!r}: strand_average must be true or false")
        if not s.input_kind.startswith("onehot"):
            raise ModelError(f"model {name!r} cannot average strands (strand_average)")
    hparams = _check_hparams(name, s, hparams)
    merged = {**s.defaults, **hparams}
    try:
        model = s.builder(seq_len=seq_len, outputs=outputs, extras=extras, **merged)
        if average is not None:
            model.strand_average = average
        return model
    except TypeError as e:
        raise ModelError(f"model {name!r}: bad hyperparameters {sorted(hparams)}: {e}") from None
    except ValueError as e:  # a builder's own check, e.g. a JASPAR name that does not exist
        raise ModelError(f"model {name!r}: {e}") from None
    except RuntimeError as e:  # torch's own, e.g. a size it cannot make
        raise ModelError(f"model {name!r} cannot be built with {hparams}: {e}") from None


def _check_hparams(name: str, s: ModelSpec, hparams: dict[str, Any]) -> dict[str, Any]:
    """Unknown names and values of the wrong kind, said in words before torch sees them;
    returns ``hparams`` with whole-number floats (``8.0`` from JSON) made ints."""
    import difflib
    import inspect

    builder = s.builder.__init__ if isinstance(s.builder, type) else s.builder
    params = inspect.signature(builder).parameters
    takes_any = any(p.kind is p.VAR_KEYWORD for p in params.values())
    known = sorted(set(params) - {"self", "seq_len", "outputs", "extras"} | set(s.defaults))
    for key, value in hparams.items():
        if not takes_any and key not in known:
            close = difflib.get_close_matches(key, known, n=1)
            hint = f" (did you mean {close[0]!r}?)" if close else ""
            takes = f"it takes {', '.join(known)}" if known else "it takes none"
            raise ModelError(f"model {name!r} has no hyperparameter {key!r}{hint}; {takes}")
        default = s.defaults.get(key, params[key].default if key in params else None)
        if isinstance(default, bool) and not isinstance(value, bool):
            raise ModelError(f"model {name!r}: {key} must be true or false, not {value!r}")
        number = isinstance(default, int | float) and not isinstance(default, bool)
        if number and (isinstance(value, bool) or not isinstance(value, int | float)):
            raise ModelError(f"model {name!r}: {key} must be a number, not {value!r}")
        if number and not math.isfinite(value):
            raise ModelError(f"model {name!r}: {key} must be a finite number, not {value!r}")
        if number and "dropout" in key and not 0 <= value < 1:
            raise ModelError(f"model {name!r}: {key} is a share, from 0 up to 1, not {value!r}")
        if (
            number
            and isinstance(default, int)
            and default >= 1
            and not (float(value).is_integer() and value >= 1)
        ):  # sizes and counts: filters, kernel, motifs, layers, ...
            raise ModelError(
                f"model {name!r}: {key} must be a whole number of at least 1, not {value!r}"
            )
        if isinstance(default, list | tuple) and not isinstance(value, list | tuple):
            raise ModelError(f"model {name!r}: {key} must be a list, such as [{value!r}]")
    return {
        k: int(v) if isinstance(s.defaults.get(k), int) and isinstance(v, float) else v
        for k, v in hparams.items()
    }
