"""Exercises of lesson 2, activations: sigmoid, tanh, ReLU, their derivatives, a stable softmax."""
from __future__ import annotations

import numpy as np

from nnlib import activations as act
from nnlib.gradient_check import derivative
from nnlib.checks.core import Case, Exercise, Mistake

LESSON = "02_activations"


def _elementwise_cases(seed, large=True):
    rng = np.random.default_rng(seed)
    cases = [
        Case((0.0,), note="a single number"),
        Case((np.array([-2.0, -0.5, 0.0, 0.5, 2.0]),)),
        Case((rng.normal(size=(3, 4)) * 3,), note="a (3, 4) array: work elementwise, any shape"),
        Case((np.array([[0.0, 1.0], [-1.0, 0.0]]),), hidden=True),
        Case((rng.normal(size=(2, 3, 2)),), hidden=True, note="a 3-D array"),
    ]
    if large:  # visible: the exercise text warns about exactly this (np.exp overflows near 710)
        cases.insert(3, Case((np.array([-1000.0, -710.0, -50.0, 50.0, 710.0, 1000.0]),),
                             note="very large inputs (np.exp overflows beyond 709.78): no NaN, no overflow"))
    return cases


def _kink_cases(seed):
    rng = np.random.default_rng(seed)
    return [
        Case((np.array([-3.0, -0.5, 0.0, 0.5, 3.0]),), note="includes z = 0"),
        Case((rng.normal(size=(3, 4)),), note="a (3, 4) array"),
        Case((np.array([[0.0, -0.0], [1e-9, -1e-9]]),), hidden=True, note="tiny values around 0"),
        Case((rng.normal(size=(2, 2, 3)) * 10,), hidden=True, note="a 3-D array"),
    ]


def _softmax_cases():
    rng = np.random.default_rng(6)
    return [
        Case((np.array([[1.0, 2.0, 3.0]]),), note="one row of 3 logits"),
        Case((np.array([[1.0, 2.0, 3.0], [0.0, 0.0, 0.0], [-1.0, 5.0, 2.0]]),)),
        Case((np.array([[1000.0, 1001.0, 1002.0], [-5.0, 0.0, 5.0]]),),
             note="large logits: np.exp(1000) overflows"),
        Case((rng.normal(size=(4, 10)) * 3,), hidden=True, note="4 samples, 10 classes"),
        Case((np.array([[-1000.0, -1000.0], [1000.0, 0.0]]),), hidden=True,
             note="rows on very different scales"),
        Case((np.array([[2.0, 1.0, 0.5], [0.1, 0.2, 0.3], [3.0, 3.0, 3.0]]),), hidden=True,
             note="a square batch (3 samples, 3 classes)"),
    ]


def _naive_softmax(z):
    e = np.exp(z)
    return e / e.sum(axis=1, keepdims=True)


def _global_max_softmax(z):
    e = np.exp(z - np.max(z))
    return e / e.sum(axis=1, keepdims=True)


