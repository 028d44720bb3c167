r"""Layers: the building blocks a :class:`~nnlib.network.Network` stacks.

Every layer keeps the same contract (CS231n's):

* ``forward(X, training=False)`` takes X of shape (batch, n_in), returns the
  output of shape (batch, n_out) and keeps in ``cache`` what backward will need;
* ``backward(dout)`` takes dout = :math:`\partial C/\partial A`, shape (batch, n_out),
  returns :math:`\partial C/\partial X`, shape (batch, n_in), and sets ``grads``, which
  mirror ``params`` name for name and shape for shape. Each backward puts new arrays
  into ``grads``: read them after the backward pass you mean (``Network.parameters()``
  gives the current ones).

Rows are samples, columns are features: :math:`Z = XW + b`, never column vectors.
"""
from __future__ import annotations

import numbers

import numpy as np

from .activations import get_activation
from .initializers import default_initializer, get_initializer
from .validation import ShapeError, check_features, check_integer

__all__ = ["Layer", "Dense", "ActivationLayer", "Dropout"]


class Layer:
    """Base class. ``params`` and ``grads`` are dicts of arrays with equal keys and shapes."""

    #: Set to False on the first layer of a network: nobody needs dC/dX of the input
    #: data, and skipping it saves a third of that layer's backward work.
    needs_input_grad = True

    def __init__(self, name=None):
        self.name = name or type(self).__name__
        self.params: dict[str, np.ndarray] = {}
        self.grads: dict[str, np.ndarray] = {}
        self.cache = None

    def forward(self, X, training=False):
        raise NotImplementedError

    def backward(self, dout):
        raise NotImplementedError

    def initialize(self, rng):
        """(Re)draw the parameters from ``rng``; layers without parameters do nothing."""

    def __call__(self, X, training=False):
        return self.forward(X, training=training)

    def _cached(self, dout):
        """What forward kept, after checking that ``dout`` has the shape of forward's output."""
        if self.cache is None:
            raise RuntimeError(f"{self.name}.backward was called before forward: "
                               "run forward on a batch first, it keeps what backward needs.")
        expected = self.cache[-1].shape  # the output A is the last item of every cache
        if np.shape(dout) != expected:
            raise ShapeError(f"{self.name}.backward: expected dout of shape {expected} "
                             f"(like this layer's output), got {np.shape(dout)}.")
        return self.cache


class Dense(Layer):
    r"""A fully connected layer with an optional activation :math:`g`.

    Forward: :math:`Z = XW + b`, :math:`A = g(Z)`.

    * X: (batch, n_in); W: (n_in, n_out); b: (n_out,); Z, A: (batch, n_out).

    Backward, given dout = :math:`\partial C/\partial A` (lesson 6's four equations):

    * :math:`\delta = \partial C/\partial Z = \text{dout} \odot g'(Z)`  (batch, n_out)
    * :math:`\partial C/\partial W = X^T \delta`  (n_in, n_out)
    * :math:`\partial C/\partial b = \sum_{\text{rows}} \delta`  (n_out,)
    * :math:`\partial C/\partial X = \delta W^T`  (batch, n_in)
    """

    def __init__(self, n_in: int, n_out: int, activation=None, init=None, seed=None,
                 dtype=np.float64, name=None):
        where = name or "Dense"
        self.n_in = check_integer(n_in, "n_in", 1, where)
        self.n_out = check_integer(n_out, "n_out", 1, where)
        super().__init__(name or f"Dense({self.n_in}->{self.n_out})")
        self.dtype = _float_dtype(dtype, self.name)
        self.activation = get_activation(activation)
        self.init = init or default_initializer(self.activation.name)
        self.initialize(np.random.default_rng(seed))

    def initialize(self, rng):
        W = get_initializer(self.init)(self.n_in, self.n_out, rng, self.dtype)
        self.params = {"W": np.ascontiguousarray(W, dtype=self.dtype),
                       "b": np.zeros(self.n_out, dtype=self.dtype)}
        self.grads = {k: np.zeros_like(v) for k, v in self.params.items()}

    @property
    def W(self):
        return self.params["W"]

    @property
    def b(self):
        return self.params["b"]

    def forward(self, X, training=False):
        X = check_features(X, "X", self.n_in, where=f"{self.name}.forward", check_finite=False)
        Z = X @ self.W + self.b            # Z = XW + b
        A = self.activation.output(Z)      # A = g(Z)
        self.cache = (X, Z, A)
        return A

    def backward(self, dout):
        X, Z, A = self._cached(dout)
        delta = self.activation.backward(dout, Z, A)   # delta = dout * g'(Z)
        self.grads["W"] = X.T @ delta                  # dC/dW = X^T delta
        self.grads["b"] = delta.sum(axis=0)            # dC/db = sum of delta over the rows
        if not self.needs_input_grad:
            return None
        return delta @ self.W.T                        # dC/dX = delta W^T

    def __repr__(self):
        return f"Dense({self.n_in}, {self.n_out}, activation={self.activation.name!r}, init={self.init!r})"


