"""nnlib.widgets.base: the machinery every lesson widget shares.

- the course's controls never take a value they cannot use, and say so;
- InteractivePlot cleans every value, lets no exception out, keeps the last good
  picture, sends a new image only when the state changed;
- values from the browser are coalesced: a slow draw with many values arriving
  draws the latest one, once or twice, not each of them;
- FigureView's quick frames look exactly like a full draw.
"""
from __future__ import annotations

import time
from io import BytesIO

import ipywidgets
import matplotlib
import numpy as np
import pytest

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
from PIL import Image  # noqa: E402

from nnlib.widgets import base  # noqa: E402
from nnlib.widgets.base import FigureView, InteractivePlot, new_figure  # noqa: E402


def pixels(png: bytes) -> np.ndarray:
    return np.asarray(Image.open(BytesIO(png)).convert("RGB")).astype(int)


def from_browser(control, **state):
    """Deliver a comm message as the browser sends it when a learner moves a control."""
    control._handle_msg({"content": {"data": {"method": "update", "state": state, "buffer_paths": []}},
                         "buffers": []})


# ---------------------------------------------------------------- a small widget to drive

def compute_line(slope, offset=0.0, n=3, kind="line", show=True):
    if kind == "boom":
        raise ValueError("kind 'boom' cannot be computed")
    xs = np.linspace(-1, 1, 50)
    return {"slope": slope, "offset": offset, "n": n, "kind": kind, "show": show, "xs": xs,
            "ys": slope * xs + offset if kind == "line" else slope * xs ** n + offset}


class LineView(FigureView):
    """A line and a title, updated in place; ``delay`` slows updates down; updates with
    slope -2.5 fail (so the tests can see a failing update)."""
    delay = 0.0
    built = 0

    def __init__(self, state):
        type(self).built += 1
        self.fig = new_figure((3, 2))
        self.ax = self.fig.add_axes((0.15, 0.15, 0.8, 0.7))
        self.line, = self.ax.plot(state["xs"], state["ys"])
        self.title = self.ax.set_title("", y=1.0)
        self.ax.set_xlim(-1, 1)
        self.ax.set_ylim(-5, 5)
        self.update(state)

    def update(self, state):
        if self.delay:
            time.sleep(self.delay)
        if state["slope"] == -2.5:
            raise RuntimeError("unlucky slope")
        self.line.set_data(state["xs"], state["ys"])
        self.line.set_visible(state["show"])
        self.title.set_text(f"slope {state['slope']:.2f}")

    def dynamic_artists(self):
        return [self.line, self.title]


def readout_line(state):
    return f"slope = {state['slope']:.2f}, offset = {state['offset']:.2f}, n = {state['n']}"


def make_plot(view=LineView, **kw):
    controls = {
        "slope": base.slider(1.0, -3.0, 3.0, 0.1, "slope"),
        "offset": base.log_slider(1.0, -1, 1, "offset"),
        "n": base.int_slider(3, 1, 9, "n", step=2),
        "kind": base.dropdown([("a line", "line"), ("a power", "power"), ("boom", "boom")], "line", "kind"),
        "show": base.checkbox(True, "show"),
    }
    return InteractivePlot(controls, compute_line, view, readout_line, height="250px", **kw)


@pytest.fixture(autouse=True)
def _reset_view():
    LineView.delay, LineView.built = 0.0, 0
    yield
    LineView.delay = 0.0


# ---------------------------------------------------------------- the controls

@pytest.mark.parametrize("bad, note", [(None, "slope = None is not a number: using 1"),
                                       (float("nan"), "slope = nan is not a number: using 1"),
                                       (float("inf"), "slope = inf is not a number: using 1"),
                                       ("steep", "slope = 'steep' is not a number: using 1"),
                                       (True, "slope = True is not a number: using 1"),
                                       (np.array([1.0, 2.0]), "is not a number: using 1"),
                                       (7, "slope = 7 is outside -3 … 3: using 3"),
                                       (-1e9, "slope = -1e+09 is outside -3 … 3: using -3")])
def test_a_float_slider_keeps_a_usable_value_and_says_why(bad, note):
    s = base.slider(1.0, -3.0, 3.0, 0.1, "slope")
    s.value = bad
    assert np.isfinite(s.value) and -3 <= s.value <= 3
    notes = s.take_notes()
    assert len(notes) == 1 and note in notes[0]
    assert s.take_notes() == []                     # taken once
    s.value = 2.37                                   # off the 0.1 steps: a fine value, kept as typed
    assert s.value == 2.37 and s.take_notes() == []


