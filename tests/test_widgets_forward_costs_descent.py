"""The widgets of lessons 3, 4 and 5: their math (the pure compute functions) and the
widget objects (set controls as a learner would, check state, readout and redraws)."""
from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402

import nnlib  # noqa: E402
from nnlib.activations import sigmoid  # noqa: E402
from nnlib.gradient_check import numerical_gradient, rel_error  # noqa: E402
from nnlib.widgets import costs as cw  # noqa: E402
from nnlib.widgets import forward_pass as fw  # noqa: E402
from nnlib.widgets import gradient_descent as gw  # noqa: E402


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    plt.close("all")


# --- lesson 3: universal approximation ------------------------------------------------------

@pytest.mark.parametrize("target", list(fw.TARGETS))
def test_more_hidden_neurons_reduce_the_max_error(target):
    errors = [fw.compute_universal_approximation(n, 300.0, target)["max_error"] for n in (10, 20, 40, 80)]
    assert all(a > b for a, b in zip(errors, errors[1:])), errors
    assert errors[-1] < 0.5 * errors[0]


def test_many_neurons_approximate_the_target_closely():
    state = fw.compute_universal_approximation(200, 1000.0, "sine + ripple")
    assert state["max_error"] < 0.08
    assert state["mean_error"] < 0.03


def test_the_approximation_is_the_nnlib_network_and_the_sum_of_its_bumps():
    state = fw.compute_universal_approximation(12, 200.0, "Nielsen's wiggle")
    net = fw.bump_network(state["edges"], state["heights"], 200.0)
    out = net.forward(state["x"][:, None])[:, 0]
    assert np.allclose(out, state["approx"])
    assert np.allclose(state["bumps"].sum(axis=1), state["approx"])
    assert state["n_bumps"] == 6 and state["bumps"].shape == (state["x"].size, 6)
    # the hidden weights are the steepness, the biases put the steps at -b/w = s
    assert state["W1"].shape == (1, 12) and np.all(state["W1"] == 200.0)
    steps = -state["b1"] / state["W1"][0]
    assert np.allclose(steps[0::2], state["edges"][:-1]) and np.allclose(steps[1::2], state["edges"][1:])
    assert np.allclose(state["W2"][0::2, 0], state["heights"])
    assert np.allclose(state["W2"][1::2, 0], -state["heights"])


def test_each_bump_is_as_high_as_the_target_at_its_centre():
    state = fw.compute_universal_approximation(20, 3000.0, "Gaussian bump")
    inner = np.linspace(0, 1, 11)
    centres = (inner[:-1] + inner[1:]) / 2
    assert np.allclose(state["heights"], fw.TARGETS["Gaussian bump"](centres))
    i = np.argmin(np.abs(state["x"] - centres[4]))           # deep inside bump 4, the network is flat at h_4
    assert state["approx"][i] == pytest.approx(state["heights"][4], abs=1e-6)


def test_gentle_sigmoids_blur_the_bumps():
    steep = fw.compute_universal_approximation(80, 300.0, "Nielsen's wiggle")["max_error"]
    gentle = fw.compute_universal_approximation(80, 10.0, "Nielsen's wiggle")["max_error"]
    assert gentle > 2 * steep


@pytest.mark.parametrize("bad", [3, 0, -2, 7.5])
def test_odd_or_too_few_neurons_are_refused(bad):
    with pytest.raises(ValueError, match="even"):
        fw.compute_universal_approximation(bad)


def test_unknown_target_and_bad_steepness_are_refused():
    with pytest.raises(ValueError, match="unknown target"):
        fw.compute_universal_approximation(10, 300.0, "cosine")
    with pytest.raises(ValueError, match="steepness"):
        fw.compute_universal_approximation(10, 0.0)


def test_universal_approximation_widget_follows_its_sliders():
    widget = nnlib.widgets.universal_approximation()
    assert set(widget.controls) == {"n_hidden", "steepness", "target"}
    assert "nnlib-universal-approximation" in widget.ui._dom_classes
    assert widget.controls["n_hidden"].step == 2
    before, updates = widget.state["max_error"], widget.updates
    state = widget.set(n_hidden=60)
    assert widget.updates == updates + 1
    assert state["n_hidden"] == 60 and state["n_bumps"] == 30
    assert state["max_error"] < before
    assert "<b>60</b> hidden neurons" in widget.readout.value
    assert f"max error = {state['max_error']:.4f}" in widget.readout.value
    old_target = state["target_values"]
    state = widget.set(target="|x - 0.5| (a kink)")
    assert not np.allclose(state["target_values"], old_target)
    assert np.allclose(state["target_values"], np.abs(state["x"] - 0.5))
    assert isinstance(widget.figure(), Figure)


