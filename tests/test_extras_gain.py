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
    said = gain.summary()
    assert f"standard error is {test.se:.3f}" in said and "more than chance" in said
    # both arms learned: shuffled test labels never matched them
    assert max(gain.chance_p) < 0.05 and gain.unlearned == [] and gain.unlearned_note() == ""
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
    gain = ExtrasGain("roc_auc", arm(proba), arm(proba), pd.DataFrame(), "multiclass")
    assert gain.auc_test() is None
    binary = SimpleNamespace(test_labels=np.array([0.0, 1, 0, 1]), test_ids=list("abcd"))
    one = ExtrasGain(
        "roc_auc",
        SimpleNamespace(**vars(binary), test_predictions=np.array([0.1, 0.9, 0.2, 0.4])),
        SimpleNamespace(**vars(binary), test_predictions=np.array([0.2, 0.8, 0.1, 0.7])),
        pd.DataFrame(),
        "binary",
    )
    assert one.auc_test().auc_a == 1.0 and one.auc_test().auc_b == 1.0


def test_an_arm_at_chance_is_named_as_not_learned():
    """The book's deepchem-tf learns nothing from the bundled tf-binding sequences (test ROC
    AUC 0.49), so its pair showed that failure as a +0.21 gain from accessibility. An arm
    that shuffled test labels match is now named, on the page and in the CLI."""
    from types import SimpleNamespace

    import numpy as np
    import pandas as pd

    from genoviz.extras_gain import ExtrasGain
    from genoviz.metrics import permutation_p

    rng = np.random.default_rng(0)
    y = (np.arange(400) % 4 == 0).astype(np.float32)
    noise = rng.random(400)  # predictions unrelated to the labels
    learned = y + rng.normal(0, 0.4, 400)
    p_noise = permutation_p("binary", "roc_auc", y, noise)
    p_learned = permutation_p("binary", "roc_auc", y, learned)
    assert p_noise > 0.05 and p_learned == pytest.approx(1 / 200)  # none of 199 shuffles
    assert permutation_p("binary", "roc_auc", y, np.full(400, 0.3)) == 1.0  # constant

    def arm(scores):
        return SimpleNamespace(test_labels=y, test_predictions=scores, test_ids=list(range(400)),
                               status="finished")  # fmt: skip

    table = pd.DataFrame(
        {
            "variant": ["sequence only", "sequence + accessibility"],
            "model": ["deepchem-tf", "deepchem-tf-access"],
            "valid": [0.5, 0.7],
            "test": [0.49, 0.70],
        }
    )
    gain = ExtrasGain(
        "roc_auc", arm(noise), arm(learned), table, "binary", (p_noise, p_learned), jund=True
    )
    assert gain.unlearned == ["sequence only"]
    note = gain.unlearned_note("**")
    assert note.startswith("**sequence only** (deepchem-tf) did not learn: its test ROC AUC of ")
    assert f"0.490 is matched by shuffled labels {p_noise:.0%} of the time" in note
    assert "accessibility**" not in note  # the arm that learned is not named
    said = gain.summary()
    assert "scores 0.700 against 0.490" in said and "a change of +0.210 ROC AUC" in said
    assert said.endswith("0.75 → 0.80 ROC AUC on its real JUND data.")
    # a stopped comparison is not scored against chance
    assert ExtrasGain("roc_auc", arm(noise), arm(noise), table, "binary").unlearned == []


def test_regression_arms_are_judged_by_their_own_metric():
    import numpy as np

    from genoviz.metrics import permutation_p

    rng = np.random.default_rng(1)
    y = rng.normal(size=200)
    assert permutation_p("regression", "pearson", y, y + rng.normal(0, 1, 200)) < 0.01
    assert permutation_p("regression", "pearson", y, rng.normal(size=200)) > 0.05
    assert permutation_p("regression", "pearson", y, np.zeros(200)) == 1.0  # r undefined
