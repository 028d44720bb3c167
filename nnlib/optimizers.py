r"""Optimizers: how a parameter moves, given its gradient.

Each optimizer's ``step(parameters)`` takes a list of ``(key, param, grad)``
triples (``Network.parameters()`` gives them) and updates every ``param`` in
place. Per-parameter state (velocities, moment estimates) is kept by ``key``.

* :class:`SGD`:      :math:`\theta \leftarrow \theta - \eta\, g`
* :class:`Momentum`: :math:`v \leftarrow \mu v - \eta\, g;\ \theta \leftarrow \theta + v`
* :class:`Adam`:     :math:`m \leftarrow \beta_1 m + (1-\beta_1) g;\ v \leftarrow \beta_2 v + (1-\beta_2) g^2;`
  :math:`\hat m = m/(1-\beta_1^t);\ \hat v = v/(1-\beta_2^t);\ \theta \leftarrow \theta - \eta\,\hat m/(\sqrt{\hat v}+\epsilon)`

L2 weight decay lives in the cost (``Network(l2=...)``), so that gradient
checking sees it and the reported loss includes it.
"""
from __future__ import annotations

import numpy as np


def check_learning_rate(learning_rate) -> float:
    """The learning rate as a float, or a ValueError if it is not a positive finite number."""
    try:
        lr = float(learning_rate)
    except (TypeError, ValueError):
        lr = float("nan")
    if not np.isfinite(lr) or lr <= 0:
        raise ValueError(f"learning_rate must be a positive number, got {learning_rate!r}.")
    return lr


class Optimizer:
    def __init__(self, learning_rate: float):
        self.learning_rate = check_learning_rate(learning_rate)
        self.state: dict[str, dict] = {}

    def step(self, parameters):
        for key, param, grad in parameters:
            state = self.state.get(key)
            if state:
                held = next(v for v in state.values() if isinstance(v, np.ndarray))
                if held.shape != param.shape:
                    raise ValueError(
                        f"{type(self).__name__} holds state for {key} of shape {held.shape}, but the "
                        f"parameter now has shape {param.shape}: it was used with another network. "
                        "Create a new optimizer (or call .reset()) for each network.")
            self.update(key, param, grad)

    def update(self, key, param, grad):
        raise NotImplementedError

    def reset(self):
        """Forget all per-parameter state (call before training a fresh network)."""
        self.state.clear()

    def __repr__(self):
        return f"{type(self).__name__}(learning_rate={self.learning_rate})"


class SGD(Optimizer):
    r"""Plain (stochastic) gradient descent: :math:`\theta \leftarrow \theta - \eta\, g`."""

    def __init__(self, learning_rate: float = 0.1):
        super().__init__(learning_rate)

    def update(self, key, param, grad):
        param -= self.learning_rate * grad


class Momentum(Optimizer):
    r"""SGD with momentum: :math:`v \leftarrow \mu v - \eta\, g`, :math:`\theta \leftarrow \theta + v`.

    The velocity :math:`v` starts at zero; :math:`\mu` (``momentum``) is usually 0.9.
    """

    def __init__(self, learning_rate: float = 0.1, momentum: float = 0.9):
        super().__init__(learning_rate)
        if not 0 <= momentum < 1:
            raise ValueError(f"momentum must be in [0, 1), got {momentum}.")
        self.momentum = float(momentum)

    def update(self, key, param, grad):
        s = self.state.setdefault(key, {})
        v = s.get("v")
        if v is None:
            v = s["v"] = np.zeros_like(param)
        v *= self.momentum
        v -= self.learning_rate * grad
        param += v


class Adam(Optimizer):
    r"""Adam (Kingma & Ba, 2015) with bias correction; see the module docstring for the update."""

    def __init__(self, learning_rate: float = 0.001, beta1: float = 0.9, beta2: float = 0.999,
                 epsilon: float = 1e-8):
        super().__init__(learning_rate)
        if not (0 <= beta1 < 1 and 0 <= beta2 < 1 and epsilon > 0):
            raise ValueError(f"Adam needs 0 <= beta1 < 1, 0 <= beta2 < 1 and epsilon > 0, "
                             f"got beta1={beta1}, beta2={beta2}, epsilon={epsilon}.")
        self.beta1, self.beta2, self.epsilon = float(beta1), float(beta2), float(epsilon)

    def update(self, key, param, grad):
        s = self.state.get(key)
        if s is None:
            s = self.state[key] = {"m": np.zeros_like(param), "v": np.zeros_like(param), "t": 0}
        s["t"] += 1
        t, m, v = s["t"], s["m"], s["v"]
        m *= self.beta1
        m += (1 - self.beta1) * grad
        v *= self.beta2
        v += (1 - self.beta2) * (grad * grad)
        # Fold both bias corrections into the step size (same update, fewer array passes).
        # Python floats, not numpy float64 scalars: a float64 scalar would make numpy
        # compute the float32 update in float64 (20x slower, and a silent upcast).
        step = self.learning_rate * float(np.sqrt(1 - self.beta2 ** t)) / (1 - self.beta1 ** t)
        eps_hat = self.epsilon * float(np.sqrt(1 - self.beta2 ** t))
        denom = np.sqrt(v)
        denom += eps_hat
        np.divide(m, denom, out=denom)
        denom *= step
        param -= denom


OPTIMIZERS = {"sgd": SGD, "momentum": Momentum, "adam": Adam}


def get_optimizer(optimizer, learning_rate=None) -> Optimizer:
    """An optimizer instance from a name (``"adam"``) and optional learning rate, or passed through."""
    if isinstance(optimizer, Optimizer):
        if learning_rate is not None:
            optimizer.learning_rate = check_learning_rate(learning_rate)
        return optimizer
    if isinstance(optimizer, str) and optimizer.lower() in OPTIMIZERS:
        cls = OPTIMIZERS[optimizer.lower()]
        return cls() if learning_rate is None else cls(learning_rate=learning_rate)
    raise ValueError(f"unknown optimizer {optimizer!r}; choose one of: {', '.join(sorted(OPTIMIZERS))}.")
