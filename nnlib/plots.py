r"""The course's pictures: decision boundaries, training curves, digits, confusion
matrices, first-layer weights and activation functions.

Every function returns the matplotlib ``Figure`` it drew. Those that accept
``ax`` draw into that Axes (a panel of a bigger figure, a widget's plot) and
return the figure it belongs to; without ``ax`` they make their own figure with
``plt.subplots``. Nothing here changes matplotlib's global settings or closes
a figure, so the same code works in a notebook, a widget, a script and a test.

One colour-blind-friendly palette (Okabe & Ito's) is used for classes
everywhere: class 0 is blue, class 1 orange, class 2 green, ... (``CLASS_COLORS``),
and the diverging colormap ``DIVERGING_CMAP`` runs from class 0's blue
(negative, or "class 0") through white to class 1's orange (positive, or "class 1").
"""
from __future__ import annotations

import math
from collections.abc import Mapping

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.colors import LinearSegmentedColormap, to_rgb
from matplotlib.lines import Line2D
from matplotlib.ticker import MaxNLocator, PercentFormatter

from .activations import ACTIVATIONS, Activation, get_activation
from .validation import InputError, ShapeError, check_labels

__all__ = ["CLASS_COLORS", "DIVERGING_CMAP", "plot_decision_boundary", "plot_history",
           "plot_digits", "plot_confusion_matrix", "plot_first_layer_weights", "plot_activation"]

#: Class colours: Okabe & Ito's (blue, orange, green, pink, vermillion, yellow, sky
#: blue, ordered so that the first five are far apart), then grey, wine and teal so
#: that ten classes stay distinct.
CLASS_COLORS = ["#0072B2", "#E69F00", "#009E73", "#CC79A7", "#D55E00", "#F0E442",
                "#56B4E9", "#999999", "#882255", "#44AA99"]
#: Dark edge of points and lines drawn over shading.
EDGE_COLOR = "#1a1a1a"
#: Wrong predictions in titles.
WRONG_COLOR = "#C00000"
#: Font sizes chosen to stay readable on a projector.
FONT = {"title": 14, "label": 13, "tick": 11, "legend": 11, "small": 11}


def _blend(color, amount):
    """``color`` mixed with white: amount 1 is the colour itself, 0 is white."""
    return tuple(1 - amount * (1 - c) for c in to_rgb(color))


#: Blue (negative / class 0) - white - orange (positive / class 1).
DIVERGING_CMAP = LinearSegmentedColormap.from_list(
    "nnlib_diverging", [CLASS_COLORS[0], "#ffffff", CLASS_COLORS[1]])
#: The same, lightened, so points drawn on top of a decision boundary stand out.
_SHADE_CMAP = LinearSegmentedColormap.from_list(
    "nnlib_shade", [_blend(CLASS_COLORS[0], 0.55), "#ffffff", _blend(CLASS_COLORS[1], 0.55)])


# -- small helpers ---------------------------------------------------------------------------------
def _figure_of(ax):
    """The top-level figure an Axes belongs to (also inside a SubFigure)."""
    try:
        return ax.get_figure(root=True)
    except TypeError:  # matplotlib < 3.10: a SubFigure's .figure is the top-level figure
        return getattr(ax.figure, "figure", None) or ax.figure


def _axes_inches(ax):
    """Width and height of an Axes in inches (as laid out when it was made)."""
    box = ax.get_position()
    fig = _figure_of(ax)
    return box.width * fig.get_figwidth(), box.height * fig.get_figheight()


def _class_color(c):
    return CLASS_COLORS[int(c) % len(CLASS_COLORS)]


def _style(ax, title=None, xlabel=None, ylabel=None):
    if title is not None:
        ax.set_title(title, fontsize=FONT["title"])
    if xlabel is not None:
        ax.set_xlabel(xlabel, fontsize=FONT["label"])
    if ylabel is not None:
        ax.set_ylabel(ylabel, fontsize=FONT["label"])
    ax.tick_params(labelsize=FONT["tick"])


def _numeric(a, name, where):
    a = np.asarray(a)
    if a.dtype.kind not in "fiub":
        raise InputError(f"{where}: {name} must be numeric, got dtype {a.dtype}.")
    if a.dtype.kind == "f" and not np.isfinite(a).all():
        raise InputError(f"{where}: {name} contains NaN or inf.")
    return a


