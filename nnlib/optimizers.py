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
    """Base class: ``step`` walks the parameters, ``update`` moves one of them in place.

    The updates write into arrays they keep (``out=``), never into fresh temporary
    arrays: on a 100,000-weight layer each temporary costs as much as the arithmetic.
    """

    def __init__(self, learning_rate: float):
        self.learning_rate = check_learning_rate(learning_rate)
        self.state: dict[str, dict] = {}
        self._scratch: dict[str, np.ndarray] = {}  # working memory, one array per parameter

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
        else:
            held = state[names[0]]
            if held.shape != param.shape:
                raise ValueError(
                    f"{type(self).__name__} holds state for {key} of shape {held.shape}, but the "
                    f"parameter now has shape {param.shape}: it was used with another network. "
                    "Create a new optimizer (or call .reset()) for each network.")
        return state

    def _work(self, key, param):
        """A scratch array shaped like ``param`` (not state: it holds nothing between steps)."""
        work = self._scratch.get(key)
        if work is None or work.shape != param.shape or work.dtype != param.dtype:
            work = self._scratch[key] = np.empty_like(param)
        return work

    def reset(self):
        """Forget all per-parameter state (call before training a fresh network)."""
        self.state.clear()
        self._scratch.clear()

    def __repr__(self):
        return f"{type(self).__name__}(learning_rate={self.learning_rate})"


class SGD(Optimizer):
    r"""Plain (stochastic) gradient descent: :math:`\theta \leftarrow \theta - \eta\, g`."""

    def __init__(self, learning_rate: float = 0.1):
        super().__init__(learning_rate)

    def update(self, key, param, grad):
        step = np.multiply(grad, self.learning_rate, out=self._work(key, param))  # eta g
        param -= step


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
        v = self._state(key, param, "v")["v"]
        v *= self.momentum                                                  # mu v
        v -= np.multiply(grad, self.learning_rate, out=self._work(key, param))  # - eta g
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
        s = self._state(key, param, "m", "v")
        s["t"] = t = s.get("t", 0) + 1
        m, v, work = s["m"], s["v"], self._work(key, param)
        # m <- beta1 m + (1 - beta1) g, written as m += (1 - beta1)(g - m)
        np.subtract(grad, m, out=work)
        work *= 1 - self.beta1
        m += work
        # v <- beta2 v + (1 - beta2) g^2, written as v += (1 - beta2)(g^2 - v)
        np.multiply(grad, grad, out=work)
        work -= v
        work *= 1 - self.beta2
        v += work
        # theta <- theta - eta m_hat / (sqrt(v_hat) + eps), with both bias corrections
        # folded into the step size and epsilon (the same update, fewer array passes).
        # Python floats, not numpy float64 scalars: a float64 scalar would make numpy
        # compute the float32 update in float64 (20x slower, and a silent upcast).
        root = float(np.sqrt(1 - self.beta2 ** t))
        step = self.learning_rate * root / (1 - self.beta1 ** t)
        np.sqrt(v, out=work)
        work += self.epsilon * root
        np.divide(m, work, out=work)
        work *= step
        param -= work


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
