"""The attribution methods (genoviz/interpret/attribution_methods.py): GradientShap's
known answer on a linear model, and Occlusion on a sequence shorter than its window."""

from __future__ import annotations

import numpy as np
import torch
from _interpret_toys import random_sequences

import models
from genoviz.interpret.attribution import attribute
from genoviz.onehot import one_hot


def test_gradient_shap_is_exact_for_a_linear_model_and_one_reference():
    """With one reference, grad is constant for a linear model: the map is w * (x - r)."""
    torch.manual_seed(1)
    net = models.get("linear", seq_len=20).eval()
    x = torch.as_tensor(one_hot(random_sequences(3, 20, seed=2)))
    r = attribute(net, x, method="gradient_shap", baseline="uniform")
    w = net.first_layer_filters()[0]
    with torch.no_grad():
        change = net(x)[:, 0] - net(torch.full_like(x, 0.25))[:, 0]
    np.testing.assert_allclose(r.attributions.sum((1, 2)), change.numpy(), rtol=1e-4, atol=1e-5)
    np.testing.assert_allclose(r.attributions, (w * (x - 0.25)).numpy(), atol=1e-5)


def test_occlusion_reads_a_sequence_shorter_than_its_window():
    net = models.get("cnn", seq_len=3).eval()
    r = attribute(net, ["ACG"], method="occlusion", baseline="zeros", occlusion_window=5)
    assert r.per_base.shape == (1, 3) and np.isfinite(r.per_base).all()
