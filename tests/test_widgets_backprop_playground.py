"""The widgets of lessons 6-8: the backprop stepper (lesson 6), the playground (lesson 7)
and the training comparison (lesson 8). Their math is checked against hand computations,
finite differences and nnlib itself; the widget objects are driven as a learner drives
them (buttons, menus, sliders) and their state, readout and redraws checked afterwards."""
from __future__ import annotations

import io
import math
import re
import threading
import time

import matplotlib
import numpy as np
import pytest
from matplotlib.figure import Figure
from PIL import Image

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402

import nnlib.widgets as widgets  # noqa: E402
from nnlib import Dense, Network  # noqa: E402
from nnlib.gradient_check import numerical_gradient, rel_error  # noqa: E402
from nnlib.widgets import backprop as bp  # noqa: E402
from nnlib.widgets import training_better as tb  # noqa: E402
from nnlib.widgets import training_playground as pgw  # noqa: E402


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



def sig(z):
    return 1.0 / (1.0 + math.exp(-z))


# =============================================================== lesson 6: one neuron's graph

def test_neuron_graph_values_and_gradients_by_hand():
    s = bp.compute_neuron_graph(x=(2.0, -1.0), w=(0.5, 0.3), b=0.1, y=1.0)
    v, g = s["values"], s["grads"]
    z = 0.5 * 2.0 + 0.3 * -1.0 + 0.1
    a = sig(z)
    assert v["z"] == pytest.approx(z) and v["a"] == pytest.approx(a)
    assert v["C"] == pytest.approx(0.5 * (a - 1) ** 2)
    delta = (a - 1) * a * (1 - a)
    assert g["z"] == pytest.approx(delta)
    assert g["w1"] == pytest.approx(delta * 2.0) and g["w2"] == pytest.approx(delta * -1.0)
    assert g["x1"] == pytest.approx(delta * 0.5) and g["b"] == pytest.approx(delta)


@pytest.mark.parametrize("name", ["w1", "w2", "b", "x1", "x2"])
def test_neuron_graph_gradients_match_finite_differences(name):
    base = dict(x1=0.7, x2=-1.3, w1=-0.4, w2=0.9, b=0.2)

    def cost(**kw):
        p = {**base, **kw}
        return bp.compute_neuron_graph((p["x1"], p["x2"]), (p["w1"], p["w2"]), p["b"], 0.0)["values"]["C"]

    h = 1e-6
    numeric = (cost(**{name: base[name] + h}) - cost(**{name: base[name] - h})) / (2 * h)
    analytic = bp.compute_neuron_graph((base["x1"], base["x2"]), (base["w1"], base["w2"]), base["b"],
                                       0.0)["grads"][name]
    assert analytic == pytest.approx(numeric, rel=1e-6, abs=1e-10)


def test_neuron_graph_figure_shows_the_numbers():
    fig = bp.draw_neuron_graph()
    texts = " ".join(t.get_text() for t in fig.axes[0].texts)
    s = bp.compute_neuron_graph()
    assert f"{s['values']['a']:.3f}" in texts and f"{s['grads']['w1']:.3f}" in texts


# =============================================================== lesson 6: the 2-2-1 stepper

def hand_forward_backward(x, y, P):
    """The 2-2-1 network with plain Python scalars, one formula per number."""
    W1, b1, W2, b2 = P["W1"], P["b1"], P["W2"], P["b2"]
    z1 = [x[0] * W1[0][j] + x[1] * W1[1][j] + b1[j] for j in range(2)]
    a1 = [sig(z) for z in z1]
    z2 = a1[0] * W2[0][0] + a1[1] * W2[1][0] + b2[0]
    a2 = sig(z2)
    C = 0.5 * (a2 - y) ** 2
    d2 = (a2 - y) * a2 * (1 - a2)
    dW2 = [a1[i] * d2 for i in range(2)]
    da1 = [d2 * W2[i][0] for i in range(2)]
    d1 = [da1[j] * a1[j] * (1 - a1[j]) for j in range(2)]
    dW1 = [[x[i] * d1[j] for j in range(2)] for i in range(2)]
    return dict(z1=z1, a1=a1, z2=z2, a2=a2, C=C, d2=d2, dW2=dW2, db2=d2, da1=da1, d1=d1, dW1=dW1, db1=d1)


RANDOM_PARAMS = {k: np.random.default_rng(3).standard_normal(shape)
                 for k, shape in [("W1", (2, 2)), ("b1", (2,)), ("W2", (2, 1)), ("b2", (1,))]}


