"""Exercises of lesson 3, layers and the forward pass."""
from __future__ import annotations

import numpy as np

from nnlib import activations as act
from . import reference as ref
from nnlib.checks.core import Case, Exercise, Mistake, Problem, type_name
from nnlib.checks.runner import Recipe

from nnlib.checks.verifiers import _verify_xor

LESSON = "03_layers_forward"


def _dense_cases():
    rng = np.random.default_rng(31)
    r = rng.normal
    return [
        Case((r(size=(4, 3)), r(size=(3, 2)), r(size=2)), note="4 samples, 3 inputs, 2 outputs"),
        Case((r(size=(1, 5)), r(size=(5, 4)), r(size=4)), note="one sample as a (1, 5) batch"),
        Case((r(size=(3, 3)), r(size=(3, 3)), r(size=3)), hidden=True, note="a square weight matrix"),
        Case((r(size=(6, 2)), r(size=(2, 1)), r(size=1)), hidden=True, note="one output"),
    ]


def _layer_cases():
    rng = np.random.default_rng(32)
    r = rng.normal
    return [
        Case((r(size=(4, 3)), r(size=(3, 2)), r(size=2), Recipe("sigmoid")), note="g = sigmoid"),
        Case((r(size=(5, 2)), r(size=(2, 3)), r(size=3), Recipe("relu")), note="g = relu"),
        Case((r(size=(2, 4)), r(size=(4, 4)), r(size=4), Recipe("tanh")), hidden=True, note="g = np.tanh"),
    ]


def _two_layer_cases():
    rng = np.random.default_rng(33)
    r = rng.normal
    return [
        Case((r(size=(4, 2)), r(size=(2, 3)), r(size=3), r(size=(3, 1)), r(size=1)),
             note="2 inputs, 3 hidden units, 1 output"),
        Case((r(size=(5, 3)), r(size=(3, 4)), r(size=4), r(size=(4, 2)), r(size=2))),
        Case((r(size=(1, 4)), r(size=(4, 4)), r(size=4), r(size=(4, 4)), r(size=4)), hidden=True,
             note="square weight matrices"),
    ]


def _mlp_cases():
    rng = np.random.default_rng(34)
    r = rng.normal
    return [
        Case((r(size=(4, 3)), [(r(size=(3, 5)), r(size=5)), (r(size=(5, 2)), r(size=2))]),
             note="two layers: 3 -> 5 -> 2"),
        Case((r(size=(6, 2)), [(r(size=(2, 4)), r(size=4)), (r(size=(4, 4)), r(size=4)),
                               (r(size=(4, 3)), r(size=3))]), note="three layers: 2 -> 4 -> 4 -> 3"),
        Case((r(size=(3, 4)), [(r(size=(4, 2)), r(size=2))]), hidden=True,
             note="a single layer: no ReLU at all"),
    ]


def _relu_everywhere(X, params):
    A = X
    for W, b in params:
        A = np.maximum(A @ W + b, 0)
    return A


def _count_cases():
    return [Case(([2, 3, 1],), note="2 inputs, 3 hidden units, 1 output"),
            Case(([784, 64, 10],), note="the MNIST network of lesson 9"),
            Case(([5, 5],), hidden=True, note="a single layer"),
            Case(([3, 100, 100, 100, 2],), hidden=True)]


def _predict_cases():
    rng = np.random.default_rng(35)
    return [
        Case((act.softmax(rng.normal(size=(5, 3))),), note="5 samples, 3 classes"),
        Case((np.array([[0.9], [0.2], [0.5], [0.49]]),), note="one column: the probability of class 1"),
        Case((act.softmax(rng.normal(size=(4, 4)) * 3),), hidden=True, note="a square batch"),
        Case((np.array([[0.1, 0.7, 0.2]]),), hidden=True, note="one sample"),
    ]


