"""The widgets of lessons 9 and 10: the digit browser (a trained network's probabilities on
MNIST test images) and the convolution explorer (a 3 x 3 filter slid over a digit).

The browser is checked against a small network trained for a moment on a subset of MNIST:
the state must show the image asked for, with exactly the network's probabilities; the
"only mistakes" filter must browse exactly the misclassified images; the widget is driven
as a learner drives it (slider, checkbox, previous/next buttons) and its readout read."""
from __future__ import annotations

import io
import re

import matplotlib
import numpy as np
import pytest
from matplotlib.figure import Figure
from PIL import Image

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402

import nnlib.widgets as widgets  # noqa: E402
from nnlib import Dense, Network  # noqa: E402
from nnlib.datasets import load_mnist  # noqa: E402
from nnlib.validation import InputError, ShapeError  # noqa: E402
from nnlib.widgets import digits as dg  # noqa: E402
from nnlib.widgets.base import InteractivePlot  # noqa: E402

READOUT = re.compile(r"test image (\d+): label (\d), predicted (\d) \(p = ([01]\.\d{3})\)")


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    plt.close("all")


def assert_same_pixels(png_a: bytes, png_b: bytes):
    """Two PNG images with the same pixels (a quick frame of a kept view, a full drawing)."""
    a, b = (np.asarray(Image.open(io.BytesIO(data)).convert("RGBA")) for data in (png_a, png_b))
    assert a.shape == b.shape, (a.shape, b.shape)
    differ = np.any(a != b, axis=-1)
    assert not differ.any(), f"{differ.sum()} pixels differ, e.g. at {np.argwhere(differ)[:3].tolist()}"



@pytest.fixture(scope="module")
def trained():
    """A 784-16-10 network trained for two epochs on 1,000 training digits (well under a
    second), and 300 test digits: it gets most right and some wrong."""
    (X, y), (X_test, y_test) = load_mnist()
    net = Network([Dense(784, 16, "relu", dtype=np.float32), Dense(16, 10, dtype=np.float32)],
                  loss="softmax_cross_entropy", seed=0)
    net.fit(X[:1000], y[:1000], epochs=2, batch_size=32, optimizer="adam", verbose=False, seed=0)
    X_small, y_small = X_test[:300], y_test[:300]
    pred = net.predict(X_small)
    mistakes = np.flatnonzero(pred != y_small)
    assert 5 <= mistakes.size <= 150, "the fixture should make some mistakes, not mostly mistakes"
    return net, X_small, y_small, mistakes


# ================================================================ the browser's math

def test_predict_probabilities_equals_the_networks_for_flat_and_square_images(trained):
    net, X, y, _ = trained
    P = dg.predict_probabilities(net, X, batch_size=128)        # three batches: 128, 128, 44
    assert P.shape == (300, 10)
    np.testing.assert_allclose(P, net.predict_proba(X), rtol=1e-5, atol=1e-7)
    np.testing.assert_allclose(dg.predict_probabilities(net, X.reshape(-1, 28, 28)), P, rtol=1e-5, atol=1e-7)
    np.testing.assert_allclose(P.sum(axis=1), 1.0, atol=1e-5)


@pytest.mark.parametrize("index", [0, 7, 123, 299])
def test_state_shows_the_image_asked_for_with_the_networks_probabilities(trained, index):
    net, X, y, _ = trained
    P = dg.predict_probabilities(net, X)
    s = dg.compute_digit(X, y, P, index=index)
    assert s["index"] == index and s["label"] == y[index]
    np.testing.assert_array_equal(s["image"], X[index].reshape(28, 28))
    own = net.predict_proba(X[index:index + 1])[0]
    np.testing.assert_allclose(s["probabilities"], own, rtol=1e-5, atol=1e-7)
    assert s["probabilities"].sum() == pytest.approx(1.0, abs=1e-5)
    assert s["prediction"] == int(np.argmax(own)) == net.predict(X[index:index + 1])[0]
    assert s["confidence"] == pytest.approx(float(own.max()), rel=1e-5)
    assert s["p_label"] == pytest.approx(float(own[y[index]]), rel=1e-5)
    assert s["correct"] == (s["prediction"] == y[index])
    assert s["position"] == index and s["n_images"] == 300


