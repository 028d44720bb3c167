r"""Lessons 9 and 10: browse a trained network's answers on digits; slide a filter over one.

**The digit browser** (lesson 9). A network trained on MNIST gives, for image
:math:`i`, the probabilities :math:`a_k = \text{softmax}(z)_k` of the ten digits
and predicts :math:`\hat y = \arg\max_k a_k` with confidence :math:`p = a_{\hat y}`.
The browser shows one image next to a bar chart of its ten probabilities, and
steps through all images or only the mistakes (:math:`\hat y \ne y`).

* :func:`predict_probabilities`: every image's probabilities, once (the slow part);
* :func:`compute_digit`: a pure function, (data, probabilities, index, filter) in, state out;
* :func:`draw_digit`: the figure; :func:`digit_readout`: the line of numbers;
* :func:`digit_browser`: the widget, ``digit_browser(net, X_test, y_test)``.

**The convolution explorer** (lesson 10). A 3 x 3 filter :math:`K` slid over a
28 x 28 image :math:`I` gives the 26 x 26 *feature map*

.. math:: F[r, c] = \sum_{i=0}^{2}\sum_{j=0}^{2} I[r + i,\, c + j]\; K[i, j]

(a "valid" cross-correlation, which deep learning calls convolution).

* :func:`convolve2d`: the whole feature map in numpy, no loops;
* :func:`compute_convolution`: one filter position: patch, products, their sum, the map;
* :func:`draw_convolution`, :func:`convolution_readout`, :func:`convolution_explorer`.
"""
from __future__ import annotations

import ipywidgets as w
import matplotlib.pyplot as plt
import numpy as np
from matplotlib.legend import Legend
from matplotlib.patches import Patch, Rectangle

from ..plots import CLASS_COLORS, DIVERGING_CMAP, WRONG_COLOR
from ..validation import InputError, ShapeError, check_labels
from .base import InteractivePlot, checkbox, dropdown, int_slider, new_figure
from .blit import BlitView

IMAGE_SHAPE = (28, 28)
RIGHT_COLOR = CLASS_COLORS[2]    # green: the predicted digit, when it is right
LABEL_COLOR = CLASS_COLORS[0]    # blue: the true digit, when the prediction is wrong


# =============================================================================== the digit browser
def _as_images(X, where: str) -> np.ndarray:
    """(n, 784) or (n, 28, 28) numbers -> (n, 28, 28) (a view, nothing copied)."""
    X = np.asarray(X)
    if X.dtype.kind not in "fiu":
        raise InputError(f"{where}: expected images as numbers, got dtype {X.dtype}.")
    pixels = IMAGE_SHAPE[0] * IMAGE_SHAPE[1]
    if X.ndim == 2 and X.shape[1] == pixels:
        return X.reshape(-1, *IMAGE_SHAPE)
    if X.ndim == 3 and X.shape[1:] == IMAGE_SHAPE:
        return X
    hint = " (one image? use X[None])" if X.shape in {(pixels,), IMAGE_SHAPE} else ""
    raise ShapeError(f"{where}: expected images of shape (n, {pixels}) or (n, 28, 28), "
                     f"got shape {X.shape}{hint}.")


def predict_probabilities(network, X, batch_size: int = 2000) -> np.ndarray:
    """``network.predict_proba`` on every image, in batches: shape (n, classes).

    ``X``: (n, 784) or (n, 28, 28) images (flattened for the network row by row).
    """
    images = _as_images(X, "predict_probabilities")
    if not hasattr(network, "predict_proba"):
        raise TypeError(f"predict_probabilities: expected a trained nnlib Network (anything with "
                        f"predict_proba), got {type(network).__name__}.")
    flat = images.reshape(images.shape[0], -1)
    if flat.shape[0] == 0:
        raise ShapeError("predict_probabilities: there are no images.")
    parts = [network.predict_proba(flat[i:i + batch_size]) for i in range(0, flat.shape[0], batch_size)]
    return np.concatenate(parts)


