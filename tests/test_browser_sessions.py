"""Three browser sessions train at once on one server: independent jobs, no crosstalk in
curves or results, and with ``GENOVIZ_MAX_JOBS=2`` the third waits in a visible queue."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from test_browser import (  # noqa: F401 (chromium is a fixture)
    CHROMIUM_ARGS,
    JS_POINTS,
    LIVE_TIMEOUT_MS,
    app_server,
    chromium,
)

pytestmark = pytest.mark.browser

#: Three pages at once: keep the background ones polling (run_every is a browser timer).
NO_THROTTLE = [
    "--disable-background-timer-throttling",
    "--disable-backgrounding-occluded-windows",
    "--disable-renderer-backgrounding",
]


@pytest.fixture(scope="module")
def capped_server(chromium: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:  # noqa: F811
    """The app with at most two training jobs at once (the third queues)."""
    with app_server(tmp_path_factory.mktemp("sessions"), {"GENOVIZ_MAX_JOBS": "2"}) as url:
        yield url


def test_three_sessions_train_at_once_without_crosstalk(capped_server: str, chromium: Path):  # noqa: F811
    from playwright.sync_api import expect, sync_playwright

    # Each session's own count shows in its own curve. a and b train long enough (6 and 5
    # epochs; patience 6 cannot stop them early) to still hold both slots when c starts.
    epochs = {"a": 6, "b": 5, "c": 1}
    seeds = {"a": 1, "b": 2, "c": 3}
    with sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path=str(chromium), headless=True, args=CHROMIUM_ARGS + NO_THROTTLE
        )
        try:
            pages = {}
            for name in epochs:  # separate contexts: separate cookies, separate sessions
                page = browser.new_context(viewport={"width": 1300, "height": 1000}).new_page()
                page.goto(f"{capped_server}/train")
                start = page.get_by_role("button", name="Start training")
                expect(start).to_be_enabled(timeout=120_000)
                page.get_by_role("combobox", name="Dataset").click()
                page.get_by_role("option", name="sirna").first.click()  # small: 3,000 x 21 nt
                expect(page.get_by_role("combobox", name="Dataset")).to_have_value(
                    re.compile("sirna"), timeout=60_000
                )
                for label, value in (("Epochs", epochs[name]), ("Seed", seeds[name])):
                    box = page.get_by_label(label, exact=True)
                    box.fill(str(value))
                    box.press("Enter")
                    expect(box).to_have_value(str(value), timeout=30_000)
                pages[name] = page
            for name in epochs:
                pages[name].get_by_role("button", name="Start training").click()
                status = pages[name].locator(".st-key-train_status")
                expect(status).to_contain_text("Status:", timeout=60_000)

            # Two train; the third waits its turn and says so.
            expect(pages["c"].locator(".st-key-train_status")).to_contain_text(
                "queued, position 1", timeout=60_000
            )
            for name in ("a", "b"):
                expect(pages[name].locator(".st-key-train_status")).not_to_contain_text("queued")

            for name, n in epochs.items():
                page = pages[name]
                page.bring_to_front()
                # three trainings share the CPUs here: allow three times one live test's time
                expect(page.get_by_text("Held-out test set")).to_be_visible(
                    timeout=3 * LIVE_TIMEOUT_MS
                )
                expect(page.locator(".st-key-train_status")).to_contain_text(
                    f"epoch {n} / {n} done"
                )
                # its own number of epochs in its own curve, nobody else's
                page.wait_for_function(f"({JS_POINTS})() === {n}", timeout=60_000)
                assert page.locator('[data-testid="stException"]').count() == 0
            saved = {pages[n].get_by_text("Run saved in").inner_text() for n in epochs}
            assert len(saved) == 3  # three separate run folders
        finally:
            browser.close()
