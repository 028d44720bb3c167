r"""Optimizers: how a parameter moves, given its gradient.

Each optimizer's ``step(parameters)`` takes a list of ``(key, param, grad)``
triples (``Network.parameters()`` gives them) and updates every ``param`` in
place. Per-parameter state (velocities, moment estimates) is kept by ``key``.
Lesson 8's symbols: :math:`\theta` a parameter, :math:`g` its gradient,
:math:`\eta` the learning rate.

* :class:`SGD`:      :math:`\theta \leftarrow \theta - \eta\, g`
* :class:`Momentum`: :math:`v \leftarrow \mu v - \eta\, g;\ \theta \leftarrow \theta + v`
* :class:`Adam`:     :math:`m \leftarrow \beta_1 m + (1-\beta_1) g;\ v \leftarrow \beta_2 v + (1-\beta_2) g^2;`
  :math:`\hat m = m/(1-\beta_1^t);\ \hat v = v/(1-\beta_2^t);`
  :math:`\theta \leftarrow \theta - \eta\,\hat m/(\sqrt{\hat v}+\epsilon)`

L2 weight decay lives in the cost (``Network(l2=...)``), so that gradient
checking sees it and the reported loss includes it.
"""
from __future__ import annotations

import numpy as np

from .validation import check_positive_number

__all__ = ["Optimizer", "SGD", "Momentum", "Adam", "OPTIMIZERS", "get_optimizer",
           "check_learning_rate"]


def check_learning_rate(learning_rate) -> float:
    """The learning rate as a float, or an error if it is not a positive finite number."""
    return check_positive_number(learning_rate, "learning_rate")


def _fraction(value, name, low_open=False) -> float:
    """A hyperparameter in [0, 1) (or (0, 1) with ``low_open``) as a float, or a ValueError."""
    ok = isinstance(value, (int, float, np.floating, np.integer)) and not isinstance(value, bool)
    if not ok or not (0 < value < 1 if low_open else 0 <= value < 1):
        raise ValueError(f"{name} must be a number in {'(0, 1)' if low_open else '[0, 1)'}, got {value!r}.")
    return float(value)


class Optimizer:
    """Base class: ``step`` walks the parameters, ``update`` moves one of them in place."""

    def __init__(self, learning_rate: float):
        self.learning_rate = check_learning_rate(learning_rate)
        self.state: dict[str, dict] = {}

    def step(self, parameters):
        for key, param, grad in parameters:
            self.update(key, param, grad)

    def update(self, key, param, grad):
        raise NotImplementedError

    def _state(self, key, param, *names):
        """This parameter's state dict, created on its first step with the named arrays of zeros."""
        state = self.state.get(key)
        if state is None:
            state = self.state[key] = {name: np.zeros_like(param) for name in names}
        elif state[names[0]].shape != param.shape:
            raise ValueError(
                f"{type(self).__name__} holds state for {key} of shape {state[names[0]].shape}, but "
                f"the parameter now has shape {param.shape}: it was used with another network. "
                "Create a new optimizer (or call .reset()) for each network.")
        return state

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
        self.momentum = _fraction(momentum, "momentum")

    def update(self, key, param, grad):
        v = self._state(key, param, "v")["v"]
        v *= self.momentum                 # v <- mu v - eta g
        v -= self.learning_rate * grad
        param += v                         # theta <- theta + v


class Adam(Optimizer):
    r"""Adam (Kingma & Ba, 2015): running averages of :math:`g` and :math:`g^2`, bias-corrected.

    :math:`m \leftarrow \beta_1 m + (1-\beta_1) g`, :math:`v \leftarrow \beta_2 v + (1-\beta_2) g^2`,
    :math:`\hat m = m/(1-\beta_1^t)`, :math:`\hat v = v/(1-\beta_2^t)`,
    :math:`\theta \leftarrow \theta - \eta\,\hat m/(\sqrt{\hat v}+\epsilon)`, with :math:`t` the
    number of steps this parameter has taken (1 on the first).
    """

    def __init__(self, learning_rate: float = 0.001, beta1: float = 0.9, beta2: float = 0.999,
                 epsilon: float = 1e-8):
        super().__init__(learning_rate)
        self.beta1 = _fraction(beta1, "beta1")
        self.beta2 = _fraction(beta2, "beta2")
        self.epsilon = check_positive_number(epsilon, "epsilon", "Adam")

    def update(self, key, param, grad):
        state = self._state(key, param, "m", "v")
        state["t"] = t = state.get("t", 0) + 1     # the step number, from 1
        b1, b2, m, v = self.beta1, self.beta2, state["m"], state["v"]
        m *= b1                        # m <- b1 m + (1 - b1) g
        m += (1 - b1) * grad
        v *= b2                        # v <- b2 v + (1 - b2) g^2
        v += (1 - b2) * grad ** 2
        m_hat = m / (1 - b1 ** t)
        v_hat = v / (1 - b2 ** t)
        param -= self.learning_rate * m_hat / (np.sqrt(v_hat) + self.epsilon)


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
