"""The rows of ``python -m benchmarks``, in table order: each name with the function that
measures it (see the package docstring for what each row times)."""

from __future__ import annotations

import argparse
from collections.abc import Callable
from dataclasses import dataclass

from benchmarks import bert, encoding, interpret, speed, startup
from benchmarks.speed import Row


@dataclass(frozen=True)
class Bench:
    """One row: its name in the table and the function measuring it (None: skipped)."""

    name: str
    run: Callable[[], Row | None]


def table() -> list[Bench]:
    """Every row of the speed table, in the order they run."""
    return [
        Bench(speed.DEMO, speed.demo_row),
        Bench(speed.FIRST_POINT, speed.first_point_row),
        Bench(speed.TRAINER_EPOCH, speed.trainer_row),
        Bench(encoding.ONE_HOT, encoding.one_hot_row),
        Bench(interpret.IG, interpret.ig_row),
        Bench(interpret.IG_CAPTUM, interpret.ig_captum_row),
        Bench(interpret.IG_SHUFFLES, interpret.ig_shuffles_row),
        Bench(interpret.ISM, interpret.ism_row),
        Bench(interpret.LOGO, interpret.logo_row),
        Bench(interpret.EXPORT, interpret.export_row),
        Bench(bert.SDPA_ROW, bert.sdpa_row),
        Bench(startup.COLD_START, startup.cold_start_row),
    ]


def add_row_options(ap: argparse.ArgumentParser) -> None:
    """``--list`` and ``--only TEXT``, as ``python -m benchmarks`` and ``benchmarks.models``
    both take them."""
    ap.add_argument("--list", action="store_true", help="print the row names and stop")
    ap.add_argument(
        "--only",
        action="append",
        metavar="TEXT",
        help="run only the rows whose name contains TEXT (case-insensitive; repeatable)",
    )


def wanted(name: str, only: list[str] | None) -> bool:
    """Whether a row's name contains any of ``only`` (case-insensitive); all when None."""
    return not only or any(w.lower() in name.lower() for w in only)


def select(benches: list[Bench], only: list[str] | None) -> list[Bench]:
    """The rows whose name contains any of ``only`` (case-insensitive); all when None."""
    return [b for b in benches if wanted(b.name, only)]
