r"""Lesson 7 widget: a small neural-network playground, in the spirit of TensorFlow Playground.

Pick a data set and its noise, the network (hidden layers and units,
activation) and the training settings (learning rate :math:`\eta`, batch size,
L2 strength :math:`\lambda`), then press *Train*: the network is trained for a
few more epochs of mini-batch SGD, and the decision boundary and the loss curves
are redrawn. Changing any setting starts again from a fresh network.

The pieces, as in every lesson widget:

* :class:`PlaygroundModel`: the data, the network and its training record; no widgets;
* :func:`compute_playground`: a pure function, settings and a number of epochs in,
  the state (network, metrics, curves) out; the same settings always give the same
  numbers, however the epochs were split into clicks (each epoch is seeded by its
  number);
* :func:`draw_playground`: the figure; :func:`playground_readout`: the line of numbers;
* :func:`playground`: the widget.
"""
from __future__ import annotations

import copy
import time
import warnings

import ipywidgets as w
import matplotlib.pyplot as plt
import numpy as np
from matplotlib.lines import Line2D

from .. import datasets
from ..layers import Dense
from ..network import Network, TrainingDiverged
from ..optimizers import SGD
from ..plots import CLASS_COLORS, plot_decision_boundary
from .base import InteractivePlot, dropdown, int_slider, slider

#: data set name -> function(noise, seed) -> (X, y); 200 points (300 for the three spirals)
DATASETS = {
    "moons": lambda noise, seed: datasets.make_moons(200, noise=noise, seed=seed),
    "circles": lambda noise, seed: datasets.make_circles(200, noise=noise, factor=0.5, seed=seed),
    "xor": lambda noise, seed: datasets.make_xor(200, noise=noise, seed=seed),
    "spirals": lambda noise, seed: datasets.make_spirals(300, classes=3, noise=noise, seed=seed),
}
ACTIVATION_NAMES = ("tanh", "relu", "sigmoid", "leaky_relu")
LEARNING_RATES = (0.001, 0.003, 0.01, 0.03, 0.1, 0.3, 1.0, 3.0)
BATCH_SIZES = (1, 4, 8, 16, 32, 64, 0)  # 0 = the whole training set (full-batch gradient descent)
L2_STRENGTHS = (0.0, 0.0001, 0.001, 0.003, 0.01, 0.03, 0.1)
EPOCHS_PER_CLICK = (1, 5, 10, 25, 50, 100)
TEST_FRACTION = 0.25

DEFAULTS = dict(dataset="moons", noise=0.15, hidden=8, layers=1, activation="tanh",
                learning_rate=0.3, batch_size=8, l2=0.0)


def build_network(n_classes: int, hidden: int = 8, layers: int = 1, activation="tanh",
                  l2: float = 0.0, seed=0) -> Network:
    """2 inputs, ``layers`` hidden layers of ``hidden`` units, and the output.

    Two classes: one output and ``sigmoid_cross_entropy``; more: one output per
    class and ``softmax_cross_entropy`` (the last layer outputs logits)."""
    sizes = [2] + [int(hidden)] * int(layers)
    stack = [Dense(a, b, activation) for a, b in zip(sizes, sizes[1:])]
    n_out = 1 if n_classes == 2 else n_classes
    stack.append(Dense(sizes[-1], n_out))
    loss = "sigmoid_cross_entropy" if n_out == 1 else "softmax_cross_entropy"
    return Network(stack, loss=loss, l2=l2, seed=seed)


def _check_settings(dataset, noise, hidden, layers, activation, learning_rate, batch_size, l2):
    if dataset not in DATASETS:
        raise ValueError(f"playground: unknown data set {dataset!r}; choose one of {', '.join(DATASETS)}.")
    if activation not in ACTIVATION_NAMES:
        raise ValueError(f"playground: unknown activation {activation!r}; choose one of "
                         f"{', '.join(ACTIVATION_NAMES)}.")
    if not 0 <= noise <= 1:
        raise ValueError(f"playground: noise must be in [0, 1], got {noise}.")
    if not 1 <= int(hidden) <= 64 or int(hidden) != hidden:
        raise ValueError(f"playground: hidden units must be a whole number in 1..64, got {hidden}.")
    if int(layers) not in (1, 2) or int(layers) != layers:
        raise ValueError(f"playground: hidden layers must be 1 or 2, got {layers}.")
    if not learning_rate > 0:
        raise ValueError(f"playground: the learning rate must be positive, got {learning_rate}.")
    if int(batch_size) != batch_size or batch_size < 0:
        raise ValueError(f"playground: batch size must be a whole number >= 1 (or 0 for all), got {batch_size}.")
    if not l2 >= 0:
        raise ValueError(f"playground: the L2 strength must be >= 0, got {l2}.")


