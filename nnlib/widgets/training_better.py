r"""Lesson 8 widget: training better, one technique at a time, variants overlaid.

Pick a technique and its setting; the same small problem is trained once per
variant (same data, same seed, same number of epochs) and the curves are drawn
on top of each other:

==================  ===============================  ==========================================
technique           setting                          variants
==================  ===============================  ==========================================
initialization      the activation                   large N(0, 1), Xavier, He
optimizer           the learning rate :math:`\eta`   SGD, momentum (:math:`\mu = 0.9`), Adam
L2 weight decay     :math:`\lambda`                  none, :math:`\lambda`
dropout             drop probability :math:`p`       none, dropout :math:`p`
early stopping      patience (epochs)                none, early stopping
==================  ===============================  ==========================================

The first two train on the three spirals (initialization: a deep 2-64x6-3 network and
plain SGD; optimizer: 2-32-32-3 ReLU). The three regularizers train on a problem built to
overfit: 80 moons points of which a fifth carry the wrong label, and a 2-64-64-1 network
with enough capacity to learn every one of those wrong labels (validated on 200 clean points).

* :func:`train_comparison`: pure, technique + setting -> every variant's history and final
  validation accuracy (about 0.15-0.3 s of training);
* :func:`compute_comparison`: the same result, cached; for seed 0 every menu choice is
  stored with nnlib (``comparisons.json.gz``, written by ``scripts/store_comparisons.py``
  and checked against fresh training by the tests), so the menus answer at once;
* :func:`draw_comparison`: loss (train solid, validation dashed) and validation accuracy;
* :func:`training_comparison`: the widget.
"""
from __future__ import annotations

import gzip
import json
import math
import pathlib
import warnings
from functools import lru_cache

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.patches import Rectangle

from .. import datasets
from ..layers import Dense, Dropout
from ..network import Network, TrainingDiverged
from ..optimizers import SGD, Adam, Momentum
from ..plots import CLASS_COLORS
from .base import InteractivePlot, dropdown, new_figure
from .blit import BlitView

#: technique -> (setting label, [(option label, value), ...], default value)
SETTINGS = {
    "initialization": ("activation", [("tanh", "tanh"), ("relu", "relu")], "tanh"),
    "optimizer": ("learning rate η", [(f"{v:g}", v) for v in (0.001, 0.003, 0.01, 0.03, 0.1)], 0.01),
    "L2 weight decay": ("λ", [(f"{v:g}", v) for v in (0.001, 0.003, 0.01, 0.03, 0.1)], 0.003),
    "dropout": ("drop probability p", [(f"{v:g}", v) for v in (0.1, 0.2, 0.3, 0.5)], 0.3),
    "early stopping": ("patience (epochs)", [(str(v), v) for v in (10, 20, 40, 80)], 80),
}
TECHNIQUES = tuple(SETTINGS)
INIT_LABELS = {"normal": "large N(0, 1)", "xavier": "Xavier", "he": "He"}


@lru_cache(maxsize=4)
def spirals_problem(seed=0):
    """The three spirals (300 points), split 240 train / 60 validation."""
    X, y = datasets.make_spirals(300, classes=3, noise=0.2, seed=seed)
    return datasets.train_test_split(X, y, test_size=0.2, seed=seed)


@lru_cache(maxsize=4)
def overfitting_problem(seed=0, n_train=80, wrong=0.2):
    """Few moons to train on (80, a fraction ``wrong`` of them with flipped labels, as real
    data sets have mistakes) and 200 to validate on (correct labels): easy to memorize."""
    X, y = datasets.make_moons(n_train + 200, noise=0.2, seed=seed)
    y_train = y[:n_train].copy()
    flip = np.random.default_rng(seed + 7).choice(n_train, int(wrong * n_train), replace=False)
    y_train[flip] = 1 - y_train[flip]
    return X[:n_train], X[n_train:], y_train, y[n_train:]


def initialization_network(init, activation="tanh", depth=6, width=64, seed=0, n_in=2, n_out=3):
    """``depth`` hidden layers of ``width`` units, all initialized with ``init``, logits out."""
    sizes = [n_in] + [width] * depth
    layers = [Dense(a, b, activation, init=init) for a, b in zip(sizes, sizes[1:])]
    layers.append(Dense(width, n_out, init=init))
    return Network(layers, loss="softmax_cross_entropy", seed=seed)


