"""The design card's rules, checked on the source tree."""

import ast
import subprocess
import sys

from conftest import REPO

LIBRARY = [*sorted((REPO / "genoviz").rglob("*.py")), *sorted((REPO / "models").rglob("*.py"))]


def imported_modules(path):
    tree = ast.parse(path.read_text())
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            yield from (a.name for a in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            yield node.module


def test_library_never_imports_streamlit():
    offenders = [
        str(p.relative_to(REPO))
        for p in LIBRARY
        if any(m.split(".")[0] == "streamlit" for m in imported_modules(p))
    ]
    assert offenders == []


def test_importing_the_library_does_not_pull_in_streamlit():
    code = (
        "import sys, genoviz.training, genoviz.cli, genoviz.data, models; "
        "print('streamlit' in sys.modules)"
    )
    out = subprocess.run([sys.executable, "-c", code], cwd=REPO, capture_output=True, text=True)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "False"


def test_no_pickle_based_loading_in_the_code():
    for p in LIBRARY:
        src = p.read_text()
        assert "pickle.load" not in src, p
        for node in ast.walk(ast.parse(src)):
            if (
                isinstance(node, ast.Call)
                and getattr(node.func, "attr", "") == "load"
                and getattr(node.func.value, "id", "") == "torch"
            ):
                kws = {k.arg: getattr(k.value, "value", None) for k in node.keywords}
                assert kws.get("weights_only") is True, f"{p}: torch.load without weights_only"
