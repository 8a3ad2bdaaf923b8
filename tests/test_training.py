import math

import numpy as np
import pytest
import torch
from conftest import planted_dataset

from genoviz.metrics import binary_metrics
from genoviz.predict import predict_arrays
from genoviz.runs import load_run
from genoviz.training import TrainConfig, TrainingError, fit, select_device


def cfg(**kw):
    base = dict(epochs=6, batch_size=64, lr=3e-3, save=False, hparams={"filters": 8, "kernel": 7})
    return TrainConfig(**(base | kw))


def test_metrics_improve_on_a_planted_motif():
    ds = planted_dataset()
    r = fit(ds, "cnn", cfg(epochs=15, lr=1e-2))
    h = r.history
    assert h[-1]["train_loss"] < h[0]["train_loss"]
    assert r.valid_metrics["roc_auc"] > 0.95
    assert r.test_metrics["roc_auc"] > 0.9
    assert {"train_loss", "valid_loss", "valid_roc_auc", "valid_pr_auc", "train_roc_auc"} <= set(
        h[0]
    )
    assert r.test_predictions.shape == (len(ds.splits["test"]),)
    assert ((r.test_predictions >= 0) & (r.test_predictions <= 1)).all()


def test_early_stopping_restores_the_best_epoch_weights():
    ds = planted_dataset(n=300, seed=2)
    r = fit(ds, "cnn", cfg(epochs=12, lr=0.05, patience=3))
    best = max(rec["valid_roc_auc"] for rec in r.history)
    assert r.history[r.best_epoch - 1]["valid_roc_auc"] == pytest.approx(best)
    # evaluating the returned model on the valid split gives the best epoch's score again
    assert r.valid_metrics["roc_auc"] == pytest.approx(best, abs=1e-6)
    assert r.best_epoch <= len(r.history) <= 12


def test_same_seed_same_history():
    ds = planted_dataset(n=200)
    a = fit(ds, "cnn", cfg(epochs=2))
    b = fit(planted_dataset(n=200), "cnn", cfg(epochs=2))
    assert [h["train_loss"] for h in a.history] == pytest.approx(
        [h["train_loss"] for h in b.history]
    )


def test_regression_records_correlations():
    rng = np.random.default_rng(0)
    ds = planted_dataset(n=300)
    ds.labels = (ds.labels + rng.normal(0, 0.3, len(ds))).astype(np.float32)
    ds.task = "regression"
    ds.splits = {}
    r = fit(ds, "cnn", cfg(epochs=15, lr=1e-2))
    assert {"valid_pearson", "valid_spearman"} <= set(r.history[0])
    assert r.valid_metrics["pearson"] > 0.5


def test_diverging_training_ends_with_a_clear_message():
    ds = planted_dataset(n=200)
    with pytest.raises(TrainingError, match="diverged"):
        fit(ds, "cnn", cfg(epochs=8, lr=1e12, weight_decay=0.0))


def test_mixed_lengths_need_a_length_and_seq_len_pads():
    ds = planted_dataset(n=100)
    ds.sequences[0] = ds.sequences[0][:30]
    with pytest.raises(TrainingError, match="mixed lengths"):
        fit(ds, "cnn", cfg(epochs=1))
    r = fit(ds, "cnn", cfg(epochs=1, seq_len=40))
    assert len(r.history) == 1


def test_run_folder_round_trip(tmp_path):
    ds = planted_dataset(n=200)
    r = fit(ds, "cnn", cfg(epochs=3, save=True, runs_dir=str(tmp_path), run_name="toy/../x"))
    assert r.run_dir.parent == tmp_path and r.run_dir.name.endswith("toy-.-x")
    run = load_run(r.run_dir)
    assert run.status == "finished" and run.info["best_epoch"] == r.best_epoch
    assert len(run.history) == len(r.history)
    assert run.info["final_metrics"]["test"]["roc_auc"] == pytest.approx(r.test_metrics["roc_auc"])
    assert {"torch", "genoviz", "python"} <= set(run.info["versions"])
    model = run.load_model()
    x = torch.from_numpy(ds.encode())
    np.testing.assert_allclose(predict_arrays(model, x), predict_arrays(r.model, x), atol=1e-6)


def test_device_selection():
    assert select_device("cpu").type == "cpu"
    assert select_device("auto").type in {"cpu", "cuda", "mps"}
    if not torch.cuda.is_available():
        with pytest.raises(TrainingError, match="no CUDA GPU"):
            select_device("cuda")


def test_history_records_are_finite_numbers():
    r = fit(planted_dataset(n=200), "cnn", cfg(epochs=2))
    for rec in r.history:
        assert math.isfinite(rec["train_loss"]) and math.isfinite(rec["valid_loss"])


def test_multiclass_training_records_confusion_and_class_probabilities():
    ds = planted_dataset(n=600)
    rng = np.random.default_rng(0)
    labels = ds.labels.copy()
    labels[(labels == 0) & (rng.random(len(labels)) < 0.5)] = 2  # class 2: no motif either
    ds.labels, ds.task, ds.splits = labels, "multiclass", {}
    r = fit(ds, "cnn", cfg(epochs=4, lr=1e-2, hparams={"filters": 8, "kernel": 7, "members": 1}))
    rec = r.history[-1]
    assert {"valid_accuracy", "valid_macro_f1", "valid_mcc", "valid_roc_auc"} <= set(rec)
    conf = np.array(rec["valid_confusion"])
    assert conf.shape == (3, 3) and conf.sum() == len(ds.splits["valid"])
    assert r.test_predictions.shape == (len(ds.splits["test"]), 3)
    np.testing.assert_allclose(r.test_predictions.sum(1), 1.0, rtol=1e-5)
    assert r.valid_metrics["roc_auc"] > 0.6  # class 1 (motif) is learnable


