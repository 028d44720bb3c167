"""The one pattern every lesson widget follows.

A widget is three plain pieces, glued together here:

1. ``compute(**values) -> state``: the math. A pure function of the control
   values (slider positions, menu choices) returning a dict of numbers/arrays.
   Tests call it directly and check the numbers.
2. ``draw(state) -> Figure``: a matplotlib figure of that state. The same
   function makes the static figure a lesson shows for readers without a kernel.
3. ``readout(state) -> str``: one line of HTML with the key numbers, so the
   learner (and the browser test) can read what changed.

:class:`InteractivePlot` wires the controls to these: every change recomputes
the state, rewrites the readout, and redraws the figure inside a fixed-height
``Output`` (the ipywidgets documentation's pattern, with ``clear_output(wait=True)``
so the old figure stays until the new one is ready: no flicker, no jumping page).

In a notebook, a lesson shows a widget with one line, e.g.
``nnlib.widgets.neuron_explorer()``.
"""
from __future__ import annotations

import ipywidgets as w
import matplotlib.pyplot as plt
from IPython.display import clear_output, display


class InteractivePlot:
    """Controls + compute + draw + readout, redrawn in place.

    ``controls``: dict name -> ipywidgets control (its ``value`` is passed to
    ``compute`` under that name). ``height``: fixed height of the plot area.
    After any change, ``state`` holds the latest result of ``compute`` and
    ``updates`` counts redraws.
    """

    def __init__(self, controls: dict, compute, draw, readout=None, height: str = "430px",
                 title: str | None = None, layout: str = "vertical"):
        self.controls = dict(controls)
        self.compute, self.draw, self.readout_fn = compute, draw, readout
        self.output = w.Output(layout=w.Layout(height=height, overflow="hidden"))
        self.readout = w.HTML(layout=w.Layout(min_height="1.6em"))
        self.readout.add_class("nnlib-readout")
        self.updates = 0
        self.state = None
        box = w.HBox if layout == "horizontal" else w.VBox
        parts = [w.HTML(f"<b>{title}</b>")] if title else []
        parts += [box(list(self.controls.values())), self.readout, self.output]
        self.ui = w.VBox(parts)
        for control in self.controls.values():
            control.observe(self.update, names="value")
        self.update()

    def values(self) -> dict:
        return {name: c.value for name, c in self.controls.items()}

    def set(self, **values):
        """Set controls as a learner would (each change triggers a redraw); returns the new state."""
        for name, v in values.items():
            self.controls[name].value = v
        return self.state

    def update(self, *_):
        self.state = self.compute(**self.values())
        if self.readout_fn is not None:
            self.readout.value = self.readout_fn(self.state)
        with self.output:
            clear_output(wait=True)
            fig = self.draw(self.state)
            display(fig)
            plt.close(fig)
        self.updates += 1

    def figure(self):
        """A static matplotlib figure of the current state (for readers without a kernel)."""
        return self.draw(self.state)

    def _repr_mimebundle_(self, **kwargs):
        return self.ui._repr_mimebundle_(**kwargs)

    def _ipython_display_(self):
        display(self.ui)


def slider(value, min, max, step, description, continuous_update=True, readout_format=".2f"):
    """A FloatSlider with the course's look (wide description, fixed width)."""
    return w.FloatSlider(value=value, min=min, max=max, step=step, description=description,
                         continuous_update=continuous_update, readout_format=readout_format,
                         style={"description_width": "initial"}, layout=w.Layout(width="340px"))


def log_slider(value, min_exponent, max_exponent, description, step=0.05, readout_format=".3f",
               continuous_update=False):
    """A FloatLogSlider from 10**min_exponent to 10**max_exponent, for a quantity whose
    interesting values span decades (a learning rate, a steepness)."""
    return w.FloatLogSlider(value=value, base=10, min=min_exponent, max=max_exponent, step=step,
                            description=description, readout_format=readout_format,
                            continuous_update=continuous_update, style={"description_width": "initial"},
                            layout=w.Layout(width="340px"))


def int_slider(value, min, max, description, step=1, continuous_update=False):
    return w.IntSlider(value=value, min=min, max=max, step=step, description=description,
                       continuous_update=continuous_update, style={"description_width": "initial"},
                       layout=w.Layout(width="340px"))


def dropdown(options, value, description):
    return w.Dropdown(options=options, value=value, description=description,
                      style={"description_width": "initial"}, layout=w.Layout(width="340px"))