def layer_activations(network, X):
    """The output :math:`a` of every hidden Dense layer (its activation applied) for inputs X."""
    out, acts = X, []
    for layer in network.layers[:-1]:
        out = layer.forward(out)
        if isinstance(layer, Dense):
            acts.append(out)
    return acts


def compute_activation_histograms(activation="tanh", inits=("normal", "xavier", "he"), seed=0,
                                  depth=6, width=64):
    """Per initialization, the hidden layers' activations of an untrained network on the
    spirals' training points: ``{init: [a of layer 1, ..., a of layer depth]}``."""
    X = spirals_problem(seed)[0]
    with np.errstate(all="ignore"):
        return {init: layer_activations(initialization_network(init, activation, depth, width, seed), X)
                for init in inits}


def draw_activation_histograms(hists, activation="tanh"):
    """One row per initialization, one column per hidden layer: histograms of :math:`a`."""
    inits = list(hists)
    depth = len(hists[inits[0]])
    fig, axes = plt.subplots(len(inits), depth, figsize=(2.0 * depth, 1.9 * len(inits)),
                             sharey="row", squeeze=False)
    fig.subplots_adjust(left=0.1, right=0.99, bottom=0.1, top=0.88, wspace=0.12, hspace=0.55)
    for r, init in enumerate(inits):
        for c, a in enumerate(hists[init]):
            ax = axes[r, c]
            values = np.clip(a.ravel(), -1e3, 1e3)
            hi = 1.05 if activation == "tanh" else max(1e-3, np.percentile(values, 99.5))
            lo = -hi if activation == "tanh" else 0.0
            ax.hist(values, bins=40, range=(lo, hi), color=CLASS_COLORS[r], alpha=0.85, histtype="stepfilled")
            ax.set_yticks([])
            ax.tick_params(labelsize=8)
            ax.set_title(f"layer {c + 1}: std {a.std():.2g}", fontsize=9)
        axes[r, 0].set_ylabel(INIT_LABELS.get(init, init), fontsize=11)
    fig.suptitle(f"Hidden activations ({activation}) of an untrained 6x64 network, per initialization",
                 fontsize=12)
    return fig


def overfitting_network(l2=0.0, dropout=0.0, seed=0):
    """2-64-64-1 tanh, far more capacity than 40 points need; optional L2 and dropout."""
    layers = [Dense(2, 64, "tanh")]
    layers += [Dropout(dropout)] if dropout else []
    layers += [Dense(64, 64, "tanh")]
    layers += [Dropout(dropout)] if dropout else []
    layers += [Dense(64, 1)]
    return Network(layers, loss="sigmoid_cross_entropy", l2=l2, seed=seed)


def _run(network, problem, epochs, batch_size, optimizer, seed, early_stopping=None):
    X_tr, X_val, y_tr, y_val = problem
    with np.errstate(all="ignore"), warnings.catch_warnings():
        warnings.simplefilter("ignore", TrainingDiverged)  # reported in the state instead
        history = network.fit(X_tr, y_tr, epochs=epochs, batch_size=batch_size, optimizer=optimizer,
                              validation_data=(X_val, y_val), seed=seed, verbose=False,
                              early_stopping=early_stopping)
        final = network.evaluate(X_val, y_val)
    return history, final


def _variants(technique, setting, seed):
    """[(label, network, problem, epochs, batch, optimizer, early_stopping), ...] for one comparison."""
    if technique == "initialization":
        p = spirals_problem(seed)
        return [(INIT_LABELS[i], initialization_network(i, setting, seed=seed), p, 40, 32, SGD(0.05), None)
                for i in ("normal", "xavier", "he")]
    if technique == "optimizer":
        p = spirals_problem(seed)
        net = lambda: Network([Dense(2, 32, "relu"), Dense(32, 32, "relu"), Dense(32, 3)],  # noqa: E731
                              loss="softmax_cross_entropy", seed=seed)
        return [("SGD", net(), p, 60, 32, SGD(setting), None),
                ("momentum 0.9", net(), p, 60, 32, Momentum(setting, 0.9), None),
                ("Adam", net(), p, 60, 32, Adam(setting), None)]
    p = overfitting_problem(seed)

    def full_batch_adam(label, network, patience=None):  # 300 epochs, one step per epoch
        return (label, network, p, 300, len(p[0]), Adam(0.01), patience)

    if technique == "L2 weight decay":
        return [full_batch_adam("no regularization", overfitting_network(seed=seed)),
                full_batch_adam(f"L2 λ = {setting:g}", overfitting_network(l2=setting, seed=seed))]
    if technique == "dropout":
        return [full_batch_adam("no regularization", overfitting_network(seed=seed)),
                full_batch_adam(f"dropout p = {setting:g}", overfitting_network(dropout=setting, seed=seed))]
    if technique == "early stopping":
        return [full_batch_adam("no early stopping", overfitting_network(seed=seed)),
                full_batch_adam(f"early stopping, patience {setting}", overfitting_network(seed=seed),
                                int(setting))]
    raise ValueError(f"unknown technique {technique!r}; choose one of: {', '.join(TECHNIQUES)}.")


