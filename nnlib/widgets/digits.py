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
from matplotlib.patches import Patch, Rectangle

from ..plots import CLASS_COLORS, DIVERGING_CMAP, WRONG_COLOR
from ..validation import InputError, ShapeError, check_labels
from .base import InteractivePlot, dropdown, int_slider

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
    index = int(index)
    mistakes = mistake_indices(y, P)
    selection = mistakes if only_mistakes else np.arange(n)
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


def draw_digit(state, what: str = "test image"):
    """Left: the image. Right: the ten probabilities as bars (prediction green if right,
    red if wrong; the true label's bar blue when it is not the prediction)."""
    fig, (ax_img, ax_bar) = plt.subplots(1, 2, figsize=(9.5, 3.9), gridspec_kw={"width_ratios": [1, 1.7]})
    fig.subplots_adjust(left=0.03, right=0.98, bottom=0.15, top=0.86, wspace=0.12)
    ax_img.imshow(state["image"], cmap="gray_r", vmin=0, vmax=max(1.0, float(state["image"].max())),
                  interpolation="nearest")
    ax_img.set_xticks([])
    ax_img.set_yticks([])
    ax_img.set_title(f"{what} {state['index']} (label {state['label']})", fontsize=12)
    p = state["probabilities"]
    k = np.arange(p.size)
    colors = ["#BBBBBB"] * p.size
    colors[state["prediction"]] = RIGHT_COLOR if state["correct"] else WRONG_COLOR
    if not state["correct"]:
        colors[state["label"]] = LABEL_COLOR
    ax_bar.bar(k, p, color=colors, edgecolor="#333333", linewidth=0.6)
    for j, v in enumerate(p):
        if v >= 0.005:
            ax_bar.text(j, v + 0.02, f"{v:.2f}", ha="center", va="bottom", fontsize=9)
    handles = [Patch(facecolor=colors[state["prediction"]], edgecolor="#333333",
                     label="prediction" + ("" if state["correct"] else " (wrong)"))]
    if not state["correct"]:
        handles.append(Patch(facecolor=LABEL_COLOR, edgecolor="#333333", label="true label"))
    ax_bar.legend(handles=handles, loc="upper right", fontsize=9, framealpha=0.9)
    ax_bar.set_xticks(k)
    ax_bar.set_ylim(0, 1.12)
    ax_bar.set_xlabel("digit k", fontsize=11)
    ax_bar.set_ylabel("probability $a_k$", fontsize=11)
    ax_bar.grid(axis="y", alpha=0.3)
    verdict = "right" if state["correct"] else "WRONG"
    ax_bar.set_title(f"predicted {state['prediction']} with p = {state['confidence']:.3f}: {verdict}",
                     fontsize=12, color="black" if state["correct"] else WRONG_COLOR)
    if state["message"]:
        fig.suptitle(state["message"], fontsize=11, color=WRONG_COLOR)
    return fig


class DigitBrowser(InteractivePlot):
    """The digit browser: an index slider, *previous* / *next* buttons and an "only mistakes" box.

    ``set(index=..., only_mistakes=...)`` works as in every course widget;
    ``next()`` and ``previous()`` do what the buttons do. With "only mistakes" on,
    the slider jumps to the mistake shown. ``probabilities`` (n, classes) and
    ``mistakes`` (indices) are computed once, when the widget is made.
    """

    def __init__(self, network, X, y, index=0, only_mistakes=False, what="test image"):
        self.images = _as_images(X, "digit_browser")
        self.labels = check_labels(y, name="y", where="digit_browser")
        if self.labels.shape[0] != self.images.shape[0]:
            raise ShapeError(f"digit_browser: {self.images.shape[0]} images but "
                             f"{self.labels.shape[0]} labels.")
        self.probabilities = predict_probabilities(network, self.images)
        if self.labels.max(initial=0) >= self.probabilities.shape[1]:
            raise InputError(f"digit_browser: labels go up to {self.labels.max()} but the network "
                             f"has only {self.probabilities.shape[1]} outputs.")
        self.mistakes = mistake_indices(self.labels, self.probabilities)
        self.what = what
        self._syncing = False
        n = self.images.shape[0]
        controls = {
            "index": int_slider(int(index), 0, n - 1, f"{what} index"),
            "only_mistakes": w.Checkbox(value=bool(only_mistakes), description="only mistakes",
                                        indent=False, layout=w.Layout(width="140px")),
        }
        super().__init__(controls, self._compute, lambda s: draw_digit(s, self.what),
                         lambda s: digit_readout(s, self.what), height="400px",
                         title="Digit browser: the network's ten probabilities for each image")
        self.previous_button = w.Button(description="◀ previous", layout=w.Layout(width="110px"))
        self.next_button = w.Button(description="next ▶", layout=w.Layout(width="110px"))
        self.previous_button.on_click(lambda _: self.previous())
        self.next_button.on_click(lambda _: self.next())
        c = self.controls
        row = w.HBox([self.previous_button, c["index"], self.next_button, c["only_mistakes"]])
        self.ui.children = (self.ui.children[0], row, *self.ui.children[2:])

    def _compute(self, index, only_mistakes):
        return compute_digit(self.images, self.labels, self.probabilities, index, only_mistakes)

    def update(self, *_):
        if self._syncing:  # the slider was moved to the image already shown: nothing to redraw
            return
        super().update()
        if self.state["index"] != self.controls["index"].value:  # snapped to a mistake
            self._syncing = True
            try:
                self.controls["index"].value = self.state["index"]
            finally:
                self._syncing = False

    def next(self) -> dict:
        """Show the next image of the selection (all images, or only the mistakes)."""
        self.controls["index"].value = neighbour(self.state, +1)
        return self.state

    def previous(self) -> dict:
        """Show the previous image of the selection."""
        self.controls["index"].value = neighbour(self.state, -1)
        return self.state


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
    row, col = int(row), int(col)
    patch = I[row:row + k, col:col + k].copy()
    products = patch * K
    return {"image": I, "kernel": K, "filter": name, "row": row, "col": col, "patch": patch,
            "products": products, "value": float(products.sum()), "feature_map": convolve2d(I, K)}


