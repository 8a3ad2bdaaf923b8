"""The Interpret page in a real browser: switching runs after a saliency map keeps working.

A keyed select box keeps the label the browser last sent; when the new run's sequences
have other names, Streamlit hands that old label back as a string, which AppTest cannot
show (it sends only the widgets of the current page). Same harness as
tests/test_browser.py.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from conftest import TF_BINDING, save_untrained_run
from test_browser import app_server, browser_page, chromium  # noqa: F401 (a fixture)
from test_lesson_browser import JS_SETTLED, no_errors
from test_pages_interpret import BUILD

pytestmark = pytest.mark.browser

#: A small cnn (test_pages_interpret's), one strand, no extra input.
CNN = BUILD | {"strand_average": False, "extras": 0}


@pytest.fixture(scope="module")
def two_runs_server(chromium: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:  # noqa: F811
    """The app with two untrained runs: tf-binding (older) and sirna (newest, shown first)."""
    tmp = tmp_path_factory.mktemp("interpret")
    save_untrained_run(tmp / "runs" / "20260101-000000-tf-binding-cnn", "cnn", CNN, TF_BINDING)
    sirna = {"name": "sirna", "spec": "sirna", "task": "regression"}
    save_untrained_run(
        tmp / "runs" / "20260102-000000-sirna-cnn", "cnn", CNN | {"seq_len": 21}, sirna
    )
    with app_server(tmp) as url:
        yield url


def test_switching_runs_after_a_saliency_map(two_runs_server: str, chromium: Path):  # noqa: F811
    from playwright.sync_api import expect

    with browser_page(chromium, f"{two_runs_server}/interpret", height=1100) as page:
        go = page.get_by_role("button", name="Compute saliency")
        expect(go).to_be_enabled(timeout=90_000)
        go.click()
        pick = page.get_by_role("combobox", name="Sequence to show")
        expect(pick).to_be_visible(timeout=60_000)
        pick.click()
        page.get_by_role("option").nth(1).click()  # a sirna sequence, not the first
        page.wait_for_function(JS_SETTLED, timeout=60_000)
        run = page.get_by_role("combobox", name="Trained run", exact=True)
        run.click()
        page.get_by_role("option").filter(has_text="tf-binding").first.click()
        expect(pick).to_be_hidden(timeout=60_000)  # the new run has no map yet
        page.wait_for_function(JS_SETTLED, timeout=60_000)
        go.click()
        expect(pick).to_have_value(re.compile(r"^tf"), timeout=60_000)
        page.wait_for_function(JS_SETTLED, timeout=60_000)
        # a picker on another tab, drawn all along, shows the new run's sequence too (it
        # kept showing the sirna id over the tf-binding result)
        page.get_by_role("tab", name="Mutagenesis (ISM)").click()
        mutate = page.get_by_role("combobox", name="Sequence to mutate")
        expect(mutate).to_have_value(re.compile(r"^tf"), timeout=60_000)
        no_errors(page)