def test_only_mistakes_selects_exactly_the_misclassified_images(trained):
    net, X, y, mistakes = trained
    P = dg.predict_probabilities(net, X)
    np.testing.assert_array_equal(dg.mistake_indices(y, P), mistakes)
    s = dg.compute_digit(X, y, P, index=int(mistakes[2]), only_mistakes=True)
    np.testing.assert_array_equal(s["selection"], mistakes)
    assert s["index"] == mistakes[2] and s["position"] == 2 and not s["correct"]
    assert s["n_mistakes"] == mistakes.size
    # every index shows a mistake: a correct image snaps to the next mistake after it
    correct = np.setdiff1d(np.arange(300), mistakes)
    for i in correct[:40]:
        shown = dg.compute_digit(X, y, P, index=int(i), only_mistakes=True)
        assert not shown["correct"] and shown["prediction"] != shown["label"]
        after = mistakes[mistakes > i]
        assert shown["index"] == (after[0] if after.size else mistakes[0])   # wraps round at the end
    # without the filter every image can be shown
    assert dg.compute_digit(X, y, P, index=int(correct[0]))["index"] == correct[0]


def test_neighbour_steps_through_the_selection_and_wraps(trained):
    net, X, y, mistakes = trained
    P = dg.predict_probabilities(net, X)
    s = dg.compute_digit(X, y, P, index=299)
    assert dg.neighbour(s, +1) == 0 and dg.neighbour(s, -1) == 298
    s = dg.compute_digit(X, y, P, index=int(mistakes[-1]), only_mistakes=True)
    assert dg.neighbour(s, +1) == mistakes[0] and dg.neighbour(s, -1) == mistakes[-2]


def test_a_network_without_mistakes_says_so():
    y = np.array([3, 1, 4, 1, 5])
    P = np.full((5, 10), 0.01)
    P[np.arange(5), y] = 0.91
    s = dg.compute_digit(np.zeros((5, 784)), y, P, index=2, only_mistakes=True)
    assert s["n_mistakes"] == 0 and s["index"] == 2 and "no mistakes" in s["message"]
    assert "no mistakes" in dg.digit_readout(s)
    assert isinstance(dg.draw_digit(s), Figure)


def test_bad_input_gets_a_clear_error(trained):
    net, X, y, _ = trained
    P = dg.predict_probabilities(net, X)
    with pytest.raises(ValueError, match="index must be a whole number from 0 to 299"):
        dg.compute_digit(X, y, P, index=300)
    with pytest.raises(ShapeError, match="300 images but 299 labels"):
        dg.compute_digit(X, y[:-1], P)
    with pytest.raises(ShapeError, match=r"expected probabilities of shape \(300, classes\)"):
        dg.compute_digit(X, y, P[:10])
    with pytest.raises(InputError, match="sum to 1"):
        dg.compute_digit(X, y, P * 2)
    with pytest.raises(InputError, match="labels go up to 9 but there are only 5 classes"):
        dg.compute_digit(X, y, np.full((300, 5), 0.2))
    with pytest.raises(ShapeError, match=r"one image\? use X\[None\]"):
        dg.predict_probabilities(net, X[0])
    with pytest.raises(TypeError, match="predict_proba"):
        widgets.digit_browser("not a network", X, y)
    with pytest.raises(ShapeError, match="300 images but 10 labels"):
        widgets.digit_browser(net, X, y[:10])


# ================================================================ the browser's figure and readout

def test_figure_draws_the_image_and_one_bar_per_probability(trained):
    net, X, y, mistakes = trained
    P = dg.predict_probabilities(net, X)
    s = dg.compute_digit(X, y, P, index=int(mistakes[0]))
    fig = dg.draw_digit(s)
    assert isinstance(fig, Figure)
    ax_img, ax_bar = fig.axes[:2]
    np.testing.assert_array_equal(ax_img.images[0].get_array(), s["image"])
    heights = np.array([bar.get_height() for bar in ax_bar.patches[:10]])
    np.testing.assert_allclose(heights, s["probabilities"], rtol=1e-6)
    colors = [matplotlib.colors.to_hex(bar.get_facecolor()) for bar in ax_bar.patches[:10]]
    assert colors[s["prediction"]] == dg.WRONG_COLOR.lower()       # the wrong prediction in red
    assert colors[s["label"]] == dg.LABEL_COLOR.lower()            # the true label in blue
    assert "WRONG" in ax_bar.get_title()


