"""``python -m genoviz interpret {saliency,ism,agreement,filters,attention,embeddings}
--run DIR [--data SPEC] --out DIR``.

Writes the numbers (CSV and JSON) and the figures (HTML; logo panels as PNG inside the
HTML and next to it). Errors print one line to stderr and exit with status 2.

This module parses the command, chooses the data to explain and hands each analysis to
:mod:`~genoviz.cli_tracks` (saliency, ism, agreement), :mod:`~genoviz.cli_motifs` (filters)
or :mod:`~genoviz.cli_attention` (attention, embeddings). Which options each analysis reads,
and what ``--method`` and ``--target`` name, is :mod:`~genoviz.cli_interpret_options`.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

ANALYSES = ("saliency", "ism", "agreement", "filters", "attention", "embeddings")
#: The figures share one plotly.min.js written next to them: offline, and 3.5 MB once.
PLOTLY_JS = "directory"


def add_parser(sub: argparse._SubParsersAction) -> None:
    """Register the ``interpret`` command on the main parser's subcommands."""
    from genoviz.cli_options import positive_int
    from genoviz.interpret.attribution import BASELINES
    from genoviz.interpret.attribution_methods import ALIASES, METHODS

    p = sub.add_parser(
        "interpret",
        help="saliency maps, ISM, agreement of explanations, filter motifs, attention or "
        "embeddings of a saved run",
    )
    p.add_argument(
        "analysis",
        choices=ANALYSES,
        help="saliency: per-base attributions; ism: every substitution of one sequence "
        "(--index); agreement: one sequence's Integrated Gradients, ISM largest effect and "
        "(kmer-bert) [CLS] attention per base, with their pairwise Spearman ρ; filters: "
        "first-layer motifs matched to JASPAR; attention, embeddings: the BERT views",
    )
    p.add_argument("--run", required=True, help="a run folder written by train")
    p.add_argument("--data", help="bundled name or file; default: the run's own dataset")
    p.add_argument(
        "--labels",
        help="FASTA or GenBank: a CSV with id and label columns joined on the record ids "
        "(default: the labels file the run trained with, where it had one)",
    )
    p.add_argument(
        "--genome",
        help="BED: the indexed FASTA to read the regions from (default: the run's own)",
    )
    p.add_argument(
        "--width",
        type=positive_int,
        help="BED: centre each region and resize to this width (default: the run's own)",
    )
    p.add_argument("--out", required=True, help="folder to write the results into")
    p.add_argument("--split", default=None, choices=["train", "valid", "test", "all"])
    p.add_argument("-n", "--max-sequences", type=positive_int, default=None)
    p.add_argument(
        "--target",
        help="the output to explain, for a run with several: its name (a class or task, as "
        "predict's p_<name> columns and the pages name it) or its number, counting from 1 "
        "(default 1, the first); classes named by numbers are given by that number",
    )
    p.add_argument(
        "--method",
        default=None,
        choices=[*METHODS, *ALIASES],  # an older script's deeplift_shap still runs
        metavar="{" + ",".join(METHODS) + "}",
        help="saliency: attribution method (default integrated_gradients; a BERT's is "
        "always Integrated Gradients)",
    )
    p.add_argument(
        "--baseline",
        default=None,
        choices=list(BASELINES),
        help="saliency, agreement: reference input of a one-hot model (default shuffle; a "
        "BERT's is [PAD] tokens)",
    )
    p.add_argument(
        "--n-shuffles",
        type=positive_int,
        help="saliency, agreement: shuffled references per sequence (default 10)",
    )
    p.add_argument(
        "--index",
        type=int,
        help="ism, agreement, attention: which of the chosen sequences, counting from 1 as "
        "saliency_1.html, saliency_2.html, … do (default 1)",
    )
    p.add_argument("--threshold", type=float, help="filters: share of max activation (default 0.5)")
    p.add_argument(
        "--release", default=None, help="filters, attention: JASPAR release (default: newest)"
    )
    p.add_argument(
        "--tax-group", help="filters, attention: JASPAR taxonomic group (default vertebrates)"
    )
    p.add_argument(
        "--min-overlap",
        type=positive_int,
        help="filters, attention: TOMTOM minimum overlap (default 5)",
    )
    p.add_argument("--layers", default=None, help="attention: layers to show, e.g. 1,3 (all)")
    p.add_argument("--heads", default=None, help="attention: heads to show, e.g. 1,2 (all)")
    p.add_argument(
        "--motif-width", type=positive_int, help="attention: motif seed width (default 6)"
    )
    p.add_argument("--p-cutoff", type=float, help="attention: motif p cutoff (default 0.005)")
    p.add_argument(
        "--genetic-code", type=int, help="embeddings of a codon-bert: NCBI table id (default 1)"
    )
    p.add_argument("--mrr", action="store_true", help="embeddings: print MRR JSON last")
    p.add_argument(
        "--mrr-genes", type=int, help="embeddings --mrr: genes per species read (default 20)"
    )
    p.add_argument(
        "--sequences",
        action="store_true",
        help="embeddings: also a PCA map of per-sequence embeddings coloured by label (any "
        "run; -n sequences, 500 by default, of --split, test by default)",
    )
    p.add_argument(
        "--pooling",
        default=None,
        choices=["cls", "mean"],
        help="embeddings --sequences of a BERT: the [CLS] vector or the mean over tokens",
    )


