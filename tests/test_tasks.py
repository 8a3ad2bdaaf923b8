import numpy as np
import pytest
import torch

from genoviz.tasks import TaskError, check_trainable, metrics_for, per_sample_loss, to_predictions


def test_multiclass_loss_is_cross_entropy_per_sample():
    out = torch.tensor([[2.0, 0.0, 0.0], [0.0, 0.0, 0.0]])
    y = torch.tensor([[0.0], [2.0]])
    loss = per_sample_loss("multiclass", out, y)
    expected = -torch.log_softmax(out, 1)[[0, 1], [0, 2]]
    torch.testing.assert_close(loss, expected)


def test_binary_and_multitask_losses_average_over_tasks():
    out = torch.zeros(3, 2)
    y = torch.tensor([[0.0, 1.0], [1.0, 1.0], [0.0, 0.0]])
    torch.testing.assert_close(
        per_sample_loss("multitask-binary", out, y), torch.full((3,), np.log(2))
    )
    assert per_sample_loss("regression", torch.ones(2, 1), torch.zeros(2, 1)).tolist() == [1.0, 1.0]


def test_predictions_per_task():
    out = torch.tensor([[0.0, 0.0], [10.0, -10.0]])
    p = to_predictions("multiclass", out)
    np.testing.assert_allclose(p.sum(1), 1.0, rtol=1e-6)
    assert p.shape == (2, 2) and p[1, 0] > 0.99
    assert to_predictions("multitask-binary", out).shape == (2, 2)
    assert to_predictions("binary", torch.zeros(4, 1)).tolist() == [0.5] * 4
    assert to_predictions("regression", torch.ones(2, 1)).shape == (2,)


def test_metrics_for_names_the_tasks():
    y = np.array([[0, 1], [1, 0], [0, 1], [1, 0]])
    m = metrics_for("multitask-binary", y, y.astype(float), ["JUND", "CTCF"])
    assert m["roc_auc_JUND"] == 1.0 and m["roc_auc"] == 1.0


def test_lm_is_not_trainable_here():
    check_trainable("multiclass")
    with pytest.raises(TaskError, match="pretraining"):
        check_trainable("lm")


def test_multitask_positive_weights_balance_each_task_and_are_capped():
    from genoviz.tasks import MAX_POS_WEIGHT, positive_weights

    y = np.zeros((1000, 3), np.float32)
    y[:100, 0] = 1  # 10% positives: weight 9
    y[:500, 1] = 1  # balanced: weight 1
    y[:2, 2] = 1  # 2 in 1000: capped
    pw = positive_weights("multitask-binary", y)
    np.testing.assert_allclose(pw, [9.0, 1.0, MAX_POS_WEIGHT])
    assert positive_weights("binary", y[:, :1]) is None


def test_positive_weights_scale_only_the_positive_terms_of_the_loss():
    import torch

    from genoviz.tasks import per_sample_loss

    out = torch.zeros((2, 2))
    y = torch.tensor([[1.0, 0.0], [0.0, 0.0]])
    plain = per_sample_loss("multitask-binary", out, y)
    weighted = per_sample_loss("multitask-binary", out, y, torch.tensor([4.0, 4.0]))
    # row 0: one positive term (x4) and one negative; row 1: negatives only (unchanged)
    assert float(weighted[0]) == pytest.approx(float(plain[0]) * 5 / 2)
    assert float(weighted[1]) == pytest.approx(float(plain[1]))
