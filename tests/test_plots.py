"""nnlib.plots: each function returns a Figure showing what it claims to show."""
import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402
from matplotlib.collections import PathCollection  # noqa: E402
from matplotlib.colors import to_rgb  # noqa: E402
from matplotlib.contour import ContourSet  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402

from nnlib import plots  # noqa: E402
from nnlib.activations import sigmoid, sigmoid_prime, softmax  # noqa: E402
from nnlib.layers import Dense  # noqa: E402
from nnlib.network import History, Network  # noqa: E402
from nnlib.validation import InputError, ShapeError  # noqa: E402


@pytest.fixture(autouse=True)
def close_figures():
    yield
    plt.close("all")


def contours(ax):
    return [c for c in ax.collections if isinstance(c, ContourSet)]


def contour_points(ax):
    """All vertices of all contour lines drawn in ax, as one (m, 2) array."""
    segs = [s for cs in contours(ax) for level in cs.allsegs for s in level]
    return np.concatenate(segs) if segs else np.empty((0, 2))


def scatters(ax):
    return [c for c in ax.collections if isinstance(c, PathCollection)]


def visible_axes(fig):
    return [a for a in fig.axes if a.get_visible()]


def class_of_color(rgb):
    """Which CLASS_COLORS entry an rgb pixel (a class colour mixed with white) is a tint of."""
    d = 1 - np.asarray(rgb)
    scores = []
    for color in plots.CLASS_COLORS[:3]:
        dc = 1 - np.array(to_rgb(color))
        scores.append(d @ dc / (np.linalg.norm(d) * np.linalg.norm(dc) + 1e-12))
    return int(np.argmax(scores))


# -- decision boundary ---------------------------------------------------------------------------------
def line_data(n=60, seed=0):
    rng = np.random.default_rng(seed)
    X = rng.uniform(-2, 2, size=(n, 2))
    return X, (X[:, 0] > 0).astype(np.int64)


class CountingModel:
    """P(class 1) = sigmoid(10 x1): the boundary is the line x1 = 0. Counts its calls."""

    def __init__(self):
        self.calls = []

    def __call__(self, X):
        self.calls.append(X.shape)
        return sigmoid(10 * X[:, 0])


def test_binary_boundary_of_a_known_function():
    X, y = line_data()
    y[[0, 1]] = 1 - y[[0, 1]]  # two deliberately wrong labels
    model = CountingModel()
    fig = plots.plot_decision_boundary(model, X, y, resolution=101)
    assert isinstance(fig, Figure)
    # one vectorized call on the whole grid plus the data points
    assert model.calls == [(101 * 101 + len(X), 2)]
    ax = fig.axes[0]
    # the shading is P(class 1) on the grid, which covers the data plus padding
    image = ax.images[0]
    P = np.asarray(image.get_array())
    assert P.shape == (101, 101)
    x0, x1, y0, y1 = image.get_extent()
    assert x0 == pytest.approx(X[:, 0].min() - 0.5) and x1 == pytest.approx(X[:, 0].max() + 0.5)
    assert y0 == pytest.approx(X[:, 1].min() - 0.5) and y1 == pytest.approx(X[:, 1].max() + 0.5)
    xs = np.linspace(x0, x1, 101)
    assert np.allclose(P, sigmoid(10 * xs)[None, :].repeat(101, axis=0))  # origin="lower": rows are x2
    assert (P[:, xs < -0.3] < 0.05).all() and (P[:, xs > 0.3] > 0.95).all()
    # the 0.5 contour is the line x1 = 0
    (cs,) = contours(ax)
    assert list(cs.levels) == [0.5]
    pts = contour_points(ax)
    assert len(pts) > 10
    assert np.abs(pts[:, 0]).max() < (x1 - x0) / 100
    assert pts[:, 1].min() == pytest.approx(y0) and pts[:, 1].max() == pytest.approx(y1)
    # points: the two mislabelled ones are drawn apart, as crosses, with their true colour
    correct, wrong = scatters(ax)
    assert len(correct.get_offsets()) == len(X) - 2
    assert np.allclose(np.asarray(wrong.get_offsets()), X[[0, 1]])
    assert np.allclose(wrong.get_facecolors()[:, :3], [to_rgb(plots.CLASS_COLORS[c]) for c in y[[0, 1]]])
    legend = [t.get_text() for t in ax.get_legend().get_texts()]
    assert "misclassified (2)" in legend and "class 0" in legend and "class 1" in legend
    assert ax.get_xlabel() == "x1" and ax.get_ylabel() == "x2"
    assert f"{(len(X) - 2) / len(X):.1%}" in ax.get_title()
    assert len(ax.child_axes) == 1  # the P(class 1) colourbar
    assert ax.child_axes[0].get_ylabel() == "P(class 1)"