def check_setting(technique, setting):
    if technique not in SETTINGS:
        raise ValueError(f"unknown technique {technique!r}; choose one of: {', '.join(TECHNIQUES)}.")
    allowed = [v for _, v in SETTINGS[technique][1]]
    if setting not in allowed:
        raise ValueError(f"{technique}: setting ({SETTINGS[technique][0]}) must be one of {allowed}, "
                         f"got {setting!r}.")


def compute_comparison(technique="optimizer", setting=None, seed=0) -> dict:
    """Every variant of ``technique`` with ``setting`` (default: its default), trained on one problem.

    Returns ``{"technique", "setting", "setting_label", "variants": [{"label", "history",
    "val_accuracy", "val_loss", "train_loss", "epochs", "stopped_at", "diverged"}, ...],
    "best"}``, where ``val_accuracy`` is the final network's validation accuracy
    (after early stopping: the restored best weights') and ``best`` the label of the
    variant with the highest one. Cached: the same arguments return the same object.
    For seed 0 the result is the stored one (:func:`stored_comparisons`), which is what
    :func:`train_comparison` gives; any other seed trains.
    """
    if technique in SETTINGS and setting is None:
        setting = SETTINGS[technique][2]
    check_setting(technique, setting)
    return _comparison(technique, setting, int(seed))


_trained = 0   # comparisons trained by compute_comparison in this process


def trained_count() -> int:
    """How many comparisons :func:`compute_comparison` has trained so far (not found stored or cached)."""
    return _trained


@lru_cache(maxsize=32)
def _comparison(technique, setting, seed):
    global _trained
    stored = stored_comparisons().get(_key(technique, setting)) if seed == 0 else None
    if stored is not None:
        return stored
    _trained += 1
    return train_comparison(technique, setting, seed)


def train_comparison(technique, setting, seed=0) -> dict:
    """Train every variant of ``technique`` with ``setting`` (no cache, no stored results);
    the result is described in :func:`compute_comparison`."""
    check_setting(technique, setting)
    out = []
    for label, net, problem, epochs, batch, opt, patience in _variants(technique, setting, seed):
        history, final = _run(net, problem, epochs, batch, opt, seed, patience)
        out.append({"label": label, "history": {k: list(v) for k, v in history.items()},
                    "val_accuracy": final["accuracy"], "val_loss": final["loss"],
                    "train_loss": history["loss"][-1] if history["loss"] else float("nan"),
                    "epochs": history.epochs, "stopped_at": history.best_epoch if history.early_stopped else None,
                    "diverged": history.diverged})
    best = max(out, key=lambda v: v["val_accuracy"])["label"]
    return {"technique": technique, "setting": setting, "setting_label": SETTINGS[technique][0],
            "variants": out, "best": best, "seed": seed}


STORED = pathlib.Path(__file__).with_name("comparisons.json.gz")


def _key(technique, setting) -> str:
    return f"{technique} | {setting!r}"


def menu_choices():
    """Every (technique, setting) pair the widget's menus offer."""
    return [(technique, value) for technique, (_, options, _) in SETTINGS.items() for _, value in options]


@lru_cache(maxsize=1)
def stored_comparisons() -> dict:
    """``{"technique | setting": result}``: :func:`train_comparison` for every menu choice with
    seed 0, as stored with nnlib ({} when the file is missing: then everything trains)."""
    if not STORED.exists():
        return {}
    with gzip.open(STORED, "rt", encoding="utf-8") as f:
        return json.load(f)


