r"""Cost (loss) functions, each paired with its gradient, Nielsen style.

A cost :math:`C` measures how far the network's output :math:`a` is from the
target :math:`y`, averaged over the :math:`n` samples of a batch. Each cost here
is an object with

* ``value(a, y)``  -- the scalar :math:`C`,
* ``gradient(a, y)`` -- :math:`\partial C / \partial a`, same shape as ``a``,
* ``output(z)`` -- what the network's last layer output means as a prediction
  (the identity, or softmax/sigmoid for the fused costs below).

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
from .validation import InputError, ShapeError, check_labels, is_label_vector

EPS = 1e-12  # keeps log() finite when a probability is exactly 0 or 1


def one_hot(y, n_classes: int, dtype=np.float64) -> np.ndarray:
    """Labels (n,) -> one-hot rows (n, n_classes): row i has a 1 in column y[i]."""
    y = check_labels(y, n_classes)
    out = np.zeros((y.shape[0], n_classes), dtype=dtype)
    out[np.arange(y.shape[0]), y] = 1
    return out


def _check_pred(a, where):
    a = np.asarray(a)
    if a.ndim == 1:
        a = a[:, None]
    if a.ndim != 2:
        raise ShapeError(f"{where}: expected predictions of shape (batch, outputs), got {a.shape}.")
    return a


def _targets_like(a, y, where, allow_labels=True):
    """Bring targets y to the shape of predictions a (n, k), or raise."""
    y = np.asarray(y)
    n, k = a.shape
    if y.ndim == 0 or y.shape[0] != n:
        got = f"{y.shape[0]} targets" if y.ndim else f"a single number ({y}) as target"
        raise ShapeError(f"{where}: {n} predictions but {got}.")
    if y.dtype.kind not in "fiub":
        raise InputError(f"{where}: targets must be numbers, got dtype {y.dtype}.")
    if allow_labels and is_label_vector(y) and k > 1:
        return one_hot(check_labels(y, k, where=where), k, dtype=a.dtype)
    shape = y.shape
    if y.ndim == 1:
        y = y[:, None]
    if y.shape != a.shape:
        hint = (" (class labels must be integers: use y.astype(int))"
                if len(shape) == 1 and y.dtype.kind == "f" and k > 1 else "")
        raise ShapeError(f"{where}: expected targets of shape {a.shape} (like the predictions), "
                         f"got {shape}{hint}.")
    if not np.isfinite(y).all():
        raise InputError(f"{where}: targets contain NaN or inf.")
    return y.astype(a.dtype, copy=False)


def _probability_targets(a, y, where):
    y = _targets_like(a, y, where)
    if y.size and (y.min() < 0 or y.max() > 1):
        raise InputError(f"{where}: targets must lie in [0, 1] (labels 0/1 or one-hot), "
                         f"got values from {y.min()} to {y.max()}.")
    return y


class Cost:
    """Base class: ``value``, ``gradient`` and the output link ``output``."""
    name = "cost"
    #: True when the cost expects the last layer's raw output z (logits).
    takes_logits = False

    def output(self, z):
        """Turn the last layer's output into the prediction (identity by default)."""
        return z

    def value_and_gradient(self, a, y):
        """Both at once (fused costs share the work); returns ``(float, array)``."""
        return self.value(a, y), self.gradient(a, y)

    def _value_and_gradient(self, a, y):
        """``value_and_gradient`` for targets that ``_check_targets`` has passed, shaped like
        ``a`` (``Network.fit`` prepares and checks them once per fit, not once per batch);
        costs may skip their checks here."""
        return self.value_and_gradient(a, y)

    def _check_targets(self, y):
        """Raise if this cost cannot take the targets y (n, k); see ``_value_and_gradient``."""

    def __call__(self, a, y):
        return self.value(a, y)

    def __repr__(self):
        return f"{type(self).__name__}()"


class MeanSquaredError(Cost):
    r""":math:`C = \frac{1}{2n}\sum_i \lVert a_i - y_i\rVert^2`; :math:`\partial C/\partial a = (a - y)/n`."""
    name = "mse"

    def value(self, a, y):
        a = _check_pred(a, "mse")
        y = _targets_like(a, y, "mse")
        return float(0.5 * np.sum((a - y) ** 2) / a.shape[0])

    def gradient(self, a, y):
        a2 = _check_pred(a, "mse")
        y = _targets_like(a2, y, "mse")
        return ((a2 - y) / a2.shape[0]).reshape(np.shape(a))


