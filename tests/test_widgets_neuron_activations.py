"""The widgets of lessons 0-2: their math (compute_*), their figures (draw_*), their
readouts, and the widget objects driven as a learner drives them (set a slider,
pick from a menu) with the state, readout and redraw count checked afterwards."""
from __future__ import annotations

import gzip
import re
import struct

import matplotlib
import numpy as np
import pytest
from matplotlib.figure import Figure

matplotlib.use("Agg")

import nnlib  # noqa: E402
import nnlib.datasets  # noqa: E402
import nnlib.widgets as widgets  # noqa: E402
from nnlib.gradient_check import derivative, rel_error  # noqa: E402
from nnlib.widgets import activations as aw  # noqa: E402
from nnlib.widgets import neuron as nw  # noqa: E402
from nnlib.widgets import welcome as ww  # noqa: E402
from nnlib.widgets.base import InteractivePlot  # noqa: E402


def percent(readout: str) -> int:
    return int(re.search(r"(\d+)% of points correct", readout).group(1))


# ---------------------------------------------------------------- lesson 1: the data

def test_two_clouds_is_seeded_balanced_and_needs_a_bias():
    X, y = nw.two_clouds()
    X2, y2 = nw.two_clouds()
    assert X.shape == (60, 2) and y.shape == (60,) and y.dtype == np.int64
    np.testing.assert_array_equal(X, X2)
    np.testing.assert_array_equal(y, y2)
    assert np.bincount(y).tolist() == [30, 30]
    assert not np.array_equal(nw.two_clouds(seed=4)[0], X)
    # the points are shuffled (the perceptron visits both classes early)
    assert 0 < y[:10].sum() < 10
    # no line through the origin gets them all: the lesson's "you need b"
    angles = np.linspace(0, 2 * np.pi, 720, endpoint=False)
    W = np.column_stack([np.cos(angles), np.sin(angles)])
    best = max(np.mean(((X @ w) >= 0) == y) for w in W)
    assert best < 1.0


def test_two_clouds_are_linearly_separable_with_a_bias():
    X, y = nw.two_clouds()
    state = nw.compute_neuron(1.8, 1.5, -2.0, "sigmoid", X, y)
    assert state["accuracy"] == 1.0


# ---------------------------------------------------------------- the decision line

@pytest.mark.parametrize("w1, w2, b", [(1.0, 1.0, 0.0), (1.5, -0.5, 0.3), (0.0, 2.0, -1.0),
                                       (2.0, 0.0, 1.0), (-1.3, 0.4, 2.2), (0.1, 3.0, -5.0)])
def test_decision_line_ends_satisfy_z_equals_zero_inside_the_square(w1, w2, b):
    line = nw.decision_line(w1, w2, b, limit=3.0)
    assert line.shape == (2, 2)
    np.testing.assert_allclose(w1 * line[:, 0] + w2 * line[:, 1] + b, 0.0, atol=1e-12)
    assert np.all(np.abs(line) <= 3.0 + 1e-9)
    assert np.linalg.norm(line[0] - line[1]) > 0.1


def test_decision_line_is_none_without_weights_or_outside_the_square():
    assert nw.decision_line(0.0, 0.0, 1.0) is None
    assert nw.decision_line(1.0, 0.0, 10.0) is None          # x1 = -10, off the plot
    assert nw.decision_line(1.0, 1.0, 0.0).tolist() in ([[-3.0, 3.0], [3.0, -3.0]],
                                                         [[3.0, -3.0], [-3.0, 3.0]])


# ---------------------------------------------------------------- compute_neuron

def test_compute_neuron_matches_a_hand_count():
    X = np.array([[0.0, 0.0], [1.0, 2.0], [-1.0, 0.5], [2.0, -1.0]])
    y = np.array([0, 1, 1, 0])
    s = nw.compute_neuron(w1=1.0, w2=1.0, b=-0.5, activation="sigmoid", X=X, y=y)
    # z = x1 + x2 - 0.5 = -0.5, 2.5, -1.0, 0.5 -> predictions 0, 1, 0, 1 -> correct T, T, F, F
    np.testing.assert_allclose(s["z"], [-0.5, 2.5, -1.0, 0.5])
    assert s["predictions"].tolist() == [0, 1, 0, 1]
    assert s["correct"].tolist() == [True, True, False, False]
    assert (s["n_correct"], s["n"], s["accuracy"]) == (2, 4, 0.5)
    np.testing.assert_allclose(s["a"], nnlib.sigmoid(s["z"]))
    assert s["threshold"] == 0.5


