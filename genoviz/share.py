"""Shareable setups: a page's state as URL query parameters, and back.

Like TensorFlow Playground, the address bar holds the whole setup (dataset, model,
hyperparameters, seed, selected sequence, lesson step; on Interpret the run, the
attribution method and its baseline), so a link restores it. Decoding
never trusts the URL: every value is checked against what genoviz accepts, and a bad one
is dropped with a message (the default is used instead), never raised.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, fields, replace
from typing import Any
from urllib.parse import urlencode

import models
from genoviz.data import BUNDLED
from genoviz.interpret.attribution import BASELINES
from genoviz.interpret.attribution_methods import ALIASES, METHODS
from genoviz.training import TrainConfig

#: Choices the Train page offers (a URL may only pick one of them).
BATCH_SIZES: tuple[int, ...] = (32, 64, 128, 256, 512)
LEARNING_RATES: tuple[float, ...] = (1e-4, 3e-4, 1e-3, 3e-3, 1e-2)
MAX_EPOCHS = 500
#: The Lesson page's epochs box stops here (a lesson run is short).
LESSON_MAX_EPOCHS = 50
MAX_SEED = 2**31 - 1
LESSON_STEPS = 5


@dataclass(frozen=True)
class Setup:
    """What a link carries. ``None`` means "not set": the page's own default applies.

    Attributes:
        dataset: a bundled dataset name (your own uploads cannot travel in a URL).
        model: a model registry name.
        epochs, lr, batch, seed: training settings.
        seq: the selected sequence, 0-based index into the dataset.
        step: lesson step, 1 to 5.
        filter: the filter shown in the lesson's scan view (0-based).
        pos: the scan position (0-based).
        word: the DNA word typed as the lesson's own filter (its scan view then shows it).
        run: a saved run's folder name (a name only, never a path; the page also checks
            it against the runs it lists).
        method, baseline: the Interpret page's attribution method and its reference.
    """

    dataset: str | None = None
    model: str | None = None
    epochs: int | None = None
    lr: float | None = None
    batch: int | None = None
    seed: int | None = None
    seq: int | None = None
    step: int | None = None
    filter: int | None = None
    pos: int | None = None
    word: str | None = None
    run: str | None = None
    method: str | None = None
    baseline: str | None = None

    def merged(self, other: Setup) -> Setup:
        """This setup with ``other``'s set values on top."""
        return replace(self, **{k: v for k, v in other.as_dict().items() if v is not None})

    def as_dict(self) -> dict[str, Any]:
        return {f.name: getattr(self, f.name) for f in fields(self)}


@dataclass(frozen=True)
class Decoded:
    """A decoded URL: the valid part as a :class:`Setup`, and one line per dropped value."""

    setup: Setup
    problems: list[str] = field(default_factory=list)


def _int_in(lo: int, hi: int) -> Callable[[str], int]:
    def parse(text: str) -> int:
        value = int(text)
        if not lo <= value <= hi:
            raise ValueError(f"must be between {lo} and {hi}")
        return value

    return parse


def _one_of(choices: tuple[Any, ...], cast: Callable[[str], Any]) -> Callable[[str], Any]:
    def parse(text: str) -> Any:
        value = cast(text)
        for c in choices:  # floats from a URL: compare with a tolerance, return the choice
            if value == c or (isinstance(c, float) and abs(value - c) <= 1e-9 * abs(c)):
                return c
        raise ValueError(f"must be one of {', '.join(f'{c:g}' for c in choices)}")

    return parse


def _dataset(text: str) -> str:
    if text not in BUNDLED:
        raise ValueError(f"not a bundled dataset (one of {', '.join(BUNDLED)})")
    return text


def _model(text: str) -> str:
    if text not in models.REGISTRY:
        raise ValueError(f"not a model genoviz knows ({', '.join(models.REGISTRY)})")
    return text


#: A run folder name: letters, digits, ``.``, ``_``, ``-``; no separators, no ``..``.
_RUN_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$")


def _run(text: str) -> str:
    if not _RUN_NAME.match(text) or ".." in text:
        raise ValueError("not a run name (a run folder's name, not a path)")
    return text


#: The longest word a lesson link carries (a filter as wide as a typical motif, and more).
MAX_WORD = 30


