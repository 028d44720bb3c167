"""The one pattern every lesson widget follows.

A widget is three plain pieces, glued together here:

1. ``compute(**values) -> state``: the math. A pure function of the control
   values (slider positions, menu choices) returning a dict of numbers/arrays.
   Tests call it directly and check the numbers.
2. a :class:`FigureView`: ``View(state)`` builds a matplotlib figure of that
   state once and keeps its artists (lines, images, texts); ``view.update(state)``
   changes those artists in place. The lesson's static figure is ``View(state).fig``.
   (A plain ``draw(state) -> Figure`` function still works: it is called anew each time.)
3. ``readout(state) -> str``: one line of HTML with the key numbers, so the
   learner (and the browser test) can read what changed.

:class:`InteractivePlot` wires the controls to these. Each change of a control:

- is *cleaned*: a value that is not a number (None, NaN, text), outside the
  slider's range, not a whole number for a whole-number slider, or not on the
  menu is replaced by the value the widget uses, and the readout says so;
  then the widget's own ``constrain(values) -> (values, notes)`` may fix more
  ("n_hidden must be even: using 6");
- is computed and, only if the state differs from the one on screen, drawn
  into the kept figure and sent as one PNG image (an ``ipywidgets.Image``: no
  front-end extension, so it works in JupyterLab, VS Code and Colab);
- never lets an exception out: the readout says what went wrong, the last good
  picture stays, and the next good value draws normally.

Redraws are *coalesced*. A value set from code (``plot.set(w1=2)``,
``control.value = 2``) is drawn at once, before the call returns. A value that
comes from the browser (a slider dragged, an arrow key held) only records that
the widget needs drawing and returns, so the kernel keeps reading the browser's
messages; one drawing thread then draws the *latest* values. Ten key presses
that arrive during one draw give one more draw, of the tenth value, not ten.

In a notebook, a lesson shows a widget with one line, e.g.
``nnlib.widgets.neuron_explorer()``.
"""
from __future__ import annotations

import contextlib
import html
import math
import struct
import threading
import time
import zlib
from io import BytesIO

import ipywidgets as w
import numpy as np
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from traitlets import Any, CFloat, CInt, validate

#: Resolution of the widgets' PNG images (dots per inch of the figure size).
DPI = 100

# One figure is drawn at a time (matplotlib is not thread-safe): the drawing thread
# and a redraw asked for by code take turns.
_DRAW_LOCK = threading.RLock()


# --------------------------------------------------------------------------- figures

def new_figure(figsize) -> Figure:
    """A matplotlib Figure for a view: not managed by pyplot (nothing else shows it or
    keeps it alive), drawn by Agg, no layout engine (a layout engine re-measures every
    text on every redraw: fixed axes positions instead)."""
    fig = Figure(figsize=figsize)
    FigureCanvasAgg(fig)
    return fig


def figure_png(fig, dpi: float = DPI, tight: bool = False) -> bytes:
    """The figure as PNG bytes (``tight`` crops to the drawn content, as the inline backend does)."""
    buffer = BytesIO()
    fig.savefig(buffer, format="png", dpi=dpi, bbox_inches="tight" if tight else None,
                metadata={"Software": None}, pil_kwargs={"compress_level": 1})
    return buffer.getvalue()


