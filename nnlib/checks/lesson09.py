"""Exercises of lesson 9, MNIST: preparing images, a model that reaches 95%, reading its errors."""
from __future__ import annotations

import numpy as np

from . import reference as ref
from .core import Case, Exercise, Mistake, Problem, type_name
from .runner import NetworkDescription, Recipe, _make_network

LESSON = "09_mnist"
REQUIRED_ACCURACY = 0.95


def _image_cases():
    rng = np.random.default_rng(91)
    return [
        Case((rng.integers(0, 256, size=(5, 28, 28), dtype=np.uint8),), note="5 images, uint8 pixels 0..255"),
        Case((rng.integers(0, 256, size=(1, 28, 28), dtype=np.uint8),), note="one image"),
        Case((np.stack([np.zeros((28, 28)), np.full((28, 28), 255), np.eye(28) * 255]).astype(np.uint8),),
             hidden=True, note="black, white and a diagonal line"),
    ]


def _confusion_cases():
    rng = np.random.default_rng(92)
    return [
        Case((np.array([0, 1, 2, 2, 1]), np.array([0, 2, 2, 2, 1]), 3), note="5 samples, 3 classes"),
        Case((rng.integers(0, 10, size=50), rng.integers(0, 10, size=50), 10), note="50 samples, 10 classes"),
        Case((np.array([0, 0, 1]), np.array([0, 0, 1]), 4), hidden=True,
             note="classes 2 and 3 never occur: still a 4 x 4 matrix"),
    ]


def _confused_cases():
    rng = np.random.default_rng(93)
    cm = rng.integers(0, 20, size=(10, 10))
    np.fill_diagonal(cm, 900)
    return [
        Case((np.array([[50, 2, 9], [4, 60, 1], [7, 3, 40]]), 2), note="a 3 x 3 matrix, top 2"),
        Case((cm, 3), note="10 classes, top 3"),
        Case((np.array([[9, 1, 1], [1, 9, 1], [1, 1, 9]]), 3), hidden=True, note="ties: the smaller (true, predicted) first"),
    ]


def _no_ties_sort(cm, top):
    cm = np.asarray(cm)
    pairs = [(int(cm[i, j]), i, j) for i in range(cm.shape[0]) for j in range(cm.shape[1]) if i != j]
    pairs.sort(key=lambda t: t[0])
    return np.array([(i, j, c) for c, i, j in pairs[:top]]).reshape(-1, 3)


def _with_diagonal(cm, top):
    cm = np.asarray(cm)
    pairs = [(int(cm[i, j]), i, j) for i in range(cm.shape[0]) for j in range(cm.shape[1])]
    pairs.sort(key=lambda t: (-t[0], t[1], t[2]))
    return np.array([(i, j, c) for c, i, j in pairs[:top]]).reshape(-1, 3)


def _dense_layers(desc):
    return [l for l in desc.get("layers", []) if l.get("kind") == "dense"]


def _verify_model(args, kwargs, got):
    if not isinstance(got, NetworkDescription):
        return Problem(f"returned {type_name(got)}; expected an nnlib Network",
                       hint="return Network([Dense(784, 64, 'relu'), Dense(64, 10)], "
                            "loss='softmax_cross_entropy', seed=seed)")
    dense = _dense_layers(got)
    shapes = [tuple(np.shape(l["W"])) for l in dense]
    acts = [l.get("activation") for l in dense]
    if shapes != [(784, 64), (64, 10)] or acts != ["relu", "identity"]:
        return Problem(f"layers {shapes} with activations {acts}; expected [(784, 64), (64, 10)] "
                       "with ['relu', 'identity']",
                       hint="Dense(784, 64, 'relu') then Dense(64, 10) with no activation: the last "
                            "layer outputs logits, the loss applies the softmax.")
    if got.get("loss") != "softmax_cross_entropy":
        return Problem(f"the loss is {got.get('loss')!r}; expected 'softmax_cross_entropy'")
    return None


_TEST = {}


def _test_set():
    if not _TEST:
        from ..datasets import load_mnist
        (_, _), (X, y) = load_mnist()
        _TEST.update(X=X, y=y)
    return _TEST["X"], _TEST["y"]


def _verify_trained(args, kwargs, got):
    if not isinstance(got, NetworkDescription):
        return Problem(f"returned {type_name(got)}; expected the trained nnlib Network")
    dense = _dense_layers(got)
    if not dense or np.shape(dense[0]["W"])[0] != 784 or np.shape(dense[-1]["W"])[1] != 10:
        return Problem("the network must take 784 inputs and output 10 logits")
    try:
        net = _make_network(got)
    except Exception as exc:
        return Problem(f"the returned network could not be rebuilt: {exc}")
    X, y = _test_set()
    acc = net.evaluate(X, y)["accuracy"]
    if acc is None or not np.isfinite(acc) or acc < REQUIRED_ACCURACY:
        return Problem(f"test accuracy {acc:.2%}; at least {REQUIRED_ACCURACY:.0%} is required",
                       hint="Train longer (2 to 3 epochs), try a larger learning rate or momentum "
                            "(optimizer=nnlib.Momentum(0.05, 0.9)), and check that the last layer has no "
                            "activation.")
    return None


EXERCISES = [
    Exercise(
        "flatten_images", LESSON, 1, _image_cases, reference=ref.flatten_images, arg_names=["images"],
        dtype="float32",
        mistakes=[
            Mistake("Scale the pixels to [0, 1]: divide by 255.",
                    lambda im: im.reshape(len(im), -1).astype(np.float32)),
            Mistake("// is integer division (it gives only 0 and 1): divide with / after converting to float.",
                    lambda im: (im.reshape(len(im), -1) // 255).astype(np.float32)),
        ],
        hint="images.reshape(len(images), -1).astype(np.float32) / 255"),
    Exercise(
        "confusion_matrix", LESSON, 2, _confusion_cases, reference=ref.confusion_matrix,
        arg_names=["y_true", "y_pred", "k"], dtype="int",
        mistakes=[
            Mistake("Rows are the true classes, columns the predictions: M[true, predicted].",
                    lambda t, p, k: ref.confusion_matrix(t, p, k).T),
        ],
        hint="M = np.zeros((k, k), dtype=int); np.add.at(M, (y_true, y_pred), 1) (or a loop over the pairs)."),
    Exercise(
        "most_confused", LESSON, 1, _confused_cases, reference=ref.most_confused, arg_names=["cm", "top"],
        dtype="int",
        mistakes=[
            Mistake("Leave out the diagonal: those are the correct predictions.", _with_diagonal),
            Mistake("Largest counts first: sort in descending order.", _no_ties_sort),
        ],
        hint="Collect (count, i, j) for every i != j, sort by (-count, i, j), keep the first `top` and "
             "return rows (i, j, count)."),
    Exercise(
        "build_mnist_model", LESSON, 1, lambda: [Case((0,)), Case((1,), hidden=True)],
        verify=_verify_model, arg_names=["seed"], allow_nnlib=True),
    Exercise(
        "train_mnist", LESSON, 4,
        lambda: [Case((Recipe("mnist", "X_train"), Recipe("mnist", "y_train")),
                      note=f"train on the 60,000 training images; the check needs {REQUIRED_ACCURACY:.0%} "
                           "accuracy on the 10,000 test images")],
        verify=_verify_trained, arg_names=["X_train", "y_train"], allow_nnlib=True,
        forbid_nnlib=("train_mnist",), timeout=900, private_uses=False,
        uses={"build_mnist_model": "nnlib.checks.reference.build_mnist_model"}),
]
