"""Security: server config, no unpickling or eval in the code, run names that cannot leave
the runs folder, and DiskDataset pickles that load only with explicit trust."""

from __future__ import annotations

import ast
import json
import os
import tomllib
from pathlib import Path

import joblib
import pandas as pd
import pytest
from conftest import REPO, planted_dataset
from hypothesis import strategies as st

from genoviz.data import DataFormatError, load
from genoviz.data.deepchem import PICKLE_WARNING, load_disk_dataset
from genoviz.run_folders import new_run_dir, safe_name
from genoviz.training import TrainConfig, fit
from tests._hypothesis import DEPTHS, check

SCANNED = ("genoviz", "models", "pages", "app.py")

# --- .streamlit/config.toml -----------------------------------------------------------------


def test_server_binds_to_localhost_with_xsrf_and_an_upload_cap():
    config = tomllib.loads((REPO / ".streamlit" / "config.toml").read_text())
    server = config["server"]
    assert server["address"] in ("localhost", "127.0.0.1")
    assert server["enableXsrfProtection"] is True
    assert server.get("enableCORS", True) is True  # XSRF needs CORS protection on
    assert 1 <= server["maxUploadSize"] <= 200
    assert config["browser"]["gatherUsageStats"] is False


def test_streamlit_reads_the_same_settings(monkeypatch: pytest.MonkeyPatch):
    """The keys are real Streamlit options (a misspelt key would be ignored silently)."""
    from streamlit import config

    old = Path.cwd()
    monkeypatch.chdir(REPO)  # streamlit reads ./.streamlit/config.toml
    try:
        config.get_config_options(force_reparse=True)
        assert config.get_option("server.address") in ("localhost", "127.0.0.1")
        assert config.get_option("server.enableXsrfProtection") is True
        assert config.get_option("server.maxUploadSize") <= 200
        assert config.get_where_defined("server.address").endswith("config.toml")
        # no full collection after every fragment rerun (0.3 s each, once a second per session)
        assert config.get_option("runner.postScriptGC") is False
        assert config.get_where_defined("runner.postScriptGC").endswith("config.toml")
    finally:
        os.chdir(old)
        config.get_config_options(force_reparse=True)


# --- code scan: no pickle, torch.load only with weights_only=True, no eval/exec ---------------

#: Modules that unpickle (or run stored code) on load.
PICKLE_MODULES = {"pickle", "cPickle", "_pickle", "dill", "cloudpickle", "shelve", "marshal"}
#: The one place genoviz may unpickle: DiskDataset shards, after the user's explicit trust.
JOBLIB_ALLOWED = {("genoviz/data/deepchem.py", "_read_shard")}


def _kw(call: ast.Call, name: str) -> ast.expr | None:
    return next((k.value for k in call.keywords if k.arg == name), None)


def _is_true(node: ast.expr | None) -> bool:
    return isinstance(node, ast.Constant) and node.value is True


def _dotted(node: ast.expr) -> str:
    if isinstance(node, ast.Attribute):
        return f"{_dotted(node.value)}.{node.attr}"
    return node.id if isinstance(node, ast.Name) else ""


