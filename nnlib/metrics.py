r"""How good are the predictions? Accuracy and the confusion matrix.

One rule turns a network's outputs into class labels (:func:`predicted_labels`):
the largest of k > 1 outputs wins (argmax), and one output :math:`p` means class 1
when :math:`p \ge 0.5`. ``Network.predict``, ``evaluate``, ``fit`` and the metrics
below all use it.
"""
from __future__ import annotations

import numpy as np

from .validation import InputError, ShapeError, as_array, check_integer, check_labels

__all__ = ["predicted_labels", "to_labels", "accuracy", "confusion_matrix"]


def predicted_labels(outputs) -> np.ndarray:
    r"""Class labels (n,) from outputs: argmax of rows (n, k > 1), :math:`p \ge 0.5` for (n, 1) or (n,)."""
    outputs = np.asarray(outputs)
    if outputs.ndim == 2 and outputs.shape[1] > 1:
        return outputs.argmax(axis=1)
    return (outputs.reshape(-1) >= 0.5).astype(np.int64)


def to_labels(y, name: str = "y", where: str = "") -> np.ndarray:
    """Class labels (n,) from labels, one-hot or probability rows (n, k), or probabilities of class 1.

    A vector (n,) or column (n, 1) holds labels when its values are whole numbers, and
    probabilities of class 1 when they lie in [0, 1]; anything else (2.5, NaN) is an error.
    """
    who = f"{where}: " if where else ""
    y = as_array(y, name, where)
    if y.ndim == 2 and y.shape[1] > 1:
        if not np.isfinite(y).all():
            raise InputError(f"{who}{name} contains NaN or inf, expected one-hot or probability rows.")
        return predicted_labels(y)
    if y.ndim == 2 and y.shape[1] == 1:
        y = y[:, 0]
    if y.ndim != 1:
        raise ShapeError(f"{who}expected {name} of shape (n,) with labels or (n, k) with one-hot or "
                         f"probability rows, got shape {y.shape}.")
    if y.dtype.kind == "f" and np.isfinite(y).all() and not np.all(y == np.round(y)):
        if y.min() >= 0 and y.max() <= 1:
            return predicted_labels(y)  # probabilities of class 1
        odd = y[(y != np.round(y))][0]
        raise InputError(f"{who}{name} holds {odd}, which is neither a class label (a whole number "
                         f"0, 1, 2, ...) nor a probability in [0, 1].")
    return check_labels(y, name=name, where=where)


def _paired_labels(y_true, y_pred, where):
    t, p = to_labels(y_true, "y_true", where), to_labels(y_pred, "y_pred", where)
    if t.shape != p.shape:
        raise ShapeError(f"{where}: {t.shape[0]} true labels but {p.shape[0]} predictions.")
    return t, p


def accuracy(y_true, y_pred) -> float:
    """Fraction of samples whose predicted class equals the true class (labels, one-hot or probabilities).

    Empty inputs give NaN (there is nothing to be right about).
    """
    t, p = _paired_labels(y_true, y_pred, "accuracy")
    return float(np.mean(t == p)) if t.size else float("nan")


def confusion_matrix(y_true, y_pred, n_classes: int | None = None) -> np.ndarray:
    """Counts ``M[i, j]`` = number of samples of true class i predicted as class j.

    Rows are true classes, columns predicted classes; the diagonal holds the
    correct predictions. Shape (n_classes, n_classes), dtype int64.
    """
    t, p = _paired_labels(y_true, y_pred, "confusion_matrix")
    if n_classes is None:
        k = int(max(t.max(initial=-1), p.max(initial=-1)) + 1)
    else:
        k = check_integer(n_classes, "n_classes", 1, "confusion_matrix")
    check_labels(t, k, name="y_true", where="confusion_matrix")
    check_labels(p, k, name="y_pred", where="confusion_matrix")
    return np.bincount(t * k + p, minlength=k * k).reshape(k, k)
