"""Seeded train/valid/test splits: stratified by label, with the copies of a sequence and
the positive windows of one site kept in one split."""

from __future__ import annotations

import itertools

import numpy as np

from genoviz.data.split_groups import split_groups

SPLITS = ("train", "valid", "test")


def make_splits(
    labels: np.ndarray,
    task: str,
    seed: int,
    fractions: tuple[float, float] = (0.8, 0.1),
    sequences: list[str] | None = None,
    ids: list[str] | None = None,
) -> dict[str, np.ndarray]:
    """Seeded train/valid/test index arrays. Binary labels are stratified, so each split
    keeps the rare positives in proportion; so are multi-class labels (each class) and
    multi-task labels (each row's pattern of 0s and 1s), keeping the whole set's split
    sizes (:func:`_stratified_parts`).

    With ``sequences``, copies of one sequence stay in one split: the fractions count
    distinct sequences (stratified by the first copy's label), and every copy follows its
    first. So the test split never scores a sequence that was trained on, and whether the
    validation split gets one does not depend on the seed. A set without copies gets
    exactly the split it would get without ``sequences``.

    With ``ids``, the positive genomic windows of one site (``chr22:100-201`` beside
    ``chr22:201-302``) also stay in one split, as copies do
    (:mod:`genoviz.data.split_groups`); binary and multi-task sets only.
    """
    rng = np.random.default_rng(seed)
    n = len(labels)
    f_train, f_valid = fractions
    positive = None
    if ids is not None and task in ("binary", "multitask-binary") and n:
        positive = (np.asarray(labels).reshape(n, -1) > 0.5).any(axis=1)
    first = split_groups(n, sequences, ids, positive)
    heads = np.flatnonzero(first == np.arange(n))  # one row per distinct sequence
    part = np.zeros(n, dtype=np.int8)  # 0 train, 1 valid, 2 test, set on the heads
    if task in ("multiclass", "multitask-binary") and n:
        y = np.asarray(labels).reshape(n, -1)[heads]
        key = y > 0.5 if task == "multitask-binary" else y
        _, strata = np.unique(key, axis=0, return_inverse=True)
        part[heads] = _stratified_parts(strata.reshape(-1), rng, fractions)
    else:
        groups = [heads]
        if task == "binary":
            pos = np.asarray(labels).reshape(n)[heads] > 0.5
            groups = [heads[pos], heads[~pos]]
        for g in groups:
            g = rng.permutation(g)
            a = round(len(g) * f_train)
            b = a + round(len(g) * f_valid)
            part[g[a:b]], part[g[b:]] = 1, 2
    part = part[first]  # each copy goes where its first went
    return {k: np.flatnonzero(part == i).astype(np.int64) for i, k in enumerate(SPLITS)}


def _stratified_parts(
    strata: np.ndarray, rng: np.random.Generator, fractions: tuple[float, float]
) -> np.ndarray:
    """Split codes (0 train, 1 valid, 2 test) for rows of the given stratum numbers, with
    the sizes an unstratified split of them has, each stratum in proportion.

    Systematic sampling with a random start: the ``j``-th member of a stratum of ``s``, in
    random order, gets the key ``(j + u) / s`` (``u`` uniform in [0, 1), one per stratum);
    the rows sorted by key fill train, then validation, then test. When every stratum is
    large, each gets its share to within one row. A stratum of one lands in a split with
    that split's chance, so many rare classes or task patterns neither empty the test
    split (as rounding each one's share would) nor all go to training.
    Written by hand: sklearn's ``StratifiedShuffleSplit`` refuses a class of one member
    and splits in two.
    """
    m = len(strata)
    order = rng.permutation(m)
    s = strata[order]
    size = np.bincount(s)
    by_stratum = np.argsort(s, kind="stable")
    rank = np.empty(m)
    rank[by_stratum] = np.arange(m) - np.repeat(np.cumsum(size) - size, size)
    key = (rank + rng.random(len(size))[s]) / size[s]
    ranked = order[np.argsort(key, kind="stable")]
    a = round(m * fractions[0])
    b = a + round(m * fractions[1])
    part = np.zeros(m, dtype=np.int8)
    part[ranked[a:b]], part[ranked[b:]] = 1, 2
    return part


def min_split_group(fractions: tuple[float, float] = (0.8, 0.1)) -> int:
    """Fewest sequences in one group (a binary set's label, else the whole set) for which
    :func:`make_splits` gives both the train and the validation split one: 6 at 80/10/10."""
    f_train, f_valid = fractions
    if min(f_train, f_valid) <= 0:
        raise ValueError("the train and validation fractions must be above 0")
    return next(
        m for m in itertools.count(1) if round(m * f_train) >= 1 and round(m * f_valid) >= 1
    )
