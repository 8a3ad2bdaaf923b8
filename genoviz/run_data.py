"""Loading a run's data again as it was trained: the seed and load options its run.json records."""

from __future__ import annotations

from typing import Any

from genoviz.runs import RUN_JSON, Run, RunError


def data_seed(run: Run, fallback: int | None = None) -> int:
    """The seed the run's data was loaded with: a bundled set's simulation and the splits'
    draw. The app loads data at seed 0 whatever the training seed, so this is not always
    ``run.info["seed"]``. A run saved before it was recorded gets ``fallback``, else its
    training seed: what each caller read before (the pages 0, the command line the
    training seed), so an old run opens where it always did."""
    recorded = run.info.get("dataset", {}).get("data_seed")
    if recorded is not None:
        return int(recorded)
    return int(fallback if fallback is not None else run.info.get("seed", 0))


def load_options(run: Run) -> dict[str, Any]:
    """What loading the run's data took besides its spec (``genoviz.data.load``'s
    ``labels``, ``genome`` and ``width``), checked: an imported run.json can hold anything.

    Raises:
        RunError: another key, or a value of the wrong kind.
    """
    options = (run.info.get("dataset") or {}).get("load_options") or {}
    bad = not isinstance(options, dict) or any(
        not (k in ("labels", "genome") and isinstance(v, str))
        and not (k == "width" and isinstance(v, int) and not isinstance(v, bool) and v > 0)
        for k, v in options.items()
    )
    if bad:
        raise RunError(
            f"{run.path / RUN_JSON}: its dataset's load_options {options!r} are not a labels "
            "file, a genome (paths) and a width (a positive whole number); it was damaged"
        )
    return dict(options)
