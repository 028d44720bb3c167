"""Input checks that turn numpy's surprises into errors a learner can act on.

Every public entry point of nnlib (a layer's ``forward``, a loss, ``Network.fit``)
runs its inputs through these helpers, so bad input fails early with a message
that says what was expected and what came.
"""
from __future__ import annotations

import numpy as np


class ShapeError(ValueError):
    """An array has the wrong shape. The message names who expected what."""


class InputError(ValueError):
    """An array has the wrong dtype, holds NaN/inf, or labels out of range."""


def check_features(X, name: str = "X", n_features: int | None = None, where: str = "",
                   check_finite: bool = True) -> np.ndarray:
    """Return ``X`` as a 2-D float array of shape (batch, features), or raise.

    Integer, boolean and object arrays are refused (MNIST pixels as uint8 are the
    usual case: divide by 255 first); a 1-D array is refused with the reshape that
    fixes it, because guessing row vs column is how column-vector bugs start.
    """
    who = f"{where}: " if where else ""
    X = np.asarray(X)
    if X.dtype.kind not in "f":
        hint = " (pixel values? use X.astype(np.float32) / 255)" if X.dtype == np.uint8 else ""
        if X.dtype.kind in "iub":
            hint = hint or f" (convert with {name}.astype(np.float64))"
        raise InputError(f"{who}{name} must hold floating-point numbers, got dtype {X.dtype}{hint}.")
    if X.ndim != 2:
        expected = f"(batch, {n_features})" if n_features is not None else "(batch, features)"
        fix = ""
        if X.ndim == 1:
            fix = f"; for one sample use {name}.reshape(1, -1)"
        raise ShapeError(f"{who}expected {name} of shape {expected}, got shape {X.shape}{fix}.")
    if n_features is not None and X.shape[1] != n_features:
        raise ShapeError(
            f"{who}expected {name} of shape (batch, {n_features}), got shape {X.shape}: "
            f"{X.shape[1]} features where {n_features} were expected.")
    if check_finite and not np.isfinite(X).all():
        bad = np.argwhere(~np.isfinite(X))[0]
        raise InputError(
            f"{who}{name} contains NaN or inf (first at row {bad[0]}, column {bad[1]}: "
            f"{X[bad[0], bad[1]]}); clean or impute the data before training.")
    return X


def check_labels(y, n_classes: int | None = None, n_samples: int | None = None,
                 name: str = "y", where: str = "") -> np.ndarray:
    """Return integer class labels as a 1-D int64 array, or raise.

    Accepts integer arrays of shape (n,) or (n, 1), and float arrays that hold whole
    numbers. Labels must lie in ``0 .. n_classes - 1``.
    """
    who = f"{where}: " if where else ""
    y = np.asarray(y)
    if y.ndim == 2 and y.shape[1] == 1:
        y = y[:, 0]
    if y.ndim != 1:
        raise ShapeError(f"{who}expected {name} as class labels of shape (n,), got shape {y.shape}.")
    if y.dtype.kind == "f":
        if not np.isfinite(y).all():
            raise InputError(f"{who}{name} contains NaN or inf.")
        if not np.all(y == np.round(y)):
            raise InputError(f"{who}{name} must hold whole-number class labels, got values such as "
                             f"{y[y != np.round(y)][0]}.")
    elif y.dtype.kind not in "iub":
        raise InputError(f"{who}{name} must hold integer class labels, got dtype {y.dtype}.")
    if n_samples is not None and y.shape[0] != n_samples:
        raise ShapeError(f"{who}{name} has {y.shape[0]} labels but there are {n_samples} samples.")
    y = y.astype(np.int64, copy=False)
    if y.size and (y.min() < 0 or (n_classes is not None and y.max() >= n_classes)):
        rng = f"0..{n_classes - 1}" if n_classes is not None else "0 or more"
        raise InputError(f"{who}{name} holds labels from {y.min()} to {y.max()}, expected {rng}"
                         f"{f' for {n_classes} classes' if n_classes else ''}.")
    return y


def is_label_vector(y) -> bool:
    """True when ``y`` looks like integer class labels rather than target vectors."""
    y = np.asarray(y)
    return y.dtype.kind in "iu" and (y.ndim == 1 or (y.ndim == 2 and y.shape[1] == 1))
