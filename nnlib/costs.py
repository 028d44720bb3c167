r"""Cost (loss) functions, each paired with its gradient, Nielsen style.

A cost :math:`C` measures how far the network's output :math:`a` is from the
target :math:`y`, averaged over the :math:`n` samples of a batch. Each cost here
is an object with

* ``value(a, y)``  -- the scalar :math:`C`,
* ``gradient(a, y)`` -- :math:`\partial C / \partial a`, same shape as ``a``,
* ``output(z)`` -- what the network's last layer output means as a prediction
  (the identity, or softmax/sigmoid for the fused costs below).

Both take the outputs ``a`` (n, k) and the targets ``y`` as they come: ``prepare``
turns integer labels into one-hot rows with :func:`prepare_targets` (the one place
where targets are checked, also for ``Network.fit``) and rejects targets (or outputs)
the cost cannot take. Then each cost is two formulas on the prepared arrays,
``formula(a, y)`` for :math:`C` and ``formula_gradient(a, y)`` for its gradient; that
is all a cost class writes, and what ``Network.fit`` calls batch after batch on targets
it prepared once.

Conventions (the notebooks use the same):

* mean squared error keeps the factor 1/2:
  :math:`C = \frac{1}{2n}\sum_i \lVert a_i - y_i \rVert^2`, so
  :math:`\partial C/\partial a_i = (a_i - y_i)/n`.
* cross-entropies are averaged over the batch and use the natural log.
* ``softmax_cross_entropy`` and ``sigmoid_cross_entropy`` take the *logits*
  :math:`z` (the last layer has no activation) and fuse the activation with the
  cost, whose gradient is then simply :math:`(\hat p - y)/n`: stable for any
  :math:`z`, and the reason cross-entropy learns fast where squared error stalls.

Targets: categorical costs take integer labels of shape (n,) or one-hot (n, k);
binary costs take 0/1 of shape (n,) or (n, 1); MSE takes the output's shape (an
integer label vector is one-hot encoded for a k-output network).
"""
from __future__ import annotations

import numpy as np

from .activations import sigmoid, softmax
from .validation import InputError, ShapeError, as_array, check_integer, check_labels, is_label_vector

__all__ = ["Cost", "MeanSquaredError", "BinaryCrossEntropy", "CategoricalCrossEntropy",
           "SoftmaxCrossEntropy", "SigmoidCrossEntropy", "COSTS", "get_cost", "one_hot",
           "prepare_targets", "log_softmax", "mse", "binary_cross_entropy", "categorical_cross_entropy",
           "softmax_cross_entropy", "sigmoid_cross_entropy"]

EPS = 1e-12  # keeps log() finite when a probability is exactly 0 or 1


def one_hot(y, n_classes: int, dtype=np.float64) -> np.ndarray:
    """Labels (n,) -> one-hot rows (n, n_classes): row i has a 1 in column y[i]."""
    n_classes = check_integer(n_classes, "n_classes", 1, "one_hot")
    y = check_labels(y, n_classes, where="one_hot")
    out = np.zeros((y.shape[0], n_classes), dtype=dtype)
    out[np.arange(y.shape[0]), y] = 1
    return out


def prepare_targets(y, n_samples: int, n_outputs: int, dtype=np.float64, name: str = "y",
                    where: str = "") -> np.ndarray:
    """Targets as float rows (n_samples, n_outputs), like the outputs they are compared with.

    Integer labels (n,) or (n, 1) become one-hot rows when there are several outputs;
    anything else must already have the outputs' shape ((n,) counts as (n, 1)) and be finite.
    Raises :class:`ShapeError` / :class:`InputError` naming ``name`` and what was expected.
    """
    who = f"{where}: " if where else ""
    y = as_array(y, name, where)
    n, k = n_samples, n_outputs
    if y.ndim == 0:
        raise ShapeError(f"{who}expected {name} with one row per sample ({n} rows), "
                         f"got a single number ({y}).")
    if y.shape[0] != n:
        raise ShapeError(f"{who}{name} has {y.shape[0]} rows but there are {n} samples.")
    if is_label_vector(y) and k > 1:
        return one_hot(check_labels(y, k, name=name, where=where), k, dtype=dtype)
    shape = y.shape
    if y.ndim == 1:
        y = y[:, None]
    if y.shape != (n, k):
        hint = (f" (class labels must be integers: use {name}.astype(int))"
                if len(shape) == 1 and y.dtype.kind == "f" and k > 1 else "")
        labels = f"({n},) with labels or " if k > 1 else f"({n},) or "
        raise ShapeError(f"{who}expected {name} of shape {labels}({n}, {k}) like the outputs, "
                         f"got shape {shape} of dtype {y.dtype}{hint}.")
    if not np.isfinite(y).all():
        raise InputError(f"{who}{name} contains NaN or inf.")
    return y.astype(dtype, copy=False)