def scan_source(source: str, path: str) -> list[str]:
    """Violations in one file, as ``path:line: what``."""
    found: list[str] = []
    tree = ast.parse(source, filename=path)
    func_of: dict[ast.AST, str] = {}
    for fn in ast.walk(tree):
        if isinstance(fn, ast.FunctionDef | ast.AsyncFunctionDef):
            for node in ast.walk(fn):
                func_of.setdefault(node, fn.name)

    def bad(node: ast.AST, what: str) -> None:
        found.append(f"{path}:{node.lineno}: {what}")

    for node in ast.walk(tree):
        if isinstance(node, ast.Import | ast.ImportFrom):
            names = [a.name for a in node.names]
            mods = [node.module or ""] if isinstance(node, ast.ImportFrom) else names
            for mod in mods:
                root = mod.split(".")[0]
                if root in PICKLE_MODULES:
                    bad(node, f"imports {mod}")
                if root == "joblib" and (path, func_of.get(node)) not in JOBLIB_ALLOWED:
                    bad(node, "imports joblib (pickles) outside the trusted DiskDataset reader")
        if not isinstance(node, ast.Call):
            continue
        name = _dotted(node.func)
        if name in ("eval", "exec", "compile", "__import__"):
            bad(node, f"calls {name}()")
        elif name == "torch.load" or name.endswith(".torch.load"):
            if not _is_true(_kw(node, "weights_only")):
                bad(node, "calls torch.load without weights_only=True")
        elif name.endswith("read_pickle") or name.endswith("pickle.loads"):
            bad(node, f"calls {name}()")
        elif name in ("np.load", "numpy.load") and _is_true(_kw(node, "allow_pickle")):
            bad(node, "calls np.load with allow_pickle=True")
        elif name in ("yaml.load", "yaml.unsafe_load") and _kw(node, "Loader") is None:
            bad(node, f"calls {name} without a safe Loader")
        elif _is_true(_kw(node, "shell")):
            bad(node, f"calls {name} with shell=True")
    return found


def scanned_files() -> list[Path]:
    files = []
    for part in SCANNED:
        p = REPO / part
        files += sorted(p.rglob("*.py")) if p.is_dir() else [p]
    return files


def test_code_never_unpickles_evals_or_loads_torch_without_weights_only():
    files = scanned_files()
    assert len(files) > 20 and REPO / "genoviz" / "runs.py" in files
    violations = []
    for f in files:
        violations += scan_source(f.read_text(), f.relative_to(REPO).as_posix())
    assert violations == []


@pytest.mark.parametrize(
    "source",
    [
        "import pickle",
        "from pickle import loads",
        "import cloudpickle as cp",
        "import joblib",
        "x = torch.load(p)",
        "x = torch.load(p, weights_only=False)",
        "eval(text)",
        "exec(code)",
        "df = pd.read_pickle(p)",
        "a = np.load(p, allow_pickle=True)",
        "subprocess.run(cmd, shell=True)",
        "def f():\n    import joblib",
    ],
)
def test_the_scanner_catches_each_violation(source: str):
    assert scan_source(source, "genoviz/x.py"), source


@pytest.mark.parametrize(
    "source",
    [
        "x = torch.load(p, weights_only=True)",
        "model.eval()",
        "a = np.load(p, allow_pickle=False)",
        "import json",
    ],
)
def test_the_scanner_passes_safe_code(source: str):
    assert scan_source(source, "genoviz/x.py") == []


def test_the_scanner_allows_joblib_only_in_the_trusted_reader():
    src = "def _read_shard():\n    import joblib\n"
    assert scan_source(src, "genoviz/data/deepchem.py") == []
    assert scan_source(src, "genoviz/data/importers.py")


# --- run names and paths from users ---------------------------------------------------------

HOSTILE = [
    "../../x",
    "..",
    ".",
    "/etc/passwd",
    "/",
    "a/../../b",
    "..\\..\\windows",
    "C:\\Users\\x",
    "~/.ssh/id_rsa",
    "run\x00name",
    "\x00",
    "x\u2215..\u2215..\u2215y",  # division slash
    "x\uff0f..\uff0fy",  # fullwidth solidus
    "\u2024\u2024/\u2024\u2024",  # one-dot leaders look like ..
    "\u202e../evil",  # right-to-left override
    "." * 300,
    "a" * 5000,
    "",
    "   ",
    "CON",
    "-rf",
]


