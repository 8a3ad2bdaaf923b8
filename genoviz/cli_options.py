"""The argument types and option groups that several ``python -m genoviz`` commands share."""

from __future__ import annotations

import argparse
import json

from genoviz.training import TrainingError


def int_in(lo: int, hi: int):
    """An argparse type: a whole number from ``lo`` to ``hi``."""

    def parse(text: str) -> int:
        try:
            value = int(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"{text!r} is not a whole number") from None
        if not lo <= value <= hi:
            raise argparse.ArgumentTypeError(f"{value} is not between {lo} and {hi}")
        return value

    return parse


#: Seeds the Train page and numpy's and torch's generators all take.
seed_int = int_in(0, 2**31 - 1)


def positive_int(text: str) -> int:
    """An argparse type: a whole number of at least 1."""
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"{value} is less than 1")
    return value


def positive_float(text: str) -> float:
    """An argparse type: a number above 0 (a learning rate)."""
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number") from None
    if not value > 0 or value == float("inf"):
        raise argparse.ArgumentTypeError(f"{text} is not above 0")
    return value


def json_object(text: str) -> dict:
    try:
        value = json.loads(text)
    except json.JSONDecodeError as e:
        raise argparse.ArgumentTypeError(f"not valid JSON ({e})") from None
    if not isinstance(value, dict):
        raise argparse.ArgumentTypeError("expected a JSON object such as '{\"motifs\": 8}'")
    return value


def bert_options(p: argparse.ArgumentParser) -> None:
    p.add_argument("--k", type=int, choices=[3, 4, 5, 6], help="kmer-bert: k-mer size")
    p.add_argument("--bert-size", choices=["tiny", "small"], help="BERT size (default small)")
    p.add_argument(
        "--init-bert",
        metavar="DIR",
        help="start from a pretrained BERT: a pretraining run folder or a Hugging Face "
        "checkpoint folder in DNABERT's layout (config.json, vocab.txt, model.safetensors "
        "or pytorch_model.bin)",
    )


def bert_hparams(args: argparse.Namespace, model_name: str | None = None) -> dict:
    """--k and --bert-size as hyperparameters; with --init-bert the checkpoint sets what it
    holds (a k-mer BERT's k and its size, a codon BERT's size), so an explicit value it
    contradicts is an error rather than silently replaced."""
    out = {}
    if args.k is not None:
        out["k"] = args.k
    if args.bert_size is not None:
        out["size"] = args.bert_size
    given = getattr(args, "hparams", None) or {}
    for flag, key in (("--k", "k"), ("--bert-size", "size")):
        if key in out and key in given and given[key] != out[key]:
            raise TrainingError(
                f"{flag} {out[key]} contradicts --hparams {key}={given[key]!r}; give it once"
            )
    if out and args.init_bert and model_name in ("kmer-bert", "codon-bert"):
        from genoviz.train_build import checkpoint_build

        shape = checkpoint_build(model_name, args.init_bert)
        for flag, key in (("--k", "k"), ("--bert-size", "size")):
            if key in out and key in shape and out[key] != shape[key]:
                raise TrainingError(
                    f"{flag} {out[key]} contradicts --init-bert {args.init_bert}, whose "
                    f"{key} is {shape[key]}: the checkpoint sets it, so leave {flag} out"
                )
    return out


def data_options(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "--genome", help="indexed FASTA to read BED regions from (predict: the run's own)"
    )
    p.add_argument(
        "--width",
        type=positive_int,
        help="BED: centre each region and resize to this width (predict: the run's own)",
    )
    p.add_argument(
        "--labels",
        help="FASTA or GenBank: a CSV with id and label columns joined on the record ids",
    )
