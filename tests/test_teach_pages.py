"""AppTest checks for teaching and sharing: links restore the Train setup, the Lesson and
Runs pages load and act. (Fragments and the live lesson are covered in the browser.)"""

from __future__ import annotations

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

ROOT = Path(__file__).resolve().parents[1]
TIMEOUT = 60


@pytest.fixture(scope="session")
def cache_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("genoviz-cache")


@pytest.fixture(autouse=True)
def isolated(monkeypatch: pytest.MonkeyPatch, tmp_path: Path, cache_dir: Path) -> Path:
    runs = tmp_path / "runs"
    monkeypatch.setenv("GENOVIZ_RUNS_DIR", str(runs))
    monkeypatch.setenv("GENOVIZ_CACHE_DIR", str(cache_dir))
    monkeypatch.syspath_prepend(str(ROOT))
    return runs


def page(path: str, **params: str) -> AppTest:
    """A page file on its own (as a deep link opens it), with query parameters."""
    at = AppTest.from_file(str(ROOT / path), default_timeout=TIMEOUT)
    for k, v in params.items():
        at.query_params[k] = v
    return at.run()


def ok(at: AppTest) -> None:
    assert not at.exception, [e.value for e in at.exception]
    assert not at.error, [e.value for e in at.error]


def test_train_link_restores_the_setup_and_the_url_follows_the_widgets():
    at = page(
        "pages/train.py",
        dataset="sirna",
        model="cnn",
        epochs="3",
        lr="0.0003",
        batch="64",
        seed="7",
    )
    ok(at)
    assert at.selectbox(key="train_dataset").value == "sirna"
    assert at.selectbox(key="train_model").value == "cnn"
    assert at.number_input(key="train_epochs").value == 3
    assert at.select_slider(key="train_lr").value == pytest.approx(3e-4)
    assert at.selectbox(key="train_batch").value == 64
    assert at.number_input(key="train_seed").value == 7
    assert at.query_params["dataset"] == "sirna" and at.query_params["seed"] == "7"
    at.number_input(key="train_seed").set_value(11).run()
    ok(at)
    assert at.number_input(key="train_seed").value == 11  # the link is not re-applied
    assert at.query_params["seed"] == "11"
    codes = [c.value for c in at.code]
    assert any("seed=11" in c and "dataset=sirna" in c for c in codes)


def test_a_bad_link_value_is_a_warning_not_an_error():
    at = page("pages/train.py", dataset="nope", epochs="9999", seed="5")
    assert not at.exception
    warnings = " ".join(w.value for w in at.warning)
    assert "dataset" in warnings and "epochs" in warnings
    assert at.selectbox(key="train_dataset").value == "tf-binding"
    assert at.number_input(key="train_seed").value == 5