def _check_probabilities(probabilities, n, where):
    P = np.asarray(probabilities)
    if P.ndim != 2 or P.shape[0] != n or P.shape[1] < 2:
        raise ShapeError(f"{where}: expected probabilities of shape ({n}, classes), one row per "
                         f"image, got shape {P.shape}.")
    if P.dtype.kind != "f" or not np.isfinite(P).all():
        raise InputError(f"{where}: probabilities must be finite floats (a network's predict_proba).")
    if not np.allclose(P.sum(axis=1), 1.0, atol=1e-3):
        raise InputError(f"{where}: each row of probabilities must sum to 1 (softmax outputs); "
                         f"row sums range from {P.sum(axis=1).min():.3g} to {P.sum(axis=1).max():.3g}.")
    return P


def mistake_indices(y, probabilities) -> np.ndarray:
    """Indices of the images whose most probable class is not their label, in order."""
    return np.flatnonzero(np.asarray(probabilities).argmax(axis=1) != np.asarray(y))


def compute_digit(X, y, probabilities, index: int = 0, only_mistakes: bool = False) -> dict:
    """The state of the browser showing image ``index`` (snapped to a mistake if asked).

    * ``X``: (n, 784) or (n, 28, 28) images; ``y``: labels (n,);
      ``probabilities``: (n, classes), e.g. from :func:`predict_probabilities`.
    * ``only_mistakes``: browse only the misclassified images. If image ``index``
      is not one of them, the next mistake after it is shown (wrapping round).

    Returns a dict: ``index`` (the image shown), ``image`` (28, 28), ``label``,
    ``prediction``, ``confidence`` (probability of the prediction),
    ``p_label`` (probability of the true label), ``probabilities`` (classes,),
    ``correct``, ``only_mistakes``, ``selection`` (indices that can be browsed),
    ``position`` (of ``index`` in ``selection``, or None), ``n_images``,
    ``n_mistakes``, ``message`` (non-empty when there is nothing to browse).
    """
    where = "compute_digit"
    images = _as_images(X, where)
    n = images.shape[0]
    y = check_labels(y, name="y", where=where)
    if y.shape[0] != n:
        raise ShapeError(f"{where}: {n} images but {y.shape[0]} labels.")
    P = _check_probabilities(probabilities, n, where)
    if int(index) != index or not 0 <= index < n:
        raise ValueError(f"{where}: index must be a whole number from 0 to {n - 1}, got {index!r}.")
    if y.max(initial=0) >= P.shape[1]:
        raise InputError(f"{where}: labels go up to {y.max()} but there are only {P.shape[1]} "
                         f"classes of probabilities.")
    mistakes = mistake_indices(y, P)
    selection = mistakes if only_mistakes else np.arange(n)
    return _digit_state(images, y, P, mistakes, selection, int(index), only_mistakes)


def _digit_state(images, y, P, mistakes, selection, index, only_mistakes):
    """:func:`compute_digit` from checked inputs and the mistakes already found."""
    n = images.shape[0]
    message, position = "", None
    if selection.size == 0:
        message = "no mistakes: the network classifies every image correctly"
    else:
        position = int(np.searchsorted(selection, index))
        if position == selection.size or selection[position] != index:  # not a mistake: the next one
            position %= selection.size
            index = int(selection[position])
    p = P[index]
    prediction = int(p.argmax())
    return {"index": index, "image": images[index], "label": int(y[index]), "prediction": prediction,
            "confidence": float(p[prediction]), "p_label": float(p[y[index]]),
            "probabilities": p.copy(), "correct": prediction == int(y[index]),
            "only_mistakes": bool(only_mistakes), "selection": selection, "position": position,
            "n_images": n, "n_mistakes": int(mistakes.size), "message": message}


def neighbour(state, step: int) -> int:
    """The index ``step`` places after (negative: before) the shown one in the selection, wrapping."""
    selection = state["selection"]
    if selection.size == 0:
        return state["index"]
    position = int(np.searchsorted(selection, state["index"]))
    if position < selection.size and selection[position] == state["index"]:
        return int(selection[(position + step) % selection.size])
    # the shown image is not in the selection: step to the nearest one in that direction
    return int(selection[(position if step > 0 else position - 1) % selection.size])


def digit_readout(state, what: str = "test image") -> str:
    """'test image 1234: label 7, predicted 7 (p = 0.998) · correct · image 1235 of 10000'."""
    text = (f"{what} {state['index']}: label {state['label']}, predicted {state['prediction']} "
            f"(p = {state['confidence']:.3f})")
    if state["correct"]:
        text += " · correct"
    else:
        text += f" · <b>wrong</b> (p of the label {state['label']} = {state['p_label']:.3f})"
    if state["message"]:
        text += f" · <b>{state['message']}</b>"
    elif state["only_mistakes"]:
        text += f" · mistake {state['position'] + 1} of {state['n_mistakes']}"
    else:
        text += (f" · image {state['position'] + 1} of {state['n_images']} "
                 f"({state['n_mistakes']} mistakes in all)")
    return text