def test_compute_neuron_grid_is_the_activation_of_z_over_the_plane():
    s = nw.compute_neuron(w1=0.7, w2=-1.2, b=0.4, activation="tanh", grid=50)
    xs = s["x_grid"]
    assert s["a_grid"].shape == (50, 50) and xs[0] == -3.0 and xs[-1] == 3.0
    for i, j in [(0, 0), (10, 40), (49, 3), (25, 25)]:
        # row i is x2 = xs[i], column j is x1 = xs[j]
        assert s["a_grid"][i, j] == pytest.approx(np.tanh(0.7 * xs[j] - 1.2 * xs[i] + 0.4))


@pytest.mark.parametrize("activation", nw.NEURON_ACTIVATIONS)
def test_the_decision_is_z_at_least_0_whatever_the_activation(activation):
    X, y = nw.two_clouds()
    s = nw.compute_neuron(1.0, 0.5, -1.0, activation, X, y)
    np.testing.assert_array_equal(s["predictions"], (X @ [1.0, 0.5] - 1.0 >= 0).astype(int))
    # and it is what nnlib's Neuron says
    neuron = nnlib.Neuron([1.0, 0.5], -1.0, activation)
    np.testing.assert_array_equal(s["predictions"], neuron.classify(X))
    np.testing.assert_allclose(s["a"], neuron.forward(X))
    assert s["threshold"] == pytest.approx(float(nnlib.ACTIVATIONS[activation].output(0.0)))


def test_compute_neuron_refuses_bad_input():
    with pytest.raises(ValueError, match=r"shape \(n, 2\)"):
        nw.compute_neuron(X=np.zeros((5, 3)), y=np.zeros(5, dtype=int))
    with pytest.raises(ValueError, match="softmax"):
        nw.compute_neuron(activation="softmax")
    with pytest.raises(ValueError, match="unknown activation"):
        nw.compute_neuron(activation="swish")


def test_neuron_readout_prints_the_numbers_a_learner_watches():
    s = nw.compute_neuron(1.5, -0.5, 0.0, "sigmoid")
    text = nw.neuron_readout(s)
    assert text.startswith("w1 = 1.50, w2 = -0.50, b = 0.00, sigmoid: ")
    assert percent(text) == round(100 * s["accuracy"])
    assert f"({s['n_correct']} of 60)" in text


def test_draw_neuron_shows_the_state():
    s = nw.compute_neuron(1.0, 2.0, -1.0, "relu")
    fig = nw.draw_neuron(s)
    assert isinstance(fig, Figure)
    ax = fig.axes[0]
    np.testing.assert_array_equal(ax.images[0].get_array(), s["a_grid"])
    dashed = [line for line in ax.lines if line.get_linestyle() == "--"]
    assert len(dashed) == 1
    np.testing.assert_allclose(np.column_stack(dashed[0].get_data()), s["line"])
    # into a given Axes, without a colour bar (for grids of panels)
    base = Figure()
    axes = base.subplots(1, 2)
    assert nw.draw_neuron(s, ax=axes[1], colorbar=False, title="epoch 1") is base
    assert axes[1].get_title() == "epoch 1"
    # no line when w = 0, and no crash
    assert isinstance(nw.draw_neuron(nw.compute_neuron(0.0, 0.0, 1.0)), Figure)


# ---------------------------------------------------------------- the neuron widget

