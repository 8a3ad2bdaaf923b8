"""Going on with an interrupted or stopped run: the plan (:func:`resume_plan`) and the
per-epoch checkpoint :func:`genoviz.training.fit` writes and reads back.
"""

from __future__ import annotations

import dataclasses
import time
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import torch

from genoviz import run_checkpoint, run_data, runs
from genoviz.data import Dataset
from genoviz.run_record import content_digest, split_digest
from genoviz.train_setup import TrainConfig, TrainingError, select_device
from genoviz.transfer import freeze_trunk

#: What ``run.json`` says about how a run ended: dropped when it goes on, so that a resumed
#: run never shows the previous stop's kept epoch and test metrics for weights that have
#: moved on (the run's end writes them anew).
ENDING_KEYS = (
    "final_metrics",
    "best_epoch",
    "epochs_done",
    "finished",
    "message",
    "failed_on_os",
    "failed_out_of_memory",
    "failed_diverged",
)


@dataclass
class ResumePlan:
    """What :func:`fit` needs to go on with a run: its data spec, model and config."""

    run_dir: Path
    dataset_spec: str
    task: str
    model_name: str
    config: TrainConfig
    #: The epochs its checkpoint holds, where it goes on from (see :func:`checkpoint_epoch`).
    epochs_done: int
    #: Why the run goes on on another device than it named, or "".
    note: str = ""
    #: ``load``'s keyword arguments besides the spec: labels, genome, width.
    load_options: dict[str, Any] = dataclasses.field(default_factory=dict)
    #: The seed to load the data with (:func:`genoviz.run_data.data_seed`).
    data_seed: int = 0
    #: The model's build record in ``run.json``: every hyperparameter, defaults included.
    build: dict[str, Any] = dataclasses.field(default_factory=dict)


def check_run_dir(run_dir: str | Path, resume_from: str | None) -> None:
    """Refuse to train into a folder that already holds a run (its ``run.json`` or
    ``metrics.jsonl``): that would overwrite it and mix two histories. Resuming that very
    run (``resume_from``) is the one way to go on in it.

    Raises:
        TrainingError: the folder holds a run, or is not the run ``resume_from`` names.
    """
    run_dir = Path(run_dir)
    if resume_from is not None:
        if run_dir.resolve() != Path(resume_from).resolve():
            raise TrainingError(
                f"the run folder {run_dir} is not the run to resume, {resume_from}: a resumed "
                "run goes on in its own folder; leave run_dir out"
            )
        return
    held = [name for name in (runs.RUN_JSON, runs.METRICS) if (run_dir / name).exists()]
    if held:
        raise TrainingError(
            f"{run_dir} already holds a run ({' and '.join(held)}); training into it would "
            "overwrite that run: choose a new folder, or resume the run (resume_plan, or "
            "train --resume)"
        )


def resume_plan(
    run_dir: str | Path, epochs: int | None = None, data_seed_fallback: int | None = None
) -> ResumePlan:
    """How to resume the interrupted or stopped run in ``run_dir``.

    Load the data with ``genoviz.data.load(plan.dataset_spec, task=plan.task,
    seed=plan.data_seed, **plan.load_options)``, then
    ``fit(dataset, plan.model_name, plan.config)``.

    Args:
        epochs: the new total number of epochs; None = the run's own.
        data_seed_fallback: the data seed of a run saved before it was recorded
            (:func:`genoviz.run_data.data_seed`): 0 for the app, which always loaded at 0.

    Raises:
        RunError: the run is still training in a live process, finished, or diverged.
    """
    run = runs.load_run(run_dir)
    status = run.status
    if status == "running":
        raise runs.RunError(f"{run.path} is still training in a live process; wait or stop it")
    if status == "finished" or not run.info.get("config"):
        raise runs.RunError(f"{run.path} has {status}; there is nothing to resume")
    runs.check_usable(run)
    if status == "failed" and diverged(run.info):
        raise runs.RunError(
            f"{run.path} failed because its training diverged; a resumed run keeps its "
            f"learning rate ({run.info['config'].get('lr')}), so it would diverge again: "
            "train a new run with a lower learning rate (--lr)"
        )
    if runs.is_pretraining(run):
        raise runs.RunError(
            f"{run.path} cannot be resumed: a pretraining run keeps no checkpoint; start a new one"
        )
    if run.history and not (run.path / runs.CHECKPOINT).exists():
        raise runs.RunError(
            f"{run.path} has {len(run.history)} finished epoch(s) but no "
            f"{runs.CHECKPOINT} to go on from (a run imported from a zip carries none); "
            "start a new run instead"
        )
    saved = run.info["config"]
    known = {f.name for f in dataclasses.fields(TrainConfig)}
    config = TrainConfig(**{k: v for k, v in saved.items() if k in known})
    config.resume_from = str(run.path)
    if epochs is not None:
        config.epochs = int(epochs)
    note = ""
    try:
        select_device(config.device)
    except TrainingError:  # trained with an explicit device this machine lacks
        note = (
            f"{run.path.name} was trained on {config.device}, which this machine lacks; it "
            f"goes on on {select_device('auto').type}"
        )
        config.device = "auto"
    data = run.info.get("dataset", {})
    return ResumePlan(
        run_dir=run.path,
        dataset_spec=str(data.get("spec", data.get("name", ""))),
        task=str(data.get("task", "")),
        model_name=run.info["model"]["name"],
        config=config,
        epochs_done=checkpoint_epoch(run.path),
        note=note,
        load_options=run_data.load_options(run),
        data_seed=run_data.data_seed(run, data_seed_fallback),
        build=dict(run.info["model"].get("build") or {}),
    )


