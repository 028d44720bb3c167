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

import numpy as np


def rel_error(a, b) -> float:
    """Largest elementwise relative error between two arrays of the same shape."""
    a, b = np.asarray(a, dtype=np.float64), np.asarray(b, dtype=np.float64)
    if a.shape != b.shape:
        raise ValueError(f"rel_error: shapes differ, {a.shape} vs {b.shape}.")
    if a.size == 0:
        return 0.0
    return float(np.max(np.abs(a - b) / np.maximum(1e-8, np.abs(a) + np.abs(b))))


def numerical_gradient(f, x, h: float = 1e-5) -> np.ndarray:
    r"""Centred-difference gradient of a scalar function ``f()`` with respect to array ``x``.

    ``f`` takes no arguments and reads ``x``, which is nudged in place entry by
    entry and restored, so ``x`` may be a network's weight array. Returns an array
    shaped like ``x``. Use float64: in float32 the differences drown in rounding.
    """
    x = np.asarray(x)
    grad = np.zeros(x.shape, dtype=np.float64)
    it = np.nditer(x, flags=["multi_index"], op_flags=["readwrite"])
    while not it.finished:
        i = it.multi_index
        old = x[i]
        x[i] = old + h
        f_plus = float(f())
        x[i] = old - h
        f_minus = float(f())
        x[i] = old
        grad[i] = (f_plus - f_minus) / (2 * h)
        it.iternext()
    return grad


def numerical_gradient_array(f, x, dout, h: float = 1e-5) -> np.ndarray:
    r"""Numerical vector-Jacobian product: the gradient of :math:`\sum f(x) \odot \text{dout}` w.r.t. ``x``.

    Checks a layer's ``backward(dout)`` against its ``forward``; ``f`` takes no
    arguments and reads ``x`` (nudged in place and restored).
    """
    return numerical_gradient(lambda: np.sum(np.asarray(f()) * dout), x, h)


def derivative(g, z, h: float = 1e-5) -> np.ndarray:
    r"""Elementwise centred difference :math:`(g(z + h) - g(z - h)) / 2h` of a vectorized function."""
    z = np.asarray(z, dtype=np.float64)
    return (g(z + h) - g(z - h)) / (2 * h)


def check_layer_gradients(layer, X, seed=0, h: float = 1e-5) -> dict:
    """Worst relative error of a layer's ``backward`` (dX and every parameter) against
    finite differences, for a random upstream gradient. Returns ``{"X": err, "W": err, ...}``."""
    rng = np.random.default_rng(seed)
    X = np.array(X, dtype=np.float64)
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
    X = np.asarray(X, dtype=np.float64)
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
