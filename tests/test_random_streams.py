"""Each run draws from its own torch random stream: the same seed gives the same run
whatever else the server trains or draws meanwhile."""

from __future__ import annotations

import threading

import torch
from conftest import planted_dataset

from genoviz.random_streams import TorchStream, drawing, seeded
from genoviz.training import TrainConfig, fit


def test_a_stream_draws_its_seeds_numbers_and_puts_the_process_state_back():
    torch.manual_seed(5)
    expected = torch.rand(6)
    a, b = TorchStream(5), TorchStream(7)
    torch.manual_seed(99)
    outside = torch.rand(2)
    torch.manual_seed(99)
    with a.active():
        first = torch.rand(3)
    with b.active():
        other = torch.rand(3)
    with a.active():  # a goes on where it stopped, b's draws in between
        second = torch.rand(3)
    assert torch.equal(torch.cat([first, second]), expected)
    assert not torch.equal(other, first)
    assert torch.equal(torch.rand(2), outside)  # the process's own stream, untouched
    with seeded(5):
        assert torch.equal(torch.rand(6), expected)


class Hammer:
    """A thread that reseeds and draws from torch's global generator until stopped, as
    another session building a model would (under :func:`drawing`, as the library does)."""

    def __init__(self) -> None:
        self.stop = threading.Event()
        self.thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        while not self.stop.is_set():
            with drawing():
                torch.manual_seed(123)
                torch.rand(1000)

    def __enter__(self) -> Hammer:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop.set()
        self.thread.join()


def test_a_run_repeats_while_another_thread_draws_and_trains():
    """Dropout and the initial weights come from the run's stream: with another thread
    reseeding torch and a second training going on, a run's losses are those of the same
    run trained alone (they differed at the 3rd decimal before)."""
    ds = planted_dataset(240, seed=0)
    config = TrainConfig(epochs=2, batch_size=64, seed=0, save=False, device="cpu")
    alone = [r["train_loss"] for r in fit(ds, "cnn", config).history]

    results: dict[str, list[float]] = {}

    def train(name: str, seed: int) -> None:
        c = TrainConfig(epochs=2, batch_size=64, seed=seed, save=False, device="cpu")
        results[name] = [r["train_loss"] for r in fit(ds, "cnn", c).history]

    with Hammer():
        threads = [threading.Thread(target=train, args=a) for a in (("same", 0), ("other", 1))]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
    assert results["same"] == alone
    assert results["other"] != alone


def test_an_untrained_control_is_the_same_while_a_thread_draws(tmp_path):
    from genoviz.runs import load_run

    config = TrainConfig(epochs=1, batch_size=64, save=True, runs_dir=str(tmp_path))
    run = load_run(fit(planted_dataset(120, seed=0), "cnn", config).run_dir)
    quiet = run.untrained_model(0).state_dict()
    with Hammer():
        busy = [run.untrained_model(0).state_dict() for _ in range(5)]
    for state in busy:
        assert all(torch.equal(state[k], quiet[k]) for k in quiet)
    other = run.untrained_model(1).state_dict()
    assert not all(torch.equal(other[k], quiet[k]) for k in quiet)
