r"""Lesson 1's widget: one neuron as a classifier of points in the plane.

A neuron with two inputs computes

.. math:: z = w_1 x_1 + w_2 x_2 + b, \qquad a = g(z)

and says "class 1" where :math:`z \ge 0` (where its output reaches
:math:`g(0)`: 0.5 for sigmoid and step, 0 for tanh, ReLU and identity). The
points where :math:`z = 0` form a straight line, the *decision line*; the
weights :math:`w = (w_1, w_2)` point across it towards class 1 and the bias
:math:`b` shifts it.

The pieces, as in every course widget (see :mod:`nnlib.widgets.base`):

- :func:`two_clouds`: the lesson's 60 seeded points, two classes;
- :func:`compute_neuron`: the math, a dict of numbers and arrays;
- :class:`NeuronView`: a matplotlib figure of that dict, kept and updated in place
  (the output surface as a heatmap, the points, the decision line, the weight
  vector); :func:`draw_neuron` gives its static Figure;
- :func:`neuron_readout`: the line of numbers under the sliders;
- :func:`neuron_explorer`: all of it behind sliders, one line in a notebook.
"""
from __future__ import annotations

import numpy as np
from matplotlib.colors import Normalize
from matplotlib.patheffects import withStroke

from ..activations import get_activation
from ..neuron import weighted_sum
from ..plots import CLASS_COLORS, DIVERGING_CMAP  # the course's palette: class 0 blue, class 1 orange
from .base import FigureView, InteractivePlot, dropdown, new_figure, slider

#: The activation menu of the widget, in the order a learner meets them.
NEURON_ACTIVATIONS = ("step", "sigmoid", "tanh", "relu", "identity")
#: The widget shows the square [-LIMIT, LIMIT]^2 of the plane.
LIMIT = 3.0


def two_clouds(n_per_class: int = 30, seed: int = 3):
    """Lesson 1's points: two seeded clouds in the plane, class 0 around (-0.3, 0), class 1 around (1.5, 1.6).

    Returns ``X`` of shape (2 * n_per_class, 2) and labels ``y`` (int64, 0 or 1),
    in a shuffled order. With the defaults a straight line separates the classes
    perfectly (the perceptron finds one in three epochs), but it needs a bias:
    no line through the origin does.
    """
    rng = np.random.default_rng(seed)
    X = np.vstack([rng.normal([-0.3, 0.0], 0.5, size=(n_per_class, 2)),
                   rng.normal([1.5, 1.6], 0.5, size=(n_per_class, 2))])
    y = np.repeat(np.array([0, 1], dtype=np.int64), n_per_class)
    order = rng.permutation(len(y))
    return X[order], y[order]


def decision_line(w1: float, w2: float, b: float, limit: float = LIMIT):
    r"""The two ends of the line :math:`w_1 x_1 + w_2 x_2 + b = 0` inside the square [-limit, limit]^2.

    Returns an array ``[[x1, x2], [x1, x2]]``, or ``None`` when the line misses the
    square or does not exist (:math:`w_1 = w_2 = 0`: then z = b everywhere).
    """
    ends = []
    if w2 != 0:  # solve for x2 on the left and right edges
        for x1 in (-limit, limit):
            ends.append((x1, -(w1 * x1 + b) / w2))
    if w1 != 0:  # solve for x1 on the bottom and top edges
        for x2 in (-limit, limit):
            ends.append((-(w2 * x2 + b) / w1, x2))
    tol = 1e-9 * limit
    inside = [p for p in ends if abs(p[0]) <= limit + tol and abs(p[1]) <= limit + tol]
    if not inside:
        return None
    inside = np.array(inside)
    # the two points farthest apart (corners can appear twice)
    i, j = max(((i, j) for i in range(len(inside)) for j in range(len(inside))),
               key=lambda ij: np.sum((inside[ij[0]] - inside[ij[1]]) ** 2))
    return np.array([inside[i], inside[j]])