def _errors() -> tuple[type[Exception], ...]:
    import models
    from genoviz.data import DataFormatError
    from genoviz.interpret.attention import AttentionError
    from genoviz.interpret.attribution import AttributionError
    from genoviz.interpret.embeddings import EmbeddingError
    from genoviz.interpret.filters import FilterError
    from genoviz.interpret.ism import ISMError
    from genoviz.interpret.matching import MatchError
    from genoviz.motifs import MotifError
    from genoviz.runs import RunError
    from genoviz.sequences import SequenceError

    return (
        AttentionError,
        EmbeddingError,
        AttributionError,
        FilterError,
        ISMError,
        MatchError,
        MotifError,
        RunError,
        DataFormatError,
        SequenceError,
        models.ModelError,
        OSError,
        KeyError,
    )


def empty_split(dataset, split: str) -> str:
    """Why there is nothing to explain: the split used is empty (a DeepChem folder of the
    book's comes with its own train and valid parts only), and which ones are not."""
    full = [k for k in ("train", "valid", "test") if len(dataset.splits.get(k, []))]
    return (
        f"the {split} split of {dataset.name} is empty; choose another with --split "
        f"({', '.join([*full, 'all'])})"
    )


def interpret_dataset(run, args: argparse.Namespace):
    """The data to explain: ``--data``, or the run's own dataset (see
    :func:`genoviz.cli_inputs.run_dataset`). ``--labels``, ``--genome`` and ``--width`` stand in
    for the run's own (its labels file or genome moved); another BED is read from the
    run's genome at its width unless they are given, as predict does.

    Raises:
        DataFormatError: a file the run trained on is gone, naming the option to give.
    """
    from genoviz.cli_inputs import run_dataset
    from genoviz.data import DataFormatError
    from genoviz.data.bed import is_bed
    from genoviz.run_data import load_options

    given = {k: getattr(args, k, None) for k in ("labels", "genome", "width")}
    given = {k: v for k, v in given.items() if v is not None}
    named = args.data is not None
    spec = args.data or run.info["dataset"].get("spec") or run.info["dataset"]["name"]
    own = load_options(run)
    bed = named and is_bed(Path(spec).name)
    if named:  # another file: only a BED reads the run's genome and width
        own = {k: v for k, v in own.items() if bed and k in ("genome", "width")}
    files = {k: v for k, v in own.items() if k not in given and k != "width"}
    if not named and Path(spec).is_absolute():  # train records a file's absolute path
        files = {"data": spec, **files}
    for key, value in files.items():
        if not Path(value).exists():
            raise DataFormatError(
                f"{value}: no such file; it is the {key} file {run.name} trained with: if it "
                f"moved, give its new place with --{key}"
            )
    if bed:
        for key in own.keys() - given.keys():
            print(f"genoviz: note: --{key} {own[key]}, as the run trained", file=sys.stderr)
    return run_dataset(run, args.data, options=own | given)


