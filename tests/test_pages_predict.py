"""The Predict page on a multi-class run: a named probability per class, and the top class."""

from __future__ import annotations

from pathlib import Path

import numpy as np
from conftest import save_untrained_run
from streamlit.testing.v1 import AppTest

ROOT = Path(__file__).resolve().parents[1]
CLASSES = ["neither", "donor", "acceptor"]


def test_predict_page_names_each_class_and_the_top_one(runs_dir: Path):
    record = {"name": "splice-sites", "spec": "splice-sites", "task": "multiclass"}
    build = {"seq_len": 40, "outputs": 3, "extras": 0}
    save_untrained_run(
        runs_dir / "20260101-000000-linear-splice-sites",
        "linear",
        build,
        record | {"class_names": CLASSES},
    )
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=90).run()
    at.switch_page("pages/predict.py").run()
    at.text_area(key="predict_paste").input(">a\n" + "ACGT" * 10 + "\n>b\n" + "GGTA" * 10).run()
    assert not at.exception, [e.value for e in at.exception]
    table = at.dataframe[0].value
    probs = table[[f"p_{c}" for c in CLASSES]].to_numpy()
    np.testing.assert_allclose(probs.sum(1), 1.0, atol=1e-5)
    assert table["predicted_class"].tolist() == [CLASSES[j] for j in probs.argmax(1)]
    assert table["id"].tolist() == ["a", "b"]