def _word(text: str) -> str:
    word = text.upper()
    if not 1 <= len(word) <= MAX_WORD or set(word) - set("ACGT"):
        raise ValueError(f"must be 1 to {MAX_WORD} of the letters A, C, G and T")
    return word


def _key_of(
    choices: dict[str, str], what: str, aliases: dict[str, str] | None = None
) -> Callable[[str], str]:
    def parse(text: str) -> str:
        text = (aliases or {}).get(text, text)  # an older link's name for a choice
        if text not in choices:
            raise ValueError(f"not a {what} genoviz offers ({', '.join(choices)})")
        return text

    return parse


#: Query parameter -> (parser that raises ValueError, one-line description for the README).
PARAMS: dict[str, tuple[Callable[[str], Any], str]] = {
    "dataset": (_dataset, "bundled dataset name, e.g. `tf-binding`"),
    "model": (_model, "model name from the registry, e.g. `cnn`"),
    "epochs": (
        _int_in(1, MAX_EPOCHS),
        f"training epochs, 1–{MAX_EPOCHS} (Lesson: 1–{LESSON_MAX_EPOCHS})",
    ),
    "lr": (_one_of(LEARNING_RATES, float), "learning rate, one of 0.0001 … 0.01"),
    "batch": (_one_of(BATCH_SIZES, int), "batch size, one of 32 … 512"),
    "seed": (_int_in(0, MAX_SEED), "random seed (weights, batch order)"),
    "seq": (_int_in(0, 10_000_000), "selected sequence, 0-based row of the dataset"),
    "step": (_int_in(1, LESSON_STEPS), f"lesson step, 1–{LESSON_STEPS}"),
    "filter": (_int_in(0, 4096), "filter shown in the lesson's scan view, 0-based"),
    "pos": (_int_in(0, 10_000_000), "scan position in the lesson, 0-based"),
    "word": (_word, f"the lesson's typed filter word, up to {MAX_WORD} of A, C, G, T"),
    "run": (_run, "Interpret: a saved run's folder name, e.g. `20260101-120000-cnn-tf-binding`"),
    "method": (
        _key_of(METHODS, "method", ALIASES),
        "Interpret: attribution method, e.g. `integrated_gradients`, `deeplift`",
    ),
    "baseline": (
        _key_of(BASELINES, "baseline"),
        "Interpret: reference for the attribution, `shuffle`, `zeros` or `uniform`",
    ),
}


def decode_setup(params: Mapping[str, str | list[str]]) -> Decoded:
    """Read a setup from query parameters (as ``st.query_params.to_dict()`` gives them).

    Unknown parameters are ignored; a repeated one uses its last value; a bad value is
    dropped with a message naming the parameter and what it accepts.
    """
    values: dict[str, Any] = {}
    problems: list[str] = []
    for name, (parse, _) in PARAMS.items():
        raw = params.get(name)
        if isinstance(raw, list):
            raw = raw[-1] if raw else None
        if raw is None or raw == "":
            continue
        try:
            values[name] = parse(str(raw).strip())
        except ValueError as e:
            reason = str(e) if "must" in str(e) or "not a" in str(e) else "not a number"
            problems.append(f"Ignored {name}={str(raw)[:40]!r} from the link: {reason}")
    return Decoded(Setup(**values), problems)


def encode_setup(setup: Setup) -> dict[str, str]:
    """Query parameters for a setup: set values only, in :data:`PARAMS` order."""
    out = {}
    for name, value in setup.as_dict().items():
        if value is None:
            continue
        out[name] = f"{value:g}" if isinstance(value, float) else str(value)
    return out


def share_url(base: str, setup: Setup) -> str:
    """``base`` (the page's address without a query) with the setup as its query."""
    query = urlencode(encode_setup(setup))
    base = base.split("?", 1)[0].split("#", 1)[0]
    return f"{base}?{query}" if query else base


def train_config(setup: Setup, base: TrainConfig | None = None) -> TrainConfig:
    """A :class:`TrainConfig` with the setup's epochs, learning rate, batch size and seed."""
    base = base or TrainConfig()
    changes = {
        "epochs": setup.epochs,
        "lr": setup.lr,
        "batch_size": setup.batch,
        "seed": setup.seed,
    }
    return replace(base, **{k: v for k, v in changes.items() if v is not None})
