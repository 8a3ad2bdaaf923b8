"""The Dataset container every other part consumes (see the Dataset contract in DESIGN.md):
its card (:class:`DatasetMeta`) and the task names. Its splits are drawn by
:mod:`genoviz.data.splits`; how labels are read as a task is :mod:`genoviz.data.task_labels`.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field, replace
from typing import Any, Literal

import numpy as np

from genoviz.data.split_groups import first_copies
from genoviz.data.splits import make_splits, min_split_group
from genoviz.onehot import one_hot
from genoviz.sequences import SequenceError, pad_or_trim

Task = Literal["binary", "multiclass", "regression", "multitask-binary", "lm"]
TASKS: tuple[str, ...] = ("binary", "multiclass", "regression", "multitask-binary", "lm")


@dataclass
class DatasetMeta:
    """The dataset card: what it is, how it was made, what it stands for, and where from."""

    name: str
    description: str = ""
    source: str = ""
    citation: str = ""
    alphabet: str = "DNA"
    #: False when the label depends on strand (siRNA guides, splice sites): no RC tricks then.
    strand_symmetric: bool = False
    simulated: bool = False
    extras_names: list[str] = field(default_factory=list)
    #: Planted truth for simulated sets: motif ids, names and positions per sequence.
    ground_truth: dict[str, Any] = field(default_factory=dict)
    notes: dict[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass
class Dataset:
    """Sequences with labels, optional weights and extras, seeded splits and a card.

    Attributes:
        sequences: cleaned sequences (A, C, G, T, N).
        labels: float32, shape ``(n,)`` or ``(n, tasks)``.
        weights: float32 ``(n,)`` sample weights, or None.
        extras: float32 ``(n, f)`` per-sequence numeric inputs (e.g. accessibility), or None.
        splits: ``{"train", "valid", "test"}`` -> int index arrays.
    """

    sequences: list[str]
    labels: np.ndarray
    task: str
    meta: DatasetMeta
    weights: np.ndarray | None = None
    extras: np.ndarray | None = None
    ids: list[str] | None = None
    splits: dict[str, np.ndarray] = field(default_factory=dict)

    def __post_init__(self) -> None:
        n = len(self.sequences)
        if self.task not in TASKS:
            raise ValueError(f"unknown task {self.task!r}; expected one of {', '.join(TASKS)}")
        self.labels = np.asarray(self.labels, dtype=np.float32)
        if len(self.labels) != n:
            raise ValueError(f"{n} sequences but {len(self.labels)} labels")
        if self.weights is not None:
            self.weights = np.asarray(self.weights, dtype=np.float32)
        if self.extras is not None:
            self.extras = np.asarray(self.extras, dtype=np.float32).reshape(n, -1)
        if self.ids is None:
            self.ids = [f"seq{i + 1}" for i in range(n)]

    def subset(self, index: np.ndarray) -> Dataset:
        """The rows at ``index`` as a new dataset (a copy of the card, no splits: they are
        drawn again by :meth:`ensure_splits`, whose seed is noted in the copy alone). The
        seed the parent was loaded with stays as ``notes["data_seed"]``: a simulated set
        is rebuilt from it, whatever seed draws the subset's splits."""
        index = np.asarray(index, dtype=np.int64)
        notes = {k: v for k, v in self.meta.notes.items() if k != "seed"}
        if "seed" in self.meta.notes:
            notes["data_seed"] = self.meta.notes.get("data_seed", self.meta.notes["seed"])

        def rows(a: np.ndarray | None) -> np.ndarray | None:
            return None if a is None else a[index]

        return Dataset(
            [self.sequences[i] for i in index],
            self.labels[index],
            self.task,
            replace(self.meta, notes=notes),
            weights=rows(self.weights),
            extras=rows(self.extras),
            ids=[self.ids[i] for i in index],
        )

    def __len__(self) -> int:
        return len(self.sequences)

    @property
    def name(self) -> str:
        return self.meta.name

    @property
    def n_extras(self) -> int:
        return 0 if self.extras is None else int(self.extras.shape[1])

    @property
    def n_outputs(self) -> int:
        """Model outputs: classes for multiclass, tasks for multi-task, else 1."""
        if self.task == "multiclass":
            return len(self.class_names)
        return 1 if self.labels.ndim == 1 else int(self.labels.shape[1])

    @property
    def class_names(self) -> list[str]:
        """Class names (multiclass) or task names (multi-task); empty otherwise."""
        if self.task == "multiclass":
            names = self.meta.notes.get("classes")
            n = int(np.nanmax(self.labels)) + 1 if len(self.labels) else 0
            return list(names) if names else [str(c) for c in range(max(n, 2))]
        if self.task == "multitask-binary":
            names = self.meta.notes.get("tasks")
            return list(names) if names else [f"task{j + 1}" for j in range(self.labels.shape[1])]
        return []

    @property
    def lengths(self) -> np.ndarray:
        return np.fromiter((len(s) for s in self.sequences), dtype=np.int64, count=len(self))

    @property
    def fixed_length(self) -> int | None:
        """The common length, or None when lengths differ."""
        lengths = self.lengths
        return int(lengths[0]) if len(lengths) and (lengths == lengths[0]).all() else None

    def encode(self, length: int | None = None) -> np.ndarray:
        """One-hot ``(n, 4, L)``; with ``length`` pad (N) or trim to it, centred.

        Raises:
            SequenceError: lengths differ and no ``length`` was given.
        """
        seqs = self.sequences
        if length is not None:
            seqs = pad_or_trim(seqs, length)
        elif self.fixed_length is None:
            lengths = self.lengths
            raise SequenceError(
                f"sequences have mixed lengths ({lengths.min()}-{lengths.max()} bp); "
                f"this model needs one length, so they will be padded with N or trimmed "
                f"to a length you choose",
            )
        return one_hot(seqs)

    def ensure_splits(self, seed: int = 0, fractions: tuple[float, float] = (0.8, 0.1)) -> None:
        """Create seeded train/valid/test splits if none are set (stratified by label);
        ``meta.notes["seed"]`` then says which seed drew them (a run records it)."""
        if not self.splits:
            self.splits = make_splits(
                self.labels, self.task, seed, fractions, self.sequences, self.ids
            )
            self.meta.notes["seed"] = seed

    def missing_labels(self) -> str | None:
        """Why training cannot use these labels because some are missing (NaN or
        infinite), naming the first such sequence and column, or None. A pretraining
        corpus (``lm``) has none to miss."""
        if self.task == "lm":
            return None
        arr = self.labels.reshape(len(self), -1)
        bad = np.argwhere(~np.isfinite(arr))
        if not len(bad):
            return None
        i, j = (int(v) for v in bad[0])
        names = self.class_names if self.task == "multitask-binary" else []
        column = f" in label column {names[j]!r}" if j < len(names) else ""
        more = f" ({len(bad):,} labels in all)" if len(bad) > 1 else ""
        return (
            f"{self.ids[i]} has no label{column}: it is {arr[i, j]}{more}. Training needs "
            "every label; give the missing ones (0 or 1 for a multi-task set) or leave "
            "those sequences out"
        )

    def too_small_to_train(self) -> str | None:
        """Why training would find its train or validation split empty, or None.

        Uses the dataset's splits when set, else the sizes :func:`make_splits` gives (they
        do not depend on the seed).
        """
        splits = self.splits or make_splits(
            self.labels, self.task, seed=0, sequences=self.sequences, ids=self.ids
        )
        if len(splits["train"]) and len(splits["valid"]):
            return None
        n = len(self)
        if self.splits and "seed" not in self.meta.notes:  # the set's own, not drawn
            return (
                f"Too few sequences to train on: this set's own split gives "
                f"{len(splits['train'])} for training and {len(splits['valid'])} for "
                "validation, and training needs at least one in each."
            )
        least = min_split_group()
        # Copies of one sequence stay in one split, so only distinct sequences count.
        heads = first_copies(self.sequences) == np.arange(n)
        distinct, once = ("", "") if heads.all() else ("distinct ", " Copies count once.")
        if self.task == "binary":
            pos = self.labels.reshape(n) > 0.5
            n_pos, n_neg = int((pos & heads).sum()), int((~pos & heads).sum())
            return (
                f"Too few {distinct}sequences to train on: {n_pos + n_neg} ({n_pos} with "
                f"label 1, {n_neg} with label 0).{once} Training keeps 10% of each label "
                f"for validation, so it needs at least {least} sequences with the same label."
            )
        return (
            f"Too few {distinct}sequences to train on: {int(heads.sum())}.{once} Training "
            f"keeps 10% of them for validation, so it needs at least {least}."
        )

    def count_text(self) -> str:
        """How many sequences, and how many distinct when some are copies (they stay in
        one split): ``30`` or ``30, 1 of them distinct``."""
        distinct = len(set(self.sequences))
        return f"{len(self)}" + ("" if distinct == len(self) else f", {distinct} of them distinct")

    def one_class_note(self) -> str | None:
        """Why a classifier would learn nothing here: every label the same (per task for a
        multi-task set), so ROC AUC is undefined; None when each label has two values."""
        values = np.unique(self.labels)
        if self.task in ("binary", "multiclass") and len(values) == 1:
            binary = self.task == "binary"
            return (
                f"Every sequence {'has label' if binary else 'is class'} {values[0]:g}: a "
                "classifier learns nothing from one class"
                + (", and ROC AUC is undefined" if binary else "")
                + ". Add sequences of the other "
                + ("class (label 0 or 1)." if binary else "classes.")
            )
        if self.task == "multitask-binary":
            flat = [
                name
                for name, column in zip(self.class_names, self.labels.T, strict=True)
                if len(np.unique(column[np.isfinite(column)])) < 2
            ]
            if flat:
                return (
                    f"Task(s) {', '.join(flat)} have a single label value: nothing to learn "
                    "there, and their ROC AUC is undefined."
                )
        return None

    def duplicate_note(self) -> str | None:
        """What copies of one sequence there are, and whether the splits keep them apart;
        None when every sequence is different."""
        rows = np.arange(len(self))
        first = first_copies(self.sequences)
        copies = int((first != rows).sum())
        if not copies:
            return None
        repeated = len(np.unique(first[first != rows]))
        labels = self.labels.reshape(len(self), -1)
        theirs = labels[first]  # a missing label (NaN) disagrees with none
        missing = np.isnan(labels) | np.isnan(theirs)
        same = (missing | np.isclose(labels, theirs)).all(axis=1)
        clash = len(np.unique(first[~same]))
        note = (
            f"{repeated:,} sequence{'s appear' if repeated > 1 else ' appears'} more than "
            f"once ({copies:,} extra cop{'ies' if copies > 1 else 'y'}"
            + (f"; {clash:,} of them with different labels" if clash else "")
            + ")."
        )
        splits = self.splits or make_splits(
            self.labels, self.task, 0, sequences=self.sequences, ids=self.ids
        )
        leaked = int(np.isin(first[splits["test"]], first[splits["train"]]).sum())
        if leaked:
            return (
                f"{note} {leaked:,} test sequence{'s are' if leaked > 1 else ' is'} also in "
                "the training split (the set's own split), so test metrics read high."
            )
        return f"{note} Every copy stays in one split: no test sequence is also a training one."

    def summary(self) -> dict[str, Any]:
        """Counts shown on cards and by ``python -m genoviz datasets``."""
        lengths = self.lengths
        out: dict[str, Any] = {
            "name": self.name,
            "task": self.task,
            "n": len(self),
            "length": f"{lengths.min()}"
            if lengths.min() == lengths.max()
            else f"{lengths.min()}-{lengths.max()}",
        }
        if self.task == "binary":
            out["positives"] = int((self.labels > 0.5).sum())
        if self.extras is not None:
            out["extras"] = ",".join(self.meta.extras_names) or str(self.n_extras)
        return out
