r"""One artificial neuron: a weighted sum, a bias, an activation.

.. math:: z = w \cdot x + b = \sum_i w_i x_i + b, \qquad a = g(z)

For a batch X of shape (batch, n) the same formula reads :math:`z = Xw + b`,
with w of shape (n,) and z of shape (batch,).
"""
from __future__ import annotations

import numpy as np

from .activations import get_activation
from .validation import InputError, ShapeError, as_array

__all__ = ["weighted_sum", "Neuron"]


def weighted_sum(x, w, b):
    r""":math:`z = w \cdot x + b`. x: (n,) gives a number; x: (batch, n) gives (batch,)."""
    x = as_array(x, "x", "weighted_sum").astype(np.float64)
    w = as_array(w, "w", "weighted_sum").astype(np.float64)
    b = as_array(b, "b", "weighted_sum")
    if w.ndim != 1:
        raise ShapeError(f"weighted_sum: expected weights of shape (n,), got {w.shape}.")
    if x.shape[-1:] != w.shape or x.ndim > 2:
        raise ShapeError(f"weighted_sum: expected x of shape ({w.size},) or (batch, {w.size}) "
                         f"to match {w.size} weights, got {x.shape}.")
    return x @ w + b


class Neuron:
    """A single neuron with weights ``w`` (n,), bias ``b`` and an activation.

    ``Neuron([1.0, -2.0], 0.5, "sigmoid").forward([3.0, 1.0])`` gives
    :math:`\\sigma(1\\cdot 3 - 2 \\cdot 1 + 0.5)`.
    """

    def __init__(self, w, b=0.0, activation="sigmoid"):
        self.w = as_array(w, "w", "Neuron").astype(np.float64).reshape(-1)
        self.b = float(as_array(b, "b", "Neuron")) if np.size(b) == 1 else None
        if self.b is None:
            raise ShapeError(f"Neuron: the bias b is one number, got shape {np.shape(b)}.")
        if not np.isfinite(self.w).all() or not np.isfinite(self.b):
            raise InputError("Neuron: weights and bias must be finite numbers.")
        self.activation = get_activation(activation)

    def weighted_sum(self, x):
        return weighted_sum(x, self.w, self.b)

    def forward(self, x):
        """The neuron's output :math:`a = g(w\\cdot x + b)`: a number for one sample (n,), (batch,) for a batch."""
        a = self.activation.output(np.asarray(self.weighted_sum(x)))
        return float(a) if np.ndim(a) == 0 else a

    __call__ = forward

    def classify(self, x, threshold=None):
        """Class 1 where the output reaches ``threshold``; by default where :math:`z = w\\cdot x + b \\ge 0`.

        For the (increasing) activations the default is the same as the output reaching
        :math:`g(0)`: 0.5 for sigmoid and step, 0 for tanh and identity; for ReLU, whose
        output is never below 0, only the ``z`` test separates the classes.
        """
        if threshold is None:
            return (np.asarray(self.weighted_sum(x)) >= 0).astype(np.int64)
        return (np.asarray(self.forward(x)) >= threshold).astype(np.int64)

    def __repr__(self):
        return f"Neuron(w={self.w.tolist()}, b={self.b}, activation={self.activation.name!r})"
