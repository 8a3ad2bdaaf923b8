"""A fit's end written into its run folder: kept weights, test predictions, final run.json."""

from __future__ import annotations

from typing import Any

from genoviz import run_outcome, run_predictions, runs
from genoviz.train_setup import TrainResult


def write_result(
    result: TrainResult, info: dict[str, Any], hf: bool, class_names: list[str] | None
) -> None:
    """Write ``result`` into ``result.run_dir``: the weights when no epoch was kept (none
    were saved), a BERT's ``hf/`` folder when ``hf``, the test predictions and the final
    run.json. A finished run's checkpoint goes: nothing is left to resume."""
    run_dir, model = result.run_dir, result.model
    if result.best_epoch == 0 and not (run_dir / runs.WEIGHTS).exists():
        runs.save_weights(run_dir, model)
    if hf:
        runs.save_hf(run_dir, model)
    run_predictions.write_test_predictions(
        run_dir, result.test_ids, result.test_labels, result.test_predictions, class_names
    )
    run_outcome.write_final(
        run_dir,
        info,
        status=result.status,
        best_epoch=result.best_epoch,
        epochs_done=len(result.history),
        metrics={"valid": result.valid_metrics, "test": result.test_metrics},
    )
    if result.status == "finished":  # nothing left to resume
        (run_dir / runs.CHECKPOINT).unlink(missing_ok=True)
