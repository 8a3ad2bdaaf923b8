import math

import numpy as np
import pytest

from genoviz.metrics import (
    binary_metrics,
    calibration,
    regression_metrics,
    roc_points,
    task_metrics,
)


def test_binary_metrics_known_answers():
    y = np.array([0, 0, 1, 1])
    assert binary_metrics(y, np.array([0.1, 0.4, 0.35, 0.8]))["roc_auc"] == pytest.approx(0.75)
    perfect = binary_metrics(y, np.array([0.1, 0.2, 0.8, 0.9]))
    assert perfect == {"roc_auc": 1.0, "pr_auc": 1.0}


def test_binary_metrics_single_class_is_nan_not_an_error():
    m = binary_metrics(np.zeros(5), np.random.rand(5))
    assert math.isnan(m["roc_auc"]) and math.isnan(m["pr_auc"])


def test_regression_metrics_known_answers():
    y = np.array([1.0, 2.0, 3.0, 4.0])
    m = regression_metrics(y, np.array([2.0, 4.0, 6.0, 9.0]))
    assert m["spearman"] == pytest.approx(1.0)
    assert m["pearson"] == pytest.approx(np.corrcoef(y, [2, 4, 6, 9])[0, 1])
    assert math.isnan(regression_metrics(y, np.ones(4))["pearson"])
    # R² of the predictions as they are: 1 - SS_res / SS_tot = 1 - 55 / 5
    assert m["r2"] == pytest.approx(1 - (1 + 4 + 9 + 25) / 5)
    assert m["r2"] < 0 < m["pearson"]  # in order, off the scale
    assert regression_metrics(y, y + 0.0)["r2"] == pytest.approx(1.0)
    assert regression_metrics(y, np.full(4, 2.5))["r2"] == pytest.approx(0.0)  # the mean
    assert math.isnan(regression_metrics(np.ones(4), y)["r2"])  # constant labels


def test_task_metrics_dispatch_and_roc_points():
    assert set(task_metrics("binary", np.array([0, 1]), np.array([0.2, 0.7]))) == {
        "roc_auc",
        "pr_auc",
    }
    with pytest.raises(ValueError):
        task_metrics("lm", np.zeros(2), np.zeros(2))
    fpr, tpr = roc_points(np.array([0, 1, 0, 1]), np.array([0.1, 0.9, 0.2, 0.8]))
    assert fpr[0] == 0 and tpr[-1] == 1


def test_multiclass_metrics_known_answers():
    from genoviz.metrics import confusion_matrix, multiclass_metrics

    y = np.array([0, 1, 2, 2])
    proba = np.array([[0.8, 0.1, 0.1], [0.1, 0.7, 0.2], [0.1, 0.2, 0.7], [0.6, 0.3, 0.1]])
    m = multiclass_metrics(y, proba)
    assert m["accuracy"] == pytest.approx(0.75)
    # per-class F1: class0 2/3, class1 1, class2 2/3
    assert m["macro_f1"] == pytest.approx((2 / 3 + 1 + 2 / 3) / 3)
    assert -1 <= m["mcc"] <= 1 and 0 <= m["roc_auc"] <= 1
    np.testing.assert_array_equal(confusion_matrix(y, proba), [[1, 0, 0], [0, 1, 0], [1, 0, 1]])
    perfect = multiclass_metrics(np.array([0, 1, 2]), np.eye(3))
    assert perfect == {"accuracy": 1.0, "macro_f1": 1.0, "mcc": 1.0, "roc_auc": 1.0}
    # a class absent from the split (and never predicted) is not scored as F1 = 0
    absent = multiclass_metrics(np.array([0, 1, 0, 1]), np.eye(3)[[0, 1, 0, 1]])
    assert absent["macro_f1"] == 1.0 and absent["roc_auc"] == 1.0
    # ... but a class predicted and never true is a miss
    wrong = multiclass_metrics(np.array([0, 1, 0, 1]), np.eye(3)[[0, 1, 0, 2]])
    assert wrong["macro_f1"] == pytest.approx((1 + 2 / 3 + 0) / 3)


def test_multitask_metrics_per_task_and_mean():
    from genoviz.metrics import multitask_metrics

    y = np.array([[0, 1], [1, 0], [0, 1], [1, 0]])
    p = np.array([[0.1, 0.9], [0.9, 0.2], [0.2, 0.4], [0.7, 0.6]])
    m = multitask_metrics(y, p, ["JUND", "CTCF"])
    assert m["roc_auc_JUND"] == 1.0 and m["roc_auc_CTCF"] == pytest.approx(0.75)
    assert m["roc_auc"] == pytest.approx(0.875)
    assert math.isnan(multitask_metrics(np.zeros((3, 1)), np.ones((3, 1)))["roc_auc"])