def _float_dtype(dtype, where):
    try:
        dtype = np.dtype(dtype)
    except TypeError:
        dtype = None
    if dtype is None or dtype.kind != "f":
        raise TypeError(f"{where}: dtype must be a floating-point type such as np.float32 or "
                        f"np.float64 (weights are real numbers that gradient descent moves in small "
                        f"steps), got {dtype if dtype is not None else 'something that is no dtype'}.")
    return dtype


class ActivationLayer(Layer):
    r"""An activation on its own, as a layer: :math:`A = g(Z)`, backward :math:`\text{dout}\odot g'(Z)`.

    Z, A, dout: (batch, n). Useful to see the activation as its own step in the graph.
    """

    def __init__(self, activation, name=None):
        self.activation = get_activation(activation)
        super().__init__(name or f"Activation({self.activation.name})")

    def forward(self, X, training=False):
        Z = check_features(X, "Z", where=f"{self.name}.forward", check_finite=False)
        A = self.activation.output(Z)
        self.cache = (Z, A)
        return A

    def backward(self, dout):
        Z, A = self._cached(dout)
        return self.activation.backward(dout, Z, A)

    def __repr__(self):
        return f"ActivationLayer({self.activation.name!r})"


class Dropout(Layer):
    r"""Inverted dropout with drop probability ``p``.

    Training: each unit is kept with probability :math:`q = 1 - p` and scaled by
    :math:`1/q`: :math:`A = X \odot M / q` with :math:`M_{ij} \sim \text{Bernoulli}(q)`,
    so the expected output equals X. Evaluation (``training=False``): :math:`A = X`.
    Backward: :math:`\text{dout} \odot M / q` (or dout unchanged at evaluation).
    X, A, dout: (batch, n).
    """

    def __init__(self, p: float = 0.5, seed=None, name=None):
        super().__init__(name or f"Dropout({p})")
        if isinstance(p, (bool, np.bool_)) or not isinstance(p, numbers.Real) or not 0 <= p < 1:
            raise ValueError(f"{self.name}: drop probability p must be in [0, 1), got {p!r}.")
        self.p = float(p)
        self.rng = np.random.default_rng(seed)

    def initialize(self, rng):
        self.rng = np.random.default_rng(rng.integers(2**63))

    def forward(self, X, training=False):
        X = check_features(X, "X", where=f"{self.name}.forward", check_finite=False)
        if not training or self.p == 0:
            self.cache = (None, X)
            return X
        q = 1.0 - self.p
        mask = (self.rng.random(X.shape) < q).astype(X.dtype) / X.dtype.type(q)   # M / q
        A = X * mask
        self.cache = (mask, A)
        return A

    def backward(self, dout):
        mask, _ = self._cached(dout)
        return dout if mask is None else dout * mask

    def __repr__(self):
        return f"Dropout(p={self.p})"
