r"""Lesson 6 widget: backpropagation one number at a time.

Two computational graphs, drawn with their forward values (black) and their
backward gradients (red):

* one neuron, :math:`z = w \cdot x + b`, :math:`a = \sigma(z)`,
  :math:`C = \tfrac12 (a - y)^2` (:func:`compute_neuron_graph`, :func:`draw_neuron_graph`);
* a 2-2-1 network of sigmoid neurons with the same cost, walked through step by
  step: 7 forward steps, then 15 backward steps (:func:`compute_backprop`,
  :func:`draw_backprop`, the widget :func:`backprop_stepper`).

Names follow nnlib's arrays, 0-based, rows are samples: ``x`` (1, 2),
``W1`` (2, 2), ``b1`` (2,), ``W2`` (2, 1), ``b2`` (1,). ``z1[0]`` is
``Z1[0, 0]``, ``dC/dW2[1,0]`` is ``layers[1].grads["W"][1, 0]``. The backward
steps are the dense-layer equations, one entry at a time:

.. math::
    \delta = \text{dout} \odot \sigma'(z), \quad
    \frac{\partial C}{\partial W} = x^T \delta, \quad
    \frac{\partial C}{\partial b} = \delta, \quad
    \frac{\partial C}{\partial x} = \delta W^T
"""
from __future__ import annotations

import ipywidgets as w
import matplotlib.pyplot as plt
import numpy as np
from matplotlib.patches import Circle

from ..activations import sigmoid
from .base import FigureView, InteractivePlot, dropdown, int_slider, new_figure

#: The lesson's example: one sample, target 1, small hand-picked weights.
DEFAULT_X = np.array([[1.0, -2.0]])
DEFAULT_PARAMS = {
    "W1": np.array([[0.5, -0.3], [0.2, 0.4]]),
    "b1": np.array([0.1, -0.1]),
    "W2": np.array([[0.8], [-0.6]]),
    "b2": np.array([0.2]),
}

FORWARD_COLOR = "#f5a623"   # orange: the value being computed on the way forward
BACKWARD_COLOR = "#d0021b"  # red: gradients on the way back
USED_COLOR = "#fde9c4"      # light tint: what the current step reads


# --------------------------------------------------------------------------- one neuron
def compute_neuron_graph(x=(2.0, -1.0), w=(0.5, 0.3), b=0.1, y=1.0) -> dict:
    r"""Forward values and gradients of :math:`C = \tfrac12(\sigma(w\cdot x + b) - y)^2` for one sample.

    Returns ``{"values": {...}, "grads": {...}}`` keyed by node name (``"x1"``,
    ``"w1"``, ``"w1*x1"``, ``"z"``, ``"a"``, ``"C"``, ...); ``grads[k]`` is
    :math:`\partial C/\partial k`, worked backwards with the chain rule.
    """
    x1, x2 = (float(v) for v in x)
    w1, w2 = (float(v) for v in w)
    b, y = float(b), float(y)
    p1, p2 = w1 * x1, w2 * x2
    z = p1 + p2 + b
    a = float(sigmoid(z))
    C = 0.5 * (a - y) ** 2
    dC_da = a - y                       # d/da of (a - y)^2 / 2
    dC_dz = dC_da * a * (1 - a)         # times sigma'(z) = a (1 - a)
    grads = {"C": 1.0, "a": dC_da, "z": dC_dz,
             "w1*x1": dC_dz, "w2*x2": dC_dz, "b": dC_dz,      # a sum passes the gradient on
             "w1": dC_dz * x1, "x1": dC_dz * w1,               # a product swaps its inputs
             "w2": dC_dz * x2, "x2": dC_dz * w2}
    values = {"x1": x1, "w1": w1, "x2": x2, "w2": w2, "b": b, "y": y,
              "w1*x1": p1, "w2*x2": p2, "z": z, "a": a, "C": C}
    return {"values": values, "grads": grads}


