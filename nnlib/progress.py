"""The progress display of ``Network.fit``: a bar in a notebook, a line per epoch in a terminal."""
from __future__ import annotations

import sys
import time

__all__ = ["Progress", "in_notebook"]


def in_notebook() -> bool:
    """True inside a Jupyter kernel (JupyterLab, VS Code, Colab), False in a terminal or script."""
    try:
        from IPython import get_ipython
    except ImportError:
        return False
    shell = get_ipython()
    return shell is not None and type(shell).__name__ in ("ZMQInteractiveShell", "Shell")


def _format(logs):
    return "  ".join(f"{k} {v:.4f}" for k, v in logs.items() if v is not None)


class Progress:
    """Shows training progress. ``verbose``: True/"auto" (bar in notebooks, lines
    elsewhere), "bar", "lines", or False for silence."""

    def __init__(self, epochs: int, batches: int, verbose=True, stream=None):
        self.epochs, self.batches = epochs, batches
        self.stream = stream or sys.stdout
        if verbose is True or verbose == "auto":
            verbose = "bar" if in_notebook() else "lines"
        self.mode = verbose or None
        self._last_draw = 0.0
        self.bar = self.label = None
        if self.mode == "bar":
            try:
                import ipywidgets as w
                from IPython.display import display
            except ImportError:  # pragma: no cover - ipywidgets is a dependency
                self.mode = "lines"
            else:
                self.bar = w.IntProgress(min=0, max=max(1, epochs * batches), description="training",
                                         layout=w.Layout(width="50%"))
                self.label = w.HTML()
                display(w.HBox([self.bar, self.label]))

    def batch(self, epoch: int, batch: int):
        if self.mode != "bar":
            return
        now = time.perf_counter()
        if now - self._last_draw > 0.1:  # redraw at most ten times a second
            self._last_draw = now
            self.bar.value = epoch * self.batches + batch + 1

    def epoch_end(self, epoch: int, logs: dict, seconds: float):
        text = f"epoch {epoch + 1}/{self.epochs}  {_format(logs)}  ({seconds:.2f} s)"
        if self.mode == "lines":
            print(text, file=self.stream, flush=True)
        elif self.mode == "bar":
            self.bar.value = (epoch + 1) * self.batches
            self.label.value = text

    def message(self, text: str):
        if self.mode == "bar":
            self.label.value = text
            self.bar.bar_style = "warning"
        if self.mode:
            print(text, file=self.stream, flush=True)

    def close(self):
        if self.mode == "bar":
            self.bar.value = self.bar.max
            if self.bar.bar_style != "warning":
                self.bar.bar_style = "success"
