r"""Lesson 2's widget: an activation function next to its derivative.

Pick :math:`g` from a menu and move :math:`z`: the left panel shows
:math:`a = g(z)` with the tangent at :math:`z` (its slope is :math:`g'(z)`),
the right panel shows :math:`g'(z)` itself, and the readout gives both numbers
and a finite-difference estimate of the slope,
:math:`(g(z + h) - g(z - h)) / 2h`, to compare with the formula.

Softmax turns a vector into probabilities, so it gets a small vector example:
:math:`z = (z_1, 1, -1)` with :math:`z_1` on the slider; the panels show the
three outputs :math:`s_k` and their slopes :math:`\partial s_k / \partial z_1`
as :math:`z_1` moves.

Pieces: :func:`compute_activation` (the numbers), :class:`ActivationView`
(the figure, kept and updated; :func:`draw_activation` gives a static one),
:func:`activation_readout`, :func:`activation_explorer`.
"""
from __future__ import annotations

import numpy as np

from ..activations import ACTIVATIONS
from ..gradient_check import derivative
from ..plots import CLASS_COLORS
from .base import FigureView, InteractivePlot, dropdown, new_figure, slider

#: The widget's menu, in the order lesson 2 introduces them.
EXPLORER_ACTIVATIONS = ("step", "sigmoid", "tanh", "relu", "leaky_relu", "softmax", "identity")
#: The fixed entries z_2, z_3 of the softmax example z = (z_1, z_2, z_3).
SOFTMAX_OTHERS = (1.0, -1.0)
Z_RANGE = (-6.0, 6.0)
SOFTMAX_COLORS = tuple(CLASS_COLORS[:3])


def _softmax_inputs(z1):
    """The rows (z1, 1, -1), one per value of z1: shape (n, 3)."""
    z1 = np.atleast_1d(np.asarray(z1, dtype=np.float64))
    return np.column_stack([z1] + [np.full_like(z1, c) for c in SOFTMAX_OTHERS])


def _softmax_of_first(z1):
    """softmax((z1, 1, -1)) for each z1: shape (n, 3)."""
    return ACTIVATIONS["softmax"].output(_softmax_inputs(z1))


def compute_activation(name: str = "sigmoid", z: float = 1.0, n_points: int = 401) -> dict:
    r"""The numbers the activation widget shows.

    Keys: ``name``, ``z``; ``zs`` (n_points,) the z axis over [-6, 6]; ``gs`` and
    ``dgs`` the function and its derivative along it (from ``nnlib.activations``);
    ``g`` = :math:`g(z)`, ``dg`` = :math:`g'(z)` (nnlib's ``*_prime``),
    ``dg_numeric`` the centred finite difference of :math:`g` at :math:`z`
    (``nnlib.gradient_check.derivative``), ``smooth`` False where :math:`g` has a
    jump or a kink at :math:`z` (then the two slopes need not agree).

    For ``"softmax"``: ``z_vector`` = (z, 1, -1); ``g`` the probabilities (3,);
    ``dg`` the column :math:`\partial s_k / \partial z_1 = s_k(\delta_{k1} - s_1)` of
    the Jacobian (3,); ``dg_numeric`` its finite difference; ``gs``, ``dgs`` (n_points, 3).
    """
    if name not in EXPLORER_ACTIVATIONS:
        raise ValueError(f"compute_activation: unknown activation {name!r}; "
                         f"choose one of {', '.join(EXPLORER_ACTIVATIONS)}.")
    z = float(z)
    if not np.isfinite(z):
        raise ValueError(f"compute_activation: z must be a finite number, got {z}.")
    zs = np.linspace(*Z_RANGE, n_points)
    state = {"name": name, "z": z, "zs": zs}
    if name == "softmax":
        jacobian = ACTIVATIONS["softmax"].der                  # (..., 3) -> (..., 3, 3)
        z_vec = _softmax_inputs(z)[0]
        state.update(
            z_vector=z_vec, g=ACTIVATIONS["softmax"].output(z_vec),
            dg=jacobian(z_vec)[:, 0],                          # row k, column 1: ds_k/dz_1
            dg_numeric=derivative(_softmax_of_first, z)[0],
            gs=_softmax_of_first(zs), dgs=jacobian(_softmax_inputs(zs))[:, :, 0],
        )
    else:
        act = ACTIVATIONS[name]
        state.update(g=float(act.output(np.float64(z))), dg=float(act.der(np.float64(z))),
                     dg_numeric=float(derivative(act.output, z)),
                     gs=act.output(zs), dgs=act.der(zs))
    kinked = name in ("step", "relu", "leaky_relu") and abs(z) < 1e-4
    state["smooth"] = not kinked
    return state


