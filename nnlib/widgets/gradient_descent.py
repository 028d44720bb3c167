r"""Lesson 5's widget: gradient descent on a 2-D loss surface.

Starting from :math:`\theta_0 = (x_0, y_0)`, each step moves downhill:

.. math:: \theta_{k+1} = \theta_k - \eta\, \nabla C(\theta_k)

On a quadratic bowl :math:`C = a x^2 + c y^2` this is
:math:`x_{k+1} = (1 - 2a\eta)\,x_k`, :math:`y_{k+1} = (1 - 2c\eta)\,y_k`, so
:math:`x_k = (1 - 2a\eta)^k x_0`: the iterates shrink when every factor
:math:`|1 - \eta\lambda|` is below 1 (:math:`\lambda = 2a, 2c` are the curvatures,
the Hessian's eigenvalues), zigzag when a factor is negative, and diverge when one
exceeds 1, i.e. when :math:`\eta > 2/\lambda_{max}`.

* :func:`compute_gradient_descent` runs the steps and reports where they went;
* :func:`draw_gradient_descent` draws the contours with the path and the loss per step
  (:func:`draw_path` draws only the contour panel, into a given Axes);
* :func:`gradient_descent_explorer` is the widget.
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache

import numpy as np

from .base import FigureView, new_figure

#: The plotted square is [-EXTENT, EXTENT]^2; the start-point sliders stay inside it.
EXTENT = 3.5
#: A run whose coordinates grow past this is stopped and reported as diverged.
BLOW_UP = 1e6


@dataclass(frozen=True)
class Surface:
    """A loss surface C(x, y) with its gradient; ``curvatures`` are the Hessian's
    eigenvalues for a quadratic (None otherwise); ``minimum`` is the lowest point."""
    formula: str
    loss: Callable
    gradient: Callable
    minimum: tuple
    curvatures: tuple | None = None
    other_minima: tuple = ()

    @property
    def min_loss(self) -> float:
        return float(self.loss(*self.minimum))


def _quadratic(H, formula):
    H = np.asarray(H, dtype=float)

    def loss(x, y):
        return 0.5 * (H[0, 0] * x * x + 2 * H[0, 1] * x * y + H[1, 1] * y * y)

    def gradient(x, y):
        return np.array([H[0, 0] * x + H[0, 1] * y, H[0, 1] * x + H[1, 1] * y])

    return Surface(formula, loss, gradient, (0.0, 0.0), tuple(np.linalg.eigvalsh(H)))


def _rotated(curvatures, degrees):
    t = np.deg2rad(degrees)
    R = np.array([[np.cos(t), -np.sin(t)], [np.sin(t), np.cos(t)]])
    return R @ np.diag(curvatures) @ R.T


def _two_valleys():
    def loss(x, y):
        return (x * x - 1) ** 2 + y * y + 0.3 * x

    def gradient(x, y):
        return np.array([4 * x * (x * x - 1) + 0.3, 2 * y])

    roots = np.sort(np.roots([4, 0, -4, 0.3]).real)   # where dC/dx = 0: min, max, min
    low, high = sorted((roots[0], roots[2]), key=lambda r: loss(r, 0.0))
    return Surface("C = (x² − 1)² + y² + 0.3x", loss, gradient, (float(low), 0.0),
                   other_minima=((float(high), 0.0),))


SURFACES = {
    "elongated bowl": _quadratic(np.diag([1.0, 10.0]), "C = x²/2 + 5y²"),
    "round bowl": _quadratic(np.diag([2.0, 2.0]), "C = x² + y²"),
    "tilted valley": _quadratic(_rotated([1.0, 10.0], 30), "C = ½ θ·Hθ, H tilted 30°"),
    "two valleys": _two_valleys(),
}


def get_surface(surface) -> Surface:
    if isinstance(surface, Surface):
        return surface
    if surface not in SURFACES:
        raise ValueError(f"unknown surface {surface!r}; choose one of: {', '.join(SURFACES)}.")
    return SURFACES[surface]


def descend(gradient, start, learning_rate: float, steps: int, loss=None):
    r"""Plain gradient descent :math:`\theta \leftarrow \theta - \eta\nabla C(\theta)` from ``start``.

    Returns ``(path, blew_up)``: the points :math:`\theta_0 .. \theta_K` as an array
    (K+1, 2), K <= ``steps``, and whether the run was stopped because the point left
    every sensible range (non-finite, or a coordinate beyond ``BLOW_UP``).
    """
    theta = np.asarray(start, dtype=float).copy()
    path = [theta.copy()]
    with np.errstate(over="ignore", invalid="ignore"):
        for _ in range(int(steps)):
            theta = theta - learning_rate * gradient(*theta)
            path.append(theta.copy())
            if not np.all(np.isfinite(theta)) or np.abs(theta).max() > BLOW_UP:
                return np.array(path), True
    return np.array(path), False


def compute_gradient_descent(learning_rate: float = 0.05, x0: float = -3.0, y0: float = 2.0,
                             steps: int = 30, surface="elongated bowl") -> dict:
    r"""Run ``steps`` steps of gradient descent with rate :math:`\eta` from (x0, y0).

    Returns ``path`` ((K+1, 2) points), ``losses`` (K+1,), ``final_point``, ``final_loss``,
    ``start_loss``, ``steps_taken`` (K; fewer than ``steps`` only if it blew up),
    ``diverged`` (True when the loss ended higher than it started or the run blew up),
    ``blew_up``, ``factors`` (:math:`|1 - \eta\lambda|` per curvature on quadratic
    surfaces, else None), ``critical_rate`` (:math:`2/\lambda_{max}` or None), the
    inputs, ``min_loss`` and ``minimum`` (the lowest point), and ``surface`` (its name),
    ``surface_obj`` (the :class:`Surface`) and ``formula``.
    """
    learning_rate = float(learning_rate)
    if not np.isfinite(learning_rate) or learning_rate <= 0:
        raise ValueError(f"learning_rate must be a positive number, got {learning_rate}.")
    if int(steps) != steps or steps < 0:
        raise ValueError(f"steps must be a whole number >= 0, got {steps!r}.")
    if not (np.isfinite(x0) and np.isfinite(y0)):
        raise ValueError(f"the start point must be finite, got ({x0}, {y0}).")
    s = get_surface(surface)
    path, blew_up = descend(s.gradient, (x0, y0), learning_rate, steps)
    with np.errstate(over="ignore", invalid="ignore"):
        losses = s.loss(path[:, 0], path[:, 1])
    final_loss = float(losses[-1])
    diverged = bool(blew_up or not np.isfinite(final_loss) or final_loss > losses[0])
    factors = critical = None
    if s.curvatures is not None:
        factors = tuple(float(abs(1 - learning_rate * lam)) for lam in s.curvatures)
        critical = 2.0 / max(s.curvatures)
    return {"surface": surface if isinstance(surface, str) else "custom", "surface_obj": s,
            "formula": s.formula,
            "learning_rate": learning_rate, "x0": float(x0), "y0": float(y0), "steps": int(steps),
            "path": path, "losses": losses, "steps_taken": len(path) - 1,
            "final_point": (float(path[-1, 0]), float(path[-1, 1])), "final_loss": final_loss,
            "start_loss": float(losses[0]), "min_loss": s.min_loss, "minimum": s.minimum,
            "diverged": diverged, "blew_up": bool(blew_up), "factors": factors, "critical_rate": critical}


@lru_cache(maxsize=16)
def _grid(s: Surface, n: int = 160):
    xs = np.linspace(-EXTENT, EXTENT, n)
    X, Y = np.meshgrid(xs, xs)
    Z = s.loss(X, Y)
    shifted = Z - s.min_loss
    levels = s.min_loss + np.geomspace(max(shifted.min(), 0.01), shifted.max(), 16)
    return X, Y, Z, levels


def draw_path(state, ax, title=None):
    """The contour plot of the surface with the descent path, into ``ax``."""
    X, Y, Z, levels = _grid(state["surface_obj"])
    ax.contourf(X, Y, Z, levels=np.r_[Z.min(), levels], cmap="Blues_r", alpha=0.55, extend="max")
    ax.contour(X, Y, Z, levels=levels, colors="0.45", linewidths=0.6)
    path = state["path"]
    color = "C3" if state["diverged"] else "C1"
    ax.plot(path[:, 0], path[:, 1], "-o", color=color, ms=3.5, lw=1.4, zorder=3)
    ax.plot(*path[0], "s", color="k", ms=7, zorder=4, label="start")
    ax.plot(*state["minimum"], "*", color="gold", mec="k", ms=13, zorder=4, label="minimum")
    for point in state["surface_obj"].other_minima:
        ax.plot(*point, "*", color="white", mec="k", ms=11, zorder=4, label="local minimum")
    ax.set_xlim(-EXTENT, EXTENT)
    ax.set_ylim(-EXTENT, EXTENT)
    ax.set_aspect("equal")
    ax.set_xlabel("x")
    ax.set_ylabel("y")
    if state["diverged"]:
        ax.text(0.5, 0.04, "DIVERGED", transform=ax.transAxes, ha="center", color="C3",
                fontsize=13, fontweight="bold", bbox={"facecolor": "white", "alpha": 0.8, "lw": 0})
    ax.set_title(title if title is not None else
                 f"{state['formula']},  η = {state['learning_rate']:.3g}", fontsize=10)
    return ax


class GradientDescentView(FigureView):
    """Left: contours and the path. Right: how far the loss is above its minimum, per step.

    Kept and updated: the path, its start, the minima, the titles and the loss curve
    (with the right panel's axes, whose ranges follow it) change; the contours change
    only with the surface (a new background).
    """

    figsize = (9.6, 4.2)

    def __init__(self, state, fig=None):
        self.fig = fig if fig is not None else new_figure(self.figsize)
        self.left, self.right = left, right = self.fig.subplots(1, 2, gridspec_kw={"width_ratios": [1.1, 1]})
        self.fig.subplots_adjust(left=0.07, right=0.98, bottom=0.12, top=0.92, wspace=0.3)
        self.contours, self.surface = [], None
        self.path, = left.plot([], [], "-o", color="C1", ms=3.5, lw=1.4, zorder=3)
        self.start, = left.plot([], [], "s", color="k", ms=7, zorder=4, label="start")
        self.minimum, = left.plot([], [], "*", color="gold", mec="k", ms=13, zorder=4, label="minimum")
        self.others, = left.plot([], [], "*", color="white", mec="k", ms=11, zorder=4, label="local minimum")
        left.set_xlim(-EXTENT, EXTENT)
        left.set_ylim(-EXTENT, EXTENT)
        left.set_aspect("equal")
        left.set_xlabel("x")
        left.set_ylabel("y")
        self.diverged = left.text(0.5, 0.04, "DIVERGED", transform=left.transAxes, ha="center", color="C3",
                                  fontsize=13, fontweight="bold",
                                  bbox={"facecolor": "white", "alpha": 0.8, "lw": 0})
        self.left_title = left.set_title("", fontsize=10, y=1.0)
        self.legends = {}
        self.gap, = right.plot([], [], "-o", color="C1", ms=3)
        right.set_yscale("log")
        right.set_xlabel("step k")
        right.set_ylabel("C(θₖ) − C_min  (log scale)")
        right.grid(True, which="major", alpha=0.3)
        self.right_title = right.set_title("", fontsize=10, y=1.0)
        self.update(state)

    def update(self, state):
        if state["surface_obj"] is not self.surface:      # new contours (kept below everything)
            for c in self.contours:
                c.remove()
            X, Y, Z, levels = _grid(state["surface_obj"])
            self.contours = [
                self.left.contourf(X, Y, Z, levels=np.r_[Z.min(), levels], cmap="Blues_r", alpha=0.55,
                                   extend="max", zorder=1),
                self.left.contour(X, Y, Z, levels=levels, colors="0.45", linewidths=0.6, zorder=1)]
            self.surface = state["surface_obj"]
        path, color = state["path"], "C3" if state["diverged"] else "C1"
        self.path.set_data(path[:, 0], path[:, 1])
        self.path.set_color(color)
        self.start.set_data([path[0, 0]], [path[0, 1]])
        self.minimum.set_data([state["minimum"][0]], [state["minimum"][1]])
        others = np.array(state["surface_obj"].other_minima, dtype=float).reshape(-1, 2)
        self.others.set_data(others[:, 0], others[:, 1])
        handles = (self.start, self.minimum, *([self.others] if len(others) else []))
        if handles not in self.legends:                   # one legend per set of entries, made once
            self.legends[handles] = self.left.legend(handles, [h.get_label() for h in handles],
                                                     loc="best", fontsize=8, framealpha=0.8)
        self.left.legend_ = self.legends[handles]
        self.diverged.set_visible(state["diverged"])
        self.left_title.set_text(f"{state['formula']},  η = {state['learning_rate']:.3g}")
        gap = np.abs(state["losses"] - state["min_loss"])
        with np.errstate(invalid="ignore"):
            self.gap.set_data(np.arange(gap.size), np.clip(gap, 1e-12, 1e300))
        self.gap.set_color(color)
        self.right.relim()
        self.right.autoscale_view()
        if state["blew_up"]:
            self.right_title.set_text(f"blew up: loss {state['final_loss']:.3g} after {state['steps_taken']} "
                                      f"of {state['steps']} steps")
            self.right_title.set_color("C3")
        else:
            self.right_title.set_text(f"final loss {state['final_loss']:.4g} after {state['steps_taken']} steps")
            self.right_title.set_color("black")

    def dynamic_artists(self):
        return [self.path, self.start, self.minimum, self.others, self.diverged, self.left_title,
                self.left.get_legend(), self.right.xaxis, self.right.yaxis, self.gap, self.right_title]

    def background_key(self):
        return id(self.surface)


def draw_gradient_descent(state, fig=None):
    """Left: contours and the path. Right: how far the loss is above its minimum, per step
    (a new Figure, or drawn into ``fig``; see :class:`GradientDescentView`)."""
    return GradientDescentView(state, fig=fig).fig


def readout_gradient_descent(state) -> str:
    fx, fy = state["final_point"]
    taken = (f"{state['steps_taken']} of {state['steps']} steps (stopped: blew up)" if state["blew_up"]
             else f"{state['steps_taken']} steps")
    text = (f"&eta; = {state['learning_rate']:.3g}, {taken} from "
            f"({state['x0']:.2f}, {state['y0']:.2f}): final point ({fx:.3g}, {fy:.3g}), "
            f"<b>final loss {state['final_loss']:.4g}</b>")
    if state["factors"] is not None:
        text += " | factors |1 &minus; &eta;&lambda;| = " + ", ".join(f"{f:.2f}" for f in state["factors"])
    if state["diverged"]:
        hint = (f" (below 2/&lambda;<sub>max</sub> = {state['critical_rate']:.3g})"
                if state["critical_rate"] else "")
        text += (f' &mdash; <b style="color:#c0392b">diverged</b>: the loss went from '
                 f"{state['start_loss']:.4g} to {state['final_loss']:.4g}; use a smaller learning rate{hint}")
    return text


def gradient_descent_explorer(learning_rate: float = 0.05, x0: float = -3.0, y0: float = 2.0,
                              steps: int = 30, surface="elongated bowl"):
    """The widget: learning rate (log scale), start point, number of steps and surface."""
    from .base import InteractivePlot, dropdown, int_slider, log_slider, slider

    controls = {
        "learning_rate": log_slider(learning_rate, -3, 0, "learning rate η"),
        "x0": slider(x0, -3.0, 3.0, 0.1, "start x0", continuous_update=False),
        "y0": slider(y0, -3.0, 3.0, 0.1, "start y0", continuous_update=False),
        "steps": int_slider(steps, 0, 100, "steps"),
        "surface": dropdown(list(SURFACES), surface, "surface"),
    }
    plot = InteractivePlot(controls, compute_gradient_descent, GradientDescentView,
                           readout_gradient_descent, height="440px",
                           title="Gradient descent on a loss surface")
    plot.ui.add_class("nnlib-gradient-descent-explorer")   # lets a browser test find this widget on the page
    return plot
