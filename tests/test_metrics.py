"""Metrics: accuracy from labels, one-hot rows or probabilities; the confusion matrix."""
from __future__ import annotations

import math

import numpy as np
import pytest

from nnlib import InputError, ShapeError, accuracy, confusion_matrix

Y_TRUE = np.array([0, 0, 1, 1, 1, 2])
Y_PRED = np.array([0, 1, 1, 1, 2, 2])  # 4 of 6 right


def test_accuracy_with_labels():
    assert accuracy(Y_TRUE, Y_PRED) == pytest.approx(4 / 6)
    assert accuracy(Y_TRUE, Y_TRUE) == 1.0
    assert accuracy([0, 1], [1, 0]) == 0.0
    assert isinstance(accuracy(Y_TRUE, Y_PRED), float)


def test_accuracy_with_one_hot_and_probabilities():
    one_hot = np.eye(3)[Y_TRUE]
    probs = np.array([[0.8, 0.1, 0.1], [0.2, 0.5, 0.3], [0.1, 0.6, 0.3],
                      [0.3, 0.4, 0.3], [0.1, 0.2, 0.7], [0.0, 0.1, 0.9]])  # argmax = Y_PRED
    assert accuracy(one_hot, probs) == pytest.approx(4 / 6)
    assert accuracy(Y_TRUE, probs) == pytest.approx(4 / 6)
    assert accuracy(one_hot, Y_PRED) == pytest.approx(4 / 6)
    # binary: one probability per sample, class 1 when p >= 0.5
    y = np.array([0, 1, 1, 0])
    assert accuracy(y, np.array([0.2, 0.7, 0.4, 0.5])) == 0.5
    assert accuracy(y, np.array([[0.2], [0.7], [0.6], [0.1]])) == 1.0


def test_accuracy_errors():
    with pytest.raises(ShapeError, match="accuracy: 2 true labels but 3 predictions"):
        accuracy([0, 1], [0, 1, 1])
    with pytest.raises(InputError, match="accuracy: y_true holds labels from -1 to 1"):
        accuracy([0, -1, 1], [0, 1, 1])
    with pytest.raises(ShapeError, match=r"accuracy: expected y_pred of shape \(n,\) with labels or \(n, k\)"):
        accuracy([0, 1], np.zeros((2, 1, 3)))
    assert math.isnan(accuracy([], []))


def test_confusion_matrix_by_hand():
    cm = confusion_matrix(Y_TRUE, Y_PRED)
    # rows: true class, columns: predicted class
    expected = [[1, 1, 0],   # true 0: one right, one predicted as 1
                [0, 2, 1],   # true 1: two right, one predicted as 2
                [0, 0, 1]]   # true 2: right
    np.testing.assert_array_equal(cm, expected)
    assert cm.dtype == np.int64
    assert cm.sum() == len(Y_TRUE) and np.trace(cm) == 4
    # transposing the arguments transposes the matrix
    np.testing.assert_array_equal(confusion_matrix(Y_PRED, Y_TRUE), np.transpose(expected))


def test_confusion_matrix_n_classes_and_inputs():
    cm = confusion_matrix(Y_TRUE, Y_PRED, n_classes=4)
    assert cm.shape == (4, 4) and cm[3].sum() == 0 and cm[:, 3].sum() == 0
    probs = np.eye(3)[Y_PRED] * 0.8 + 0.05
    np.testing.assert_array_equal(confusion_matrix(np.eye(3)[Y_TRUE], probs), confusion_matrix(Y_TRUE, Y_PRED))


def test_confusion_matrix_errors():
    with pytest.raises(ShapeError, match="confusion_matrix: 3 true labels but 2 predictions"):
        confusion_matrix([0, 0, 1], [0, 1])
    with pytest.raises(InputError, match=r"confusion_matrix: y_pred holds labels from 0 to 3, expected 0\.\.2"):
        confusion_matrix([0, 0, 1], [0, 1, 3], n_classes=3)
    with pytest.raises(InputError, match="confusion_matrix: y_true holds labels from -1"):
        confusion_matrix([0, -1, 1], [0, 1, 1])
    with pytest.raises(InputError, match="confusion_matrix: y_true must hold numbers, got dtype <U1"):
        confusion_matrix(np.array(["a", "b"]), [0, 1])
