r"""Layers: the building blocks a :class:`~nnlib.network.Network` stacks.

Every layer keeps the same contract (CS231n's):

* ``forward(X, training=False)`` takes X of shape (batch, n_in), returns the
  output of shape (batch, n_out) and keeps in a cache what backward will need;
* ``backward(dout)`` takes dout = dC/d(output), shape (batch, n_out), returns
  dX = dC/dX, shape (batch, n_in), and fills ``grads``, which mirror ``params``
  name for name and shape for shape. Each backward overwrites ``grads`` in place:
  copy them (``layer.grads["W"].copy()``) to keep the values of an earlier batch.

Rows are samples, columns are features: :math:`Z = XW + b`, never column vectors.
"""
from __future__ import annotations

import numpy as np

from .activations import get_activation
from .initializers import default_initializer, get_initializer
from .validation import ShapeError, check_features


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

    def _check_dout(self, dout, expected_shape):
        if np.shape(dout) != expected_shape:
            raise ShapeError(f"{self.name}.backward: expected dout of shape {expected_shape} "
                             f"(like this layer's output), got {np.shape(dout)}.")
        return dout

    def _need_cache(self):
        if self.cache is None:
            raise RuntimeError(f"{self.name}.backward was called before forward: "
                               "run forward on a batch first, it keeps what backward needs.")
        return self.cache


class Dense(Layer):
    r"""A fully connected layer with an optional activation :math:`g`.

    Forward: :math:`Z = XW + b`, :math:`A = g(Z)`.

    * X: (batch, n_in); W: (n_in, n_out); b: (n_out,); Z, A: (batch, n_out).

    Backward, given dout = :math:`\partial C/\partial A`:

    * :math:`\delta = \partial C/\partial Z = \text{dout} \odot g'(Z)`  (batch, n_out)
    * :math:`\partial C/\partial W = X^T \delta`  (n_in, n_out)
    * :math:`\partial C/\partial b = \sum_{\text{batch}} \delta`  (n_out,)
    * :math:`\partial C/\partial X = \delta W^T`  (batch, n_in)
    """

    def __init__(self, n_in: int, n_out: int, activation=None, init=None, seed=None,
                 dtype=np.float64, name=None):
        super().__init__(name or f"Dense({n_in}->{n_out})")
        if int(n_in) < 1 or int(n_out) < 1:
            raise ValueError(f"{self.name}: n_in and n_out must be at least 1, got {n_in}, {n_out}.")
        self.n_in, self.n_out = int(n_in), int(n_out)
        self.activation = get_activation(activation)
        self.init = init or default_initializer(self.activation.name)
        self.dtype = np.dtype(dtype)
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
        return self._forward(X)

    def _forward(self, X):
        Z = X @ self.params["W"]
        Z += self.params["b"]
        A = Z if self.activation.name == "identity" else self.activation.output(Z)
        self.cache = (X, Z, A)
        return A

    def backward(self, dout):
        X, Z, A = self._need_cache()
        self._check_dout(dout, A.shape)
        delta = dout if self.activation.name == "identity" else self.activation.backward(dout, Z, A)
        # written into the arrays grads already holds: a fresh (n_in, n_out) array every
        # batch would cost as much as the product itself (the memory is new to the process)
        np.matmul(X.T, delta, out=self._grad("W"))
        np.sum(delta, axis=0, out=self._grad("b"))
        return delta @ self.params["W"].T if self.needs_input_grad else None

    def _grad(self, name):
        """``grads[name]``, made anew if ``params[name]`` has been replaced by another shape or dtype."""
        g, p = self.grads.get(name), self.params[name]
        if g is None or g.shape != p.shape or g.dtype != p.dtype:
            g = self.grads[name] = np.zeros_like(p)
        return g

    def __repr__(self):
        return f"Dense({self.n_in}, {self.n_out}, activation={self.activation.name!r}, init={self.init!r})"


class ActivationLayer(Layer):
    r"""An activation on its own, as a layer: :math:`A = g(Z)`, backward :math:`\text{dout}\odot g'(Z)`.

    Z, A, dout: (batch, n). Useful to see the activation as its own step in the graph.
    """

    def __init__(self, activation, name=None):
        self.activation = get_activation(activation)
        super().__init__(name or f"Activation({self.activation.name})")

    def forward(self, X, training=False):
        X = check_features(X, "Z", where=f"{self.name}.forward", check_finite=False)
        A = self.activation.output(X)
        self.cache = (X, A)
        return A

    def backward(self, dout):
        Z, A = self._need_cache()
        self._check_dout(dout, A.shape)
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
        if not 0 <= p < 1:
            raise ValueError(f"{self.name}: drop probability p must be in [0, 1), got {p}.")
        self.p = float(p)
        self.rng = np.random.default_rng(seed)

    def initialize(self, rng):
        self.rng = np.random.default_rng(rng.integers(2**63))

    def forward(self, X, training=False):
        X = check_features(X, "X", where=f"{self.name}.forward", check_finite=False)
        if not training or self.p == 0:
            self.cache = (None, X.shape)
            return X
        q = 1.0 - self.p
        mask = (self.rng.random(X.shape) < q).astype(X.dtype) / X.dtype.type(q)
        self.cache = (mask, X.shape)
        return X * mask

    def backward(self, dout):
        mask, shape = self._need_cache()
        self._check_dout(dout, shape)
        return dout if mask is None else dout * mask

    def __repr__(self):
        return f"Dropout(p={self.p})"