def test_universal_approximation_draw_returns_a_figure_with_the_curves():
    state = fw.compute_universal_approximation(8)
    fig = fw.draw_universal_approximation(state)
    assert isinstance(fig, Figure)
    top = fig.axes[0]
    drawn = [line for line in top.get_lines() if len(line.get_ydata()) == len(state["x"])]
    assert any(np.allclose(line.get_ydata(), state["approx"]) for line in drawn)
    # one thin line per bump, plus target and network
    assert len(drawn) == state["n_bumps"] + 2


# --- lesson 4: costs ------------------------------------------------------------------------

@pytest.mark.parametrize("y", [0, 1])
@pytest.mark.parametrize("p", [0.01, 0.2, 0.5, 0.73, 0.99])
def test_cost_values_and_gradients_follow_the_formulas(p, y):
    s = cw.compute_costs(p, y)
    assert s["z"] == pytest.approx(np.log(p / (1 - p)))
    assert s["mse"] == pytest.approx(0.5 * (p - y) ** 2)
    assert s["bce"] == pytest.approx(-(y * np.log(p) + (1 - y) * np.log(1 - p)))
    assert s["mse_grad_p"] == pytest.approx(p - y)
    assert s["bce_grad_p"] == pytest.approx((p - y) / (p * (1 - p)))
    assert s["mse_grad_z"] == pytest.approx((p - y) * p * (1 - p))
    assert s["bce_grad_z"] == pytest.approx(p - y)          # sigma' cancels


@pytest.mark.parametrize("y", [0, 1])
@pytest.mark.parametrize("p", [0.05, 0.4, 0.9])
def test_gradients_with_respect_to_z_match_finite_differences(p, y):
    s = cw.compute_costs(p, y)
    z = np.array([s["z"]])
    mse = numerical_gradient(lambda: 0.5 * (sigmoid(z[0]) - y) ** 2, z)
    bce = numerical_gradient(lambda: -(y * np.log(sigmoid(z[0])) + (1 - y) * np.log(1 - sigmoid(z[0]))), z)
    assert rel_error(mse, [s["mse_grad_z"]]) < 1e-6
    assert rel_error(bce, [s["bce_grad_z"]]) < 1e-6


def test_squared_error_stalls_where_cross_entropy_does_not():
    s = cw.compute_costs(0.01, 1)                           # confidently wrong
    assert abs(s["mse_grad_z"]) < 0.01
    assert abs(s["bce_grad_z"]) > 0.98
    assert s["bce"] > 4 > s["mse"]


def test_cost_curves_agree_with_the_point_values():
    s = cw.compute_costs(0.25, 1)
    for key, curve in s["curves"].items():
        assert np.interp(0.25, s["p_grid"], curve) == pytest.approx(s[key], rel=1e-2), key


@pytest.mark.parametrize("p", [0.0, 1.0, -0.1, 1.5])
def test_impossible_probabilities_are_refused(p):
    with pytest.raises(ValueError, match="strictly between 0 and 1"):
        cw.compute_costs(p, 1)


def test_targets_other_than_zero_and_one_are_refused():
    with pytest.raises(ValueError, match="0 or 1"):
        cw.compute_costs(0.5, 2)


def test_cost_explorer_follows_its_controls():
    widget = nnlib.widgets.cost_explorer()
    assert set(widget.controls) == {"p", "y"}
    assert "nnlib-cost-explorer" in widget.ui._dom_classes
    updates = widget.updates
    state = widget.set(p=0.1)
    assert widget.updates == updates + 1
    assert state["p"] == pytest.approx(0.1) and state["y"] == 1
    assert state["bce_grad_z"] == pytest.approx(0.1 - 1)
    assert "p = 0.10" in widget.readout.value
    assert f"C = {state['bce']:.3f}" in widget.readout.value and "2.303" in widget.readout.value
    state = widget.set(y=0)
    assert state["y"] == 0 and state["bce_grad_z"] == pytest.approx(0.1)
    assert "y = 0" in widget.readout.value
    assert widget.updates == updates + 2
    fig = widget.figure()
    assert isinstance(fig, Figure) and len(fig.axes) == 3


# --- lesson 5: gradient descent ---------------------------------------------------------------

