"""``python -m genoviz predict``: score a table, FASTA, GenBank, BED or dataset with a
saved run and write the predictions as CSV."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from genoviz import run_data, runs
from genoviz.cli_inputs import check_output, load_data, load_run_folder
from genoviz.data import DataFormatError
from genoviz.data.bed import is_bed
from genoviz.data.errors import UnlabelledError
from genoviz.data.importers import read_text
from genoviz.predict import check_predictor, predict_sequences, prediction_table, trained_lengths
from genoviz.predict_inputs import Scoring, dataset_scoring, text_scoring


def _bed_regions(args: argparse.Namespace, run: runs.Run, path: Path):
    """BED regions to predict, read from the genome at the run's window width unless
    --genome / --width say otherwise: the --width a BED-trained run used, else the one
    length every training sequence had (a run trained with --width read real flanking
    bases, not N padding); a BED without a score column is regions to score."""
    from genoviz.data.bed import load_bed

    saved = run_data.load_options(run)
    genome = args.genome or saved.get("genome")
    if genome is None:
        raise DataFormatError(f"{path.name}: a BED file needs --genome, the FASTA to read from")
    lo, hi = trained_lengths(run)
    width, why = args.width, ""
    if width is None and saved.get("width"):
        width, why = saved["width"], "as the run trained"
    elif width is None and lo == hi:  # windows of one length: regions read at it
        width, why = lo, "the length of every sequence the run trained on"
    if args.genome is None:
        print(f"genoviz: note: --genome {genome}, as the run trained", file=sys.stderr)
    if why:
        print(f"genoviz: note: --width {width}, {why}", file=sys.stderr)
    return load_bed(path, genome, width=width, unlabelled_ok=True)


def _predict_inputs(args: argparse.Namespace, run: runs.Run) -> Scoring:
    """What --data holds to score. A table's label and extra columns are matched to the run
    by name (labels are optional); FASTA with labels, BED, a DeepChem folder or a bundled
    set load as training reads them."""
    path = Path(args.data)
    if is_bed(path.name):
        # a BED's tab-separated columns look like a table, but its regions are read from
        # the genome, as training read them
        scoring = dataset_scoring(run, _bed_regions(args, run, path))
    elif path.is_file() and args.labels is None:
        if args.genome is not None or args.width is not None:  # as training refuses them
            raise DataFormatError(
                f"{path.name}: a genome and a width apply to BED regions only; this is not "
                "a .bed file"
            )
        scoring = text_scoring(run, read_text(path), path.name)
    else:
        try:
            scoring = dataset_scoring(run, load_data(args))
        except UnlabelledError:
            scoring = text_scoring(run, read_text(path), path.name)
    for note in scoring.notes:
        print(note, file=sys.stderr)
    return scoring


def cmd_predict(args: argparse.Namespace) -> int:
    run = load_run_folder(args.run, "--run")
    check_predictor(run)  # before reading the data or saying anything of the run
    out = check_output(args.out, args)
    if not (run.path / runs.WEIGHTS).exists():  # before any note on what the weights are
        ended = (
            f" ({run.status} before its first epoch finished); train it again"
            if run.untrained
            else ""
        )
        raise runs.RunError(f"{run.path}: no {runs.WEIGHTS}; the run saved no weights{ended}")
    if run.untrained:
        print(
            f"genoviz: note: {run.path.name} was {run.status} before its first epoch finished: "
            "these are the predictions of its starting model, untrained",
            file=sys.stderr,
        )
    elif run.status in ("interrupted", "stopped", "running", "failed"):
        print(
            f"genoviz: note: {run.path.name} is {run.status} (after {len(run.history)} epoch(s) "
            "of its plan): predicting with the weights it kept by then",
            file=sys.stderr,
        )
    scoring = _predict_inputs(args, run)
    ids, seqs = scoring.inputs.ids, scoring.inputs.seqs
    pred = predict_sequences(run, seqs, extras=scoring.extras.values, ids=ids, device=args.device)
    for note in pred.notes:
        print(note, file=sys.stderr)
    table = prediction_table(run, pred, ids, scoring.label_values, scoring.extras.values)
    out.parent.mkdir(parents=True, exist_ok=True)
    table.to_csv(out, index=False, float_format="%.6g")
    print(f"wrote {len(seqs)} predictions to {out}", file=sys.stderr)
    return 0