def _fmt_vec(v) -> str:
    return "[" + ", ".join(f"{x:.2f}" for x in v) + "]"


def _fmt_slope(v: float) -> str:
    return f"{v:.4f}" if abs(v) < 1e3 else f"{v:.0f}"


def activation_readout(state: dict) -> str:
    """One line: 'sigmoid: z = 1.00, g(z) = 0.7311, g'(z) = 0.1966 (finite difference 0.1966)'."""
    name, z = state["name"], state["z"]
    if name == "softmax":
        s = state["g"]
        return (f"softmax: z = {_fmt_vec(state['z_vector'])} gives s = {_fmt_vec(s)} "
                f"(sum {s.sum():.2f}); ∂s1/∂z1 = s1(1 − s1) = {state['dg'][0]:.4f} "
                f"(finite difference {state['dg_numeric'][0]:.4f})")
    text = (f"{name}: z = {z:.2f}, g(z) = {state['g']:.4f}, g'(z) = {state['dg']:.4f} "
            f"(finite difference {_fmt_slope(state['dg_numeric'])})")
    if not state["smooth"]:
        corner = "jump" if name == "step" else "kink"
        text += f" — {name} has a {corner} at z = 0: no derivative there; nnlib uses {state['dg']:g}"
    return text


def _ylim(values, pad=0.1):
    lo, hi = float(np.min(values)), float(np.max(values))
    span = max(hi - lo, 1e-6)
    return lo - pad * span, hi + pad * span


def _g_legend_loc(name):
    return "upper left" if name in ("relu", "leaky_relu", "identity") else "lower right"