def _bar_colors(state):
    colors = ["#BBBBBB"] * state["probabilities"].size
    colors[state["prediction"]] = RIGHT_COLOR if state["correct"] else WRONG_COLOR
    if not state["correct"]:
        colors[state["label"]] = LABEL_COLOR
    return colors


class DigitView(BlitView):
    """The browser's figure, kept: the image, ten bars with their numbers, the legend and the
    titles change; the axes, ticks and labels are drawn once (:class:`~nnlib.widgets.blit.BlitView`)."""

    def __init__(self, state, what: str = "test image", fig=None):
        self.what = what
        self.fig = fig if fig is not None else new_figure((9.5, 3.9))
        self.ax_img, self.ax_bar = self.fig.subplots(1, 2, gridspec_kw={"width_ratios": [1, 1.7]})
        self.fig.subplots_adjust(left=0.03, right=0.98, bottom=0.15, top=0.86, wspace=0.12)
        n = state["probabilities"].size
        self.image = self.ax_img.imshow(np.zeros(state["image"].shape), cmap="gray_r", vmin=0, vmax=1,
                                        interpolation="nearest")
        self.ax_img.set_xticks([])
        self.ax_img.set_yticks([])
        self.image_title = self.ax_img.set_title("", fontsize=12, y=1.0)
        ax = self.ax_bar
        k = np.arange(n)
        self.bars = ax.bar(k, np.zeros(n), color="#BBBBBB", edgecolor="#333333", linewidth=0.6)
        self.numbers = [ax.text(j, 0.02, "", ha="center", va="bottom", fontsize=9) for j in k]
        ax.set_xticks(k)
        pad = 0.05 * (n - 1 + 0.8)             # where matplotlib would put the limits of these bars
        ax.set_xlim(-0.4 - pad, n - 1 + 0.4 + pad)
        ax.set_ylim(0, 1.12)
        ax.set_xlabel("digit k", fontsize=11)
        ax.set_ylabel("probability $a_k$", fontsize=11)
        ax.set_axisbelow(True)   # the grid under the bars
        ax.grid(axis="y", alpha=0.3)
        # two kept legends, one shown: a right prediction, or a wrong one and the true label
        patch = lambda color, label: Patch(facecolor=color, edgecolor="#333333", label=label)  # noqa: E731
        self.legends = {}
        for correct, handles in ((True, [patch(RIGHT_COLOR, "prediction")]),
                                 (False, [patch(WRONG_COLOR, "prediction (wrong)"),
                                          patch(LABEL_COLOR, "true label")])):
            legend = Legend(ax, handles, [h.get_label() for h in handles], loc="upper right",
                            fontsize=9, framealpha=0.9)
            self.legends[correct] = ax.add_artist(legend)
        self.bar_title = ax.set_title("", fontsize=12, y=1.0)
        self.message = self.fig.suptitle("", fontsize=11, color=WRONG_COLOR)
        self.update(state)

    def update(self, state):
        image, what = state["image"], self.what
        if image.shape != self.image.get_array().shape:
            raise ValueError(f"the digit browser shows images of one shape, {self.image.get_array().shape}; "
                             f"got {image.shape}.")
        self.image.set_data(image)
        self.image.set_clim(0, max(1.0, float(image.max())))
        self.image_title.set_text(f"{what} {state['index']} (label {state['label']})")
        p = state["probabilities"]
        colors = _bar_colors(state)
        for j, (bar, text) in enumerate(zip(self.bars, self.numbers)):
            bar.set_height(p[j])
            bar.set_facecolor(colors[j])
            text.set_text(f"{p[j]:.2f}")
            text.set_y(p[j] + 0.02)
            text.set_visible(bool(p[j] >= 0.005))
        for correct, legend in self.legends.items():
            legend.set_visible(correct == state["correct"])
        verdict = "right" if state["correct"] else "WRONG"
        self.bar_title.set_text(f"predicted {state['prediction']} with p = {state['confidence']:.3f}: "
                                f"{verdict}")
        self.bar_title.set_color("black" if state["correct"] else WRONG_COLOR)
        self.message.set_text(state["message"])

    def moving(self):
        return [self.image, self.image_title, *self.bars, *self.numbers, *self.legends.values(),
                self.bar_title, self.message]


