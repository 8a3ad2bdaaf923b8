"""``python -m benchmarks.interpret``: interpretation latency on this machine.

Each row prints a time measured now next to a reference measured in the same run, and
their ratio:

``IG 100 x 101 bp``
    Integrated Gradients (50 steps, one uniform reference) of the default ``cnn`` as built
    for ``tf-binding`` (4 members, both strands) on 100 windows of 101 bp, as the app runs
    it: the exact fast path (:mod:`genoviz.interpret.fast_ig`), which runs each member's
    first convolution once per sequence and reference instead of once per step. Reference:
    bare autograd over the same interpolated inputs (100 x 50 x 2 strands, forward +
    backward through the whole model, batched as captum batches them): what any IG that
    differentiates the whole model cannot go below; the fast path goes below it because it
    does not. Target: at most 2 s.
``IG, captum path``
    The same attributions through captum's generic ``IntegratedGradients``
    (``fast=False``; equal to the fast path's to float rounding). Reference: the fast path,
    so the ratio is its speed-up.
``IG, 10 shuffles``
    The fast path with 10 dinucleotide-shuffled references (the default baseline).
    Reference: the fast path with one reference.
``ISM 1 kb``
    All 3,000 substitutions of a 1,000 bp sequence. Reference: one bare forward pass over
    3,000 sequences of that length. Target: at most 1 s.
``logo panel (cached)``
    A 16-filter logo panel shown again (served from the cache). Reference: drawing it the
    first time. Target: at most 1 s.
``figure PNG export (kept browser)``
    A figure's PNG download with the headless browser kept between exports. Reference:
    plotly's plain ``to_image``, which launches a browser per image. Target: at most 1 s.
"""

from __future__ import annotations

import time

import numpy as np
import torch

import models
from benchmarks.__main__ import machine
from genoviz.interpret.attribution import attribute
from genoviz.interpret.ism import saturation_mutagenesis
from genoviz.interpret.logos import PANEL_CACHE, ic_matrix, logo_panel
from genoviz.sequences import one_hot


def _seqs(n: int, length: int, seed: int = 0) -> list[str]:
    rng = np.random.default_rng(seed)
    return ["".join(rng.choice(list("ACGT"), size=length)) for _ in range(n)]


def _timed(fn, repeat: int = 3) -> float:
    best = float("inf")
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - t0)
    return best


def _model(length: int) -> torch.nn.Module:
    torch.manual_seed(0)
    hp = models.data_hparams("cnn", strand_symmetric=True, seq_len=length)
    return models.get("cnn", seq_len=length, **hp).eval()


def ig_rows() -> list[tuple[str, float, float, str, str]]:
    net = _model(101)
    x = torch.as_tensor(one_hot(_seqs(100, 101)))
    steps, batch = 50, 128

    def ig(fast: bool = True) -> None:
        attribute(net, x, baseline="uniform", n_steps=steps, batch_size=batch, fast=fast)

    def bare() -> None:  # the same inputs' gradients, nothing else
        for strand in (x, x.flip(dims=(1, 2))):
            for s in range(0, len(x), batch):
                xb = strand[s : s + batch].repeat(steps, 1, 1).requires_grad_()
                net.forward_strand(xb, None)[:, 0].sum().backward()

    def ig_shuffles() -> None:
        attribute(net, x, baseline="shuffle", n_shuffles=10, n_steps=steps, batch_size=batch)

    t_ig, t_bare = _timed(ig), _timed(bare)
    t_captum = _timed(lambda: ig(fast=False))
    t_sh = _timed(ig_shuffles, repeat=1)
    return [
        ("IG 100 x 101 bp", t_ig, t_bare, "bare autograd, same inputs", "<= 2 s"),
        ("IG, captum path", t_captum, t_ig, "the fast path", "same result"),
        ("IG, 10 shuffles", t_sh, t_ig, "IG with one reference", "about 10x"),
    ]


def ism_row() -> tuple[str, float, float, str, str]:
    net = _model(1000)
    seq = _seqs(1, 1000, seed=1)[0]
    x = torch.as_tensor(one_hot([seq] * 3000))

    @torch.no_grad()
    def bare() -> None:
        for s in range(0, len(x), 1024):
            net(x[s : s + 1024])

    t = _timed(lambda: saturation_mutagenesis(net, seq))
    return ("ISM 1 kb", t, _timed(bare), "bare forward, 3,000 x 1 kb", "<= 1 s")


def logo_row() -> tuple[str, float, float, str, str]:
    rng = np.random.default_rng(0)
    mats = [ic_matrix(rng.dirichlet(np.full(4, 0.3), size=9).T) for _ in range(16)]
    titles = [f"filter {i}" for i in range(16)]
    PANEL_CACHE.clear()
    t0 = time.perf_counter()
    logo_panel(mats, titles)
    first = time.perf_counter() - t0
    again = _timed(lambda: logo_panel(mats, titles), repeat=5)
    return ("logo panel (cached)", again, first, "first drawing of the panel", "<= 1 s")


def export_row() -> tuple[str, float, float, str, str] | None:
    """PNG download of a figure with the kept browser, against launching one per image
    (plotly's plain ``to_image``); None where static export cannot work."""
    import plotly.graph_objects as go

    from genoviz import export

    if export.static_export_problem() is not None:
        return None
    fig = go.Figure(go.Scatter(y=np.random.default_rng(0).random(200)))
    export._stop_browser()
    fresh = _timed(lambda: fig.to_image(format="png", scale=2.0), repeat=2)
    export.figure_image(fig, "png")  # starts the kept browser
    kept = _timed(lambda: export.figure_image(fig, "png"), repeat=3)
    return (
        "figure PNG export (kept browser)",
        kept,
        fresh,
        "a browser launched per image",
        "<= 1 s",
    )


def main() -> int:
    print(machine(), flush=True)
    rows = [*ig_rows(), ism_row(), logo_row(), *filter(None, [export_row()])]
    w = max(len(r[0]) for r in rows)
    print(f"{'benchmark':{w}}  {'measured':>9}  {'reference':>9}  {'ratio':>7}  reference / target")
    for name, m, ref, ref_name, target in rows:
        ratio = m / ref if ref else float("nan")
        print(f"{name:{w}}  {m:8.3f}s  {ref:8.3f}s  {ratio:7.3f}  {ref_name} / {target}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