def test_readout_names_image_label_prediction_and_probability(trained):
    net, X, y, _ = trained
    P = dg.predict_probabilities(net, X)
    s = dg.compute_digit(X, y, P, index=42)
    m = READOUT.search(dg.digit_readout(s))
    assert m, dg.digit_readout(s)
    assert (int(m[1]), int(m[2]), int(m[3])) == (42, y[42], s["prediction"])
    assert float(m[4]) == pytest.approx(s["confidence"], abs=5e-4)


# ================================================================ the widget, driven like a learner

def test_digit_browser_is_registered_and_follows_the_slider(trained):
    net, X, y, _ = trained
    browser = widgets.digit_browser(net, X, y)
    assert isinstance(browser, InteractivePlot)
    assert browser.state["index"] == 0 and browser.updates == 1
    for index in (17, 250, 3):
        before = browser.updates
        state = browser.set(index=index)
        assert state["index"] == index and browser.updates == before + 1
        np.testing.assert_array_equal(state["image"], X[index].reshape(28, 28))
        np.testing.assert_allclose(state["probabilities"], net.predict_proba(X[index:index + 1])[0],
                                   rtol=1e-5, atol=1e-7)
        m = READOUT.search(browser.readout.value)
        assert m and int(m[1]) == index and int(m[2]) == y[index] and int(m[3]) == state["prediction"]
    assert isinstance(browser.figure(), Figure)


def test_only_mistakes_checkbox_and_buttons_visit_exactly_the_mistakes(trained):
    net, X, y, mistakes = trained
    X, y, mistakes = X[:100], y[:100], mistakes[mistakes < 100]   # fewer clicks (each one redraws)
    assert mistakes.size >= 3
    browser = widgets.digit_browser(net, X, y, index=0)
    correct = int(np.setdiff1d(np.arange(100), mistakes)[0])
    browser.set(index=correct)
    state = browser.set(only_mistakes=True)
    assert state["index"] == mistakes[mistakes > correct][0]
    assert browser.controls["index"].value == state["index"], "the slider follows the snapped image"
    assert f"mistake {state['position'] + 1} of {mistakes.size}" in browser.readout.value
    assert "wrong" in browser.readout.value
    browser.set(index=int(mistakes[0]))
    seen = [browser.state["index"]]
    for _ in range(mistakes.size):                 # the next button: every mistake once, then round
        browser.next_button.click()
        seen.append(browser.state["index"])
    assert seen[:-1] == list(mistakes) and seen[-1] == mistakes[0]
    browser.previous_button.click()
    assert browser.state["index"] == mistakes[-1]
    # dragging the slider onto a correct image shows the next mistake instead
    browser.set(index=correct)
    assert not browser.state["correct"] and browser.controls["index"].value == browser.state["index"]
    # switching the filter off keeps the image and lets next() visit its neighbour
    shown = browser.state["index"]
    browser.set(only_mistakes=False)
    assert browser.state["index"] == shown
    assert browser.next()["index"] == shown + 1
    assert f"image {shown + 2} of 100" in browser.readout.value


# ================================================================ lesson 10: the convolution explorer

def convolve_by_loops(image, kernel):
    k = kernel.shape[0]
    out = np.zeros((image.shape[0] - k + 1, image.shape[1] - k + 1))
    for r in range(out.shape[0]):
        for c in range(out.shape[1]):
            out[r, c] = np.sum(image[r:r + k, c:c + k] * kernel)
    return out


