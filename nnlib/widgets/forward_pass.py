r"""Lesson 3's widget: universal approximation, one sigmoid "bump" at a time.

Two hidden sigmoid neurons with the same steep weight :math:`w` and steps at
:math:`s_j < s_{j+1}` make a bump of height :math:`h_j` on :math:`[s_j, s_{j+1}]`:

.. math:: h_j\,\sigma\big(w(x - s_j)\big) - h_j\,\sigma\big(w(x - s_{j+1})\big)

The hidden layer is :math:`a = \sigma(xW^{(1)} + b^{(1)})` with :math:`W^{(1)}_k = w`
and :math:`b^{(1)}_k = -w s_k` (a step at :math:`x = s_k`); the output neuron is
linear, :math:`\hat f(x) = a W^{(2)} + b^{(2)}` with :math:`W^{(2)} = (h_0, -h_0, h_1, -h_1, \dots)`.
With ``n_hidden`` neurons there are ``n_hidden / 2`` bumps of width
:math:`d = 2/n_{hidden}` on [0, 1], each as high as the target at its centre; the
first bump starts and the last one ends a little outside [0, 1] so the ends of
the range are covered too. More neurons give narrower bumps and a smaller error.

* :func:`compute_universal_approximation` builds the network (an nnlib
  :class:`~nnlib.network.Network`), evaluates it and measures the error;
* :class:`UniversalApproximationView` draws target, approximation, bumps and error (kept
  and updated in the widget); :func:`draw_universal_approximation` gives a static figure;
* :func:`universal_approximation` is the widget.
"""
from __future__ import annotations

import numpy as np

from ..layers import Dense
from ..network import Network
from .base import FigureView, new_figure

#: Target functions on [0, 1] the widget can approximate.
TARGETS = {
    "sine + ripple": lambda x: np.sin(2 * np.pi * x) + 0.3 * np.sin(7 * np.pi * x),
    "Nielsen's wiggle": lambda x: 0.2 + 0.4 * x**2 + 0.3 * x * np.sin(15 * x) + 0.05 * np.cos(50 * x),
    "Gaussian bump": lambda x: np.exp(-((x - 0.5) / 0.12) ** 2),
    "|x - 0.5| (a kink)": lambda x: np.abs(x - 0.5),
}
#: Where the first bump starts and the last one ends (just outside the plotted [0, 1]).
OUTER_EDGES = (-0.1, 1.1)


def bump_edges_and_heights(n_hidden: int, target="sine + ripple"):
    r"""Step positions :math:`s_0 < \dots < s_m` and bump heights :math:`h_0, \dots, h_{m-1}`
    for ``n_hidden = 2m`` neurons: inner steps at :math:`j/m`, heights = target at each bump's centre."""
    m = _n_bumps(n_hidden)
    f = _target_function(target)
    edges = np.linspace(0.0, 1.0, m + 1)
    centres = (edges[:-1] + edges[1:]) / 2
    edges[0], edges[-1] = OUTER_EDGES
    return edges, f(centres)


def bump_network(edges, heights, steepness: float) -> Network:
    r"""The 1-(2m)-1 nnlib network whose output is the sum of the bumps.

    Hidden neuron :math:`2j` steps up at :math:`s_j`, neuron :math:`2j+1` at
    :math:`s_{j+1}`; the output weights :math:`+h_j, -h_j` turn each pair into a bump.
    """
    edges, heights = np.asarray(edges, float), np.asarray(heights, float)
    steps = np.stack([edges[:-1], edges[1:]], axis=1).reshape(-1)    # s_0, s_1, s_1, s_2, ...
    hidden = Dense(1, steps.size, activation="sigmoid", name="hidden")
    output = Dense(steps.size, 1, name="output")
    hidden.params["W"][...] = steepness
    hidden.params["b"][...] = -steepness * steps
    output.params["W"][:, 0] = np.stack([heights, -heights], axis=1).reshape(-1)
    output.params["b"][...] = 0.0
    return Network([hidden, output], loss="mse")