def test_boundary_accepts_column_and_two_column_outputs():
    X, y = line_data()
    for f in (lambda Z: sigmoid(10 * Z[:, :1]),                       # (m, 1)
              lambda Z: np.column_stack([1 - sigmoid(10 * Z[:, 0]), sigmoid(10 * Z[:, 0])])):  # (m, 2)
        fig = plots.plot_decision_boundary(f, X, y, resolution=50, title="mine")
        ax = fig.axes[0]
        assert ax.get_title() == "mine"
        assert np.abs(contour_points(ax)[:, 0]).max() < 0.2
        assert len(scatters(ax)) == 1  # nothing misclassified


def test_boundary_with_a_trained_network_matches_its_predictions():
    X, y = line_data(200)
    net = Network([Dense(2, 8, "tanh"), Dense(8, 1)], loss="sigmoid_cross_entropy", seed=0)
    net.fit(X, y, epochs=30, batch_size=20, optimizer="adam", learning_rate=0.05, verbose=False)
    fig = plots.plot_decision_boundary(net, X, y, resolution=60)
    ax = fig.axes[0]
    P = np.asarray(ax.images[0].get_array())
    x0, x1, y0, y1 = ax.images[0].get_extent()
    xx, yy = np.meshgrid(np.linspace(x0, x1, 60), np.linspace(y0, y1, 60))
    expected = net.predict_proba(np.column_stack([xx.ravel(), yy.ravel()]))[:, 0].reshape(60, 60)
    assert np.allclose(P, expected)
    accuracy = net.evaluate(X, y)["accuracy"]
    assert accuracy > 0.95
    assert f"{accuracy:.1%}" in ax.get_title()
    n_wrong = sum(len(s.get_offsets()) for s in scatters(ax)[1:])
    assert n_wrong == round((1 - accuracy) * len(X))


def test_three_classes_with_a_hand_set_network():
    # logits z = (-2 x1 - 2, 0, 2 x1 - 2): class 0 for x1 < -1, class 1 in between, class 2 for x1 > 1
    layer = Dense(2, 3)
    layer.params["W"][...] = [[-2.0, 0.0, 2.0], [0.0, 0.0, 0.0]]
    layer.params["b"][...] = [-2.0, 0.0, -2.0]
    net = Network([layer], loss="softmax_cross_entropy")
    rng = np.random.default_rng(1)
    X = rng.uniform(-3, 3, size=(90, 2))
    y = net.predict(X)
    fig = plots.plot_decision_boundary(net, X, y, resolution=121, padding=0.0)
    ax = fig.axes[0]
    rgb = np.asarray(ax.images[0].get_array())
    assert rgb.shape == (121, 121, 3)
    x0, x1, _, _ = ax.images[0].get_extent()
    xs = np.linspace(x0, x1, 121)
    for x_value, expected in [(-2.5, 0), (0.0, 1), (2.5, 2)]:
        column = np.argmin(np.abs(xs - x_value))
        assert class_of_color(rgb[60, column]) == expected
    # paler (less confident) next to a boundary than far from it
    near, far = np.argmin(np.abs(xs + 1.05)), np.argmin(np.abs(xs + 2.9))
    assert rgb[60, near].mean() > rgb[60, far].mean()
    # class boundaries drawn where the classes meet, x1 = -1 and x1 = 1
    pts = contour_points(ax)
    assert np.min(np.abs(np.abs(pts[:, 0]) - 1), initial=9) < 0.05
    assert np.all(np.abs(np.abs(pts[:, 0]) - 1) < 0.06)
    legend = [t.get_text() for t in ax.get_legend().get_texts()]
    assert {"class 0", "class 1", "class 2", "misclassified (0)"} <= set(legend)
    assert not ax.child_axes  # a legend, no colourbar


