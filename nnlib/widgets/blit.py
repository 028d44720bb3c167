"""Quick frames for kept figures whose moving artists lie under others.

:class:`~nnlib.widgets.base.FigureView` draws a quick frame (``frame()``) by keeping a
picture of everything but its dynamic artists and drawing only those over it. That
is right only if nothing that is *not* redrawn lies over them: test points over a
moving decision surface, a legend over moving loss curves. A :class:`BlitView` lists
what its :meth:`~BlitView.update` changes in :meth:`~BlitView.moving`; its dynamic
artists are those plus every artist the full drawing puts over them (the same Axes,
an equal or higher z-order), in the order matplotlib draws them, so a quick frame
has the same pixels as the full drawing.
"""
from __future__ import annotations

from operator import methodcaller

from matplotlib.axes import Axes
from matplotlib.axis import Axis

from .base import FigureView


def in_drawing_order(fig, moving) -> list:
    """``moving`` and every artist that the full drawing would draw over them (the same
    Axes, an equal or higher z-order), Axes by Axes in the order matplotlib draws them;
    artists outside any Axes (a figure title) last."""
    ordered, rest = [], [a for a in moving if a is not None]
    for ax in fig.axes:
        mine = [a for a in rest if a.axes is ax]
        if not mine:
            continue
        ids = {id(a) for a in mine}
        lowest = min(a.get_zorder() for a in mine)
        chosen = [a for a in ax.get_children()
                  if id(a) in ids or (a is not ax.patch and not isinstance(a, (Axis, Axes))
                                      and a.get_zorder() >= lowest)]
        ordered += sorted(chosen, key=methodcaller("get_zorder"))   # stable, as Axes.draw sorts
        rest = [a for a in rest if id(a) not in ids]
    return ordered + sorted(rest, key=methodcaller("get_zorder"))


class BlitView(FigureView):
    """A FigureView whose dynamic artists are :meth:`moving` and what lies over them."""

    def moving(self) -> list:
        """The artists :meth:`update` changes."""
        raise NotImplementedError

    def dynamic_artists(self) -> list:
        return in_drawing_order(self.fig, self.moving())
