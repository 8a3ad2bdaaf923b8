"""``python -m benchmarks.interpret``: interpretation latency on this machine.

Each row prints a time measured now next to a reference measured in the same run, and
their ratio. The two are timed in alternation, three of each (IG, ISM: after one
unrecorded turn of each), and the medians are shown, so a busy spell slows both alike:

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
    Reference: the fast path with one reference, timed the same way.
``ISM 1 kb``
    All 3,000 substitutions of a 1,000 bp sequence. Reference: one bare forward pass over
    3,000 sequences of that length. Target: at most 1 s.
``logo panel (cached)``
    A 16-filter logo panel shown again (served from the cache). Reference: drawing it the
    first time (the cache is emptied before each first drawing). Target: at most 1 s.
``figure PNG export (kept browser)``
    A figure's PNG download with the headless browser kept between exports. Reference:
    plotly's plain ``to_image``, which launches a browser per image (two of each; the kept
    browser is stopped before each reference and started again, untimed, after it).
    Target: at most 1 s.
"""

from __future__ import annotations

import numpy as np
import torch

import models
from benchmarks.speed import Row, print_table
from benchmarks.timing import alternate, machine, timed
from genoviz.interpret.attribution import attribute
from genoviz.interpret.filters import filter_label
from genoviz.interpret.ism import saturation_mutagenesis
from genoviz.interpret.logos import PANEL_CACHE, ic_matrix, logo_panel
from genoviz.onehot import one_hot

IG = "IG 100 x 101 bp"
IG_CAPTUM = "IG, captum path"
IG_SHUFFLES = "IG, 10 shuffles"
ISM = "ISM 1 kb"
LOGO = "logo panel (cached)"
EXPORT = "figure PNG export (kept browser)"

IG_STEPS = 50
IG_BATCH = 128


def _seqs(n: int, length: int, seed: int = 0) -> list[str]:
    rng = np.random.default_rng(seed)
    return ["".join(rng.choice(list("ACGT"), size=length)) for _ in range(n)]


def _model(length: int) -> torch.nn.Module:
    torch.manual_seed(0)
    hp = models.data_hparams("cnn", strand_symmetric=True, seq_len=length)
    return models.get("cnn", seq_len=length, **hp).eval()


def _ig_inputs() -> tuple[torch.nn.Module, torch.Tensor]:
    """The default cnn as built for tf-binding and 100 random windows of 101 bp."""
    return _model(101), torch.as_tensor(one_hot(_seqs(100, 101)))


def _ig(net: torch.nn.Module, x: torch.Tensor, fast: bool = True, shuffles: int = 0) -> None:
    if shuffles:
        baseline = {"baseline": "shuffle", "n_shuffles": shuffles}
    else:
        baseline = {"baseline": "uniform"}
    attribute(net, x, n_steps=IG_STEPS, batch_size=IG_BATCH, fast=fast, **baseline)


def ig_row(pairs: int = 3) -> Row:
    net, x = _ig_inputs()

    def bare() -> None:  # the same inputs' gradients, nothing else
        for strand in (x, x.flip(dims=(1, 2))):
            for s in range(0, len(x), IG_BATCH):
                xb = strand[s : s + IG_BATCH].repeat(IG_STEPS, 1, 1).requires_grad_()
                net.forward_strand(xb, None)[:, 0].sum().backward()

    p = alternate(timed(lambda: _ig(net, x)), timed(bare), pairs, warmup=1)
    return Row(IG, p.measured, p.reference, "bare autograd, same inputs", "<= 2 s")


def ig_captum_row(pairs: int = 3) -> Row:
    net, x = _ig_inputs()
    p = alternate(timed(lambda: _ig(net, x, fast=False)), timed(lambda: _ig(net, x)), pairs, 1)
    return Row(IG_CAPTUM, p.measured, p.reference, "the fast path", "same result")


def ig_shuffles_row(pairs: int = 3) -> Row:
    net, x = _ig_inputs()
    p = alternate(timed(lambda: _ig(net, x, shuffles=10)), timed(lambda: _ig(net, x)), pairs)
    return Row(IG_SHUFFLES, p.measured, p.reference, "IG with one reference", "about 10x")


def ism_row(pairs: int = 3) -> Row:
    net = _model(1000)
    seq = _seqs(1, 1000, seed=1)[0]
    x = torch.as_tensor(one_hot([seq] * 3000))

    @torch.no_grad()
    def bare() -> None:
        for s in range(0, len(x), 1024):
            net(x[s : s + 1024])

    p = alternate(timed(lambda: saturation_mutagenesis(net, seq)), timed(bare), pairs, warmup=1)
    return Row(ISM, p.measured, p.reference, "bare forward, 3,000 x 1 kb", "<= 1 s")


def logo_row(pairs: int = 3) -> Row:
    rng = np.random.default_rng(0)
    mats = [ic_matrix(rng.dirichlet(np.full(4, 0.3), size=9).T) for _ in range(16)]
    titles = [filter_label(i) for i in range(16)]

    def first_timed() -> float:  # emptying the cache is outside the timing
        PANEL_CACHE.clear()
        return timed(lambda: logo_panel(mats, titles))()

    p = alternate(timed(lambda: logo_panel(mats, titles)), first_timed, pairs, reference_first=True)
    return Row(LOGO, p.measured, p.reference, "first drawing of the panel", "<= 1 s")


def export_row(pairs: int = 2) -> Row | None:
    """PNG download of a figure with the kept browser, against launching one per image
    (plotly's plain ``to_image``); None where static export cannot work."""
    import plotly.graph_objects as go

    from genoviz import export

    if export.static_export_problem() is not None:
        return None
    fig = go.Figure(go.Scatter(y=np.random.default_rng(0).random(200)))

    def fresh() -> float:
        export._stop_browser()  # else to_image would use the kept browser
        return timed(lambda: fig.to_image(format="png", scale=2.0))()

    def kept() -> float:
        export.figure_image(fig, "png")  # starts the kept browser (untimed)
        return timed(lambda: export.figure_image(fig, "png"))()

    p = alternate(kept, fresh, pairs)
    return Row(EXPORT, p.measured, p.reference, "a browser launched per image", "<= 1 s")


def main() -> int:
    print(machine(), flush=True)
    rows = [ig_row(), ig_captum_row(), ig_shuffles_row(), ism_row(), logo_row()]
    rows += filter(None, [export_row()])
    print_table(rows)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