_NEURON_NODES = {  # name -> (x, y, text inside the node, math name)
    "x1": (0.0, 2.5, "$x_1$", "x_1"), "w1": (0.0, 1.4, "$w_1$", "w_1"),
    "x2": (0.0, 0.1, "$x_2$", "x_2"), "w2": (0.0, -1.0, "$w_2$", "w_2"),
    "b": (0.0, -2.3, "$b$", "b"),
    "w1*x1": (2.2, 1.95, r"$\times$", "w_1x_1"), "w2*x2": (2.2, -0.45, r"$\times$", "w_2x_2"),
    "z": (4.3, 0.3, "$+$", "z"), "a": (6.5, 0.3, r"$\sigma$", "a"),
    "y": (6.5, -1.9, "$y$", "y"), "C": (8.7, 0.3, r"$\frac{1}{2}(\cdot)^2$", "C"),
}
_NEURON_EDGES = [("x1", "w1*x1"), ("w1", "w1*x1"), ("x2", "w2*x2"), ("w2", "w2*x2"),
                 ("w1*x1", "z"), ("w2*x2", "z"), ("b", "z"), ("z", "a"), ("a", "C"), ("y", "C")]
_LEAVES = ("x1", "w1", "x2", "w2", "b", "y")


def draw_neuron_graph(state=None, ax=None):
    """The one-neuron computational graph with forward values (black) and gradients
    dC/d(node) (red). ``state``: from :func:`compute_neuron_graph` (default: its example)."""
    state = state or compute_neuron_graph()
    fig, ax = _figure_and_axes(ax, (11, 5.2))
    values, grads = state["values"], state["grads"]
    for src, dst in _NEURON_EDGES:
        _arrow(ax, _NEURON_NODES[src][:2], _NEURON_NODES[dst][:2], color="0.55")
    for name, (px, py, label, sym) in _NEURON_NODES.items():
        leaf = name in _LEAVES
        r = 0.36 if leaf else 0.5
        _node(ax, px, py, label, face="#e8f1fb" if leaf else "white", radius=r,
              fontsize=12 if leaf else 13)
        value = f"${sym}$ = {values[name]:.3f}"
        grad = rf"$\partial C/\partial {sym}$ = {grads[name]:.3f}" if name in grads else None
        if leaf:  # values to the left of the inputs, to keep the column readable
            ax.text(px - r - 0.12, py + 0.02, value, ha="right", va="bottom", fontsize=10)
            if grad:
                ax.text(px - r - 0.12, py - 0.02, grad, ha="right", va="top", fontsize=10,
                        color=BACKWARD_COLOR)
        else:
            ax.text(px, py + r + 0.08, value, ha="center", va="bottom", fontsize=10)
            ax.text(px, py - r - 0.08, grad, ha="center", va="top", fontsize=10, color=BACKWARD_COLOR)
    ax.text(3.4, -3.35, "black: forward values, computed left to right.   red: gradients "
            r"$\partial C/\partial(\cdot)$, computed right to left.", fontsize=10, color="0.3",
            ha="center", va="center")
    ax.set_xlim(-2.7, 9.6)
    ax.set_ylim(-3.7, 3.4)
    ax.set_title("One neuron as a computational graph: $z = w\\cdot x + b$, $a = \\sigma(z)$, "
                 "$C = \\frac{1}{2}(a-y)^2$", fontsize=12)
    return fig


# --------------------------------------------------------------------------- the 2-2-1 network
def _as_params(params):
    params = {**DEFAULT_PARAMS, **(params or {})}
    shapes = {"W1": (2, 2), "b1": (2,), "W2": (2, 1), "b2": (1,)}
    out = {}
    for k, shape in shapes.items():
        v = np.asarray(params[k], dtype=np.float64)
        if v.shape != shape:
            raise ValueError(f"backprop stepper: {k} must have shape {shape} (a 2-2-1 network), got {v.shape}.")
        out[k] = v
    return out