def draw_digit(state, what: str = "test image"):
    """Left: the image. Right: the ten probabilities as bars (prediction green if right,
    red if wrong; the true label's bar blue when it is not the prediction). (The figure
    the browser keeps and updates; made with pyplot here, so a notebook shows it.)"""
    return DigitView(state, what, fig=plt.figure(figsize=(9.5, 3.9))).fig


def _whole_number(value):
    """``value`` as an int if it is a finite whole number (not a bool), else None."""
    if isinstance(value, (bool, np.bool_)):
        return None
    try:
        number = float(value)
    except (TypeError, ValueError):
        return None
    return int(number) if np.isfinite(number) and number == int(number) else None


class DigitBrowser(InteractivePlot):
    """The digit browser: an index slider, *previous* / *next* buttons and an "only mistakes" box.

    ``set(index=..., only_mistakes=...)`` works as in every course widget;
    ``next()`` and ``previous()`` do what the buttons do. With "only mistakes" on,
    the slider jumps to the mistake shown. ``probabilities`` (n, classes) and
    ``mistakes`` (indices) are computed once, when the widget is made, and every
    later state is read from them (``predictions`` counts the images the network was
    run on: ``n``, whatever the learner does next).
    """

    def __init__(self, network, X, y, index=0, only_mistakes=False, what="test image"):
        self.images = _as_images(X, "digit_browser")
        self.labels = check_labels(y, name="y", where="digit_browser")
        if self.labels.shape[0] != self.images.shape[0]:
            raise ShapeError(f"digit_browser: {self.images.shape[0]} images but "
                             f"{self.labels.shape[0]} labels.")
        self.probabilities = predict_probabilities(network, self.images)
        self.predictions = self.images.shape[0]
        if self.labels.max(initial=0) >= self.probabilities.shape[1]:
            raise InputError(f"digit_browser: labels go up to {self.labels.max()} but the network "
                             f"has only {self.probabilities.shape[1]} outputs.")
        _check_probabilities(self.probabilities, self.images.shape[0], "digit_browser")
        self.mistakes = mistake_indices(self.labels, self.probabilities)
        self._everything = np.arange(self.images.shape[0])
        self.what = what
        n = self.images.shape[0]
        index = _whole_number(index)
        controls = {
            "index": int_slider(index if index is not None and 0 <= index < n else 0, 0, n - 1,
                                f"{what} index", continuous_update=True),
            "only_mistakes": checkbox(bool(only_mistakes), "only mistakes"),
        }
        class View(DigitView):   # the base makes views from the state alone
            def __init__(self, state):
                super().__init__(state, what)

        super().__init__(controls, self._compute, View,
                         lambda s: digit_readout(s, self.what), height="400px",
                         title="Digit browser: the network's ten probabilities for each image",
                         constrain=self._snap)
        self.previous_button = w.Button(description="◀ previous", layout=w.Layout(width="110px"))
        self.next_button = w.Button(description="next ▶", layout=w.Layout(width="110px"))
        self.previous_button.on_click(lambda _: self.previous())
        self.next_button.on_click(lambda _: self.next())
        c = self.controls
        row = w.HBox([self.previous_button, c["index"], self.next_button, c["only_mistakes"]])
        self.ui.children = (self.ui.children[0], row, *self.ui.children[2:])

    def _selection(self, only_mistakes):
        return self.mistakes if only_mistakes else self._everything

    def _snap(self, values):
        """With "only mistakes" on, an image that is not a mistake becomes the next mistake
        (the slider moves there too)."""
        selection = self._selection(values["only_mistakes"])
        index = values["index"]
        if selection.size:
            position = int(np.searchsorted(selection, index))
            if position == selection.size or selection[position] != index:
                values["index"] = int(selection[position % selection.size])
        return values, []

    def _compute(self, index, only_mistakes):
        return _digit_state(self.images, self.labels, self.probabilities, self.mistakes,
                            self._selection(only_mistakes), index, only_mistakes)

    def next(self) -> dict:
        """Show the next image of the selection (all images, or only the mistakes)."""
        return self.set(index=neighbour(self.state, +1))

    def previous(self) -> dict:
        """Show the previous image of the selection."""
        return self.set(index=neighbour(self.state, -1))