def test_neuron_explorer_follows_its_sliders():
    plot = widgets.neuron_explorer()
    assert isinstance(plot, InteractivePlot)
    assert set(plot.controls) == {"w1", "w2", "b", "activation"}
    assert list(plot.controls["activation"].options) == list(nw.NEURON_ACTIVATIONS)
    assert plot.updates == 1 and plot.state["w1"] == 1.0
    before = plot.readout.value
    assert percent(before) == 50

    state = plot.set(w1=1.8, w2=1.5, b=-2.0)
    assert plot.updates == 2                                  # one redraw for the three sliders
    assert (state["w1"], state["w2"], state["b"]) == (1.8, 1.5, -2.0)
    X, y = nw.two_clouds()
    hand = np.mean(((1.8 * X[:, 0] + 1.5 * X[:, 1] - 2.0) >= 0) == y)
    assert state["accuracy"] == hand == 1.0
    assert plot.readout.value == "w1 = 1.80, w2 = 1.50, b = -2.00, sigmoid: 100% of points correct (60 of 60)"
    line = state["line"]
    np.testing.assert_allclose(1.8 * line[:, 0] + 1.5 * line[:, 1] - 2.0, 0.0, atol=1e-12)

    # a learner moving one slider by hand (the browser test does this with the keyboard)
    plot.controls["b"].value = 1.0
    assert plot.updates == 3 and plot.state["b"] == 1.0
    assert "b = 1.00" in plot.readout.value
    assert percent(plot.readout.value) < 100                 # the line moved off the gap

    old_grid = plot.state["a_grid"]
    plot.controls["activation"].value = "tanh"
    assert plot.updates == 4 and "tanh:" in plot.readout.value
    np.testing.assert_allclose(plot.state["a_grid"], np.tanh(np.arctanh(2 * old_grid - 1) * 2),
                               atol=1e-6)                    # same z, new g: tanh(z) = 2 sigma(2z) - 1
    assert isinstance(plot.figure(), Figure)


def test_the_lessons_doubling_task_fits_on_the_sliders():
    # lesson 1: "double w1, w2 and b together": (1.8, 1.5, -2) -> (3.6, 3.0, -4)
    plot = widgets.neuron_explorer()
    state = plot.set(w1=3.6, w2=3.0, b=-4.0)
    assert (state["w1"], state["w2"], state["b"]) == (3.6, 3.0, -4.0) and plot.notes == []
    assert state["accuracy"] == 1.0
    np.testing.assert_allclose(state["line"], nw.compute_neuron(1.8, 1.5, -2.0)["line"])   # the same line
    for name in ("w1", "w2"):
        assert plot.controls[name].min <= -4.0 and plot.controls[name].max >= 4.0
    assert plot.controls["b"].min <= -5.0 and plot.controls["b"].max >= 5.0


@pytest.mark.parametrize("values, words", [
    ({"w1": None}, "w1 = None is not a number: using 1"),
    ({"w1": float("nan")}, "w1 = nan is not a number: using 1"),
    ({"w2": float("-inf")}, "w2 = -inf is not a number: using -1"),
    ({"b": "1.5x"}, "b = '1.5x' is not a number: using 0"),
    ({"w1": 40}, "w1 = 40 is outside -4 … 4: using 4"),
    ({"b": -7.5}, "b = -7.5 is outside -6 … 6: using -6"),
    ({"activation": "softmax"}, "activation = 'softmax' is not on the menu (step, sigmoid, tanh, relu, identity): using sigmoid"),
    ({"activation": None}, "activation = None is not on the menu"),
    ({"activation": 3}, "activation = 3 is not on the menu"),
])
def test_neuron_explorer_survives_bad_values_and_says_which_value_it_uses(values, words):
    plot = widgets.neuron_explorer()
    plot.set(**values)
    assert words in plot.readout.value and plot.error is None
    name = next(iter(values))
    assert plot.state[name] == plot.controls[name].value
    assert plot.readout.value.startswith(nw.neuron_readout(plot.state))
    plot.controls[name].value = list(values.values())[0]      # set on the control itself: the same
    assert words in plot.readout.value
    state = plot.set(w1=1.8, w2=1.5, b=-2.0, activation="tanh")   # the next good values draw normally
    assert plot.readout.value == nw.neuron_readout(state) and state["accuracy"] == 1.0