def diverged(info: dict[str, Any]) -> bool:
    """Whether a failed run's ``run.json`` says its loss diverged (runs saved before the
    ``failed_diverged`` flag say so in their message only)."""
    message = str(info.get("message") or "")
    return bool(info.get("failed_diverged")) or message.startswith("training diverged")


def checkpoint_epoch(run_dir: str | Path) -> int:
    """The last epoch the run's checkpoint holds (0 without one), read from the file's
    header alone: where :func:`fit` goes on from. ``metrics.jsonl`` can be a line longer,
    when the run was killed between writing an epoch's metrics and its checkpoint.

    Raises:
        RunError: the checkpoint is damaged.
    """
    loaded = run_checkpoint.load_checkpoint(Path(run_dir), tensors=False)
    if loaded is None:
        return 0
    try:
        return int(loaded[1]["epoch"])
    except (KeyError, TypeError, ValueError) as e:
        raise runs.RunError(
            f"{Path(run_dir) / runs.CHECKPOINT}: damaged checkpoint (no epoch: {e}); the run "
            "cannot be resumed"
        ) from None


def resume_info(
    run_dir: Path,
    dataset: Dataset,
    model_name: str,
    build: dict[str, Any],
    config: TrainConfig,
    device: torch.device,
) -> dict[str, Any]:
    """The run's own ``run.json``, checked against what :func:`fit` was given (the model,
    :func:`check_resume_data`, the splits), with the device it goes on on and the data's
    path now, and without how it ended before (:data:`ENDING_KEYS`)."""
    run = runs.load_run(run_dir)
    if run.status == "finished":  # a second Resume that waited while the first finished
        raise TrainingError(f"{run_dir} has finished; there is nothing to resume")
    info = run.info
    saved = info.get("model", {})
    if saved.get("name") != model_name:
        raise TrainingError(
            f"{run_dir} trained model {saved.get('name')!r}, not {model_name!r}; resume it "
            "with the model saved in its run.json"
        )
    content = check_resume_data(run_dir, info, dataset, build)
    data = info.get("dataset", {})
    splits = {k: len(v) for k, v in dataset.splits.items()}
    if data.get("splits", splits) != splits:
        raise TrainingError(
            f"{run_dir} was trained on splits of {data.get('splits')} sequences; this data "
            f"splits into {splits} (it changed, or it holds copies of a sequence or "
            "touching positive windows of one site, which now stay in one split), so going "
            "on would test the run on sequences it trained on; start a new run"
        )
    digest = split_digest(dataset.splits)
    if data.get("split_digest", digest) != digest:
        raise TrainingError(
            f"{run_dir} was trained on other train/valid/test splits of {data.get('name')} "
            f"(drawn with seed {data.get('data_seed')}); going on with these would test it "
            "on sequences it trained on"
        )
    resumed = [*info.get("resumed", []), time.strftime("%Y-%m-%dT%H:%M:%S")]
    going_on = {k: v for k, v in info.items() if k not in ENDING_KEYS}
    # the same rows, wherever they are now (a moved file): run.json names what it trains on
    going_on["dataset"] = data | {
        "name": dataset.name,
        "spec": dataset.meta.notes.get("spec", dataset.name),
        "load_options": dataset.meta.notes.get("load_options") or {},
        "content_digest": content,
    }
    return going_on | {
        "status": "running",
        "config": asdict(config),
        "resumed": resumed,
        "device": str(device),
    }


