"""Exercises of lesson 4, cost functions and their gradients."""
from __future__ import annotations

import numpy as np

from nnlib import activations as act
from nnlib.gradient_check import numerical_gradient
from . import reference as ref
from nnlib.checks.core import Case, Exercise, Mistake

LESSON = "04_costs"


def _grad_of(cost):
    """Finite-difference gradient of cost(a, y) with respect to a."""
    def gradient(a, y):
        a = np.array(a, dtype=float)
        return numerical_gradient(lambda: cost(a, y), a)
    return gradient


def _mse_cases():
    rng = np.random.default_rng(41)
    return [
        Case((np.array([[0.5], [0.8], [0.1]]), np.array([[1.0], [1.0], [0.0]])), note="3 samples, 1 output"),
        Case((rng.random((4, 3)), rng.random((4, 3))), note="4 samples, 3 outputs"),
        Case((rng.random((1, 2)), rng.random((1, 2))), hidden=True, note="one sample"),
        Case((rng.normal(size=(5, 4)), rng.normal(size=(5, 4))), hidden=True),
    ]


def _labels_cases(seed, k=3):
    rng = np.random.default_rng(seed)
    return [
        Case((np.array([0, 2, 1, 2]), 3), note="4 labels, 3 classes"),
        Case((rng.integers(0, 10, size=6), 10), note="10 classes"),
        Case((np.array([1]), 2), hidden=True, note="one label"),
        Case((np.array([0, 0, 0]), 4), note="a class that never occurs still gets a column"),
    ]


def _ce_cases():
    rng = np.random.default_rng(42)
    return [
        Case((np.array([[0.7, 0.2, 0.1], [0.1, 0.1, 0.8]]), np.array([0, 2])), note="2 samples, 3 classes"),
        Case((act.softmax(rng.normal(size=(5, 4))), rng.integers(0, 4, size=5))),
        Case((np.array([[0.25, 0.25, 0.25, 0.25]]), np.array([3])), hidden=True, note="a uniform guess"),
        Case((act.softmax(rng.normal(size=(6, 6)) * 2), rng.integers(0, 6, size=6)), hidden=True,
             note="a square batch"),
    ]


def _bce_cases():
    rng = np.random.default_rng(43)
    return [
        Case((np.array([0.9, 0.2, 0.6]), np.array([1.0, 0.0, 0.0])), note="3 samples"),
        Case((rng.uniform(0.05, 0.95, size=6), rng.integers(0, 2, size=6).astype(float))),
        Case((np.array([0.5]), np.array([1.0])), hidden=True, note="one sample, p = 0.5"),
        Case((rng.uniform(0.01, 0.99, size=10), np.ones(10)), hidden=True, note="all labels 1"),
    ]


def _sce_cases():
    rng = np.random.default_rng(44)
    return [
        Case((np.array([[2.0, 1.0, 0.1], [0.5, 2.5, 0.3]]), np.array([0, 2])), note="2 samples, 3 classes"),
        Case((rng.normal(size=(4, 5)) * 2, rng.integers(0, 5, size=4))),
        Case((rng.normal(size=(3, 3)), np.array([1, 1, 0])), hidden=True, note="a square batch"),
        Case((np.array([[1000.0, 0.0], [0.0, 1000.0]]), np.array([0, 0])), hidden=True,
             note="large logits"),
    ]


def _sce_fd(z, y):
    z = np.array(z, dtype=float)
    if np.abs(z).max() > 100:  # finite differences are meaningless at such scales
        raise ValueError
    return numerical_gradient(lambda: ref.softmax_cross_entropy(z, y), z)