@pytest.mark.parametrize("x, y, params", [(None, 1.0, None), ([[0.3, 0.8]], 0.0, RANDOM_PARAMS)])
def test_stepper_values_equal_a_hand_computation(x, y, params):
    s = bp.compute_backprop(x, y, params)
    xs = (bp.DEFAULT_X if x is None else np.asarray(x))[0]
    P = {k: np.asarray(v).tolist() for k, v in (params or bp.DEFAULT_PARAMS).items()}
    h = hand_forward_backward(xs, y, P)
    np.testing.assert_allclose(s["Z1"][0], h["z1"])
    np.testing.assert_allclose(s["A1"][0], h["a1"])
    assert s["A2"][0, 0] == pytest.approx(h["a2"]) and s["C"] == pytest.approx(h["C"])
    np.testing.assert_allclose(s["dW2"][:, 0], h["dW2"])
    assert s["db2"][0] == pytest.approx(h["db2"])
    np.testing.assert_allclose(s["dA1"][0], h["da1"])
    np.testing.assert_allclose(s["delta1"][0], h["d1"])
    np.testing.assert_allclose(s["dW1"], h["dW1"])
    np.testing.assert_allclose(s["db1"], h["db1"])


@pytest.mark.parametrize("y", [1.0, 0.0])
def test_stepper_gradients_equal_nnlib_and_finite_differences(y):
    s = bp.compute_backprop(None, y, None)
    net = Network([Dense(2, 2, "sigmoid"), Dense(2, 1, "sigmoid")], loss="mse")
    for layer, (W, b) in zip(net.layers, [("W1", "b1"), ("W2", "b2")]):
        layer.params["W"][...] = bp.DEFAULT_PARAMS[W]
        layer.params["b"][...] = bp.DEFAULT_PARAMS[b]
    net.layers[0].needs_input_grad = True
    target = np.array([[y]])
    loss = net.compute_gradients(bp.DEFAULT_X, target)
    assert loss == pytest.approx(s["C"])      # MSE = (1/2n)||a - y||^2 with n = 1
    for layer, (W, b) in zip(net.layers, [("dW1", "db1"), ("dW2", "db2")]):
        np.testing.assert_allclose(layer.grads["W"], s[W], rtol=1e-12)
        np.testing.assert_allclose(layer.grads["b"], s[b], rtol=1e-12)
    for layer, key in zip(net.layers, ["dW1", "dW2"]):
        num = numerical_gradient(lambda: net.loss(bp.DEFAULT_X, target), layer.params["W"])
        assert rel_error(num, s[key]) < 1e-7


def test_every_step_value_is_the_matching_array_entry():
    s = bp.compute_backprop()
    lookup = {"z1[0]": s["Z1"][0, 0], "a1[0]": s["A1"][0, 0], "z1[1]": s["Z1"][0, 1],
              "a1[1]": s["A1"][0, 1], "z2": s["Z2"][0, 0], "a2": s["A2"][0, 0], "C": s["C"],
              "dC/da2": s["dA2"][0, 0], "δ2 = dC/dz2": s["delta2"][0, 0],
              "dC/dW2[0,0]": s["dW2"][0, 0], "dC/dW2[1,0]": s["dW2"][1, 0], "dC/db2[0]": s["db2"][0],
              "dC/da1[0]": s["dA1"][0, 0], "dC/da1[1]": s["dA1"][0, 1],
              "δ1[0] = dC/dz1[0]": s["delta1"][0, 0], "δ1[1] = dC/dz1[1]": s["delta1"][0, 1],
              "dC/db1[0]": s["db1"][0], "dC/db1[1]": s["db1"][1]}
    lookup.update({f"dC/dW1[{i},{j}]": s["dW1"][i, j] for i in range(2) for j in range(2)})
    steps = s["steps"]
    assert len(steps) == bp.N_STEPS == 22
    assert [st["phase"] for st in steps] == ["forward"] * 7 + ["backward"] * 15
    assert sorted(st["name"] for st in steps) == sorted(lookup)
    for st in steps:
        assert st["value"] == pytest.approx(lookup[st["name"]], rel=1e-12), st["name"]
        # the formula's own numbers give the value (to the 4 digits shown)
        assert st["target"] in bp._NET_NODES or st["target"] in bp._NET_EDGES


def test_readout_names_the_step_and_its_value():
    s = bp.compute_stepper(step=7 + 3)
    text = bp.stepper_readout(s)
    assert text.startswith("backward step 3/15: dC/dW2[0,0] = a1[0] · δ2")
    assert float(text.rsplit("= ", 1)[1]) == pytest.approx(s["dW2"][0, 0], abs=5e-5)
    assert bp.stepper_readout(bp.compute_stepper(1)).startswith("forward step 1/7: z1[0] = ")
    assert bp.stepper_readout(bp.compute_stepper(0)).startswith("step 0/22: start")