class FigureView:
    """A figure that is built once and then updated in place.

    Subclasses build ``self.fig`` (use :func:`new_figure`; fixed axes positions) and
    keep its artists as attributes in ``__init__(self, state)``, and change those
    artists in ``update(self, state)`` (``set_data``, ``set_array``, ``set_offsets``,
    ``set_text``, ``set_visible``, axis limits). ``View(s1)`` updated to ``s2`` must
    look exactly like ``View(s2)``: the tests compare the two images.

    Quick frames (optional): a view that lists the artists its updates change in
    :meth:`dynamic_artists`, and returns from :meth:`background_key` a value that
    changes whenever anything else must change (axis limits, tick labels), gets
    :meth:`frame`: everything else is drawn once and kept as a background, and each
    frame only pastes the background and draws those artists over it, in the order
    a full draw would (z-order). Frames look like :meth:`png`: the tests check.
    """

    #: resolution of :meth:`png` and :meth:`frame`
    dpi = DPI

    def __init__(self, state):
        raise NotImplementedError

    def update(self, state):
        raise NotImplementedError

    def dynamic_artists(self) -> list:
        """The artists :meth:`update` changes (in the order the figure draws them); [] = redraw all."""
        return []

    def background_key(self):
        """Anything that, when it changes, means the background must be drawn anew."""
        return None

    def png(self) -> bytes:
        """The whole figure drawn from scratch, as PNG bytes."""
        return figure_png(self.fig, self.dpi)

    def frame(self) -> bytes:
        """The figure as PNG bytes, drawn the quick way when the view allows it.

        The dynamic artists are drawn in z-order (ties in the order given) over the
        background; the frames of their axes (spines) are added, since a full draw
        puts them over the axes' contents."""
        artists = [a for a in self.dynamic_artists() if a is not None]
        if not artists:
            return self.png()
        for ax in {id(a.axes): a.axes for a in artists if getattr(a, "axes", None) is not None}.values():
            # an axes' frame is drawn over its contents: it is redrawn too
            artists += [spine for spine in ax.spines.values() if spine not in artists]
        canvas = self.fig.canvas
        key = (self.background_key(), tuple(map(id, artists)), self.dpi)
        backgrounds = self.__dict__.setdefault("_backgrounds", {})
        if key in backgrounds:
            canvas.restore_region(backgrounds[key])
        else:
            self.fig.set_dpi(self.dpi)
            shown = [a.get_visible() for a in artists]
            for a in artists:
                a.set_visible(False)
            try:
                canvas.draw()
            finally:
                for a, visible in zip(artists, shown):
                    a.set_visible(visible)
            backgrounds[key] = canvas.copy_from_bbox(self.fig.bbox)
            while len(backgrounds) > 8:           # a few variants (legends, ranges) are kept
                backgrounds.pop(next(iter(backgrounds)))
        renderer = canvas.get_renderer()
        for a in sorted(artists, key=lambda a: a.get_zorder()):   # stable: ties keep their order
            a.draw(renderer)
        return rgb_png(np.asarray(canvas.buffer_rgba()), self.dpi)


def rgb_png(pixels, dpi=DPI) -> bytes:
    """PNG bytes of the colours of an (h, w, 4) uint8 RGBA array.

    The widgets' figures are opaque: the alpha channel is dropped (8-bit RGB). Each row is
    stored unfiltered (PNG filter type 0) and the whole is compressed by zlib at level 1:
    about twice as quick as Pillow's encoder, which tries five filters on every row, and
    for these flat-coloured figures about as small (within a tenth). Chunks: IHDR (size,
    8-bit RGB), pHYs (the resolution, in pixels per metre), IDAT (the compressed rows), IEND.
    """
    h, w = pixels.shape[:2]
    rows = np.empty((h, 1 + 3 * w), dtype=np.uint8)
    rows[:, 0] = 0                                        # each row's filter type: none
    rows[:, 1:] = pixels[..., :3].reshape(h, 3 * w)
    per_metre = int(dpi / 0.0254 + 0.5)
    return b"".join([b"\x89PNG\r\n\x1a\n",
                     _png_chunk(b"IHDR", struct.pack(">IIBBBBB", w, h, 8, 2, 0, 0, 0)),
                     _png_chunk(b"pHYs", struct.pack(">IIB", per_metre, per_metre, 1)),
                     _png_chunk(b"IDAT", zlib.compress(rows.tobytes(), 1)),
                     _png_chunk(b"IEND", b"")])


def _png_chunk(kind: bytes, data: bytes) -> bytes:
    """One PNG chunk: length, type, data, CRC-32 of type and data."""
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


class _DrawEachTime(FigureView):
    """Adapter for a plain ``draw(state) -> Figure`` function: a new figure each time,
    cropped to its content like the inline backend's figures."""

    def __init__(self, draw, state):
        self._draw = draw
        self.update(state)

    def update(self, state):
        import matplotlib.pyplot as plt  # for figures the draw function made with pyplot
        self.fig = self._draw(state)
        plt.close(self.fig)              # shown here only, not again when the cell ends

    def png(self) -> bytes:
        return figure_png(self.fig, self.dpi, tight=True)


# --------------------------------------------------------------------------- cleaning values

def _finite_number(value):
    """``value`` as a finite float, or None when it is not one (None, NaN, inf, text, arrays)."""
    if value is None or isinstance(value, (bool, np.bool_)) or np.ndim(value) != 0:
        return None
    try:
        number = float(value)
    except (TypeError, ValueError):
        return None
    return number if math.isfinite(number) else None


def show(value) -> str:
    """A value as the readout writes it: ``1.5``, ``0.001``, ``'swish'``, ``None``, ``nan``."""
    if isinstance(value, (float, np.floating)):
        return f"{float(value):.4g}"
    if isinstance(value, str):
        return repr(value)
    return str(value)


