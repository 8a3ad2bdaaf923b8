"""Torch's random numbers, one stream per run, in a server that trains several at once.

Torch draws weight initialisations and dropout masks from one process-wide generator
(and one per GPU). Two trainings in one server (two sessions, ``GENOVIZ_MAX_JOBS`` = 2)
took turns drawing from it, so a run's numbers depended on what else was training: the
same seed gave other losses. Each run therefore keeps its own generator state and puts
it in place, under one lock, only while it draws; whatever was there before is put back.
Other code that draws from torch's generator (building a model to load weights into)
does so under the same lock, with :func:`drawing`, so it never draws in the middle of a
run's turn.

>>> stream = TorchStream(seed=0)
>>> with stream.active():
...     model = build()         # initialised from the run's own stream
>>> with stream.active():
...     out = model(x)          # its dropout masks too
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager

import torch

#: Held while any stream is in place (re-entrant: a stream's draw may build a model).
_LOCK = threading.RLock()


class TorchStream:
    """A run's own state of torch's CPU generator, and of its GPU's (cuda or Apple's mps)
    for a run there.

    Attributes:
        cpu: the CPU generator's state, as ``torch.get_rng_state`` gives it.
        gpu: the GPU generator's state (``torch.cuda`` / ``torch.mps.get_rng_state``),
            or None for a CPU run.
    """

    def __init__(self, seed: int, device: torch.device | str | None = None) -> None:
        device = torch.device(device) if device is not None else None
        self.device = device if device is not None and device.type in ("cuda", "mps") else None
        # torch.cuda and torch.mps share get_rng_state / set_rng_state / manual_seed
        self._gpu = None if self.device is None else getattr(torch, self.device.type)
        self.cpu = torch.Generator().manual_seed(seed).get_state()
        self.gpu: torch.Tensor | None = None
        if self._gpu is not None:
            with _LOCK:
                saved = self._gpu.get_rng_state(self.device)
                self._gpu.manual_seed(seed)
                self.gpu = self._gpu.get_rng_state(self.device)
                self._gpu.set_rng_state(saved, self.device)

    @contextmanager
    def active(self) -> Iterator[None]:
        """Draw from this stream inside the block; the process's state comes back after."""
        with _LOCK:
            saved = torch.get_rng_state()
            torch.set_rng_state(self.cpu)
            if self._gpu is not None:
                saved_gpu = self._gpu.get_rng_state(self.device)
                self._gpu.set_rng_state(self.gpu, self.device)
            try:
                yield
            finally:
                self.cpu = torch.get_rng_state()
                torch.set_rng_state(saved)
                if self._gpu is not None:
                    self.gpu = self._gpu.get_rng_state(self.device)
                    self._gpu.set_rng_state(saved_gpu, self.device)


@contextmanager
def seeded(seed: int) -> Iterator[None]:
    """Torch's CPU generator at ``seed`` inside the block (say, to build a model at a
    seeded start), without disturbing a run drawing at the same time."""
    with TorchStream(seed).active():
        yield


@contextmanager
def drawing() -> Iterator[None]:
    """Draw from the process's own stream inside the block (say, a model built only to
    load saved weights into) without cutting into a run's turn."""
    with _LOCK:
        yield