def test_int_slider_rounds_clamps_and_puts_values_on_its_steps():
    n = base.int_slider(4, 2, 200, "hidden neurons", step=2)
    n.value = 7                                        # halfway: up to the next step
    assert n.value == 8 and "hidden neurons = 7 is not on the slider's steps (2, 4, 6, …): using 8" in n.take_notes()
    n.value = 5.2
    assert n.value == 6 and n.take_notes() == ["hidden neurons = 5.2 is not a whole number: using 5",
                                               "hidden neurons = 5 is not on the slider's steps (2, 4, 6, …): using 6"]
    n.value = 9.6
    assert n.value == 10 and "not a whole number: using 10" in n.take_notes()[0]
    n.value = 201
    assert n.value == 200
    n.value = None
    assert n.value == 200 and "not a number" in n.take_notes()[-1]
    n.value = 0
    assert n.value == 2


def test_log_slider_and_checkbox_and_dropdown_refuse_what_they_cannot_show():
    lr = base.log_slider(0.1, -3, 0, "learning rate η")
    lr.value = 0.0
    assert lr.value == pytest.approx(1e-3) and "outside" in lr.take_notes()[0]
    lr.value = float("nan")
    assert lr.value == pytest.approx(1e-3)
    box = base.checkbox(False, "only mistakes")
    box.value = None
    assert box.value is False and "not True or False" in box.take_notes()[0]
    box.value = 1
    assert box.value is True
    menu = base.dropdown([("y = 1", 1.0), ("y = 0", 0.0)], 0.0, "target")
    for bad in (None, "1", 2.0, [1.0]):
        menu.value = bad
        assert menu.value == 0.0 and menu.index == 1
        assert menu.take_notes() == [f"target = {base.show(bad)} is not on the menu (y = 1, y = 0): using y = 0"]
    menu.value = 1.0
    assert menu.index == 0 and menu.take_notes() == []
    menu.options = ["a", "b"]                          # a menu whose choices change still works
    assert menu.value == "a" and menu.take_notes() == []


def test_controls_made_with_bad_values_start_on_a_good_one():
    assert base.dropdown(["a", "b"], "swish", "g").value == "a"
    assert base.slider(9.0, -3, 3, 0.1, "w").value == 3.0
    assert base.int_slider(3, 2, 10, "n", step=2).value == 4 or base.int_slider(3, 2, 10, "n", step=2).value == 2


# ---------------------------------------------------------------- InteractivePlot: values from code

def test_set_draws_once_and_returns_the_new_state():
    plot = make_plot()
    assert plot.updates == 1 and plot.state["slope"] == 1.0 and plot.image.value[:4] == b"\x89PNG"
    state = plot.set(slope=2.0, offset=0.5, n=5)
    assert plot.updates == 2 and state is plot.state
    assert (state["slope"], state["offset"], state["n"]) == (2.0, 0.5, 5)
    assert plot.readout.value == "slope = 2.00, offset = 0.50, n = 5" and plot.notes == []
    plot.controls["slope"].value = -1.0               # a control set from code draws at once too
    assert plot.updates == 3 and plot.state["slope"] == -1.0
    assert plot.values() == {"slope": -1.0, "offset": 0.5, "n": 5, "kind": "line", "show": True}


@pytest.mark.parametrize("name, bad, kept, words", [
    ("slope", None, 1.0, "slope = None is not a number"),
    ("slope", float("nan"), 1.0, "slope = nan is not a number"),
    ("slope", "two", 1.0, "slope = 'two' is not a number"),
    ("slope", 50, 3.0, "slope = 50 is outside -3 … 3: using 3"),
    ("offset", -2.0, 0.1, "offset = -2 is outside 0.1 … 10: using 0.1"),
    ("n", 4, 5, "n = 4 is not on the slider's steps (1, 3, 5, …): using 5"),
    ("n", 2.5, 3, "n = 2.5 is not a whole number: using 3"),
    ("n", None, 3, "n = None is not a number"),
    ("kind", "spline", "line", "kind = 'spline' is not on the menu (a line, a power, boom): using a line"),
    ("kind", None, "line", "kind = None is not on the menu"),
    ("show", "yes", True, "show = 'yes' is not True or False"),
])
def test_a_bad_value_from_code_leaves_the_widget_working_and_the_readout_says_why(name, bad, kept, words):
    plot = make_plot()
    first_image = plot.image.value
    changes = plot.values()[name] != kept              # clamped/rounded to another value: redrawn
    for how in ("set", "control"):
        image, updates = plot.image.value, plot.updates
        if how == "set":
            plot.set(**{name: bad})
        else:
            plot.controls[name].value = bad
        assert plot.values()[name] == kept and plot.state[name] == kept
        assert words in plot.readout.value and words in " ".join(plot.notes)
        assert plot.readout.value.startswith(readout_line(plot.state))
        assert plot.error is None
        redrawn = changes and how == "set"
        assert plot.updates == updates + redrawn
        if name in ("slope", "offset"):                # the picture shows these two
            assert (plot.image.value != image) == redrawn
    plot.set(slope=-2.0)                               # the next good value draws normally
    assert plot.readout.value == readout_line(plot.state) and plot.state["slope"] == -2.0
    assert plot.notes == [] and plot.image.value != first_image