def test_stepper_reveals_values_only_once_computed():
    before = bp._net_values(bp.compute_stepper(4))
    assert "a1[1]" in before[0] and "z2" not in before[0] and before[1] == {}
    mid = bp._net_values(bp.compute_stepper(7 + 2))
    assert set(mid[1]) == {"C", "a2", "z2"}
    full = bp._net_values(bp.compute_stepper(22))
    assert "W1[1,1]" in full[1] and "b1[1]" in full[1]


def test_stepper_widget_steps_with_buttons_and_menus():
    wdg = widgets.backprop_stepper()
    assert wdg.state["step"] == 0 and wdg.updates == 1
    wdg.next_button.click()
    assert wdg.state["step"] == 1 and wdg.readout.value.startswith("forward step 1/7")
    for _ in range(9):
        wdg.next()
    assert wdg.state["step"] == 10
    assert wdg.readout.value.startswith("backward step 3/15: dC/dW2[0,0]")
    grad_y1 = wdg.state["dW2"][0, 0]
    wdg.set(y=0.0)                       # the other target flips the error's sign
    assert wdg.state["y"] == 0.0 and np.sign(wdg.state["dW2"][0, 0]) == -np.sign(grad_y1)
    wdg.back_button.click()
    assert wdg.state["step"] == 9
    wdg.set(step=22)
    wdg.next()
    assert wdg.state["step"] == 22      # stays at the end
    wdg.set(step=0)
    wdg.back()
    assert wdg.state["step"] == 0
    assert wdg.play.max == wdg.controls["step"].max == 22
    assert wdg.updates >= 14
    fig = wdg.figure()
    assert isinstance(fig, Figure)


def test_stepper_highlights_the_current_target():
    fig = bp.draw_backprop(bp.compute_stepper(7 + 3))
    texts = [t for t in fig.axes[0].texts if t.get_text().startswith("W2[0,0]")]
    assert texts and texts[0].get_bbox_patch().get_edgecolor()[:3] == matplotlib.colors.to_rgb(bp.BACKWARD_COLOR)
    assert any("backward step 3/15" in t.get_text() for t in fig.axes[0].texts)


def test_stepper_refuses_bad_input():
    with pytest.raises(ValueError, match=r"W1 must have shape \(2, 2\)"):
        bp.compute_backprop(params={"W1": np.ones((3, 2))})
    with pytest.raises(ValueError, match=r"shape \(1, 2\)"):
        bp.compute_backprop(x=[1.0, 2.0, 3.0])
    with pytest.raises(ValueError, match="step must be in 0..22"):
        bp.compute_stepper(step=23)


# =============================================================== lesson 7: the playground

def test_playground_learns_moons_far_above_chance():
    start = pgw.compute_playground(dataset="moons", epochs=0)
    s = pgw.compute_playground(dataset="moons", epochs=100)
    assert s["epoch"] == 100 and len(s["history"]["loss"]) == 100
    assert start["test_accuracy"] < 0.9
    assert s["train_accuracy"] >= 0.9 and s["test_accuracy"] >= 0.9   # chance is 0.5
    assert s["train_loss"] < 0.5 * start["train_loss"]
    # the recorded metrics are the network's own evaluation
    ev = s["network"].evaluate(s["X_test"], s["y_test"])
    assert ev["accuracy"] == pytest.approx(s["test_accuracy"])


def test_playground_is_deterministic_however_the_epochs_are_clicked():
    a = pgw.compute_playground(dataset="circles", epochs=20)
    b = pgw.compute_playground(dataset="circles", epochs=20)
    assert a["history"] == b["history"]
    m = pgw.PlaygroundModel(dataset="circles")
    m.train(5).train(15)
    assert m.history == a["history"]
    np.testing.assert_array_equal(m.network.layers[0].W, a["network"].layers[0].W)


def test_playground_settings_change_the_result():
    base = pgw.compute_playground(epochs=40)
    narrow = pgw.compute_playground(hidden=1, epochs=40)
    slow = pgw.compute_playground(learning_rate=0.001, epochs=40)
    assert narrow["test_accuracy"] < base["test_accuracy"]
    assert slow["train_loss"] > base["train_loss"] + 0.1
    l2 = pgw.compute_playground(l2=0.1, epochs=40)
    w_base = np.abs(base["network"].layers[0].W).sum()
    assert np.abs(l2["network"].layers[0].W).sum() < w_base       # weight decay shrinks W
    noisy = pgw.compute_playground(noise=0.5, epochs=0)
    assert not np.allclose(noisy["X_train"], base["X_train"])


