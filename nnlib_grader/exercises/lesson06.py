"""Exercises of lesson 6, backpropagation."""
from __future__ import annotations

import numpy as np

from nnlib import activations as act
from nnlib.gradient_check import numerical_gradient
from . import reference as ref
from nnlib.checks.core import Case, Exercise, Mistake
from nnlib.checks.runner import Recipe

LESSON = "06_backpropagation"


def _sigmoid_backward_cases():
    rng = np.random.default_rng(61)
    r = rng.normal
    return [
        Case((r(size=(3, 2)), r(size=(3, 2))), note="a (3, 2) layer"),
        Case((r(size=(4, 4)), r(size=(4, 4)) * 3), note="a square layer"),
        Case((np.ones((1, 3)), np.array([[0.0, 10.0, -10.0]])), hidden=True,
             note="saturated units pass almost nothing back"),
    ]


def _sigmoid_backward_fd(dA, Z):
    Z = np.array(Z, dtype=float)
    return numerical_gradient(lambda: float(np.sum(dA * act.sigmoid(Z))), Z)


def _affine_backward_cases():
    rng = np.random.default_rng(62)
    r = rng.normal
    return [
        Case((r(size=(4, 2)), r(size=(4, 3)), r(size=(3, 2))), note="4 samples, 3 inputs, 2 outputs"),
        Case((r(size=(1, 5)), r(size=(1, 2)), r(size=(2, 5))), note="one sample"),
        Case((r(size=(3, 3)), r(size=(3, 3)), r(size=(3, 3))), hidden=True,
             note="square matrices: a transposed gradient has the right shape but wrong values"),
        Case((r(size=(6, 1)), r(size=(6, 4)), r(size=(4, 1))), hidden=True, note="one output"),
    ]


def _affine_backward_fd(dZ, X, W):
    X, W = np.array(X, dtype=float), np.array(W, dtype=float)
    b = np.zeros(W.shape[1])
    f = lambda: ref.affine_objective(dZ, X, W, b)
    return numerical_gradient(f, X), numerical_gradient(f, W), numerical_gradient(f, b)


def _network_cases():
    rng = np.random.default_rng(63)
    r = rng.normal
    return [
        Case((r(size=(5, 3)), rng.integers(0, 2, size=5), r(size=(3, 4)), r(size=4),
              r(size=(4, 2)), r(size=2)), note="5 samples, 3 inputs, 4 hidden units, 2 classes"),
        Case((r(size=(4, 2)), rng.integers(0, 3, size=4), r(size=(2, 3)), r(size=3),
              r(size=(3, 3)), r(size=3)), note="3 classes"),
        Case((r(size=(1, 4)), np.array([2]), r(size=(4, 2)), r(size=2), r(size=(2, 3)), r(size=3)),
             hidden=True, note="one sample"),
    ]


def _network_fd(X, y, W1, b1, W2, b2):
    params = [np.array(p, dtype=float) for p in (W1, b1, W2, b2)]
    f = lambda: ref.network_loss(X, y, *params)
    return tuple(numerical_gradient(f, p) for p in params)


def _network_no_sigmoid_prime(X, y, W1, b1, W2, b2):
    Z1 = X @ W1 + b1
    A1 = act.sigmoid(Z1)
    d2 = ref.softmax_cross_entropy_gradient(A1 @ W2 + b2, y)
    dA1, dW2, db2 = ref.affine_backward(d2, A1, W2)
    _, dW1, db1 = ref.affine_backward(dA1, X, W1)
    return dW1, db1, dW2, db2


def _network_prime_of_a(X, y, W1, b1, W2, b2):
    Z1 = X @ W1 + b1
    A1 = act.sigmoid(Z1)
    d2 = ref.softmax_cross_entropy_gradient(A1 @ W2 + b2, y)
    dA1, dW2, db2 = ref.affine_backward(d2, A1, W2)
    _, dW1, db1 = ref.affine_backward(dA1 * act.sigmoid_prime(A1), X, W1)
    return dW1, db1, dW2, db2


def _network_summed(X, y, W1, b1, W2, b2):
    return tuple(g * X.shape[0] for g in ref.network_backward(X, y, W1, b1, W2, b2))


def _numgrad_cases():
    A = np.array([[2.0, 0.5, 0.0], [0.5, 1.0, 0.3], [0.0, 0.3, 1.5]])
    return [
        Case((Recipe("sum_sin_sq"), np.array([0.5, -1.0, 2.0]), 1e-5), note="f(x) = sum(sin(x) * x**2)"),
        Case((Recipe("quadratic", A, np.array([1.0, 0.0, -1.0])), np.array([[1.0, 2.0, 3.0]]).ravel(), 1e-3),
             note="f(x) = x^T A x / 2 - b^T x, h = 1e-3"),
        Case((Recipe("sum_sin_sq"), np.array([[0.3, -0.7], [1.2, 2.0]]), 1e-4), note="x of shape (2, 2)"),
        Case((Recipe("log_sum_exp"), np.array([1.0, 2.0, 3.0, 4.0]), 1e-2), hidden=True,
             note="f(x) = log(sum(exp(x))), h = 1e-2"),
    ]


def _forward_difference(f, x, h):
    x = np.array(x, dtype=float)
    grad = np.zeros_like(x)
    fx = f(x)
    for i in np.ndindex(x.shape):
        xp = x.copy()
        xp[i] += h
        grad[i] = (f(xp) - fx) / h
    return grad