def store_comparisons(path=STORED) -> int:
    """Train every menu choice with seed 0 and write the results to ``path`` (gzipped JSON,
    written to a temporary file and renamed). Returns the number of comparisons stored."""
    path = pathlib.Path(path)
    table = {_key(t, v): train_comparison(t, v, 0) for t, v in menu_choices()}
    for result in table.values():       # the seconds each epoch took are this machine's, not results
        for variant in result["variants"]:
            variant["history"].pop("seconds", None)
    tmp = path.with_name(path.name + ".tmp")
    with gzip.GzipFile(tmp, "wb", mtime=0) as f:     # mtime 0: the same results give the same bytes
        f.write(json.dumps(table, sort_keys=True).encode("utf-8"))
    tmp.replace(path)
    return len(table)


def comparison_readout(state) -> str:
    """'final validation accuracy: SGD 45% · momentum 0.9 78% · Adam 93%'."""
    parts = []
    for v in state["variants"]:
        note = " (diverged)" if v["diverged"] else (f" (stopped, kept epoch {v['stopped_at']})"
                                                    if v["stopped_at"] else "")
        parts.append(f"{v['label']} <b>{v['val_accuracy']:.0%}</b>{note}")
    return "final validation accuracy: " + " · ".join(parts)


MAX_VARIANTS = 3
_UNSET = object()


def _title(state) -> str:
    setting = state["setting"]
    shown = setting if isinstance(setting, str) else f"{setting:g}"
    return f"{state['technique']}, {state['setting_label']} = {shown}"


def nice_ceiling(x: float) -> float:
    """The smallest of 1, 1.2, 1.5, 2, 2.5, 3, 4, 5, 6, 8 (times a power of ten) that is >= x > 0:
    an axis limit that stays put while the curves change a little."""
    power = 10.0 ** math.floor(math.log10(x))
    return next(m * power for m in (1, 1.2, 1.5, 2, 2.5, 3, 4, 5, 6, 8, 10) if m * power >= x * (1 - 1e-12))


class KeptLegend:
    """A legend in the lower right corner of ``ax`` made of kept artists (a box, and per row a
    short line and a text), so that new entries change those artists instead of making a new
    legend: ``show(lines)`` shows one row per line, in its colour and style, with its label."""

    ROW, PAD, SAMPLE = 0.075, 0.02, 0.07     # in axes fractions: row height, padding, line length

    def __init__(self, ax, rows: int):
        self.ax = ax
        kw = {"transform": ax.transAxes, "zorder": 5}
        self.box = Rectangle((0, 0), 0, 0, facecolor="white", edgecolor="0.8", alpha=0.9, **kw)
        ax.add_patch(self.box)
        self.samples = [ax.plot([], [], lw=2, **kw)[0] for _ in range(rows)]
        self.texts = [ax.text(0, 0, "", fontsize=9, va="center", ha="left", **kw) for _ in range(rows)]

    def show(self, lines):
        renderer = self.ax.figure.canvas.get_renderer()
        to_axes = self.ax.transAxes.inverted()
        widths = []
        for i, (sample, text) in enumerate(zip(self.samples, self.texts)):
            line = lines[i] if i < len(lines) else None
            sample.set_visible(line is not None)
            text.set_visible(line is not None)
            if line is not None:
                sample.update_from(line)
                sample.set_transform(self.ax.transAxes)
                text.set_text(line.get_label())
                box = text.get_window_extent(renderer).transformed(to_axes)
                widths.append(box.width)
        width = 2 * self.PAD + self.SAMPLE + 0.02 + max(widths, default=0)
        x0, n = 1 - self.PAD - width, len(lines)
        for i, (sample, text) in enumerate(zip(self.samples, self.texts)):
            y = self.PAD + (n - i - 0.5) * self.ROW + self.PAD
            sample.set_data([x0 + self.PAD, x0 + self.PAD + self.SAMPLE], [y, y])
            text.set_position((x0 + self.PAD + self.SAMPLE + 0.02, y))
        self.box.set_bounds(x0, self.PAD, width, n * self.ROW + 2 * self.PAD)
        self.box.set_visible(n > 0)

    def artists(self) -> list:
        return [self.box, *self.samples, *self.texts]


