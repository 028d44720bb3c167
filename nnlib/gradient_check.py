r"""Numerical gradient checking: the learner's best friend.

A derivative can be estimated without calculus by nudging the input both ways
(centred differences):

.. math:: \frac{\partial f}{\partial x_i} \approx \frac{f(x + h e_i) - f(x - h e_i)}{2h}

with error :math:`O(h^2)`. Comparing this estimate with a hand-derived gradient
through the relative error

.. math:: \text{rel\_error}(a, b) = \max_i \frac{|a_i - b_i|}{\max(10^{-8}, |a_i| + |b_i|)}

catches almost every backprop bug. In float64 with :math:`h = 10^{-5}`, a
correct gradient gives about 1e-7 or less; 1e-2 or more means a bug.
"""
from __future__ import annotations

import inspect

import numpy as np

from .validation import InputError, as_array, check_positive_number

__all__ = ["rel_error", "numerical_gradient", "numerical_gradient_array", "derivative",
           "check_layer_gradients", "check_network_gradients", "format_gradient_report"]


def rel_error(a, b) -> float:
    """Largest elementwise relative error between two arrays of the same shape."""
    a = as_array(a, "a", "rel_error").astype(np.float64)
    b = as_array(b, "b", "rel_error").astype(np.float64)
    if a.shape != b.shape:
        raise ValueError(f"rel_error: shapes differ, {a.shape} vs {b.shape}.")
    if a.size == 0:
        return 0.0
    return float(np.max(np.abs(a - b) / np.maximum(1e-8, np.abs(a) + np.abs(b))))


def numerical_gradient(f, x, h: float = 1e-5) -> np.ndarray:
    r"""Centred-difference gradient of a scalar function with respect to the array ``x``.

    Two forms, both :math:`\partial f/\partial x_i \approx (f(x + h e_i) - f(x - h e_i)) / 2h`:

    * ``f()`` takes no arguments and reads ``x`` (e.g. a network's weight array): ``x`` is
      nudged in place entry by entry and always restored, even when ``f`` raises. ``x`` must
      then be a float numpy array (a list or an int array cannot be nudged by ``h``).
    * ``f(x)`` takes the array (the exercise's form): it gets a float copy of ``x``, nudged;
      ``x`` itself is never changed.

    Returns a float64 array shaped like ``x``. Use float64: in float32 the differences drown
    in rounding.
    """
    h = check_positive_number(h, "h", "numerical_gradient")
    takes_x = _takes_one_argument(f)
    if takes_x:
        x = np.array(as_array(x, "x", "numerical_gradient"), dtype=np.float64)
    elif not isinstance(x, np.ndarray) or x.dtype.kind != "f":
        got = f"a {type(x).__name__}" if not isinstance(x, np.ndarray) else f"an array of dtype {x.dtype}"
        raise InputError(f"numerical_gradient: f() reads x, so x must be the float array it reads "
                         f"(nudged in place by h = {h:g}), got {got}. Make x a float array first "
                         "(x = np.asarray(x, dtype=float)) and let f read it, or give f an argument: "
                         "f(x).")
    evaluate = (lambda: f(x)) if takes_x else f
    grad = np.zeros(x.shape, dtype=np.float64)
    for i in np.ndindex(x.shape):
        old = x[i]
        try:
            x[i] = old + h
            f_plus = _number(evaluate())
            x[i] = old - h
            f_minus = _number(evaluate())
        finally:
            x[i] = old
        grad[i] = (f_plus - f_minus) / (2 * h)
    return grad


def _takes_one_argument(f) -> bool:
    """True when ``f`` must be called as ``f(x)``, False when ``f()`` works."""
    if not callable(f):
        raise TypeError(f"numerical_gradient: f must be a function, got {f!r}.")
    try:
        signature = inspect.signature(f)
    except (TypeError, ValueError):  # some builtins have none: call them as f()
        return False
    try:
        signature.bind()
        return False
    except TypeError:
        return True


def _number(value) -> float:
    value = np.asarray(value)
    if value.size != 1 or value.dtype.kind not in "biuf":
        raise InputError(f"numerical_gradient: f must return one real number (the cost), got "
                         f"{'an array of shape ' + str(value.shape) if value.size != 1 else value.dtype}.")
    return float(value.reshape(()))


def numerical_gradient_array(f, x, dout, h: float = 1e-5) -> np.ndarray:
    r"""Numerical vector-Jacobian product: the gradient of :math:`\sum f(x) \odot \text{dout}` w.r.t. ``x``.

    Checks a layer's ``backward(dout)`` against its ``forward``; ``f`` takes no
    arguments and reads ``x`` (nudged in place and restored).
    """
    return numerical_gradient(lambda: np.sum(np.asarray(f()) * dout), x, h)


def derivative(g, z, h: float = 1e-5) -> np.ndarray:
    r"""Elementwise centred difference :math:`(g(z + h) - g(z - h)) / 2h` of a vectorized function."""
    z = as_array(z, "z", "derivative").astype(np.float64)
    return (g(z + h) - g(z - h)) / (2 * h)


def check_layer_gradients(layer, X, seed=0, h: float = 1e-5) -> dict:
    """Worst relative error of a layer's ``backward`` (dX and every parameter) against
    finite differences, for a random upstream gradient. Returns ``{"X": err, "W": err, ...}``."""
    rng = np.random.default_rng(seed)
    X = as_array(X, "X", "check_layer_gradients").astype(np.float64)
    out = layer.forward(X, training=False)
    dout = rng.standard_normal(out.shape)
    layer.forward(X, training=False)
    dX = layer.backward(dout)
    analytic = {name: g.copy() for name, g in layer.grads.items()}
    errors = {}
    if dX is not None:
        errors["X"] = rel_error(dX, numerical_gradient_array(lambda: layer.forward(X), X, dout, h))
    for name, p in layer.params.items():
        errors[name] = rel_error(analytic[name], numerical_gradient_array(lambda: layer.forward(X), p, dout, h))
    return errors


def check_network_gradients(network, X, y, h: float = 1e-5, verbose: bool = False) -> dict:
    """Compare backpropagation with finite differences on every parameter of a network.

    Returns ``{"layer0.W": worst relative error, ...}``. Use a small float64
    network and a handful of samples (each parameter costs two forward passes);
    dropout layers must be off (this runs in evaluation mode).
    """
    X = as_array(X, "X", "check_network_gradients").astype(np.float64)
    network.compute_gradients(X, y, training=False)
    analytic = {k: g.copy() for k, _, g in network.parameters()}
    errors = {}
    for key, p, _ in network.parameters():
        num = numerical_gradient(lambda: network.loss(X, y), p, h)
        errors[key] = rel_error(analytic[key], num)
    if verbose:
        print(format_gradient_report(errors))
    return errors


def format_gradient_report(errors: dict, tolerance: float = 1e-6) -> str:
    """A small table: parameter, worst relative error, and whether it passes."""
    lines = [f"{'parameter':<14}{'worst rel. error':>18}  verdict"]
    for k, e in errors.items():
        lines.append(f"{k:<14}{e:>18.2e}  {'ok' if e < tolerance else 'CHECK THIS'}")
    return "\n".join(lines)