def test_multitask_training_reports_each_task():
    ds = planted_dataset(n=600)
    ds.labels = np.stack([ds.labels, 1 - ds.labels], axis=1)
    ds.task, ds.splits = "multitask-binary", {}
    ds.meta.notes["tasks"] = ["motif", "no_motif"]
    r = fit(ds, "cnn", cfg(epochs=4, lr=1e-2, hparams={"filters": 8, "kernel": 7, "members": 1}))
    assert {"valid_roc_auc_motif", "valid_roc_auc_no_motif", "valid_roc_auc"} <= set(r.history[-1])
    assert r.test_predictions.shape == (len(ds.splits["test"]), 2)
    assert r.valid_metrics["roc_auc_motif"] > 0.6


def test_language_model_corpus_is_refused_with_a_reason():
    ds = planted_dataset(n=60)
    ds.task = "lm"
    with pytest.raises(TrainingError, match="does not support task 'lm'"):
        fit(ds, "cnn", cfg(epochs=1))


@pytest.mark.parametrize(
    ("settings", "message"),
    [
        ({"epochs": 0}, "epochs must be at least 1, not 0"),
        ({"batch_size": 0}, "batch_size must be at least 1, not 0"),
        ({"lr": -1.0}, "the learning rate must be a number of at least 0, not -1.0"),
    ],
)
def test_settings_no_training_can_use_are_refused_before_a_run_folder(tmp_path, settings, message):
    """--batch-size 0 used to crash with ZeroDivisionError and leave a 'running' run folder."""
    config = TrainConfig(runs_dir=str(tmp_path), **settings)
    with pytest.raises(TrainingError, match=message):
        fit(planted_dataset(60), "cnn", config)
    assert not list(tmp_path.iterdir())


def test_zero_weight_rows_count_in_no_score():
    """A weight of 0 marks a label not to count (DeepChem's missing label): the loss gave
    it nothing, but ROC AUC scored its placeholder label as real."""
    ds = planted_dataset(n=400, length=30, seed=3)
    ds.ensure_splits(0)
    config = TrainConfig(epochs=1, save=False, seed=0)
    config.hparams = {"members": 1, "filters": 4}
    base = fit(ds, "cnn", config)
    # Give every test row past the first 20 weight 0 and a flipped label: were they
    # scored, the test ROC AUC would move; left out, it equals the first 20 rows' alone.
    test = np.asarray(ds.splits["test"])
    ds.weights = np.ones(len(ds), np.float32)
    ds.weights[test[20:]] = 0
    ds.labels = ds.labels.copy()
    ds.labels[test[20:]] = 1 - ds.labels[test[20:]]
    zeroed = fit(ds, "cnn", config)
    assert len(zeroed.test_labels) == 20 and list(zeroed.test_ids) == [ds.ids[i] for i in test[:20]]
    expected = binary_metrics(base.test_labels[:20], base.test_predictions[:20])["roc_auc"]
    assert zeroed.test_metrics["roc_auc"] == pytest.approx(expected)
    ds.weights[np.asarray(ds.splits["valid"])] = 0
    with pytest.raises(TrainingError, match="every validation sequence has weight 0"):
        fit(ds, "cnn", config)


def test_a_saved_runs_result_reads_back_as_training_returned_it(tmp_path):
    """TrainResult.from_run: the kept model, curves, final metrics and test table of a
    saved run, as fit returned them (the Lesson shows a network trained before a reload)."""
    import torch

    from genoviz.runs import load_run
    from genoviz.train_setup import TrainResult

    config = TrainConfig(epochs=2, batch_size=64, save=True, runs_dir=str(tmp_path))
    fitted = fit(planted_dataset(n=200), "cnn", config)
    back = TrainResult.from_run(load_run(fitted.run_dir))
    assert back.test_ids == fitted.test_ids and back.best_epoch == fitted.best_epoch
    np.testing.assert_allclose(back.test_labels, fitted.test_labels.reshape(-1))
    np.testing.assert_allclose(back.test_predictions, fitted.test_predictions, rtol=1e-5)
    assert back.test_metrics == pytest.approx(fitted.test_metrics)
    assert [r["epoch"] for r in back.history] == [1, 2]
    a, b = back.model.state_dict(), fitted.model.state_dict()
    assert all(torch.equal(a[k], b[k]) for k in b)


def test_test_tables_of_several_outputs_read_back_as_arrays():
    import pandas as pd

    from genoviz.run_predictions import prediction_arrays

    multiclass = pd.DataFrame(
        {"id": ["a", "b"], "label": ["donor", "none"], "p_none": [0.1, 0.8],
         "p_donor": [0.9, 0.2], "predicted_class": ["donor", "none"]}
    )  # fmt: skip
    labels, preds = prediction_arrays(multiclass, ["none", "donor"])
    assert labels.tolist() == [1, 0]
    np.testing.assert_allclose(preds, [[0.1, 0.9], [0.8, 0.2]], rtol=1e-6)
    tasks = pd.DataFrame(
        {"id": ["a"], "label_JUND": [1.0], "label_GATA1": [0.0], "p_JUND": [0.7], "p_GATA1": [0.2]}
    )
    labels, preds = prediction_arrays(tasks, [])
    assert labels.tolist() == [[1.0, 0.0]] and preds.shape == (1, 2)