class ActivationView(FigureView):
    """Two panels: g(z) with the tangent at z, and g'(z), with z marked on both.

    Kept and updated: the curves, the tangent, the dots, the dotted line at z and
    the titles move; a new function changes the axis ranges (a new background).
    Softmax has its own three curves per panel, shown instead of the one curve.
    """

    figsize = (8.8, 3.5)

    def __init__(self, state: dict):
        self.fig = new_figure(self.figsize)
        self.ax_g = ax_g = self.fig.add_axes((0.07, 0.15, 0.40, 0.72))
        self.ax_d = ax_d = self.fig.add_axes((0.57, 0.15, 0.40, 0.72))
        self.dynamic = []                       # what updates change, in drawing order

        def dyn(artist):
            self.dynamic.append(artist)
            return artist

        for ax in (ax_g, ax_d):
            ax.axhline(0, color="0.75", lw=0.8)
            ax.axvline(0, color="0.75", lw=0.8)
            ax.set_xlim(*Z_RANGE)
            ax.grid(alpha=0.25)
        self.sigmoid_max = dyn(ax_d.axhline(0.25, color="#2ca02c", lw=0.8, ls="--"))
        self.z_lines = [dyn(ax.axvline(0, color="0.4", lw=1.0, ls=":")) for ax in (ax_g, ax_d)]
        self.g_line = dyn(ax_g.plot([], [], color="#1f77b4", lw=2.2, label="g(z)")[0])
        self.tangent = dyn(ax_g.plot([], [], color="#ff7f0e", lw=1.6, label="tangent")[0])
        self.g_dot = dyn(ax_g.plot([], [], "o", color="#ff7f0e", ms=8, mec="black", zorder=5)[0])
        self.d_line = dyn(ax_d.plot([], [], color="#2ca02c", lw=2.2, label="g'(z)")[0])
        self.d_dot = dyn(ax_d.plot([], [], "o", color="#ff7f0e", ms=8, mec="black", zorder=5)[0])
        self.soft_g, self.soft_d = [], []
        for k in range(3):
            c = SOFTMAX_COLORS[k]
            self.soft_g.append((dyn(ax_g.plot([], [], color=c, lw=2, label=f"s{k + 1}")[0]),
                                dyn(ax_g.plot([], [], "o", color=c, ms=7, mec="black")[0])))
            self.soft_d.append((dyn(ax_d.plot([], [], color=c, lw=2, label=f"∂s{k + 1}/∂z1")[0]),
                                dyn(ax_d.plot([], [], "o", color=c, ms=7, mec="black")[0])))
        self.sigmoid_text = dyn(ax_d.text(Z_RANGE[1] - 0.2, 0.255, "largest slope 0.25", fontsize=9,
                                          color="#2ca02c", va="bottom", ha="right"))
        self.titles = [dyn(ax.set_title("", fontsize=11, y=1.0)) for ax in (ax_g, ax_d)]
        # the two legends of each panel, made once: one for a function, one for softmax
        self.legends = {
            False: (ax_g.legend([self.g_line, self.tangent], ["g(z)", "tangent"], fontsize=8),
                    ax_d.legend([self.d_line], ["g'(z)"], loc="upper left", fontsize=8)),
            True: (ax_g.legend([line for line, _ in self.soft_g], [f"s{k + 1}" for k in range(3)],
                               loc="center left", fontsize=8),
                   ax_d.legend([line for line, _ in self.soft_d], [f"∂s{k + 1}/∂z1" for k in range(3)],
                               loc="lower left", fontsize=8)),
        }
        self.update(state)

    def update(self, state: dict):
        name, z, zs = state["name"], state["z"], state["zs"]
        soft = name == "softmax"
        for ax, legend in zip((self.ax_g, self.ax_d), self.legends[soft]):
            ax.legend_ = legend
            ax.set_xlabel("z" if not soft else "z1   (z = (z1, 1, -1))")
        for line in self.z_lines:
            line.set_xdata([z, z])
        empty = ([], [])
        scalar = (self.g_line, self.tangent, self.g_dot, self.d_line, self.d_dot)
        for line in scalar:
            line.set_visible(not soft)
        for line in (artist for pair in self.soft_g + self.soft_d for artist in pair):
            line.set_visible(soft)
        self.sigmoid_max.set_visible(name == "sigmoid")
        self.sigmoid_text.set_visible(name == "sigmoid")
        if soft:
            for line in scalar:
                line.set_data(*empty)
            for k, ((g_line, g_dot), (d_line, d_dot)) in enumerate(zip(self.soft_g, self.soft_d)):
                g_line.set_data(zs, state["gs"][:, k])
                g_dot.set_data([z], [state["g"][k]])
                d_line.set_data(zs, state["dgs"][:, k])
                d_dot.set_data([z], [state["dg"][k]])
            self.ax_g.set_ylim(-0.05, 1.05)
            self.ax_d.set_ylim(-0.3, 0.3)
            self.titles[0].set_text("softmax outputs s = softmax(z)")
            self.titles[1].set_text("slopes ∂s_k/∂z1 (first Jacobian column)")
            return
        for line in (artist for pair in self.soft_g + self.soft_d for artist in pair):
            line.set_data(*empty)
        g, dg = state["g"], state["dg"]
        self.g_line.set_data(zs, state["gs"])
        t = np.linspace(z - 1.5, z + 1.5, 2)
        self.tangent.set_data(t, g + dg * (t - z))
        self.g_dot.set_data([z], [g])
        self.ax_g.set_ylim(*_ylim(state["gs"]))
        legend = self.legends[False][0]
        legend.texts[0].set_text(f"g(z) = {name}(z)")
        legend.texts[1].set_text(f"tangent, slope {dg:.3f}")
        legend.set_loc(_g_legend_loc(name))
        self.titles[0].set_text(f"{name}:  g({z:.2f}) = {g:.3f}")
        self.d_line.set_data(zs, state["dgs"])
        self.d_dot.set_data([z], [dg])
        lo, hi = _ylim(state["dgs"])
        self.ax_d.set_ylim(min(lo, -0.1), max(hi, 0.3))
        self.titles[1].set_text(f"derivative:  g'({z:.2f}) = {dg:.3f}")

    def dynamic_artists(self):
        return [*self.dynamic, self.ax_g.get_legend(), self.ax_d.get_legend()]

    def background_key(self):
        return (self.ax_g.get_ylim(), self.ax_d.get_ylim(), self.ax_g.get_xlabel())


def draw_activation(state: dict):
    """Two panels: g(z) with the tangent at z, and g'(z), with z marked on both (a new Figure)."""
    return ActivationView(state).fig


def activation_explorer(name: str = "sigmoid", z: float = 1.0, continuous_update: bool = False) -> InteractivePlot:
    """A menu of activation functions and a slider for z: see g and g' and read both at z."""
    controls = {
        "name": dropdown(list(EXPLORER_ACTIVATIONS), name, "function"),
        "z": slider(z, Z_RANGE[0], Z_RANGE[1], 0.1, "z", continuous_update),
    }
    return InteractivePlot(controls, compute_activation, ActivationView, activation_readout,
                           height="380px", title="An activation function g and its derivative g'")
