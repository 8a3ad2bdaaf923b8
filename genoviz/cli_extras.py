"""``python -m genoviz compare-extras``: one model trained with and without a dataset's
extra inputs (the DeepChem book's JUND accessibility comparison; the Zoo page's *What the
extra inputs add*)."""

from __future__ import annotations

import argparse
import json
import sys

import models
from genoviz.cli_inputs import check_output, load_data
from genoviz.cli_options import data_options, positive_float, positive_int, seed_int
from genoviz.cli_progress import epoch_printer, finite
from genoviz.extras_gain import PAIRS, extras_gain
from genoviz.training import TrainConfig


def add_parser(sub: argparse._SubParsersAction, devices: tuple[str, ...]) -> None:
    """Register ``compare-extras`` on the main parser's subcommands."""
    p = sub.add_parser(
        "compare-extras",
        help="train one model with and without the data's extra inputs (e.g. tf-binding's "
        "accessibility) and compare their test scores",
    )
    p.add_argument("--data", required=True, help="bundled name or a CSV/TSV path with extras")
    p.add_argument(
        "--models",
        default="cnn",
        help=f"{' or '.join(map(repr, PAIRS))} ({'; '.join(d for _, d in PAIRS.values())}), "
        "one registry name for both arms, or two as WITHOUT,WITH (default cnn)",
    )
    p.add_argument("--epochs", type=positive_int, default=10, help="per arm (default 10)")
    p.add_argument("--seed", type=seed_int, default=0)
    p.add_argument("--device", default="auto", choices=devices)
    p.add_argument("--batch-size", type=positive_int, default=TrainConfig.batch_size)
    p.add_argument("--lr", type=positive_float, default=TrainConfig.lr)
    p.add_argument(
        "--seq-len", type=positive_int, help="pad or trim to this length (mixed-length files)"
    )
    data_options(p)
    p.add_argument("--out", help="also write the comparison table here (CSV)")
    p.add_argument("--quiet", action="store_true", help="print only the summary and JSON line")


def model_pair(text: str) -> tuple[str, str]:
    """``--models`` as the two arms' registry names (an unknown name raises ModelError)."""
    if text in PAIRS:
        return PAIRS[text][0]
    names = [n.strip() for n in text.split(",")]
    if len(names) == 1:
        names *= 2
    if len(names) != 2 or not all(names):
        raise models.ModelError(
            f"--models {text!r}: give {' or '.join(PAIRS)}, one model name, or two as WITHOUT,WITH"
        )
    for name in names:
        models.spec(name)
    return names[0], names[1]


def cmd_compare_extras(args: argparse.Namespace) -> int:
    pair = model_pair(args.models)
    out = check_output(args.out, args) if args.out else None
    dataset = load_data(args)
    config = TrainConfig(
        epochs=args.epochs,
        seed=args.seed,
        device=args.device,
        batch_size=args.batch_size,
        lr=args.lr,
        seq_len=args.seq_len,
        save=False,
    )

    printers = {arm: epoch_printer(args.quiet, f"{arm:>7} ") for arm in ("without", "with")}
    gain = extras_gain(dataset, config, pair, on_epoch=lambda arm, rec: printers[arm](rec))
    if not args.quiet:
        print(gain.table.to_string(index=False, float_format="%.3f"))
    print(gain.summary())
    if note := gain.unlearned_note():
        print(f"genoviz: warning: {note}", file=sys.stderr)
    if out is not None:
        out.parent.mkdir(parents=True, exist_ok=True)
        gain.table.to_csv(out, index=False, float_format="%.6g")
    test = gain.auc_test()
    final = {
        "dataset": dataset.name,
        "metric": gain.metric,
        "models": list(pair),
        "test": dict(zip(("without", "with"), gain.table["test"], strict=True)),
        "gain": gain.gain,
        "delong_p": test.p_value if test is not None else None,
        "chance_p": dict(zip(("without", "with"), gain.chance_p, strict=True)),
        "unlearned": gain.unlearned,
    }
    print(json.dumps(finite(final)))
    return 0
