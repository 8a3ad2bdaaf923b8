"""``TrainingJob``: :func:`genoviz.training.fit` in a worker thread, the thread-safe job the
pages poll.

The UI reads ``job.history`` / ``job.status`` from its own thread; the job never calls
streamlit. :mod:`genoviz.training` re-exports it.
"""

from __future__ import annotations

from pathlib import Path

import models
from genoviz.background import ThreadJob
from genoviz.data import Dataset
from genoviz.train_setup import TrainConfig, TrainResult


class TrainingJob(ThreadJob):
    """Runs :func:`genoviz.training.fit` in a worker thread; every attribute is safe to read
    from others (the thread, queue and stop machinery is
    :class:`genoviz.background.ThreadJob`'s).

    >>> job = TrainingJob(dataset, "cnn", TrainConfig(epochs=5)).start()
    >>> job.history  # grows one record per epoch
    >>> job.stop(); job.wait()
    """

    def __init__(
        self, dataset: Dataset, model_name: str | None = None, config: TrainConfig | None = None
    ) -> None:
        self.model_name = model_name or models.recommended(dataset.task)
        self.config = config or TrainConfig()
        super().__init__(self._train, "train", dataset=dataset, epochs=self.config.epochs)
        if self.config.resume_from is not None:  # known before it starts, even queued
            self.run_dir = Path(self.config.resume_from)

    def _train(self, job: ThreadJob) -> TrainResult:
        # here, not at the top: genoviz.training imports this module to re-export the class
        from genoviz.training import fit

        return fit(
            self.dataset,
            self.model_name,
            self.config,
            on_epoch=self.record_epoch,
            should_stop=self.stop_requested,
            on_progress=self.set_progress,
            on_run_dir=self.set_run_dir,
        )

    def _cancelled_before_start(self) -> bool:
        # Only a job stopped while queued never runs; a pending one stopped before its
        # start runs fit, which stops at the first batch.
        return self._stop.is_set() and self._status in ("queued", "stopped")

    def _complete(self, result: TrainResult) -> None:
        self._result = result
        self._status = result.status
        self._message = (
            f"{'Stopped' if result.status == 'stopped' else 'Finished'} after "
            f"{len(result.history)} epoch(s); kept epoch {result.best_epoch}."
        )
