"""Exercises of lesson 8, training better: momentum, Adam, L2, dropout, He initialisation, early stopping."""
from __future__ import annotations

import numpy as np

from nnlib.gradient_check import numerical_gradient
from . import reference as ref
from nnlib.checks.core import Case, Exercise, Mistake, Problem, num, type_name
from nnlib.checks.runner import Recipe

from nnlib.checks.verifiers import _verify_dropout, _verify_he

LESSON = "08_training_better"


def _momentum_cases():
    rng = np.random.default_rng(81)
    r = rng.normal
    return [
        Case((np.array([1.0, -1.0]), np.array([0.5, 0.2]), np.zeros(2), 0.1, 0.9), note="the first step: v = 0"),
        Case((r(size=(3, 2)), r(size=(3, 2)), r(size=(3, 2)) * 0.1, 0.05, 0.9), note="a step with velocity"),
        Case((r(size=4), r(size=4), r(size=4), 0.5, 0.0), hidden=True, note="momentum 0: plain SGD"),
        Case((r(size=(2, 2)), np.zeros((2, 2)), r(size=(2, 2)), 0.1, 0.5), hidden=True,
             note="no gradient: the velocity alone moves w"),
    ]


def _momentum_pytorch(w, dw, v, lr, mu):
    v = mu * v + dw
    return w - lr * v, v


def _momentum_old_v(w, dw, v, lr, mu):
    return w + v, mu * v - lr * dw


def _adam_cases():
    rng = np.random.default_rng(82)
    r = rng.normal
    return [
        Case((np.array([1.0, -2.0]), np.array([0.1, -0.3]), np.zeros(2), np.zeros(2), 1, 0.001, 0.9, 0.999, 1e-8),
             note="the first step (t = 1) from m = v = 0"),
        Case((r(size=(2, 3)), r(size=(2, 3)), r(size=(2, 3)) * 0.1, np.abs(r(size=(2, 3))) * 0.01, 5,
              0.01, 0.9, 0.999, 1e-8), note="step t = 5"),
        Case((r(size=3), r(size=3) * 1e-4, np.zeros(3), np.zeros(3), 1, 0.1, 0.9, 0.999, 1e-4),
             note="tiny gradients, epsilon 1e-4: where epsilon goes matters"),
        Case((r(size=4), r(size=4), r(size=4) * 0.1, np.abs(r(size=4)) * 0.1, 100, 0.001, 0.8, 0.99, 1e-8),
             hidden=True, note="t = 100, other betas"),
    ]


def _adam_no_correction(w, dw, m, v, t, lr, b1, b2, eps):
    m = b1 * m + (1 - b1) * dw
    v = b2 * v + (1 - b2) * dw ** 2
    return w - lr * m / (np.sqrt(v) + eps), m, v


def _adam_eps_inside(w, dw, m, v, t, lr, b1, b2, eps):
    m = b1 * m + (1 - b1) * dw
    v = b2 * v + (1 - b2) * dw ** 2
    return w - lr * (m / (1 - b1 ** t)) / np.sqrt(v / (1 - b2 ** t) + eps), m, v


def _adam_no_sqrt(w, dw, m, v, t, lr, b1, b2, eps):
    m = b1 * m + (1 - b1) * dw
    v = b2 * v + (1 - b2) * dw ** 2
    return w - lr * (m / (1 - b1 ** t)) / (v / (1 - b2 ** t) + eps), m, v


def _adam_dw_not_squared(w, dw, m, v, t, lr, b1, b2, eps):
    m = b1 * m + (1 - b1) * dw
    v = b2 * v + (1 - b2) * np.abs(dw)
    return w - lr * (m / (1 - b1 ** t)) / (np.sqrt(v / (1 - b2 ** t)) + eps), m, v


def _l2_cases():
    rng = np.random.default_rng(83)
    r = rng.normal
    return [
        Case(([np.array([[1.0, -2.0], [0.5, 0.0]])], 0.1), note="one weight matrix"),
        Case(([r(size=(3, 4)), r(size=(4, 2))], 0.01), note="two layers"),
        Case(([r(size=(2, 2)), r(size=(2, 5)), r(size=(5, 1))], 0.0), hidden=True, note="lambda = 0"),
    ]


