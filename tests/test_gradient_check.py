"""Gradient checking itself: rel_error, centred differences, and that a wrong
backward pass is caught."""
from __future__ import annotations

import numpy as np
import pytest

from nnlib import Dense, Network
from nnlib.gradient_check import (
    check_layer_gradients,
    check_network_gradients,
    derivative,
    format_gradient_report,
    numerical_gradient,
    numerical_gradient_array,
    rel_error,
)


def test_rel_error_basics():
    a = np.array([1.0, -2.0, 3.0])
    assert rel_error(a, a) == 0.0
    assert rel_error([1.0], [1.1]) == pytest.approx(0.1 / 2.1)
    assert rel_error([1.0, 100.0], [1.0, 101.0]) == pytest.approx(1 / 201)  # the worst entry counts
    assert rel_error([0.0], [0.0]) == 0.0
    assert rel_error([0.0], [1e-10]) == pytest.approx(1e-10 / 1e-8)  # tiny values: floor of 1e-8
    assert rel_error(np.zeros((0,)), np.zeros((0,))) == 0.0
    assert rel_error(np.float32(1.0), 1.0) == 0.0
    with pytest.raises(ValueError, match=r"shapes differ, \(3,\) vs \(2,\)"):
        rel_error(a, a[:2])


def test_numerical_gradient_of_sum_of_squares_is_2x():
    x = np.random.default_rng(0).standard_normal((3, 4))
    original = x.copy()
    calls = []

    def f():
        calls.append(1)
        return np.sum(x ** 2)

    grad = numerical_gradient(f, x)
    assert grad.shape == x.shape
    assert rel_error(grad, 2 * x) < 1e-9
    np.testing.assert_array_equal(x, original)  # every nudge undone
    assert len(calls) == 2 * x.size  # two evaluations per entry: centred differences


def test_numerical_gradient_is_centred():
    """For f(x) = x^3 the forward difference is off by about 3 x h; the centred one by h^2."""
    x = np.array([2.0])
    grad = numerical_gradient(lambda: float(x[0] ** 3), x, h=1e-3)
    assert grad[0] == pytest.approx(12.0, abs=2e-6)


def test_numerical_gradient_array_and_derivative():
    rng = np.random.default_rng(1)
    x, dout = rng.standard_normal((2, 3)), rng.standard_normal((2, 3))
    # d/dx sum(x^2 * dout) = 2 x dout
    assert rel_error(numerical_gradient_array(lambda: x ** 2, x, dout), 2 * x * dout) < 1e-8
    z = np.linspace(-3, 3, 13)
    assert rel_error(derivative(np.sin, z), np.cos(z)) < 1e-9


class ForgetfulDense(Dense):
    """A classic bug: backward ignores the activation's derivative."""

    def backward(self, dout):
        X, Z, A = self.cache
        self.grads["W"] = X.T @ dout
        self.grads["b"] = dout.sum(axis=0)
        return dout @ self.params["W"].T


class HalfBiasDense(Dense):
    """Another: the bias gradient averaged instead of summed over the batch... and halved."""

    def backward(self, dout):
        dX = super().backward(dout)
        self.grads["b"] = self.grads["b"] / 2
        return dX


def test_wrong_layer_gradient_is_detected():
    X = np.random.default_rng(2).standard_normal((5, 4))
    good = check_layer_gradients(Dense(4, 3, "tanh", seed=0), X)
    bad = check_layer_gradients(ForgetfulDense(4, 3, "tanh", seed=0), X)
    assert max(good.values()) < 1e-6
    assert bad["W"] > 1e-2 and bad["b"] > 1e-2 and bad["X"] > 1e-2


def test_wrong_network_gradient_is_detected_per_parameter():
    X = np.random.default_rng(3).standard_normal((6, 3))
    y = np.array([0, 1, 2, 0, 1, 2])
    net = Network([Dense(3, 5, "relu", seed=1), HalfBiasDense(5, 3, seed=2)], loss="softmax_cross_entropy")
    errors = check_network_gradients(net, X, y)
    assert errors["layer1.b"] > 0.1
    assert errors["layer1.W"] < 1e-6 and errors["layer0.W"] < 1e-6 and errors["layer0.b"] < 1e-6


def test_check_network_gradients_leaves_weights_alone_and_reports(capsys):
    X = np.random.default_rng(4).standard_normal((4, 3))
    y = np.array([0, 1, 1, 0])
    net = Network([Dense(3, 4, "tanh"), Dense(4, 1)], loss="sigmoid_cross_entropy", seed=0)
    before = [p.copy() for _, p, _ in net.parameters()]
    errors = check_network_gradients(net, X, y, verbose=True)
    for b, (_, p, _) in zip(before, net.parameters()):
        np.testing.assert_array_equal(b, p)
    out = capsys.readouterr().out
    assert "worst rel. error" in out
    assert all(key in out for key in errors) and "CHECK THIS" not in out


def test_format_gradient_report():
    text = format_gradient_report({"layer0.W": 3e-9, "layer0.b": 0.5})
    lines = text.splitlines()
    assert lines[1].startswith("layer0.W") and lines[1].endswith("ok")
    assert lines[2].startswith("layer0.b") and lines[2].endswith("CHECK THIS")
