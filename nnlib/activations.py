r"""Activation functions, each paired with its derivative.

An activation :math:`g` turns a neuron's weighted input :math:`z = w \cdot x + b`
into its output :math:`a = g(z)`. Backpropagation needs :math:`g'(z)` as well, so
every function here lives next to its derivative (``sigmoid`` with
``sigmoid_prime``, ...) and both are bundled in an :class:`Activation` pair,
TensorFlow Playground style: ``ACTIVATIONS["sigmoid"].output(z)`` and
``ACTIVATIONS["sigmoid"].der(z)``. One test finite-differences every pair.

All functions are vectorized (any shape, applied elementwise, except softmax
which works on the last axis of a (batch, classes) array) and numerically
stable: inputs of +-1e4 give no overflow warnings.
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from .validation import as_array

__all__ = ["step", "step_prime", "identity", "identity_prime", "sigmoid", "sigmoid_prime", "tanh",
           "tanh_prime", "relu", "relu_prime", "leaky_relu", "leaky_relu_prime", "softmax",
           "softmax_prime", "elementwise_backward", "softmax_backward", "Activation", "ACTIVATIONS",
           "get_activation"]


def step(z):
    r"""Heaviside step: :math:`g(z) = 1` if :math:`z \ge 0` else :math:`0` (the perceptron's)."""
    z = as_array(z, "z", "step")
    return (z >= 0).astype(_float_dtype(z))


def step_prime(z):
    r""":math:`g'(z) = 0` everywhere it exists: why a step cannot be trained by gradient descent."""
    z = as_array(z, "z", "step_prime")
    return np.zeros_like(z, dtype=_float_dtype(z))


def identity(z):
    r""":math:`g(z) = z` (a linear neuron)."""
    return as_array(z, "z", "identity") * 1


def identity_prime(z):
    r""":math:`g'(z) = 1`."""
    z = as_array(z, "z", "identity_prime")
    return np.ones_like(z, dtype=_float_dtype(z))


def sigmoid(z):
    r"""Logistic sigmoid :math:`\sigma(z) = 1 / (1 + e^{-z})`.

    Computed as :math:`\tfrac12(1 + \tanh(z/2))`, the same function with no
    ``exp`` overflow for large :math:`|z|`.
    """
    z = as_array(z, "z", "sigmoid")
    return 0.5 * (1.0 + np.tanh(0.5 * z))


def sigmoid_prime(z):
    r""":math:`\sigma'(z) = \sigma(z)\,(1 - \sigma(z))`, at most 0.25 (at :math:`z = 0`)."""
    s = sigmoid(z)
    return s * (1.0 - s)


def tanh(z):
    r"""Hyperbolic tangent :math:`\tanh(z) = (e^z - e^{-z}) / (e^z + e^{-z})`, in (-1, 1)."""
    return np.tanh(as_array(z, "z", "tanh"))


def tanh_prime(z):
    r""":math:`\tanh'(z) = 1 - \tanh^2(z)`."""
    a = tanh(z)
    return 1.0 - a * a


def relu(z):
    r"""Rectified linear unit :math:`\mathrm{relu}(z) = \max(0, z)`."""
    z = as_array(z, "z", "relu")
    return np.maximum(z, 0)


def relu_prime(z):
    r""":math:`\mathrm{relu}'(z) = 1` if :math:`z > 0` else :math:`0` (we take 0 at the kink)."""
    z = as_array(z, "z", "relu_prime")
    return (z > 0).astype(_float_dtype(z))


def leaky_relu(z, alpha: float = 0.01):
    r"""Leaky ReLU :math:`g(z) = z` if :math:`z > 0` else :math:`\alpha z` (default :math:`\alpha = 0.01`)."""
    z = as_array(z, "z", "leaky_relu")
    return np.where(z > 0, z, alpha * z)


def leaky_relu_prime(z, alpha: float = 0.01):
    r""":math:`g'(z) = 1` if :math:`z > 0` else :math:`\alpha`."""
    z = as_array(z, "z", "leaky_relu_prime")
    return np.where(z > 0, 1.0, alpha).astype(_float_dtype(z))


def softmax(z):
    r"""Softmax over the last axis: :math:`\mathrm{softmax}(z)_k = e^{z_k} / \sum_j e^{z_j}`.

    Each row becomes a probability distribution (positive, summing to 1). We subtract
    the row maximum first: :math:`\mathrm{softmax}(z - c) = \mathrm{softmax}(z)`, and
    with :math:`c = \max_j z_j` no exponent exceeds 0, so nothing overflows.
    """
    z = as_array(z, "z", "softmax")
    e = np.exp(z - z.max(axis=-1, keepdims=True))
    return e / e.sum(axis=-1, keepdims=True)


def softmax_prime(z):
    r"""The softmax Jacobian :math:`\partial s_i / \partial z_j = s_i(\delta_{ij} - s_j)`.

    Softmax mixes the entries of a row, so its derivative is a matrix per row:
    shape (..., k) in, (..., k, k) out. Backpropagation never builds it; see
    :func:`softmax_backward`.
    """
    s = softmax(z)
    return s[..., :, None] * (np.eye(s.shape[-1], dtype=s.dtype) - s[..., None, :])


def elementwise_backward(der):
    """The chain rule for an elementwise activation: :math:`\\delta = \\text{dout} \\odot g'(z)`."""
    def backward(dout, z, a):
        return dout * der(z)
    return backward


def softmax_backward(dout, z, s):
    r"""Vector-Jacobian product of softmax: :math:`\delta = s \odot (\text{dout} - \sum_j \text{dout}_j s_j)`.

    The same as ``dout @ softmax_prime(z)`` row by row, without the (k, k) matrices.
    """
    return s * (dout - (dout * s).sum(axis=-1, keepdims=True))


@dataclass(frozen=True)
class Activation:
    """An activation function and its derivative, kept together.

    ``output(z)`` is :math:`g(z)`; ``der(z)`` is :math:`g'(z)` (for softmax the
    Jacobian); ``backward(dout, z, a)`` applies the chain rule, given the upstream
    gradient ``dout`` = dL/da, the input ``z`` and the output ``a``, and returns dL/dz.
    """
    name: str
    output: Callable
    der: Callable
    backward: Callable

    def __call__(self, z):
        return self.output(z)


def _pair(name, f, fprime):
    return Activation(name, f, fprime, elementwise_backward(fprime))


ACTIVATIONS = {
    "step": _pair("step", step, step_prime),
    "identity": Activation("identity", identity, identity_prime, lambda dout, z, a: dout),  # g' = 1
    "sigmoid": _pair("sigmoid", sigmoid, sigmoid_prime),
    "tanh": _pair("tanh", tanh, tanh_prime),
    "relu": _pair("relu", relu, relu_prime),
    "leaky_relu": _pair("leaky_relu", leaky_relu, leaky_relu_prime),
    "softmax": Activation("softmax", softmax, softmax_prime, softmax_backward),
}
ACTIVATIONS["linear"] = ACTIVATIONS["identity"]


def get_activation(activation) -> Activation:
    """Look up an activation by name (``"relu"``), pass an :class:`Activation` through,
    and treat ``None`` as the identity."""
    if activation is None:
        return ACTIVATIONS["identity"]
    if isinstance(activation, Activation):
        return activation
    if isinstance(activation, str) and activation.lower() in ACTIVATIONS:
        return ACTIVATIONS[activation.lower()]
    names = ", ".join(sorted(ACTIVATIONS))
    raise ValueError(f"unknown activation {activation!r}; choose one of: {names}.")


def _float_dtype(z):
    return z.dtype if z.dtype.kind == "f" else np.float64