# -- decision boundary ----------------------------------------------------------------------------
def _predict_fn(model):
    predict_proba = getattr(model, "predict_proba", None)
    if callable(predict_proba):
        return predict_proba
    if callable(model):
        return model
    raise TypeError("plot_decision_boundary: model must be an nnlib Network (or anything with "
                    f"predict_proba) or a function X -> probabilities, got {type(model).__name__}.")


def _probabilities(model, points):
    """Run the model once on all points; return probabilities as (m, k) with k >= 1."""
    out = np.asarray(_predict_fn(model)(points))
    m = points.shape[0]
    if out.ndim == 1:
        out = out[:, None]
    if out.ndim != 2 or out.shape[0] != m:
        raise ShapeError(f"plot_decision_boundary: the model should return probabilities of shape "
                         f"({m}, k), ({m}, 1) or ({m},) for {m} points, got shape {out.shape}.")
    return _numeric(out, "the model's output", "plot_decision_boundary").astype(np.float64)


def _grid(X, resolution, padding):
    lo, hi = X.min(axis=0) - padding, X.max(axis=0) + padding
    hi = np.where(hi > lo, hi, lo + 1.0)  # one point: still a square to look at
    gx = np.linspace(lo[0], hi[0], resolution)
    gy = np.linspace(lo[1], hi[1], resolution)
    xx, yy = np.meshgrid(gx, gy)
    return xx, yy, (lo[0], hi[0], lo[1], hi[1])