def compute_neuron(w1: float = 1.0, w2: float = -1.0, b: float = 0.0, activation: str = "sigmoid",
                   X=None, y=None, grid: int = 120, limit: float = LIMIT) -> dict:
    r"""Everything the neuron widget shows, as numbers.

    Keys: ``w1, w2, b, activation``; ``x_grid`` (grid,) the coordinates of both
    axes; ``a_grid`` (grid, grid) the output :math:`a = g(z)` over the plane (row
    i is :math:`x_2` = ``x_grid[i]``, column j is :math:`x_1` = ``x_grid[j]``);
    ``threshold`` = :math:`g(0)`; ``X, y`` the points; ``z, a`` (n,) their weighted
    inputs and outputs; ``predictions`` (n,) 1 where :math:`z \ge 0`;
    ``correct`` (n,) bool; ``n_correct``, ``accuracy`` (a fraction);
    ``line`` the ends of the decision line (or None).
    """
    if X is None:
        X, y = two_clouds()
    X = np.asarray(X, dtype=np.float64)
    y = np.asarray(y)
    if X.ndim != 2 or X.shape[1] != 2 or y.shape != (X.shape[0],):
        raise ValueError(f"compute_neuron: expected X of shape (n, 2) and y of shape (n,), "
                         f"got {X.shape} and {y.shape}.")
    w1, w2, b = float(w1), float(w2), float(b)
    g = get_activation(activation)
    if g.name == "softmax":
        raise ValueError("compute_neuron: softmax needs a vector of outputs; a single neuron "
                         f"uses one of {', '.join(NEURON_ACTIVATIONS)}.")
    w = np.array([w1, w2])
    x_grid = np.linspace(-limit, limit, grid)
    X1, X2 = np.meshgrid(x_grid, x_grid)          # X1[i, j] = x_grid[j], X2[i, j] = x_grid[i]
    a_grid = g.output(w1 * X1 + w2 * X2 + b)
    z = weighted_sum(X, w, b)
    predictions = (z >= 0).astype(np.int64)
    correct = predictions == y
    return {
        "w1": w1, "w2": w2, "b": b, "activation": g.name, "limit": float(limit),
        "x_grid": x_grid, "a_grid": a_grid, "threshold": float(g.output(np.float64(0.0))),
        "X": X, "y": y, "z": z, "a": g.output(z), "predictions": predictions,
        "correct": correct, "n_correct": int(correct.sum()), "n": int(len(y)),
        "accuracy": float(correct.mean()) if len(y) else float("nan"),
        "line": decision_line(w1, w2, b, limit),
    }


def neuron_readout(state: dict) -> str:
    """'w1 = 1.50, w2 = -0.50, b = 0.00, sigmoid: 87% of points correct (52 of 60)'."""
    return (f"w1 = {state['w1']:.2f}, w2 = {state['w2']:.2f}, b = {state['b']:.2f}, "
            f"{state['activation']}: {100 * state['accuracy']:.0f}% of points correct "
            f"({state['n_correct']} of {state['n']})")


def _signed(v: float) -> str:
    """' + 1.50' or ' − 1.50': a term of a sum, as a person writes it."""
    return f"{'−' if v < 0 else '+'} {abs(v):.2f}"


def _color_range(state):
    """Colour limits centred on the threshold g(0), so white is the decision line."""
    name, a = state["activation"], state["a_grid"]
    if name in ("step", "sigmoid"):
        return 0.0, 1.0
    if name == "tanh":
        return -1.0, 1.0
    m = max(float(np.abs(a).max()), 1e-9)     # relu, identity: unbounded outputs
    return -m, m


def _title(state) -> str:
    return (f"z = {state['w1']:.2f}·x1 {_signed(state['w2'])}·x2 {_signed(state['b'])},   "
            f"{state['activation']}: {100 * state['accuracy']:.0f}% correct")


