"""Exercises of lesson 5, gradient descent."""
from __future__ import annotations

import numpy as np

from nnlib.gradient_check import numerical_gradient
from . import reference as ref
from nnlib.checks.core import Case, Exercise, Mistake
from nnlib.checks.runner import Recipe

LESSON = "05_gradient_descent"


def _step_cases():
    rng = np.random.default_rng(51)
    return [
        Case((np.array([1.0, -2.0]), np.array([0.5, 0.5]), 0.1)),
        Case((rng.normal(size=(3, 2)), rng.normal(size=(3, 2)), 0.01), note="a weight matrix"),
        Case((np.array([3.0]), np.array([-4.0]), 1.0), hidden=True),
        Case((rng.normal(size=5), np.zeros(5), 0.5), hidden=True, note="a zero gradient: nothing moves"),
    ]


def _minimize_cases():
    A = np.array([[3.0, 0.5], [0.5, 1.0]])
    b = np.array([1.0, -2.0])
    return [
        Case((Recipe("quadratic_grad", A, b), np.array([0.0, 0.0]), 0.1, 50),
             note="the bowl f(x) = x^T A x / 2 - b^T x, 50 steps"),
        Case((Recipe("parabola_grad", np.array([2.0, -1.0, 0.5])), np.array([0.0, 0.0, 0.0]), 0.25, 3),
             note="f(x) = sum (x - c)^2 with c = [2, -1, 0.5], 3 steps"),
        Case((Recipe("parabola_grad", np.array([1.0])), np.array([5.0]), 0.1, 0),
             note="0 steps: the values of x0, in a new array (not x0 itself)"),
        Case((Recipe("quadratic_grad", A, b), np.array([4.0, 4.0]), 0.6, 7), hidden=True,
             note="a large learning rate"),
    ]


def _linreg_cases():
    rng = np.random.default_rng(52)
    X = rng.normal(size=(8, 3))
    return [
        Case((X, X @ np.array([1.0, -2.0, 0.5]) + 0.3, np.zeros(3), 0.0), note="8 samples, 3 features, w = 0"),
        Case((rng.normal(size=(5, 2)), rng.normal(size=5), rng.normal(size=2), 0.7)),
        Case((rng.normal(size=(1, 4)), rng.normal(size=1), rng.normal(size=4), -1.0), hidden=True,
             note="one sample"),
        Case((rng.normal(size=(6, 1)), rng.normal(size=6), np.array([2.0]), 0.5), hidden=True,
             note="one feature"),
    ]


def _linreg_fd(X, y, w, b):
    w = np.array(w, dtype=float)
    bb = np.array([b], dtype=float)
    dw = numerical_gradient(lambda: ref.linear_regression_cost(X, y, w, bb[0]), w)
    db = numerical_gradient(lambda: ref.linear_regression_cost(X, y, w, bb[0]), bb)[0]
    return dw, db


def _fit_cases():
    rng = np.random.default_rng(53)
    X = rng.normal(size=(30, 2))
    y = X @ np.array([2.0, -1.0]) + 0.5 + 0.1 * rng.normal(size=30)
    X2 = rng.normal(size=(20, 3))
    X1 = rng.normal(size=(12, 1))
    return [
        Case((X1, 3.0 * X1[:, 0] - 1.0, 0.2, 20), note="one feature, 12 samples, 20 epochs"),
        Case((X, y, 0.1, 100), note="30 samples, 2 features, 100 epochs"),
        Case((X2, X2 @ np.array([0.5, 0.0, -1.5]) - 2.0, 0.05, 10), note="10 epochs"),
        Case((X, y, 0.5, 1), hidden=True, note="a single epoch"),
    ]


def _fit_off_by_one(X, y, lr, epochs):
    return ref.fit_linear(X, y, lr, epochs + 1)