def plot_decision_boundary(model, X, y, ax=None, resolution=200, title=None, padding=0.5):
    r"""Shade the plane by the model's prediction and draw the data on top.

    * ``model``: an nnlib ``Network`` (its ``predict_proba`` is used) or any function
      ``X -> probabilities`` of shape (m, k), (m, 1) or (m,).
    * ``X``: (n, 2) points, ``y``: (n,) integer labels.
    * The model is evaluated once, on a ``resolution`` x ``resolution`` grid covering
      the data plus ``padding`` on every side (and on the data points themselves).

    Two classes (one output :math:`P(y=1 \mid x)`, or two columns): the background is
    :math:`P(y=1 \mid x)` from blue (0) through white (0.5) to orange (1), with the
    decision boundary :math:`P = 0.5` drawn as a black line and a colourbar.
    Output outside [0, 1] (an MSE network) is shown with the colours of 0 and 1.
    :math:`k > 2` classes: each point of the plane gets the colour of its predicted
    class, paler where the model is less confident (largest probability near
    :math:`1/k`); thin lines separate the classes. Outputs that are not probabilities
    (negative values, or rows not summing to 1) are shaded by class only.

    Points are coloured by their true label; misclassified points are drawn as
    crosses. The default title gives the accuracy on (X, y).
    """
    where = "plot_decision_boundary"
    X = _numeric(X, "X", where)
    if X.ndim != 2 or X.shape[1] != 2:
        raise ShapeError(f"{where}: the decision boundary is drawn in the plane, so X must have "
                         f"shape (n, 2) (two features per sample), got shape {X.shape}.")
    if X.shape[0] == 0:
        raise ShapeError(f"{where}: X has no samples.")
    X = X.astype(np.float64)
    y = check_labels(y, n_samples=X.shape[0], where=where)
    if int(resolution) != resolution or resolution < 2:
        raise ValueError(f"{where}: resolution must be an integer of at least 2, got {resolution!r}.")
    if not np.isfinite(padding) or padding < 0:
        raise ValueError(f"{where}: padding must be a number >= 0, got {padding!r}.")
    resolution = int(resolution)

    xx, yy, extent = _grid(X, resolution, padding)
    grid = np.column_stack([xx.ravel(), yy.ravel()])
    probs = _probabilities(model, np.concatenate([grid, X]))  # one vectorized call
    k = max(2, probs.shape[1])
    if y.max() >= k:
        raise InputError(f"{where}: y holds labels up to {y.max()}, but the model predicts "
                         f"{k} classes (0..{k - 1}).")
    if probs.shape[1] == 1:
        p1 = probs[:, 0]
        pred = (p1 >= 0.5).astype(np.int64)
    else:
        p1 = probs[:, 1]
        pred = probs.argmax(axis=1)
    n_grid = grid.shape[0]
    grid_pred, data_pred = pred[:n_grid].reshape(xx.shape), pred[n_grid:]

    if ax is None:
        fig, ax = plt.subplots(figsize=(7.2 if k == 2 else 6.4, 5.8), layout="constrained")
    fig = _figure_of(ax)
    boundary = None
    if k == 2:
        P = p1[:n_grid].reshape(xx.shape)
        image = ax.imshow(P, extent=extent, origin="lower", cmap=_SHADE_CMAP, vmin=0, vmax=1,
                          interpolation="bilinear", aspect="auto", zorder=0)
        # an inset colourbar stays next to the axes when equal aspect shrinks them
        bar = fig.colorbar(image, cax=ax.inset_axes([1.03, 0.0, 0.045, 1.0]))
        bar.set_label("P(class 1)", fontsize=FONT["label"])
        bar.ax.tick_params(labelsize=FONT["tick"])
        if P.min() < 0.5 < P.max():
            ax.contour(xx, yy, P, levels=[0.5], colors=EDGE_COLOR, linewidths=2.2, zorder=1)
            boundary = Line2D([], [], color=EDGE_COLOR, lw=2.2, label="boundary P = 0.5")
    else:
        scores = probs[:n_grid].reshape(*xx.shape, k)
        conf = scores.max(axis=-1)
        is_probability = probs.min() >= 0 and np.allclose(probs.sum(axis=1), 1.0, atol=1e-3)
        strength = np.clip((conf - 1 / k) / (1 - 1 / k), 0, 1) if is_probability else np.ones_like(conf)
        tint = 0.08 + 0.42 * strength
        colors = np.array([to_rgb(_class_color(c)) for c in range(k)])
        rgb = 1 - tint[..., None] * (1 - colors[grid_pred])
        ax.imshow(rgb, extent=extent, origin="lower", interpolation="nearest", aspect="auto", zorder=0)
        for c in np.unique(grid_pred):
            # class c wins where its score beats every other class: the boundary is margin = 0
            margin = scores[..., c] - np.delete(scores, c, axis=-1).max(axis=-1)
            if margin.min() < 0 < margin.max():
                ax.contour(xx, yy, margin, levels=[0.0], colors=EDGE_COLOR, linewidths=1.4, zorder=1)
        boundary = Line2D([], [], color=EDGE_COLOR, lw=1.4, label="boundary")

    wrong = data_pred != y
    width, height = _axes_inches(ax)
    # marker area: smaller for many points and for small panels (small multiples)
    size = float(np.clip(6000 / X.shape[0], 12, 60) * np.clip(width * height / 20, 0.3, 1))
    point_colors = [_class_color(c) for c in y]
    ax.scatter(X[~wrong, 0], X[~wrong, 1], c=[point_colors[i] for i in np.flatnonzero(~wrong)],
               s=size, edgecolors=EDGE_COLOR, linewidths=0.8, zorder=2)
    if wrong.any():
        ax.scatter(X[wrong, 0], X[wrong, 1], c=[point_colors[i] for i in np.flatnonzero(wrong)],
                   s=size * 2.6, marker="X", edgecolors=EDGE_COLOR, linewidths=1.1, zorder=3)
    handles = [boundary] if boundary is not None else []
    for c in np.unique(y):
        handles.append(Line2D([], [], marker="o", ls="", markersize=8, color=_class_color(c),
                              markeredgecolor=EDGE_COLOR, label=f"class {c}"))
    handles.append(Line2D([], [], marker="X", ls="", markersize=10, color="#bbbbbb",
                          markeredgecolor=EDGE_COLOR, label=f"misclassified ({int(wrong.sum())})"))

    ax.set_xlim(extent[0], extent[1])
    ax.set_ylim(extent[2], extent[3])
    ratio = (extent[1] - extent[0]) / (extent[3] - extent[2])
    if 1 / 3 <= ratio <= 3:
        ax.set_aspect("equal", adjustable="box")
    if title is None:
        title = f"decision boundary (accuracy {np.mean(~wrong):.1%})"
    _style(ax, title, "x1", "x2")
    per_row = 5 if width >= 4.5 else 3 if width >= 2.8 else 2
    ncol = len(handles) if len(handles) <= per_row else math.ceil(len(handles) / math.ceil(len(handles) / per_row))
    below_xlabel = -0.5 / max(height, 0.5)  # 0.5 inch under the axes, clear of ticks and "x1"
    ax.legend(handles=handles, loc="upper center", bbox_to_anchor=(0.5, below_xlabel), ncol=ncol,
              fontsize=FONT["legend"], frameon=False, handletextpad=0.3, columnspacing=1.0)
    return fig