class ComparisonView(BlitView):
    """The comparison's figure, kept: for each of up to three variants a train-loss, a
    validation-loss and a validation-accuracy line, a dotted "diverged" legend entry and
    an early-stopping marker on both panels; :meth:`update` changes their data, labels and
    visibility, the limits, the legend (one, on the accuracy panel: the colours are the
    same on both) and the title. Axes, ticks and labels are drawn once per pair of limits
    (:class:`~nnlib.widgets.blit.BlitView`)."""

    def __init__(self, state, axes=None):
        if axes is None:
            fig = new_figure((11.5, 4.3))
            axes = fig.subplots(1, 2)
            fig.subplots_adjust(left=0.07, right=0.98, bottom=0.14, top=0.86, wspace=0.25)
        self.ax_loss, self.ax_acc = axes
        self.fig = self.ax_loss.figure
        self.slots = []
        for i in range(MAX_VARIANTS):
            color = CLASS_COLORS[i]
            slot = {
                "train": self.ax_loss.plot([], [], "-", color=color, lw=2)[0],
                "val": self.ax_loss.plot([], [], "--", color=color, lw=2)[0],
                "acc": self.ax_acc.plot([], [], "-", color=color, lw=2)[0],
                "diverged": self.ax_acc.plot([], [], ":", color=color, lw=2)[0],
                "stop": [ax.axvline(1, color=color, ls=":", lw=1.5) for ax in (self.ax_loss, self.ax_acc)],
            }
            self.slots.append(slot)
        ax_loss, ax_acc = self.ax_loss, self.ax_acc
        ax_loss.set_xlabel("epoch", fontsize=12)
        ax_loss.set_ylabel("loss (cross-entropy)", fontsize=12)
        ax_loss.set_title("loss: train (solid), validation (dashed)", fontsize=12, zorder=1)
        ax_acc.set_xlabel("epoch", fontsize=12)
        ax_acc.set_ylabel("validation accuracy", fontsize=12)
        ax_acc.set_ylim(0, 1.02)
        ax_acc.set_title("validation accuracy", fontsize=12, zorder=1)
        for ax in (ax_loss, ax_acc):
            ax.grid(alpha=0.3)
            for loc in ("left", "right"):  # the empty side titles too: every title is in the kept
                ax.set_title("", loc=loc, zorder=1)   # background (a z-order under the curves')
        self.title = self.fig.suptitle("", fontsize=13)
        self.legend = KeptLegend(self.ax_acc, rows=2 * MAX_VARIANTS)
        self.update(state)

    def update(self, state):
        variants = state["variants"]
        if len(variants) > MAX_VARIANTS:
            raise ValueError(f"the comparison shows at most {MAX_VARIANTS} variants, got {len(variants)}.")
        top, longest = 0.0, 1
        for i, slot in enumerate(self.slots):
            v = variants[i] if i < len(variants) else None
            self._show_variant(slot, v)
            if v is not None and v["history"]["loss"]:
                h = v["history"]
                longest = max(longest, len(h["loss"]))
                finite = [x for x in h["loss"] + h["val_loss"] if np.isfinite(x)]
                top = max(top, np.percentile(finite, 98) if finite else 0)
        margin = 0.05 * (longest - 1) if longest > 1 else 0.5     # matplotlib's default 5% margins
        for ax in (self.ax_loss, self.ax_acc):
            ax.set_xlim(1 - margin, longest + margin)
        self.ax_loss.set_ylim(0, nice_ceiling(top * 1.1) if top > 0 else 1)
        self.legend.show([line for slot in self.slots for line in (slot["acc"], slot["diverged"])
                          if line.get_visible()])
        self.title.set_text(_title(state))

    @staticmethod
    def _show_variant(slot, v):
        """One variant's lines (all hidden when ``v`` is None)."""
        h = v["history"] if v else {"loss": [], "val_loss": [], "val_accuracy": []}
        epochs = np.arange(1, len(h["loss"]) + 1)
        shown = v is not None and len(epochs) > 0
        note = (f" (stopped, kept epoch {v['stopped_at']})" if v and v["stopped_at"] else "") if shown else ""
        for key, values in (("train", h["loss"]), ("val", h["val_loss"]), ("acc", h["val_accuracy"])):
            slot[key].set_data(epochs, values)
            slot[key].set_visible(shown)
        slot["acc"].set_label((v["label"] + note) if v else "")
        slot["diverged"].set_label(f"{v['label']}: diverged in epoch {len(epochs) + 1} (loss NaN)" if v else "")
        slot["diverged"].set_visible(bool(v and v["diverged"]))   # a legend entry, even with no epoch done
        stopped = v["stopped_at"] if shown else None
        for line in slot["stop"]:
            line.set_xdata([stopped or 1, stopped or 1])
            line.set_visible(bool(stopped))

    def moving(self):
        lines = [a for slot in self.slots for a in (slot["train"], slot["val"], slot["acc"], slot["diverged"],
                                                    *slot["stop"])]
        return [*lines, *self.legend.artists(), self.title]

    def background_key(self):
        return self.ax_loss.get_xlim(), self.ax_loss.get_ylim()