def digit_browser(network, X, y, index: int = 0, only_mistakes: bool = False,
                  what: str = "test image") -> DigitBrowser:
    """Browse images with a trained network's probabilities: ``digit_browser(net, X_test, y_test)``.

    ``X``: (n, 784) or (n, 28, 28) images, ``y``: their labels; ``index``: the first
    image shown; ``only_mistakes``: start with the filter on.
    """
    return DigitBrowser(network, X, y, index=index, only_mistakes=only_mistakes, what=what)


# ========================================================================= the convolution explorer
#: The explorer's filters (3 x 3). Sobel filters respond to a change of brightness across them.
FILTERS = {
    "vertical edges (Sobel)": np.array([[-1.0, 0.0, 1.0], [-2.0, 0.0, 2.0], [-1.0, 0.0, 1.0]]),
    "horizontal edges (Sobel)": np.array([[-1.0, -2.0, -1.0], [0.0, 0.0, 0.0], [1.0, 2.0, 1.0]]),
    "diagonal edges": np.array([[0.0, 1.0, 2.0], [-1.0, 0.0, 1.0], [-2.0, -1.0, 0.0]]),
    "blur (average)": np.full((3, 3), 1.0 / 9.0),
    "sharpen": np.array([[0.0, -1.0, 0.0], [-1.0, 5.0, -1.0], [0.0, -1.0, 0.0]]),
}


def _as_image(image, where: str) -> np.ndarray:
    a = np.asarray(image)
    if a.dtype.kind not in "fiu":
        raise InputError(f"{where}: expected an image of numbers, got dtype {a.dtype}.")
    pixels = IMAGE_SHAPE[0] * IMAGE_SHAPE[1]
    if a.ndim == 1 and a.size == pixels:
        a = a.reshape(IMAGE_SHAPE)
    several = a.ndim == 3 or (a.ndim == 2 and a.shape[1] == pixels)   # a batch of (flattened) images
    if a.ndim != 2 or several:
        raise ShapeError(f"{where}: expected one image of shape (28, 28) or (784,) (or any 2-D array), "
                         f"got shape {a.shape}" + (" (several images? pick one: X[0])" if several else "")
                         + ".")
    if not np.isfinite(a).all():
        raise InputError(f"{where}: the image contains NaN or inf.")
    return a.astype(np.float64)


def _kernel(filter, where: str) -> tuple[str, np.ndarray]:
    if isinstance(filter, str):
        if filter not in FILTERS:
            raise ValueError(f"{where}: unknown filter {filter!r}; choose one of: {', '.join(FILTERS)}.")
        return filter, FILTERS[filter]
    K = np.asarray(filter, dtype=np.float64)
    if K.ndim != 2 or K.shape[0] != K.shape[1] or K.shape[0] % 2 == 0:
        raise ShapeError(f"{where}: a filter is a small square array of odd size (3 x 3, 5 x 5), "
                         f"got shape {K.shape}.")
    return "custom", K


def convolve2d(image, kernel) -> np.ndarray:
    r"""The "valid" feature map :math:`F[r, c] = \sum_{i,j} I[r+i, c+j]\,K[i, j]`.

    ``image``: (H, W); ``kernel``: (k, k). Result: (H - k + 1, W - k + 1). Every
    k x k window of the image is multiplied by the kernel and summed, all at once.
    """
    I = _as_image(image, "convolve2d")
    _, K = _kernel(kernel, "convolve2d")
    if K.shape[0] > min(I.shape):
        raise ShapeError(f"convolve2d: the filter ({K.shape[0]} x {K.shape[0]}) is larger than the "
                         f"image {I.shape}.")
    windows = np.lib.stride_tricks.sliding_window_view(I, K.shape)   # (H-k+1, W-k+1, k, k)
    return np.einsum("rcij,ij->rc", windows, K)