# -- training history -----------------------------------------------------------------------------
def _series(history, key):
    """Epochs (1-based) and values of one history entry, skipping missing (None) values."""
    values = history.get(key)
    if values is None:
        return np.array([], dtype=int), np.array([])
    values = list(values) if not np.isscalar(values) else [values]
    epochs = [i + 1 for i, v in enumerate(values) if v is not None]
    kept = [v for v in values if v is not None]
    try:
        kept = np.asarray(kept, dtype=np.float64)
    except (TypeError, ValueError):
        raise InputError(f"plot_history: history[{key!r}] must be a list of numbers (or None), "
                         f"got {values[:3]!r}...") from None
    if kept.ndim != 1:
        raise ShapeError(f"plot_history: history[{key!r}] must be a flat list, one number per epoch.")
    return np.asarray(epochs, dtype=int), kept


def _curves(ax, history, train_key, val_key, what):
    drawn = False
    for key, label, color, style in [(train_key, "train", CLASS_COLORS[0], "-"),
                                      (val_key, "validation", CLASS_COLORS[1], "--")]:
        epochs, values = _series(history, key)
        if values.size:
            marker = "o" if values.size <= 30 else None
            ax.plot(epochs, values, style, color=color, lw=2.2, marker=marker, markersize=5, label=label)
            drawn = True
    best = getattr(history, "best_epoch", None)
    if drawn and best:
        ax.axvline(best, color="#666666", ls=":", lw=1.5, label=f"best epoch ({best})")
    if drawn:
        ax.legend(fontsize=FONT["legend"])
        ax.xaxis.set_major_locator(MaxNLocator(integer=True))
        ax.grid(alpha=0.3)
    else:
        ax.text(0.5, 0.5, f"no {what} recorded", transform=ax.transAxes, ha="center", va="center",
                fontsize=FONT["label"], color="#666666")
        ax.set_xticks([])
        ax.set_yticks([])
    _style(ax, what, "epoch" if drawn else None, what if drawn else None)
    return drawn


def plot_history(history, ax=None):
    """Loss and accuracy per epoch (1-based), training and validation, from ``Network.fit``.

    ``history``: the :class:`~nnlib.network.History` that ``fit`` returns, or a plain
    dict of per-epoch lists ``"loss"``, ``"accuracy"``, ``"val_loss"``,
    ``"val_accuracy"`` (missing keys, empty lists and ``None`` entries are skipped).
    Without ``ax``: two panels side by side, loss and accuracy. With ``ax``: only the
    loss, in that Axes. A dotted line marks the best epoch after early stopping.
    """
    if not isinstance(history, Mapping):
        raise TypeError("plot_history: expected the History returned by Network.fit (or a dict of "
                        f"per-epoch lists such as {{'loss': [...]}}), got {type(history).__name__}.")
    known = {"loss", "accuracy", "val_loss", "val_accuracy"}
    if not known & set(history):
        raise InputError(f"plot_history: history has none of the keys {sorted(known)}; "
                         f"it has {sorted(history)}.")
    if ax is not None:
        _curves(ax, history, "loss", "val_loss", "loss")
        return _figure_of(ax)
    fig, (loss_ax, acc_ax) = plt.subplots(1, 2, figsize=(11, 4.2), layout="constrained")
    _curves(loss_ax, history, "loss", "val_loss", "loss")
    if _curves(acc_ax, history, "accuracy", "val_accuracy", "accuracy"):
        low, high = acc_ax.get_ylim()
        acc_ax.yaxis.set_major_formatter(PercentFormatter(1.0, decimals=0 if high - low > 0.04 else None))
    message = getattr(history, "message", "")
    if getattr(history, "diverged", False):
        fig.suptitle("training diverged: the loss became NaN or inf (see history.message)",
                     fontsize=FONT["label"], color=WRONG_COLOR)
    elif message and getattr(history, "early_stopped", False):
        fig.suptitle(f"early stopping: weights of epoch {history.best_epoch} kept", fontsize=FONT["label"])
    return fig


# -- digits -----------------------------------------------------------------------------------------
def _as_images(images, where, image_shape=(28, 28)):
    images = _numeric(images, "images", where)
    pixels = image_shape[0] * image_shape[1]
    if images.ndim == 2 and images.shape[1] == pixels:
        return images.reshape(-1, *image_shape)
    if images.ndim == 3 and images.shape[1:] == tuple(image_shape):
        return images
    one = " (one image? use images[None])" if images.shape in {(pixels,), tuple(image_shape)} else ""
    raise ShapeError(f"{where}: expected images of shape (m, {pixels}) or (m, {image_shape[0]}, "
                     f"{image_shape[1]}), got shape {images.shape}{one}.")


