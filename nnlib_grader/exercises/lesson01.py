"""Exercises of lesson 1, one neuron: weighted sum, a sigmoid neuron, a perceptron, logic gates."""
from __future__ import annotations

import numpy as np

from nnlib import activations as act
from nnlib.neuron import weighted_sum
from . import reference as ref
from nnlib.checks.core import Case, Exercise, Mistake, Problem, type_name

from nnlib.checks.verifiers import _verify_gate

LESSON = "01_neuron"


def _weighted_sum_cases():
    rng = np.random.default_rng(1)
    return [
        Case((np.array([1.0, 2.0]), np.array([0.5, -1.0]), 0.25), note="one sample with 2 inputs"),
        Case((np.array([0.2, -1.5, 3.0]), np.array([2.0, 0.5, -0.25]), -1.0)),
        Case((rng.normal(size=(4, 3)), np.array([0.3, -0.8, 1.2]), 0.5), note="a batch: X of shape (4, 3)"),
        Case((rng.normal(size=(1, 5)), rng.normal(size=5), -2.0), hidden=True, note="a batch of one sample"),
        Case((rng.normal(size=(6, 1)), np.array([3.0]), 0.0), hidden=True, note="one input per sample"),
        Case((rng.normal(size=(3, 2)), np.zeros(2), 1.5), hidden=True, note="zero weights: z is the bias"),
    ]


def _neuron_cases():
    rng = np.random.default_rng(2)
    return [
        Case((np.array([1.0, 2.0]), np.array([0.5, -1.0]), 0.25)),
        Case((np.array([3.0, 1.0]), np.array([1.0, -2.0]), 0.5)),
        Case((rng.normal(size=(5, 3)), rng.normal(size=3), -0.5), note="a batch of 5 samples"),
        Case((np.array([0.0, 0.0]), np.array([4.0, 4.0]), 0.0), hidden=True, note="z = 0 gives 0.5"),
        Case((rng.normal(size=(4, 2)) * 5, rng.normal(size=2) * 5, 3.0), hidden=True),
    ]


def _perceptron_cases():
    rng = np.random.default_rng(3)
    return [
        Case((np.array([[2.0, 1.0], [-1.0, 0.5], [0.0, 3.0]]), np.array([1.0, -1.0]), 0.0)),
        Case((np.array([[2.0, 2.0], [1.0, 3.0], [3.0, 1.0]]), np.array([1.0, -1.0]), 0.0),
             note="the first sample lies exactly on the boundary (z = 0)"),
        Case((rng.normal(size=(8, 3)), rng.normal(size=3), 0.2)),
        Case((rng.normal(size=(1, 4)), rng.normal(size=4), -0.1), hidden=True, note="a batch of one"),
        Case((np.zeros((3, 2)), np.array([1.0, 1.0]), 0.0), hidden=True, note="all on the boundary"),
    ]


EXERCISES = [
    Exercise(
        "weighted_sum", LESSON, 1, _weighted_sum_cases, reference=weighted_sum,
        arg_names=["x", "w", "b"],
        mistakes=[
            Mistake("You left out the bias: z = w·x + b.", lambda x, w, b: np.asarray(x) @ w),
            Mistake("You multiplied by the bias instead of adding it.", lambda x, w, b: (np.asarray(x) @ w) * b),
            Mistake("np.sum(x * w) adds up the whole batch; sum over the last axis only "
                    "(or use x @ w).", lambda x, w, b: np.sum(np.asarray(x) * w) + b),
        ],
        hint="One expression serves one sample (n,) and a batch (batch, n): a product of x and w, then "
             "the bias added to every entry."),
    Exercise(
        "neuron_output", LESSON, 1, _neuron_cases, reference=ref.neuron_output,
        arg_names=["x", "w", "b"], uses={"weighted_sum": "nnlib.neuron.weighted_sum"},
        mistakes=[
            Mistake("You returned z, the weighted input; the neuron's output is sigmoid(z).",
                    weighted_sum),
            Mistake("That is the step function's output; this neuron uses the sigmoid 1 / (1 + e^(-z)).",
                    lambda x, w, b: act.step(weighted_sum(x, w, b))),
            Mistake("Check the sign in the exponent: the sigmoid is 1 / (1 + e^(-z)), with minus z.",
                    lambda x, w, b: 1 / (1 + np.exp(weighted_sum(x, w, b)))),
        ],
        hint="Two steps: the weighted input z, then the sigmoid of z; check the sign in the exponent."),
    Exercise(
        "perceptron_predict", LESSON, 1, _perceptron_cases, reference=ref.perceptron_predict,
        arg_names=["X", "w", "b"], dtype="int", uses={"weighted_sum": "nnlib.neuron.weighted_sum"},
        mistakes=[
            Mistake("A sample exactly on the boundary (z = 0) belongs to class 1: use z >= 0, not z > 0.",
                    lambda X, w, b: (np.asarray(X) @ w + b > 0).astype(int)),
            Mistake("You returned z itself; turn it into integer labels: 1 where z >= 0, else 0.",
                    lambda X, w, b: np.asarray(X) @ w + b),
            Mistake("The classes are swapped: class 1 is where z >= 0.",
                    lambda X, w, b: (np.asarray(X) @ w + b < 0).astype(int)),
        ],
        hint="Label 1 where the weighted input is 0 or more (on the boundary counts as 1), else 0, as "
             "integers."),
    Exercise(
        "gate_weights", LESSON, 2,
        lambda: [Case(("and",)), Case(("or",)), Case(("nand",))],
        verify=_verify_gate, arg_names=["gate"]),
]
