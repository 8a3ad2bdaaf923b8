"""``python -m benchmarks [--list] [--only TEXT ...]``: print the speed table (see
``benchmarks/__init__.py``)."""

from __future__ import annotations

import argparse
import os
import sys
import tempfile

from benchmarks.rows import add_row_options, select, table
from benchmarks.speed import Row
from benchmarks.timing import machine


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    ap = argparse.ArgumentParser(
        prog="python -m benchmarks",
        description="Speed table: every row against a reference measured in the same run.",
    )
    add_row_options(ap)
    return ap.parse_args(argv)


def print_table(rows: list[Row]) -> None:
    w = max(len(r.name) for r in rows)
    head = f"{'benchmark':{w}}  {'measured':>9}  {'reference':>9}  {'ratio':>6}"
    print(f"{head}  reference / target")
    for r in rows:
        print(
            f"{r.name:{w}}  {r.measured:8.3g}{r.unit}  {r.reference:8.3g}{r.unit}  "
            f"{r.ratio:6.2f}  {r.reference_name} / {r.target}"
        )
    for r in rows:
        if r.note:
            print(r.note)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    benches = table()
    if args.list:
        for b in benches:
            print(b.name)
        return 0
    chosen = select(benches, args.only)
    if not chosen:
        names = "\n  ".join(b.name for b in benches)
        print(
            f"no row name contains {' or '.join(args.only)}; the rows:\n  {names}",
            file=sys.stderr,
        )
        return 2
    # A fresh dataset cache, so the run neither reads stale sets nor writes into ~/.cache.
    with tempfile.TemporaryDirectory() as cache:
        old = os.environ.get("GENOVIZ_CACHE_DIR")
        os.environ["GENOVIZ_CACHE_DIR"] = cache
        try:
            print(machine(), flush=True)
            rows = [row for b in chosen if (row := b.run()) is not None]
        finally:
            if old is None:
                os.environ.pop("GENOVIZ_CACHE_DIR", None)
            else:
                os.environ["GENOVIZ_CACHE_DIR"] = old
    if rows:
        print_table(rows)
    return 0


if __name__ == "__main__":
    sys.exit(main())