def _fit_b_with_dw(X, y, lr, epochs):
    w, b = np.zeros(X.shape[1]), 0.0
    for _ in range(epochs):
        dw, db = ref.linear_regression_gradient(X, y, w, b)
        w, b = w - lr * dw, b - lr * dw
    return w, b


def _fit_ascent(X, y, lr, epochs):
    w, b = np.zeros(X.shape[1]), 0.0
    for _ in range(epochs):
        dw, db = ref.linear_regression_gradient(X, y, w, b)
        w, b = w + lr * dw, b + lr * db
    return w, b


EXERCISES = [
    Exercise(
        "gradient_descent_step", LESSON, 1, _step_cases, reference=ref.gradient_descent_step,
        arg_names=["w", "grad", "learning_rate"], pure=True,
        mistakes=[
            Mistake("Step against the gradient, not along it: the gradient points uphill.",
                    lambda w, g, lr: w + lr * g),
            Mistake("Scale the step by the learning rate.",
                    lambda w, g, lr: w - g),
        ],
        hint="One step against the gradient, scaled by the learning rate, in a new array (leave w as "
             "it is)."),
    Exercise(
        "minimize", LESSON, 2, _minimize_cases, reference=ref.minimize,
        arg_names=["grad_f", "x0", "learning_rate", "steps"], pure=True,
        uses={"gradient_descent_step": "nnlib_grader.exercises.reference.gradient_descent_step"},
        mistakes=[
            Mistake("Take exactly `steps` steps: one fewer than that here.",
                    lambda g, x0, lr, s: ref.minimize(g, x0, lr, max(s - 1, 0))),
            Mistake("Take exactly `steps` steps: one more than that here.",
                    lambda g, x0, lr, s: ref.minimize(g, x0, lr, s + 1)),
            Mistake("Step against the gradient (x - learning_rate * grad_f(x)): you climbed.",
                    lambda g, x0, lr, s: ref.minimize(g, x0, -lr, s)),
        ],
        hint="From a copy of x0, exactly `steps` steps, each against the gradient at the current x."),
    Exercise(
        "linear_regression_gradient", LESSON, 2, _linreg_cases, reference=ref.linear_regression_gradient,
        arg_names=["X", "y", "w", "b"], output_names=["dw", "db"], gradient=_linreg_fd,
        mistakes=[
            Mistake("Divide by n: the cost is a mean over the samples, so are its gradients.",
                    lambda X, y, w, b: (X.T @ (X @ w + b - y), float(np.sum(X @ w + b - y)))),
            Mistake("The residual is prediction minus target (not target minus prediction): your sign is flipped.",
                    lambda X, y, w, b: tuple(-np.asarray(v) for v in ref.linear_regression_gradient(X, y, w, b))),
            Mistake("db is the mean of the residuals (not their sum).",
                    lambda X, y, w, b: (ref.linear_regression_gradient(X, y, w, b)[0], float(np.sum(X @ w + b - y)))),
        ],
        hint="Residuals are prediction minus target; both gradients are averages over the samples."),
    Exercise(
        "fit_linear", LESSON, 2, _fit_cases, reference=ref.fit_linear,
        arg_names=["X", "y", "learning_rate", "epochs"], output_names=["w", "b"], rtol=1e-5, atol=1e-8,
        uses={"linear_regression_gradient": "nnlib_grader.exercises.reference.linear_regression_gradient",
              "gradient_descent_step": "nnlib_grader.exercises.reference.gradient_descent_step"},
        mistakes=[
            Mistake("Run exactly `epochs` updates.", _fit_off_by_one),
            Mistake("b is updated with dw, the weights' gradient: b moves with its own gradient db "
                    "(one number), w with dw.", _fit_b_with_dw),
            Mistake("Subtract the gradient: w - learning_rate * dw (you climbed the cost).", _fit_ascent),
        ],
        hint="Start from zeros, do exactly `epochs` full-batch updates, w with its gradient and b with "
             "its own."),
]