def _per_image(values, m, name, where):
    if values is None:
        return None
    values = check_labels(values, name=name, where=where)
    if values.shape[0] != m:
        raise ShapeError(f"{where}: {m} images but {values.shape[0]} {name}.")
    return values


def _grid_axes(n, ncols, cell_w, cell_h, top=0.0):
    ncols = max(1, min(int(ncols), n))
    nrows = math.ceil(n / ncols)
    fig, axes = plt.subplots(nrows, ncols, figsize=(cell_w * ncols, cell_h * nrows + top),
                             squeeze=False, layout="constrained")
    for a in axes.flat[n:]:
        a.set_visible(False)
    return fig, axes.flat[:n]


def plot_digits(images, labels=None, predictions=None, probabilities=None, n=20, ncols=10):
    """A grid of the first ``n`` images, ``ncols`` per row.

    * ``images``: (m, 784) or (m, 28, 28), pixel values in [0, 1] (or 0..255).
    * ``labels``: true classes (m,); titles read ``label 7``.
    * ``predictions``: predicted classes (m,); titles read ``pred 3`` and, with labels,
      ``pred 3 (label 5)``, in red when the prediction is wrong.
    * ``probabilities``: (m, 10) class probabilities; adds the confidence of the
      prediction (``pred 3 87%``). Without ``predictions`` the most probable class is
      the prediction.
    """
    where = "plot_digits"
    images = _as_images(images, where)
    m = images.shape[0]
    if int(n) != n or n < 1 or int(ncols) != ncols or ncols < 1:
        raise ValueError(f"{where}: n and ncols must be positive integers, got n={n!r}, ncols={ncols!r}.")
    if m == 0:
        raise ShapeError(f"{where}: there are no images to show.")
    labels = _per_image(labels, m, "labels", where)
    predictions = _per_image(predictions, m, "predictions", where)
    if probabilities is not None:
        probabilities = _numeric(probabilities, "probabilities", where)
        if probabilities.ndim != 2 or probabilities.shape[0] != m:
            raise ShapeError(f"{where}: expected probabilities of shape ({m}, classes) for {m} images, "
                             f"got shape {probabilities.shape}.")
        if predictions is None:
            predictions = probabilities.argmax(axis=1)
        elif predictions.max() >= probabilities.shape[1]:
            raise InputError(f"{where}: predictions go up to {predictions.max()} but probabilities "
                             f"have only {probabilities.shape[1]} classes.")
    n = min(int(n), m)
    vmax = 255 if images.max() > 1 else 1
    has_title = labels is not None or predictions is not None
    two_lines = labels is not None and predictions is not None
    fig, axes = _grid_axes(n, ncols, 1.25, 1.25 + 0.28 * has_title + 0.25 * two_lines)
    for i, ax in enumerate(axes):
        ax.imshow(images[i], cmap="gray_r", vmin=0, vmax=vmax, interpolation="nearest")
        ax.set_xticks([])
        ax.set_yticks([])
        if not has_title:
            continue
        color = "black"
        if predictions is None:
            text = f"label {labels[i]}"
        else:
            text = f"pred {predictions[i]}"
            if probabilities is not None:
                text += f" {probabilities[i, predictions[i]]:.0%}"
            if labels is not None:
                text += f"\n(label {labels[i]})"
                if predictions[i] != labels[i]:
                    color = WRONG_COLOR
        ax.set_title(text, fontsize=FONT["small"], color=color,
                     fontweight="bold" if color != "black" else "normal", linespacing=1.1, pad=3)
    return fig


# -- confusion matrix --------------------------------------------------------------------------------
#: Up to this many classes each cell of a confusion matrix shows its number; above it the
#: colours alone (150 classes would be 22,500 texts: 14 s to draw, and unreadable).
ANNOTATE_MAX_CLASSES = 20