def test_boundary_draws_into_a_given_axes():
    X, y = line_data()
    fig, (left, right) = plt.subplots(1, 2)
    n_open = len(plt.get_fignums())
    out = plots.plot_decision_boundary(CountingModel(), X, y, ax=right, resolution=20)
    assert out is fig
    assert len(plt.get_fignums()) == n_open and plt.fignum_exists(fig.number)
    assert right.images and not left.images


def test_boundary_bad_input():
    X, y = line_data()
    model = CountingModel()
    with pytest.raises(ShapeError, match=r"shape \(n, 2\).*\(60, 3\)"):
        plots.plot_decision_boundary(model, np.ones((60, 3)), y)
    with pytest.raises(ShapeError, match="60"):
        plots.plot_decision_boundary(model, X, y[:50])
    with pytest.raises(InputError, match="NaN"):
        plots.plot_decision_boundary(model, np.where(X > 1.9, np.nan, X), y)
    with pytest.raises(InputError, match="labels up to 3.*2 classes"):
        plots.plot_decision_boundary(model, X, np.where(y == 1, 3, 0))
    with pytest.raises(ShapeError, match="should return probabilities"):
        plots.plot_decision_boundary(lambda Z: np.ones((5, 2)), X, y)
    with pytest.raises(TypeError, match="model"):
        plots.plot_decision_boundary("net", X, y)
    with pytest.raises(ValueError, match="resolution"):
        plots.plot_decision_boundary(model, X, y, resolution=1)
    with pytest.raises(ValueError, match="padding"):
        plots.plot_decision_boundary(model, X, y, padding=-1)


# -- training history ------------------------------------------------------------------------------------
def lines_by_label(ax):
    return {line.get_label(): line for line in ax.get_lines() if not line.get_label().startswith("_")}


@pytest.fixture(scope="module")
def fitted_history():
    X, y = line_data(100)
    net = Network([Dense(2, 4, "tanh"), Dense(4, 1)], loss="sigmoid_cross_entropy", seed=0)
    return net.fit(X[:80], y[:80], epochs=6, batch_size=16, validation_data=(X[80:], y[80:]),
                   verbose=False)


def test_history_two_panels_train_and_validation(fitted_history):
    h = fitted_history
    fig = plots.plot_history(h)
    loss_ax, acc_ax = fig.axes
    for ax, key in [(loss_ax, "loss"), (acc_ax, "accuracy")]:
        lines = lines_by_label(ax)
        assert set(lines) == {"train", "validation"}
        assert list(lines["train"].get_xdata()) == [1, 2, 3, 4, 5, 6]  # epochs count from 1
        assert np.allclose(lines["train"].get_ydata(), h[key])
        assert np.allclose(lines["validation"].get_ydata(), h["val_" + key])
        assert ax.get_xlabel() == "epoch" and ax.get_legend() is not None
    assert loss_ax.get_title() == "loss" and acc_ax.get_title() == "accuracy"


def test_history_into_an_axes_draws_the_loss_only(fitted_history):
    fig, ax = plt.subplots()
    assert plots.plot_history(fitted_history, ax=ax) is fig
    assert len(fig.axes) == 1
    assert np.allclose(lines_by_label(ax)["train"].get_ydata(), fitted_history["loss"])


def test_history_without_accuracy_or_validation():
    X = np.linspace(-1, 1, 40)[:, None]
    net = Network([Dense(1, 1)], loss="mse", seed=0)
    h = net.fit(X, 2 * X + 0.3, epochs=4, batch_size=8, verbose=False)  # regression: accuracy None
    assert h["accuracy"] == [None] * 4 and h["val_loss"] == []
    fig = plots.plot_history(h)
    loss_ax, acc_ax = fig.axes
    assert set(lines_by_label(loss_ax)) == {"train"}
    assert acc_ax.get_lines() == []
    assert any("no accuracy" in t.get_text() for t in acc_ax.texts)


def test_history_plain_dict_and_best_epoch():
    fig = plots.plot_history({"loss": [1.0, 0.5, 0.25], "val_loss": [1.1, 0.7, None]})
    lines = lines_by_label(fig.axes[0])
    assert list(lines["validation"].get_xdata()) == [1, 2]
    h = History()
    h["loss"].extend([3.0, 2.0, 2.5])
    h.best_epoch, h.early_stopped, h.message = 2, True, "Early stopping ..."
    fig = plots.plot_history(h)
    assert "best epoch (2)" in lines_by_label(fig.axes[0])
    assert "epoch 2" in fig.get_suptitle()