EXERCISES = [
    Exercise(
        "dense_forward", LESSON, 1, _dense_cases, reference=ref.dense_forward, arg_names=["X", "W", "b"],
        mistakes=[
            Mistake("You left out the bias: it is added to every row of the product.", lambda X, W, b: X @ W),
            Mistake("W is stored (n_in, n_out), so the product is X @ W, not X @ W.T.",
                    lambda X, W, b: X @ W.T + b),
        ],
        hint="Check the shapes: (batch, n_in) and (n_in, n_out) meet in a matrix product giving "
             "(batch, n_out), and b (n_out,) is added to every row."),
    Exercise(
        "layer_forward", LESSON, 1, _layer_cases, reference=ref.layer_forward,
        arg_names=["X", "W", "b", "g"], uses={"dense_forward": "nnlib_grader.exercises.reference.dense_forward"},
        mistakes=[
            Mistake("You returned Z; the layer's output is g(Z).", lambda X, W, b, g: X @ W + b),
            Mistake("Add the bias before the activation: g(X @ W + b).", lambda X, W, b, g: g(X @ W) + b),
        ],
        hint="First the layer's weighted inputs, then the activation g applied to them."),
    Exercise(
        "two_layer_forward", LESSON, 2, _two_layer_cases, reference=ref.two_layer_forward,
        arg_names=["X", "W1", "b1", "W2", "b2"],
        uses={"dense_forward": "nnlib_grader.exercises.reference.dense_forward",
              "layer_forward": "nnlib_grader.exercises.reference.layer_forward"},
        mistakes=[
            Mistake("The hidden layer needs its sigmoid too: H = sigmoid(X @ W1 + b1).",
                    lambda X, W1, b1, W2, b2: act.sigmoid((X @ W1 + b1) @ W2 + b2)),
            Mistake("The output layer needs its sigmoid too: sigmoid(H @ W2 + b2).",
                    lambda X, W1, b1, W2, b2: act.sigmoid(X @ W1 + b1) @ W2 + b2),
            Mistake("That is the hidden layer's output H; feed it through the second layer.",
                    lambda X, W1, b1, W2, b2: act.sigmoid(X @ W1 + b1)),
        ],
        hint="The hidden layer's output (sigmoid of its weighted inputs) is the output layer's input; "
             "both layers use the sigmoid."),
    Exercise(
        "mlp_forward", LESSON, 2, _mlp_cases, reference=ref.mlp_forward, arg_names=["X", "params"],
        uses={"dense_forward": "nnlib_grader.exercises.reference.dense_forward"},
        mistakes=[
            Mistake("The last layer has no ReLU: it outputs the logits, which may be negative.",
                    _relu_everywhere),
            Mistake("No ReLU at all: the hidden layers need it (without it the layers collapse "
                    "into one linear map).", lambda X, params: _linear(X, params)),
        ],
        hint="Each layer takes the previous layer's output; ReLU after every layer except the last."),
    Exercise(
        "xor_weights", LESSON, 2, lambda: [Case(())], verify=_verify_xor),
    Exercise(
        "predict_classes", LESSON, 1, _predict_cases, reference=ref.predict_classes, arg_names=["P"],
        dtype="int",
        mistakes=[
            Mistake("argmax over axis 0 picks a sample per class; you want a class per sample: axis=1.",
                    lambda P: P.argmax(axis=0)),
            Mistake("With one column, argmax is always 0: compare the probability with 0.5 instead.",
                    lambda P: P.argmax(axis=1)),
        ],
        hint="One label per row: the most probable column, or, for a single column, whether the "
             "probability is at least 0.5."),
    Exercise(
        "count_parameters", LESSON, 1, _count_cases, reference=ref.count_parameters,
        arg_names=["layer_sizes"], dtype="int",
        mistakes=[
            Mistake("Count the biases too: a layer with n_out neurons has n_out of them.",
                    lambda s: sum(a * b for a, b in zip(s[:-1], s[1:]))),
            Mistake("The input layer has no biases (it is the data): count n_out biases per layer.",
                    lambda s: sum(a * b for a, b in zip(s[:-1], s[1:])) + sum(s)),
        ],
        hint="Each layer from n_in to n_out has n_in * n_out weights and n_out biases."),
]


def _linear(X, params):
    A = X
    for W, b in params:
        A = A @ W + b
    return A