class NeuronView(FigureView):
    """The output surface a = g(z) as a heatmap, the points, the decision line and the weight vector.

    Built once; :meth:`update` moves the heatmap's values, the rings round the
    misclassified points, the line, the arrow and the titles. Misclassified points
    are ringed in black. With ``ax`` it draws into that Axes (for grids of panels).
    """

    figsize = (6.2, 4.3)

    def __init__(self, state: dict, ax=None, colorbar: bool = True, title: str | None = None):
        if ax is None:
            self.fig = new_figure(self.figsize)
            ax = self.fig.add_axes((0.09, 0.11, 0.62, 0.80))
        else:
            self.fig = ax.figure
        self.ax, self.fixed_title = ax, title
        lim = state["limit"]
        self.im = ax.imshow(state["a_grid"], origin="lower", extent=(-lim, lim, -lim, lim),
                            cmap=DIVERGING_CMAP, norm=Normalize(*_color_range(state)),
                            interpolation="nearest", alpha=0.55, aspect="equal")
        self.colorbar = None
        if colorbar:
            self.colorbar = self.fig.colorbar(self.im, cax=ax.inset_axes((1.06, 0.0, 0.05, 1.0)))
        no_points = np.empty((0, 2))
        self.points = [ax.scatter(no_points[:, 0], no_points[:, 1], s=30, c=CLASS_COLORS[k],
                                  edgecolors="black", linewidths=0.5, marker="o" if k == 0 else "s",
                                  label=f"class {k}", zorder=3) for k in (0, 1)]
        self.rings = ax.scatter(no_points[:, 0], no_points[:, 1], s=90, facecolors="none",
                                edgecolors="black", linewidths=1.3, label="misclassified", zorder=4)
        self.line, = ax.plot([], [], "k--", lw=1.6, label="decision line z = 0", zorder=5)
        self.arrow = ax.annotate("", xy=(0, 0), xytext=(0, 0), zorder=6,
                                 arrowprops=dict(arrowstyle="-|>", color="black", lw=2.0, mutation_scale=14))
        self.w_label = ax.text(0, 0, "w", ha="center", va="center", fontsize=12, zorder=6,
                               fontweight="bold", path_effects=[withStroke(linewidth=3, foreground="white")])
        ax.set_xlabel("x1", fontsize=12)
        ax.set_ylabel("x2", fontsize=12)
        self.title = ax.set_title("", fontsize=12, y=1.0)   # a fixed place (quick frames need it)
        self.legends = {}
        self.update(state)

    def update(self, state: dict):
        lim = state["limit"]
        self.im.set_data(state["a_grid"])
        self.im.set_extent((-lim, lim, -lim, lim))
        self.im.set_clim(*_color_range(state))
        if self.colorbar is not None:
            self.colorbar.set_label(f"output a = {state['activation']}(z)")
        X, y, correct = state["X"], state["y"], state["correct"]
        for k, points in enumerate(self.points):
            points.set_offsets(X[y == k].reshape(-1, 2))
        wrong = ~correct
        self.rings.set_offsets(X[wrong].reshape(-1, 2))
        line = state["line"]
        for artist in (self.line, self.arrow, self.w_label):
            artist.set_visible(line is not None)
        if line is not None:
            self.line.set_data(line[:, 0], line[:, 1])
            w = np.array([state["w1"], state["w2"]])
            foot = line.mean(axis=0)               # the middle of the visible line
            arrow = w / np.linalg.norm(w) * 0.8    # unit length 0.8: w's direction, not its size
            self.arrow.xy = tuple(foot + arrow)
            self.arrow.set_position(tuple(foot))
            self.w_label.set_position(tuple(foot + arrow * 1.3))
        self.ax.set_xlim(-lim, lim)
        self.ax.set_ylim(-lim, lim)
        self.title.set_text(_title(state) if self.fixed_title is None else self.fixed_title)
        # the legend lists what is drawn: rebuilt only when that changes
        entries = (*self.points, *([self.rings] if wrong.any() else []),
                   *([self.line] if line is not None else []))
        if entries not in self.legends:           # one legend per combination, made once
            self.legends[entries] = self.ax.legend(entries, [a.get_label() for a in entries],
                                                   loc="lower right", fontsize=8, framealpha=0.9)
        self.ax.legend_ = self.legends[entries]


    def dynamic_artists(self):
        return [self.im, *self.points, self.rings, self.line, self.arrow, self.w_label,
                *self.ax.spines.values(), self.title,
                *([self.colorbar.ax] if self.colorbar is not None else []), self.ax.get_legend()]

    def background_key(self):
        return self.ax.get_xlim(), self.ax.get_ylim()


def draw_neuron(state: dict, ax=None, colorbar: bool = True, title: str | None = None):
    """The neuron's figure of ``state`` (see :class:`NeuronView`): a new Figure, or the
    figure of ``ax`` when an Axes is given (for grids of panels)."""
    return NeuronView(state, ax=ax, colorbar=colorbar, title=title).fig


def neuron_explorer(w1: float = 1.0, w2: float = -1.0, b: float = 0.0, activation: str = "sigmoid",
                    X=None, y=None, continuous_update: bool = False) -> InteractivePlot:
    """Sliders for w1, w2, b and an activation menu over one neuron classifying 2-D points.

    The heatmap (the neuron's output over the plane) and the decision line follow
    the sliders; the readout gives the weights, the activation and the accuracy.
    ``X, y`` default to :func:`two_clouds`. Redraws happen when a slider is
    released (``continuous_update=False``); pass True for live dragging on a fast machine.
    """
    if X is None:
        X, y = two_clouds()
    controls = {
        "w1": slider(w1, -4.0, 4.0, 0.1, "w1", continuous_update),
        "w2": slider(w2, -4.0, 4.0, 0.1, "w2", continuous_update),
        "b": slider(b, -6.0, 6.0, 0.1, "b", continuous_update),
        "activation": dropdown(list(NEURON_ACTIVATIONS), activation, "activation"),
    }

    def compute(**values):
        return compute_neuron(**values, X=X, y=y)

    return InteractivePlot(controls, compute, NeuronView, neuron_readout, height="450px",
                           title="One neuron: z = w1·x1 + w2·x2 + b, a = g(z)")
