"""BERT benchmarks: ``python -m benchmarks.bert [speed|compare]`` (not part of the tests).

``speed`` (default)
    Training throughput of ``kmer-bert`` (tokens per second: forward, masked-LM loss,
    backward, AdamW step) with SDPA attention against eager attention, same config, same
    batch, on the trainer's device (a GPU when there is one): after a warm-up step of
    each, 5 chunks of 3 steps with SDPA alternate with 5 with eager, so a busy spell
    slows both alike; medians. Reference: eager.
``compare [OUT]``
    The seed material's claim on ``promoters`` with a small labelled budget: the same
    BERT fine-tuned from a masked-LM pretraining run (corpus: the other bundled DNA sets
    plus genome-like background, ``promoters`` left out) against the same BERT from
    scratch, both trained the same way, on a sample of the splits (400 labelled training
    sequences, 400 validation, 400 test). Prints a table of validation/test ROC AUC and
    writes it (``compare.csv``) with the per-epoch plot (``compare.html``/``.png``) to OUT
    (default ``bench-out/``).
"""

from __future__ import annotations

import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

import numpy as np
import pandas as pd
import plotly.graph_objects as go
import torch

import models
from benchmarks.speed import Row
from benchmarks.timing import alternate, autocast, bench_device, sync
from genoviz.data.dna_corpus import dna_corpus
from genoviz.pretrain import DEFAULTS as PRETRAIN_DEFAULTS
from genoviz.pretrain_masking import mask_tokens, span_offsets
from genoviz.training import TrainConfig, fit

SDPA_ROW = "kmer-bert small train tokens/s, SDPA"


def tokens_per_second(
    size: str = "small",
    k: int = 6,
    batch: int = 16,
    tokens: int = 256,
    rounds: int = 5,
    chunk: int = 3,
    device: torch.device | None = None,
) -> tuple[float, float]:
    """Training tokens/s with SDPA and with eager attention (same weights, same batch).

    After one warm-up step of each, ``rounds`` chunks of ``chunk`` steps with SDPA
    alternate with as many with eager attention; each is the median over its chunks. On
    the trainer's device (a GPU when there is one, in bf16 autocast where the trainer
    uses it), the clock read after the GPU has finished.
    """
    device = bench_device() if device is None else device
    torch.manual_seed(0)
    net = models.get("kmer-bert", seq_len=tokens + k - 3, k=k, size=size, head="mlm")
    net = net.to(device)
    opt = torch.optim.AdamW(net.parameters(), lr=1e-4)
    gen = torch.Generator().manual_seed(0)
    ids = torch.randint(5, len(net.vocab), (batch, tokens), generator=gen)
    ids[:, 0], ids[:, -1] = 2, 3
    m = mask_tokens(ids, 0.15, span_offsets(k), len(net.vocab), gen)
    inputs, labels = m.inputs.to(device), m.labels.to(device)
    sel = labels != -100

    def steps(impl: str, n: int) -> Callable[[], float]:
        def run() -> float:
            net.hf.set_attn_implementation(impl)
            sync(device)
            t0 = time.perf_counter()
            for _ in range(n):
                with autocast(device):
                    out = net(inputs)
                loss = torch.nn.functional.cross_entropy(out[sel].float(), labels[sel])
                opt.zero_grad(set_to_none=True)
                loss.backward()
                opt.step()
            sync(device)
            return (time.perf_counter() - t0) / n

        return run

    steps("sdpa", 1)()  # warm-up, one step of each
    steps("eager", 1)()
    p = alternate(steps("sdpa", chunk), steps("eager", chunk), rounds)
    return batch * tokens / p.measured, batch * tokens / p.reference


def speed() -> list[Row]:
    sdpa, eager = tokens_per_second()
    return [
        Row(
            SDPA_ROW,
            sdpa,
            eager,
            "eager attention, same config",
            "ratio > 1 on a GPU; about 1 on CPU",
            unit="/s",
        )
    ]


def sdpa_row() -> Row:
    return speed()[0]


