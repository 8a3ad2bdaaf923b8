"""extras_gain: the same data trained with and without its extra inputs (the book's JUND
accessibility comparison)."""

from __future__ import annotations

import pytest

from genoviz.data.tf_binding import build_tf_binding
from genoviz.extras_gain import extras_gain
from genoviz.plots_models import extras_gain_figure
from genoviz.training import TrainConfig, TrainingError
from tests.conftest import planted_dataset


@pytest.mark.training
def test_accessibility_adds_to_the_sequence_on_tf_binding():
    """A smaller tf-binding (3,000 windows, 10% bound) so both arms train in seconds."""
    ds = build_tf_binding(seed=0, n=3000, positive_rate=0.1)
    cfg = TrainConfig(seed=0, save=False, epochs=6, lr=1e-2, batch_size=64, hparams={"members": 1})
    seen = []
    gain = extras_gain(ds, cfg, models=("cnn", "cnn"), on_epoch=lambda arm, r: seen.append(arm))
    t = gain.table
    assert list(t["variant"]) == ["sequence only", "sequence + accessibility"]
    assert gain.metric == "roc_auc"
    assert t["test"][0] > 0.65  # the sequence alone already learns (0.77 seen)...
    assert gain.gain > 0.05 and t["valid"][1] > t["valid"][0]  # ...and accessibility adds (0.88)
    assert seen.count("without") == len(gain.without.history) and "with" in seen
    assert gain.with_extras.model.members[0].head.n_extras == 1
    assert gain.without.model.members[0].head.n_extras == 0
    # DeLong's paired test on the one test split: its AUCs are the table's
    test = gain.auc_test()
    assert test.auc_a == pytest.approx(t["test"][0]) and test.auc_b == pytest.approx(t["test"][1])
    assert 0 < test.se < 0.1 and test.p_value < 0.05
    from pages.zoo import uncertainty_text

    said = uncertainty_text(gain)
    assert f"standard error is {test.se:.3f}" in said and "more than chance" in said
    fig = extras_gain_figure(gain.scores())
    assert [tr.name for tr in fig.data] == list(t["variant"])


def test_data_without_extras_is_refused():
    with pytest.raises(TrainingError, match="no extra inputs"):
        extras_gain(planted_dataset(n=50))


def test_the_paired_auc_test_is_for_one_output_only():
    """Multi-class and multi-task runs also rank by ROC AUC, averaged over classes or
    tasks; the paired test of one score crashed on them (IndexError)."""
    from types import SimpleNamespace

    import numpy as np
    import pandas as pd

    from genoviz.extras_gain import ExtrasGain

    def arm(scores):
        return SimpleNamespace(test_labels=np.array([0, 1, 2, 1]), test_predictions=scores,
                               test_ids=list("abcd"), status="finished")  # fmt: skip

    proba = np.full((4, 3), 1 / 3)
    gain = ExtrasGain("roc_auc", arm(proba), arm(proba), pd.DataFrame())
    assert gain.auc_test() is None
    binary = SimpleNamespace(test_labels=np.array([0.0, 1, 0, 1]), test_ids=list("abcd"))
    one = ExtrasGain(
        "roc_auc",
        SimpleNamespace(**vars(binary), test_predictions=np.array([0.1, 0.9, 0.2, 0.4])),
        SimpleNamespace(**vars(binary), test_predictions=np.array([0.2, 0.8, 0.1, 0.7])),
        pd.DataFrame(),
    )
    assert one.auc_test().auc_a == 1.0 and one.auc_test().auc_b == 1.0
