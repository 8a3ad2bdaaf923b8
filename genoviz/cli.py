"""``python -m genoviz``: datasets, train, pretrain, autoencode, predict, interpret,
compare-extras and download (README, *Command line*).

Errors print one clear line to stderr and exit non-zero; ``train`` ends with one JSON line
of final metrics.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import models
from genoviz import runs
from genoviz.cli_inputs import load_data, load_run_folder
from genoviz.cli_options import (
    bert_hparams,
    bert_options,
    data_options,
    int_in,
    json_object,
    positive_float,
    positive_int,
    seed_int,
)
from genoviz.cli_progress import epoch_printer, print_final
from genoviz.data import BUNDLED, DataFormatError, load_bundled
from genoviz.data.download import REMOTE, download, downloaded_sets, set_dir
from genoviz.data.extra_inputs import ignored_note
from genoviz.data.task_labels import class_numbering_problem
from genoviz.fitted_lengths import fitted_length_note
from genoviz.pretrain import DEFAULTS as PRETRAIN_DEFAULTS
from genoviz.pretrain_masking import MaskConfig
from genoviz.sequences import SequenceError
from genoviz.train_build import file_kmer
from genoviz.training import TrainConfig, TrainingError, fit

#: The --device choices: auto picks cuda, then mps, then the CPU.
DEVICES = ("auto", "cpu", "cuda", "mps")

EXPECTED_ERRORS = (
    DataFormatError,
    SequenceError,
    TrainingError,
    runs.RunError,
    models.ModelError,
    OSError,
)


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="python -m genoviz",
        description="The genoviz commands: datasets, train, pretrain, autoencode, predict, "
        "interpret, compare-extras and download (the README's Command line section has an "
        "example of each).",
    )
    sub = p.add_subparsers(dest="command", required=True)
    sub.add_parser("datasets", help="list the bundled datasets with their task and size")
    d = sub.add_parser("download", help="download a real dataset into the local cache")
    d.add_argument("name", choices=sorted(REMOTE))
    d.add_argument("--url", help="base URL of a mirror of the book's Chapter06/ folder")

    t = sub.add_parser("train", help="train a model and write a run folder")
    t.add_argument("--data", help="bundled name or a CSV/TSV/FASTA path (required)")
    t.add_argument("--model", help="registry name; default: recommended for the task")
    t.add_argument("--epochs", type=positive_int, help=f"default {TrainConfig.epochs}")
    t.add_argument("--seed", type=seed_int, help="default 0")
    t.add_argument("--device", default="auto", choices=DEVICES)
    t.add_argument(
        "--task",
        choices=["binary", "regression", "multiclass"],
        help="override the inferred task (class numbers 0, 1, 2, ... read as regression "
        "unless you choose multiclass)",
    )
    t.add_argument("--batch-size", type=positive_int, help=f"default {TrainConfig.batch_size}")
    t.add_argument(
        "--seq-len",
        type=positive_int,
        help="pad (with N, centred) or trim every sequence to this length; needed for files "
        "of mixed lengths, except with a BERT",
    )
    t.add_argument(
        "--lr",
        type=positive_float,
        help=f"learning rate; default: the model's own or {TrainConfig.lr}",
    )
    t.add_argument("--no-extras", action="store_true", help="ignore extra numeric columns")
    t.add_argument(
        "--hparams",
        type=json_object,
        default={},
        metavar="JSON",
        help='model hyperparameters, e.g. \'{"init": "jaspar", "jaspar": ["JUND"]}\'',
    )
    t.add_argument(
        "--init",
        metavar="RUN_DIR",
        help="start from this run's weights (every tensor whose name and shape match)",
    )
    t.add_argument(
        "--freeze-trunk",
        action="store_true",
        help="with --init: train only the dense head, keeping the copied trunk fixed",
    )
    data_options(t)
    t.add_argument("--out", help="the run folder to write (required)")
    t.add_argument(
        "--resume",
        metavar="RUN_DIR",
        help="go on with an interrupted or stopped run (or one that failed on a full disk "
        "or ran out of memory) from the epoch its checkpoint holds (--data and --out are "
        "then taken from it; --epochs sets a new total, --device where it goes on; the "
        "options that made the run, such as --model, --lr or --hparams, are the run's own, "
        "and one that differs is refused)",
    )
    t.add_argument("--quiet", action="store_true", help="print only the final metrics line")
    bert_options(t)

    pt = sub.add_parser("pretrain", help="pretrain a BERT by masked-token modelling")
    pt.add_argument(
        "--data",
        required=True,
        help="dna-corpus (all bundled DNA sets + genome-like background), a bundled name, "
        "or a file of your own sequences: FASTA, one per line, or a CSV/TSV with a "
        "'sequence' column (labels ignored; pretrain on your training file only, so the "
        "test sequences stay unseen)",
    )
    pt.add_argument("--model", default="kmer-bert", choices=["kmer-bert", "codon-bert"])
    pt.add_argument("--epochs", type=positive_int, default=PRETRAIN_DEFAULTS["epochs"])
    pt.add_argument("--seed", type=seed_int, default=0)
    pt.add_argument("--device", default="auto", choices=DEVICES)
    pt.add_argument("--batch-size", type=positive_int, default=PRETRAIN_DEFAULTS["batch_size"])
    pt.add_argument("--lr", type=positive_float, default=PRETRAIN_DEFAULTS["lr"])
    pt.add_argument(
        "--max-tokens",
        type=int_in(8, 512),
        default=MaskConfig.max_tokens,
        help="tokens per training chunk, 8-512",
    )
    pt.add_argument(
        "--chunks-per-epoch",
        type=int_in(0, 10**9),
        default=MaskConfig.chunks_per_epoch,
        help="training chunks sampled per epoch (0 = all of them)",
    )
    pt.add_argument("--no-span", action="store_true", help="mask single tokens (leaks; demo)")
    pt.add_argument(
        "--view",
        default="codon",
        choices=[f"{v}{f}" for v in ("codon", "parallel") for f in ("", "-frame1", "-frame2")],
        help="codon-bert: codons or codons [SEP] protein; -frame1/2 = frame-shift control",
    )
    pt.add_argument(
        "--species",
        help="codon-corpus: pretrain on this species only (e.g. e_coli); default: all pooled",
    )
    pt.add_argument("--out", required=True, help="the run folder to write")
    pt.add_argument("--quiet", action="store_true", help="print only the final metrics line")
    bert_options(pt)

    a = sub.add_parser(
        "autoencode", help="train the convolutional autoencoder (no labels) and map its latent"
    )
    a.add_argument("--data", required=True, help="bundled name or a CSV/TSV/FASTA path")
    a.add_argument("--epochs", type=positive_int, default=20)
    a.add_argument("--seed", type=seed_int, default=0)
    a.add_argument("--device", default="auto", choices=DEVICES)
    a.add_argument("--lr", type=positive_float, default=3e-3)
    a.add_argument(
        "--seq-len", type=positive_int, help="pad or trim to this length (mixed-length files)"
    )
    a.add_argument("--latent-csv", help="also write the test split's 2-D latent map here")
    data_options(a)
    a.add_argument("--out", required=True, help="the run folder to write")
    a.add_argument("--quiet", action="store_true", help="print only the final metrics line")

    pr = sub.add_parser(
        "predict",
        help="predict with a saved run; writes id,prediction (p_<class> or p_<task> columns "
        "for a run with several outputs), and the labels when the data has them",
    )
    pr.add_argument("--run", required=True, help="a run folder written by train")
    pr.add_argument("--data", required=True, help="bundled name or a CSV/TSV/FASTA path")
    data_options(pr)
    pr.add_argument("--out", required=True, help="CSV file to write")
    pr.add_argument(
        "--device",
        default="auto",
        choices=DEVICES,
        help="where the model runs (auto: a GPU when there is one)",
    )

    from genoviz import cli_interpret

    cli_interpret.add_parser(sub)
    from genoviz import cli_extras

    cli_extras.add_parser(sub, DEVICES)
    return p


def cmd_datasets() -> int:
    width = max(map(len, [*BUNDLED, *downloaded_sets()]))  # one column, whatever the names
    for name in BUNDLED:
        s = load_bundled(name).summary()
        extra = f"  positives={s['positives']}" if "positives" in s else ""
        print(
            f"{name:{width}s} task={s['task']:16s} n={s['n']:<6d} length={s['length']}{extra}  "
            f"{BUNDLED[name].summary}"
        )
    for name in downloaded_sets():
        print(f"{name:{width}s} real data, downloaded to {set_dir(name)}")
    return 0


def cmd_download(args: argparse.Namespace) -> int:
    def show(done: int, total: int, current: str) -> None:
        if current:
            print(f"[{done + 1}/{total}] {current}", file=sys.stderr, flush=True)

    root = download(args.name, base_url=args.url, progress=show)
    print(f"{args.name} is ready in {root}; use it as --data {args.name}")
    return 0


def cmd_train(args: argparse.Namespace) -> int:
    # None in the parser, so that --resume can tell an option given from one left out
    args.seed = 0 if args.seed is None else args.seed
    args.batch_size = args.batch_size or TrainConfig.batch_size
    if args.freeze_trunk and not args.init:
        raise TrainingError(
            "--freeze-trunk keeps the trunk copied by --init RUN_DIR fixed; give --init too"
        )
    if args.init:
        load_run_folder(args.init, "--init")
    dataset = load_data(args, task=args.task)
    if dataset.task == "multiclass" and (problem := class_numbering_problem(dataset.labels)):
        raise DataFormatError(f"{args.data}: {problem}")
    if ignored := dataset.meta.notes.get("ignored_columns"):
        print(f"genoviz: note: {ignored_note(ignored)}", file=sys.stderr)
    if repeated := dataset.meta.notes.get("repeated_ids"):
        print(f"genoviz: note: {repeated}", file=sys.stderr)
    if dataset.n_extras and not args.no_extras:  # never a column read without a word
        names = ", ".join(map(repr, dataset.meta.extras_names)) or f"{dataset.n_extras} value(s)"
        print(
            f"genoviz: note: the model also reads {names} beside the sequence (standardised "
            "on the training split); --no-extras leaves them out",
            file=sys.stderr,
        )
    out = Path(args.out)
    if out.exists() and any(out.iterdir()):
        raise runs.RunError(f"{out} already exists and is not empty; choose a new --out")
    codons = dataset.task == "lm" and dataset.name.startswith("codon")
    model_name = args.model or models.recommended(dataset.task, "codon" if codons else "onehot")
    spec = models.spec(model_name)
    bert = spec.input_kind in models.TOKEN_KINDS
    if not bert and (args.init_bert or bert_hparams(args)):
        raise models.ModelError(
            f"--init-bert, --k and --bert-size are for BERT models, not {model_name!r}"
        )
    hparams = {**args.hparams, **bert_hparams(args, model_name)}
    k = file_kmer(dataset)
    if model_name == "kmer-bert" and k and "k" not in hparams and not (args.init or args.init_bert):
        hparams["k"] = k
        print(f"genoviz: note: k {k}, the file's DNABERT k (--k to choose)", file=sys.stderr)
    if model_name == "motif-net" and hparams.get("init") == "jaspar":
        jaspar_note(hparams, spec.defaults)
    config = TrainConfig(
        epochs=args.epochs if args.epochs is not None else TrainConfig.epochs,
        seed=args.seed,
        device=args.device,
        batch_size=args.batch_size,
        lr=args.lr if args.lr is not None else (spec.lr or TrainConfig.lr),
        use_extras=not args.no_extras,
        save=False,
        hparams=hparams,
        init_bert=args.init_bert,
        init_from=args.init,
        freeze_trunk=args.freeze_trunk,
        seq_len=args.seq_len,
    )
    if note := fitted_length_note(dataset, args.seq_len):
        print(f"genoviz: note: {note}", file=sys.stderr)
    if note := dataset.one_class_note():
        print(f"genoviz: warning: {note}", file=sys.stderr)
    if note := dataset.duplicate_note():
        print(f"genoviz: note: {note}", file=sys.stderr)
    result = fit(dataset, model_name, config, on_epoch=epoch_printer(args.quiet), run_dir=out)
    if result.transfer is not None and not args.quiet:
        t = result.transfer
        print(
            f"initialised from {t['source']}: copied {len(t['copied'])} tensor(s), kept "
            f"{len(t['skipped'])} fresh ({', '.join(t['skipped']) or 'none'}), froze "
            f"{len(t['frozen'])}",
            file=sys.stderr,
        )
    print_final(result, out, model_name, dataset)
    return 0


def jaspar_note(hparams: dict, defaults: dict) -> None:
    """A motif-net started from JASPAR narrows each TF name to one taxonomic group, as the
    Train page does (``jaspar_tax_group`` "auto" unless given), and says which matrices it
    starts from and which a name found but left out (GATA1's Arabidopsis matrix)."""
    from genoviz.motifs import MotifError
    from models.jaspar_init import choose_jaspar

    hparams.setdefault("jaspar_tax_group", "auto")
    try:
        choice = choose_jaspar(list(hparams.get("jaspar") or []), hparams["jaspar_tax_group"])
    except MotifError:
        return  # training refuses the settings, with this reason
    if not choice.motifs:
        return
    width = hparams.get("width", defaults.get("width"))
    print(f"genoviz: note: starts from {choice.described(width)}", file=sys.stderr)


def error_text(e: BaseException) -> str:
    """An expected error in words: a file error as ``path: what went wrong`` (not
    "[Errno 17] ..."), a KeyError without its quotes."""
    if isinstance(e, OSError) and e.filename and e.strerror:
        return f"{e.filename}: {e.strerror.lower()}"
    if isinstance(e, KeyError) and e.args:
        return str(e.args[0])
    return str(e)


def main(argv: list[str] | None = None) -> int:
    parser = _parser()
    args = parser.parse_args(argv)
    if args.command == "train" and args.resume is None and not (args.data and args.out):
        parser.error("train needs --data and --out (or --resume RUN_DIR)")
    try:
        if args.command == "datasets":
            return cmd_datasets()
        if args.command == "train" and args.resume is not None:
            from genoviz.cli_resume import cmd_resume

            return cmd_resume(args)
        if args.command == "train":
            return cmd_train(args)
        if args.command == "pretrain":
            from genoviz.cli_pretrain import cmd_pretrain

            return cmd_pretrain(args)
        if args.command == "download":
            return cmd_download(args)
        if args.command == "autoencode":
            from genoviz.cli_pretrain import cmd_autoencode

            return cmd_autoencode(args)
        if args.command == "compare-extras":
            from genoviz.cli_extras import cmd_compare_extras

            return cmd_compare_extras(args)
        if args.command == "interpret":
            from genoviz.cli_interpret import cmd_interpret

            return cmd_interpret(args)
        from genoviz.cli_predict import cmd_predict

        return cmd_predict(args)
    except EXPECTED_ERRORS as e:
        print(f"genoviz: error: {error_text(e)}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("genoviz: interrupted", file=sys.stderr)
        return 130
