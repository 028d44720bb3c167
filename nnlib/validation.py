"""Input checks that turn numpy's surprises into errors a learner can act on.

Every public entry point of nnlib (a layer's ``forward``, a cost, ``Network.fit``)
runs its inputs through these helpers once, so bad input fails early with a
message that names the argument, says what was expected and what came.
"""
from __future__ import annotations

import numbers

import numpy as np

__all__ = ["ShapeError", "InputError", "ArgumentError", "as_array", "check_features", "check_labels",
           "is_label_vector", "check_integer", "check_positive_number", "check_bool"]


class ShapeError(ValueError):
    """An array has the wrong shape. The message names who expected what."""


class InputError(ValueError):
    """An array has the wrong dtype, holds NaN/inf, or labels out of range."""


class ArgumentError(TypeError, ValueError):
    """An argument of the wrong type (a float or str where an int belongs, a bool for a number).

    Both ``except TypeError`` and ``except ValueError`` catch it.
    """


def _who(where: str) -> str:
    return f"{where}: " if where else ""


def as_array(value, name: str = "X", where: str = "") -> np.ndarray:
    """``value`` as a numpy array of numbers (bool, integer or float), or a clear error.

    ``None``, ragged lists, strings, objects and complex numbers are refused: numpy would
    either fail with a message about its own internals or compute something meaningless.
    """
    who = _who(where)
    if value is None:
        raise InputError(f"{who}{name} is None: expected an array of numbers.")
    try:
        array = np.asarray(value)
    except (ValueError, TypeError) as err:  # ragged nested lists
        raise InputError(f"{who}{name} must be a rectangular array of numbers; numpy could not "
                         f"make one from it ({err}).") from None
    if array.dtype.kind == "c":
        raise InputError(f"{who}{name} must hold real numbers, got complex numbers "
                         f"(dtype {array.dtype}); use {name}.real if the imaginary parts are 0.")
    if array.dtype.kind not in "biuf":
        raise InputError(f"{who}{name} must hold numbers, got dtype {array.dtype} "
                         f"(e.g. {array.flat[0]!r})." if array.size else
                         f"{who}{name} must hold numbers, got dtype {array.dtype}.")
    return array


def check_features(X, name: str = "X", n_features: int | None = None, where: str = "",
                   check_finite: bool = True) -> np.ndarray:
    """Return ``X`` as a 2-D float array of shape (batch, features), or raise.

    Integer, boolean, complex, string and object arrays are refused (MNIST pixels as
    uint8 are the usual case: divide by 255 first); a 1-D array is refused with the
    reshape that fixes it, because guessing row vs column is how column-vector bugs start.
    """
    who = _who(where)
    X = as_array(X, name, where)
    if X.dtype.kind != "f":
        hint = (" (pixel values? use X.astype(np.float32) / 255)" if X.dtype == np.uint8
                else f" (convert with {name}.astype(np.float64))")
        raise InputError(f"{who}{name} must hold floating-point numbers, got dtype {X.dtype}{hint}.")
    if X.ndim != 2:
        expected = f"(batch, {n_features})" if n_features is not None else "(batch, features)"
        fix = f"; for one sample use {name}.reshape(1, -1)" if X.ndim == 1 else ""
        raise ShapeError(f"{who}expected {name} of shape {expected}, got shape {X.shape}{fix}.")
    if n_features is not None and X.shape[1] != n_features:
        raise ShapeError(
            f"{who}expected {name} of shape (batch, {n_features}), got shape {X.shape}: "
            f"{X.shape[1]} features where {n_features} were expected.")
    if check_finite and not np.isfinite(X).all():
        row, col = np.argwhere(~np.isfinite(X))[0]
        raise InputError(
            f"{who}{name} contains NaN or inf (first at row {row}, column {col}: "
            f"{X[row, col]}); clean or impute the data before training.")
    return X


def check_labels(y, n_classes: int | None = None, n_samples: int | None = None,
                 name: str = "y", where: str = "") -> np.ndarray:
    """Return integer class labels as a 1-D int64 array, or raise.

    Accepts integer arrays of shape (n,) or (n, 1), and float arrays that hold whole
    numbers. Labels must lie in ``0 .. n_classes - 1``.
    """
    who = _who(where)
    y = as_array(y, name, where)
    if y.ndim == 2 and y.shape[1] == 1:
        y = y[:, 0]
    if y.ndim != 1:
        raise ShapeError(f"{who}expected {name} as class labels of shape (n,), got shape {y.shape}.")
    if y.dtype.kind == "f":
        if not np.isfinite(y).all():
            raise InputError(f"{who}{name} contains NaN or inf, expected class labels 0, 1, 2, ...")
        if not np.all(y == np.round(y)):
            raise InputError(f"{who}{name} must hold whole-number class labels, got values such as "
                             f"{y[y != np.round(y)][0]}.")
        if y.size and np.abs(y).max() >= 2**53:
            raise InputError(f"{who}{name} holds {np.abs(y).max():.3g}, far too large for a class label.")
    if n_samples is not None and y.shape[0] != n_samples:
        raise ShapeError(f"{who}{name} has {y.shape[0]} labels but there are {n_samples} samples.")
    y = y.astype(np.int64, copy=False)
    if y.size and (y.min() < 0 or (n_classes is not None and y.max() >= n_classes)):
        expected = f"0..{n_classes - 1} for {n_classes} classes" if n_classes else "0 or more"
        raise InputError(f"{who}{name} holds labels from {y.min()} to {y.max()}, expected {expected}.")
    return y


def is_label_vector(y) -> bool:
    """True when ``y`` looks like integer class labels rather than target vectors."""
    y = np.asarray(y)
    return y.dtype.kind in "iu" and (y.ndim == 1 or (y.ndim == 2 and y.shape[1] == 1))


def check_integer(value, name: str, minimum: int = 1, where: str = "") -> int:
    """``value`` as an int of at least ``minimum``; bools, floats and strings are refused."""
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, numbers.Integral):
        raise ArgumentError(f"{_who(where)}{name} must be a whole number (int), "
                        f"got {value!r} of type {type(value).__name__}.")
    if value < minimum:
        raise ValueError(f"{_who(where)}{name} must be at least {minimum}, got {value}.")
    return int(value)


def check_positive_number(value, name: str, where: str = "", allow_zero: bool = False) -> float:
    """``value`` as a finite float > 0 (or >= 0 with ``allow_zero``); bools and strings are refused."""
    expected = "a number >= 0" if allow_zero else "a positive number"
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, numbers.Real):
        raise ArgumentError(f"{_who(where)}{name} must be {expected}, got {value!r} of type "
                            f"{type(value).__name__}.")
    number = float(value)
    if not np.isfinite(number) or number < 0 or (number == 0 and not allow_zero):
        raise ValueError(f"{_who(where)}{name} must be {expected}, got {value!r}.")
    return number


def check_bool(value, name: str, where: str = "") -> bool:
    """``value`` if it is True or False, else a TypeError."""
    if not isinstance(value, (bool, np.bool_)):
        raise ArgumentError(f"{_who(where)}{name} must be True or False, got {value!r}.")
    return bool(value)