EXERCISES = [
    Exercise(
        "sigmoid", LESSON, 1, lambda: _elementwise_cases(4), reference=act.sigmoid, arg_names=["z"],
        mistakes=[
            Mistake("Check the sign in the exponent: the sigmoid is 1 / (1 + e^(-z)), with minus z.",
                    lambda z: 1 / (1 + np.exp(z))),
            Mistake("The denominator is 1 + e^(-z), not 1 - e^(-z).", lambda z: 1 / (1 - np.exp(-z))),
            Mistake("That is tanh(z), which lies in (-1, 1); the sigmoid lies in (0, 1).", np.tanh),
        ],
        no_overflow=True,
        hint="Compare your values with the formula entry by entry; for very negative z keep every "
             "exponent <= 0 (the exercise asks for a sigmoid that never overflows)."),
    Exercise(
        "sigmoid_prime", LESSON, 1, lambda: _elementwise_cases(5), reference=act.sigmoid_prime,
        arg_names=["z"], uses={"sigmoid": "nnlib.activations.sigmoid"},
        gradient=lambda z: derivative(act.sigmoid, z), fd_tolerance=1e-6,
        mistakes=[
            Mistake("You returned sigmoid(z) itself; its derivative is sigmoid(z) * (1 - sigmoid(z)).",
                    act.sigmoid),
            Mistake("z * (1 - z) is the formula written in terms of a = sigmoid(z): apply it to "
                    "sigmoid(z), not to z.", lambda z: np.asarray(z) * (1 - np.asarray(z))),
            Mistake("Check the sign: sigmoid(z) * (1 - sigmoid(z)).",
                    lambda z: act.sigmoid(z) * (1 + act.sigmoid(z))),
            Mistake("e^(-z) / (1 + e^(-z))^2 is right on paper, but for large |z| np.exp overflows to "
                    "inf and inf / inf is NaN: write the derivative with sigmoid(z), which stays in [0, 1].",
                    lambda z: np.exp(-np.asarray(z)) / (1 + np.exp(-np.asarray(z))) ** 2),
        ],
        hint="Write the derivative in terms of sigmoid(z) (the formula above the exercise) and use your "
             "sigmoid: then no exponent can overflow."),
    Exercise(
        "tanh", LESSON, 1, lambda: _elementwise_cases(7), reference=act.tanh, arg_names=["z"],
        uses={"sigmoid": "nnlib.activations.sigmoid"}, forbid_numpy=("tanh",),
        mistakes=[
            Mistake("Inside the sigmoid the argument is 2z: tanh(z) = 2 sigmoid(2z) - 1.",
                    lambda z: 2 * act.sigmoid(z) - 1),
            Mistake("Multiply the sigmoid by 2: tanh(z) = 2 sigmoid(2z) - 1.",
                    lambda z: act.sigmoid(2 * np.asarray(z)) - 1),
            Mistake("For large |z| np.exp(z) overflows to inf and inf / inf is NaN: use "
                    "tanh(z) = 2 sigmoid(2z) - 1, which never divides inf by inf.",
                    lambda z: (np.exp(z) - np.exp(-np.asarray(z))) / (np.exp(z) + np.exp(-np.asarray(z)))),
        ],
        hint="Use the identity of the text with your sigmoid: check the argument of the sigmoid, the "
             "factor in front of it and the shift."),
    Exercise(
        "tanh_prime", LESSON, 1, lambda: _elementwise_cases(8), reference=act.tanh_prime,
        arg_names=["z"], uses={"tanh": "nnlib.activations.tanh"},
        gradient=lambda z: derivative(np.tanh, z), fd_tolerance=1e-6,
        mistakes=[
            Mistake("1 - z**2 is the formula in terms of a = tanh(z): apply it to tanh(z).",
                    lambda z: 1 - np.asarray(z) ** 2),
            Mistake("You returned tanh(z) itself; its derivative is 1 - tanh(z)**2.", np.tanh),
            Mistake("Square the tanh: 1 - tanh(z)**2.", lambda z: 1 - np.tanh(z)),
        ],
        hint="The derivative is written in terms of tanh(z) itself; check that you square it."),
    Exercise(
        "relu", LESSON, 1, lambda: _kink_cases(9), reference=act.relu, arg_names=["z"],
        mistakes=[
            Mistake("np.max(z, 0) is the largest entry along axis 0; you need the elementwise "
                    "maximum of z and 0 (a different numpy function, with a longer name).", lambda z: np.max(z, 0)),
            Mistake("That is relu_prime (0 or 1); relu keeps the positive values themselves.",
                    lambda z: (np.asarray(z) > 0).astype(float)),
            Mistake("np.abs flips negative values to positive; relu sets them to 0.", np.abs),
        ],
        hint="Every entry is compared with 0 on its own: keep the positive values, replace the others "
             "by 0, and keep the shape of z."),
    Exercise(
        "relu_prime", LESSON, 1, lambda: _kink_cases(10), reference=act.relu_prime, arg_names=["z"],
        mistakes=[
            Mistake("At the kink z = 0 we take the derivative 0: use z > 0, not z >= 0.",
                    lambda z: (np.asarray(z) >= 0).astype(float)),
            Mistake("You returned relu(z); its derivative is 1 where z > 0 and 0 elsewhere.",
                    lambda z: np.maximum(z, 0)),
        ],
        hint="1.0 where z > 0, 0.0 elsewhere (also at z = 0), as floats, shaped like z."),
    Exercise(
        "softmax", LESSON, 2, _softmax_cases, reference=act.softmax, arg_names=["z"], atol=1e-12,
        mistakes=[
            Mistake("Subtract each row's maximum before np.exp (softmax(z - c) = softmax(z)), so "
                    "np.exp never overflows.", _naive_softmax),
            Mistake("Subtract each row's own maximum (axis=1, keepdims=True), not the maximum of the "
                    "whole array: a row far below it underflows to 0 / 0.", _global_max_softmax),
            Mistake("Normalise each row (axis=1): every sample's probabilities sum to 1.",
                    lambda z: np.exp(z - z.max(axis=0)) / np.exp(z - z.max(axis=0)).sum(axis=0)),
            Mistake("Keep the summed axis (keepdims=True) so that e / e.sum(...) divides row by row.",
                    lambda z: (lambda e: e / e.sum(axis=1))(np.exp(z - z.max(axis=1, keepdims=True)))),
        ],
        hint="Each row on its own: subtract that row's maximum before np.exp, and divide by that row's "
             "sum; keep the reduced axis so that the shapes line up row by row."),
]
