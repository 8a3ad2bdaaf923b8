"""Which of ``python -m genoviz interpret``'s options each analysis reads, and what the
options name.

:data:`READERS` and :data:`DEFAULTS` say which analyses read an option and what it is when
left out; :func:`unused_options` writes a note for each one given that this analysis of this
run does not read. :func:`chosen_method` and :func:`output_index` read ``--method`` and
``--target``. :mod:`genoviz.cli_interpret` parses the command and runs it.
"""

from __future__ import annotations

import argparse

from genoviz.cli_interpret import ANALYSES

#: Which analyses read each option that not all of them read: an analysis, or an analysis
#: with the flag it reads the option under. Any other analysis names the option unused.
READERS: dict[str, tuple[str, ...]] = {
    "data": (*ANALYSES[:5], "embeddings --sequences", "embeddings --mrr"),
    "labels": (*ANALYSES[:5], "embeddings --sequences", "embeddings --mrr"),
    "genome": (*ANALYSES[:5], "embeddings --sequences", "embeddings --mrr"),
    "width": (*ANALYSES[:5], "embeddings --sequences", "embeddings --mrr"),
    "split": (*ANALYSES[:5], "embeddings --sequences"),
    "max_sequences": (*ANALYSES[:5], "embeddings --sequences"),
    "target": ("saliency", "ism", "agreement", "embeddings --sequences"),
    "n_shuffles": ("saliency", "agreement"),
    "index": ("ism", "agreement", "attention"),
    "threshold": ("filters",),
    "release": ("filters", "attention"),
    "tax_group": ("filters", "attention"),
    "min_overlap": ("filters", "attention"),
    "layers": ("attention",),
    "heads": ("attention",),
    "motif_width": ("attention",),
    "p_cutoff": ("attention",),
    "genetic_code": ("embeddings",),
    "mrr": ("embeddings",),
    "mrr_genes": ("embeddings --mrr",),
    "sequences": ("embeddings",),
}
#: What the options of READERS are when left out (None in the parser, so that one given
#: can be told from one left out).
DEFAULTS = {
    "n_shuffles": 10,
    "index": 1,
    "threshold": 0.5,
    "tax_group": "vertebrates",
    "min_overlap": 5,
    "motif_width": 6,
    "p_cutoff": 0.005,
    "genetic_code": 1,
    "mrr_genes": 20,
}


def _flag(dest: str) -> str:
    return "-n" if dest == "max_sequences" else "--" + dest.replace("_", "-")


def _unread(args: argparse.Namespace) -> list[str]:
    """READERS' options given that this analysis, with the flags given, does not read."""
    flags = [flag for flag in ("sequences", "mrr") if getattr(args, flag)]
    doing = {args.analysis} | {f"{args.analysis} --{flag}" for flag in flags}
    what = " ".join([args.analysis, *(f"--{flag}" for flag in flags)])
    notes = []
    for dest, readers in READERS.items():
        value = getattr(args, dest)
        if value is None or value is False or doing & set(readers):
            continue
        given = _flag(dest) if value is True else f"{_flag(dest)} {value}"
        *most, last = readers
        said = f"{', '.join(most)} and {last}" if most else last
        notes.append(f"{given} is not used: it is for {said}, not {what}")
    return notes


def output_index(run, given: str | None, dataset=None) -> int:
    """``--target`` as the 0-based output column: an output's name (a class or task, as
    predict's ``p_<name>`` columns name it) or its number counting from 1, as the outputs
    ``class1``, ``task1``… of a run without names are numbered. A run whose classes are
    named by numbers (``0, 1, 2``) takes those only: ``1`` is class ``1``, never the first.

    Raises:
        KeyError: ``given`` names no output of the run.
    """
    from genoviz.predict import output_names

    if given is None:
        return 0
    names = output_names(run, dataset)
    if given in names:
        return names.index(given)
    if len(names) > 1 and all(n.isdigit() for n in names):
        raise KeyError(
            f"--target {given}: this run's classes are {', '.join(names)}; give one of them"
        )
    number = int(given) if given.strip().lstrip("+-").isdigit() else None
    if number is not None and 1 <= number <= len(names):
        return number - 1
    if len(names) == 1:
        raise KeyError(
            f"--target {given}: this run has one output, number 1 (--target counts from 1); "
            "leave --target out"
        )
    raise KeyError(
        f"--target {given} is not an output of this run: give its name ({', '.join(names)}) "
        f"or its number, counting from 1 (1-{len(names)})"
    )


def chosen_method(name: str | None) -> str:
    """``--method`` as the attribution method's own name (an alias resolved; Integrated
    Gradients when left out)."""
    from genoviz.interpret.attribution_methods import ALIASES

    return ALIASES.get(name, name) or "integrated_gradients"


def unused_options(args: argparse.Namespace, token: bool, model_name: str = "") -> list[str]:
    """A line for each option given that this analysis of this run does not read, so
    none is ignored without a word."""
    notes = _unread(args)
    embeddings = args.analysis == "embeddings"
    if args.genetic_code is not None and embeddings and model_name != "codon-bert":
        notes.append(
            f"--genetic-code {args.genetic_code} is not used: it reads a codon-bert's token "
            f"map, and this is a {model_name or 'other'} run"
        )
    if args.method is not None and (args.analysis != "saliency" or token):
        notes.append(
            f"--method {args.method} is not used: "
            + (
                "a BERT is explained by Integrated Gradients on its token embeddings"
                if token and args.analysis == "saliency"
                else f"{args.analysis} reads Integrated Gradients"
                if args.analysis == "agreement"
                else f"it is for saliency, not {args.analysis}"
            )
        )
    if args.baseline is not None and (args.analysis not in ("saliency", "agreement") or token):
        notes.append(
            f"--baseline {args.baseline} is not used: "
            + (
                "a BERT's reference is [PAD] tokens"
                if token
                else f"it is for saliency and agreement, not {args.analysis}"
            )
        )
    from genoviz.interpret.attribution_methods import METHODS, USES_BASELINE

    method = chosen_method(args.method)
    if args.analysis in ("saliency", "agreement"):  # the reference input's settings
        no_reference = args.analysis == "saliency" and method not in USES_BASELINE
        if no_reference and args.baseline is not None and not token:
            notes.append(
                f"--baseline {args.baseline} is not used: {METHODS[method]} compares "
                "against no reference input"
            )
        why = (
            "a BERT's reference is [PAD] tokens"
            if token
            else f"{METHODS[method]} compares against no reference input"
            if no_reference
            else f"--baseline {args.baseline} is not a shuffle"
            if args.baseline not in (None, "shuffle")
            else ""
        )
        if args.n_shuffles is not None and why:
            notes.append(f"--n-shuffles {args.n_shuffles} is not used: {why}")
    bert_sequences = args.analysis == "embeddings" and args.sequences and token
    if args.pooling is not None and not bert_sequences:
        notes.append(
            f"--pooling {args.pooling} is not used: it chooses a BERT's sequence embedding "
            "(embeddings --sequences); a one-hot model's is the input to its final layer"
        )
    return notes