def compute_backprop(x=None, y=1.0, params=None) -> dict:
    r"""Every forward value and every gradient of the 2-2-1 sigmoid network, plus the steps.

    ``x``: one sample, shape (1, 2) (or (2,)); ``y``: its target; ``params``:
    ``{"W1", "b1", "W2", "b2"}`` with nnlib's shapes. Returns the arrays (``Z1``,
    ``A1``, ``Z2``, ``A2``, ``C``; ``dA2``, ``delta2``, ``dW2``, ``db2``, ``dA1``,
    ``delta1``, ``dW1``, ``db1``) and ``steps``: a list of dicts with ``phase``
    ("forward"/"backward"), ``name``, ``formula`` (with the numbers), ``value``,
    ``target`` (the node or edge it fills) and ``uses`` (what it reads).
    """
    x = np.asarray(DEFAULT_X if x is None else x, dtype=np.float64).reshape(1, -1)
    if x.shape != (1, 2):
        raise ValueError(f"backprop stepper: x must be one sample with 2 features, shape (1, 2); got {x.shape}.")
    y = float(y)
    p = _as_params(params)
    W1, b1, W2, b2 = p["W1"], p["b1"], p["W2"], p["b2"]
    # forward: Z = XW + b, A = sigma(Z), C = (a - y)^2 / 2
    Z1 = x @ W1 + b1
    A1 = sigmoid(Z1)
    Z2 = A1 @ W2 + b2
    A2 = sigmoid(Z2)
    C = 0.5 * float((A2[0, 0] - y) ** 2)
    # backward: the dense-layer equations
    dA2 = A2 - y
    delta2 = dA2 * A2 * (1 - A2)          # dout * sigma'(Z2)
    dW2 = A1.T @ delta2                   # X^T delta
    db2 = delta2.sum(axis=0)
    dA1 = delta2 @ W2.T                   # delta W^T
    delta1 = dA1 * A1 * (1 - A1)
    dW1 = x.T @ delta1
    db1 = delta1.sum(axis=0)
    s = {"x": x, "y": y, **p, "Z1": Z1, "A1": A1, "Z2": Z2, "A2": A2, "C": C,
         "dA2": dA2, "delta2": delta2, "dW2": dW2, "db2": db2, "dA1": dA1, "delta1": delta1,
         "dW1": dW1, "db1": db1}
    s["steps"] = _steps(s)
    return s


def _f(v):
    return f"{v:.4g}" if v >= 0 else f"({v:.4g})"


def _steps(s):
    x, W1, b1, W2, b2 = s["x"][0], s["W1"], s["b1"], s["W2"], s["b2"]
    Z1, A1, z2, a2 = s["Z1"][0], s["A1"][0], s["Z2"][0, 0], s["A2"][0, 0]
    steps = []

    def add(phase, name, formula, value, target, uses):
        steps.append({"phase": phase, "name": name, "formula": formula, "value": float(value),
                      "target": target, "uses": uses})

    for j in range(2):
        add("forward", f"z1[{j}]",
            f"x[0]·W1[0,{j}] + x[1]·W1[1,{j}] + b1[{j}] = {_f(x[0])}×{_f(W1[0, j])} + "
            f"{_f(x[1])}×{_f(W1[1, j])} + {_f(b1[j])}", Z1[j], f"z1[{j}]",
            ["x[0]", "x[1]", f"W1[0,{j}]", f"W1[1,{j}]", f"b1[{j}]"])
        add("forward", f"a1[{j}]", f"σ(z1[{j}]) = σ({Z1[j]:.4g})", A1[j], f"a1[{j}]", [f"z1[{j}]"])
    add("forward", "z2", f"a1[0]·W2[0,0] + a1[1]·W2[1,0] + b2[0] = {_f(A1[0])}×{_f(W2[0, 0])} + "
        f"{_f(A1[1])}×{_f(W2[1, 0])} + {_f(b2[0])}", z2, "z2",
        ["a1[0]", "a1[1]", "W2[0,0]", "W2[1,0]", "b2[0]"])
    add("forward", "a2", f"σ(z2) = σ({z2:.4g})", a2, "a2", ["z2"])
    add("forward", "C", f"½(a2 − y)² = ½({_f(a2)} − {_f(s['y'])})²", s["C"], "C", ["a2", "y"])

    d2, dA1, d1 = s["delta2"][0, 0], s["dA1"][0], s["delta1"][0]
    add("backward", "dC/da2", f"a2 − y = {_f(a2)} − {_f(s['y'])}", s["dA2"][0, 0], "a2", ["C"])
    add("backward", "δ2 = dC/dz2", f"dC/da2 · σ'(z2) = dC/da2 · a2(1 − a2) = {_f(s['dA2'][0, 0])}"
        f" × {_f(a2 * (1 - a2))}", d2, "z2", ["a2"])
    for i in range(2):
        add("backward", f"dC/dW2[{i},0]", f"a1[{i}] · δ2 = {_f(A1[i])} × {_f(d2)}", s["dW2"][i, 0],
            f"W2[{i},0]", [f"a1[{i}]", "z2"])
    add("backward", "dC/db2[0]", "δ2", s["db2"][0], "b2[0]", ["z2"])
    for i in range(2):
        add("backward", f"dC/da1[{i}]", f"δ2 · W2[{i},0] = {_f(d2)} × {_f(W2[i, 0])}", dA1[i],
            f"a1[{i}]", ["z2", f"W2[{i},0]"])
    for j in range(2):
        add("backward", f"δ1[{j}] = dC/dz1[{j}]", f"dC/da1[{j}] · a1[{j}](1 − a1[{j}]) = "
            f"{_f(dA1[j])} × {_f(A1[j] * (1 - A1[j]))}", d1[j], f"z1[{j}]", [f"a1[{j}]"])
    for j in range(2):
        for i in range(2):
            add("backward", f"dC/dW1[{i},{j}]", f"x[{i}] · δ1[{j}] = {_f(x[i])} × {_f(d1[j])}",
                s["dW1"][i, j], f"W1[{i},{j}]", [f"x[{i}]", f"z1[{j}]"])
    for j in range(2):
        add("backward", f"dC/db1[{j}]", f"δ1[{j}]", s["db1"][j], f"b1[{j}]", [f"z1[{j}]"])
    return steps


