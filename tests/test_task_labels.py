import numpy as np
import pytest

from genoviz.data.task_labels import class_weights, infer_task


def test_class_weights_balance_the_classes_like_the_book():
    y = np.r_[np.ones(146), np.zeros(34527 - 146)]
    w = class_weights(y)
    assert w[y == 1].sum() == pytest.approx(w[y == 0].sum(), rel=1e-5)
    assert w[0] == pytest.approx(118.2, abs=0.1) and w[-1] == pytest.approx(0.502, abs=1e-3)


def test_infer_task():
    assert infer_task(np.array([0, 1, 1.0])) == "binary"
    assert infer_task(np.array([0.1, 0.9])) == "regression"
    assert infer_task(np.array([[0, 1], [1, 1]])) == "multitask-binary"


def test_multiclass_numbers_without_gaps():
    """Labels 0, 1, 3 trained silently with a class-2 output that no sequence taught."""
    from genoviz.data.task_labels import class_numbering_problem

    assert class_numbering_problem(np.array([0, 1, 2, 1])) is None
    problem = class_numbering_problem(np.array([0, 1, 3, 3, 5]))
    assert "no label here is 2, 4" in problem and "renumber" in problem