def test_set_refuses_unknown_names_clearly():
    plot = make_plot()
    with pytest.raises(ValueError, match=r"no control called 'slop'; the controls are slope, offset"):
        plot.set(slop=1.0)


def test_controls_that_are_not_the_courses_own_are_cleaned_too():
    controls = {"slope": ipywidgets.FloatSlider(value=1.0, min=-3, max=3),
                "n": ipywidgets.IntSlider(value=3, min=1, max=9, description="n")}
    plot = InteractivePlot(controls, compute_line, LineView, readout_line)
    plot.set(slope=float("nan"))                       # a stock FloatSlider takes NaN...
    assert plot.state["slope"] == 1.0 and controls["slope"].value == 1.0   # ...and gets 1 back
    assert "slope = nan cannot be used: using 1" in plot.readout.value
    plot.set(n=None)                                   # a stock IntSlider refuses None
    assert controls["n"].value == 3 and "n = None was refused (TraitError): using 3" in plot.readout.value
    plot.set(slope=2.0)
    assert plot.state["slope"] == 2.0 and plot.notes == []


def test_constrain_fixes_combinations_writes_them_back_and_says_so():
    def constrain(values):
        if values["kind"] == "power" and values["n"] > 5:
            return {**values, "n": 5}, ["a power goes up to n = 5: using 5"]
        return values, []
    plot = make_plot(constrain=constrain)
    plot.set(kind="power", n=9)
    assert plot.state["n"] == 5 and plot.controls["n"].value == 5
    assert "a power goes up to n = 5: using 5" in plot.readout.value
    plot.set(n=1)
    assert plot.state["n"] == 1 and plot.notes == []


# ---------------------------------------------------------------- no exception escapes

def test_an_error_in_compute_keeps_the_last_picture_and_the_next_value_draws():
    plot = make_plot()
    plot.set(slope=2.0)
    image, updates, state = plot.image.value, plot.updates, plot.state
    plot.set(kind="boom")                              # compute raises
    assert plot.state is state and plot.image.value == image and plot.updates == updates
    assert isinstance(plot.error, ValueError)
    assert "could not compute this setting (ValueError: kind 'boom' cannot be computed)" in plot.readout.value
    assert plot.readout.value.startswith(readout_line(state))
    plot.set(kind="power")
    assert plot.error is None and plot.state["kind"] == "power" and plot.updates == updates + 1


def test_an_error_in_the_view_keeps_the_last_picture_and_the_view_is_built_anew():
    plot = make_plot()
    image = plot.image.value
    plot.set(slope=-2.5)                               # LineView.update raises
    assert "could not draw this setting (RuntimeError: unlucky slope)" in plot.readout.value
    assert plot.image.value == image and plot.state["slope"] == 1.0 and plot.view is None
    built = LineView.built
    plot.set(slope=0.5)
    assert LineView.built == built + 1 and plot.state["slope"] == 0.5 and plot.image.value != image
    assert plot.readout.value == readout_line(plot.state)


def test_an_error_in_the_readout_is_shown_not_raised():
    plot = InteractivePlot({"slope": base.slider(1.0, -3, 3, 0.1, "slope")}, compute_line, LineView,
                           lambda s: f"{s['slope']:.2f}" if s["slope"] < 2 else 1 / 0)
    plot.set(slope=2.5)
    assert plot.state["slope"] == 2.5 and "the readout failed: ZeroDivisionError" in plot.readout.value


def test_a_widget_whose_first_state_cannot_be_computed_fails_at_once_with_the_reason():
    with pytest.raises(ValueError, match="boom"):
        InteractivePlot({"kind": base.dropdown(["boom"], "boom", "kind")},
                        lambda kind: compute_line(1.0, kind=kind), LineView)


# ---------------------------------------------------------------- the image changes only with the state

