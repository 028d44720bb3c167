r"""Lesson 4's widget: one prediction, two costs, and their gradients.

A sigmoid output neuron predicts a probability :math:`p = a = \sigma(z)` for a
target :math:`y \in \{0, 1\}`. For this one sample:

* squared error (nnlib's 1/2 convention): :math:`C = \tfrac12 (p - y)^2`,
  :math:`\partial C/\partial p = p - y`,
  :math:`\partial C/\partial z = (p - y)\,\sigma'(z) = (p - y)\,p(1-p)`;
* binary cross-entropy: :math:`C = -[y \ln p + (1-y)\ln(1-p)]`,
  :math:`\partial C/\partial p = \frac{p - y}{p(1-p)}`,
  :math:`\partial C/\partial z = p - y`.

The :math:`\sigma'(z)` factor is why squared error learns slowly when a sigmoid
output is confidently wrong (:math:`p \to 0` while :math:`y = 1`), and its
absence is why cross-entropy does not. The point values come from
:mod:`nnlib.costs` (so the widget shows what the library computes); the curves
use the formulas above.
"""
from __future__ import annotations

import numpy as np

from .. import costs
from ..activations import sigmoid_prime
from .base import FigureView, new_figure

P_GRID = np.linspace(0.005, 0.995, 199)


def cost_curves(p, y):
    """The formulas above, elementwise over an array of probabilities ``p``."""
    p = np.asarray(p, dtype=float)
    return {
        "mse": 0.5 * (p - y) ** 2,
        "bce": -(y * np.log(p) + (1 - y) * np.log(1 - p)),
        "mse_grad_p": p - y,
        "bce_grad_p": (p - y) / (p * (1 - p)),
        "mse_grad_z": (p - y) * p * (1 - p),
        "bce_grad_z": p - y,
    }


def compute_costs(p: float = 0.8, y: int = 1) -> dict:
    """Both costs and their gradients (w.r.t. p and w.r.t. z) at one prediction ``p`` for target ``y``.

    Returns ``p``, ``y``, ``z`` (the logit with :math:`\\sigma(z) = p`), ``mse``, ``bce``,
    ``mse_grad_p``, ``bce_grad_p``, ``mse_grad_z``, ``bce_grad_z`` (all from nnlib.costs)
    and ``curves``: the same quantities over ``p_grid``.
    """
    p = float(p)
    if not 0 < p < 1:
        raise ValueError(f"p is a predicted probability and must lie strictly between 0 and 1, got {p}.")
    if y not in (0, 1):
        raise ValueError(f"y is the target class and must be 0 or 1, got {y!r}.")
    y = int(y)
    z = float(np.log(p) - np.log1p(-p))
    a, t, logit = np.array([[p]]), np.array([[float(y)]]), np.array([[z]])
    mse_grad_p = float(costs.mse.gradient(a, t)[0, 0])
    return {
        "p": p, "y": y, "z": z,
        "mse": costs.mse.value(a, t),
        "bce": costs.binary_cross_entropy.value(a, t),
        "mse_grad_p": mse_grad_p,
        "bce_grad_p": float(costs.binary_cross_entropy.gradient(a, t)[0, 0]),
        "mse_grad_z": mse_grad_p * float(sigmoid_prime(z)),           # chain rule: dC/dp * dp/dz
        "bce_grad_z": float(costs.sigmoid_cross_entropy.gradient(logit, t)[0, 0]),
        "p_grid": P_GRID, "curves": cost_curves(P_GRID, y),
    }


_PANELS = [("cost C", "mse", "bce", (0, 4)),
           ("∂C/∂p", "mse_grad_p", "bce_grad_p", (-6, 6)),
           ("∂C/∂z  (z = logit of p)", "mse_grad_z", "bce_grad_z", (-1.1, 1.1))]