EXERCISES = [
    Exercise(
        "mse", LESSON, 1, _mse_cases, reference=ref.mse, arg_names=["a", "y"],
        mistakes=[
            Mistake("np.mean divides by every entry (n * k) and drops the 1/2: the cost is "
                    "(1/2n) * the sum over all squared differences.", lambda a, y: np.mean((a - y) ** 2)),
            Mistake("Keep the factor 1/2: C = (1/2n) sum ||a - y||^2 (it cancels the 2 of the derivative).",
                    lambda a, y: np.sum((a - y) ** 2) / a.shape[0]),
            Mistake("Average over the samples: divide the sum by n, the number of rows of a.",
                    lambda a, y: 0.5 * np.sum((a - y) ** 2)),
            Mistake("Divide by the number of samples n (the rows of a), not by the number of entries.",
                    lambda a, y: 0.5 * np.mean((a - y) ** 2)),
        ],
        hint="Sum the squared differences over every entry and divide by 2n, with n the number of "
             "samples (rows)."),
    Exercise(
        "mse_gradient", LESSON, 1, _mse_cases, reference=ref.mse_gradient, arg_names=["a", "y"],
        gradient=_grad_of(ref.mse),
        mistakes=[
            Mistake("Divide by n = a.shape[0]: the cost is an average over the batch, so is its gradient.",
                    lambda a, y: a - y),
            Mistake("The sign: dC/da = (a - y) / n, pointing towards larger cost.",
                    lambda a, y: (y - a) / a.shape[0]),
            Mistake("The 1/2 in the cost cancels the 2 of the derivative: (a - y) / n.",
                    lambda a, y: 2 * (a - y) / a.shape[0]),
            Mistake("Divide by the number of samples n, not by the number of entries.",
                    lambda a, y: (a - y) / a.size),
        ],
        hint="The difference a - y divided by the number of samples (rows), not by the number of "
             "entries."),
    Exercise(
        "one_hot", LESSON, 1, lambda: _labels_cases(45), reference=ref.one_hot, arg_names=["y", "k"],
        dtype="any",
        mistakes=[
            Mistake("One row per sample: the result has shape (n, k), not (k, n).",
                    lambda y, k: ref.one_hot(y, k).T),
        ],
        hint="One row per label, one column per class: a single 1 in each row, at the label's column."),
    Exercise(
        "cross_entropy", LESSON, 1, _ce_cases, reference=ref.cross_entropy, arg_names=["p", "y"],
        mistakes=[
            Mistake("Average over the samples (divide by n), don't just sum.",
                    lambda p, y: -np.sum(np.log(p[np.arange(len(y)), y]))),
            Mistake("The minus sign: log p is negative, the cost -log p is positive.",
                    lambda p, y: np.mean(np.log(p[np.arange(len(y)), y]))),
            Mistake("Only the probability of the true class counts: p[np.arange(n), y], one entry per row.",
                    lambda p, y: -np.mean(np.log(p))),
            Mistake("p[:, y] takes whole columns (an n-by-n array); p[np.arange(n), y] takes one entry per row.",
                    lambda p, y: -np.mean(np.log(p[:, y]))),
        ],
        hint="Only the probability of each sample's true class counts; average the negative logarithms "
             "over the samples."),
    Exercise(
        "binary_cross_entropy", LESSON, 1, _bce_cases, reference=ref.binary_cross_entropy,
        arg_names=["p", "y"],
        mistakes=[
            Mistake("Both terms count: y log p for the positives and (1 - y) log(1 - p) for the negatives.",
                    lambda p, y: -np.mean(y * np.log(p))),
            Mistake("Average over the samples (np.mean), don't just sum.",
                    lambda p, y: -np.sum(y * np.log(p) + (1 - y) * np.log(1 - p))),
            Mistake("The minus sign: the cost is -mean(...), a positive number.",
                    lambda p, y: np.mean(y * np.log(p) + (1 - y) * np.log(1 - p))),
        ],
        hint="Both terms count, the positives' and the negatives'; average over the samples and "
             "negate."),
    Exercise(
        "softmax_cross_entropy_gradient", LESSON, 2, _sce_cases,
        reference=ref.softmax_cross_entropy_gradient, arg_names=["z", "y"], gradient=_sce_fd,
        uses={"softmax": "nnlib.activations.softmax", "one_hot": "nnlib_grader.exercises.reference.one_hot"},
        output_names=["dz"],
        mistakes=[
            Mistake("Divide by n: the cost averages over the batch, so its gradient does too "
                    "(you summed instead of averaged).",
                    lambda z, y: act.softmax(z) - ref.one_hot(y, z.shape[1])),
            Mistake("The sign: dC/dz = (softmax(z) - Y) / n.",
                    lambda z, y: (ref.one_hot(y, z.shape[1]) - act.softmax(z)) / z.shape[0]),
            Mistake("Subtract the one-hot labels Y (n, k), not the integer labels y.",
                    lambda z, y: (act.softmax(z) - y[:, None]) / z.shape[0]),
            Mistake("Use the probabilities softmax(z), not the logits z themselves.",
                    lambda z, y: (z - ref.one_hot(y, z.shape[1])) / z.shape[0]),
        ],
        hint="The probabilities minus the one-hot labels, averaged over the batch (divided by the "
             "number of rows)."),
]
