r"""How a layer's first weights are drawn.

The scale of the initial weights decides whether signals (and gradients) grow,
shrink or keep their size as they pass through the layers:

* ``normal``: :math:`W_{ij} \sim \mathcal N(0, 1)`, the "large" start of early
  networks; a neuron with many inputs gets a huge :math:`z` and saturates.
* ``xavier`` (Glorot): :math:`\mathcal N(0, 2/(n_{in} + n_{out}))`, keeps the variance for tanh/sigmoid.
* ``he``: :math:`\mathcal N(0, 2/n_{in})`, keeps it for ReLU.

Biases start at zero.
"""
from __future__ import annotations

import numpy as np

__all__ = ["normal", "xavier", "he", "INITIALIZERS", "get_initializer", "default_initializer"]


def normal(n_in, n_out, rng, dtype=np.float64):
    """Standard normal weights of shape (n_in, n_out)."""
    return rng.standard_normal((n_in, n_out)).astype(dtype, copy=False)


def xavier(n_in, n_out, rng, dtype=np.float64):
    r"""Glorot/Xavier normal: standard deviation :math:`\sqrt{2/(n_{in} + n_{out})}`."""
    return (rng.standard_normal((n_in, n_out)) * np.sqrt(2.0 / (n_in + n_out))).astype(dtype, copy=False)


def he(n_in, n_out, rng, dtype=np.float64):
    r"""He normal: standard deviation :math:`\sqrt{2/n_{in}}`."""
    return (rng.standard_normal((n_in, n_out)) * np.sqrt(2.0 / n_in)).astype(dtype, copy=False)


INITIALIZERS = {"normal": normal, "large": normal, "xavier": xavier, "glorot": xavier, "he": he}


def get_initializer(init):
    """Look up an initializer by name, or pass a function ``f(n_in, n_out, rng, dtype)`` through."""
    if callable(init):
        return init
    if isinstance(init, str) and init.lower() in INITIALIZERS:
        return INITIALIZERS[init.lower()]
    raise ValueError(f"unknown initializer {init!r}; choose one of: {', '.join(sorted(INITIALIZERS))}.")


def default_initializer(activation_name: str) -> str:
    """He for the ReLU family, Xavier for everything else."""
    return "he" if activation_name in ("relu", "leaky_relu") else "xavier"