@pytest.mark.parametrize("name", HOSTILE)
def test_hostile_run_names_stay_inside_the_runs_folder(tmp_path: Path, name: str):
    root = (tmp_path / "runs").resolve()
    cleaned = safe_name(name)
    assert cleaned and len(cleaned) <= 80
    assert set(cleaned) <= set("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_.-")
    assert not cleaned.startswith((".", "-")) and ".." not in cleaned
    path = new_run_dir(root, name)
    assert path.resolve().parent == root and path.is_dir()
    assert list(tmp_path.iterdir()) == [tmp_path / "runs"]  # nothing made beside it


@DEPTHS
def test_any_run_name_stays_inside_the_runs_folder(thorough: bool, tmp_path_factory):
    root = tmp_path_factory.mktemp("runs").resolve()

    def prop(name: str) -> None:
        path = new_run_dir(root, name)
        assert path.resolve().parent == root
        path.rmdir()

    check(thorough, prop, st.text(max_size=120))


def test_training_with_a_hostile_run_name_writes_inside_runs_dir(tmp_path: Path):
    root = tmp_path / "runs"
    config = TrainConfig(epochs=1, batch_size=64, runs_dir=str(root), run_name="../../escaped")
    result = fit(planted_dataset(120), "cnn", config)
    assert result.run_dir.resolve().parent == root.resolve()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["runs"]


# --- DeepChem DiskDataset: explicit trust, and why -------------------------------------------


class _Evil:
    """A pickle that writes a file when loaded: stands for code its author could run."""

    def __init__(self, marker: Path) -> None:
        self.marker = marker

    def __reduce__(self):
        return (open, (str(self.marker), "w"))


def hostile_disk_dataset(tmp_path: Path) -> tuple[Path, Path]:
    """A DiskDataset folder whose shards create ``marker`` when unpickled."""
    folder = tmp_path / "dd"
    folder.mkdir()
    marker = tmp_path / "code-ran"
    joblib.dump(_Evil(marker), folder / "X.joblib")
    joblib.dump(_Evil(marker), folder / "y.joblib")
    pd.DataFrame({"X": ["X.joblib"], "y": ["y.joblib"]}).to_csv(
        folder / "metadata.csv.gzip", index=False, compression="gzip"
    )
    return folder, marker


def test_disk_dataset_is_never_unpickled_without_trust(tmp_path: Path):
    folder, marker = hostile_disk_dataset(tmp_path)
    for attempt in (lambda: load(folder), lambda: load_disk_dataset(folder)):
        with pytest.raises(DataFormatError) as info:
            attempt()
        message = str(info.value)
        assert PICKLE_WARNING in message and "Confirm" in message  # asks, and says why
        assert "runs whatever code" in message
    assert not marker.exists()
    # Trusted, the shard runs (the reason for asking), and genoviz still refuses the
    # result, which is no one-hot array.
    with pytest.raises(DataFormatError):
        load(folder, trust=True)
    assert marker.exists()


def test_a_runs_own_disk_dataset_is_not_unpickled_by_the_cli(tmp_path: Path, capsys):
    """run.json names its data, and an imported zip can write run.json: interpret and
    resume load a DeepChem folder only when it is named on the command line."""
    from conftest import save_untrained_run

    from genoviz.cli import main

    folder, marker = hostile_disk_dataset(tmp_path)
    build = {"seq_len": 12, "outputs": 1, "extras": 0, "members": 1, "filters": 4}
    record = {"name": "dd", "spec": str(folder), "task": "binary"}
    run = save_untrained_run(tmp_path / "run", "cnn", build, record)
    info = json.loads((run / "run.json").read_text())
    info |= {"status": "stopped", "config": {"epochs": 3}}
    (run / "run.json").write_text(json.dumps(info))
    for argv in (
        ["interpret", "ism", "--run", str(run), "--out", str(tmp_path / "o")],
        ["train", "--resume", str(run)],
    ):
        capsys.readouterr()
        assert main(argv) == 2
        err = capsys.readouterr().err
        assert "named in the run's run.json" in err and f"--data {folder}" in err, err
    assert not marker.exists()