def compute_universal_approximation(n_hidden: int = 10, steepness: float = 300.0,
                                    target="sine + ripple", n_points: int = 400) -> dict:
    """The approximation by ``n_hidden`` sigmoid neurons (in pairs) and its error on [0, 1].

    Returns a dict with ``x``, ``target_values``, ``approx`` (the network's output),
    ``bumps`` ((n_points, n_bumps): each pair's contribution), ``edges``, ``heights``,
    ``n_hidden``, ``n_bumps``, ``steepness``, ``target``, ``max_error``,
    ``mean_error`` (mean absolute error), ``x_max_error`` (where the error is largest)
    and the network's parameters ``W1``, ``b1``, ``W2``, ``b2``.
    """
    steepness = float(steepness)
    if not np.isfinite(steepness) or steepness <= 0:
        raise ValueError(f"steepness must be a positive number, got {steepness}.")
    edges, heights = bump_edges_and_heights(n_hidden, target)
    net = bump_network(edges, heights, steepness)
    x = np.linspace(0.0, 1.0, int(n_points))
    hidden_out = net.layers[0].forward(x[:, None])               # (n_points, n_hidden)
    approx = net.layers[1].forward(hidden_out)[:, 0]
    bumps = heights * (hidden_out[:, 0::2] - hidden_out[:, 1::2])
    fx = _target_function(target)(x)
    error = np.abs(approx - fx)
    W1, b1 = net.layers[0].params["W"], net.layers[0].params["b"]
    W2, b2 = net.layers[1].params["W"], net.layers[1].params["b"]
    return {"x": x, "target_values": fx, "approx": approx, "bumps": bumps, "edges": edges,
            "heights": heights, "n_hidden": int(n_hidden), "n_bumps": heights.size,
            "steepness": steepness, "target": target if isinstance(target, str) else "custom",
            "max_error": float(error.max()), "mean_error": float(error.mean()),
            "x_max_error": float(x[error.argmax()]), "error": error,
            "W1": W1.copy(), "b1": b1.copy(), "W2": W2.copy(), "b2": b2.copy()}


#: At most this many bumps are drawn one by one (more would be a blur).
MAX_BUMPS_DRAWN = 40


class UniversalApproximationView(FigureView):
    """Target (dashed), the network's output, each bump (thin), and the error below.

    Kept and updated: the curves, the error area, its maximum and the titles change;
    the top panel's y range follows the curves (its y axis is redrawn with them).
    """

    figsize = (8.6, 4.2)

    def __init__(self, state, fig=None):
        self.fig = fig if fig is not None else new_figure(self.figsize)
        self.top, self.bottom = top, bottom = self.fig.subplots(
            2, 1, sharex=True, gridspec_kw={"height_ratios": [3, 1]})
        self.fig.subplots_adjust(left=0.08, right=0.98, bottom=0.11, top=0.93, hspace=0.12)
        self.bumps = [top.plot([], [], lw=0.9, alpha=0.45, color=f"C{j % 10}")[0]
                      for j in range(MAX_BUMPS_DRAWN)]
        self.target, = top.plot([], [], "k--", lw=1.6, label="target f(x)")
        self.approx, = top.plot([], [], color="C0", lw=2.2, label="network output")
        top.set_ylabel("output")
        # above the panel, beside the title: the curves never run under it
        self.legend = top.legend([self.target, self.approx], ["target f(x)", "network output"],
                                 loc="lower right", bbox_to_anchor=(1.0, 1.0), ncols=2, fontsize=8,
                                 frameon=False, borderaxespad=0.1)
        self.title = top.set_title("", fontsize=10, y=1.0, loc="left")
        self.error = bottom.fill_between([0, 1], [0, 0], color="C3", alpha=0.35)
        self.worst, = bottom.plot([], [], "v", color="C3")
        self.worst_label = bottom.annotate("", (0, 0), xytext=(8, -10), textcoords="offset points",
                                           fontsize=8, color="C3")
        bottom.set_ylabel("|error|")
        bottom.set_xlabel("x")
        bottom.set_xlim(0, 1)
        self.update(state)

    def update(self, state):
        x = state["x"]
        for j, line in enumerate(self.bumps):
            if j < state["n_bumps"] and state["n_bumps"] <= MAX_BUMPS_DRAWN:
                line.set_data(x, state["bumps"][:, j])
            else:
                line.set_data([], [])
        self.target.set_data(x, state["target_values"])
        self.approx.set_data(x, state["approx"])
        self.top.set_ylim(*_output_range(state["target_values"]))
        self.title.set_text(f"{state['n_hidden']} hidden neurons = {state['n_bumps']} bumps, "
                            f"steepness w = {state['steepness']:.0f}")
        self.error.set_data(x, state["error"], 0)
        self.worst.set_data([state["x_max_error"]], [state["max_error"]])
        right_side = state["x_max_error"] > 0.75
        self.worst_label.xy = (state["x_max_error"], state["max_error"])
        self.worst_label.xyann = (-8 if right_side else 8, -10)
        self.worst_label.set_horizontalalignment("right" if right_side else "left")
        self.worst_label.set_text(f"max error {state['max_error']:.3f}")
        self.bottom.set_ylim(0, max(state["max_error"] * 1.25, 1e-3))

    def dynamic_artists(self):
        return [*self.bumps, self.target, self.approx, self.title,
                self.error, self.worst, self.worst_label, self.bottom.yaxis]

    def background_key(self):
        return self.top.get_ylim()