def test_playground_spirals_use_three_softmax_outputs_and_two_layers():
    s = pgw.compute_playground(dataset="spirals", hidden=16, layers=2, activation="relu", epochs=60)
    net = s["network"]
    assert [layer.n_out for layer in net.layers] == [16, 16, 3] and net.cost.name == "softmax_cross_entropy"
    assert s["n_classes"] == 3 and s["test_accuracy"] > 0.8                      # chance is 1/3
    binary = pgw.compute_playground(dataset="xor", epochs=0)["network"]
    assert binary.n_outputs == 1 and binary.cost.name == "sigmoid_cross_entropy"


def test_playground_reports_divergence_instead_of_crashing():
    s = pgw.compute_playground(dataset="spirals", hidden=16, layers=2, activation="leaky_relu",
                               learning_rate=1.0, batch_size=1, epochs=30)
    assert s["diverged"] and "smaller learning rate than 1" in s["message"]
    assert 0 < s["epoch"] < 30 and np.isfinite(s["train_loss"])
    assert len(s["history"]["loss"]) == s["epoch"]
    m = pgw.PlaygroundModel(dataset="spirals", hidden=16, layers=2, activation="leaky_relu",
                            learning_rate=1.0, batch_size=1).train(30)
    assert m.train(5).epoch == s["epoch"]                   # stays stopped
    assert "diverged" in pgw.playground_readout(s)


def test_playground_widget_step_button_readout_and_reset():
    pg = widgets.playground()
    assert pg.state["epoch"] == 0 and "epoch 0 ·" in pg.readout.value
    assert pg.step_button.description == "Step +25"
    pg.step_button.click()
    assert pg.state["epoch"] == 25 and pg.readout.value.startswith("epoch 25 · train loss")
    assert "last step: 25 epochs in" in pg.readout.value and pg.last_click_seconds > 0
    pg.set(epochs=50)                         # only the next step changes
    assert pg.state["epoch"] == 25 and pg.step_button.description == "Step +50"
    pg.step()
    assert pg.state["epoch"] == 75
    acc = float(re.search(r"test accuracy (\d+)%", pg.readout.value).group(1))
    assert acc >= 90
    assert pg.state["history"] == pgw.compute_playground(epochs=75)["history"]
    pg.set(hidden=2)                          # a new network
    assert pg.state["epoch"] == 0 and pg.state["network"].layers[0].n_out == 2
    pg.train(10)                              # the old name of step
    assert pg.state["epoch"] == 10
    pg.reset_button.click()
    assert pg.state["epoch"] == 0 and "last step" not in pg.readout.value
    pg.set(dataset="spirals")
    assert pg.state["n_classes"] == 3 and "epoch 0" in pg.readout.value
    assert all(not c.continuous_update for k, c in pg.controls.items() if hasattr(c, "continuous_update"))


def _playground_threads():
    return [t for t in threading.enumerate() if t.name == "nnlib-playground" and t.is_alive()]


def test_play_trains_in_the_background_and_gives_the_same_network_as_steps():
    pg = widgets.playground()
    assert pg.play_button.description.startswith("Play") and pg.pause_button.disabled
    pg.play(until=30)
    assert pg.pause_button.disabled is False or not pg.playing
    pg.wait(60)
    assert not pg.playing and _playground_threads() == []
    assert pg.state["epoch"] == 30 and pg.frames >= 30 // pg.epochs_per_frame
    assert pg.state["history"] == pgw.compute_playground(epochs=30)["history"]
    assert "paused (played 30 epochs in" in pg.readout.value and "frames/s" in pg.readout.value
    assert pg.play_button.disabled is False and pg.pause_button.disabled is True
    # the kept figure is the figure of the state: the same picture as a view built anew
    assert_same_pixels(pg.image.value, pgw.PlaygroundView(pg.state).png())


def test_a_second_play_does_not_start_a_second_loop_and_pause_stops_it():
    pg = widgets.playground()
    try:
        pg.play()
        first = pg._thread
        pg.play()
        pg.play_button.click()                # a second click that arrives before the button greys out
        assert pg.loops_started == 1 and pg._thread is first and len(_playground_threads()) == 1
        deadline = time.monotonic() + 60
        while pg.frames < 3 and time.monotonic() < deadline:
            time.sleep(0.05)                  # the kernel's own thread is free meanwhile
        assert pg.frames >= 3, "no frames while playing"
        assert pg.readout.value.count("playing") == 1 and "frames/s" in pg.readout.value
    finally:
        pg.pause()
    assert not pg.playing and _playground_threads() == []
    epoch, image = pg.state["epoch"], pg.image.value
    assert epoch >= 3 and "paused" in pg.readout.value
    time.sleep(0.3)
    assert pg.state["epoch"] == epoch and pg.image.value == image, "it trained after Pause"
    pg.set(noise=0.2)                         # while paused other things run: a new setting, say
    assert pg.state["epoch"] == 0 and pg.state["noise"] == 0.2
    pg.play()
    assert pg.loops_started == 2
    pg.pause()
    pg.pause()                                # a second pause is harmless
    assert _playground_threads() == []