def compute_convolution(image, filter="vertical edges (Sobel)", row: int = 10, col: int = 10) -> dict:
    """The filter at one position: the patch under it, the products, their sum, and the whole map.

    Returns a dict: ``image``, ``kernel``, ``filter`` (its name), ``row``, ``col``,
    ``patch`` (k, k), ``products`` (patch * kernel), ``value`` (their sum),
    ``feature_map`` (H - k + 1, W - k + 1), equal to ``value`` at ``[row, col]``.
    """
    where = "compute_convolution"
    I = _as_image(image, where)
    name, K = _kernel(filter, where)
    k = K.shape[0]
    rows, cols = I.shape[0] - k + 1, I.shape[1] - k + 1
    for what, v, n in (("row", row, rows), ("col", col, cols)):
        if int(v) != v or not 0 <= v < n:
            raise ValueError(f"{where}: {what} must be a whole number from 0 to {n - 1} (the "
                             f"{k} x {k} filter must fit inside the image), got {v!r}.")
    return _convolution_state(I, name, K, int(row), int(col), convolve2d(I, K))


def _convolution_state(I, name, K, row, col, feature_map):
    """:func:`compute_convolution` from checked inputs and the feature map already computed."""
    k = K.shape[0]
    patch = I[row:row + k, col:col + k].copy()
    products = patch * K
    return {"image": I, "kernel": K, "filter": name, "row": row, "col": col, "patch": patch,
            "products": products, "value": float(products.sum()), "feature_map": feature_map}


def convolution_readout(state) -> str:
    """'vertical edges (Sobel) at row 10, column 14: sum of patch × filter = 1.73 = F[10, 14]'."""
    return (f"{state['filter']} at row {state['row']}, column {state['col']}: "
            f"sum of patch × filter = <b>{state['value']:.2f}</b> = F[{state['row']}, {state['col']}]")


class ConvolutionView(BlitView):
    """The explorer's figure, kept: the window on the image, the nine products (image and
    texts), the feature map and its marker, and the titles change; axes, colour bar and
    frames are drawn once per filter (:class:`~nnlib.widgets.blit.BlitView`)."""

    def __init__(self, state, fig=None):
        self.fig = fig if fig is not None else new_figure((12, 4.3))
        self.ax_i, self.ax_k, self.ax_f = self.fig.subplots(1, 3, gridspec_kw={"width_ratios": [1, 1, 1]})
        self.fig.subplots_adjust(left=0.02, right=0.95, bottom=0.05, top=0.86, wspace=0.22)
        I, K, F = state["image"], state["kernel"], state["feature_map"]
        k, h = K.shape[0], K.shape[0] // 2
        self.shape = (I.shape, K.shape)
        self.image = self.ax_i.imshow(I, cmap="gray_r", vmin=0, vmax=1, interpolation="nearest")
        self.window = self.ax_i.add_patch(Rectangle((-0.5, -0.5), k, k, fill=False,
                                                    edgecolor=WRONG_COLOR, lw=2.5))
        self.image_title = self.ax_i.set_title("", fontsize=11, y=1.0)
        self.products = self.ax_k.imshow(np.zeros((k, k)), cmap=DIVERGING_CMAP, vmin=-1, vmax=1)
        self.cells = [[self.ax_k.text(j, i, "", ha="center", va="center", fontsize=9 if k <= 3 else 6)
                       for j in range(k)] for i in range(k)]
        self.products_title = self.ax_k.set_title("", fontsize=11, y=1.0)
        # F[r, c] belongs to the window centred on pixel (r + h, c + h): draw F there, so the
        # map lies over the image it came from (a border of h pixels stays empty)
        self.map = self.ax_f.imshow(F, cmap=DIVERGING_CMAP, vmin=-1, vmax=1, interpolation="nearest",
                                    extent=(h - 0.5, h + F.shape[1] - 0.5, h + F.shape[0] - 0.5, h - 0.5))
        self.ax_f.add_patch(Rectangle((-0.5, -0.5), I.shape[1], I.shape[0], fill=False,
                                      edgecolor="#999999", lw=1, ls=":"))
        self.marker, = self.ax_f.plot([h], [h], "o", markersize=13, markerfacecolor="none",
                                      markeredgecolor="black", markeredgewidth=2)
        self.ax_f.set_xlim(-0.5, I.shape[1] - 0.5)
        self.ax_f.set_ylim(I.shape[0] - 0.5, -0.5)
        self.map_title = self.ax_f.set_title("", fontsize=11, y=1.0)
        self.colorbar = self.fig.colorbar(self.map, ax=self.ax_f, fraction=0.046, pad=0.03)
        self.ax_f.set_frame_on(False)
        for spine in self.ax_f.spines.values():   # (quick frames draw the spines that are visible)
            spine.set_visible(False)
        for ax in (self.ax_i, self.ax_k, self.ax_f):
            ax.set_xticks([])
            ax.set_yticks([])
        self.title = self.fig.suptitle("", fontsize=12)
        self.update(state)

    def update(self, state):
        I, K, F = state["image"], state["kernel"], state["feature_map"]
        if (I.shape, K.shape) != self.shape:
            raise ValueError(f"this view shows a {self.shape[0]} image and a {self.shape[1]} filter; "
                             f"got {I.shape} and {K.shape}.")
        k, r, c, h = K.shape[0], state["row"], state["col"], K.shape[0] // 2
        self.image.set_data(I)
        self.image.set_clim(0, max(1.0, float(I.max())))
        self.window.set_xy((c - 0.5, r - 0.5))
        self.image_title.set_text(f"image: the {k}×{k} window at row {r}, col {c}")
        # the arithmetic: each cell shows pixel × weight, coloured by the product
        P = state["products"] + 0.0   # + 0.0 turns -0.0 into 0.0 for the labels
        limit = max(float(np.abs(P).max()), 1e-9)
        self.products.set_data(P)
        self.products.set_clim(-limit, limit)
        for i in range(k):
            for j in range(k):
                self.cells[i][j].set_text(f"{state['patch'][i, j]:.2f}\n× {K[i, j]:+.2g}\n= {P[i, j]:+.2f}")
        self.products_title.set_text(f"pixel × filter weight; sum = {state['value']:.2f}")
        lim = max(float(np.abs(F).max()), 1e-9)
        self.map.set_data(F)
        self.map.set_clim(-lim, lim)
        self.marker.set_data([c + h], [r + h])
        self.map_title.set_text(f"feature map F ({F.shape[0]}×{F.shape[1]}): F[{r}, {c}] = "
                                f"{state['value']:.2f}")
        self.title.set_text(f"filter: {state['filter']}")

    def moving(self):
        return [self.image, self.window, self.image_title, self.products,
                *(t for row in self.cells for t in row), self.products_title, self.map, self.marker,
                self.map_title, self.title]

    def background_key(self):
        return self.map.get_clim()     # the colour bar's ticks


