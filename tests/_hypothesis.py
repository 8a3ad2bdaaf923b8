"""Hypothesis settings shared by the property tests.

Two profiles: ``fast`` (the default run, a few dozen examples per property) and
``thorough`` (10,000 examples, used by the ``slow``-marked copies of every property).
``HYPOTHESIS_PROFILE=ci`` (1,000) or ``thorough`` makes the default copies deeper.
"""

from __future__ import annotations

import os
from collections.abc import Callable

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

_COMMON = {
    "deadline": None,  # a first pandas/pyfaidx call can take a while on a loaded machine
    "suppress_health_check": [HealthCheck.too_slow, HealthCheck.data_too_large],
    "derandomize": False,
}
settings.register_profile("fast", max_examples=40, **_COMMON)
settings.register_profile("ci", max_examples=1_000, **_COMMON)
settings.register_profile("thorough", max_examples=10_000, **_COMMON)

FAST = settings.get_profile(os.environ.get("HYPOTHESIS_PROFILE", "fast"))
THOROUGH = settings.get_profile("thorough")

#: Parametrize a property test with this: once fast, once thorough under ``slow``.
DEPTHS = pytest.mark.parametrize(
    "thorough", [False, pytest.param(True, marks=pytest.mark.slow)], ids=["fast", "10k"]
)


def check(thorough: bool, prop: Callable[..., None], *strategies: st.SearchStrategy) -> None:
    """Run ``prop`` over ``strategies`` with the fast or the 10k-example settings."""
    settings(THOROUGH if thorough else FAST)(given(*strategies)(prop))()