N_FORWARD, N_BACKWARD = 7, 15
N_STEPS = N_FORWARD + N_BACKWARD


def compute_stepper(step=0, y=1.0, x=None, params=None) -> dict:
    """The network's values with only the first ``step`` steps done (0 = nothing computed yet)."""
    s = compute_backprop(x, y, params)
    if not 0 <= int(step) <= len(s["steps"]):
        raise ValueError(f"step must be in 0..{len(s['steps'])}, got {step}.")
    s["step"] = int(step)
    s["done"] = s["steps"][:s["step"]]
    s["current"] = s["steps"][s["step"] - 1] if s["step"] else None
    return s


def stepper_readout(state) -> str:
    cur = state["current"]
    if cur is None:
        return (f"step 0/{N_STEPS}: start. Inputs x = ({state['x'][0, 0]:g}, {state['x'][0, 1]:g}), "
                f"target y = {state['y']:g}. Press next ▶ for the forward pass.")
    i = state["step"]
    k, n = (i, N_FORWARD) if cur["phase"] == "forward" else (i - N_FORWARD, N_BACKWARD)
    return f"{cur['phase']} step {k}/{n}: {cur['name']} = {cur['formula']} = {cur['value']:.4f}"


# node name -> position; edges carry the weights
_NET_NODES = {
    "x[0]": (0.0, 1.3), "x[1]": (0.0, -1.3),
    "z1[0]": (3.4, 1.3), "z1[1]": (3.4, -1.3),
    "a1[0]": (5.0, 1.3), "a1[1]": (5.0, -1.3),
    "z2": (7.6, 0.0), "a2": (9.2, 0.0), "C": (10.8, 0.0),
    "b1[0]": (2.4, 2.45), "b1[1]": (2.4, -2.45), "b2[0]": (7.6, 1.75), "y": (10.8, -1.75),
}
_NET_EDGES = {  # key -> (src, dst, where along the edge the weight label sits)
    "W1[0,0]": ("x[0]", "z1[0]", 0.45), "W1[1,0]": ("x[1]", "z1[0]", 0.3),
    "W1[0,1]": ("x[0]", "z1[1]", 0.3), "W1[1,1]": ("x[1]", "z1[1]", 0.45),
    "W2[0,0]": ("a1[0]", "z2", 0.5), "W2[1,0]": ("a1[1]", "z2", 0.5),
}
_PLAIN_EDGES = [("z1[0]", "a1[0]"), ("z1[1]", "a1[1]"), ("z2", "a2"), ("a2", "C"),
                ("b1[0]", "z1[0]"), ("b1[1]", "z1[1]"), ("b2[0]", "z2"), ("y", "C")]