class Cost:
    """Base class: ``value``, ``gradient``, the output link ``output`` and ``prepare``."""
    name = "cost"
    #: True when the cost expects the last layer's raw output z (logits).
    takes_logits = False
    #: True when the targets must be probabilities (0/1 labels, one-hot or soft targets).
    probability_targets = False

    def prepare(self, a, y):
        """``(a, y)`` as float arrays (n, k) of equal shape, or an error that says what is wrong."""
        a = as_array(a, "the outputs a", self.name)
        if a.ndim == 1:
            a = a[:, None]
        if a.ndim != 2:
            raise ShapeError(f"{self.name}: expected predictions of shape (batch, outputs), got {a.shape}.")
        if a.dtype.kind != "f":
            a = a.astype(np.float64)
        y = prepare_targets(y, a.shape[0], a.shape[1], a.dtype, name="y", where=self.name)
        self.check_targets(y)
        self.check_outputs(a)
        return a, y

    def check_targets(self, y, name="y", where=None):
        """Raise if this cost cannot take the prepared targets ``y`` (n, k)."""
        if self.probability_targets and y.size and (y.min() < 0 or y.max() > 1):
            who = f"{where}: {name}: {self.name}" if where else f"{self.name}: {name}:"
            raise InputError(f"{who} targets must lie in [0, 1] (labels 0/1 or one-hot), got values "
                             f"from {y.min()} to {y.max()}.")

    def check_outputs(self, a):
        """Raise if this cost cannot take the outputs ``a`` (n, k); the base class takes any."""

    def output(self, z):
        """Turn the last layer's output into the prediction (identity by default)."""
        return z

    def value(self, a, y) -> float:
        """The cost :math:`C` (a float) of outputs ``a`` for targets ``y``, checked."""
        a, y = self.prepare(a, y)
        return float(self.formula(a, y))

    def gradient(self, a, y):
        r""":math:`\partial C/\partial a`, shaped like ``a``, checked."""
        prepared, y = self.prepare(a, y)
        return self.formula_gradient(prepared, y).reshape(np.shape(a))

    def value_and_gradient(self, a, y):
        """Both at once, with the inputs checked once: ``(value(a, y), gradient(a, y))``."""
        prepared, y = self.prepare(a, y)
        value, gradient = self.formula_and_gradient(prepared, y)
        return float(value), gradient.reshape(np.shape(a))

    def formula_and_gradient(self, a, y):
        """``(formula(a, y), formula_gradient(a, y))``; a cost may share work between the two."""
        return self.formula(a, y), self.formula_gradient(a, y)

    def formula(self, a, y):
        """:math:`C` on prepared arrays (what :meth:`prepare` returns): the cost's formula."""
        raise NotImplementedError

    def formula_gradient(self, a, y):
        r""":math:`\partial C/\partial a` on prepared arrays: the formula of the gradient."""
        raise NotImplementedError

    def __call__(self, a, y):
        return self.value(a, y)

    def __repr__(self):
        return f"{type(self).__name__}()"


def _need_classes(cost, a):
    if a.shape[1] < 2:
        raise ShapeError(f"{cost.name}: a softmax over one output is always 1, so this cost would "
                         "always be 0. Give the last layer one output per class (2 or more), or for "
                         "two classes use one output with sigmoid_cross_entropy.")


class MeanSquaredError(Cost):
    r""":math:`C = \frac{1}{2n}\sum_i \lVert a_i - y_i\rVert^2`; :math:`\partial C/\partial a = (a - y)/n`."""
    name = "mse"

    def formula(self, a, y):
        return 0.5 * np.sum((a - y) ** 2) / len(a)

    def formula_gradient(self, a, y):
        return (a - y) / len(a)


class BinaryCrossEntropy(Cost):
    r"""For probabilities :math:`p = a \in [0, 1]` (a sigmoid output):
    :math:`C = -\frac1n\sum_i [y_i \ln p_i + (1 - y_i)\ln(1 - p_i)]`,
    :math:`\partial C/\partial p = \frac1n \frac{p - y}{p(1 - p)}`."""
    name = "binary_cross_entropy"
    probability_targets = True

    def check_outputs(self, a):
        if a.size and (a.min() < 0 or a.max() > 1):
            raise InputError(f"{self.name} needs probabilities in [0, 1] (a sigmoid output), got "
                             f"outputs from {a.min():.3g} to {a.max():.3g}: give the last layer "
                             "activation='sigmoid', or use sigmoid_cross_entropy on logits.")

    def formula(self, a, y):
        p = np.clip(a, EPS, 1 - EPS)
        return -np.sum(y * np.log(p) + (1 - y) * np.log(1 - p)) / len(p)

    def formula_gradient(self, a, y):
        p = np.clip(a, EPS, 1 - EPS)
        return (p - y) / (p * (1 - p)) / len(p)