def test_step_and_reset_while_playing():
    pg = widgets.playground()
    pg.play()
    pg.step(5)                                # pauses, then trains 5 epochs at once
    assert not pg.playing and "last step: 5 epochs" in pg.readout.value
    epoch = pg.state["epoch"]
    assert pg.state["history"] == pgw.compute_playground(epochs=epoch)["history"]
    pg.play()
    pg.reset()                                # a fresh network; playing goes on
    assert pg.playing
    pg.pause()
    assert pg.state["history"] == pgw.compute_playground(epochs=pg.state["epoch"])["history"]
    assert pg.loops_started == 2 and _playground_threads() == []


def test_playground_frame_rate_while_playing():
    """Frames per second of the lesson's default network while playing (printed; the
    benchmark-style figure for the report). The bound asserted is generous."""
    pg = widgets.playground()
    pg.play()
    time.sleep(3.0)
    pg.pause()
    action = pg.state["action"]
    print(f"\nplayground, default network: {action['frames']} frames in {action['seconds']:.2f} s = "
          f"{action['fps']:.1f} frames/s, last draw {pg.last_draw_seconds * 1000:.0f} ms")
    assert action["frames"] >= 3 and action["epochs"] == pg.state["epoch"]


DIVERGING = dict(dataset="spirals", hidden=16, layers=2, activation="leaky_relu", learning_rate=1.0,
                 batch_size=1)


def test_after_divergence_the_readout_says_what_happened_not_a_click_time():
    pg = widgets.playground(**DIVERGING)
    pg.step(30)
    assert pg.state["diverged"] and "smaller learning rate than 1" in pg.readout.value
    epoch, image = pg.state["epoch"], pg.image.value
    pg.step()                                 # a click that trains nothing
    assert pg.state["epoch"] == epoch
    assert "Step trained nothing: this network has diverged" in pg.readout.value
    assert "epochs in 0.00 s" not in pg.readout.value and "last step" not in pg.readout.value
    pg.play()                                 # nothing to play either
    assert pg.loops_started == 0 and not pg.playing
    assert "Play trained nothing: this network has diverged" in pg.readout.value
    assert pg.image.value == image            # the picture did not change: nothing did
    pg.reset()
    assert pg.state["epoch"] == 0 and not pg.state["diverged"] and "diverged" not in pg.readout.value
    pg.play()                                 # playing stops by itself when it diverges
    pg.wait(120)
    assert pg.state["diverged"] and not pg.playing and "press Reset" in pg.readout.value


@pytest.mark.parametrize("name, bad", [
    ("dataset", None), ("dataset", "blobs"), ("dataset", 3),
    ("noise", None), ("noise", float("nan")), ("noise", -1.0), ("noise", 7), ("noise", "lots"),
    ("hidden", None), ("hidden", float("nan")), ("hidden", 0), ("hidden", 1000), ("hidden", 7.5),
    ("hidden", "eight"), ("layers", None), ("layers", 3), ("layers", -1), ("layers", float("inf")),
    ("activation", None), ("activation", "swish"), ("learning_rate", None), ("learning_rate", 0.5),
    ("learning_rate", float("nan")), ("batch_size", None), ("batch_size", 3), ("batch_size", -8),
    ("l2", None), ("l2", -0.1), ("l2", float("nan")), ("epochs", None), ("epochs", 7),
    ("epochs", float("nan")),
])
def test_no_control_value_breaks_the_playground(name, bad):
    pg = widgets.playground()
    pg.step(3)
    before, image, updates = pg.state, pg.image.value, pg.updates
    state = pg.set(**{name: bad})
    note = re.search(r"⚠ (.*)", pg.readout.value)
    assert note and "using" in note.group(1), pg.readout.value        # says what is used instead
    assert pg.error is None and np.isfinite(state["train_loss"])
    if name == "hidden" and bad == 7.5:           # rounded to a whole number: a new network of 8 ...
        assert state["hidden"] == 8
    elif name == "noise" and bad in (7, -1.0):
        assert state["noise"] == (0.5 if bad == 7 else 0.0)   # ... or clamped into the slider's range
    elif name == "hidden" and bad in (0, 1000):
        assert state["hidden"] == (1 if bad == 0 else 16)
    elif name == "layers" and bad in (3, -1):
        assert state["layers"] == (2 if bad == 3 else 1)
    else:                                          # the value is refused: nothing changed
        assert state["epoch"] == 3 and state["history"] == before["history"]     # not started over
        assert pg.image.value == image and pg.updates == updates
    pg.set(hidden=5)                               # the next good value draws normally
    assert pg.state["hidden"] == 5 and "⚠" not in pg.readout.value and pg.image.value != image


