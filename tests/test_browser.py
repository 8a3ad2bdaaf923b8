"""Live behaviour in a real browser: start training, watch the curve grow, press Stop.

Runs ``streamlit run app.py`` in a subprocess and drives Debian's Chromium through
Playwright (never ``playwright install``). Skipped when Chromium is missing, unless
``GENOVIZ_REQUIRE_BROWSER=1`` (CI) turns the skip into a failure. Writes the README's
``docs/screenshot.png``.
"""

from __future__ import annotations

import contextlib
import os
import re
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

pytestmark = pytest.mark.browser

ROOT = Path(__file__).resolve().parents[1]
CHROMIUM = Path("/usr/bin/chromium")
SCREENSHOT = ROOT / "docs" / "screenshot.png"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
#: Generous: two epochs of tf-binding take ~20 s on 2 CPU cores, more on a busy CI runner.
LIVE_TIMEOUT_MS = 300_000
JS_POINTS = """() => {
    const plot = document.querySelector('.js-plotly-plot');
    return plot && plot.data && plot.data.length ? plot.data[0].x.length : 0;
}"""
JS_CONTENT_HEIGHT = """() => Math.max(
    ...['[data-testid="stMain"]', '[data-testid="stAppViewContainer"]', 'section.main', 'body']
        .map(s => document.querySelector(s))
        .filter(Boolean)
        .map(el => el.scrollHeight)
)"""


@pytest.fixture(scope="module")
def chromium() -> Path:
    if not CHROMIUM.exists():
        msg = (
            "Chromium not found at /usr/bin/chromium; install Debian's chromium (CI does) "
            "to run browser tests"
        )
        if os.environ.get("GENOVIZ_REQUIRE_BROWSER") == "1":
            pytest.fail(msg)
        pytest.skip(msg)
    pytest.importorskip("playwright.sync_api")
    return CHROMIUM


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def wait_healthy(url: str, proc: subprocess.Popen, log: Path, timeout: float = 90.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"streamlit exited with {proc.returncode}:\n{log.read_text()}")
        try:
            with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as r:
                if r.status == 200:
                    return
        except OSError:
            pass
        time.sleep(0.5)
    raise RuntimeError(f"streamlit did not answer within {timeout:.0f} s:\n{log.read_text()}")


@contextlib.contextmanager
def app_server(tmp: Path, env_extra: dict[str, str] | None = None) -> Iterator[str]:
    """The app on a free local port, with runs and the dataset cache under ``tmp``."""
    port = free_port()
    env = os.environ | {
        "GENOVIZ_RUNS_DIR": str(tmp / "runs"),
        "GENOVIZ_CACHE_DIR": str(tmp / "cache"),
        "STREAMLIT_BROWSER_GATHER_USAGE_STATS": "false",
        **(env_extra or {}),
    }
    log = tmp / "streamlit.log"
    cmd = [
        sys.executable, "-m", "streamlit", "run", "app.py",
        "--server.headless", "true",
        "--server.port", str(port),
        "--server.address", "127.0.0.1",
        "--server.fileWatcherType", "none",
    ]  # fmt: skip
    with open(log, "w") as out:
        proc = subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    try:
        wait_healthy(url, proc, log)
        yield url
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=15)


@contextlib.contextmanager
def browser_page(chromium: Path, url: str, height: int = 1000) -> Iterator:
    """A fresh headless Chromium page (1400 px wide) opened at ``url``; closed after."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path=str(chromium), headless=True, args=CHROMIUM_ARGS
        )
        try:
            page = browser.new_page(viewport={"width": 1400, "height": height})
            page.goto(url)
            yield page
        finally:
            browser.close()


@pytest.fixture(scope="module")
def server(chromium: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The app for this module's browser tests (see :func:`app_server`)."""
    with app_server(tmp_path_factory.mktemp("browser")) as url:
        yield url