def test_a_typed_slider_value_off_the_steps_is_used_as_typed():
    plot = widgets.neuron_explorer()
    plot.controls["w1"]._handle_msg({"content": {"data": {"method": "update", "state": {"value": 1.234},
                                                          "buffer_paths": []}}, "buffers": []})
    assert plot.wait(10) and plot.state["w1"] == 1.234 and plot.notes == []
    assert plot.readout.value.startswith("w1 = 1.23, ")


def test_neuron_images_change_only_with_the_state():
    plot = widgets.neuron_explorer()
    sent = []
    plot.image.observe(lambda change: sent.append(change["new"]), names="value")
    plot.set(w1=1.0, w2=-1.0, b=0.0, activation="sigmoid")   # the values it has
    plot.set(w1=None)                                          # refused: the state stays
    assert sent == [] and plot.updates == 1
    plot.set(b=0.5)
    assert len(sent) == 1 and plot.updates == 2
    plot.set(activation="sigmoid")
    assert len(sent) == 1


@pytest.mark.parametrize("activation", nw.NEURON_ACTIVATIONS)
def test_the_kept_figure_updated_looks_exactly_like_a_new_one(activation):
    from io import BytesIO

    from PIL import Image

    def pixels(png):
        return np.asarray(Image.open(BytesIO(png)).convert("RGB")).astype(int)
    view = nw.NeuronView(nw.compute_neuron(1.0, -1.0, 0.0, "sigmoid"))
    for w1, w2, b in [(1.8, 1.5, -2.0), (0.0, 0.0, 1.0), (-3.9, 0.2, 5.5), (1.0, -1.0, 0.0)]:
        state = nw.compute_neuron(w1, w2, b, activation)
        view.update(state)
        fresh = nw.NeuronView(state)
        assert view.png() == fresh.png()                              # the same artists, the same figure
        np.testing.assert_array_equal(pixels(view.frame()), pixels(fresh.png()))   # quick frame = full draw
        np.testing.assert_array_equal(view.im.get_array(), state["a_grid"])


def test_neuron_explorer_starts_where_told_and_takes_other_data():
    X = np.array([[1.0, 1.0], [-1.0, -1.0]])
    y = np.array([1, 0])
    plot = widgets.neuron_explorer(w1=0.5, w2=0.5, b=0.0, activation="step", X=X, y=y)
    assert plot.readout.value == "w1 = 0.50, w2 = 0.50, b = 0.00, step: 100% of points correct (2 of 2)"
    plot.set(w1=-0.5, w2=-0.5)
    assert percent(plot.readout.value) == 0
    assert plot.controls["w1"].continuous_update is False     # heatmap redraws on release


# ---------------------------------------------------------------- lesson 2: compute_activation

SMOOTH_POINTS = [-4.0, -1.3, -0.2, 0.7, 2.5]


@pytest.mark.parametrize("name", ["step", "sigmoid", "tanh", "relu", "leaky_relu", "identity"])
@pytest.mark.parametrize("z", SMOOTH_POINTS)
def test_derivative_at_z_matches_finite_differences(name, z):
    s = aw.compute_activation(name, z)
    act = nnlib.ACTIVATIONS[name]
    assert s["g"] == pytest.approx(float(act.output(z)))
    assert s["dg"] == pytest.approx(float(act.der(z)))
    h = 1e-6
    by_hand = (act.output(z + h) - act.output(z - h)) / (2 * h)
    assert s["dg_numeric"] == pytest.approx(by_hand, rel=1e-6, abs=1e-9)
    assert s["dg"] == pytest.approx(s["dg_numeric"], rel=1e-6, abs=1e-8)
    assert s["smooth"]


def test_sigmoid_derivative_is_sigma_times_one_minus_sigma():
    for z in np.linspace(-6, 6, 13):
        s = aw.compute_activation("sigmoid", z)
        assert s["dg"] == pytest.approx(s["g"] * (1 - s["g"]))
        assert s["dg"] <= 0.25
    assert aw.compute_activation("sigmoid", 0.0)["dg"] == 0.25


