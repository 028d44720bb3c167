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
import math
import threading
import time
import warnings

import ipywidgets as w
import matplotlib.pyplot as plt
import numpy as np
from contourpy import contour_generator
from matplotlib.collections import LineCollection
from matplotlib.colors import LinearSegmentedColormap, to_rgb
from matplotlib.lines import Line2D

from .. import datasets
from ..layers import Dense
from ..network import Network, TrainingDiverged
from ..optimizers import SGD
from ..plots import CLASS_COLORS, EDGE_COLOR, FONT, _blend
from .base import InteractivePlot, dropdown, int_slider, new_figure, slider
from .blit import BlitView

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
        self._snapshot = None

    def _measure(self) -> dict:
        with np.errstate(all="ignore"):
            train = self.network.evaluate(self.X_train, self.y_train)
            test = self.network.evaluate(self.X_test, self.y_test)
        return {"loss": train["loss"], "accuracy": train["accuracy"],
                "val_loss": test["loss"], "val_accuracy": test["accuracy"]}

    def train(self, epochs: int = 25) -> PlaygroundModel:
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
        key = (self.epoch, self.diverged)
        if self._snapshot is None or self._snapshot[0] != key:  # one copy per epoch: equal states
            self._snapshot = (key, copy.deepcopy(self.network))  # of an unchanged model share it
        return {**self.settings, "seed": self.seed, "epoch": self.epoch,
                "X_train": self.X_train, "y_train": self.y_train,
                "X_test": self.X_test, "y_test": self.y_test, "n_classes": self.n_classes,
                "network": self._snapshot[1],
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
    """'epoch 25 · train loss 0.231 · test loss 0.254 · train accuracy 91% · test accuracy 90%',
    then what the last action did (a step, playing, paused) when the widget says so."""
    values = [state["train_loss"], state["test_loss"], state["train_accuracy"], state["test_accuracy"]]
    if all(np.isfinite(values)):
        text = (f"epoch {state['epoch']} · train loss {state['train_loss']:.3f} · "
                f"test loss {state['test_loss']:.3f} · train accuracy {state['train_accuracy']:.0%} · "
                f"test accuracy {state['test_accuracy']:.0%}")
    else:  # only an untrained network can get here (training stops before a loss turns NaN)
        text = f"epoch {state['epoch']} · the loss is not a finite number"
    action = state.get("action") or {}
    kind = action.get("kind")
    if kind == "step":
        if action["epochs"]:
            text += f" · last step: {action['epochs']} epochs in {action['seconds']:.2f} s"
        else:
            text += " · <b>the step trained nothing</b>"
    elif kind == "playing":
        text += (f" · <b>playing</b>: {action['epochs']} epochs in {action['seconds']:.1f} s, "
                 f"{action['fps']:.0f} frames/s")
    elif kind == "paused":
        text += (f" · paused (played {action['epochs']} epochs in {action['seconds']:.1f} s, "
                 f"{action['fps']:.0f} frames/s)")
    elif kind == "limit":
        text += f" · stopped: the playground trains at most {PLAY_LIMIT} epochs; press Reset to start over"
    if state["diverged"]:
        text += f" · <b>{state['message']}</b>; press Reset (or change a setting) to start again"
    for note in action.get("notes", ()):
        text += f" · <b>{note}</b>"
    return text


def _architecture(state) -> str:
    hidden = "-".join([str(state["hidden"])] * state["layers"])
    n_out = 1 if state["n_classes"] == 2 else state["n_classes"]
    return f"2-{hidden}-{n_out}, {state['activation']}"


def _loss_axis_length(epoch) -> int:
    """The loss plot's x range: 10, 20, 50, 100, 200, 500, ... epochs, the first that fits."""
    length = 10
    while length < epoch:
        length = length * 5 // 2 if str(length)[0] == "2" else length * 2
    return length


def _loss_axis_top(start_loss) -> float:
    """The loss plot's top: 1.15 times the starting loss, rounded up to a multiple of 0.25.

    Spikes above the starting loss (too large a learning rate) run off the top, visibly;
    settings whose fresh networks start near the same loss share one axis (and one kept
    background of the quick frames)."""
    return math.ceil(4 * 1.15 * start_loss) / 4


def _grid(X, resolution=120, padding=0.5):
    lo, hi = X.min(axis=0) - padding, X.max(axis=0) + padding
    xx, yy = np.meshgrid(np.linspace(lo[0], hi[0], resolution), np.linspace(lo[1], hi[1], resolution))
    return xx, yy, (lo[0], hi[0], lo[1], hi[1])


#: Background shading of two classes: P(class 1) from pale blue through white to pale orange.
_SHADE_CMAP = LinearSegmentedColormap.from_list(
    "playground_shade", [_blend(CLASS_COLORS[0], 0.55), "#ffffff", _blend(CLASS_COLORS[1], 0.55)])


def _level_lines(xx, yy, Z, level) -> list:
    """The lines where ``Z`` (on the grid ``xx``, ``yy``) crosses ``level``, as (m, 2) arrays."""
    return list(contour_generator(xx, yy, Z, line_type="Separate").lines(level))


class PlaygroundView(BlitView):
    """The playground's figure, kept between frames.

    Left: the decision surface as an image (two classes: :math:`P(\\text{class 1})` shaded
    blue-white-orange; more: the predicted class, paler where less sure), the boundary as
    lines (contourpy's, in one kept LineCollection), training points filled
    (misclassified ones as crosses), test points as rings. Right: train and test loss per epoch.
    :meth:`update` changes the image, the contour, the points' markers, the lines and the
    texts; a new data set (or noise, or seed) changes the points and the axis limits, and
    only a new number of classes rebuilds the left panel. The axes,
    ticks and legends are drawn once and kept for quick frames (:class:`~nnlib.widgets.blit.BlitView`):
    the loss axis grows in steps (10, 20, 50, 100, ... epochs; its top in steps of 0.25) so
    that they rarely change.
    """

    RESOLUTION = 120

    def __init__(self, state, fig=None):
        self.fig = fig if fig is not None else new_figure((11.5, 4.9))
        # fixed margins: a layout engine would double the time of every frame
        self.ax_b, self.ax_l = self.fig.subplots(1, 2, gridspec_kw={"width_ratios": [1.15, 1]})
        self.fig.subplots_adjust(left=0.07, right=0.98, bottom=0.24, top=0.92, wspace=0.38)
        self._classes = self._data_key = None
        self.colorbar = None
        ax = self.ax_l
        self.train_line, = ax.plot([], [], "-", color=CLASS_COLORS[0], lw=2.2, label="train")
        self.test_line, = ax.plot([], [], "--", color=CLASS_COLORS[1], lw=2.2, label="test")
        ax.set_xlabel("epoch", fontsize=12)
        ax.set_ylabel("loss (cross-entropy)", fontsize=12)
        ax.grid(alpha=0.3)
        ax.legend(fontsize=11)
        self.loss_title = ax.set_title("", fontsize=11, y=1.0)
        self.diverged_text = ax.text(0.5, 0.5, "diverged:\nlower the learning rate",
                                     transform=ax.transAxes, ha="center", va="center", fontsize=14,
                                     color="#C00000", visible=False)
        self.update(state)

    # -- the left panel: built once per number of classes, given each new data set, then updated
    def _build_boundary(self, k):
        """The left panel's artists for ``k`` classes (the colour bar, the boundary's width
        and the legend depend on it), still without data: :meth:`_show_data` gives it."""
        ax = self.ax_b
        if self.colorbar is not None:
            self.colorbar.remove()
            self.colorbar = None
        ax.clear()
        blank = np.full((self.RESOLUTION, self.RESOLUTION), 0.5)
        if k == 2:
            self.image = ax.imshow(blank, origin="lower", cmap=_SHADE_CMAP, vmin=0, vmax=1,
                                   interpolation="bilinear", aspect="auto", zorder=0)
            self.colorbar = self.fig.colorbar(self.image, cax=ax.inset_axes([1.03, 0.0, 0.045, 1.0]))
            self.colorbar.set_label("P(class 1)", fontsize=FONT["label"])
            self.colorbar.ax.tick_params(labelsize=FONT["tick"])
        else:
            self.image = ax.imshow(np.ones((*blank.shape, 3)), origin="lower",
                                   interpolation="nearest", aspect="auto", zorder=0)
        # the boundary: the lines where P = 0.5 (or where two classes' scores tie), found by
        # contourpy (matplotlib's contouring) and shown by one kept LineCollection
        self.boundary = ax.add_collection(LineCollection([], colors=EDGE_COLOR, zorder=1,
                                                         linewidths=2.2 if k == 2 else 1.4))
        self.class_rgb = np.array([to_rgb(CLASS_COLORS[c % len(CLASS_COLORS)]) for c in range(k)])
        nowhere = np.empty((0, 2))
        self.right = ax.scatter(*nowhere.T, edgecolors=EDGE_COLOR, linewidths=0.8, zorder=2)
        self.wrong = ax.scatter(*nowhere.T, marker="X", edgecolors=EDGE_COLOR, linewidths=1.1, zorder=3)
        self.test_points = ax.scatter(*nowhere.T, s=38, facecolors="none", lw=1.6, zorder=4)
        handles = [Line2D([], [], color=EDGE_COLOR, lw=2.2 if k == 2 else 1.4,
                          label="boundary P = 0.5" if k == 2 else "boundary")]
        handles += [Line2D([], [], marker="o", ls="", markersize=8, color=CLASS_COLORS[c],
                           markeredgecolor=EDGE_COLOR, label=f"class {c}") for c in range(k)]
        handles += [Line2D([], [], marker="X", ls="", markersize=10, color="#bbbbbb",
                           markeredgecolor=EDGE_COLOR, label="misclassified"),
                    Line2D([], [], marker="o", ls="", markersize=8, markerfacecolor="none",
                           markeredgecolor="#555555", markeredgewidth=1.6, label="test point")]
        ax.legend(handles=handles, loc="upper center", bbox_to_anchor=(0.5, -0.12),
                  ncol=3, fontsize=10, frameon=False, handletextpad=0.3, columnspacing=1.0)
        ax.set_xlabel("x1", fontsize=FONT["label"])
        ax.set_ylabel("x2", fontsize=FONT["label"])
        ax.tick_params(labelsize=FONT["tick"])
        self.boundary_title = ax.set_title("", fontsize=FONT["title"], y=1.0)

    def _show_data(self, state):
        """A data set in the left panel: the grid the surface is computed on, the points,
        the axis limits (equal scales unless the data is more than 3 times wider than high)."""
        ax, X, Xt = self.ax_b, state["X_train"], state["X_test"]
        self.xx, self.yy, extent = _grid(X, self.RESOLUTION)
        self.points = np.concatenate([np.column_stack([self.xx.ravel(), self.yy.ravel()]), X])
        self.image.set_extent(extent)
        self.point_colors = self.class_rgb[state["y_train"]]
        size = float(np.clip(6000 / X.shape[0], 12, 60) * 0.6)
        self.right.set_sizes([size])
        self.wrong.set_sizes([size * 2.6])
        self.test_points.set_offsets(Xt)
        self.test_points.set_edgecolors([CLASS_COLORS[c] for c in state["y_test"]])
        ax.set_xlim(extent[0], extent[1])
        ax.set_ylim(extent[2], extent[3])
        ratio = (extent[1] - extent[0]) / (extent[3] - extent[2])
        ax.set_aspect("equal" if 1 / 3 <= ratio <= 3 else "auto", adjustable="box")

    def _update_boundary(self, state):
        with np.errstate(all="ignore"):
            probs = np.asarray(state["network"].predict_proba(self.points), dtype=np.float64)
        probs = np.nan_to_num(probs, nan=0.5)
        if probs.ndim == 1:
            probs = probs[:, None]
        n_grid = self.xx.size
        segments = []
        if probs.shape[1] == 1:
            p1 = probs[:, 0]
            pred = (p1 >= 0.5).astype(np.int64)
            P = p1[:n_grid].reshape(self.xx.shape)
            self.image.set_data(P)
            if P.min() < 0.5 < P.max():
                segments += _level_lines(self.xx, self.yy, P, 0.5)
        else:
            k = probs.shape[1]
            pred = probs.argmax(axis=1)
            scores = probs[:n_grid].reshape(*self.xx.shape, k)
            grid_pred = pred[:n_grid].reshape(self.xx.shape)
            strength = np.clip((scores.max(axis=-1) - 1 / k) / (1 - 1 / k), 0, 1)
            tint = 0.08 + 0.42 * strength
            self.image.set_data(1 - tint[..., None] * (1 - self.class_rgb[grid_pred]))
            for c in np.unique(grid_pred):
                margin = scores[..., c] - np.delete(scores, c, axis=-1).max(axis=-1)
                if margin.min() < 0 < margin.max():
                    segments += _level_lines(self.xx, self.yy, margin, 0.0)
        self.boundary.set_segments(segments)
        wrong = pred[n_grid:] != state["y_train"]
        X = state["X_train"]
        self.right.set_offsets(X[~wrong])
        self.right.set_facecolor(self.point_colors[~wrong])
        self.wrong.set_offsets(X[wrong])
        self.wrong.set_facecolor(self.point_colors[wrong])
        self.boundary_title.set_text(f"{state['dataset']}, {_architecture(state)}: epoch "
                                     f"{state['epoch']}, {int(wrong.sum())} misclassified")

    def update(self, state):
        if state["n_classes"] != self._classes:
            self._build_boundary(state["n_classes"])
            self._classes, self._data_key = state["n_classes"], None
        key = (state["dataset"], state["noise"], state["seed"])
        if key != self._data_key:
            self._show_data(state)
            self._data_key = key
        self._update_boundary(state)
        h, start = state["history"], state["start"]
        epochs = np.arange(0, state["epoch"] + 1)
        self.train_line.set_data(epochs, [start["loss"]] + h["loss"])
        self.test_line.set_data(epochs, [start["val_loss"]] + h["val_loss"])
        self.ax_l.set_xlim(0, _loss_axis_length(state["epoch"]))
        top = max(start["loss"], start["val_loss"], 0.1)
        self.ax_l.set_ylim(0, _loss_axis_top(top) if np.isfinite(top) else 1.0)
        self.loss_title.set_text(f"loss per epoch (η = {state['learning_rate']:g}, batch "
                                 f"{state['batch_size'] or 'all'}, λ = {state['l2']:g}, "
                                 f"noise {state['noise']:g})")
        self.diverged_text.set_visible(bool(state["diverged"]))

    def moving(self):
        return [self.image, self.boundary, self.right, self.wrong, self.boundary_title,
                self.train_line, self.test_line, self.diverged_text]

    def dynamic_artists(self):
        # the legend under the left panel lies outside its axes, where nothing that moves is
        # drawn (the surface and the points are clipped to the axes): it stays in the background
        legend = self.ax_b.get_legend()
        return [a for a in super().dynamic_artists() if a is not legend]

    def background_key(self):
        return (self._data_key, self.ax_l.get_xlim(), self.ax_l.get_ylim())


def draw_playground(state):
    """Left: decision boundary with the training points (test points as rings).
    Right: train and test loss per epoch. (The figure the widget keeps and updates while
    it trains; made with pyplot here, so a notebook shows it.)"""
    return PlaygroundView(state, fig=plt.figure(figsize=(11.5, 4.9))).fig


#: Playing stops by itself after this many epochs (a forgotten playground should not keep
#: a laptop's fan running); the readout says so.
PLAY_LIMIT = 3000
#: Epochs trained per frame while playing, and at most this many frames per second: about
#: 20 epochs a second, slow enough to watch the boundary form (moons: about 5 s to fit).
EPOCHS_PER_FRAME = 1
MAX_FPS = 20


class Playground(InteractivePlot):
    """The playground widget: settings, *Play* / *Pause* / *Step* / *Reset*, boundary and curves.

    As in TensorFlow Playground, **Play** trains in the background, a few epochs per
    frame, and redraws the boundary, the curves and the readout after each frame (at most
    ``MAX_FPS`` frames per second, ``EPOCHS_PER_FRAME`` epochs each) until
    **Pause**, divergence or ``PLAY_LIMIT`` epochs. Only one training loop ever runs: a
    second Play while playing does nothing. **Step** trains "epochs per step" epochs at once;
    **Reset** starts over with a fresh network (and keeps playing if it was). Changing a
    setting also starts over. Each epoch is seeded by its number, so the network after
    ``n`` epochs is the same however they were played or stepped.

    From code: ``play(until=None)``, ``pause()``, ``step(epochs=None)`` (``train`` is the
    same), ``reset()``, ``wait()`` (until the loop stops), ``set(...)``.
    ``loops_started`` counts training loops, ``frames`` the frames drawn while playing.
    """

    SETTINGS = tuple(DEFAULTS)

    def __init__(self, seed=0, **settings):
        values = normalize_settings(**{**DEFAULTS, **settings})
        self.seed = seed
        self.model = None
        # the model is changed by one of: a frame of the loop, a step, a reset, a new setting.
        # Lock order: the base's drawing locks, then this one; nothing draws while holding it.
        self._model_lock = threading.RLock()
        self._running = threading.Event()  # set while the loop should go on
        self._thread = None
        self._until = None
        self._action = None
        self.loops_started = 0
        self.frames = 0
        self.epochs_per_frame = EPOCHS_PER_FRAME
        self.last_click_seconds = None
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
            "epochs": dropdown([(str(v), v) for v in EPOCHS_PER_CLICK], 25, "epochs per step"),
        }
        super().__init__(controls, self._compute, PlaygroundView, playground_readout,
                         height="520px", title="Neural network playground")
        button = lambda text, style="": w.Button(description=text, button_style=style,  # noqa: E731
                                                 layout=w.Layout(width="120px"))
        self.play_button = button("Play ▶", "success")
        self.pause_button = button("Pause ❚❚")
        self.step_button = button("Step +1")
        self.reset_button = button("Reset")
        self.play_button.on_click(lambda _: self.play())
        self.pause_button.on_click(lambda _: self.pause())
        self.step_button.on_click(lambda _: self.step())
        self.reset_button.on_click(lambda _: self.reset())
        self.controls["epochs"].observe(self._label_step, names="value")
        self._label_step()
        self._show_buttons()
        c = self.controls
        grid = w.HBox([w.VBox([c["dataset"], c["noise"], c["hidden"], c["layers"]]),
                       w.VBox([c["activation"], c["learning_rate"], c["batch_size"], c["l2"]]),
                       w.VBox([w.HBox([self.play_button, self.pause_button]),
                               w.HBox([self.step_button, self.reset_button]), c["epochs"]])])
        self.ui.children = (self.ui.children[0], grid, *self.ui.children[2:])

    # -- state
    @property
    def playing(self) -> bool:
        return self._thread is not None and self._thread.is_alive()

    def _compute(self, epochs=None, **settings):
        # "epochs per step" only matters for the next step; any other change starts over
        with self._model_lock:
            settings = normalize_settings(**settings)
            if self.model is None or self.model.settings != settings:
                self.model = PlaygroundModel(seed=self.seed, **settings)
                self._action = self._new_play_action() if self._running.is_set() else None
            state = self.model.state()
            state["action"] = dict(self._action) if self._action else None
            return state

    def _new_play_action(self):
        return {"kind": "playing", "epochs": 0, "seconds": 0.0, "fps": 0.0, "frames": 0,
                "started": time.perf_counter()}

    def _label_step(self, *_):
        n = self.controls["epochs"].value
        self.step_button.description = f"Step +{n}" if isinstance(n, int) else "Step"

    def _show_buttons(self):
        playing = self._running.is_set()
        self.play_button.disabled = playing
        self.pause_button.disabled = not playing

    # -- the buttons
    def play(self, until=None) -> dict:
        """Start training in the background (one loop at most); ``until``: stop at that epoch."""
        with self._model_lock:
            if self.playing:
                return self.state
            model, notes = self.model, []
            if model.diverged:
                notes.append("Play trained nothing: this network has diverged")
            elif model.epoch >= PLAY_LIMIT:
                notes.append(f"Play trained nothing: the playground stops at {PLAY_LIMIT} epochs")
            if notes:
                self._action = {"kind": "step", "epochs": 0, "seconds": 0.0, "notes": notes}
            else:
                self._until = None if until is None else int(until)
                self._action = self._new_play_action()
                self._running.set()
                self._thread = threading.Thread(target=self._loop, name="nnlib-playground",
                                                daemon=True)
                self.loops_started += 1
                self._thread.start()
        self._show_buttons()
        self.update()
        return self.state

    def pause(self) -> dict:
        """Stop the loop after its current frame (and wait for it); the network is kept."""
        self._running.clear()
        thread = self._thread
        if thread is not None and thread is not threading.current_thread():
            thread.join(timeout=30)
        with self._model_lock:
            if self._action and self._action["kind"] == "playing":
                self._action["kind"] = "paused"
        self._show_buttons()
        self.update()
        return self.state

    def wait(self, timeout: float = 10.0):
        """Block until the loop has stopped by itself (``until``, divergence, the limit) and
        everything asked for is drawn; for tests and scripts."""
        thread = self._thread
        if thread is not None and thread is not threading.current_thread():
            thread.join(timeout)
        return super().wait(timeout)

    def _loop(self):
        try:
            while self._running.is_set():
                begin = time.perf_counter()
                with self._model_lock:
                    if not self._running.is_set():
                        break
                    model, action = self.model, self._action
                    n = min(self.epochs_per_frame, PLAY_LIMIT - model.epoch)
                    if self._until is not None:
                        n = min(n, self._until - model.epoch)
                    e0 = model.epoch
                    model.train(max(n, 0))
                    action["epochs"] += model.epoch - e0
                    action["frames"] += 1
                    action["seconds"] = time.perf_counter() - action["started"]
                    action["fps"] = action["frames"] / max(action["seconds"], 1e-9)
                    done = (model.diverged or model.epoch >= PLAY_LIMIT
                            or (self._until is not None and model.epoch >= self._until))
                    if done:
                        self._running.clear()
                        action["kind"] = "limit" if model.epoch >= PLAY_LIMIT else "paused"
                self.update()
                self.frames += 1
                if done:
                    break
                rest = 1 / MAX_FPS - (time.perf_counter() - begin)
                if rest > 0:
                    time.sleep(rest)
        except Exception as error:  # noqa: BLE001 - never silently: the readout says what stopped
            with self._model_lock:
                self._action = {"kind": "step", "epochs": 0, "seconds": 0.0,
                                "notes": [f"playing stopped: {type(error).__name__}: {error}"]}
            self._running.clear()
            self.update()
        finally:
            self._running.clear()
            self._show_buttons()

    def step(self, epochs=None) -> dict:
        """Train ``epochs`` more epochs now (default: the "epochs per step" menu) and redraw."""
        if self.playing:
            self.pause()
        epochs, notes = self._clean_epochs(epochs)
        with self._model_lock:
            model = self.model
            e0 = model.epoch
            epochs = min(epochs, max(PLAY_LIMIT - e0, 0))
            start = time.perf_counter()
            model.train(epochs)
            seconds = time.perf_counter() - start
            trained = model.epoch - e0
            if trained == 0 and (model.diverged or e0 >= PLAY_LIMIT):
                why = ("this network has diverged" if model.diverged
                       else f"the playground stops at {PLAY_LIMIT} epochs")
                notes.append(f"Step trained nothing: {why}")
            elif trained < epochs:
                notes.append(f"trained {trained} of the {epochs} epochs asked for")
            self.last_click_seconds = seconds
            self._action = {"kind": "step", "epochs": trained, "seconds": seconds, "notes": notes}
        self.update()
        return self.state

    train = step

    def _clean_epochs(self, epochs):
        default = self.controls["epochs"].value
        if epochs is None:
            return default, []
        number = _whole_number(epochs)
        if number is None or number < 0:
            return default, [f"epochs must be a whole number >= 0 (got {epochs!r}): using {default}"]
        return number, []

    def reset(self) -> dict:
        """A fresh, untrained network with the current settings (playing goes on if it was)."""
        with self._model_lock:
            self.model = None
            self._action = self._new_play_action() if self._running.is_set() else None
        self.update()
        return self.state

    def close(self):
        """Stop the loop and close the widget's views."""
        self._running.clear()
        if self._thread is not None and self._thread is not threading.current_thread():
            self._thread.join(timeout=30)
        self.ui.close()


def _whole_number(value):
    """``value`` as an int if it is a finite whole number (not a bool), else None."""
    if isinstance(value, bool):
        return None
    try:
        number = float(value)
    except (TypeError, ValueError):
        return None
    return int(number) if np.isfinite(number) and number == int(number) else None


def playground(seed=0, **settings) -> Playground:
    """A TensorFlow-Playground-like widget: choose data and network, press Play, watch.

    ``settings`` preset the controls (``dataset="spirals", hidden=12, layers=2, ...``)."""
    return Playground(seed=seed, **settings)
