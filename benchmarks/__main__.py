"""``python -m benchmarks [--list] [--only TEXT ...]``: print the speed table (see
``benchmarks/__init__.py``)."""

from __future__ import annotations

import argparse
import os
import sys
import tempfile

from benchmarks.rows import add_row_options, select, table
from benchmarks.speed import print_table
from benchmarks.timing import machine


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    ap = argparse.ArgumentParser(
        prog="python -m benchmarks",
        description="Speed table: every row against a reference measured in the same run.",
    )
    add_row_options(ap)
    return ap.parse_args(argv)


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