def _l2_grad_cases():
    rng = np.random.default_rng(84)
    r = rng.normal
    return [
        Case((r(size=(2, 3)), r(size=(2, 3)), 0.1)),
        Case((np.zeros((3, 2)), r(size=(3, 2)), 0.5), note="dW = 0: only the decay"),
        Case((r(size=(4, 4)), r(size=(4, 4)), 0.0), hidden=True, note="lambda = 0"),
    ]


def _l2_grad_fd(dW, W, lam):
    W = np.array(W, dtype=float)
    return dW + numerical_gradient(lambda: ref.l2_penalty([W], lam), W)


def _dropout_cases():
    rng = np.random.default_rng(85)
    return [
        Case((rng.normal(size=(100, 100)), 0.2, Recipe("rng", 0)), note="p = 0.2 on a (100, 100) batch"),
        Case((rng.normal(size=(100, 100)), 0.6, Recipe("rng", 1)), note="p = 0.6"),
        Case((rng.normal(size=(3, 4)), 0.0, Recipe("rng", 2)), hidden=True, note="p = 0: nothing dropped"),
        Case((rng.normal(size=(200, 60)), 0.5, Recipe("rng", 3)), hidden=True, note="p = 0.5"),
    ]


def _he_cases():
    return [
        Case((400, 100, Recipe("rng", 0)), note="n_in = 400, n_out = 100"),
        Case((50, 300, Recipe("rng", 1)), note="n_in = 50, n_out = 300"),
        Case((1000, 20, Recipe("rng", 2)), hidden=True),
    ]


def _stop_cases():
    return [
        Case(([1.0, 0.8, 0.7, 0.65], 2), note="still improving"),
        Case(([1.0, 0.6, 0.7, 0.8], 2), note="best 2 epochs ago"),
        Case(([1.0, 0.6, 0.7], 2), note="best 1 epoch ago, patience 2"),
        Case(([1.0, 0.5, 0.9, 0.8, 0.85], 2), note="better lately, but the best is 3 epochs old"),
        Case(([1.0, 0.6, 0.7, 0.6], 2), note="an equal value is no improvement: the best (the first 0.6) "
                                             "is 2 epochs old"),
        Case(([0.5, 0.5, 0.5, 0.5], 3), note="no change is no improvement"),
        Case(([0.9], 1), hidden=True, note="a single epoch"),
        Case(([1.0, 0.9, 0.95, 0.85, 0.9, 0.92], 3), hidden=True),
    ]


