"""The science behind lesson mode: planted motifs, hand-made filters, a filter scan, and
matching learned filters to the planted truth.

Everything takes and returns arrays; the Lesson page only wires widgets to these.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import NamedTuple

import numpy as np

import models
from genoviz.data import BUNDLED, Dataset
from genoviz.motifs import MotifError, fetch_jaspar, information_content, log_odds
from genoviz.onehot import one_hot
from genoviz.sequences import ALPHABET, clean_sequence

#: The lesson's training: one small CNN member for a few epochs, fast on a laptop CPU.
LESSON_EPOCHS = 3
LESSON_HPARAMS: dict[str, object] = {"members": 1, "filters": 16}

STEPS: tuple[str, ...] = (
    "A dataset and its planted truth",
    "One-hot encoding",
    "A convolution filter scans the sequence",
    "Training, live",
    "What did it learn?",
)


def lesson_datasets() -> list[str]:
    """Bundled DNA sets a model can train on (every one but the language-model corpus)."""
    out = []
    for name, spec in BUNDLED.items():
        if models.available(spec.task):
            out.append(name)
    return out


def planted_motifs(ds: Dataset) -> dict[str, np.ndarray]:
    """The motifs a simulated set was built from: name -> PFM ``(4, W)``, rows A, C, G, T.

    JASPAR ids in ``ground_truth["motifs"]`` are read from the bundled JASPAR release;
    matrices stored as ``*_pfm`` (splice sites) are used as they are. IUPAC-built motifs
    and sets without planted motifs contribute nothing.
    """
    truth = ds.meta.ground_truth or {}
    out: dict[str, np.ndarray] = {}
    for motif_id, name in (truth.get("motifs") or {}).items():
        if motif_id.startswith("IUPAC:"):
            continue
        try:
            out[f"{name} ({motif_id})"] = fetch_jaspar(motif_id).pfm
        except MotifError:
            continue
    for key, value in truth.items():
        if key.endswith("_pfm") and len(value) == 4:
            pfm = np.asarray(value, dtype=float)
            out[key.removesuffix("_pfm")] = pfm / pfm.sum(axis=0, keepdims=True)
    return out


class Site(NamedTuple):
    """One planted instance in one sequence (0-based start); ``kind`` says whether it is
    a real site or a decoy (a weakened or half motif planted in an unbound window)."""

    motif: str
    start: int
    strand: str
    kind: str = "site"

    @property
    def is_decoy(self) -> bool:
        """A motif planted where the factor does not bind (a composite site is real)."""
        return "decoy" in self.kind


def planted_sites(ds: Dataset, index: int) -> list[Site]:
    """Planted instances in sequence ``index`` (from ``ground_truth["instances"]``)."""
    truth = ds.meta.ground_truth or {}
    cols = truth.get("columns") or []
    names = truth.get("motifs") or {}
    if "index" not in cols or "start" not in cols or not truth.get("instances"):
        return []
    i_idx, i_start = cols.index("index"), cols.index("start")
    i_motif = cols.index("motif_id") if "motif_id" in cols else None
    i_strand = cols.index("strand") if "strand" in cols else None
    i_kind = cols.index("kind") if "kind" in cols else None
    out = []
    for row in truth["instances"]:
        if row[i_idx] == index:
            mid = row[i_motif] if i_motif is not None else "site"
            strand = row[i_strand] if i_strand is not None else "+"
            kind = str(row[i_kind]).replace("-", " ") if i_kind is not None else "site"
            out.append(Site(f"{names.get(mid, mid)} ({mid})", int(row[i_start]), strand, kind))
    return out


def network_text(ds: Dataset) -> str:
    """What the lesson's network is on ``ds``, as built: the head sees more on sets where
    position matters (each filter's best match per block; on short guides each base)."""
    from genoviz.training import TrainConfig, model_build_args

    config = TrainConfig(hparams=dict(LESSON_HPARAMS), use_extras=False)
    b = model_build_args(ds, "cnn", config)
    text = (
        f"one layer of {b['filters']} convolution filters ({b['kernel']} bp wide) slides "
        "over the one-hot sequence, and the best match of each filter anywhere is kept (max "
        "pooling, with the average match beside it)"
    )
    if b.get("positional"):
        text += (
            f"; so is its best match in every {b['pool']}-bp block, so the network also "
            "knows where along the sequence a match lies"
        )
    if b.get("per_base"):
        text += ", and it also sees which base sits at each position"
    hidden = int(b.get("hidden") or 0)
    return text + (
        f". Two small dense layers (a hidden layer of {hidden} units, then the output) turn "
        "those numbers into the prediction."
        if hidden
        else ". A dense layer turns those numbers into the prediction."
    )


def example_index(ds: Dataset) -> int:
    """A good first sequence to look at: a positive one with a planted site if possible."""
    truth = ds.meta.ground_truth or {}
    cols = truth.get("columns") or []
    labels = ds.labels if ds.labels.ndim == 1 else ds.labels.max(axis=1)
    if "index" in cols and truth.get("instances"):
        i_idx = cols.index("index")
        i_kind = cols.index("kind") if "kind" in cols else None
        for row in truth["instances"]:
            good_kind = i_kind is None or row[i_kind] in ("site", "composite")
            if good_kind and labels[row[i_idx]] > 0.5:
                return int(row[i_idx])
    if ds.task in ("binary", "multitask-binary"):
        pos = np.flatnonzero(labels > 0.5)
        if len(pos):
            return int(pos[0])
    return 0


def pwm_filter(pfm: np.ndarray, floor: float = -2.0) -> np.ndarray:
    """A hand-made filter from a motif: its log-odds weights ``(4, W)`` in bits against a
    uniform background, floored at ``floor`` bits so that one rare base does not swamp the
    picture (a common convention when scanning with PWMs)."""
    return np.maximum(log_odds(np.asarray(pfm, dtype=float)), floor)


def word_filter(word: str) -> np.ndarray:
    """A hand-made filter for a DNA word: +1 for its base at each position, else 0.

    Raises:
        SequenceError: the word has characters that are not DNA.
    """
    return one_hot(clean_sequence(word, record="your word"))[0].astype(float)


@dataclass(frozen=True)
class Scan:
    """A filter slid along one sequence.

    Attributes:
        activation: shape ``(L - W + 1,)``, the filter's score with its first column at
            each position.
        contributions: shape ``(L - W + 1, W)``, the weight picked by each base under it.
    """

    activation: np.ndarray
    contributions: np.ndarray

    @property
    def best(self) -> int:
        return int(np.argmax(self.activation))


def scan(x: np.ndarray, weights: np.ndarray) -> Scan:
    """Slide ``weights`` ``(4, W)`` along one-hot ``x`` ``(4, L)`` (no padding, one strand).

    This is the cross-correlation a ``Conv1d`` computes, without bias or ReLU.
    """
    x = np.asarray(x, dtype=float)
    w = np.asarray(weights, dtype=float)
    width, length = w.shape[1], x.shape[1]
    if length < width:
        raise ValueError(f"the sequence ({length} bp) is shorter than the filter ({width})")
    windows = np.lib.stride_tricks.sliding_window_view(x, width, axis=1)  # (4, P, W)
    contrib = np.einsum("cpw,cw->pw", windows, w)
    return Scan(contrib.sum(axis=1), contrib)


class Match(NamedTuple):
    """How well a learned filter matches a planted motif."""

    index: int  # the filter's 0-based index in the model (shown as filter_label(index))
    motif: str
    score: float  # mean Pearson r over the overlapping columns
    offset: int  # filter column aligned with the motif's first column (may be negative)
    strand: str  # "+", or "-" when the filter matches the reverse complement


def column_similarity(a: np.ndarray, b: np.ndarray, min_overlap: int = 4) -> tuple[float, int]:
    """Best mean column-wise Pearson r between PFMs ``a`` ``(4, Wa)`` and ``b`` ``(4, Wb)``
    over all shifts with at least ``min_overlap`` columns in common; returns (r, shift)."""
    wa, wb = a.shape[1], b.shape[1]
    need = min(min_overlap, wa, wb)
    best, best_shift = -1.0, 0
    for shift in range(-(wb - need), wa - need + 1):
        ia = np.arange(max(shift, 0), min(wa, shift + wb))
        if len(ia) < need:
            continue
        ca, cb = a[:, ia], b[:, ia - shift]
        ca = ca - ca.mean(axis=0)
        cb = cb - cb.mean(axis=0)
        den = np.sqrt((ca**2).sum(axis=0) * (cb**2).sum(axis=0))
        r = np.where(den > 1e-12, (ca * cb).sum(axis=0) / np.maximum(den, 1e-12), 0.0)
        if r.mean() > best:
            best, best_shift = float(r.mean()), shift
    return best, best_shift


def match_filters(pfms: np.ndarray, motifs: dict[str, np.ndarray]) -> list[Match]:
    """The best planted motif for each filter PFM (either strand), best match first.

    Filters that never fired (flat 0.25 columns) are left out.
    """
    out = []
    for f, pfm in enumerate(pfms):
        if np.allclose(pfm, 0.25):
            continue
        best: Match | None = None
        for name, motif in motifs.items():
            for strand, m in (("+", motif), ("-", motif[::-1, ::-1])):
                r, shift = column_similarity(pfm, m)
                if best is None or r > best.score:
                    best = Match(f, name, r, shift, strand)
        if best is not None:
            out.append(best)
    return sorted(out, key=lambda m: -m.score)


def informative_filters(pfms: np.ndarray, k: int = 4) -> list[int]:
    """The ``k`` filters whose PFMs carry the most information (for sets without motifs)."""
    bits = np.array([information_content(p).sum() for p in pfms])
    return [int(i) for i in np.argsort(-bits)[:k]]


def pfm_frame_rows(pfm: np.ndarray) -> dict[str, np.ndarray]:
    """A ``(4, W)`` matrix as letter -> row, for building a logo DataFrame."""
    return {b: np.asarray(pfm[i]) for i, b in enumerate(ALPHABET)}


def motif_indices(ds: Dataset, k: int = 500) -> np.ndarray:
    """Up to ``k`` sequences where the motifs should be: positives of a binary or multi-task
    set, every class but the first of a multiclass set, the top fifth of a regression set."""
    y = ds.labels
    if ds.task == "multitask-binary":
        idx = np.flatnonzero(y.max(axis=1) > 0.5)
    elif ds.task == "binary":
        idx = np.flatnonzero(y > 0.5)
    elif ds.task == "multiclass":
        names = [n.lower() for n in ds.class_names]
        other = names.index("neither") if "neither" in names else -1
        idx = np.flatnonzero(y != other) if other >= 0 else np.arange(len(y))
    elif ds.task == "regression":
        idx = np.flatnonzero(y >= np.quantile(y, 0.8))
    else:
        idx = np.arange(len(y))
    return idx[:k]
