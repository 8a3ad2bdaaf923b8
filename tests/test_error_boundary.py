"""The UI never shows a traceback: every page runs inside ``error_boundary``, which shows
the message, logs the details and keeps the session."""

from __future__ import annotations

import ast
import logging
from pathlib import Path

import pytest
import streamlit
from streamlit.testing.v1 import AppTest

from genoviz.data import DataFormatError

ROOT = Path(__file__).resolve().parents[1]
PAGES = sorted(p for p in (ROOT / "pages").glob("*.py") if not p.name.startswith("_"))


DEFINITIONS = (ast.Import, ast.ImportFrom, ast.FunctionDef, ast.ClassDef, ast.Assign, ast.AnnAssign)


#: Calls harmless at a page's module level.
SAFE_CALLS = {"logging.getLogger", "frozenset", "tuple", "dict", "list", "set", "TypeVar"}


def _is_boundary(node: ast.stmt) -> bool:
    return isinstance(node, ast.With) and any(
        isinstance(item.context_expr, ast.Call)
        and getattr(item.context_expr.func, "id", "") == "error_boundary"
        for item in node.items
    )


@pytest.mark.parametrize("page", PAGES, ids=lambda p: p.name)
def test_every_page_runs_its_code_inside_the_error_boundary(page: Path):
    """At module level a page only imports, defines, sets constants, calls
    ``ensure_app_navigation()`` and runs everything else in ``with error_boundary(...)``."""
    tree = ast.parse(page.read_text())
    outside = []
    for node in tree.body:
        if isinstance(node, DEFINITIONS) or _is_boundary(node):
            continue
        if isinstance(node, ast.Expr) and isinstance(node.value, ast.Constant):
            continue  # docstring
        call = node.value if isinstance(node, ast.Expr) else None
        if isinstance(call, ast.Call) and getattr(call.func, "id", "") == "ensure_app_navigation":
            continue
        outside.append(f"line {node.lineno}: {ast.unparse(node)[:60]}")
    assert outside == []
    assert sum(_is_boundary(n) for n in tree.body) == 1
    # module-level values are constants: no call there could raise outside the boundary
    for node in tree.body:
        if isinstance(node, ast.Assign | ast.AnnAssign) and node.value is not None:
            calls = [n for n in ast.walk(node.value) if isinstance(n, ast.Call)]
            risky = [ast.unparse(c.func) for c in calls if ast.unparse(c.func) not in SAFE_CALLS]
            assert risky == [], ast.unparse(node)


@pytest.fixture
def isolated(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("GENOVIZ_RUNS_DIR", str(tmp_path / "runs"))
    monkeypatch.syspath_prepend(str(ROOT))


def page_path(page: Path) -> str:
    return f"pages/{page.name}"


@pytest.mark.parametrize("page", PAGES, ids=lambda p: p.name)
def test_an_unexpected_error_in_a_page_shows_a_message_not_a_traceback(
    page: Path, isolated: None, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
):
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=120).run()
    at.session_state["kept"] = "still here"

    def boom(*args, **kwargs):
        raise RuntimeError("forced failure in the page")

    monkeypatch.setattr(streamlit, "title", boom)  # every page starts with st.title
    with caplog.at_level(logging.ERROR, logger="genoviz.ui"):
        at.switch_page(page_path(page)).run()
    assert not at.exception  # no Streamlit exception box, so no traceback in the browser
    shown = " ".join(e.value for e in at.error)
    assert "Something went wrong while showing the" in shown
    assert "RuntimeError: forced failure in the page" in shown
    assert "Traceback" not in shown and 'File "' not in shown
    assert any(r.exc_info and "forced failure" in str(r.exc_info[1]) for r in caplog.records)
    assert at.session_state["kept"] == "still here"  # the session survives

    monkeypatch.undo()
    monkeypatch.syspath_prepend(str(ROOT))
    at.run()  # and the page works again on the next run
    assert not at.exception and not at.error


def test_a_user_error_shows_its_own_message(isolated: None, monkeypatch: pytest.MonkeyPatch):
    def bad_data(*args, **kwargs):
        raise DataFormatError("reads.csv, line 3: label column 'label' is 'yes', not a number")

    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=120).run()
    monkeypatch.setattr(streamlit, "title", bad_data)
    at.switch_page("pages/train.py").run()
    assert not at.exception
    assert [e.value for e in at.error] == [
        "reads.csv, line 3: label column 'label' is 'yes', not a number"
    ]


def test_streamlit_hides_tracebacks_of_anything_the_boundary_misses():
    """The backstop for errors outside a page body (e.g. widget callbacks)."""
    import tomllib

    config = tomllib.loads((ROOT / ".streamlit" / "config.toml").read_text())
    assert config["client"]["showErrorDetails"] in ("type", "none", False)