def test_curves_are_the_library_functions():
    s = aw.compute_activation("tanh", 0.5)
    assert s["zs"][0] == -6.0 and s["zs"][-1] == 6.0
    np.testing.assert_allclose(s["gs"], np.tanh(s["zs"]))
    np.testing.assert_allclose(s["dgs"], 1 - np.tanh(s["zs"]) ** 2)
    np.testing.assert_allclose(s["dgs"], derivative(np.tanh, s["zs"]), atol=1e-8)


@pytest.mark.parametrize("name", ["step", "relu", "leaky_relu"])
def test_kinks_at_zero_are_flagged(name):
    s = aw.compute_activation(name, 0.0)
    assert not s["smooth"]
    assert "at z = 0" in aw.activation_readout(s)
    assert aw.compute_activation("sigmoid", 0.0)["smooth"]


def test_softmax_vector_example():
    s = aw.compute_activation("softmax", 0.5)
    np.testing.assert_allclose(s["z_vector"], [0.5, 1.0, -1.0])
    e = np.exp(s["z_vector"])
    np.testing.assert_allclose(s["g"], e / e.sum())
    s1 = s["g"][0]
    np.testing.assert_allclose(s["dg"], [s1 * (1 - s1), -s["g"][1] * s1, -s["g"][2] * s1])
    assert rel_error(s["dg"], s["dg_numeric"]) < 1e-7
    assert s["gs"].shape == (401, 3) and s["dgs"].shape == (401, 3)
    np.testing.assert_allclose(s["gs"].sum(axis=1), 1.0)
    text = aw.activation_readout(s)
    assert "s = [0.35, 0.57, 0.08]" in text and "(sum 1.00)" in text
    assert f"{s1 * (1 - s1):.4f}" in text


def test_compute_activation_refuses_bad_input():
    with pytest.raises(ValueError, match="unknown activation 'swish'"):
        aw.compute_activation("swish", 0.0)
    with pytest.raises(ValueError, match="finite"):
        aw.compute_activation("relu", float("nan"))


def test_activation_readout():
    text = aw.activation_readout(aw.compute_activation("sigmoid", 1.0))
    assert text == "sigmoid: z = 1.00, g(z) = 0.7311, g'(z) = 0.1966 (finite difference 0.1966)"


@pytest.mark.parametrize("name", aw.EXPLORER_ACTIVATIONS)
def test_draw_activation_plots_the_curves_and_marks_z(name):
    s = aw.compute_activation(name, -0.7)
    fig = aw.draw_activation(s)
    assert isinstance(fig, Figure) and len(fig.axes) == 2
    ax_g, ax_d = fig.axes
    ys = [line.get_ydata() for line in ax_g.lines if len(line.get_xdata()) == len(s["zs"])]
    gs = s["gs"] if s["gs"].ndim == 2 else s["gs"][:, None]
    assert len(ys) == gs.shape[1]
    for k, curve in enumerate(ys):
        np.testing.assert_allclose(curve, gs[:, k])
    marks = [line for line in ax_d.lines if len(line.get_xdata()) == 1]
    assert all(line.get_xdata()[0] == -0.7 for line in marks)
    np.testing.assert_allclose(sorted(line.get_ydata()[0] for line in marks), sorted(np.atleast_1d(s["dg"])))


# ---------------------------------------------------------------- the activation widget

def test_activation_explorer_follows_menu_and_slider():
    plot = widgets.activation_explorer()
    assert set(plot.controls) == {"name", "z"}
    assert list(plot.controls["name"].options) == list(aw.EXPLORER_ACTIVATIONS)
    assert plot.updates == 1 and plot.readout.value.startswith("sigmoid: z = 1.00")
    plot.set(z=-2.0)
    assert plot.updates == 2
    assert plot.state["g"] == pytest.approx(1 / (1 + np.exp(2.0)))
    assert "g(z) = 0.1192" in plot.readout.value and "g'(z) = 0.1050" in plot.readout.value
    plot.controls["name"].value = "relu"
    assert plot.updates == 3 and plot.state["dg"] == 0.0
    assert plot.readout.value.startswith("relu: z = -2.00, g(z) = 0.0000, g'(z) = 0.0000")
    plot.controls["z"].value = 3.0
    assert plot.state["dg"] == 1.0 and plot.updates == 4
    plot.set(name="softmax")
    assert plot.readout.value.startswith("softmax: z = [3.00, 1.00, -1.00]")
    assert isinstance(plot.figure(), Figure)