def test_calibration_bins_match_scikit_learn_and_known_answers():
    from sklearn.calibration import calibration_curve

    rng = np.random.default_rng(0)
    p = rng.uniform(size=5000)
    p[:7] = [0.0, 0.1, 0.2, 0.5, 0.9, 1.0, 0.3]  # an edge goes to the lower bin
    y = (rng.uniform(size=5000) < p).astype(float)  # drawn at the stated probability
    cal = calibration(y, p, bins=10)
    observed, predicted = calibration_curve(y, p, n_bins=10, strategy="uniform")
    np.testing.assert_allclose(cal.predicted, predicted)
    np.testing.assert_allclose(cal.observed, observed)
    assert cal.counts.sum() == 5000 and len(cal.counts) == 10
    assert cal.ece < 0.03 and cal.brier == pytest.approx(np.mean((p - y) ** 2))
    assert "can be taken roughly at their word" in cal.summary()
    # Probabilities pushed up (as balancing class weights do): large ECE, read high.
    high = calibration(y, np.sqrt(p))
    assert high.ece > 0.1 and "its probabilities read high" in high.summary(weighted=True)
    assert "Training weighted the sequences unequally" in high.summary(weighted=True)
    # Two bins by hand: |0 - 0.1| over 2 sequences and |1 - 0.8| over 2: ECE 0.15.
    two = calibration([0, 0, 1, 1], [0.1, 0.1, 0.8, 0.8])
    assert two.predicted.tolist() == pytest.approx([0.1, 0.8]) and two.counts.tolist() == [2, 2]
    assert two.ece == pytest.approx(0.15) and two.positive_share == 0.5
    assert "read low" in calibration(y, p / 3).summary()
    assert "(here the average holds)" in cal.summary(weighted=True)  # weighted, no shift
    # The same average as the outcomes, but too extreme or too timid: said as such, not as
    # "high" or "low" (a browser check once read 0.49 against 50% as "read low").
    extreme = np.where(p > 0.5, (p + 1) / 2, p / 2)
    assert "over-confident" in calibration(y, extreme).summary()
    timid = 0.5 + (p - 0.5) / 3
    assert "under-confident" in calibration(y, timid).summary()
    flat = calibration([0, 1] * 50, [0.5] * 100).summary()
    assert "50.0% on average where 50.0%" in flat and "one bin" in flat


def test_calibration_on_few_sequences_says_it_cannot_tell():
    """100 sequences drawn at their stated probabilities stray by chance as far as a badly
    calibrated model: the verdict once called them over- or under-confident 162 times in
    200 draws."""
    rng = np.random.default_rng(3)
    verdicts = set()
    for _ in range(50):
        p = rng.uniform(size=100)
        verdicts.add(calibration((rng.uniform(size=100) < p).astype(float), p).verdict())
    assert verdicts == {"unclear"}
    p = rng.uniform(size=100)
    said = calibration((rng.uniform(size=100) < p).astype(float), p).summary()
    assert "with 100 sequences, a model with perfect probabilities would stray" in said
    # Rare positives, predicted 2.5 times too often: a shift, although the gap is small.
    p = rng.beta(0.5, 15, size=2000)
    y = (rng.uniform(size=2000) < p).astype(float)
    assert calibration(y, p).verdict() == "good" and calibration(y, 2.5 * p).verdict() == "high"


@pytest.mark.parametrize(
    ("y", "p", "message"),
    [
        ([[0, 1], [1, 0]], [[0.2, 0.9], [0.7, 0.1]], "one binary label"),
        ([0, 1, 1], [0.2, 0.9], "as many labels as predictions"),
        ([0, 1, 0.5], [0.2, 0.9, 0.4], "labels of 0 or 1"),
        ([0, 1], [-3.0, 2.0], "probabilities in \\[0, 1\\], not logits"),
        ([0, 1], [0.2, float("nan")], "not logits or NaN"),
    ],
)
def test_calibration_refuses_what_it_cannot_read(y, p, message):
    """Multi-task columns were pooled and logits clipped to a perfect score, silently."""
    with pytest.raises(ValueError, match=message):
        calibration(np.array(y), np.array(p))


def test_auc_difference_matches_sklearn_and_a_paired_bootstrap():
    """DeLong's paired test: the AUCs are sklearn's, the standard error agrees with a
    paired bootstrap over the sequences, and two copies of one score differ by 0."""
    from sklearn.metrics import roc_auc_score

    from genoviz.metrics import auc_difference

    rng = np.random.default_rng(0)
    y = (rng.random(600) < 0.2).astype(float)
    a = y * 0.8 + rng.normal(size=600)
    b = a + y * 0.3 + rng.normal(scale=0.7, size=600)  # correlated with a, and better
    d = auc_difference(y, a, b)
    assert d.auc_a == pytest.approx(roc_auc_score(y, a)) and d.auc_b == pytest.approx(
        roc_auc_score(y, b)
    )
    assert d.difference == pytest.approx(d.auc_b - d.auc_a)
    boot = []
    for _ in range(400):
        i = rng.integers(0, 600, 600)
        boot.append(roc_auc_score(y[i], b[i]) - roc_auc_score(y[i], a[i]))
    assert d.se == pytest.approx(np.std(boot), rel=0.2)
    assert d.p_value < 0.01
    same = auc_difference(y, a, a)
    assert same.difference == 0 and same.p_value == 1.0
    assert math.isnan(auc_difference(np.zeros(5), a[:5], b[:5]).se)  # one class
    with pytest.raises(ValueError, match="one output"):  # multi-class scores, say
        auc_difference(y, np.stack([a, b], axis=1), np.stack([b, a], axis=1))