@pytest.mark.parametrize("eta", [0.01, 0.05, 0.1, 0.15, 0.19, 0.21])
def test_iterates_on_a_quadratic_are_powers_of_one_minus_2_a_eta(eta):
    # elongated bowl: C = 0.5 x^2 + 5 y^2, i.e. a = 0.5, c = 5
    x0, y0, steps = -2.5, 1.5, 25
    s = gw.compute_gradient_descent(eta, x0, y0, steps, "elongated bowl")
    k = np.arange(steps + 1)
    assert np.allclose(s["path"][:, 0], (1 - 2 * 0.5 * eta) ** k * x0)
    assert np.allclose(s["path"][:, 1], (1 - 2 * 5 * eta) ** k * y0)
    assert s["final_point"] == pytest.approx(tuple(s["path"][-1]))
    assert s["final_loss"] == pytest.approx(0.5 * s["path"][-1, 0] ** 2 + 5 * s["path"][-1, 1] ** 2)
    assert s["factors"] == pytest.approx((abs(1 - eta), abs(1 - 10 * eta)))


@pytest.mark.parametrize("surface,etas", [
    ("elongated bowl", [0.005, 0.05, 0.15, 0.199, 0.2, 0.201, 0.25, 0.5, 1.0]),
    ("round bowl", [0.01, 0.5, 0.99, 1.0, 1.01, 1.2]),
    ("tilted valley", [0.01, 0.1, 0.19, 0.21, 0.4]),
])
def test_divergence_is_flagged_exactly_when_a_factor_exceeds_one(surface, etas):
    lam_max = max(gw.SURFACES[surface].curvatures)
    for eta in etas:
        s = gw.compute_gradient_descent(eta, -2.0, 2.0, 30, surface)
        assert s["diverged"] == (abs(1 - eta * lam_max) > 1), (surface, eta)
        assert s["critical_rate"] == pytest.approx(2 / lam_max)


def test_a_blow_up_stops_early_and_is_reported():
    s = gw.compute_gradient_descent(1.0, -3.0, 2.0, 100, "elongated bowl")   # |1 - 10 eta| = 9
    assert s["diverged"] and s["blew_up"]
    assert s["steps_taken"] < 100 and len(s["path"]) == s["steps_taken"] + 1
    assert abs(s["path"][-1, 1]) > gw.BLOW_UP
    assert s["final_loss"] > s["start_loss"]
    text = gw.readout_gradient_descent(s)
    assert f"{s['steps_taken']} of 100 steps (stopped: blew up)" in text and "diverged" in text


def test_too_small_a_rate_barely_moves_and_a_good_one_arrives():
    slow = gw.compute_gradient_descent(0.001, -3.0, 2.0, 30)
    good = gw.compute_gradient_descent(0.18, -3.0, 2.0, 30)
    assert slow["final_loss"] > 0.5 * slow["start_loss"]
    assert good["final_loss"] < 1e-3 * good["start_loss"]
    assert not slow["diverged"] and not good["diverged"]


def test_zero_steps_stay_at_the_start():
    s = gw.compute_gradient_descent(0.1, 1.0, -1.0, 0)
    assert s["path"].shape == (1, 2) and s["final_point"] == (1.0, -1.0)
    assert not s["diverged"]


@pytest.mark.parametrize("surface", list(gw.SURFACES))
def test_surface_gradients_match_finite_differences(surface):
    s = gw.SURFACES[surface]
    for point in ([0.3, -1.2], [-2.0, 0.7], [1.1, 2.5]):
        theta = np.array(point)
        numeric = numerical_gradient(lambda theta=theta: s.loss(*theta), theta)
        assert rel_error(numeric, s.gradient(*theta)) < 1e-6
    assert np.allclose(s.gradient(*s.minimum), 0, atol=1e-9)


def test_two_valleys_the_start_decides_which_minimum():
    surface = gw.SURFACES["two valleys"]
    right = gw.compute_gradient_descent(0.05, 2.0, 1.0, 100, "two valleys")
    left = gw.compute_gradient_descent(0.05, -2.0, 1.0, 100, "two valleys")
    assert right["final_point"] == pytest.approx(surface.other_minima[0], abs=1e-3)   # local minimum
    assert left["final_point"] == pytest.approx(surface.minimum, abs=1e-3)            # global minimum
    assert left["final_loss"] < right["final_loss"]