class CostsView(FigureView):
    """Three panels over p: the costs, their slopes in p, and their slopes in z.

    Kept and updated: the dotted line at p, the two points and their labels and the
    title move; the curves change only with the target y (a new background).
    """

    figsize = (10, 3.6)

    def __init__(self, state, fig=None):
        self.fig = fig if fig is not None else new_figure(self.figsize)
        self.axes = self.fig.subplots(1, 3)
        self.curves, self.p_lines, self.points = [], [], []
        for ax, (title, mse_key, bce_key, ylim) in zip(self.axes, _PANELS):
            ax.axhline(0, color="0.6", lw=0.8)
            self.curves.append((ax.plot([], [], color="C0", lw=2, label="MSE")[0],
                                ax.plot([], [], color="C3", lw=2, label="cross-entropy")[0]))
            self.p_lines.append(ax.axvline(0.5, color="0.3", ls=":", lw=1))
            for key, color in ((mse_key, "C0"), (bce_key, "C3")):
                marker, = ax.plot([], [], "o", color=color, ms=7)
                label = ax.annotate("", (0.5, 0.0), xytext=(7, 5), textcoords="offset points", color=color,
                                    fontsize=9, fontweight="bold",
                                    bbox={"facecolor": "white", "alpha": 0.75, "lw": 0, "pad": 1})
                self.points.append((ax, key, marker, label, ylim))
            ax.set_ylim(*ylim)
            ax.set_xlim(0, 1)
            ax.set_xlabel("predicted probability p")
            ax.set_title(title, fontsize=10)
        self.legend = self.axes[0].legend(loc="upper center", fontsize=8)
        self.title = self.fig.suptitle("", fontsize=10)
        self.fig.subplots_adjust(left=0.05, right=0.98, bottom=0.14, top=0.83, wspace=0.22)
        self.y = None
        self.update(state)

    def update(self, state):
        p, curves = state["p"], state["curves"]
        self.y = state["y"]
        for (mse_line, bce_line), (_, mse_key, bce_key, _) in zip(self.curves, _PANELS):
            mse_line.set_data(state["p_grid"], curves[mse_key])
            bce_line.set_data(state["p_grid"], curves[bce_key])
        for line in self.p_lines:
            line.set_xdata([p, p])
        for i, (_ax, key, marker, label, ylim) in enumerate(self.points):
            other = self.points[i ^ 1][1]               # the other cost of the same panel
            value = state[key]
            shown = float(np.clip(value, *ylim))
            marker.set_data([p], [shown])
            marker.set_marker("o" if shown == value else "^" if value > 0 else "v")
            above = value >= state[other] if shown == value else shown == ylim[0]
            above = above or shown < ylim[0] + 0.08 * (ylim[1] - ylim[0])   # keep labels off the axis
            label.set_text(f"{value:.3f}" if abs(value) < 10 else f"{value:.1f}")
            label.xy = (p, shown)
            label.xyann = (7 if p < 0.75 else -7, 5 if above else -13)
            label.set_horizontalalignment("left" if p < 0.75 else "right")
        self.title.set_text(f"target y = {state['y']},  p = {p:.2f}  (z = {state['z']:.2f})")

    def dynamic_artists(self):
        return [*self.p_lines, *(a for _, _, marker, label, _ in self.points for a in (marker, label)),
                self.legend, self.title]

    def background_key(self):
        return self.y                                    # the curves depend on y only


def draw_costs(state, fig=None):
    """Three panels over p: the costs, their slopes in p, and their slopes in z (a new
    Figure, or drawn into ``fig``; see :class:`CostsView`)."""
    return CostsView(state, fig=fig).fig


def readout_costs(state) -> str:
    return (f"p = {state['p']:.2f}, y = {state['y']}, z = {state['z']:.2f} &nbsp;|&nbsp; "
            f"<b>MSE</b> C = {state['mse']:.3f}, dC/dp = {state['mse_grad_p']:.3f}, "
            f"dC/dz = {state['mse_grad_z']:.3f} &nbsp;|&nbsp; "
            f"<b>cross-entropy</b> C = {state['bce']:.3f}, dC/dp = {state['bce_grad_p']:.3f}, "
            f"dC/dz = {state['bce_grad_z']:.3f}")


def cost_explorer(p: float = 0.8, y: int = 1):
    """The widget: a slider for the predicted probability p and a menu for the target y."""
    from .base import InteractivePlot, dropdown, slider

    controls = {
        "p": slider(p, 0.01, 0.99, 0.01, "predicted p", continuous_update=False),
        "y": dropdown([("1", 1), ("0", 0)], y, "target y"),
    }
    plot = InteractivePlot(controls, compute_costs, CostsView, readout_costs, height="380px",
                           title="Squared error vs cross-entropy for one sigmoid output")
    plot.ui.add_class("nnlib-cost-explorer")   # lets a browser test find this widget on the page
    return plot