def _label(control, fallback="value"):
    return html.unescape(getattr(control, "description", "") or fallback)


class _Cleaned:
    """Mixin for the course's controls: a value that cannot be used is replaced by
    the value the control keeps, and a note says so (:class:`InteractivePlot` shows
    the notes in the readout). No value set from code raises."""

    def _note(self, text):
        self.__dict__.setdefault("_notes", []).append(f"{_label(self)} {text}")

    def take_notes(self) -> list:
        notes = self.__dict__.get("_notes", [])
        self.__dict__["_notes"] = []
        return notes

    def _kept(self):
        """The value the control has now (or its default while it is being made)."""
        return self._trait_values.get("value", self.traits()["value"].default_value)

    def _done(self, value):
        """The validators' last word. When the control keeps its value no change event
        will come, so a note has to be shown by asking the widget directly."""
        listener = self.__dict__.get("_listener")
        if (listener is not None and self.__dict__.get("_notes") and "value" in self._trait_values
                and _same(value, self._trait_values["value"])):
            listener()
        return value


class _CleanFloat(CFloat):
    def validate(self, obj, value):
        number = _finite_number(value)
        if number is None:
            kept = obj._kept()
            obj._note(f"= {show(value)} is not a number: using {show(kept)}")
            return kept
        return number


class _CleanInt(CInt):
    def validate(self, obj, value):
        number = _finite_number(value)
        if number is None:
            kept = obj._kept()
            obj._note(f"= {show(value)} is not a number: using {show(kept)}")
            return kept
        whole = math.floor(number + 0.5)          # halves round up: 2.5 -> 3
        if whole != number:
            obj._note(f"= {show(value)} is not a whole number: using {whole}")
        return whole


def _clamp(control, value, low, high):
    if value < low or value > high:
        clamped = min(max(value, low), high)
        control._note(f"= {show(value)} is outside {show(low)} … {show(high)}: using {show(clamped)}")
        return clamped
    return value


class _CleanBool(w.widget_bool.Bool):
    def validate(self, obj, value):
        if isinstance(value, (bool, np.bool_)) or (isinstance(value, (int, np.integer)) and value in (0, 1)):
            return bool(value)
        kept = obj._kept()
        obj._note(f"= {show(value)} is not True or False: using {kept}")
        return kept


class _AnyButCheckNone(Any):
    allow_none = False   # so that None, too, goes through the validator (Any lets it past)


class FloatSlider(_Cleaned, w.FloatSlider):
    """ipywidgets' FloatSlider whose value is always a finite number in its range."""
    value = _CleanFloat(0.0, help="Float value").tag(sync=True)

    @validate("value")
    def _validate_value(self, proposal):
        return self._done(_clamp(self, proposal["value"], self.min, self.max))


class FloatLogSlider(_Cleaned, w.FloatLogSlider):
    """ipywidgets' FloatLogSlider whose value is always a finite number in its range."""
    value = _CleanFloat(1.0, help="Float value").tag(sync=True)

    @validate("value")
    def _validate_value(self, proposal):
        return self._done(_clamp(self, proposal["value"], self.base ** self.min, self.base ** self.max))


class IntSlider(_Cleaned, w.IntSlider):
    """ipywidgets' IntSlider whose value is always a whole number in its range and on its
    steps (min, min + step, ...): a number typed into the readout is clamped by the
    browser but not put on a step."""
    value = _CleanInt(0, help="Int value").tag(sync=True)

    @validate("value")
    def _validate_value(self, proposal):
        value = _clamp(self, proposal["value"], self.min, self.max)
        step = max(int(self.step or 1), 1)
        if step > 1 and (value - self.min) % step:
            on_step = self.min + step * math.floor((value - self.min) / step + 0.5)
            if on_step > self.max:
                on_step -= step
            self._note(f"= {value} is not on the slider's steps ({self.min}, {self.min + step}, "
                       f"{self.min + 2 * step}, …): using {on_step}")
            value = on_step
        return self._done(value)