def draw_convolution(state):
    """Left: the image with the filter's window. Middle: the window's arithmetic, cell by
    cell (pixel × weight). Right: the feature map, the current position circled. (The
    figure the explorer keeps and updates; made with pyplot here, so a notebook shows it.)"""
    return ConvolutionView(state, fig=plt.figure(figsize=(12, 4.3))).fig


def convolution_explorer(image, filter="vertical edges (Sobel)", row: int = 10, col: int = 10):
    """Slide a 3 x 3 filter over ``image`` (one 28 x 28 digit): row and column sliders, a filter menu."""
    I = _as_image(image, "convolution_explorer")
    name, _ = _kernel(filter, "convolution_explorer")
    if name == "custom":
        raise ValueError("convolution_explorer: pick the filter by name from FILTERS; for your own "
                         "filter use compute_convolution and draw_convolution.")
    k = 3
    start = {}
    for what, v, n in (("row", row, I.shape[0] - k + 1), ("col", col, I.shape[1] - k + 1)):
        number = _whole_number(v)
        if number is None or not 0 <= number < n:
            raise ValueError(f"convolution_explorer: {what} must be a whole number from 0 to {n - 1} "
                             f"(the {k} x {k} filter must fit inside the image), got {v!r}.")
        start[what] = number
    maps = {}   # filter name -> its feature map: computed once per filter

    def compute(row, col, filter):
        if filter not in maps:
            maps[filter] = convolve2d(I, FILTERS[filter])
        return _convolution_state(I, filter, FILTERS[filter], row, col, maps[filter])

    controls = {
        "row": int_slider(start["row"], 0, I.shape[0] - k, "row", continuous_update=True),
        "col": int_slider(start["col"], 0, I.shape[1] - k, "column", continuous_update=True),
        "filter": dropdown(list(FILTERS), filter, "filter"),
    }
    plot = InteractivePlot(controls, compute, ConvolutionView, convolution_readout, height="390px",
                           title="Convolution: a filter slides over the digit")
    plot.feature_maps = maps
    return plot