def test_history_bad_input():
    with pytest.raises(TypeError, match="History"):
        plots.plot_history([0.5, 0.4])
    with pytest.raises(InputError, match="none of the keys"):
        plots.plot_history({"losses": [1, 2]})
    with pytest.raises(InputError, match="numbers"):
        plots.plot_history({"loss": ["a", "b"]})


# -- digits ----------------------------------------------------------------------------------------------------
def digits(m=30, seed=0):
    rng = np.random.default_rng(seed)
    return rng.uniform(0, 1, size=(m, 784)).astype(np.float32), rng.integers(0, 10, size=m)


def titles(fig):
    return [a.get_title() for a in visible_axes(fig)]


def test_digits_grid_and_labels():
    images, labels = digits()
    fig = plots.plot_digits(images, labels)
    axes = visible_axes(fig)
    assert len(axes) == 20 and all(len(a.images) == 1 for a in axes)
    assert np.allclose(axes[3].images[0].get_array(), images[3].reshape(28, 28))
    assert titles(fig) == [f"label {k}" for k in labels[:20]]
    # (m, 28, 28) works the same; fewer images than n shows them all; ncols sets the grid
    fig = plots.plot_digits(images[:7].reshape(7, 28, 28), n=20, ncols=4)
    assert len(visible_axes(fig)) == 7
    assert visible_axes(fig)[4].get_subplotspec().rowspan.start == 1
    assert titles(fig) == [""] * 7


def test_digits_predictions_wrong_ones_in_red():
    images, labels = digits()
    predictions = labels.copy()
    predictions[[2, 5]] = (labels[[2, 5]] + 1) % 10
    fig = plots.plot_digits(images, labels, predictions, n=10)
    axes = visible_axes(fig)
    for i, ax in enumerate(axes):
        assert ax.get_title() == f"pred {predictions[i]}\n(label {labels[i]})"
        red = to_rgb(ax.title.get_color()) == to_rgb(plots.WRONG_COLOR)
        assert red == (i in (2, 5))
    fig = plots.plot_digits(images, predictions=predictions, n=3)
    assert titles(fig) == [f"pred {k}" for k in predictions[:3]]


def test_digits_probabilities_show_confidence():
    images, labels = digits()
    logits = np.zeros((30, 10))
    logits[np.arange(30), labels] = 3.0
    P = softmax(logits)
    fig = plots.plot_digits(images, labels, probabilities=P, n=5)
    confidence = P[0, labels[0]]
    assert titles(fig)[0] == f"pred {labels[0]} {confidence:.0%}\n(label {labels[0]})"


def test_digits_bad_input():
    images, labels = digits()
    with pytest.raises(ShapeError, match=r"\(m, 784\) or \(m, 28, 28\).*\(30, 100\)"):
        plots.plot_digits(images[:, :100])
    with pytest.raises(ShapeError, match="one image"):
        plots.plot_digits(images[0])
    with pytest.raises(ShapeError, match="30 images but 29 labels"):
        plots.plot_digits(images, labels[:29])
    with pytest.raises(ShapeError, match="probabilities"):
        plots.plot_digits(images, probabilities=np.ones((29, 10)) / 10)
    with pytest.raises(InputError, match="NaN"):
        plots.plot_digits(np.full((2, 784), np.nan))


# -- confusion matrix --------------------------------------------------------------------------------------------
CM = np.array([[50, 2, 0], [3, 40, 7], [0, 0, 48]])


def cell_texts(ax):
    """{(row, column): text} of the annotations."""
    return {(round(t.get_position()[1]), round(t.get_position()[0])): t for t in ax.texts}


def test_confusion_matrix_counts():
    fig = plots.plot_confusion_matrix(CM, class_names=["cat", "dog", "owl"])
    ax = fig.axes[0]
    texts = cell_texts(ax)
    assert len(texts) == 9
    for (i, j), t in texts.items():
        assert t.get_text() == str(CM[i, j])
        # dark cells (large counts) get white text, light cells black
        assert to_rgb(t.get_color()) == ((1, 1, 1) if CM[i, j] > 30 else (0, 0, 0))
    assert np.array_equal(ax.images[0].get_array(), CM)
    assert ax.get_ylabel() == "true label" and ax.get_xlabel() == "predicted label"
    assert [t.get_text() for t in ax.get_xticklabels()] == ["cat", "dog", "owl"]
    assert f"{138 / 150:.1%}" in ax.get_title()


