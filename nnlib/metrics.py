"""How good are the predictions? Accuracy and the confusion matrix."""
from __future__ import annotations

import numpy as np

from .validation import ShapeError, check_labels


def to_labels(y, name: str = "y", where: str = "") -> np.ndarray:
    """Class labels from labels (n,), one-hot or probability rows (n, k), or one probability column (n, 1)."""
    y = np.asarray(y)
    if y.ndim == 2 and y.shape[1] > 1:
        return y.argmax(axis=1)
    if y.ndim == 2:
        y = y[:, 0]
    if y.dtype.kind == "f" and y.size and not np.all(y == np.round(y)):
        return (y >= 0.5).astype(np.int64)  # probabilities of class 1
    return check_labels(y, name=name, where=where)


def accuracy(y_true, y_pred) -> float:
    """Fraction of samples whose predicted class equals the true class (labels, one-hot or probabilities)."""
    t, p = to_labels(y_true, "y_true", "accuracy"), to_labels(y_pred, "y_pred", "accuracy")
    if t.shape != p.shape:
        raise ShapeError(f"accuracy: {t.shape[0]} true labels but {p.shape[0]} predictions.")
    return float(np.mean(t == p)) if t.size else float("nan")


def confusion_matrix(y_true, y_pred, n_classes: int | None = None) -> np.ndarray:
    """Counts ``M[i, j]`` = number of samples of true class i predicted as class j.

    Rows are true classes, columns predicted classes; the diagonal holds the
    correct predictions. Shape (n_classes, n_classes), dtype int64.
    """
    t, p = to_labels(y_true, "y_true", "confusion_matrix"), to_labels(y_pred, "y_pred", "confusion_matrix")
    if t.shape != p.shape:
        raise ShapeError(f"confusion_matrix: {t.shape[0]} true labels but {p.shape[0]} predictions.")
    k = n_classes if n_classes is not None else int(max(t.max(initial=-1), p.max(initial=-1)) + 1)
    check_labels(t, k, name="y_true", where="confusion_matrix")
    check_labels(p, k, name="y_pred", where="confusion_matrix")
    return np.bincount(t * k + p, minlength=k * k).reshape(k, k)