def _output_range(target_values, margin=0.06):
    """The top panel's y range: the target's and 0 (every bump and their sum stay inside:
    the sum is a weighted average of bump heights, weights in [0, 1])."""
    lo, hi = min(0.0, float(np.min(target_values))), max(0.0, float(np.max(target_values)))
    pad = margin * max(hi - lo, 1e-6)
    return lo - pad, hi + pad


def draw_universal_approximation(state, fig=None):
    """Target (dashed), the network's output, each bump (thin), and the error below: a new
    Figure, or drawn into ``fig`` (see :class:`UniversalApproximationView`)."""
    return UniversalApproximationView(state, fig=fig).fig


def readout_universal_approximation(state) -> str:
    return (f"<b>{state['n_hidden']}</b> hidden neurons ({state['n_bumps']} bumps), "
            f"steepness w = {state['steepness']:.0f}: "
            f"<b>max error = {state['max_error']:.4f}</b>, mean error = {state['mean_error']:.4f}")


def universal_approximation(n_hidden: int = 10, steepness: float = 300.0, target="sine + ripple"):
    """The widget: sliders for the number of hidden neurons (even) and the steepness, a target menu."""
    from .base import InteractivePlot, dropdown, int_slider, log_slider

    controls = {
        "n_hidden": int_slider(n_hidden, 2, 200, "hidden neurons", step=2),
        "steepness": log_slider(steepness, 1, 3.7, "steepness w", readout_format=".0f"),
        "target": dropdown(list(TARGETS), target, "target"),
    }
    plot = InteractivePlot(controls, compute_universal_approximation, UniversalApproximationView,
                           readout_universal_approximation, height="440px",
                           title="Universal approximation: a sum of sigmoid bumps")
    plot.ui.add_class("nnlib-universal-approximation")   # lets a browser test find this widget on the page
    return plot


def _n_bumps(n_hidden) -> int:
    if isinstance(n_hidden, bool) or not float(n_hidden).is_integer() or n_hidden < 2 or n_hidden % 2:
        raise ValueError("n_hidden must be an even whole number of at least 2 (the neurons work "
                         f"in pairs, one pair per bump), got {n_hidden!r}.")
    return int(n_hidden) // 2


def _target_function(target):
    if callable(target):
        return target
    if target not in TARGETS:
        raise ValueError(f"unknown target {target!r}; choose one of: {', '.join(TARGETS)} (or pass a function).")
    return TARGETS[target]