def cmd_interpret(args: argparse.Namespace) -> int:
    errors = _errors()
    try:
        return _run(args)
    except errors as e:
        from genoviz.cli import error_text

        print(f"genoviz: error: {error_text(e)}", file=sys.stderr)
        return 2


def _run(args: argparse.Namespace) -> int:
    from genoviz import cli_attention, cli_motifs, cli_tracks
    from genoviz.cli_inputs import load_run_folder
    from genoviz.cli_interpret_options import DEFAULTS, chosen_method, output_index, unused_options
    from genoviz.data import DataFormatError
    from genoviz.data.errors import UnlabelledError
    from genoviz.interpret.embeddings import EmbeddingError
    from genoviz.interpret.inputs import is_token_run, run_inputs
    from genoviz.runs import check_usable

    run = load_run_folder(args.run, "--run")
    check_usable(run)
    for note in unused_options(args, is_token_run(run), run.info["model"]["name"]):
        print(f"genoviz: note: {note}", file=sys.stderr)
    for dest, value in DEFAULTS.items():
        if getattr(args, dest) is None:
            setattr(args, dest, value)
    args.method = chosen_method(args.method)
    args.baseline = args.baseline or "shuffle"
    args.pooling = args.pooling or "cls"
    if args.analysis == "embeddings":
        args.target = output_index(run, args.target)
        out = Path(args.out)
        if args.mrr and run.info["model"]["name"] != "codon-bert":
            # before writing anything: an earlier run's embeddings.json in --out would be read
            raise EmbeddingError("--mrr needs a codon-bert run (codons and amino acids)")
        out.mkdir(parents=True, exist_ok=True)
        model = run.load_model("cpu")
        written = []
        if not args.sequences:
            written += cli_attention.embeddings(args, run, model, out)
        elif hasattr(model, "token_embeddings"):  # the token map comes along when it can
            try:
                written += cli_attention.embeddings(args, run, model, out)
            except EmbeddingError as e:
                print(f"genoviz: token map skipped: {e}", file=sys.stderr)
        if args.sequences:
            written += cli_attention.sequence_embeddings(args, run, model, out)
        for path in written:
            print(path)
        if args.mrr:
            if out / "embeddings.json" not in written:  # never a file an earlier run left
                raise EmbeddingError("--mrr: the token map was not made, so there is no MRR")
            print(cli_attention.mrr_line(out))
        return 0
    try:
        dataset = interpret_dataset(run, args)
    except UnlabelledError as e:
        raise DataFormatError(
            f"{e} (interpret reads labelled data, and shows each label beside its "
            "explanation: give a FASTA or GenBank file its labels with --labels; to explain "
            "unlabelled sequences, paste them on the Interpret page)"
        ) from None
    args.target = output_index(run, args.target, dataset)
    model = run.load_model("cpu")
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    defaults = {
        "saliency": ("test", 20),
        "ism": ("test", 50),
        "agreement": ("test", 50),
        "filters": ("all", 4000),
        "attention": ("test", 200),
    }
    split, n = defaults[args.analysis]
    inputs = run_inputs(
        run,
        dataset,
        split=args.split or split,
        max_sequences=args.max_sequences or n,
        # Attention motifs need positives and negatives, so it keeps the split's order.
        positives_first=dataset.task == "binary" and args.analysis != "attention",
    )
    if len(inputs.indices) == 0:
        raise KeyError(empty_split(dataset, args.split or split))
    for note in inputs.notes:
        print(note, file=sys.stderr)
    if args.analysis == "attention":
        written = cli_attention.attention(args, run, model, inputs, dataset, out)
    elif args.analysis == "filters":  # scored against the run's network untrained
        written = cli_motifs.filters(args, run, model, inputs, dataset, out)
    else:
        written = cli_tracks.ANALYSES[args.analysis](args, run, model, inputs, dataset, out)
    for path in written:
        print(path)
    return 0