def check_resume_data(
    run_dir: Path, info: dict[str, Any], dataset: Dataset, build: dict[str, Any]
) -> str:
    """Refuse to go on with data other than the run's own (``info``, its run.json): another
    size, other extra inputs, or other rows (:func:`content_digest`; a run saved before it
    was recorded is not checked on it). The splits need not be drawn yet.

    Returns:
        the data's :func:`content_digest`, for the run.json of the run that goes on.

    Raises:
        TrainingError: naming what differs.
    """
    data = info.get("dataset", {})
    if data.get("n") != len(dataset):
        raise TrainingError(
            f"{run_dir} was trained on {data.get('n')} sequences ({data.get('name')}); the "
            f"data given now has {len(dataset)}, so the run cannot go on with it"
        )
    had = data.get("extras_names") or []
    n_had = int(info.get("model", {}).get("build", {}).get("extras", 0) or 0)
    if (n_had and dataset.n_extras != n_had) or (had and list(dataset.meta.extras_names) != had):
        raise TrainingError(
            f"{run_dir} trained with the extra input(s) "
            f"{', '.join(map(repr, had)) or f'({n_had} value(s))'}; the data "
            f"given now has {', '.join(map(repr, dataset.meta.extras_names)) or 'none'} (a "
            "row number or a coordinate column is no longer read as an input), so the run "
            "cannot go on with it; start a new run"
        )
    content = content_digest(dataset, bool(build.get("extras")))
    if data.get("content_digest", content) != content:
        raise TrainingError(
            f"{run_dir} began on other data: the sequences or labels of {dataset.name} "
            "differ, row by row, from those it trained on (a file re-sorted or edited "
            "since, another file of the same size, or a bundled set built at another "
            "seed). Its splits are drawn by row, so going on would mix test and training "
            "sequences; train a new run on this data instead"
        )
    return content


def resume_transfer(
    model: torch.nn.Module, config: TrainConfig, info: dict[str, Any]
) -> dict[str, Any] | None:
    """What the run's ``init_from`` copied and froze, as its ``run.json`` records it, with
    the same trunk frozen again, so that the optimizer holds the parameters the checkpoint
    has moments for. The source run is not read: the checkpoint brings back every tensor."""
    transfer = info.get("transfer")
    if config.freeze_trunk:
        frozen = set((transfer or {}).get("frozen") or [])
        if not frozen:  # a run.json that does not say which: the rule that froze them
            freeze_trunk(model)
        for name, p in model.named_parameters():
            if name in frozen:
                p.requires_grad_(False)
    return transfer


def save_state(run_dir, model, ema, opt, rng, stream, best_state, state) -> None:
    """Weights, moving average, AdamW moments, random state (numpy's ``rng`` and the
    run's torch ``stream``) and counters after an epoch."""
    tensors = {f"model.{k}": v for k, v in model.state_dict().items()}
    if ema is not None:
        tensors |= {f"ema.{k}": v for k, v in ema.model.state_dict().items()}
    if best_state is not None:  # None: the best is this epoch's, the same as ema/model
        tensors |= {f"best.{k}": v for k, v in best_state.items()}
    opt_state = opt.state_dict()
    for i, per_param in opt_state["state"].items():
        for key, value in per_param.items():
            tensors[f"optim.{i}.{key}"] = torch.as_tensor(value)
    tensors["rng.torch"] = stream.cpu
    if stream.gpu is not None:  # dropout on the GPU draws from its own generator
        tensors[f"rng.{stream.device.type}"] = stream.gpu
    state = state | {
        "ema_steps": ema.steps if ema is not None else 0,
        "optim_groups": opt_state["param_groups"],
        "rng_numpy": rng.bit_generator.state,
        "has_best": best_state is not None,
    }
    run_checkpoint.save_checkpoint(run_dir, tensors, state)


def restore_state(run_dir, model, ema, opt, rng, stream) -> dict[str, Any] | None:
    """Load :func:`save_state`'s file into the given objects; None when there is none."""
    loaded = run_checkpoint.load_checkpoint(run_dir)
    if loaded is None:
        return None
    tensors, state = loaded

    def part(prefix: str) -> dict[str, torch.Tensor]:
        return {k[len(prefix) :]: v for k, v in tensors.items() if k.startswith(prefix)}

    device = next(model.parameters()).device
    try:
        model.load_state_dict(part("model."))
        if ema is not None:
            ema.model.load_state_dict(part("ema.") or part("model."))
            ema.steps = int(state.get("ema_steps", 0))
        moments: dict[int, dict[str, torch.Tensor]] = {}
        for key, value in part("optim.").items():
            i, name = key.split(".", 1)
            moments.setdefault(int(i), {})[name] = value
        opt.load_state_dict({"state": moments, "param_groups": state["optim_groups"]})
    except (RuntimeError, KeyError, ValueError) as e:
        raise runs.RunError(f"{run_dir}: the checkpoint does not fit the model ({e})") from None
    stream.cpu = tensors["rng.torch"]
    if stream.gpu is not None and f"rng.{stream.device.type}" in tensors:
        stream.gpu = tensors[f"rng.{stream.device.type}"]
    rng.bit_generator.state = state["rng_numpy"]
    best = part("best.") if state.get("has_best") else None
    eval_model = ema.model if ema is not None else model
    state["best_state"] = (
        {k: v.to(device) for k, v in best.items()}
        if best
        else {k: v.detach().clone() for k, v in eval_model.state_dict().items()}
    )
    return state
