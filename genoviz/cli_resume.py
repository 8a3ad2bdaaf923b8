"""``python -m genoviz train --resume RUN_DIR``: go on with an interrupted, stopped,
full-disk-failed or out-of-memory run from the epoch its checkpoint holds, on the settings it
was trained with."""

from __future__ import annotations

import argparse
import json
import math
import sys
from pathlib import Path

from genoviz import runs
from genoviz.resume import ResumePlan, check_resume_data, resume_plan
from genoviz.training import fit


def cmd_resume(args: argparse.Namespace) -> int:
    """``train --resume RUN_DIR``: reload the run's data and go on from its last epoch."""
    from genoviz.cli_inputs import load_data, load_run_folder
    from genoviz.cli_progress import epoch_printer, print_final

    plan = resume_plan(load_run_folder(args.resume, "--resume").path)
    if contradictions := resume_contradictions(args, plan):
        raise runs.RunError(
            f"{plan.run_dir} goes on with the settings it was trained with, and these "
            f"differ: {', '.join(contradictions)}; leave "
            f"{'it' if len(contradictions) == 1 else 'them'} out, or train a new run with "
            "--data and --out"
        )
    if args.epochs is not None:
        if args.epochs <= plan.epochs_done:
            raise runs.RunError(
                f"--epochs {args.epochs} is not more than the {plan.epochs_done} epoch(s) "
                f"{plan.run_dir} has already done: --epochs sets the new total, so give "
                f"{plan.epochs_done + 1} or more (left out, the run ends at the "
                f"{plan.config.epochs} it planned)"
            )
        plan.config.epochs = args.epochs
    named = args.data is not None
    args.data = args.data or plan.dataset_spec
    if not named:  # the run's own data, with the labels file, genome and width it took
        for key, value in plan.load_options.items():
            if getattr(args, key, None) is None:
                setattr(args, key, value)
    args.seed = plan.data_seed  # what load_data reads; the training seed is in plan.config
    if args.device != "auto":
        plan.config.device = args.device
    elif plan.note:
        print(plan.note, file=sys.stderr)
    dataset = load_data(args, task=plan.task or None, named=named)
    # before saying it resumes: fit checks it again, with the splits
    check_resume_data(plan.run_dir, runs.load_run(plan.run_dir).info, dataset, plan.build)
    print(
        f"resuming {plan.run_dir} after epoch {plan.epochs_done} of {plan.config.epochs}",
        file=sys.stderr,
        flush=True,
    )
    result = fit(dataset, plan.model_name, plan.config, on_epoch=epoch_printer(args.quiet))
    print_final(result, plan.run_dir, plan.model_name, dataset)
    return 0


def resume_contradictions(args: argparse.Namespace, plan: ResumePlan) -> list[str]:
    """Each option of ``train`` given with ``--resume`` that differs from the run's own
    setting, as ``"--lr 0.5 (the run's: 0.01)"``. Resuming honours --epochs, --device,
    --quiet and the data options; the others made the run, so one given must be the run's
    own value: it is refused, never silently dropped."""
    c, build = plan.config, plan.build
    ran = {**build, **c.hparams}  # every hyperparameter, defaults included

    def same_path(a: str | None, b: str | None) -> bool:
        return a == b or (None not in (a, b) and Path(a).resolve() == Path(b).resolve())

    checks = [  # (flag, given, the run's own, the same?)
        ("--model", args.model, plan.model_name, args.model == plan.model_name),
        ("--task", args.task, plan.task, args.task == plan.task),
        ("--lr", args.lr, c.lr, args.lr is not None and math.isclose(args.lr, c.lr)),
        ("--seed", args.seed, c.seed, args.seed == c.seed),
        ("--batch-size", args.batch_size, c.batch_size, args.batch_size == c.batch_size),
        ("--seq-len", args.seq_len, c.seq_len, args.seq_len == c.seq_len),
        ("--k", args.k, ran.get("k"), args.k == ran.get("k")),
        ("--bert-size", args.bert_size, ran.get("size"), args.bert_size == ran.get("size")),
        ("--init", args.init, c.init_from, same_path(args.init, c.init_from)),
        ("--init-bert", args.init_bert, c.init_bert, same_path(args.init_bert, c.init_bert)),
        ("--out", args.out, plan.run_dir, same_path(args.out, str(plan.run_dir))),
    ]
    out = [
        f"{flag} {given} (the run's: {'none' if own is None else own})"
        for flag, given, own, same in checks
        if given is not None and not same
    ]
    if args.freeze_trunk and not c.freeze_trunk:
        out.append("--freeze-trunk (the run trained its trunk)")
    if args.no_extras and c.use_extras and build.get("extras"):
        out.append(f"--no-extras (the run reads {build['extras']} extra input(s))")
    for key, value in args.hparams.items():
        if key not in ran:
            out.append(f"--hparams {key}={json.dumps(value)} (the run's model has no {key})")
        elif ran[key] != value:
            out.append(f"--hparams {key}={json.dumps(value)} (the run's: {json.dumps(ran[key])})")
    return out