_SMALL = ("x[0]", "x[1]", "b1[0]", "b1[1]", "b2[0]", "y")


def _net_values(s):
    """Forward value and gradient of every node and weight, as far as known."""
    value = {"x[0]": s["x"][0, 0], "x[1]": s["x"][0, 1], "y": s["y"]}
    for i in range(2):
        value[f"b1[{i}]"] = s["b1"][i]
        for j in range(2):
            value[f"W1[{i},{j}]"] = s["W1"][i, j]
        value[f"W2[{i},0]"] = s["W2"][i, 0]
    value["b2[0]"] = s["b2"][0]
    grad = {}
    for st in s["done"]:
        if st["phase"] == "forward":
            value[st["target"]] = st["value"]
        else:
            grad[st["target"]] = st["value"]
    if any(st["phase"] == "backward" for st in s["done"]):
        grad["C"] = 1.0
    return value, grad


def _edge_style(key, hot, hot_color, uses, grad):
    """(arrow colour, arrow width, label face, label edge, label edge width, text colour) of a weight edge."""
    is_hot, used = key == hot, key in uses
    return (hot_color if is_hot else ("#e0a040" if used else "0.6"),
            3.5 if is_hot else (2.2 if used else 1.2),
            "#ffe6e6" if is_hot else (USED_COLOR if used else "white"),
            hot_color if is_hot else "0.85", 1.5 if is_hot else 0.6,
            BACKWARD_COLOR if key in grad else "0.15")


def _node_face(name, hot, hot_color, uses):
    if name == hot:
        return "#ffc566" if hot_color == FORWARD_COLOR else "#ff9aa5"
    if name in uses:
        return USED_COLOR
    return "#e8f1fb" if name in _SMALL else "white"