def test_playground_step_refuses_bad_epochs():
    pg = widgets.playground()
    for bad in (None, float("nan"), -3, 2.5, "ten"):
        state = pg.step(bad) if bad is not None else pg.step()
        assert pg.error is None
    assert state["epoch"] == 25 * 5               # every bad value trained "epochs per step"
    assert "epochs must be a whole number >= 0 (got 'ten'): using 25" in pg.readout.value


def test_playground_figure_draws_the_boundary_and_the_curves():
    s = pgw.compute_playground(epochs=10)
    fig = pgw.draw_playground(s)
    boundary_ax, loss_ax = fig.axes[0], fig.axes[2] if len(fig.axes) > 2 else fig.axes[1]
    lines = [line for line in loss_ax.get_lines() if line.get_label() in ("train", "test")]
    assert [line.get_label() for line in lines] == ["train", "test"]
    np.testing.assert_allclose(lines[0].get_ydata(), [s["start"]["loss"]] + s["history"]["loss"])
    assert "epoch 10" in boundary_ax.get_title()


def test_playground_refuses_bad_settings():
    with pytest.raises(ValueError, match="unknown data set 'blob'"):
        pgw.compute_playground(dataset="blob")
    with pytest.raises(ValueError, match="hidden layers must be 1 or 2"):
        pgw.compute_playground(layers=3)
    with pytest.raises(ValueError, match="learning rate must be positive"):
        pgw.compute_playground(learning_rate=0)


# =============================================================== lesson 8: training better

def acc(state, label):
    return next(v["val_accuracy"] for v in state["variants"] if v["label"] == label)


def test_adam_and_momentum_beat_plain_sgd_at_the_same_rate():
    s = tb.compute_comparison("optimizer", 0.01)
    assert [v["label"] for v in s["variants"]] == ["SGD", "momentum 0.9", "Adam"]
    assert s["best"] == "Adam"
    assert acc(s, "Adam") > acc(s, "SGD") + 0.15
    assert acc(s, "momentum 0.9") > acc(s, "SGD")
    losses = {v["label"]: v["history"]["loss"][-1] for v in s["variants"]}
    assert losses["Adam"] < losses["momentum 0.9"] < losses["SGD"]


def test_large_normal_initialization_fails_where_xavier_and_he_train():
    tanh = tb.compute_comparison("initialization", "tanh")
    assert acc(tanh, "large N(0, 1)") < 0.5 and acc(tanh, "He") > 0.9 and acc(tanh, "Xavier") > 0.6
    relu = tb.compute_comparison("initialization", "relu")
    normal = relu["variants"][0]
    assert normal["label"] == "large N(0, 1)" and normal["diverged"]
    assert acc(relu, "He") > 0.9


def test_activation_histograms_saturate_with_the_large_normal():
    h = tb.compute_activation_histograms("tanh")
    assert set(h) == {"normal", "xavier", "he"} and len(h["normal"]) == 6
    saturated = np.mean(np.abs(h["normal"][-1]) > 0.99)
    assert saturated > 0.5
    assert np.mean(np.abs(h["he"][-1]) > 0.99) < 0.05
    assert h["xavier"][-1].std() < h["he"][-1].std() < h["normal"][-1].std()
    fig = tb.draw_activation_histograms(h)
    assert len(fig.axes) == 18


@pytest.mark.parametrize("technique, setting", [("L2 weight decay", 0.003), ("dropout", 0.3),
                                                ("early stopping", 80)])
def test_each_regularizer_narrows_the_gap_and_beats_no_regularization(technique, setting):
    s = tb.compute_comparison(technique, setting)
    plain, regular = s["variants"]
    # overfitting: the plain network memorizes (train loss falls) while validation loss climbs
    h = plain["history"]
    assert h["loss"][-1] < 0.25 * h["loss"][0] and h["val_loss"][-1] > 2 * min(h["val_loss"])
    assert regular["val_accuracy"] > plain["val_accuracy"] + 0.05
    assert regular["val_loss"] < plain["val_loss"]
    if technique == "early stopping":
        assert regular["stopped_at"] is not None and regular["epochs"] < plain["epochs"]


