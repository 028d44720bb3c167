"""Exercises of lesson 9, MNIST: preparing images, a model that reaches 95%, reading its errors."""
from __future__ import annotations

import numpy as np

from . import reference as ref
from nnlib.checks.core import Case, Exercise, Mistake, Problem, type_name
from nnlib.checks.runner import NetworkDescription, Recipe, _make_network

from nnlib.checks.verifiers import REQUIRED_ACCURACY, _verify_model, _verify_trained

LESSON = "09_mnist"


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
        Case((np.array([[9, 1, 1], [1, 9, 1], [1, 1, 9]]), 3), note="ties: the smaller (true, predicted) first"),
        Case((np.array([[5, 3, 0, 3], [2, 7, 2, 0], [3, 0, 6, 1], [0, 2, 3, 8]]), 5), hidden=True,
             note="4 classes, several ties, top 5"),
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
        hint="One row of 784 pixels per image, in the images' row-by-row order; float32; divided by 255 "
             "so that the values lie in [0, 1]."),
    Exercise(
        "confusion_matrix", LESSON, 2, _confusion_cases, reference=ref.confusion_matrix,
        arg_names=["y_true", "y_pred", "k"], dtype="int",
        mistakes=[
            Mistake("Rows are the true classes, columns the predictions: M[true, predicted].",
                    lambda t, p, k: ref.confusion_matrix(t, p, k).T),
        ],
        hint="A k x k matrix of integer counts: one added at (true class, predicted class) for every "
             "sample; a repeated pair must be counted every time."),
    Exercise(
        "most_confused", LESSON, 1, _confused_cases, reference=ref.most_confused, arg_names=["cm", "top"],
        dtype="int",
        mistakes=[
            Mistake("Leave out the diagonal: those are the correct predictions.", _with_diagonal),
            Mistake("Largest counts first: sort in descending order.", _no_ties_sort),
        ],
        hint="Only the off-diagonal entries count; order them by count, largest first, equal counts by "
             "(true, predicted); keep the first `top` as rows (true, predicted, count)."),
    Exercise(
        "build_mnist_model", LESSON, 1, lambda: [Case((0,)), Case((1,), hidden=True)],
        verify=_verify_model, arg_names=["seed"], allow_nnlib=True),
    Exercise(
        "train_mnist", LESSON, 4,
        lambda: [Case((Recipe("mnist", "X_train"), Recipe("mnist", "y_train")),
                      note=f"train on the 60,000 training images; the check needs {REQUIRED_ACCURACY:.0%} "
                           "accuracy on the 10,000 test images")],
        verify=_verify_trained, arg_names=["X_train", "y_train"], allow_nnlib=True,
        forbid_nnlib=("train_mnist", "load_mnist"), timeout=900, private_uses=False,
        poison=("X_test", "y_test"),   # the text: use only the training data
        uses={"build_mnist_model": "nnlib_grader.exercises.reference.build_mnist_model"}),
]
