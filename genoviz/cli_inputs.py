"""What a command reads: its --data, a run's own data, a run folder, and a safe output path."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from genoviz import run_data, runs
from genoviz.data import DataFormatError, load
from genoviz.data.deepchem import PICKLE_WARNING, is_disk_dataset


def load_data(args: argparse.Namespace, task: str | None = None, named: bool = True):
    """Load --data. A DeepChem DiskDataset named on the command line is loaded: the person
    typing the path is the one vouching for it, and we say what that means. One that is
    not ``named`` (its path came from a run's run.json, which an imported zip may have
    written) is refused, saying how to vouch for it."""
    _vouch(args.data, named)
    return load(
        args.data,
        task=task,
        seed=getattr(args, "seed", 0),
        trust=named,
        genome=args.genome,
        labels=args.labels,
        width=args.width,
    )


def check_output(out: str | Path, args: argparse.Namespace) -> Path:
    """``out`` as a path, refused where writing it would destroy what the user has: an
    input of this command (--data, --labels, --genome), a folder, or one of a run
    folder's own files (its run.json, weights, metrics, checkpoint, test predictions)."""
    path = Path(out)
    if path.is_dir():
        raise runs.RunError(f"{out} is a folder; give a file name to write")
    target = path.resolve()
    for flag in ("data", "labels", "genome"):
        src = getattr(args, flag, None)
        if src and Path(src).is_file() and Path(src).resolve() == target:
            raise runs.RunError(
                f"{out} is this command's --{flag} file: writing there would overwrite it; "
                "choose another output file"
            )
    from genoviz.runs_archive import RUN_FILES

    for folder in target.parents:
        if (folder / runs.RUN_JSON).is_file():
            rel = target.relative_to(folder).as_posix()
            own = RUN_FILES | {runs.CHECKPOINT, runs.LOCK}
            if rel in own or rel.startswith(f"{runs.HF_DIR}/"):
                raise runs.RunError(
                    f"{out} is the run's own {rel} in {folder}: writing there would "
                    "overwrite it; choose another output file"
                )
            break
    return path


def _vouch(spec: str | Path, named: bool) -> None:
    """A DeepChem folder named on the command line is loaded, with the pickle warning; one
    that is not (its path came from a run.json) is refused, saying how to vouch for it."""
    if not is_disk_dataset(spec):
        return
    if not named:
        raise DataFormatError(
            f"{spec} is a DeepChem folder named in the run's run.json, not on this command "
            f"line. {PICKLE_WARNING} If you trust it, name it: --data {spec}"
        )
    print(f"genoviz: warning: {PICKLE_WARNING}", file=sys.stderr)


def run_dataset(
    run: runs.Run, data: str | None, task: str | None = None, options: dict | None = None
):
    """``--data`` when given, else the run's own dataset (its seed, so its splits). A
    DeepChem folder loads only when named on the command line (see :func:`load_data`). Class
    numbers load as the classes the run was trained on (detection would read them as
    values). ``options`` (labels, genome, width) go on top of the run's own load options,
    or, with ``data``, stand alone."""
    spec = data or run.info["dataset"].get("spec") or run.info["dataset"]["name"]
    _vouch(spec, named=data is not None)
    if task is None and run.info["dataset"].get("task") == "multiclass":
        task = "multiclass"
    options = ({} if data else run_data.load_options(run)) | (options or {})
    return load(spec, task=task, seed=run_data.data_seed(run), trust=data is not None, **options)


def load_run_folder(path: str, flag: str) -> runs.Run:
    """The run folder given as ``flag``; one that is not there, or is not a run folder, is
    said as such, with what a run folder holds."""
    folder = Path(path)
    holds = (
        f"(a run folder is what train writes with --out: {runs.RUN_JSON}, {runs.WEIGHTS}, "
        f"{runs.METRICS} and more)"
    )
    if not folder.exists():
        raise runs.RunError(
            f"{flag} {path} was not found, so it is not a genoviz run folder {holds}"
        )
    if not folder.is_dir():
        raise runs.RunError(f"{flag} {path} is a file, not a genoviz run folder {holds}")
    if not (folder / runs.RUN_JSON).exists():
        raise runs.RunError(
            f"{flag} {path} is not a genoviz run folder: it has no {runs.RUN_JSON} {holds}"
        )
    return runs.load_run(folder)