def _rel_cases():
    rng = np.random.default_rng(64)
    a = rng.normal(size=(3, 4))
    return [
        Case((np.array([1.0, 2.0, 3.0]), np.array([1.0, 2.0, 3.3])), note="one entry differs"),
        Case((a, a + 1e-7 * rng.normal(size=(3, 4))), note="a tiny difference"),
        Case((np.array([0.0, 1.0]), np.array([0.0, 1.0])),
             note="zeros in both: no division by zero (the text's 1e-8 guard)"),
        Case((np.array([-1.0, 2.0]), np.array([1.0, 2.0])), hidden=True, note="opposite signs"),
    ]


EXERCISES = [
    Exercise(
        "sigmoid_backward", LESSON, 1, _sigmoid_backward_cases, reference=ref.sigmoid_backward,
        arg_names=["dA", "Z"], gradient=_sigmoid_backward_fd, output_names=["dZ"],
        mistakes=[
            Mistake("Multiply by the derivative sigmoid_prime(Z), not by sigmoid(Z) itself.",
                    lambda dA, Z: dA * act.sigmoid(Z)),
            Mistake("The chain rule multiplies entry by entry (dA * g'(Z)), not as matrices.",
                    lambda dA, Z: dA @ act.sigmoid_prime(Z)),
            Mistake("Multiply the derivative by the upstream gradient dA, entry by entry.",
                    lambda dA, Z: act.sigmoid_prime(Z)),
        ],
        hint="The chain rule through an elementwise activation multiplies entry by entry by its "
             "derivative at Z."),
    Exercise(
        "affine_backward", LESSON, 3, _affine_backward_cases, reference=ref.affine_backward,
        arg_names=["dZ", "X", "W"], output_names=["dX", "dW", "db"], gradient=_affine_backward_fd,
        mistakes=[
            Mistake("dW is transposed: it must have W's shape (n_in, n_out); swap the order of the product and the transposes.",
                    lambda dZ, X, W: (dZ @ W.T, dZ.T @ X, dZ.sum(axis=0))),
            Mistake("db is a sum over the batch (dZ.sum(axis=0)): you averaged it. The 1/n of the "
                    "cost is already inside dZ.", lambda dZ, X, W: (dZ @ W.T, X.T @ dZ, dZ.mean(axis=0))),
            Mistake("dX must have X's shape (batch, n_in): you multiplied by W without its transpose.",
                    lambda dZ, X, W: (dZ @ W, X.T @ dZ, dZ.sum(axis=0))),
            Mistake("db sums over the batch axis (axis=0), one entry per output.",
                    lambda dZ, X, W: (dZ @ W.T, X.T @ dZ, dZ.sum())),
        ],
        hint="Each gradient has the shape of what it belongs to: compare the shapes of dX, dW and db "
             "with X, W and b; the bias gradient sums over the batch."),
    Exercise(
        "network_backward", LESSON, 3, _network_cases, reference=ref.network_backward,
        arg_names=["X", "y", "W1", "b1", "W2", "b2"], output_names=["dW1", "db1", "dW2", "db2"],
        gradient=_network_fd,
        uses={"affine_backward": "nnlib_grader.exercises.reference.affine_backward",
              "sigmoid_backward": "nnlib_grader.exercises.reference.sigmoid_backward"},
        mistakes=[
            Mistake("Going back through the hidden layer, multiply by sigmoid_prime(Z1) "
                    "(the chain rule through the activation).", _network_no_sigmoid_prime),
            Mistake("The sigmoid's derivative is evaluated at Z1 (the activation's input), not A1 (its output).", _network_prime_of_a),
            Mistake("The output gradient is (softmax(Z2) - Y) / n: divide by n, the cost is an average.",
                    _network_summed),
        ],
        hint="Forward first, keeping each layer's Z and A; then from the output back: the output "
             "gradient averaged over the batch, through the second layer, the sigmoid at Z1, and the "
             "first layer."),
    Exercise(
        "numerical_gradient", LESSON, 2, _numgrad_cases, reference=ref.numerical_gradient,
        arg_names=["f", "x", "h"], pure=True, rtol=1e-7, atol=1e-9,
        mistakes=[
            Mistake("Use centred differences (f(x + h) - f(x - h)) / 2h: the one-sided "
                    "(f(x + h) - f(x)) / h is much less accurate.", _forward_difference),
            Mistake("Divide by 2h: the two nudged points are 2h apart.",
                    lambda f, x, h: 2 * ref.numerical_gradient(f, x, h)),
        ],
        hint="Centred differences, one entry at a time, on copies of x: nudge up by h and down by h "
             "and divide the change of f by 2h."),
    Exercise(
        "rel_error", LESSON, 1, _rel_cases, reference=ref.rel_error, arg_names=["a", "b"],
        mistakes=[
            Mistake("Take the largest relative error (np.max), not the mean.",
                    lambda a, b: float(np.mean(np.abs(a - b) / np.maximum(1e-8, np.abs(a) + np.abs(b))))),
            Mistake("Use absolute values in the denominator: |a| + |b|.",
                    lambda a, b: float(np.max(np.abs(a - b) / np.maximum(1e-8, np.abs(a + b))))),
        ],
        hint="Elementwise |a - b| over the sum of the absolute values (at least 1e-8), then the "
             "largest of them."),
]
