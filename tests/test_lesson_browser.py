"""Teaching in a real browser: the lesson from Home to the learned motifs, and a shared link
that restores a setup.

Same harness as tests/test_browser.py (``streamlit run app.py`` on a free port, Debian's
Chromium, never ``playwright install``). Screenshots of each lesson step go to
``$GENOVIZ_ARTIFACTS_DIR`` (default ``tmp/artifacts``) under ``lesson/``.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest
from test_browser import (  # noqa: F401 (chromium and server are fixtures)
    CHROMIUM_ARGS,
    JS_CONTENT_HEIGHT,
    ROOT,
    chromium,
    server,
)

pytestmark = pytest.mark.browser

ARTIFACTS = Path(os.environ.get("GENOVIZ_ARTIFACTS_DIR", ROOT / "tmp" / "artifacts")) / "lesson"
TRAIN_TIMEOUT_MS = 300_000
JS_MAX_POINTS = """() => Math.max(0, ...[...document.querySelectorAll('.js-plotly-plot')]
    .map(p => p.data && p.data.length ? p.data[0].x.length : 0))"""


def no_errors(page) -> None:
    assert page.locator('[data-testid="stException"]').count() == 0
    assert page.locator('[data-testid="stAlertContentError"]').count() == 0


JS_SETTLED = """() => !document.querySelector('[data-testid="stStatusWidget"]')
    && !document.querySelector('[data-stale="true"]')
    && !document.querySelector('[data-testid="stSpinner"]')"""


def shot(page, name: str) -> Path:
    """A picture of the whole page once the script run has settled (Streamlit scrolls
    inside its main section, so the window grows to the content height first)."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    path = ARTIFACTS / f"{name}.png"
    page.wait_for_function(JS_SETTLED, timeout=60_000)
    height = min(max(page.evaluate(JS_CONTENT_HEIGHT) + 120, 1100), 6000)
    page.set_viewport_size({"width": 1400, "height": height})
    page.wait_for_timeout(1200)  # let plotly redraw at the new size
    page.screenshot(path=str(path), full_page=True)
    page.set_viewport_size({"width": 1400, "height": 1100})
    assert path.stat().st_size > 10_000
    return path


def open_browser(p, chromium: Path):  # noqa: F811
    return p.chromium.launch(executable_path=str(chromium), headless=True, args=CHROMIUM_ARGS)


def test_lesson_from_home_to_the_learned_motifs(server: str, chromium: Path):  # noqa: F811
    from playwright.sync_api import expect, sync_playwright

    with sync_playwright() as p:
        browser = open_browser(p, chromium)
        try:
            page = browser.new_page(viewport={"width": 1400, "height": 1100})
            page.goto(server)
            page.get_by_role("button", name="Start the lesson").click()
            header = page.locator('[data-testid="stHeading"] h2')
            expect(header).to_have_text(
                re.compile("1. A dataset and its planted truth"), timeout=120_000
            )
            expect(page.locator('[data-testid="stImage"]').first).to_be_visible(timeout=60_000)
            expect(page.get_by_text("JUND (MA0491.3)").first).to_be_attached()  # a grid cell
            assert "step=1" in page.url and "dataset=tf-binding" in page.url
            no_errors(page)
            shot(page, "step1-dataset")

            next_button = page.get_by_role("button", name="Next")
            next_button.click()
            expect(header).to_have_text(re.compile("2. One-hot encoding"), timeout=60_000)
            own = page.get_by_label("…or type your own DNA sequence")
            own.fill("ttgactcatgcN")
            own.press("Enter")
            expect(page.get_by_text("your sequence, 12 bp")).to_be_visible(timeout=30_000)
            expect(page.locator("code").filter(has_text="TTGACTCATGCN")).to_be_visible(
                timeout=30_000
            )
            no_errors(page)
            shot(page, "step2-one-hot")

            next_button.click()
            expect(header).to_have_text(re.compile("3. A convolution filter"), timeout=60_000)
            page.get_by_role("button", name="Jump to the best match").click()
            summary = page.get_by_text(re.compile(r"its best match is at position"))
            expect(summary).to_be_visible(timeout=30_000)
            text = summary.inner_text()
            at, best = re.search(
                r"At position (\d+).*best match is at position (\d+)", text
            ).groups()
            assert at == best
            page.get_by_role("button", name="Step forward").click()
            expect(page.get_by_text(f"At position {int(best) + 1} ")).to_be_visible(timeout=30_000)
            assert f"pos={int(best)}" in page.url  # 0-based in the link
            no_errors(page)
            shot(page, "step3-scan")

            next_button.click()
            expect(header).to_have_text(re.compile("4. Training, live"), timeout=60_000)
            page.get_by_role("button", name="Start training").click()
            status = page.locator(".st-key-lesson_status")
            expect(status).to_contain_text("running", timeout=60_000)
            page.wait_for_function(f"({JS_MAX_POINTS})() >= 1", timeout=TRAIN_TIMEOUT_MS)
            expect(status).to_contain_text("finished", timeout=TRAIN_TIMEOUT_MS)
            expect(page.get_by_text(re.compile("Finished after"))).to_be_visible(timeout=60_000)
            no_errors(page)
            shot(page, "step4-training")

            page.get_by_role("button", name="Next").click()
            expect(header).to_have_text(re.compile("5. What did it learn"), timeout=60_000)
            expect(page.get_by_text(re.compile("similarity r =")).first).to_be_visible(
                timeout=120_000
            )
            assert page.locator('[data-testid="stImage"]').count() >= 2  # learned + planted
            no_errors(page)
            shot(page, "step5-interpretation")
        finally:
            browser.close()
    assert len(list(ARTIFACTS.glob("step*.png"))) == 5


def test_a_shared_link_restores_the_setup(server: str, chromium: Path):  # noqa: F811
    from playwright.sync_api import expect, sync_playwright

    query = "dataset=sirna&model=cnn&epochs=3&lr=0.0003&batch=64&seed=7"
    with sync_playwright() as p:
        browser = open_browser(p, chromium)
        try:
            page = browser.new_page(viewport={"width": 1400, "height": 1000})
            page.goto(f"{server}/train?{query}")
            dataset = page.get_by_role("combobox", name="Dataset")
            expect(dataset).to_have_value(re.compile("^sirna"), timeout=120_000)
            expect(page.get_by_role("combobox", name="Batch size")).to_have_value("64")
            expect(page.get_by_role("spinbutton", name="Epochs")).to_have_value("3")
            expect(page.get_by_role("spinbutton", name="Seed")).to_have_value("7")
            expect(page.get_by_role("slider", name="Learning rate")).to_have_attribute(
                "aria-valuetext", "0.0003"
            )
            for part in query.split("&"):
                assert part in page.url
            page.get_by_role("button", name="Copy link").click()
            link = page.locator('[data-testid="stCode"]').filter(has_text="seed=7")
            expect(link).to_be_visible(timeout=30_000)
            assert link.inner_text().strip().startswith(f"{server}/train?")
            no_errors(page)

            # a lesson link opens the same step, sequence and scan position
            page.goto(f"{server}/lesson?dataset=promoters&step=3&seq=5&pos=9")
            header = page.locator('[data-testid="stHeading"] h2')
            expect(header).to_have_text(re.compile("^3. A convolution filter"), timeout=120_000)
            expect(page.get_by_text("At position 10 ")).to_be_visible(timeout=60_000)
            expect(page.get_by_text("row 5 of promoters").first).to_be_visible()
            no_errors(page)
        finally:
            browser.close()