def normalize_settings(dataset="moons", noise=0.15, hidden=8, layers=1, activation="tanh",
                       learning_rate=0.3, batch_size=8, l2=0.0) -> dict:
    """The settings checked and as plain Python numbers (so two equal settings compare equal)."""
    _check_settings(dataset, noise, hidden, layers, activation, learning_rate, batch_size, l2)
    return dict(dataset=dataset, noise=float(noise), hidden=int(hidden), layers=int(layers),
                activation=activation, learning_rate=float(learning_rate),
                batch_size=int(batch_size), l2=float(l2))


class PlaygroundModel:
    """The playground's data, network and training record, without any widget.

    ``train(epochs)`` continues training; ``state()`` is a snapshot of everything
    the figure and the readout show. Epoch ``e`` (counted from 0) shuffles its
    batches with seed ``seed * 100_003 + e``, so training 50 epochs at once or
    in two clicks of 25 gives the same network.
    """

    def __init__(self, dataset="moons", noise=0.15, hidden=8, layers=1, activation="tanh",
                 learning_rate=0.3, batch_size=8, l2=0.0, seed=0):
        self.settings = normalize_settings(dataset, noise, hidden, layers, activation,
                                           learning_rate, batch_size, l2)
        self.seed = int(seed)
        X, y = DATASETS[dataset](float(noise), self.seed)
        self.X_train, self.X_test, self.y_train, self.y_test = datasets.train_test_split(
            X, y, test_size=TEST_FRACTION, seed=self.seed)
        self.n_classes = int(y.max()) + 1
        self.network = build_network(self.n_classes, hidden, layers, activation, l2, self.seed)
        self.optimizer = SGD(learning_rate)
        self.epoch = 0
        self.diverged = False
        self.message = ""
        self.history = {"loss": [], "accuracy": [], "val_loss": [], "val_accuracy": []}
        self.start = self._measure()

    def _measure(self) -> dict:
        with np.errstate(all="ignore"):
            train = self.network.evaluate(self.X_train, self.y_train)
            test = self.network.evaluate(self.X_test, self.y_test)
        return {"loss": train["loss"], "accuracy": train["accuracy"],
                "val_loss": test["loss"], "val_accuracy": test["accuracy"]}

    def train(self, epochs: int = 25) -> "PlaygroundModel":
        """Train ``epochs`` more epochs (nothing happens once training has diverged)."""
        if int(epochs) != epochs or epochs < 0:
            raise ValueError(f"playground: epochs must be a whole number >= 0, got {epochs}.")
        batch = self.settings["batch_size"] or len(self.y_train)
        for _ in range(int(epochs)):
            if self.diverged:
                break
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", TrainingDiverged)
                fit = self.network.fit(self.X_train, self.y_train, epochs=1, batch_size=batch,
                                       optimizer=self.optimizer,
                                       seed=self.seed * 100_003 + self.epoch, verbose=False)
            metrics = self._measure()
            if fit.diverged or not np.isfinite(metrics["loss"]):
                self.diverged = True
                self.message = (f"training diverged in epoch {self.epoch + 1}: the loss became "
                                f"infinite; try a smaller learning rate than {self.settings['learning_rate']:g}")
                break
            self.epoch += 1
            for k, v in metrics.items():
                self.history[k].append(v)
        return self

    def state(self) -> dict:
        """A snapshot: settings, epoch, data, a copy of the network, metrics and curves."""
        last = {k: v[-1] for k, v in self.history.items()} if self.epoch else self.start
        return {**self.settings, "seed": self.seed, "epoch": self.epoch,
                "X_train": self.X_train, "y_train": self.y_train,
                "X_test": self.X_test, "y_test": self.y_test, "n_classes": self.n_classes,
                "network": copy.deepcopy(self.network),
                "train_loss": last["loss"], "train_accuracy": last["accuracy"],
                "test_loss": last["val_loss"], "test_accuracy": last["val_accuracy"],
                "start": dict(self.start),
                "history": {k: list(v) for k, v in self.history.items()},
                "diverged": self.diverged, "message": self.message}


