"""``python -m benchmarks``: print the speed table (see ``benchmarks/__init__.py``)."""

from __future__ import annotations

import os
import platform
import sys
import tempfile

import torch


def machine() -> str:
    cores = os.cpu_count()
    usable = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else cores
    gpu = torch.cuda.get_device_name(0) if torch.cuda.is_available() else "none"
    return (
        f"machine: {platform.machine()} {platform.system()}, CPUs {cores} (usable {usable}), "
        f"torch {torch.__version__}, torch threads {torch.get_num_threads()}, GPU {gpu}, "
        f"Python {platform.python_version()}"
    )


def main() -> int:
    # A fresh dataset cache, so the run neither reads stale sets nor writes into ~/.cache.
    with tempfile.TemporaryDirectory() as cache:
        os.environ["GENOVIZ_CACHE_DIR"] = cache
        from benchmarks import encoding, startup
        from benchmarks.speed import Row, measure

        print(machine(), flush=True)
        rows, demo = measure()
        ours, bound = encoding.measure()
        rows.append(
            Row(
                f"one-hot {encoding.N_SEQUENCES:,} x {encoding.LENGTH} bp",
                ours,
                bound,
                "numpy lookup-table bound",
                "ratio <= 3",
            )
        )
        from benchmarks import bert, interpret

        for name, measured, reference, ref_name, target in [
            *interpret.ig_rows(),
            interpret.ism_row(),
            interpret.logo_row(),
            *filter(None, [interpret.export_row()]),
        ]:
            rows.append(Row(name, measured, reference, ref_name, target))
        rows += bert.speed()
        if startup.available():
            ours, hello = startup.measure()
            rows.append(
                Row(
                    "app cold start (launch -> Home rendered in Chromium)",
                    ours,
                    hello,
                    "one-line Streamlit app",
                    "no target; torch and SciPy imports take most of it",
                )
            )
        else:
            print("app cold start: skipped (needs Playwright and /usr/bin/chromium)")
    w = max(len(r.name) for r in rows)
    head = f"{'benchmark':{w}}  {'measured':>9}  {'reference':>9}  {'ratio':>6}"
    print(f"{head}  reference / target")
    for r in rows:
        print(
            f"{r.name:{w}}  {r.measured:8.3g}{r.unit}  {r.reference:8.3g}{r.unit}  "
            f"{r.ratio:6.2f}  {r.reference_name} / {r.target}"
        )
    print(
        "trainer epoch = bare loop (batch, forward, loss, backward, AdamW step) + random "
        "strand flips, weight moving average, train metrics, validation on both strands, "
        "kept-weights copy, stop/progress polling"
    )
    print(
        f"demo run: {demo['epochs']} epochs, best epoch {demo['best_epoch']}, "
        f"valid ROC AUC {demo['valid_roc_auc']:.3f}, test ROC AUC {demo['test_roc_auc']:.3f}"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
