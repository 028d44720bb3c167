"""Exercises of lesson 7, training: mini-batches, an epoch of SGD, a training loop."""
from __future__ import annotations

import numpy as np

from nnlib.checks.core import Case, Exercise, Problem, fmt, num, type_name
from nnlib.checks.runner import NetworkDescription, Recipe, _make_network

from nnlib.checks.verifiers import _verify_minibatches, _verify_train, _verify_train_epoch

LESSON = "07_training"

_NO_SHORTCUTS = ("Network.fit", "Optimizer.step", "SGD.update", "Momentum.update", "Adam.update")


def _unique_rows(rng, n, d):
    return rng.normal(size=(n, d))


def _minibatch_cases():
    rng = np.random.default_rng(71)
    return [
        Case((_unique_rows(rng, 10, 3), np.arange(10) % 3, 4, Recipe("rng", 0)),
             note="10 samples in batches of 4: sizes 4, 4, 2"),
        Case((_unique_rows(rng, 12, 2), np.arange(12) % 2, 3, Recipe("rng", 1)), note="12 samples, batches of 3"),
        Case((_unique_rows(rng, 5, 2), np.arange(5), 8, Recipe("rng", 2)), hidden=True,
             note="batch_size larger than the data: one batch of 5"),
        Case((_unique_rows(rng, 20, 1), np.arange(20) % 4, 1, Recipe("rng", 3)), hidden=True,
             note="batch_size 1 (pure SGD)"),
    ]


def _small_net(seed, sizes, activation="tanh", loss="softmax_cross_entropy"):
    rng = np.random.default_rng(seed)
    layers = []
    for i, (a, b) in enumerate(zip(sizes[:-1], sizes[1:])):
        last = i == len(sizes) - 2
        layers.append({"kind": "dense", "W": rng.normal(size=(a, b)) * np.sqrt(1.0 / a),
                       "b": np.zeros(b), "activation": "identity" if last else activation})
    return {"loss": loss, "l2": 0.0, "layers": layers}


def _moons(n, seed, noise=0.1):
    rng = np.random.default_rng(seed)
    t = rng.uniform(0, np.pi, size=n)
    y = np.arange(n) % 2
    X = np.where(y[:, None] == 0, np.c_[np.cos(t), np.sin(t)], np.c_[1 - np.cos(t), 0.5 - np.sin(t)])
    return X + noise * rng.normal(size=X.shape), y.astype(np.int64)


def _train_epoch_cases():
    X, y = _moons(20, 72)
    X2, y2 = _moons(12, 73)
    batches = [(X[:8], y[:8]), (X[8:16], y[8:16]), (X[16:], y[16:])]
    return [
        Case((Recipe("network", _small_net(0, [2, 4, 2])), batches, 0.5),
             note="3 batches of 8, 8 and 4 samples; a 2-4-2 network"),
        Case((Recipe("network", _small_net(1, [2, 3, 3, 2])), [(X2, y2)], 0.1), note="one batch, 3 layers"),
        Case((Recipe("network", _small_net(2, [2, 5, 2], "relu")), [(X2[:5], y2[:5]), (X2[5:], y2[5:])], 1.0),
             hidden=True, note="ReLU units, batches of 5 and 7"),
    ]


def _train_cases():
    X, y = _moons(200, 74)
    X2, y2 = _moons(120, 75, noise=0.05)
    return [
        Case((Recipe("network", _small_net(3, [2, 16, 2])), X, y, 40, 16, 0.3, 0),
             note="two moons, 200 samples, 40 epochs"),
        Case((Recipe("network", _small_net(4, [2, 12, 2])), X2, y2, 30, 8, 0.3, 1), hidden=True,
             note="120 samples, batches of 8"),
    ]


EXERCISES = [
    Exercise("minibatches", LESSON, 2, _minibatch_cases, verify=_verify_minibatches,
        arg_names=["X", "y", "batch_size", "rng"], collect="iterate_rng_probe"),
    Exercise("train_epoch", LESSON, 2, _train_epoch_cases, verify=_verify_train_epoch,
        arg_names=["network", "batches", "learning_rate"], collect="with_inputs", allow_nnlib=True,
        forbid_nnlib=_NO_SHORTCUTS),
    Exercise("train", LESSON, 3, _train_cases, verify=_verify_train,
        arg_names=["network", "X", "y", "epochs", "batch_size", "learning_rate", "seed"],
        collect="with_inputs", allow_nnlib=True, forbid_nnlib=_NO_SHORTCUTS, timeout=60,
        uses={"minibatches": "nnlib_grader.exercises.reference.minibatches",
              "train_epoch": "nnlib_grader.exercises.reference.train_epoch"}),
]