def compute_playground(dataset="moons", noise=0.15, hidden=8, layers=1, activation="tanh",
                       learning_rate=0.3, batch_size=8, l2=0.0, epochs=0, seed=0) -> dict:
    """Train a fresh playground network for ``epochs`` epochs and return its state.

    State keys: the settings, ``epoch``, ``X_train``/``y_train``/``X_test``/``y_test``,
    ``network`` (a copy), ``train_loss``, ``train_accuracy``, ``test_loss``,
    ``test_accuracy``, ``history`` (per-epoch lists ``loss``, ``accuracy``,
    ``val_loss``, ``val_accuracy``, where "val" is the test set), ``diverged``, ``message``.
    """
    return PlaygroundModel(dataset, noise, hidden, layers, activation, learning_rate,
                           batch_size, l2, seed).train(epochs).state()


def playground_readout(state) -> str:
    """'epoch 25 · train loss 0.231 · test loss 0.254 · train accuracy 91% · test accuracy 90%'."""
    text = (f"epoch {state['epoch']} · train loss {state['train_loss']:.3f} · "
            f"test loss {state['test_loss']:.3f} · train accuracy {state['train_accuracy']:.0%} · "
            f"test accuracy {state['test_accuracy']:.0%}")
    if state.get("click_seconds") is not None:
        text += f" · last click: {state['click_epochs']} epochs in {state['click_seconds']:.2f} s"
    if state["diverged"]:
        text += f" · <b>{state['message']}</b>"
    return text


def _architecture(state) -> str:
    hidden = "-".join([str(state["hidden"])] * state["layers"])
    n_out = 1 if state["n_classes"] == 2 else state["n_classes"]
    return f"2-{hidden}-{n_out}, {state['activation']}"


def draw_playground(state):
    """Left: decision boundary with the training points (test points as rings).
    Right: train and test loss per epoch."""
    # fixed margins: constrained layout would double the drawing time of every click
    fig, (ax_b, ax_l) = plt.subplots(1, 2, figsize=(11.5, 4.9), gridspec_kw={"width_ratios": [1.15, 1]})
    fig.subplots_adjust(left=0.07, right=0.98, bottom=0.24, top=0.92, wspace=0.38)
    title = f"{state['dataset']}, {_architecture(state)}: epoch {state['epoch']}"
    plot_decision_boundary(state["network"], state["X_train"], state["y_train"], ax=ax_b,
                           resolution=120, title=title)
    ax_b.scatter(state["X_test"][:, 0], state["X_test"][:, 1], s=38, facecolors="none", lw=1.6,
                 edgecolors=[CLASS_COLORS[c] for c in state["y_test"]], zorder=4)
    legend = ax_b.get_legend()
    if legend is not None:  # add the rings to the legend plot_decision_boundary made
        handles = list(legend.legend_handles) + [
            Line2D([], [], marker="o", ls="", markersize=8, markerfacecolor="none",
                   markeredgecolor="#555555", markeredgewidth=1.6, label="test point")]
        ax_b.legend(handles=handles, loc="upper center", bbox_to_anchor=(0.5, -0.12), ncol=3,
                    fontsize=10, frameon=False, handletextpad=0.3, columnspacing=1.0)
    h = state["history"]
    epochs = np.arange(0, state["epoch"] + 1)
    start = state["start"]
    ax_l.plot(epochs, [start["loss"]] + h["loss"], "-", color=CLASS_COLORS[0], lw=2.2, label="train")
    ax_l.plot(epochs, [start["val_loss"]] + h["val_loss"], "--", color=CLASS_COLORS[1], lw=2.2,
              label="test")
    ax_l.set_xlabel("epoch", fontsize=12)
    ax_l.set_ylabel("loss (cross-entropy)", fontsize=12)
    ax_l.set_xlim(0, max(10, state["epoch"]))
    # spikes above the starting loss (too large a learning rate) run off the top, visibly
    ax_l.set_ylim(0, 1.15 * max(start["loss"], start["val_loss"], 0.1))
    ax_l.grid(alpha=0.3)
    ax_l.legend(fontsize=11)
    settings = (f"η = {state['learning_rate']:g}, batch {state['batch_size'] or 'all'}, "
                f"λ = {state['l2']:g}, noise {state['noise']:g}")
    ax_l.set_title(f"loss per epoch ({settings})", fontsize=11)
    if state["diverged"]:
        ax_l.text(0.5, 0.5, "diverged:\nlower the learning rate", transform=ax_l.transAxes,
                  ha="center", va="center", fontsize=14, color="#C00000")
    return fig