@pytest.mark.parametrize("name", list(dg.FILTERS))
def test_convolve2d_equals_the_sliding_loop(name):
    image = np.random.default_rng(0).random((28, 28))
    np.testing.assert_allclose(dg.convolve2d(image, name), convolve_by_loops(image, dg.FILTERS[name]))
    assert dg.convolve2d(image, name).shape == (26, 26)


def test_edge_filters_answer_edges_and_not_flat_regions():
    image = np.zeros((28, 28))
    image[:, 14:] = 1.0                                    # dark left half, ink on the right: a vertical edge
    F = dg.convolve2d(image, "vertical edges (Sobel)")
    assert F[:, 12].tolist() == [4.0] * 26                 # windows over columns 12-14 straddle the edge
    assert np.all(F[:, :11] == 0) and np.all(F[:, 14:] == 0)
    assert np.all(dg.convolve2d(image, "horizontal edges (Sobel)") == 0)
    np.testing.assert_allclose(dg.convolve2d(image, "blur (average)")[:, 12], 1 / 3)


def test_compute_convolution_at_a_position_is_that_entry_of_the_map():
    (_, _), (X_test, _) = load_mnist()
    s = dg.compute_convolution(X_test[0], "vertical edges (Sobel)", row=14, col=14)
    np.testing.assert_allclose(s["patch"], X_test[0].reshape(28, 28)[14:17, 14:17])
    np.testing.assert_allclose(s["products"], s["patch"] * dg.FILTERS["vertical edges (Sobel)"])
    assert s["value"] == pytest.approx(s["feature_map"][14, 14]) and s["value"] > 1.0  # the 7's left edge
    assert "= F[14, 14]" in dg.convolution_readout(s) and f"{s['value']:.2f}" in dg.convolution_readout(s)
    assert isinstance(dg.draw_convolution(s), Figure)
    with pytest.raises(ValueError, match="row must be a whole number from 0 to 25"):
        dg.compute_convolution(X_test[0], row=26)
    with pytest.raises(ValueError, match="unknown filter"):
        dg.compute_convolution(X_test[0], filter="emboss")
    with pytest.raises(ShapeError, match="pick one"):
        dg.compute_convolution(X_test[:5])


def test_convolution_explorer_moves_the_window_when_the_sliders_move():
    (_, _), (X_test, _) = load_mnist()
    explorer = dg.convolution_explorer(X_test[0])
    first = explorer.state["value"]
    state = explorer.set(row=14, col=14)
    assert (state["row"], state["col"]) == (14, 14) and state["value"] != first
    assert state["value"] == pytest.approx(state["feature_map"][14, 14])
    state = explorer.set(filter="horizontal edges (Sobel)")
    assert state["value"] == pytest.approx(dg.convolve2d(X_test[0].reshape(28, 28),
                                                         "horizontal edges (Sobel)")[14, 14])
    assert "horizontal edges (Sobel) at row 14, column 14" in explorer.readout.value


# ================================================================ kept figures, bad values, caches

def test_digit_view_updated_looks_like_a_view_built_anew(trained):
    net, X, y, mistakes = trained
    P = dg.predict_probabilities(net, X)
    states = [dg.compute_digit(X, y, P, index=i) for i in (0, int(mistakes[0]), 5, int(mistakes[1]))]
    view = dg.DigitView(states[0])
    view.frame()
    for s in states[1:]:
        view.update(s)
        assert_same_pixels(view.frame(), dg.DigitView(s).png())


def test_convolution_view_updated_looks_like_a_view_built_anew():
    (_, _), (X_test, _) = load_mnist()
    states = [dg.compute_convolution(X_test[0], f, r, c) for f, r, c in
              [("vertical edges (Sobel)", 10, 10), ("vertical edges (Sobel)", 14, 3), ("sharpen", 0, 25),
               ("blur (average)", 25, 0)]]
    view = dg.ConvolutionView(states[0])
    view.frame()
    for s in states[1:]:
        view.update(s)
        assert_same_pixels(view.frame(), dg.ConvolutionView(s).png())