class BackpropView(FigureView):
    """The 2-2-1 network's graph, kept: one arrow, circle and pair of labels per node and
    weight, made once; :meth:`update` only recolours them and changes their text.

    Quick frames: the title, the two headings and the plain arrows (z1 -> a1, biases,
    ...) never change and lie under nothing that does; they are drawn once and kept as
    the background. Everything else (:meth:`dynamic_artists`) is drawn over it each frame.

    ``BackpropView(state).fig`` is the figure of ``state`` (a ``Figure`` of its own, not
    pyplot's); ``ax=``: draw into that Axes instead (then ``fig`` is its figure).
    """

    def __init__(self, state, ax=None):
        if ax is None:
            ax = new_figure((11, 5.9)).add_subplot()
        self.fig, self.ax = ax.figure, ax
        ax.set_aspect("equal")
        ax.axis("off")
        for spine in ax.spines.values():   # (quick frames draw the spines that are visible)
            spine.set_visible(False)
        for src, dst in _PLAIN_EDGES:
            _arrow(ax, _NET_NODES[src], _NET_NODES[dst], color="0.6")
        self.edges = {}     # key -> (arrow, label)
        for key, (src, dst, t) in _NET_EDGES.items():
            p, q = np.array(_NET_NODES[src]), np.array(_NET_NODES[dst])
            arrow = _arrow(ax, p, q)
            m = p + t * (q - p)
            label = ax.text(m[0], m[1], "", ha="center", va="center", fontsize=8.5, zorder=5,
                            bbox=dict(boxstyle="round,pad=0.2", fc="white", ec="0.85", lw=0.6))
            self.edges[key] = (arrow, label)
        self.nodes = {}     # name -> (circle, name text, value text, gradient text)
        for name, (px, py) in _NET_NODES.items():
            small = name in _SMALL
            r = 0.3 if small else 0.42
            circle, label = _node(ax, px, py, name, radius=r, fontsize=8.5 if small else 9.5)
            box = dict(boxstyle="square,pad=0.05", fc="white", ec="none", alpha=0.85)
            if small:  # inputs, biases, target: numbers on the left, value over gradient
                value = ax.text(px - r - 0.08, py + 0.02, "", ha="right", va="bottom", fontsize=9,
                                zorder=5, bbox=box)
                grad = ax.text(px - r - 0.08, py - 0.02, "", ha="right", va="top", fontsize=9,
                               color=BACKWARD_COLOR, zorder=5, bbox=box)
            else:
                value = ax.text(px, py + r + 0.05, "", ha="center", va="bottom", fontsize=9,
                                zorder=5, bbox=box)
                grad = ax.text(px, py - r - 0.05, "", ha="center", va="top", fontsize=9,
                               color=BACKWARD_COLOR, zorder=5, bbox=box)
            self.nodes[name] = (circle, label, value, grad)
        ax.text(4.2, 3.05, "hidden layer: Z1 = x W1 + b1, A1 = σ(Z1)", ha="center", fontsize=9,
                color="0.35")
        ax.text(9.2, 3.05, "output: z2 = A1 W2 + b2, a2 = σ(z2); cost C", ha="center", fontsize=9,
                color="0.35")
        self.caption = ax.text(5.0, -3.15, "", ha="center", va="top", fontsize=10,
                               bbox=dict(boxstyle="round", fc="#fafafa", ec="0.75"))
        ax.set_xlim(-1.5, 11.6)
        ax.set_ylim(-3.6, 3.3)
        ax.set_title("A 2-2-1 network. Black: values, computed forward. "
                     "Red: the gradient ∂C/∂(that node or weight), computed backward", fontsize=11)
        self.update(state)

    def update(self, state):
        value, grad = _net_values(state)
        cur = state["current"]
        hot = cur["target"] if cur else None
        hot_color = FORWARD_COLOR if cur and cur["phase"] == "forward" else BACKWARD_COLOR
        uses = set(cur["uses"]) if cur else set()
        for key, (arrow, label) in self.edges.items():
            color, lw, face, edge, edge_lw, text_color = _edge_style(key, hot, hot_color, uses, grad)
            arrow.arrow_patch.set_color(color)
            arrow.arrow_patch.set_linewidth(lw)
            text = f"{key} = {value[key]:.2f}"
            if key in grad:
                text += f"\n∂C/∂W = {grad[key]:+.4f}"
            label.set_text(text)
            label.set_color(text_color)
            patch = label.get_bbox_patch()
            patch.set_facecolor(face)
            patch.set_edgecolor(edge)
            patch.set_linewidth(edge_lw)
        for name, (circle, _, v, g) in self.nodes.items():
            circle.set_facecolor(_node_face(name, hot, hot_color, uses))
            v.set_text(f"{value[name]:.4f}" if name in value else "")
            v.set_visible(name in value)
            g.set_text(f"{grad[name]:+.4f}" if name in grad else "")
            g.set_visible(name in grad)
        self.caption.set_text(stepper_readout(state))
        self.caption.get_bbox_patch().set_facecolor("#fffbe6" if cur else "#fafafa")

    def dynamic_artists(self):
        """What :meth:`update` changes, and the node names drawn over the recoloured circles,
        in the order a full draw takes them (z-order: arrows, circles and caption, names,
        then the weight labels before the numbers, as they were made)."""
        arrows = [arrow for arrow, _ in self.edges.values()]
        labels = [label for _, label in self.edges.values()]
        circles = [circle for circle, *_ in self.nodes.values()]
        names = [name for _, name, _, _ in self.nodes.values()]
        numbers = [text for *_, value, grad in self.nodes.values() for text in (value, grad)]
        return [*arrows, *circles, self.caption, *names, *labels, *numbers]