def test_bad_descent_inputs_are_refused():
    with pytest.raises(ValueError, match="learning_rate"):
        gw.compute_gradient_descent(0.0)
    with pytest.raises(ValueError, match="steps"):
        gw.compute_gradient_descent(0.1, steps=-1)
    with pytest.raises(ValueError, match="unknown surface"):
        gw.compute_gradient_descent(0.1, surface="saddle")
    with pytest.raises(ValueError, match="start point"):
        gw.compute_gradient_descent(0.1, x0=np.nan)


def test_gradient_descent_explorer_follows_its_controls():
    widget = nnlib.widgets.gradient_descent_explorer()
    assert list(widget.controls) == ["learning_rate", "x0", "y0", "steps", "surface"]
    assert "nnlib-gradient-descent-explorer" in widget.ui._dom_classes    # the browser test finds it by this
    assert all(not c.continuous_update for name, c in widget.controls.items() if name != "surface")
    updates = widget.updates
    assert "diverged" not in widget.readout.value

    state = widget.set(learning_rate=0.3)                   # |1 - 10 * 0.3| = 2 > 1
    assert widget.updates == updates + 1
    assert state["diverged"] and "diverged" in widget.readout.value
    assert "&eta; = 0.3" in widget.readout.value

    state = widget.set(learning_rate=0.1, x0=1.0, y0=-1.0, steps=5)
    assert widget.updates == updates + 2                    # set() draws once for all four
    assert not state["diverged"] and "diverged" not in widget.readout.value
    assert state["path"].shape == (6, 2) and tuple(state["path"][0]) == (1.0, -1.0)
    assert np.allclose(state["path"][-1], [0.9 ** 5, 0.0])
    assert f"final loss {state['final_loss']:.4g}" in widget.readout.value
    assert "final point (0.59, 0)" in widget.readout.value

    state = widget.set(surface="two valleys")
    assert state["factors"] is None and "factors" not in widget.readout.value
    assert isinstance(widget.figure(), Figure)


def test_draw_path_draws_the_path_into_a_given_axes():
    state = gw.compute_gradient_descent(0.21, -3.0, 2.0, 20)
    fig, ax = plt.subplots()
    gw.draw_path(state, ax)
    assert any(np.allclose(line.get_xydata(), state["path"]) for line in ax.get_lines())
    assert any(t.get_text() == "DIVERGED" for t in ax.texts)
    assert isinstance(gw.draw_gradient_descent(state), Figure)


# --- every widget here: bad values, the image only on a change, quick frames -----------------

from io import BytesIO  # noqa: E402

from PIL import Image  # noqa: E402

BAD_VALUES = {
    "universal_approximation": [
        ({"n_hidden": 7}, "hidden neurons = 7 is not on the slider's steps (2, 4, 6, …): using 8"),
        ({"n_hidden": 11.5}, "hidden neurons = 11.5 is not a whole number: using 12"),
        ({"n_hidden": None}, "hidden neurons = None is not a number: using 10"),
        ({"n_hidden": 1000}, "hidden neurons = 1000 is outside 2 … 200: using 200"),
        ({"steepness": float("nan")}, "steepness w = nan is not a number: using 300"),
        ({"steepness": -5}, "steepness w = -5 is outside 10 … 5012: using 10"),
        ({"target": "cosine"}, "target = 'cosine' is not on the menu"),
        ({"target": None}, "target = None is not on the menu"),
    ],
    "cost_explorer": [
        ({"p": 0.0}, "predicted p = 0 is outside 0.01 … 0.99: using 0.01"),
        ({"p": 1.5}, "predicted p = 1.5 is outside 0.01 … 0.99: using 0.99"),
        ({"p": None}, "predicted p = None is not a number: using 0.8"),
        ({"p": float("inf")}, "predicted p = inf is not a number: using 0.8"),
        ({"y": 2}, "target y = 2 is not on the menu (1, 0): using 1"),
        ({"y": None}, "target y = None is not on the menu (1, 0): using 1"),
        ({"y": "0"}, "target y = '0' is not on the menu (1, 0): using 1"),
    ],
    "gradient_descent_explorer": [
        ({"learning_rate": 0}, "learning rate η = 0 is outside 0.001 … 1: using 0.001"),
        ({"learning_rate": float("nan")}, "learning rate η = nan is not a number: using 0.05"),
        ({"learning_rate": None}, "learning rate η = None is not a number: using 0.05"),
        ({"x0": 99}, "start x0 = 99 is outside -3 … 3: using 3"),
        ({"y0": "up"}, "start y0 = 'up' is not a number: using 2"),
        ({"steps": -1}, "steps = -1 is outside 0 … 100: using 0"),
        ({"steps": 2.5}, "steps = 2.5 is not a whole number: using 3"),
        ({"steps": None}, "steps = None is not a number: using 30"),
        ({"surface": "saddle"}, "surface = 'saddle' is not on the menu"),
    ],
}
GOOD_VALUES = {"universal_approximation": {"n_hidden": 20, "steepness": 100.0, "target": "Gaussian bump"},
               "cost_explorer": {"p": 0.3, "y": 0},
               "gradient_descent_explorer": {"learning_rate": 0.1, "x0": 1.0, "y0": -1.0, "steps": 10,
                                             "surface": "round bowl"}}