class CategoricalCrossEntropy(Cost):
    r"""For probability rows :math:`p_i` (softmax outputs, each row summing to 1):
    :math:`C = -\frac1n \sum_i \sum_k y_{ik} \ln p_{ik}`, :math:`\partial C/\partial p = -\frac1n\, y / p`."""
    name = "categorical_cross_entropy"
    probability_targets = True

    def check_outputs(self, a):
        _need_classes(self, a)
        sums = a.sum(axis=1)
        if a.size and (a.min() < 0 or a.max() > 1 or np.abs(sums - 1).max() > 1e-3):
            raise InputError(
                f"{self.name} needs probability rows (each in [0, 1], summing to 1: a softmax "
                f"output), got outputs from {a.min():.3g} to {a.max():.3g} with row sums from "
                f"{sums.min():.3g} to {sums.max():.3g}. Give the last layer activation='softmax', "
                "or better, no activation and loss='softmax_cross_entropy' (on logits).")

    def formula(self, a, y):
        p = np.clip(a, EPS, 1.0)
        return -np.sum(y * np.log(p)) / len(p)

    def formula_gradient(self, a, y):
        p = np.clip(a, EPS, 1.0)
        return -y / p / len(p)


def log_softmax(z):
    r""":math:`\ln \mathrm{softmax}(z)` row by row, :math:`z - \max z - \ln\sum_k e^{z_k - \max z}`: no overflow."""
    shifted = z - z.max(axis=1, keepdims=True)
    return shifted - np.log(np.exp(shifted).sum(axis=1, keepdims=True))


class SoftmaxCrossEntropy(Cost):
    r"""Softmax and categorical cross-entropy fused, on logits :math:`z` (n, k), k >= 2.

    :math:`C = \frac1n\sum_i \big(\ln\sum_k e^{z_{ik}} - \sum_k y_{ik} z_{ik}\big)` and
    :math:`\partial C/\partial z = (\mathrm{softmax}(z) - y)/n`.
    The log-sum-exp is taken after subtracting the row maximum, so no input overflows.
    """
    name = "softmax_cross_entropy"
    takes_logits = True
    probability_targets = True

    def output(self, z):
        return softmax(z)

    def check_outputs(self, z):
        _need_classes(self, z)

    def formula(self, z, y):
        return -np.sum(y * log_softmax(z)) / len(z)

    def formula_gradient(self, z, y):
        return (softmax(z) - y) / len(z)

    def formula_and_gradient(self, z, y):
        log_p = log_softmax(z)                 # ln softmax(z), once for both
        return -np.sum(y * log_p) / len(z), (np.exp(log_p) - y) / len(z)


class SigmoidCrossEntropy(Cost):
    r"""Sigmoid and binary cross-entropy fused, on logits :math:`z` of shape (n, 1).

    :math:`C = \frac1n\sum_i \big(\ln(1 + e^{z_i}) - y_i z_i\big)` and
    :math:`\partial C/\partial z = (\sigma(z) - y)/n`.
    """
    name = "sigmoid_cross_entropy"
    takes_logits = True
    probability_targets = True

    def output(self, z):
        return sigmoid(z)

    def formula(self, z, y):
        return np.sum(np.logaddexp(0, z) - y * z) / len(z)

    def formula_gradient(self, z, y):
        return (sigmoid(z) - y) / len(z)


COSTS = {
    "mse": MeanSquaredError,
    "binary_cross_entropy": BinaryCrossEntropy,
    "categorical_cross_entropy": CategoricalCrossEntropy,
    "softmax_cross_entropy": SoftmaxCrossEntropy,
    "sigmoid_cross_entropy": SigmoidCrossEntropy,
}
COSTS["cross_entropy"] = SoftmaxCrossEntropy


def get_cost(cost) -> Cost:
    """Look up a cost by name (``"mse"``), or pass a :class:`Cost` instance through."""
    if isinstance(cost, Cost):
        return cost
    if isinstance(cost, type) and issubclass(cost, Cost):
        return cost()
    if isinstance(cost, str) and cost.lower() in COSTS:
        return COSTS[cost.lower()]()
    raise ValueError(f"unknown cost {cost!r}; choose one of: {', '.join(sorted(COSTS))}.")


mse = MeanSquaredError()
binary_cross_entropy = BinaryCrossEntropy()
categorical_cross_entropy = CategoricalCrossEntropy()
softmax_cross_entropy = SoftmaxCrossEntropy()
sigmoid_cross_entropy = SigmoidCrossEntropy()