def test_comparison_widget_follows_the_technique_menu():
    wdg = widgets.training_comparison()
    assert wdg.state["technique"] == "optimizer" and "Adam <b>" in wdg.readout.value
    wdg.set(technique="dropout")
    setting = wdg.controls["setting"]
    assert setting.description == "drop probability p" and setting.value == 0.3
    assert [v for _, v in setting.options] == [0.1, 0.2, 0.3, 0.5]
    assert wdg.state["technique"] == "dropout" and wdg.state["setting"] == 0.3
    assert "dropout p = 0.3 <b>" in wdg.readout.value
    wdg.set(setting=0.2)
    assert wdg.state["setting"] == 0.2 and "dropout p = 0.2" in wdg.readout.value
    wdg.set(technique="initialization", setting="relu")
    assert wdg.state["technique"] == "initialization" and wdg.state["setting"] == "relu"
    assert "(diverged)" in wdg.readout.value
    fig = wdg.figure()
    labels = [line.get_label() for line in fig.axes[1].get_lines()]
    assert any("diverged" in label for label in labels) and "He" in labels


def test_comparison_is_cached_and_refuses_unknown_settings():
    assert tb.compute_comparison("optimizer", 0.01) is tb.compute_comparison("optimizer", 0.01)
    with pytest.raises(ValueError, match="unknown technique 'batchnorm'"):
        tb.compute_comparison("batchnorm")
    with pytest.raises(ValueError, match="must be one of"):
        tb.compute_comparison("dropout", 0.9)


# =============================================================== kept figures, bad values, caches

@pytest.mark.parametrize("first, then", [(0, 10), (10, 22), (22, 3), (7, 7)])
def test_stepper_view_updated_looks_like_a_view_built_anew(first, then):
    view = bp.BackpropView(bp.compute_stepper(first, y=0.0))
    view.frame()
    view.update(bp.compute_stepper(then))
    assert_same_pixels(view.frame(), bp.BackpropView(bp.compute_stepper(then)).png())


def test_every_step_s_quick_frame_is_the_full_drawing():
    """The kept background (title, headings, plain arrows) lies under nothing a step changes:
    every step's highlight, with either target, gives the pixels of a full draw."""
    view = bp.BackpropView(bp.compute_stepper(0))
    for step in range(bp.N_STEPS + 1):
        view.update(bp.compute_stepper(step, y=float(step % 2)))
        assert_same_pixels(view.frame(), view.png())


def test_playground_view_updated_to_new_data_looks_like_a_view_built_anew():
    """New noise or a new two-class data set moves the points into the kept left panel;
    three classes rebuild it; and back. Each quick frame has the pixels of a fresh view."""
    view = pgw.PlaygroundView(pgw.compute_playground(epochs=3))
    view.frame()
    for settings in (dict(noise=0.4, epochs=2), dict(dataset="circles", epochs=4),
                     dict(dataset="spirals", epochs=3), dict(dataset="xor", l2=0.1, epochs=2)):
        state = pgw.compute_playground(**settings)
        view.update(state)
        assert_same_pixels(view.frame(), pgw.PlaygroundView(state).png())


def test_stepper_draws_only_when_the_step_changes():
    wdg = widgets.backprop_stepper()
    wdg.set(step=5)
    image, updates = wdg.image.value, wdg.updates
    wdg.set(step=5)
    wdg.set(y=1.0)
    assert wdg.updates == updates and wdg.image.value == image
    wdg.set(step=6)
    assert wdg.updates == updates + 1 and wdg.image.value != image


@pytest.mark.parametrize("name, bad, used", [
    ("step", None, 5), ("step", float("nan"), 5), ("step", "three", 5), ("step", [1, 2], 5),
    ("step", -4, 0), ("step", 99, 22), ("step", 2.5, 3), ("step", float("inf"), 5),
    ("y", None, 1.0), ("y", float("nan"), 1.0), ("y", 0.5, 1.0), ("y", "one", 1.0), ("y", 2, 1.0),
])
def test_no_control_value_breaks_the_stepper(name, bad, used):
    wdg = widgets.backprop_stepper()
    wdg.set(step=5)
    image = wdg.image.value
    state = wdg.set(**{name: bad})            # no exception reaches the notebook
    assert state[name] == used and wdg.error is None
    assert "⚠" in wdg.readout.value and "using" in wdg.readout.value.split("⚠")[1]
    if state["step"] == 5 and state["y"] == 1.0:
        assert wdg.image.value == image       # the state did not change: neither did the picture
    wdg.next()                                # and the widget goes on working
    assert wdg.state["step"] == min(used + 1, 22) if name == "step" else wdg.state["step"] == 6
    assert "⚠" not in wdg.readout.value


