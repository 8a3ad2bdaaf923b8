"""The Zoo page live in a real browser: the autoencoder's accuracy curve grows while it
trains in the background, Stop ends it, and the latent map follows.

Uses the server and Chromium fixtures of tests/test_browser.py (skipped without Chromium).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.test_browser import LIVE_TIMEOUT_MS, browser_page, chromium, server  # noqa: F401

pytestmark = pytest.mark.browser

JS_POINTS = """() => {
    const plot = document.querySelector('.js-plotly-plot');
    return plot && plot.data && plot.data.length ? plot.data[0].x.length : 0;
}"""


def test_autoencoder_curve_grows_then_stop_shows_the_latent_map(server: str, chromium: Path):  # noqa: F811
    from playwright.sync_api import expect

    with browser_page(chromium, f"{server}/zoo") as page:
        start = page.get_by_role("button", name="Train the autoencoder")
        expect(start).to_be_enabled(timeout=90_000)
        start.click()
        status = page.locator(".st-key-zoo_ae_status")
        expect(status).to_contain_text("running", timeout=60_000)
        page.wait_for_function(f"({JS_POINTS})() >= 2", timeout=LIVE_TIMEOUT_MS)
        stop = page.locator(".st-key-zoo_ae_stop button")
        expect(stop).to_be_enabled()
        stop.click()
        expect(status).to_contain_text("Status: stopped", timeout=120_000)
        expect(page.get_by_text("Test reconstruction accuracy")).to_be_visible(timeout=60_000)
        expect(page.locator(".js-plotly-plot")).to_have_count(2, timeout=60_000)
        assert page.evaluate(JS_POINTS) >= 2
        assert page.locator('[data-testid="stException"]').count() == 0
        assert page.locator('[data-testid="stAlertContentError"]').count() == 0