def test_the_image_is_sent_only_when_the_state_changes():
    plot = make_plot()
    sent = []
    plot.image.observe(lambda change: sent.append(change["new"]), names="value")
    plot.set(slope=1.0)                                # no change at all
    plot.set(kind="line", n=3)
    plot.update()
    assert sent == [] and plot.updates == 1
    plot.set(slope=1.5)
    assert len(sent) == 1 and plot.updates == 2
    plot.set(slope=1.5, offset=1.0)                    # same values again
    assert len(sent) == 1
    plot.set(show=False)                               # a state change that hides the line: new image
    assert len(sent) == 2 and sent[-1] != sent[-2]
    plot.set(show=True)
    plot.set(slope=1.0)
    assert len(sent) == 4


def test_same_compares_states_deeply():
    a = compute_line(1.0)
    assert base._same(a, compute_line(1.0))
    assert not base._same(a, compute_line(1.0 + 1e-12))
    assert base._same({"x": float("nan"), "y": np.array([np.nan, 1.0])}, {"x": float("nan"), "y": np.array([np.nan, 1.0])})
    assert not base._same({"x": 1}, {"x": True}) and not base._same({"x": [1, 2]}, {"x": [1, 2, 3]})
    assert not base._same({"x": np.zeros(3)}, {"x": np.zeros(4)}) and not base._same({"x": 1}, {"y": 1})


# ---------------------------------------------------------------- values from the browser

def test_values_from_the_browser_are_drawn_by_the_drawing_thread():
    plot = make_plot()
    from_browser(plot.controls["slope"], value=2.5)
    assert plot.wait(10)
    assert plot.state["slope"] == 2.5 and plot.updates == 2
    from_browser(plot.controls["kind"], index=1)       # a menu sends its index
    assert plot.wait(10) and plot.state["kind"] == "power" and plot.updates == 3


def test_many_values_during_a_slow_draw_are_coalesced_to_the_latest():
    plot = make_plot()
    LineView.delay = 0.4                               # every draw takes 0.4 s
    values = np.round(np.linspace(-2.0, 2.0, 12), 2)
    handled = []
    for v in values:                                   # a held arrow key: 12 values in ~0.1 s
        start = time.perf_counter()
        from_browser(plot.controls["slope"], value=float(v))
        handled.append(time.perf_counter() - start)
        time.sleep(0.008)
    assert max(handled) < 0.2                          # the kernel was not kept waiting for a draw
    assert plot.wait(10)
    drawn = plot.updates - 1
    assert 1 <= drawn <= 3, f"{drawn} draws for {len(values)} values"
    assert plot.state["slope"] == values[-1] and plot.controls["slope"].value == values[-1]
    LineView.delay = 0.0
    final = LineView(compute_line(float(values[-1]), offset=1.0)).frame()
    assert plot.image.value == final                   # the image on screen is the final value's


def test_a_value_set_from_code_while_the_thread_draws_waits_its_turn():
    plot = make_plot()
    LineView.delay = 0.2
    from_browser(plot.controls["slope"], value=2.0)
    time.sleep(0.05)                                   # the thread is drawing now
    state = plot.set(slope=-2.0)                       # drawn synchronously, after the thread's draw
    assert state["slope"] == -2.0
    assert plot.wait(10) and plot.state["slope"] == -2.0
    LineView.delay = 0.0
    assert plot.image.value == LineView(compute_line(-2.0, offset=1.0)).frame()


def test_a_bad_value_from_the_browser_is_put_right_in_the_browser_too():
    plot = make_plot()
    from_browser(plot.controls["n"], value=6)         # typed into the readout: clamped, not snapped
    assert plot.wait(10)
    assert plot.controls["n"].value in (5, 7) and plot.state["n"] == plot.controls["n"].value
    assert "n = 6 is not on the slider's steps" in plot.readout.value


def test_the_drawing_thread_survives_any_error():
    plot = make_plot()
    from_browser(plot.controls["slope"], value=2.6)
    plot.wait(10)
    plot.view.update = None                            # sabotage: calling it raises TypeError
    from_browser(plot.controls["slope"], value=1.5)
    assert plot.wait(10) and "could not draw" in plot.readout.value
    from_browser(plot.controls["slope"], value=0.5)
    assert plot.wait(10) and plot.state["slope"] == 0.5 and plot.error is None
    assert base._DRAWER.thread.is_alive()


# ---------------------------------------------------------------- views and old-style draw functions

