"""Blitting for the widgets' kept figures: draw only what moves.

Most of the time of drawing a figure goes to its texts (tick labels, legends,
titles), and most of those do not change when a slider moves. A
:class:`BlitView` draws the unchanging part once, keeps that picture (the
*background*), and for every new image puts the background back and draws only
its *moving* artists on top, in their z-order, with whatever the full drawing puts
over them (points over an image, a legend over lines): the technique matplotlib
calls blitting (``copy_from_bbox`` / ``restore_region`` / ``draw_artist``).

A subclass says which artists move (:meth:`BlitView.moving`) and what the
background depends on (:meth:`BlitView.background_key`, e.g. the axis limits):
when the key changes, the background is drawn again. The picture is the same as
the one the full drawing gives with the same z-order (the tests compare a view
updated to a state with a view built from it). A figure made for a notebook
(never asked for :meth:`png`) is drawn the ordinary way.
"""
from __future__ import annotations

from io import BytesIO
from operator import methodcaller

from matplotlib.axes import Axes
from matplotlib.axis import Axis
from matplotlib.backends.backend_agg import FigureCanvasAgg
from PIL import Image

from .base import FigureView


def _in_drawing_order(fig, moving) -> list:
    """``moving`` and every artist that the full drawing would draw over them (the same
    Axes, an equal or higher z-order: points over a moving image, a legend over moving
    lines), Axes by Axes in the order matplotlib draws them."""
    ordered, rest = [], list(moving)
    for ax in fig.axes:
        mine = [a for a in moving if a.axes is ax]
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
    """A :class:`~nnlib.widgets.base.FigureView` whose :meth:`png` redraws only what moves."""

    _background = None
    _background_key = None

    def moving(self) -> list:
        """The artists :meth:`update` changes (drawn anew for every image)."""
        raise NotImplementedError

    def background_key(self):
        """Anything the rest of the figure depends on (a new value redraws it)."""
        return None

    def png(self) -> bytes:
        fig = self.fig
        if not isinstance(fig.canvas, FigureCanvasAgg):
            FigureCanvasAgg(fig)
        if fig.dpi != self.dpi:
            fig.set_dpi(self.dpi)
            self._background = None
        canvas = fig.canvas
        artists = _in_drawing_order(fig, [a for a in self.moving() if a is not None])
        for artist in artists:
            artist.set_animated(True)
        key = (self.background_key(), canvas.get_width_height())
        if self._background is None or key != self._background_key:
            canvas.draw()                  # everything that is not animated
            self._background = canvas.copy_from_bbox(fig.bbox)
            self._background_key = key
        else:
            canvas.restore_region(self._background)
        renderer = canvas.get_renderer()
        for artist in artists:
            if artist.get_visible():
                artist.draw(renderer)
        width, height = canvas.get_width_height()
        buffer = BytesIO()
        Image.frombuffer("RGBA", (width, height), canvas.buffer_rgba(), "raw", "RGBA", 0, 1).save(
            buffer, format="png", compress_level=1)
        return buffer.getvalue()