def draw_comparison(state, axes=None):
    """Left: loss per epoch (train solid, validation dashed), one colour per variant.
    Right: validation accuracy per epoch. (The figure the widget keeps and updates; made
    with pyplot here, so a notebook shows it.)"""
    if axes is None:
        fig = plt.figure(figsize=(11.5, 4.3))
        axes = fig.subplots(1, 2)
        fig.subplots_adjust(left=0.07, right=0.98, bottom=0.14, top=0.86, wspace=0.25)
    return ComparisonView(state, axes=axes).fig


class TrainingComparison(InteractivePlot):
    """Technique and setting menus; the setting's choices follow the technique.

    ``set(technique="optimizer", setting=0.01)``; ``state`` is :func:`compute_comparison`'s
    result. Results are cached (:func:`compute_comparison`): going back to a technique and
    setting shown before trains nothing, and with seed 0 every menu choice is stored;
    ``trainings`` counts the comparisons this widget trained.
    """

    def __init__(self, technique="optimizer", setting=None, seed=0):
        if technique in SETTINGS and setting is None:
            setting = SETTINGS[technique][2]
        check_setting(technique, setting)
        self.seed = seed
        self.trainings = 0
        self._switching = False
        label, options, _ = SETTINGS[technique]
        controls = {"technique": dropdown(list(TECHNIQUES), technique, "technique"),
                    "setting": dropdown(options, setting, label)}
        # registered before the base class's observer, so the setting menu is already the
        # new technique's when the figure is recomputed
        controls["technique"].observe(self._technique_changed, names="value")
        super().__init__(controls, self._compute, ComparisonView, comparison_readout,
                         height="460px", title="Training better: compare the variants",
                         layout="horizontal", constrain=self._constrain)

    def _technique_changed(self, change):
        if change["new"] not in SETTINGS:
            return
        label, options, default = SETTINGS[change["new"]]
        setting = self.controls["setting"]
        self._switching = True  # no recomputing for the in-between menu states
        try:
            setting.description = label
            setting.options = options
            setting.value = default
        finally:
            self._switching = False

    def update(self, *args, **kwargs):
        if not self._switching:
            super().update(*args, **kwargs)

    @staticmethod
    def _constrain(values):
        technique, setting = values["technique"], values["setting"]
        if technique not in SETTINGS:   # the menu cannot hold anything else; a safety net
            values["technique"] = technique = "optimizer"
        allowed = [v for _, v in SETTINGS[technique][1]]
        if setting not in allowed:
            default = SETTINGS[technique][2]
            values["setting"] = default
            return values, [f"{SETTINGS[technique][0]} = {setting!r} is not a choice for "
                            f"{technique}: using {default:g}" if not isinstance(default, str) else
                            f"{SETTINGS[technique][0]} = {setting!r} is not a choice for "
                            f"{technique}: using {default}"]
        return values, []

    def _compute(self, technique, setting):
        before = trained_count()
        state = compute_comparison(technique, setting, self.seed)
        self.trainings += trained_count() - before
        return state

    def set(self, technique=_UNSET, setting=_UNSET, **values):
        """Choose a technique and/or setting, as a learner would with the menus (the
        technique first, so that the setting is one of its choices)."""
        if technique is not _UNSET:
            values["technique"] = technique
        if setting is not _UNSET:
            values["setting"] = setting
        return super().set(**values)


def training_comparison(technique="optimizer", setting=None, seed=0) -> TrainingComparison:
    """Compare initializations, optimizers and regularizers on the same problem, curves overlaid."""
    return TrainingComparison(technique, setting, seed)