def test_confusion_matrix_normalized_rows():
    cm = np.zeros((4, 4), dtype=int)
    cm[:3, :3] = CM  # a 4th class that never occurs
    fig = plots.plot_confusion_matrix(cm, normalize=True)
    ax = fig.axes[0]
    texts = cell_texts(ax)
    assert texts[(1, 1)].get_text() == "0.80" and texts[(1, 2)].get_text() == "0.14"
    assert texts[(0, 2)].get_text() == "0"
    assert texts[(3, 0)].get_text() == "–"  # an empty row has no fractions
    rows = np.asarray(ax.images[0].get_array())
    assert np.allclose(rows[:3].sum(axis=1), 1)


def test_confusion_matrix_from_metrics_into_axes():
    from nnlib.metrics import confusion_matrix
    cm = confusion_matrix([0, 1, 1, 2, 2, 2], [0, 1, 2, 2, 2, 1], 3)
    fig, ax = plt.subplots()
    assert plots.plot_confusion_matrix(cm, ax=ax) is fig
    assert cell_texts(ax)[(2, 2)].get_text() == "2"


def test_confusion_matrix_bad_input():
    with pytest.raises(ShapeError, match=r"square.*\(2, 3\)"):
        plots.plot_confusion_matrix(np.ones((2, 3)))
    with pytest.raises(ShapeError, match="2 class names"):
        plots.plot_confusion_matrix(CM, class_names=["a", "b"])
    with pytest.raises(InputError, match="negative"):
        plots.plot_confusion_matrix(-CM)


# -- first-layer weights and activations ------------------------------------------------------------------------------
def test_first_layer_weights():
    rng = np.random.default_rng(0)
    W = rng.normal(size=(784, 50))
    fig = plots.plot_first_layer_weights(W)
    axes = visible_axes(fig)
    assert len(axes) == 32
    for j in (0, 31):
        image = axes[j].images[0]
        assert np.allclose(image.get_array(), W[:, j].reshape(28, 28))
        low, high = image.get_clim()
        assert high == pytest.approx(np.abs(W[:, j]).max()) and low == -high  # centred at 0
    assert len(visible_axes(plots.plot_first_layer_weights(W[:, :5]))) == 5
    layer = Dense(784, 10)
    assert len(visible_axes(plots.plot_first_layer_weights(layer, n=4))) == 4


def test_first_layer_weights_bad_shape():
    with pytest.raises(ShapeError, match=r"\(784, hidden\).*transposed"):
        plots.plot_first_layer_weights(np.ones((16, 784)))
    with pytest.raises(ShapeError, match=r"\(64, hidden\)"):
        plots.plot_first_layer_weights(np.ones((784, 3)), image_shape=(8, 8))


def test_activation_and_derivative():
    fig = plots.plot_activation("sigmoid")
    ax = fig.axes[0]
    lines = lines_by_label(ax)
    g, dg = lines["g(z) = sigmoid(z)"], lines["g'(z)"]
    z = g.get_xdata()
    assert np.allclose(g.get_ydata(), sigmoid(z)) and np.allclose(dg.get_ydata(), sigmoid_prime(z))
    # a jump is not drawn as a vertical line
    fig, ax = plt.subplots()
    assert plots.plot_activation("step", z=np.linspace(-1, 1, 11), ax=ax) is fig
    step_line = lines_by_label(ax)["g(z) = step(z)"]
    assert np.isnan(step_line.get_ydata()).sum() == 1
    with pytest.raises(ValueError, match="softmax"):
        plots.plot_activation("softmax")
    with pytest.raises(ValueError, match="unknown activation"):
        plots.plot_activation("swish")


def test_one_palette_everywhere():
    assert len(set(plots.CLASS_COLORS)) == len(plots.CLASS_COLORS) >= 10
    assert np.allclose(plots.DIVERGING_CMAP(0.0)[:3], to_rgb(plots.CLASS_COLORS[0]))
    assert np.allclose(plots.DIVERGING_CMAP(1.0)[:3], to_rgb(plots.CLASS_COLORS[1]))