def draw_backprop(state, ax=None):
    """The 2-2-1 network as a graph after ``state['step']`` steps: known values in
    black, gradients in red, the current step highlighted and its formula below.
    (The figure the stepper widget keeps and updates; here made with pyplot, so a
    notebook shows it.)"""
    if ax is None:
        ax = plt.figure(figsize=(11, 5.9)).add_subplot()
    return BackpropView(state, ax=ax).fig


def _clean_step_values(values):
    """The stepper's own limits, after the base's cleaning: step a whole number in 0..22, y 0 or 1."""
    notes = []
    step, y = values.get("step"), values.get("y")
    if y not in (0.0, 1.0):
        notes.append(f"target y must be 0 or 1 (got {y!r}): using 1")
        values["y"] = 1.0
    try:
        ok = float(step) == int(step) and 0 <= int(step) <= N_STEPS
    except (TypeError, ValueError, OverflowError):
        ok = False
    if not ok:
        notes.append(f"step must be a whole number in 0..{N_STEPS} (got {step!r}): using 0")
        values["step"] = 0
    values["step"] = int(values["step"])
    return values, notes


class BackpropStepper(InteractivePlot):
    """:class:`InteractivePlot` with next/back buttons and a Play control on the step slider.

    ``next()`` and ``back()`` move one step (as the buttons do); ``set(step=k, y=...)``.
    The figure is a :class:`BackpropView`, kept and updated in place.
    """

    def __init__(self, y=1.0, x=None, params=None):
        compute_backprop(x, y, params)  # fail now, with a clear message, on bad input
        controls = {"step": int_slider(0, 0, N_STEPS, "step", continuous_update=True),
                    "y": dropdown([("y = 1", 1.0), ("y = 0", 0.0)], float(y), "target")}
        controls["y"].layout.width = "160px"
        super().__init__(controls, lambda step, y: compute_stepper(step, y, x, params),
                         BackpropView, stepper_readout, height="600px",
                         title="Backpropagation, one step at a time", constrain=_clean_step_values)
        self.play = w.Play(value=0, min=0, max=N_STEPS, interval=1500, description="play")
        w.jslink((self.play, "value"), (self.controls["step"], "value"))
        self.back_button = w.Button(description="◀ back", layout=w.Layout(width="90px"))
        self.next_button = w.Button(description="next ▶", layout=w.Layout(width="90px"),
                                    button_style="info")
        self.back_button.on_click(lambda _: self.back())
        self.next_button.on_click(lambda _: self.next())
        row = w.HBox([self.back_button, self.next_button, self.play, self.controls["step"],
                      self.controls["y"]])
        self.ui.children = (self.ui.children[0], row, *self.ui.children[2:])

    def next(self):
        """One step forward (stays at the last step)."""
        return self.set(step=min(N_STEPS, self.state["step"] + 1))

    def back(self):
        """One step back (stays at step 0)."""
        return self.set(step=max(0, self.state["step"] - 1))


def backprop_stepper(y=1.0, x=None, params=None) -> BackpropStepper:
    """Step through the forward and backward pass of a 2-2-1 network, one number at a time.

    ``x`` (1, 2), ``y`` and ``params`` (``W1, b1, W2, b2``) default to the lesson's example.
    """
    return BackpropStepper(y=y, x=x, params=params)


# --------------------------------------------------------------------------- drawing helpers
def _figure_and_axes(ax, size):
    if ax is None:
        fig, ax = plt.subplots(figsize=size)
    else:
        fig = ax.figure
    ax.set_aspect("equal")
    ax.axis("off")
    return fig, ax


def _node(ax, x, y, label, face="white", radius=0.45, fontsize=11):
    """A circle at (x, y) with ``label`` inside; returns (circle, label text)."""
    circle = ax.add_patch(Circle((x, y), radius, fc=face, ec="0.25", lw=1.2, zorder=3))
    text = ax.text(x, y, label, ha="center", va="center", fontsize=fontsize, zorder=4)
    return circle, text


def _arrow(ax, p, q, color="0.5", lw=1.2):
    return ax.annotate("", xy=q, xytext=p, zorder=1,
                arrowprops=dict(arrowstyle="-|>", color=color, lw=lw, shrinkA=14, shrinkB=16,
                                mutation_scale=12))