@pytest.mark.parametrize("widget_name, values, words",
                         [(w, v, t) for w, cases in BAD_VALUES.items() for v, t in cases])
def test_a_bad_value_leaves_the_widget_working_and_the_readout_says_which_value_is_used(widget_name, values, words):
    widget = getattr(nnlib.widgets, widget_name)()
    for how in ("set", "control"):
        if how == "set":
            widget.set(**values)
        else:
            for name, value in values.items():
                widget.controls[name].value = value
        assert words in widget.readout.value, widget.readout.value
        assert widget.error is None
        for name in values:
            assert widget.state[name] == widget.controls[name].value
    state = widget.set(**GOOD_VALUES[widget_name])           # the next good values draw normally
    assert widget.notes == [] and "nnlib-note" not in widget.readout.value
    assert all(state[k] == v for k, v in GOOD_VALUES[widget_name].items())


def test_an_odd_n_hidden_typed_in_the_browser_no_longer_freezes_lesson_3():
    widget = nnlib.widgets.universal_approximation()
    slider = widget.controls["n_hidden"]
    slider._handle_msg({"content": {"data": {"method": "update", "state": {"value": 13},
                                             "buffer_paths": []}}, "buffers": []})
    assert widget.wait(10)
    assert slider.value == 14 and widget.state["n_hidden"] == 14 and widget.state["n_bumps"] == 7
    assert "hidden neurons = 13 is not on the slider's steps" in widget.readout.value
    widget.set(n_hidden=30)                                  # and it keeps working
    assert widget.state["n_bumps"] == 15 and widget.notes == []


@pytest.mark.parametrize("widget_name", sorted(GOOD_VALUES))
def test_the_image_changes_only_when_the_state_does(widget_name):
    widget = getattr(nnlib.widgets, widget_name)()
    sent = []
    widget.image.observe(lambda change: sent.append(change["new"]), names="value")
    widget.set(**widget.values())                             # nothing changes
    first = next(iter(BAD_VALUES[widget_name]))[0]
    name = next(iter(first))
    widget.controls[name].value = None                        # refused: the state stays
    assert sent == [] and widget.updates == 1
    widget.set(**GOOD_VALUES[widget_name])
    assert len(sent) == 1 and widget.updates == 2
    widget.set(**GOOD_VALUES[widget_name])
    assert len(sent) == 1


def _pixels(png):
    return np.asarray(Image.open(BytesIO(png)).convert("RGB")).astype(int)


@pytest.mark.parametrize("view, compute, states", [
    (fw.UniversalApproximationView, fw.compute_universal_approximation,
     [(10, 300.0, "sine + ripple"), (2, 10.0, "Gaussian bump"), (80, 5000.0, "Nielsen's wiggle"),
      (200, 300.0, "|x - 0.5| (a kink)")]),
    (cw.CostsView, cw.compute_costs, [(0.8, 1), (0.01, 1), (0.99, 0), (0.5, 0)]),
    (gw.GradientDescentView, gw.compute_gradient_descent,
     [(0.05, -3.0, 2.0, 30), (0.3, -3.0, 2.0, 30), (0.19, 1.0, -1.0, 5, "two valleys"),
      (1.0, -3.0, 2.0, 100, "tilted valley"), (0.01, 2.0, 2.0, 0, "round bowl")]),
])
def test_the_kept_figure_updated_looks_exactly_like_a_new_one(view, compute, states):
    kept = view(compute(*states[0]))
    for args in states[1:] + states[:1]:
        state = compute(*args)
        kept.update(state)
        fresh = view(state)
        assert kept.png() == fresh.png()
        np.testing.assert_array_equal(_pixels(kept.frame()), _pixels(fresh.png()))
