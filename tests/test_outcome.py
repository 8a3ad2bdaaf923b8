"""The prediction said in Interpret's titles: as Predict says it (probabilities, values,
the top class), never the raw logit."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from conftest import save_untrained_run

from genoviz.interpret.outcome import describe, prediction_texts
from genoviz.onehot import one_hot
from genoviz.predict import Prediction
from genoviz.runs import load_run


def test_each_task_is_said_as_predict_says_it():
    logit = -0.0968
    p = float(torch.sigmoid(torch.tensor(logit)))
    assert describe(Prediction(np.array([p]), "probability", []), "binary") == ["P(label 1) 0.476"]
    assert describe(Prediction(np.array([0.734]), "value", []), "regression") == [
        "prediction 0.734"
    ]
    probs = np.array([[0.1, 0.7, 0.2], [0.5, 0.2, 0.3]])
    pred = Prediction(probs, "probability", [], ["donor", "acceptor", "neither"])
    assert describe(pred, "multiclass") == ["predicted acceptor, P 0.7", "predicted donor, P 0.5"]
    tasks = Prediction(probs, "probability", [], ["JUND", "CTCF", "GATA1"])
    assert describe(tasks, "multitask-binary", target=2) == ["P(GATA1) 0.2", "P(GATA1) 0.3"]


def test_a_binary_run_says_the_sigmoid_of_its_logit(tmp_path):
    build = {"seq_len": 20, "outputs": 1, "filters": 4, "hidden": 4, "members": 1}
    run = load_run(save_untrained_run(tmp_path / "run", "cnn", build))
    model = run.load_model("cpu")
    seq = "ACGTTGACTCAGGCATCCAG"
    with torch.no_grad():
        logit = float(model(torch.from_numpy(one_hot([seq])))[0, 0])
    (said,) = prediction_texts(run, [seq], model=model)
    assert said.startswith("P(label 1) ")
    assert float(said.split()[-1]) == pytest.approx(1 / (1 + np.exp(-logit)), abs=1e-3)


def test_a_multiclass_label_is_named_by_its_class(tmp_path):
    from genoviz.interpret.outcome import label_text
    from genoviz.plots_interpret import saliency_track_figure

    record = {"name": "s", "task": "multiclass", "class_names": ["neither", "donor", "acceptor"]}
    build = {"seq_len": 20, "outputs": 3, "extras": 0}
    run = load_run(save_untrained_run(tmp_path / "mc", "linear", build, record))
    assert label_text(run, 1.0) == "donor" and label_text(run, None) is None
    binary = load_run(save_untrained_run(tmp_path / "b", "linear", build | {"outputs": 1}))
    assert label_text(binary, 1.0) == 1.0
    fig = saliency_track_figure(np.zeros(4), "ACGT", "x", "donor", "predicted donor, P 0.5")
    assert "label donor · predicted donor, P 0.5" in fig.layout.title.text
