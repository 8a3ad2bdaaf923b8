"""The kept-epoch rule and the weight average, with answers worked out by hand."""

import math

import numpy as np
import pytest
import torch
from torch import nn

from genoviz.keep import KeepRule, WeightAverage, standard_error

BALANCED = np.array([1] * 50 + [0] * 50, dtype=np.float32)


def test_hanley_mcneil_standard_error_of_roc_auc():
    # A = 0.8, 50 positives, 50 negatives: Q1 = 0.8/1.2, Q2 = 2*0.64/1.8,
    # var = (0.16 + 49 (Q1 - 0.64) + 49 (Q2 - 0.64)) / 2500 = 0.0019804.
    assert standard_error("roc_auc", 0.8, BALANCED) == pytest.approx(0.044502, abs=1e-5)
    # More data, smaller error; column labels (n, 1) read like (n,).
    assert standard_error("roc_auc", 0.8, np.tile(BALANCED, 4)[:, None]) < 0.0445 / 1.9


def test_fisher_z_standard_error_of_pearson():
    y = np.linspace(0, 1, 28)
    assert standard_error("pearson", 0.5, y) == pytest.approx(0.75 / 5)


@pytest.mark.parametrize(
    ("metric", "value", "y"),
    [
        ("roc_auc", 0.8, np.ones(20)),  # one class only
        ("roc_auc", math.nan, BALANCED),
        ("roc_auc", 0.8, np.stack([BALANCED, BALANCED], 1)),  # multi-task
        ("pr_auc", 0.8, BALANCED),
        ("pearson", 0.5, np.arange(3.0)),
    ],
)
def test_no_standard_error_where_none_applies(metric, value, y):
    assert standard_error(metric, value, y) == 0.0


def test_keeps_the_latest_epoch_within_one_standard_error_of_the_top():
    rule = KeepRule("roc_auc", BALANCED, within_se=1.0)
    # SE at the top score 0.80 is 0.0445, so anything from 0.7555 up is kept.
    kept = [rule.judge(e, s, 0.5) for e, s in enumerate([0.70, 0.80, 0.78, 0.70, 0.76], 1)]
    assert kept == [True, True, True, False, True]
    assert (rule.best_epoch, rule.best_score, rule.top_score) == (5, 0.76, 0.80)


def test_within_zero_keeps_only_a_new_top_score():
    rule = KeepRule("roc_auc", BALANCED, within_se=0.0)
    kept = [rule.judge(e, s, 0.5) for e, s in enumerate([0.70, 0.80, 0.78, 0.80], 1)]
    assert kept == [True, True, False, True]
    assert rule.best_epoch == 4


def test_without_a_finite_score_the_lowest_loss_is_kept_until_a_score_appears():
    rule = KeepRule("roc_auc", BALANCED)
    assert rule.judge(1, math.nan, 0.7)
    assert not rule.judge(2, math.nan, 0.8)
    assert rule.judge(3, math.nan, 0.6)
    assert rule.judge(4, 0.6, 0.9)  # a finite score beats any loss
    assert not rule.judge(5, math.nan, 0.1)  # and then a lost score never wins
    assert rule.best_epoch == 4


def test_counters_survive_a_json_round_trip_and_restore():
    import json

    fresh = KeepRule("roc_auc", BALANCED)
    state = json.loads(json.dumps(fresh.counters(), allow_nan=False))  # infinities -> null
    other = KeepRule("roc_auc", BALANCED)
    other.judge(1, 0.9, 0.3)
    other.restore(state)
    assert (other.best_epoch, other.best_score, other.best_loss, other.top_score) == (
        0,
        -math.inf,
        math.inf,
        -math.inf,
    )
    fresh.judge(1, 0.8, 0.4)
    fresh.judge(2, 0.7, 0.5)
    other.restore(json.loads(json.dumps(fresh.counters())))
    assert (
        other.counters()
        == fresh.counters()
        == {
            "best_epoch": 1,
            "best_score": 0.8,
            "best_loss": 0.4,
            "top_score": 0.8,
        }
    )


def test_weight_average_is_the_plain_mean_for_a_half_life_then_exponential():
    model = nn.BatchNorm1d(1)  # one weight and running-stat buffers
    avg = WeightAverage(model, half_life_steps=2.0)  # rate 1 - 0.5 ** 0.5 = 0.293
    rate = 1 - 0.5**0.5
    expected = None
    for step, value in enumerate([1.0, 3.0, 8.0, 4.0], 1):
        with torch.no_grad():
            model.weight.fill_(value)
            model.running_mean.fill_(value)
        avg.update()
        r = max(rate, 1.0 / step)
        expected = value if expected is None else expected + r * (value - expected)
        assert avg.model.weight.item() == pytest.approx(expected)
        assert avg.model.running_mean.item() == value  # buffers are copied, not averaged
    # Steps 1-3 are the plain mean, (1 + 3 + 8) / 3 = 4, as 1/step > rate; step 4 adds a 4.
    assert expected == pytest.approx(4.0)
    assert avg.steps == 4
    assert model.weight.item() == 4.0  # the source model is untouched
