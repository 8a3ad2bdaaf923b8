"""Timing pieces shared by the speed rows: the machine line, the device the trainer picks,
a clock that waits for that device, and a measurement alternated with its reference."""

from __future__ import annotations

import contextlib
import os
import platform
import statistics
import time
from collections.abc import Callable, Iterator
from typing import NamedTuple

import torch

from genoviz.train_setup import select_device


def machine() -> str:
    """One line naming this machine: CPUs, torch, GPU, Python."""
    cores = os.cpu_count()
    usable = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else cores
    gpu = torch.cuda.get_device_name(0) if torch.cuda.is_available() else "none"
    return (
        f"machine: {platform.machine()} {platform.system()}, CPUs {cores} (usable {usable}), "
        f"torch {torch.__version__}, torch threads {torch.get_num_threads()}, GPU {gpu}, "
        f"Python {platform.python_version()}"
    )


def bench_device() -> torch.device:
    """The device the trainer trains on by default (``TrainConfig.device="auto"``):
    cuda when available, then mps, else cpu."""
    return select_device("auto")


def sync(device: torch.device) -> None:
    """Wait until the device has finished its queued work, so a clock read next counts it
    (GPU calls return before the work is done; on the CPU this does nothing)."""
    if device.type == "cuda":
        torch.cuda.synchronize(device)
    elif device.type == "mps":
        torch.mps.synchronize()


def uses_bf16(device: torch.device) -> bool:
    """Whether the trainer runs forward passes on ``device`` in bf16 autocast: the rule in
    ``genoviz.training.fit`` (native bf16 on a CUDA GPU), repeated so a bare reference
    loop does what the trainer does."""
    return device.type == "cuda" and torch.cuda.is_bf16_supported(including_emulation=False)


def autocast(device: torch.device) -> contextlib.AbstractContextManager:
    """bf16 autocast where the trainer uses it, else nothing."""
    if uses_bf16(device):
        return torch.autocast(device.type, dtype=torch.bfloat16)
    return contextlib.nullcontext()


@contextlib.contextmanager
def rng_aside(device: torch.device) -> Iterator[None]:
    """Run a reference inside another measurement without changing that measurement's
    random draws: torch's global generators are restored afterwards."""
    devices = [device.index or 0] if device.type == "cuda" else []
    with torch.random.fork_rng(devices=devices):
        yield


def timed(fn: Callable[[], object], device: torch.device | None = None) -> Callable[[], float]:
    """A callable that runs ``fn`` and returns its wall seconds, the device's queued work
    included when ``device`` is given."""

    def run() -> float:
        if device is not None:
            sync(device)
        t0 = time.perf_counter()
        fn()
        if device is not None:
            sync(device)
        return time.perf_counter() - t0

    return run


class Paired(NamedTuple):
    """Medians of a measurement and its reference taken in alternation, and every run."""

    measured: float
    reference: float
    measured_runs: list[float]
    reference_runs: list[float]


def alternate(
    measured: Callable[[], float],
    reference: Callable[[], float],
    pairs: int = 3,
    warmup: int = 0,
    reference_first: bool = False,
) -> Paired:
    """Call ``measured`` and ``reference`` in turn, ``pairs`` times each, and return the
    median of each; a busy spell on the machine then slows both alike.

    Both callables return seconds (see :func:`timed`). The first ``warmup`` turns of each
    are run and dropped. ``reference_first`` starts each pair with the reference (for a
    reference that sets up what the measurement reads, such as a cache).
    """
    if pairs < 1 or warmup < 0:
        raise ValueError(f"pairs must be at least 1 and warmup at least 0, not {pairs}, {warmup}")
    m_runs: list[float] = []
    r_runs: list[float] = []
    for turn in range(warmup + pairs):
        if reference_first:
            r = reference()
            m = measured()
        else:
            m = measured()
            r = reference()
        if turn >= warmup:
            m_runs.append(m)
            r_runs.append(r)
    return Paired(statistics.median(m_runs), statistics.median(r_runs), m_runs, r_runs)