# ---------------------------------------------------------------- lesson 0: environment check

def test_slider_check_is_the_sigmoid():
    s = ww.compute_check(1.0)
    assert s["a"] == pytest.approx(1 / (1 + np.exp(-1.0)))
    assert ww.check_readout(s) == "z = 1.00 → σ(z) = 0.731"
    np.testing.assert_allclose(s["curve"], nnlib.sigmoid(s["zs"]))
    fig = ww.draw_check(s)
    assert isinstance(fig, Figure)
    dot = [line for line in fig.axes[0].lines if len(line.get_xdata()) == 1]
    assert [(line.get_xdata()[0], line.get_ydata()[0]) for line in dot] == [(1.0, s["a"])]


def test_environment_check_reports_and_its_slider_works(capsys):
    plot = widgets.environment_check()
    report = capsys.readouterr().out
    for name in ("Python", "numpy", "matplotlib", "ipywidgets", "nnlib", "MNIST files"):
        assert name in report
    assert "MNIST files  4 of 4 found" in report
    assert "Everything the course needs is here." in report
    assert plot.readout.value == "z = 0.00 → σ(z) = 0.500" and plot.updates == 1
    plot.set(z=2.0)
    assert plot.readout.value == "z = 2.00 → σ(z) = 0.881" and plot.updates == 2
    plot.controls["z"].value = -1.0
    assert plot.state["a"] == pytest.approx(0.2689414) and plot.updates == 3


def test_compute_environment_lists_versions():
    info = ww.compute_environment()
    import ipywidgets
    import matplotlib as mpl
    assert info["versions"]["numpy"] == np.__version__
    assert info["versions"]["matplotlib"] == mpl.__version__
    assert info["versions"]["ipywidgets"] == ipywidgets.__version__
    assert info["versions"]["nnlib"] == nnlib.__version__
    assert info["ok"] and info["problems"] == []
    assert set(info["mnist"].values()) == {"ok"}


def _write_idx_header(path, magic, count):
    with gzip.open(path, "wb") as f:
        f.write(struct.pack(">II", magic, count) + b"\0" * 8)


def test_environment_finds_missing_and_wrong_mnist_files(tmp_path, monkeypatch):
    info = ww.compute_environment(tmp_path)
    assert not info["ok"] and len(info["problems"]) == 4
    assert info["mnist"]["train-images-idx3-ubyte.gz"] == "missing"
    assert "MNIST file train-images-idx3-ubyte.gz in" in info["problems"][0]
    report = ww.environment_report(info)
    assert "0 of 4 found" in report and "NNLIB_MNIST_DIR" in report

    for name, (magic, count) in ww.MNIST_FILES.items():
        _write_idx_header(tmp_path / name, magic, count)
    _write_idx_header(tmp_path / "t10k-labels-idx1-ubyte.gz", 2049, 60000)   # wrong count
    info = ww.compute_environment(tmp_path)
    assert info["mnist"]["train-images-idx3-ubyte.gz"] == "ok"
    assert "not the expected MNIST file" in info["mnist"]["t10k-labels-idx1-ubyte.gz"]
    assert "expected 2049, 10000" in info["mnist"]["t10k-labels-idx1-ubyte.gz"]
    (tmp_path / "train-labels-idx1-ubyte.gz").write_bytes(b"not gzip")
    assert "cannot read" in ww.compute_environment(tmp_path)["mnist"]["train-labels-idx1-ubyte.gz"]
    (tmp_path / "train-images-idx3-ubyte.gz").rename(tmp_path / "train-images-idx3-ubyte")
    assert "found the unpacked train-images-idx3-ubyte" in \
        ww.compute_environment(tmp_path)["mnist"]["train-images-idx3-ubyte.gz"]

    # the environment variable moves the default directory
    monkeypatch.setenv("NNLIB_MNIST_DIR", str(tmp_path))
    assert ww.default_mnist_dir() == tmp_path
    monkeypatch.delenv("NNLIB_MNIST_DIR")
    assert ww.default_mnist_dir() == nnlib.datasets.default_mnist_dir()