class BinaryCrossEntropy(Cost):
    r"""For probabilities :math:`p = a \in (0, 1)`:
    :math:`C = -\frac1n\sum_i [y_i \ln p_i + (1 - y_i)\ln(1 - p_i)]`,
    :math:`\partial C/\partial p = \frac1n \frac{p - y}{p(1 - p)}`."""
    name = "binary_cross_entropy"

    def value(self, a, y):
        p = np.clip(_check_pred(a, self.name), EPS, 1 - EPS)
        y = _probability_targets(p, y, self.name)
        return float(-np.sum(y * np.log(p) + (1 - y) * np.log(1 - p)) / p.shape[0])

    def gradient(self, a, y):
        p = np.clip(_check_pred(a, self.name), EPS, 1 - EPS)
        y = _probability_targets(p, y, self.name)
        return ((p - y) / (p * (1 - p)) / p.shape[0]).reshape(np.shape(a))


class CategoricalCrossEntropy(Cost):
    r"""For probability rows :math:`p_i` (e.g. softmax outputs):
    :math:`C = -\frac1n \sum_i \sum_k y_{ik} \ln p_{ik}`, :math:`\partial C/\partial p = -\frac1n\, y / p`."""
    name = "categorical_cross_entropy"

    def value(self, a, y):
        p = np.clip(_check_pred(a, self.name), EPS, 1.0)
        y = _probability_targets(p, y, self.name)
        return float(-np.sum(y * np.log(p)) / p.shape[0])

    def gradient(self, a, y):
        p = np.clip(_check_pred(a, self.name), EPS, 1.0)
        y = _probability_targets(p, y, self.name)
        return (-y / p / p.shape[0]).reshape(np.shape(a))


class SoftmaxCrossEntropy(Cost):
    r"""Softmax and categorical cross-entropy fused, on logits :math:`z`.

    :math:`C = \frac1n\sum_i \big(\log\sum_k e^{z_{ik}} - z_{i,y_i}\big)` and
    :math:`\partial C/\partial z = (\mathrm{softmax}(z) - y)/n`.
    The log-sum-exp is taken after subtracting the row maximum, so no input overflows.
    """
    name = "softmax_cross_entropy"
    takes_logits = True

    def output(self, z):
        return softmax(z)

    def value(self, z, y):
        z = _check_pred(z, self.name)
        y = self._targets(z, y)
        shifted = z - z.max(axis=1, keepdims=True)
        log_p = shifted - np.log(np.exp(shifted).sum(axis=1, keepdims=True))
        return float(-np.sum(y * log_p) / z.shape[0])

    def gradient(self, z, y):
        z = _check_pred(z, self.name)
        return (softmax(z) - self._targets(z, y)) / z.shape[0]

    def value_and_gradient(self, z, y):
        z = _check_pred(z, self.name)
        return self._value_and_gradient(z, self._targets(z, y))

    def _check_targets(self, y):
        _probability_targets(y, y, self.name)

    def _value_and_gradient(self, z, y):
        n = z.shape[0]
        shifted = z - z.max(axis=1, keepdims=True)
        e = np.exp(shifted)
        total = e.sum(axis=1, keepdims=True)
        # -ln softmax(z)_k = ln(sum_j e^{z_j - max}) - (z_k - max); vdot sums y * that in one call
        value = float(np.vdot(y, np.log(total) - shifted)) / n
        e /= total  # softmax(z), in place: no more arrays than needed, once per batch
        e -= y
        e /= n
        return value, e

    def _targets(self, z, y):
        if is_label_vector(y):
            check_labels(y, z.shape[1], n_samples=z.shape[0], where=self.name)
        return _probability_targets(z, y, self.name)


class SigmoidCrossEntropy(Cost):
    r"""Sigmoid and binary cross-entropy fused, on logits :math:`z` of shape (n, 1).

    :math:`C = \frac1n\sum_i \big(\ln(1 + e^{z_i}) - y_i z_i\big)` and
    :math:`\partial C/\partial z = (\sigma(z) - y)/n`.
    """
    name = "sigmoid_cross_entropy"
    takes_logits = True

    def output(self, z):
        return sigmoid(z)

    def value(self, z, y):
        z = _check_pred(z, self.name)
        y = _probability_targets(z, y, self.name)
        return float(np.sum(np.logaddexp(0, z) - y * z) / z.shape[0])

    def gradient(self, z, y):
        z2 = _check_pred(z, self.name)
        y = _probability_targets(z2, y, self.name)
        return ((sigmoid(z2) - y) / z2.shape[0]).reshape(np.shape(z))


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