EXERCISES = [
    Exercise(
        "momentum_update", LESSON, 2, _momentum_cases, reference=ref.momentum_update,
        arg_names=["w", "dw", "v", "learning_rate", "momentum"], output_names=["w", "v"],
        mistakes=[
            Mistake("That is the other common form (v = mu v + dw; w -= eta v). Use the lesson's: "
                    "v = mu v - eta dw, then w = w + v.", _momentum_pytorch),
            Mistake("Update the velocity first, then move w with the new velocity.", _momentum_old_v),
            Mistake("The velocity moves against the gradient: v = mu * v - learning_rate * dw.",
                    lambda w, dw, v, lr, mu: ref.momentum_update(w, -dw, v, lr, mu)),
        ],
        hint="Two updates in order: the velocity first (a share of the old velocity plus a step against "
             "the gradient), then the weights move by the new velocity."),
    Exercise(
        "adam_update", LESSON, 3, _adam_cases, reference=ref.adam_update,
        arg_names=["w", "dw", "m", "v", "t", "learning_rate", "beta1", "beta2", "epsilon"],
        output_names=["w", "m", "v"],
        mistakes=[
            Mistake("Correct the bias of both averages for the step: divide m by 1 - beta1^t and v by 1 - beta2^t.",
                    _adam_no_correction),
            Mistake("epsilon goes outside the square root: sqrt(v_hat) + epsilon.", _adam_eps_inside),
            Mistake("Divide by the square root of v_hat (v averages squared gradients).", _adam_no_sqrt),
            Mistake("v averages the squared gradients: (1 - beta2) * dw**2.", _adam_dw_not_squared),
        ],
        hint="Go through the five formulas one by one and compare each with your line: the squared "
             "gradient in v, the bias correction with the step number t, epsilon outside the square root, "
             "and the uncorrected m and v returned."),
    Exercise(
        "l2_penalty", LESSON, 1, _l2_cases, reference=ref.l2_penalty, arg_names=["weights", "lam"],
        mistakes=[
            Mistake("Keep the 1/2: (lam / 2) * the sum of all squared weights.",
                    lambda ws, lam: lam * sum(float(np.sum(W ** 2)) for W in ws)),
            Mistake("Square the weights before summing.",
                    lambda ws, lam: 0.5 * lam * sum(float(np.sum(W)) for W in ws)),
            Mistake("Sum over every weight matrix in the list, not only the first.",
                    lambda ws, lam: 0.5 * lam * float(np.sum(ws[0] ** 2))),
        ],
        hint="Square every weight of every matrix in the list, add them all up, and scale by lam / 2."),
    Exercise(
        "l2_gradient", LESSON, 1, _l2_grad_cases, reference=ref.l2_gradient, arg_names=["dW", "W", "lam"],
        gradient=_l2_grad_fd, output_names=["dW"],
        mistakes=[
            Mistake("The derivative of (lam/2) W**2 is lam * W (the 1/2 cancels the 2).",
                    lambda dW, W, lam: dW + 2 * lam * W),
            Mistake("Add the decay to the gradient of the cost: you returned the decay alone.", lambda dW, W, lam: lam * W),
            Mistake("The decay is lam times the weights W, not times the gradient.",
                    lambda dW, W, lam: dW + lam * dW),
        ],
        hint="Differentiate (lam / 2) * W**2 entry by entry and add the result to the cost's gradient."),
    Exercise(
        "dropout_forward", LESSON, 2, _dropout_cases, verify=_verify_dropout, arg_names=["X", "p", "rng"],
        collect="rng_probe"),   # called again with a generator in the same state, and in another state
    Exercise(
        "dropout_backward", LESSON, 1,
        lambda: [Case((np.arange(6.0).reshape(2, 3), np.array([[0, 2.0, 2.0], [2.0, 0, 2.0]]))),
                 Case((np.random.default_rng(86).normal(size=(4, 5)),
                       (np.random.default_rng(87).random((4, 5)) < 0.8) / 0.8)),
                 Case((np.ones((3, 3)), np.ones((3, 3))), hidden=True, note="nothing dropped")],
        reference=ref.dropout_backward, arg_names=["dout", "mask"],
        mistakes=[
            Mistake("Dropped units passed nothing forward, so they get no gradient: multiply dout by the mask.",
                    lambda dout, mask: dout),
            Mistake("The mask already holds the 1/q scaling: multiply by the mask itself, not by (mask > 0).",
                    lambda dout, mask: dout * (mask > 0)),
        ],
        hint="A dropped unit gets no gradient and a kept one is scaled as in the forward pass: "
             "the mask holds both."),
    Exercise(
        "he_init", LESSON, 1, _he_cases, verify=_verify_he, arg_names=["n_in", "n_out", "rng"]),
    Exercise(
        "should_stop", LESSON, 1, _stop_cases, reference=ref.should_stop, arg_names=["val_losses", "patience"],
        mistakes=[
            Mistake("Stop when the best epoch is `patience` or more epochs old (>=, not >).",
                    lambda l, p: bool(len(l) - 1 - int(np.argmin(l)) > p)),
            Mistake("A value equal to the best is no improvement: count from the first epoch that "
                    "reached the lowest loss, not the last (a later equal value must not reset the count).",
                    lambda l, p: bool(len(l) - 1 - (len(l) - 1 - int(np.argmin(np.asarray(l)[::-1]))) >= p)),
            Mistake("Compare with the best loss so far, not with the previous epoch.",
                    lambda l, p: bool(len(l) > p and all(l[-i] >= l[-i - 1] for i in range(1, p + 1)))),
        ],
        hint="Find the first epoch with the lowest loss (an equal later value is no improvement) and "
             "count the epochs since; stop when that count is at least patience."),
]