def compare(
    n_train: int = 400,
    n_eval: int = 400,
    pretrain_minutes: float = 5.0,
    epochs: int = 15,
    seed: int = 0,
    size: str = "small",
    k: int = 6,
) -> dict[str, dict[str, float]]:
    """Fine-tuned-from-pretraining vs scratch on ``promoters`` with ``n_train`` labels."""
    from genoviz.data import load

    ds = load("promoters", seed=seed)
    rng = np.random.default_rng(seed)
    for part, n in (("train", n_train), ("valid", n_eval), ("test", n_eval)):
        ds.splits[part] = np.sort(rng.choice(ds.splits[part], n, replace=False))
    hp = {"k": k, "size": size}
    with tempfile.TemporaryDirectory() as tmp:
        corpus = dna_corpus(seed, exclude=("promoters",))
        pre_cfg = TrainConfig(  # the Train page's and the CLI's pretraining defaults
            **PRETRAIN_DEFAULTS, patience=1000, runs_dir=tmp, hparams=hp, seed=seed
        )
        t0 = time.perf_counter()
        deadline = t0 + 60 * pretrain_minutes

        def show(rec: dict) -> None:
            print(
                f"pretrain epoch {rec['epoch']:3d}  valid loss {rec['valid_loss']:.3f}  "
                f"masked acc {rec['valid_masked_acc']:.4f}  baseline "
                f"{rec['baseline_masked_acc']:.4f}  ({time.perf_counter() - t0:.0f} s)",
                flush=True,
            )

        pre = fit(
            corpus,
            "kmer-bert",
            pre_cfg,
            on_epoch=show,
            should_stop=lambda: time.perf_counter() > deadline,
        )
        ft = TrainConfig(epochs=epochs, batch_size=32, lr=3e-4, save=False, seed=seed, hparams=hp)
        out = {}
        for name, cfg in (
            ("pretrained", replace(ft, init_bert=str(pre.run_dir))),
            ("scratch", ft),
        ):
            t1 = time.perf_counter()
            r = fit(ds, "kmer-bert", cfg)
            out[name] = {
                "valid_roc_auc": r.valid_metrics["roc_auc"],
                "test_roc_auc": r.test_metrics["roc_auc"],
                "best_epoch": r.best_epoch,
                "seconds": time.perf_counter() - t1,
                "curve": [h["valid_roc_auc"] for h in r.history],
            }
            print(name, {k: v for k, v in out[name].items() if k != "curve"}, flush=True)
        out["pretraining"] = {
            "epochs": len(pre.history),
            "masked_acc": pre.valid_metrics["masked_acc"],
            "baseline": pre.valid_metrics["baseline_masked_acc"],
        }
    return out


def compare_figure(res: dict) -> go.Figure:
    """Validation ROC AUC per fine-tuning epoch, pretrained against scratch."""
    fig = go.Figure()
    for name, color in (("pretrained", "#1f77b4"), ("scratch", "#d62728")):
        curve = res[name]["curve"]
        label = f"{name} (test ROC AUC {res[name]['test_roc_auc']:.3f})"
        fig.add_trace(
            go.Scatter(
                x=list(range(1, len(curve) + 1)),
                y=curve,
                mode="lines+markers",
                name=label,
                line={"color": color},
            )
        )
    pre = res["pretraining"]
    fig.update_layout(
        title=(
            "kmer-bert on promoters, 400 labelled sequences: pretrained "
            f"({pre['epochs']} pretraining epochs, masked acc {pre['masked_acc']:.3f} vs "
            f"baseline {pre['baseline']:.4f}) vs scratch"
        ),
        xaxis_title="fine-tuning epoch",
        yaxis_title="validation ROC AUC",
        template="plotly_white",
        width=900,
        height=450,
        title_font_size=13,
    )
    return fig


def write_compare(res: dict, out: Path) -> None:
    """``compare.csv`` (the table), ``compare.html`` and, when a browser is there,
    ``compare.png`` (the plot) in ``out``."""
    from genoviz.export import figure_image, static_export_problem

    out.mkdir(parents=True, exist_ok=True)
    rows = [
        {"init": n, **{k: v for k, v in res[n].items() if k != "curve"}}
        for n in ("pretrained", "scratch")
    ]
    pd.DataFrame(rows).to_csv(out / "compare.csv", index=False)
    fig = compare_figure(res)
    fig.write_html(out / "compare.html", include_plotlyjs="cdn")
    if static_export_problem() is None:
        (out / "compare.png").write_bytes(figure_image(fig, "png", scale=1.0))


def main(argv: list[str]) -> int:
    what = argv[0] if argv else "speed"
    if what == "compare":
        res = compare()
        out = Path(argv[1]) if len(argv) > 1 else Path("bench-out")
        write_compare(res, out)
        print(f"table and plot written to {out}/")
        print(f"{'init':12s} {'valid ROC AUC':>14s} {'test ROC AUC':>13s} {'kept epoch':>11s}")
        for name in ("pretrained", "scratch"):
            r = res[name]
            print(
                f"{name:12s} {r['valid_roc_auc']:14.3f} {r['test_roc_auc']:13.3f} "
                f"{r['best_epoch']:11d}"
            )
        print("valid ROC AUC per epoch:")
        for name in ("pretrained", "scratch"):
            print(f"  {name:10s} " + " ".join(f"{v:.3f}" for v in res[name]["curve"]))
        print("pretraining:", res["pretraining"])
        return 0
    for r in speed():
        print(
            f"{r.name}  {r.measured:10.0f}{r.unit}  {r.reference:10.0f}{r.unit}  "
            f"ratio {r.ratio:5.2f}  {r.reference_name} / {r.target}"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