def test_environment_flags_old_or_unrenderable_packages(monkeypatch):
    versions = {"numpy": "1.21.0", "matplotlib": "3.8.0", "ipywidgets": "8.1.9"}
    monkeypatch.setattr(ww, "_version", lambda name: versions.get(name, "0"))
    info = ww.compute_environment()
    text = " ".join(info["problems"])
    assert "numpy 1.21.0: the course needs numpy >= 1.24" in text
    assert "matplotlib" not in text
    assert "ipywidgets 8.1.9" in text and "VS Code" in text


# ---------------------------------------------------------------- lessons 0 and 2: bad values, images

@pytest.mark.parametrize("widget_name, values, words", [
    ("activation_explorer", {"name": "swish"}, "function = 'swish' is not on the menu (step, sigmoid, tanh, relu, leaky_relu, softmax, identity): using sigmoid"),
    ("activation_explorer", {"name": None}, "function = None is not on the menu"),
    ("activation_explorer", {"z": float("nan")}, "z = nan is not a number: using 1"),
    ("activation_explorer", {"z": None}, "z = None is not a number: using 1"),
    ("activation_explorer", {"z": -60}, "z = -60 is outside -6 … 6: using -6"),
    ("activation_explorer", {"z": [1.0]}, "z = [1.0] is not a number: using 1"),
    ("environment_check", {"z": None}, "z = None is not a number: using 0"),
    ("environment_check", {"z": float("nan")}, "z = nan is not a number: using 0"),
    ("environment_check", {"z": 1e9}, "z = 1e+09 is outside -6 … 6: using 6"),
])
def test_lesson_0_and_2_widgets_survive_bad_values(widget_name, values, words, capsys):
    plot = getattr(widgets, widget_name)()
    capsys.readouterr()
    for how in ("set", "control"):
        if how == "set":
            plot.set(**values)
        else:
            for name, value in values.items():
                plot.controls[name].value = value
        assert words in plot.readout.value and plot.error is None
        name = next(iter(values))
        assert plot.state[name if name != "name" else "name"] == plot.controls[name].value
    plot.set(z=0.5)
    assert plot.notes == [] and plot.state["z"] == 0.5


@pytest.mark.parametrize("widget_name", ["activation_explorer", "environment_check"])
def test_lesson_0_and_2_images_change_only_with_the_state(widget_name, capsys):
    plot = getattr(widgets, widget_name)()
    sent = []
    plot.image.observe(lambda change: sent.append(change["new"]), names="value")
    plot.set(**plot.values())
    plot.set(z=None)
    assert sent == [] and plot.updates == 1
    plot.set(z=-0.5)
    assert len(sent) == 1 and plot.updates == 2
    plot.set(z=-0.5)
    assert len(sent) == 1


@pytest.mark.parametrize("view, compute, states", [
    (aw.ActivationView, aw.compute_activation,
     [("sigmoid", 1.0), ("relu", -2.0), ("softmax", 0.5), ("step", 0.0), ("leaky_relu", 3.0),
      ("identity", 5.5), ("tanh", -0.7), ("sigmoid", 4.8)]),
    (ww.CheckView, ww.compute_check, [(0.0,), (2.0,), (-5.9,)]),
])
def test_lesson_0_and_2_kept_figures_look_exactly_like_new_ones(view, compute, states):
    from io import BytesIO

    from PIL import Image

    def pixels(png):
        return np.asarray(Image.open(BytesIO(png)).convert("RGB")).astype(int)
    kept = view(compute(*states[0]))
    for args in states[1:] + states[:1]:
        state = compute(*args)
        kept.update(state)
        fresh = view(state)
        assert kept.png() == fresh.png()
        np.testing.assert_array_equal(pixels(kept.frame()), pixels(fresh.png()))