def test_live_training_curve_and_stop(server: str, chromium: Path):
    from playwright.sync_api import expect

    # A deep link as the server's very first request still gets app.py's page list (not
    # Streamlit's old pages/-folder mode, which would list "common").
    with browser_page(chromium, f"{server}/train") as page:
        nav = page.get_by_test_id("stSidebarNav")
        expect(nav.get_by_role("link", name="Predict", exact=True)).to_be_visible(timeout=60_000)
        expect(nav).not_to_contain_text("common")
        nav.get_by_role("link", name="Home", exact=True).click()
        expect(page.get_by_role("heading", name="genoviz").first).to_be_visible(timeout=60_000)
        nav.get_by_role("link", name="Train", exact=True).click()
        start = page.get_by_role("button", name="Start training")
        expect(start).to_be_enabled(timeout=60_000)
        expect(page.get_by_role("combobox", name="Model")).to_have_value("cnn (recommended)")
        start.click()

        status = page.locator(".st-key-train_status")
        expect(status).to_contain_text("running", timeout=60_000)
        expect(status).to_contain_text("epoch", timeout=60_000)
        page.wait_for_function(f"({JS_POINTS})() >= 2", timeout=LIVE_TIMEOUT_MS)
        assert page.evaluate(JS_POINTS) >= 2

        stop = page.get_by_role("button", name="Stop")
        expect(stop).to_be_enabled()
        stop.click()
        expect(status).to_contain_text("Status: stopped", timeout=120_000)
        expect(page.get_by_text("Held-out test set")).to_be_visible(timeout=60_000)
        # the curves, the test split's ROC curve and its calibration
        expect(page.locator(".js-plotly-plot")).to_have_count(4, timeout=60_000)
        brier = re.compile(r"Brier score \d\.\d{3}, expected calibration error")
        expect(page.get_by_text(brier)).to_be_visible()
        assert page.evaluate(JS_POINTS) >= 2
        assert page.locator('[data-testid="stException"]').count() == 0
        assert page.locator('[data-testid="stAlertContentError"]').count() == 0
        # Streamlit scrolls inside its main section, so grow the window to the content
        # height for a picture of the whole page.
        height = page.evaluate(JS_CONTENT_HEIGHT)
        height = min(max(height + 120, 1000), 6000)
        page.set_viewport_size({"width": 1400, "height": height})
        page.wait_for_timeout(1500)  # let plotly redraw at the new size
        SCREENSHOT.parent.mkdir(exist_ok=True)
        page.screenshot(path=str(SCREENSHOT), full_page=True)
    assert SCREENSHOT.stat().st_size > 10_000


def test_settings_and_the_job_survive_leaving_and_reloading_the_train_page(
    server: str, chromium: Path
):
    """The live panel's polls (fragment reruns, which never run app.py) let Streamlit's
    page-switch cleanup drop the kept values: back on Train the model read cnn, the epochs
    20 and the seed 0, while the chosen run went on training. And a reload (a new session)
    forgot the job: no curves, and Start enabled for a second copy."""
    from playwright.sync_api import expect

    with browser_page(chromium, f"{server}/train") as page:
        nav = page.get_by_test_id("stSidebarNav")
        start = page.get_by_role("button", name="Start training")
        expect(start).to_be_enabled(timeout=60_000)
        page.get_by_role("combobox", name="Model").click()
        page.get_by_role(
            "option", name="bilstm"
        ).first.click()  # slow: still training at the reload
        expect(page.get_by_role("combobox", name="Model")).to_have_value("bilstm")
        for label, value in (("Epochs", "7"), ("Seed", "42")):
            box = page.get_by_label(label, exact=True)
            box.fill(value)
            box.press("Enter")
            expect(box).to_have_value(value)
        page.wait_for_timeout(800)
        start.click()
        status = page.locator(".st-key-train_status")
        expect(status).to_contain_text("epoch", timeout=60_000)
        page.wait_for_timeout(2500)  # the live panel polls at least once
        nav.get_by_role("link", name="Home", exact=True).click()
        expect(page.get_by_role("heading", name="genoviz").first).to_be_visible(timeout=60_000)
        page.wait_for_timeout(1500)
        nav.get_by_role("link", name="Train", exact=True).click()
        expect(page.get_by_role("combobox", name="Model")).to_have_value("bilstm", timeout=60_000)
        expect(page.get_by_label("Epochs", exact=True)).to_have_value("7")
        expect(page.get_by_label("Seed", exact=True)).to_have_value("42")
        page.reload()
        expect(page.get_by_role("combobox", name="Model")).to_have_value("bilstm", timeout=60_000)
        expect(status).to_contain_text("running", timeout=60_000)
        expect(status).to_contain_text("/ 7", timeout=60_000)
        expect(page.get_by_role("button", name="Start training")).to_be_disabled()
        expect(page.get_by_text("Training: bilstm on tf-binding")).to_be_visible()
        stop = page.get_by_role("button", name="Stop")
        if stop.count() and stop.is_enabled():  # leave the server idle for other tests
            stop.click()
            expect(status).to_contain_text("Status: stopped", timeout=120_000)