def test_comparison_view_updated_looks_like_a_view_built_anew():
    a = tb.compute_comparison("optimizer", 0.01)
    b = tb.compute_comparison("early stopping", 80)
    c = tb.compute_comparison("initialization", "relu")     # a variant that diverges
    view = tb.ComparisonView(a)
    view.frame()
    for state in (b, c, a):
        view.update(state)
        assert_same_pixels(view.frame(), tb.ComparisonView(state).png())


def test_seed_0_menus_train_nothing_every_choice_is_stored(monkeypatch):
    calls = []
    monkeypatch.setattr(tb, "_run", lambda *a, **k: calls.append(1))
    tb._comparison.cache_clear()
    assert set(tb.stored_comparisons()) == {tb._key(t, v) for t, v in tb.menu_choices()}
    wdg = widgets.training_comparison()
    for technique, setting in tb.menu_choices():
        state = wdg.set(technique=technique, setting=setting)
        assert (state["technique"], state["setting"]) == (technique, setting) and wdg.error is None
        assert "⚠" not in wdg.readout.value
    assert calls == [] and wdg.trainings == 0


@pytest.mark.parametrize("technique, setting", [("optimizer", 0.03), ("initialization", "relu"),
                                                ("early stopping", 40), ("dropout", 0.5)])
def test_stored_comparisons_are_what_training_gives(technique, setting):
    stored = tb.stored_comparisons()[tb._key(technique, setting)]
    fresh = tb.train_comparison(technique, setting, 0)
    assert stored["best"] == fresh["best"] and len(stored["variants"]) == len(fresh["variants"])
    for s, f in zip(stored["variants"], fresh["variants"]):
        assert (s["label"], s["epochs"], s["stopped_at"], s["diverged"]) == \
            (f["label"], f["epochs"], f["stopped_at"], f["diverged"])
        assert s["val_accuracy"] == pytest.approx(f["val_accuracy"], abs=0.011)
        for name in ("loss", "val_loss", "val_accuracy"):
            np.testing.assert_allclose(s["history"][name], f["history"][name], rtol=1e-5, atol=1e-8,
                                       err_msg=f"{technique} {setting} {s['label']} {name}: run "
                                               "scripts/store_comparisons.py")


def test_comparison_reuses_cached_results_and_draws_only_on_change(monkeypatch):
    calls = []
    real = tb._run
    monkeypatch.setattr(tb, "_run", lambda *a, **k: calls.append(1) or real(*a, **k))
    tb._comparison.cache_clear()
    wdg = widgets.training_comparison(seed=1)           # optimizer, 0.01: three variants trained
    assert len(calls) == 3 and wdg.trainings == 1
    wdg.set(setting=0.1)
    assert len(calls) == 6 and wdg.trainings == 2
    image, updates = wdg.image.value, wdg.updates
    wdg.set(setting=0.01)                               # back to one shown before: nothing trained
    wdg.set(setting=0.1)
    assert len(calls) == 6 and wdg.trainings == 2 and wdg.updates == updates + 2
    assert wdg.image.value == image
    wdg.set(setting=0.1)                                # the same value again: not even drawn
    assert wdg.updates == updates + 2
    wdg.set(technique="dropout")                        # one new comparison (its default p = 0.3),
    assert len(calls) == 8 and wdg.trainings == 3       # not one for each menu state in between


@pytest.mark.parametrize("name, bad", [
    ("technique", None), ("technique", "batchnorm"), ("technique", 3), ("technique", float("nan")),
    ("setting", None), ("setting", float("nan")), ("setting", 0.5), ("setting", "relu"), ("setting", -1),
])
def test_no_control_value_breaks_the_comparison(name, bad):
    wdg = widgets.training_comparison()
    image, updates = wdg.image.value, wdg.updates
    state = wdg.set(**{name: bad})                      # e.g. no raw KeyError: None
    assert wdg.error is None and (state["technique"], state["setting"]) == ("optimizer", 0.01)
    assert "⚠" in wdg.readout.value and "using" in wdg.readout.value.split("⚠")[1]
    assert wdg.image.value == image and wdg.updates == updates
    wdg.set(setting=0.03)
    assert wdg.state["setting"] == 0.03 and "⚠" not in wdg.readout.value and wdg.image.value != image