def _annotate_cells(ax, values, counts, totals, vmax, fmt, normalize):
    k = values.shape[0]
    annot_size = FONT["small"] if k <= 10 else max(6, FONT["small"] - (k - 10) // 2)
    for i in range(k):
        for j in range(k):
            dark = values[i, j] / vmax > 0.55
            if normalize and totals[i, 0] == 0:
                text = "–"  # no samples of this class: the fraction is undefined
            elif normalize and counts[i, j] == 0:
                text = "0"  # a plain 0 lets the real mistakes stand out
            elif normalize and values[i, j] < 0.005:
                text = "<.01"  # a few mistakes, not none
            else:
                text = fmt.format(values[i, j])
            ax.text(j, i, text, ha="center", va="center", fontsize=annot_size,
                    color="white" if dark else "black")


def plot_confusion_matrix(cm, class_names=None, ax=None, normalize=False):
    """The confusion matrix as a heat map: rows are true classes, columns predicted ones.

    Each cell is annotated with its count, or with ``normalize=True`` with the
    fraction of its row (so the diagonal is each class's recall), for up to
    ``ANNOTATE_MAX_CLASSES`` (20) classes; larger matrices show the colours only and
    label every few classes, so 300 classes still draw in well under a second. The
    title gives the accuracy, the sum of the diagonal over the total.
    """
    where = "plot_confusion_matrix"
    cm = _numeric(cm, "cm", where)
    if cm.ndim != 2 or cm.shape[0] != cm.shape[1] or cm.shape[0] == 0:
        raise ShapeError(f"{where}: a confusion matrix is square (classes x classes: rows true, "
                         f"columns predicted), got shape {cm.shape}.")
    if (cm < 0).any():
        raise InputError(f"{where}: cm holds counts, which cannot be negative (found {cm.min()}).")
    k = cm.shape[0]
    names = [str(c) for c in (class_names if class_names is not None else range(k))]
    if len(names) != k:
        raise ShapeError(f"{where}: {len(names)} class names for a {k} x {k} matrix.")
    counts = cm.astype(np.float64)
    totals = counts.sum(axis=1, keepdims=True)
    if normalize:
        values = np.divide(counts, totals, out=np.zeros_like(counts), where=totals > 0)
        vmax, fmt = 1.0, "{:.2f}"
    else:
        values = counts
        vmax = max(float(values.max()), 1.0)
        fmt = "{:.0f}" if np.all(counts == np.round(counts)) else "{:.2f}"
    if ax is None:
        size = min(7.5, 2.8 + 0.45 * k)
        fig, ax = plt.subplots(figsize=(size + 1.4, size), layout="constrained")
    fig = _figure_of(ax)
    cmap = plt.get_cmap("Blues")
    image = ax.imshow(values, cmap=cmap, vmin=0, vmax=vmax, interpolation="nearest")
    bar = fig.colorbar(image, cax=ax.inset_axes([1.03, 0.0, 0.045, 1.0]))
    bar.set_label("fraction of the row" if normalize else "count", fontsize=FONT["label"])
    bar.ax.tick_params(labelsize=FONT["tick"])
    if k <= ANNOTATE_MAX_CLASSES:  # beyond that the numbers are unreadable and slow to draw
        _annotate_cells(ax, values, counts, totals, vmax, fmt, normalize)
    ticks = np.arange(0, k, max(1, -(-k // ANNOTATE_MAX_CLASSES)))  # at most ~20 labelled ticks
    ax.set_xticks(ticks, [names[i] for i in ticks])
    ax.set_yticks(ticks, [names[i] for i in ticks])
    if k > 4 and max(len(s) for s in names) > 3:
        ax.tick_params(axis="x", labelrotation=45)
        for label in ax.get_xticklabels():
            label.set_horizontalalignment("right")
    total = counts.sum()
    title = f"confusion matrix (accuracy {np.trace(counts) / total:.1%})" if total else "confusion matrix"
    _style(ax, title, "predicted label", "true label")
    return fig


# -- first-layer weights -------------------------------------------------------------------------------
def plot_first_layer_weights(W, n=32, image_shape=(28, 28)):
    r"""What each hidden unit of the first layer looks for, as an image.

    ``W``: the first Dense layer's ``params["W"]``, shape (784, hidden) (a Dense layer
    is accepted too). Column :math:`j` holds the weights from every pixel to hidden
    unit :math:`j`; it is shown as a 28 x 28 image, orange where the weight is positive
    (ink there raises :math:`z_j`), blue where negative, white at 0. Each image has its
    own symmetric scale :math:`[-\max|w|, +\max|w|]`. The first ``n`` units are shown.
    """
    where = "plot_first_layer_weights"
    if hasattr(W, "params") and "W" in getattr(W, "params", {}):
        W = W.params["W"]
    W = _numeric(W, "W", where)
    h, w = (int(s) for s in image_shape)
    if W.ndim != 2 or W.shape[0] != h * w:
        raise ShapeError(f"{where}: expected W of shape ({h * w}, hidden) (one column per hidden unit, "
                         f"one row per pixel of a {h}x{w} image), got shape {W.shape}"
                         + (" (transposed? try W.T)" if W.ndim == 2 and W.shape[1] == h * w else "") + ".")
    if int(n) != n or n < 1:
        raise ValueError(f"{where}: n must be a positive integer, got {n!r}.")
    n = min(int(n), W.shape[1])
    fig, axes = _grid_axes(n, 8, 1.35, 1.45, top=0.5 if min(n, 8) >= 7 else 0.8)
    for j, ax in enumerate(axes):
        column = W[:, j].astype(np.float64)
        limit = float(np.abs(column).max()) or 1.0
        ax.imshow(column.reshape(h, w), cmap=DIVERGING_CMAP, vmin=-limit, vmax=limit,
                  interpolation="nearest")
        ax.set_xticks([])
        ax.set_yticks([])
        ax.set_title(f"unit {j}", fontsize=FONT["small"], pad=3)
    wide = min(n, 8) >= 7
    fig.suptitle("first-layer weights: orange positive, blue negative"
                 + (" " if wide else "\n") + "(each image on its own scale)", fontsize=FONT["label"])
    return fig


def _break_jumps(values):
    """NaN where a curve jumps (step, ReLU's derivative), so no vertical line is drawn there."""
    values = np.asarray(values, dtype=np.float64).copy()
    steps = np.abs(np.diff(values))
    padded = np.concatenate([[0.0], steps, [0.0]])
    neighbours = np.maximum(padded[:-2], padded[2:])  # the steps just before and after
    jumps = np.flatnonzero(steps > 20 * neighbours + 1e-9)
    values[jumps + 1] = np.nan  # drops one sample right after each jump
    return values


# -- activation functions ---------------------------------------------------------------------------------
def plot_activation(name_or_activation, z=None, ax=None):
    r"""An activation :math:`g(z)` and its derivative :math:`g'(z)` on one axes.

    ``name_or_activation``: a name from ``nnlib.activations.ACTIVATIONS`` ("sigmoid",
    "relu", ...) or an :class:`~nnlib.activations.Activation` pair; ``z``: the inputs
    to draw over (default 401 points from -5 to 5). Softmax is refused: it maps a
    whole vector to a vector and has no single curve.
    """
    where = "plot_activation"
    if isinstance(name_or_activation, str) and name_or_activation.lower() not in ACTIVATIONS:
        raise ValueError(f"{where}: unknown activation {name_or_activation!r}; choose one of: "
                         f"{', '.join(sorted(ACTIVATIONS))}.")
    if not isinstance(name_or_activation, (str, Activation)):
        raise TypeError(f"{where}: expected an activation name or Activation pair, got "
                        f"{type(name_or_activation).__name__}.")
    act = get_activation(name_or_activation)
    if act.name == "softmax":
        raise ValueError(f"{where}: softmax maps a whole vector z to probabilities, so it has no "
                         "single curve g(z); plot sigmoid, its two-class version, instead.")
    z = np.linspace(-5, 5, 401) if z is None else _numeric(z, "z", where).astype(np.float64)
    if z.ndim != 1 or z.size < 2:
        raise ShapeError(f"{where}: z must be a 1-D array of at least 2 inputs, got shape {z.shape}.")
    z = np.sort(z)
    if ax is None:
        fig, ax = plt.subplots(figsize=(6.4, 4.4), layout="constrained")
    ax.axhline(0, color="#999999", lw=0.8)
    ax.axvline(0, color="#999999", lw=0.8)
    ax.plot(z, _break_jumps(act.output(z)), color=CLASS_COLORS[0], lw=2.6, label=f"g(z) = {act.name}(z)")
    ax.plot(z, _break_jumps(act.der(z)), "--", color=CLASS_COLORS[1], lw=2.2, label="g'(z)")
    ax.grid(alpha=0.3)
    ax.legend(fontsize=FONT["legend"], loc="best")
    _style(ax, f"{act.name} and its derivative", "z", None)
    return _figure_of(ax)