class Dropdown(_Cleaned, w.Dropdown):
    """ipywidgets' Dropdown whose value is always one of its options."""
    value = _AnyButCheckNone(None, help="Selected value")

    @validate("value")
    def _validate_value(self, proposal):
        value, options = proposal.value, self._options_values
        if value is None and not options:
            return None
        try:
            return w.widget_selection.findvalue(options, value, self.equals)
        except (ValueError, TypeError):
            kept = self._trait_values.get("value")
            if kept is None or not any(self.equals(kept, o) for o in options):
                kept = options[0] if options else None
            labels = ", ".join(self._options_labels)
            shown = next((label for label, v in zip(self._options_labels, options)
                          if self.equals(v, kept)), "nothing")
            self._note(f"= {show(value)} is not on the menu ({labels}): using {shown}")
            return self._done(kept)


class Checkbox(_Cleaned, w.Checkbox):
    """ipywidgets' Checkbox whose value is always True or False."""
    value = _CleanBool(False, help="Bool value").tag(sync=True)

    @validate("value")
    def _validate_value(self, proposal):
        return self._done(proposal["value"])


# --------------------------------------------------------------------------- the widget

class _Drawer:
    """One daemon thread that draws, for every widget, the latest values that came from
    the browser. A widget asks with :meth:`request`; asking again before the thread got
    to it changes nothing (the thread reads the controls when it starts drawing)."""

    def __init__(self):
        self.cv = threading.Condition()
        self.pending = {}          # id(plot) -> plot, in order of asking
        self.busy = None           # the plot being drawn
        self.thread = None

    def request(self, plot):
        with self.cv:
            self.pending.setdefault(id(plot), plot)
            plot._idle.clear()
            if self.thread is None or not self.thread.is_alive():
                self.thread = threading.Thread(target=self._run, name="nnlib-widget-drawer", daemon=True)
                self.thread.start()
            self.cv.notify()

    def _run(self):
        while True:
            with self.cv:
                while not self.pending:
                    self.cv.wait()
                key = next(iter(self.pending))
                plot = self.busy = self.pending.pop(key)
            try:
                plot._redraw()
            except BaseException:  # noqa: BLE001 - nothing may stop the drawing thread
                pass
            finally:
                with self.cv:
                    self.busy = None
                    if id(plot) not in self.pending:
                        plot._idle.set()


_DRAWER = _Drawer()