def convolution_readout(state) -> str:
    """'vertical edges (Sobel) at row 10, column 14: sum of patch × filter = 1.73 = F[10, 14]'."""
    return (f"{state['filter']} at row {state['row']}, column {state['col']}: "
            f"sum of patch × filter = <b>{state['value']:.2f}</b> = F[{state['row']}, {state['col']}]")


def draw_convolution(state):
    """Left: the image with the filter's window. Middle: the window's arithmetic, cell by
    cell (pixel × weight). Right: the feature map, the current position circled."""
    fig, (ax_i, ax_k, ax_f) = plt.subplots(1, 3, figsize=(12, 4.3), gridspec_kw={"width_ratios": [1, 1, 1]})
    fig.subplots_adjust(left=0.02, right=0.95, bottom=0.05, top=0.86, wspace=0.22)
    I, K, F = state["image"], state["kernel"], state["feature_map"]
    k, r, c = K.shape[0], state["row"], state["col"]
    ax_i.imshow(I, cmap="gray_r", vmin=0, vmax=max(1.0, float(I.max())), interpolation="nearest")
    ax_i.add_patch(Rectangle((c - 0.5, r - 0.5), k, k, fill=False, edgecolor=WRONG_COLOR, lw=2.5))
    ax_i.set_title(f"image: the {k}×{k} window at row {r}, col {c}", fontsize=11)
    # the arithmetic: each cell shows pixel × weight, coloured by the product
    P = state["products"] + 0.0   # + 0.0 turns -0.0 into 0.0 for the labels
    limit = max(float(np.abs(P).max()), 1e-9)
    ax_k.imshow(P, cmap=DIVERGING_CMAP, vmin=-limit, vmax=limit)
    for i in range(k):
        for j in range(k):
            ax_k.text(j, i, f"{state['patch'][i, j]:.2f}\n× {K[i, j]:+.2g}\n= {P[i, j]:+.2f}",
                      ha="center", va="center", fontsize=9 if k <= 3 else 6)
    ax_k.set_title(f"pixel × filter weight; sum = {state['value']:.2f}", fontsize=11)
    # F[r, c] belongs to the window centred on pixel (r + h, c + h): draw F there, so the map
    # lies over the image it came from (a border of h pixels stays empty)
    h = k // 2
    lim = max(float(np.abs(F).max()), 1e-9)
    image = ax_f.imshow(F, cmap=DIVERGING_CMAP, vmin=-lim, vmax=lim, interpolation="nearest",
                        extent=(h - 0.5, h + F.shape[1] - 0.5, h + F.shape[0] - 0.5, h - 0.5))
    ax_f.add_patch(Rectangle((-0.5, -0.5), I.shape[1], I.shape[0], fill=False, edgecolor="#999999",
                             lw=1, ls=":"))
    ax_f.plot(c + h, r + h, "o", markersize=13, markerfacecolor="none", markeredgecolor="black",
              markeredgewidth=2)
    ax_f.set_xlim(-0.5, I.shape[1] - 0.5)
    ax_f.set_ylim(I.shape[0] - 0.5, -0.5)
    ax_f.set_title(f"feature map F ({F.shape[0]}×{F.shape[1]}): F[{r}, {c}] = {state['value']:.2f}",
                   fontsize=11)
    fig.colorbar(image, ax=ax_f, fraction=0.046, pad=0.03)
    ax_f.set_frame_on(False)
    for ax in (ax_i, ax_k, ax_f):
        ax.set_xticks([])
        ax.set_yticks([])
    fig.suptitle(f"filter: {state['filter']}", fontsize=12)
    return fig


def convolution_explorer(image, filter="vertical edges (Sobel)", row: int = 10, col: int = 10):
    """Slide a 3 x 3 filter over ``image`` (one 28 x 28 digit): row and column sliders, a filter menu."""
    I = _as_image(image, "convolution_explorer")
    name, _ = _kernel(filter, "convolution_explorer")
    if name == "custom":
        raise ValueError("convolution_explorer: pick the filter by name from FILTERS; for your own "
                         "filter use compute_convolution and draw_convolution.")
    k = 3
    controls = {
        "row": int_slider(int(row), 0, I.shape[0] - k, "row", continuous_update=True),
        "col": int_slider(int(col), 0, I.shape[1] - k, "column", continuous_update=True),
        "filter": dropdown(list(FILTERS), filter, "filter"),
    }
    return InteractivePlot(controls, lambda row, col, filter: compute_convolution(I, filter, row, col),
                           draw_convolution, convolution_readout, height="390px",
                           title="Convolution: a filter slides over the digit")
