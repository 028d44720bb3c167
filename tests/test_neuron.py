"""One neuron: the weighted sum on one sample and on a batch, activations, classification."""
from __future__ import annotations

import numpy as np
import pytest

from nnlib import Dense, InputError, Neuron, ShapeError, weighted_sum
from nnlib.activations import sigmoid


def test_weighted_sum_one_sample():
    # z = 0.5 * 1 + (-1) * 2 + 0.25 = -1.25
    z = weighted_sum([1.0, 2.0], [0.5, -1.0], 0.25)
    assert np.ndim(z) == 0 and z == -1.25


def test_weighted_sum_batch_equals_each_sample():
    rng = np.random.default_rng(0)
    X, w = rng.standard_normal((5, 3)), rng.standard_normal(3)
    z = weighted_sum(X, w, -0.5)
    assert z.shape == (5,)
    np.testing.assert_allclose(z, [weighted_sum(x, w, -0.5) for x in X])
    np.testing.assert_allclose(z, [sum(wi * xi for wi, xi in zip(w, x)) - 0.5 for x in X])


@pytest.mark.parametrize("x, w, message", [
    ([1.0, 2.0, 3.0], [0.5, -1.0], r"expected x of shape \(2,\) or \(batch, 2\) to match 2 weights, got \(3,\)"),
    (np.zeros((4, 3)), [0.5, -1.0], r"got \(4, 3\)"),
    (np.zeros((2, 2, 2)), [0.5, -1.0], r"got \(2, 2, 2\)"),
    ([1.0, 2.0], [[0.5, -1.0]], r"expected weights of shape \(n,\), got \(1, 2\)"),
    (3.0, [0.5], r"got \(\)"),
])
def test_weighted_sum_shape_errors(x, w, message):
    with pytest.raises(ShapeError, match=message):
        weighted_sum(x, w, 0.0)


def test_neuron_forward_one_sample_and_batch():
    n = Neuron([1.0, -2.0], 0.5, "sigmoid")
    a = n.forward([3.0, 1.0])  # sigma(3 - 2 + 0.5)
    assert isinstance(a, float) and a == pytest.approx(1 / (1 + np.exp(-1.5)))
    X = np.array([[3.0, 1.0], [0.0, 0.0], [-1.0, 1.0]])
    batch = n(X)
    assert batch.shape == (3,)
    np.testing.assert_allclose(batch, sigmoid(np.array([1.5, 0.5, -2.5])))
    assert n.weighted_sum([3.0, 1.0]) == 1.5


def test_neuron_matches_a_one_unit_dense_layer():
    rng = np.random.default_rng(1)
    w, X = rng.standard_normal(4), rng.standard_normal((6, 4))
    layer = Dense(4, 1, "tanh")
    layer.params["W"][:, 0] = w
    layer.params["b"][:] = 0.3
    np.testing.assert_allclose(Neuron(w, 0.3, "tanh").forward(X), layer.forward(X)[:, 0])


@pytest.mark.parametrize("activation, threshold", [("sigmoid", 0.5), ("step", 0.5), ("tanh", 0.0),
                                                   ("identity", 0.0), ("relu", None)])
def test_classify_default_is_z_at_least_zero(activation, threshold):
    """By default class 1 is where z = w.x + b >= 0, the same as the output reaching g(0)
    (0.5 for sigmoid and step, 0 for tanh and identity); ReLU, never below 0, needs the z test."""
    n = Neuron([1.0, -1.0], 0.25, activation)
    X = np.array([[-0.5, 0.0], [0.0, 0.25], [0.0, 0.0], [1.0, 2.0], [3.0, 1.0]])  # z: -0.25, 0, 0.25, -0.75, 2.25
    labels = n.classify(X)
    assert labels.dtype == np.int64
    np.testing.assert_array_equal(labels, [0, 1, 1, 0, 1])
    if threshold is not None:
        np.testing.assert_array_equal(labels, n.classify(X, threshold=threshold))


def test_classify_custom_threshold_and_one_sample():
    n = Neuron([1.0, 1.0], 0.0, "sigmoid")
    X = np.array([[1.0, 0.0], [0.2, 0.2], [-1.0, -1.0]])  # sigma: 0.73, 0.60, 0.12
    np.testing.assert_array_equal(n.classify(X, threshold=0.65), [1, 0, 0])
    assert int(n.classify([1.0, 0.0])) == 1
    assert int(n.classify([-1.0, -1.0])) == 0


def test_neuron_checks_its_parameters():
    with pytest.raises(InputError, match="weights and bias must be finite"):
        Neuron([1.0, np.nan])
    with pytest.raises(InputError, match="finite"):
        Neuron([1.0], b=np.inf)
    with pytest.raises(ValueError, match="unknown activation"):
        Neuron([1.0], 0.0, "sigmoidal")
    with pytest.raises(ShapeError):
        Neuron([1.0, 2.0]).forward([1.0, 2.0, 3.0])
    assert repr(Neuron([1.0, 2.0], 0.5, "tanh")) == "Neuron(w=[1.0, 2.0], b=0.5, activation='tanh')"