class InteractivePlot:
    """Controls + compute + view + readout, redrawn in place.

    ``controls``: dict name -> ipywidgets control (its ``value`` is passed to
    ``compute`` under that name). ``view``: a :class:`FigureView` subclass (or a
    plain ``draw(state) -> Figure`` function). ``readout(state) -> str`` (HTML).
    ``constrain(values) -> (values, notes)``: optional, fixes combinations the
    controls cannot refuse by themselves and says why. ``height``: fixed height
    of the plot area (the page does not jump while it redraws).

    ``state`` is the state on screen; ``updates`` counts the images drawn (an
    update whose state did not change draws nothing); ``notes`` lists what the
    readout says about values that could not be used; ``error`` the last
    exception caught (None after a good update); ``image`` is the
    ``ipywidgets.Image`` that shows the PNG; ``last_draw_seconds`` how long the
    last image took. ``wait()`` waits for the drawing thread (values from the browser).
    """

    def __init__(self, controls: dict, compute, view, readout=None, *, height: str = "430px",
                 title: str | None = None, layout: str = "vertical", constrain=None):
        self.controls = dict(controls)
        self.compute, self.readout_fn, self.constrain = compute, readout, constrain
        is_view = isinstance(view, type) and issubclass(view, FigureView)
        self._make_view = view if is_view else (lambda state: _DrawEachTime(view, state))
        self.view_class = view if is_view else None
        self.draw = None if is_view else view            # old-style widgets: a draw function
        self.view = None
        self.image = w.Image(format="png", layout=w.Layout(max_width="100%", height="auto"))
        self.output = w.Box([self.image], layout=w.Layout(height=height, overflow="hidden"))
        self.output.add_class("nnlib-plot")
        self.readout = w.HTML(layout=w.Layout(min_height="1.6em"))
        self.readout.add_class("nnlib-readout")
        self.updates = 0
        self.state = None
        self.notes: list[str] = []
        self.error = None
        self._values = None       # the cleaned values of the state on screen
        self._lock = threading.RLock()
        self._quiet = threading.local()
        self._idle = threading.Event()
        self._idle.set()
        self._holding = 0
        self.last_draw_seconds = None   # how long the last image took (update + PNG)
        box = w.HBox if layout == "horizontal" else w.VBox
        parts = [w.HTML(f"<b>{title}</b>")] if title else []
        parts += [box(list(self.controls.values())), self.readout, self.output]
        self.ui = w.VBox(parts)
        for control in self.controls.values():
            control.observe(self._changed, names="value")
            if isinstance(control, _Cleaned):
                control.__dict__["_listener"] = self._note_arrived
        self._refused = []        # notes of set() about values a control refused
        self._first = True
        try:
            self.update()
        finally:
            self._first = False

    # ------------------------------------------------------------- public
    def values(self) -> dict:
        return {name: c.value for name, c in self.controls.items()}

    def set(self, **values) -> dict:
        """Set controls as a learner would and draw once, before returning the new state.

        A value that cannot be used (None, NaN, out of range, not on the menu) is
        replaced, and the readout says so; nothing raises but an unknown name."""
        unknown = set(values) - set(self.controls)
        if unknown:
            raise ValueError(f"set(): no control called {', '.join(sorted(map(repr, unknown)))}; "
                             f"the controls are {', '.join(self.controls)}.")
        notes = []
        with self._hold():
            for name, value in values.items():
                control = self.controls[name]
                try:
                    control.value = value
                except Exception as exc:  # noqa: BLE001 - a control that is not one of ours refused it
                    notes.append(f"{_label(control, name)} = {show(value)} was refused "
                                 f"({type(exc).__name__}): using {show(control.value)}")
        self._refused.extend(notes)
        self.update()
        return self.state

    def wait(self, timeout: float = 10.0) -> bool:
        """Wait until the drawing thread has drawn the latest values from the browser."""
        return self._idle.wait(timeout)

    def figure(self):
        """A static matplotlib figure of the current state (for readers without a kernel)."""
        with _DRAW_LOCK:
            return self._make_view(self.state).fig

    def update(self, *_):
        """Read the controls, compute, and draw now if the state changed (the readout is
        rewritten either way). Called for every change; subclasses may override it (calling
        ``super().update()``) and call it. It runs in the drawing thread for browser changes."""
        with self._lock, _DRAW_LOCK:
            notes, self._refused = self._refused, []
            self._update(notes, self._first)

    # ------------------------------------------------------------- change handling
    def _changed(self, change):
        if getattr(self._quiet, "on", False):
            return                      # our own write-back of a cleaned value
        if self._holding:
            return                      # set() draws once when all its values are in
        if getattr(change["owner"], "_property_lock", None):
            _DRAWER.request(self)       # from the browser: draw the latest values soon
        else:
            self.update()               # from code: draw now

    def _note_arrived(self):
        """A control refused a value and kept its own: show the note."""
        if getattr(self._quiet, "on", False) or self.state is None:
            return
        if not self._holding:
            self.update()

    def _redraw(self):
        self.update()

    @contextlib.contextmanager
    def _hold(self):
        self._holding += 1
        try:
            yield
        finally:
            self._holding -= 1

    @contextlib.contextmanager
    def _writing(self):
        self._quiet.on = True
        try:
            yield
        finally:
            self._quiet.on = False

    # ------------------------------------------------------------- the update itself
    def _clean(self, notes):
        values = {}
        for name, control in self.controls.items():
            if isinstance(control, _Cleaned):
                notes.extend(control.take_notes())
            value = control.value
            last = None if self._values is None else self._values.get(name)
            bad = value is None or (isinstance(value, (float, np.floating)) and not math.isfinite(value))
            if bad and last is not None:   # a control that is not one of ours took a bad value
                notes.append(f"{_label(control, name)} = {show(value)} cannot be used: using {show(last)}")
                value = last
                self._write_back(name, value)
            values[name] = value
        if self.constrain is not None:
            fixed, more = self.constrain(dict(values))
            notes.extend(more)
            for name, value in fixed.items():
                if name in self.controls and not _same(value, values.get(name)):
                    self._write_back(name, value)
            values = fixed
        return values

    def _write_back(self, name, value):
        control = self.controls[name]
        with self._writing():
            try:
                control.value = value
            except Exception:  # noqa: BLE001 - the control keeps its value; the widget uses `value`
                pass
            if isinstance(control, _Cleaned):
                control.take_notes()

    def _update(self, notes, first):
        try:
            values = self._clean(notes)
            state = self.compute(**values)
        except Exception as exc:  # noqa: BLE001 - shown in the readout
            if first:
                raise
            self._show_error(notes, "could not compute this setting", exc)
            return
        try:
            if self.view is None or not _same(state, self.state):
                start = time.perf_counter()
                if self.view is None:
                    self.view = self._make_view(state)
                else:
                    self.view.update(state)
                png = self.view.frame()
                if png != self.image.value:
                    self.image.value = png
                self.updates += 1
                self.last_draw_seconds = time.perf_counter() - start
        except Exception as exc:  # noqa: BLE001 - shown in the readout
            if first:
                raise
            self.view = None              # half-updated: build it anew next time
            self._show_error(notes, "could not draw this setting", exc)
            return
        self.state, self._values, self.error = state, values, None
        self._show_readout(notes)

    def _show_error(self, notes, what, exc):
        self.error = exc
        message = str(exc).strip().splitlines()[0] if str(exc).strip() else ""
        notes.append(f"{what} ({type(exc).__name__}{': ' + message if message else ''}); "
                     "the picture shows the last setting that worked")
        self._show_readout(notes)

    def _show_readout(self, notes):
        self.notes = list(notes)
        text = ""
        if self.readout_fn is not None and self.state is not None:
            try:
                text = self.readout_fn(self.state)
            except Exception as exc:  # noqa: BLE001
                text = f"(the readout failed: {type(exc).__name__}: {html.escape(str(exc))})"
        if notes:
            warning = "; ".join(html.escape(n, quote=False) for n in notes)
            text += (f'<br><span class="nnlib-note" style="color:#a33f00">⚠ {warning}</span>'
                     if text else f'<span class="nnlib-note" style="color:#a33f00">⚠ {warning}</span>')
        self.readout.value = text

    def _repr_mimebundle_(self, **kwargs):
        return self.ui._repr_mimebundle_(**kwargs)

    def _ipython_display_(self):
        from IPython.display import display
        display(self.ui)