def test_quick_frames_look_exactly_like_a_full_draw():
    view = LineView(compute_line(1.0))
    for slope, show in [(2.0, True), (-0.3, False), (1.0, True)]:
        view.update(compute_line(slope, show=show))
        fresh = LineView(compute_line(slope, show=show))
        np.testing.assert_array_equal(pixels(view.frame()), pixels(fresh.png()))


def test_rgb_png_is_a_png_of_the_colours_at_the_resolution_given():
    rgba = np.random.default_rng(0).integers(0, 256, size=(7, 5, 4), dtype=np.uint8)
    image = Image.open(BytesIO(base.rgb_png(rgba, dpi=72)))
    image.load()                                  # reads every chunk and checks the CRCs
    assert (image.format, image.mode, image.size) == ("PNG", "RGB", (5, 7))
    np.testing.assert_allclose(image.info["dpi"], (72, 72), atol=0.01)
    np.testing.assert_array_equal(np.asarray(image), rgba[..., :3])


def test_a_plain_draw_function_still_works_and_leaves_no_pyplot_figure_open():
    def draw(state):
        fig, ax = plt.subplots(figsize=(3, 2))
        ax.plot(state["xs"], state["ys"])
        return fig
    before = plt.get_fignums()
    plot = InteractivePlot({"slope": base.slider(1.0, -3, 3, 0.1, "slope")}, compute_line, draw,
                           readout_line, height="200px")
    first = plot.image.value
    plot.set(slope=2.0)
    assert plot.updates == 2 and plot.image.value != first and plot.draw is draw
    from_browser(plot.controls["slope"], value=-1.0)
    assert plot.wait(10) and plot.state["slope"] == -1.0
    assert plt.get_fignums() == before                 # its figures were shown in the image only
    plt.close(plot.figure())                           # figure(): as the draw function makes it


def test_the_layout_keeps_title_controls_readout_and_plot_in_order():
    plot = make_plot(title="A line")
    title, controls, readout, output = plot.ui.children
    assert "A line" in title.value and list(controls.children) == list(plot.controls.values())
    assert readout is plot.readout and "nnlib-readout" in readout._dom_classes
    assert output.children == (plot.image,) and "nnlib-plot" in output._dom_classes
    assert output.layout.height == "250px"
    horizontal = make_plot(layout="horizontal")
    assert isinstance(horizontal.ui.children[0], ipywidgets.HBox)


def test_figure_gives_a_new_static_figure_of_the_state():
    plot = make_plot()
    plot.set(slope=-1.5)
    fig = plot.figure()
    assert fig is not plot.view.fig
    assert fig.axes[0].get_title() == "slope -1.50"


def test_in_a_real_kernel_a_held_arrow_key_is_coalesced_and_ends_on_its_last_value():
    """ipykernel reads comm messages on its shell channel; 40 slider values sent at 50 per
    second to a widget whose every draw takes over 0.15 s give a handful of draws, and the
    picture ends on the last value."""
    jupyter_client = pytest.importorskip("jupyter_client")
    km, kc = jupyter_client.manager.start_new_kernel(kernel_name="python3")
    try:
        def run(code):
            out = []
            kc.execute_interactive(code, timeout=120, output_hook=lambda m: out.append(
                m["content"].get("text", "") if m["msg_type"] == "stream" else
                "\n".join(m["content"]["traceback"]) if m["msg_type"] == "error" else ""))
            return "".join(out)
        comm_id = run("import os, time; os.environ['MPLBACKEND'] = 'Agg'\n"
                      "import nnlib.widgets as W, nnlib.widgets.neuron as nw\n"
                      "p = W.neuron_explorer()\n"
                      "update = nw.NeuronView.update\n"
                      "def slow(self, s):\n    time.sleep(0.15); update(self, s)\n"
                      "nw.NeuronView.update = slow\n"
                      "print(p.controls['w1'].comm.comm_id)").strip()
        values = [round(-3.0 + 0.1 * i, 1) for i in range(40)]
        for v in values:
            kc.shell_channel.send(kc.session.msg("comm_msg", {"comm_id": comm_id, "data": {
                "method": "update", "state": {"value": v}, "buffer_paths": []}}))
            time.sleep(0.02)
        result = run("p.wait(30); print(p.updates - 1, p.state['w1'], p.controls['w1'].value)").split()
        draws, w1, slider = int(result[0]), float(result[1]), float(result[2])
        assert w1 == slider == values[-1]
        assert 1 <= draws <= 12, f"{draws} draws for {len(values)} values"
    finally:
        kc.stop_channels()
        km.shutdown_kernel(now=True)