def test_the_browser_runs_the_network_once_and_reuses_the_mistakes(trained, monkeypatch):
    net, X, y, mistakes = trained
    runs, searches = [], []
    real_proba, real_mistakes = net.predict_proba, dg.mistake_indices
    monkeypatch.setattr(net, "predict_proba", lambda A: runs.append(len(A)) or real_proba(A))
    monkeypatch.setattr(dg, "mistake_indices", lambda *a: searches.append(1) or real_mistakes(*a))
    browser = widgets.digit_browser(net, X, y)
    assert sum(runs) == 300 and len(searches) == 1
    for index in (3, 4, 250):
        browser.set(index=index)
    browser.set(only_mistakes=True)
    browser.next()
    browser.set(only_mistakes=False)
    assert sum(runs) == 300 and len(searches) == 1 and browser.predictions == 300
    image, updates = browser.image.value, browser.updates
    browser.set(index=browser.state["index"])       # the same image again: nothing drawn
    assert browser.updates == updates and browser.image.value == image


def test_the_explorer_computes_each_feature_map_once(monkeypatch):
    (_, _), (X_test, _) = load_mnist()
    calls = []
    real = dg.convolve2d
    monkeypatch.setattr(dg, "convolve2d", lambda *a: calls.append(1) or real(*a))
    explorer = dg.convolution_explorer(X_test[0])
    for r in range(0, 26, 5):
        explorer.set(row=r)
    explorer.set(filter="sharpen")
    explorer.set(filter="vertical edges (Sobel)")
    explorer.set(col=3)
    assert len(calls) == 2 and set(explorer.feature_maps) == {"vertical edges (Sobel)", "sharpen"}
    np.testing.assert_allclose(explorer.state["feature_map"], real(X_test[0].reshape(28, 28), "vertical edges (Sobel)"))


@pytest.mark.parametrize("name, bad, used", [
    ("index", None, 17), ("index", float("nan"), 17), ("index", "seven", 17), ("index", -5, 0),
    ("index", 300, 299), ("index", 10**9, 299), ("index", 2.5, 3), ("index", float("-inf"), 17),
    ("only_mistakes", None, False), ("only_mistakes", "yes", False), ("only_mistakes", float("nan"), False),
    ("only_mistakes", 2, False),
])
def test_no_control_value_breaks_the_browser(trained, name, bad, used):
    net, X, y, _ = trained
    browser = widgets.digit_browser(net, X, y, index=17)
    image, updates = browser.image.value, browser.updates
    state = browser.set(**{name: bad})
    assert state[name] == used and browser.error is None
    assert "⚠" in browser.readout.value and "using" in browser.readout.value.split("⚠")[1]
    assert READOUT.search(browser.readout.value)                  # the readout still reads
    if state["index"] == 17:
        assert browser.image.value == image and browser.updates == updates
    browser.next()
    assert browser.state["index"] == ((used + 1) % 300 if name == "index" else 18)   # (wraps round)
    assert "⚠" not in browser.readout.value


@pytest.mark.parametrize("name, bad, used", [
    ("row", None, 10), ("row", float("nan"), 10), ("row", -1, 0), ("row", 26, 25), ("row", 4.4, 4),
    ("col", "left", 10), ("col", float("inf"), 10), ("col", 100, 25),
    ("filter", None, "vertical edges (Sobel)"), ("filter", "emboss", "vertical edges (Sobel)"),
    ("filter", 3, "vertical edges (Sobel)"),
])
def test_no_control_value_breaks_the_explorer(name, bad, used):
    (_, _), (X_test, _) = load_mnist()
    explorer = dg.convolution_explorer(X_test[0])
    image, updates = explorer.image.value, explorer.updates
    state = explorer.set(**{name: bad})
    assert state[name] == used and explorer.error is None
    assert "⚠" in explorer.readout.value and "using" in explorer.readout.value.split("⚠")[1]
    if (state["row"], state["col"], state["filter"]) == (10, 10, "vertical edges (Sobel)"):
        assert explorer.image.value == image and explorer.updates == updates
    state = explorer.set(row=12, col=13)
    assert (state["row"], state["col"]) == (12, 13) and "⚠" not in explorer.readout.value
    assert state["value"] == pytest.approx(state["feature_map"][12, 13])