class Playground(InteractivePlot):
    """The playground widget: settings controls, *Train* and *Reset* buttons, boundary and curves.

    ``train(epochs=None)`` does what the Train button does (``epochs`` defaults to the
    "epochs per click" control) and returns the new state; ``reset()`` starts over;
    ``set(dataset=..., hidden=..., ...)`` changes settings (and starts over).
    ``last_click_seconds`` is how long the last training click took.
    """

    SETTINGS = tuple(DEFAULTS)

    def __init__(self, seed=0, **settings):
        values = normalize_settings(**{**DEFAULTS, **settings})
        self.seed = seed
        self.model = None
        self.last_click_seconds = None
        self._click = None
        controls = {
            "dataset": dropdown(list(DATASETS), values["dataset"], "data set"),
            "noise": slider(values["noise"], 0.0, 0.5, 0.05, "noise", continuous_update=False),
            "hidden": int_slider(values["hidden"], 1, 16, "hidden units"),
            "layers": int_slider(values["layers"], 1, 2, "hidden layers"),
            "activation": dropdown(list(ACTIVATION_NAMES), values["activation"], "activation"),
            "learning_rate": dropdown([(f"{v:g}", v) for v in LEARNING_RATES], values["learning_rate"],
                                      "learning rate η"),
            "batch_size": dropdown([(str(v) if v else "all", v) for v in BATCH_SIZES],
                                   values["batch_size"], "batch size"),
            "l2": dropdown([(f"{v:g}", v) for v in L2_STRENGTHS], values["l2"], "L2 strength λ"),
            "epochs": dropdown([(str(v), v) for v in EPOCHS_PER_CLICK], 25, "epochs per click"),
        }
        super().__init__(controls, self._compute, draw_playground, playground_readout,
                         height="520px", title="Neural network playground")
        self.train_button = w.Button(description="Train ▶", button_style="success",
                                     layout=w.Layout(width="120px"))
        self.reset_button = w.Button(description="Reset", layout=w.Layout(width="120px"))
        self.train_button.on_click(lambda _: self.train())
        self.reset_button.on_click(lambda _: self.reset())
        c = self.controls
        grid = w.HBox([w.VBox([c["dataset"], c["noise"], c["hidden"], c["layers"]]),
                       w.VBox([c["activation"], c["learning_rate"], c["batch_size"], c["l2"]]),
                       w.VBox([c["epochs"], self.train_button, self.reset_button])])
        self.ui.children = (self.ui.children[0], grid, *self.ui.children[2:])

    def _compute(self, epochs=None, **settings):
        # "epochs per click" only matters for the next click; any other change starts over
        if self.model is None or self.model.settings != normalize_settings(**settings):
            self.model = PlaygroundModel(seed=self.seed, **settings)
            self._click = None
        state = self.model.state()
        if self._click is not None:
            state["click_epochs"], state["click_seconds"] = self._click
        return state

    def train(self, epochs=None) -> dict:
        """Train ``epochs`` more epochs (default: the "epochs per click" control) and redraw."""
        epochs = self.controls["epochs"].value if epochs is None else int(epochs)
        self.train_button.disabled = True
        try:
            start = time.perf_counter()
            self.model.train(epochs)
            self.last_click_seconds = time.perf_counter() - start
            self._click = (epochs, self.last_click_seconds)
            self.update()
        finally:
            self.train_button.disabled = False
        return self.state

    def reset(self) -> dict:
        """A fresh, untrained network with the current settings."""
        self.model = None
        self.update()
        return self.state


def playground(seed=0, **settings) -> Playground:
    """A TensorFlow-Playground-like widget: choose data and network, press Train, watch.

    ``settings`` preset the controls (``dataset="spirals", hidden=12, layers=2, ...``)."""
    return Playground(seed=seed, **settings)
