"""App cold start: ``streamlit run app.py`` until Home has rendered in Chromium.

The reference is the same measurement for a one-line Streamlit app (``st.title``), served
by the same Streamlit on the same machine: the ratio is what genoviz's own imports and Home
page add to Streamlit's start-up. Needs Debian's Chromium at ``/usr/bin/chromium`` and
Playwright; the row is skipped without them.
"""

from __future__ import annotations

import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from benchmarks.speed import Row

ROOT = Path(__file__).resolve().parents[1]
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


def available() -> bool:
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return False
    return CHROMIUM.exists()


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def cold_start(script: Path, text: str, timeout: float = 120.0) -> float:
    """Seconds from launching the server to ``text`` being visible in the browser."""
    from playwright.sync_api import sync_playwright

    port = _free_port()
    url = f"http://127.0.0.1:{port}"
    cmd = [
        sys.executable,
        "-m",
        "streamlit",
        "run",
        str(script),
        "--server.headless=true",
        f"--server.port={port}",
        "--server.address=127.0.0.1",
        "--browser.gatherUsageStats=false",
    ]
    with sync_playwright() as pw:
        browser = pw.chromium.launch(
            executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS
        )
        try:
            t0 = time.perf_counter()
            proc = subprocess.Popen(
                cmd, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
            )
            try:
                deadline = t0 + timeout
                while time.perf_counter() < deadline:
                    try:
                        with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2):
                            break
                    except OSError:
                        time.sleep(0.05)
                page = browser.new_page()
                page.goto(url)
                page.get_by_text(text, exact=True).first.wait_for(timeout=timeout * 1000)
                elapsed = time.perf_counter() - t0
                page.close()
                return elapsed
            finally:
                proc.terminate()
                try:
                    proc.wait(10)
                except subprocess.TimeoutExpired:
                    proc.kill()
                    proc.wait(10)
        finally:
            browser.close()


def measure() -> tuple[float, float]:
    """(genoviz app seconds, one-line Streamlit app seconds)."""
    with tempfile.TemporaryDirectory() as tmp:
        hello = Path(tmp) / "hello.py"
        hello.write_text("import streamlit as st\nst.title('hello benchmark')\n")
        reference = cold_start(hello, "hello benchmark")
    ours = cold_start(ROOT / "app.py", "Quick start")
    return ours, reference


COLD_START = "app cold start (launch -> Home rendered in Chromium)"


def cold_start_row() -> Row | None:
    """The cold-start row, or None (with a line saying so) without Chromium and Playwright."""
    from benchmarks.speed import Row

    if not available():
        print("app cold start: skipped (needs Playwright and /usr/bin/chromium)")
        return None
    ours, hello = measure()
    return Row(
        COLD_START,
        ours,
        hello,
        "one-line Streamlit app",
        "no target; torch and SciPy imports take most of it",
    )