def _same(a, b) -> bool:
    """Deep equality of two states (dicts, lists, arrays, numbers; NaN equals NaN)."""
    if a is b:
        return True
    if isinstance(a, dict):
        return isinstance(b, dict) and a.keys() == b.keys() and all(_same(a[k], b[k]) for k in a)
    if isinstance(a, (list, tuple)):
        return (isinstance(b, (list, tuple)) and len(a) == len(b)
                and all(_same(x, y) for x, y in zip(a, b)))
    if isinstance(a, np.ndarray) or isinstance(b, np.ndarray):
        a, b = np.asarray(a), np.asarray(b)
        if a.shape != b.shape or a.dtype != b.dtype:
            return False
        try:
            return bool(np.array_equal(a, b, equal_nan=a.dtype.kind in "fc"))
        except TypeError:
            return bool(np.array_equal(a, b))
    try:
        equal = a == b
        if isinstance(equal, (bool, np.bool_)):
            if equal:
                return type(a) is type(b) or not (isinstance(a, bool) or isinstance(b, bool))
            return (isinstance(a, (float, np.floating)) and isinstance(b, (float, np.floating))
                    and math.isnan(a) and math.isnan(b))
        return False
    except Exception:  # noqa: BLE001 - objects that cannot be compared count as changed
        return False


# --------------------------------------------------------------------------- controls

def slider(value, min, max, step, description, continuous_update=True, readout_format=".2f"):
    """A FloatSlider with the course's look (wide description, fixed width)."""
    return FloatSlider(value=value, min=min, max=max, step=step, description=description,
                       continuous_update=continuous_update, readout_format=readout_format,
                       style={"description_width": "initial"}, layout=w.Layout(width="340px"))


def log_slider(value, min_exponent, max_exponent, description, step=0.05, readout_format=".3f",
               continuous_update=False):
    """A FloatLogSlider from 10**min_exponent to 10**max_exponent, for a quantity whose
    interesting values span decades (a learning rate, a steepness)."""
    return FloatLogSlider(value=value, base=10, min=min_exponent, max=max_exponent, step=step,
                          description=description, readout_format=readout_format,
                          continuous_update=continuous_update, style={"description_width": "initial"},
                          layout=w.Layout(width="340px"))


def int_slider(value, min, max, description, step=1, continuous_update=False):
    """An IntSlider; with ``step`` > 1 its values are min, min + step, ... (others are put on a step)."""
    return IntSlider(value=value, min=min, max=max, step=step, description=description,
                     continuous_update=continuous_update, style={"description_width": "initial"},
                     layout=w.Layout(width="340px"))


def dropdown(options, value, description):
    """A Dropdown menu; ``options`` a list of values or of (label, value) pairs."""
    return Dropdown(options=options, value=value, description=description,
                    style={"description_width": "initial"}, layout=w.Layout(width="340px"))


def checkbox(value, description, width="140px"):
    """A Checkbox (True/False)."""
    return Checkbox(value=value, description=description, indent=False, layout=w.Layout(width=width))
