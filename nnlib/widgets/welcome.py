r"""Lesson 0's environment check: are the tools there, are the MNIST files there, do widgets work?

:func:`environment_check` prints a short report (Python, numpy, matplotlib,
ipywidgets and nnlib versions; the four MNIST files) and shows a slider. If
moving the slider changes the readout and the plot, widgets work in this
editor. The slider drives the sigmoid :math:`a = \sigma(z) = 1 / (1 + e^{-z})`,
the curve lesson 1 starts from.

Pieces: :func:`compute_environment` and :func:`environment_report` (the
report), :func:`compute_check`, :func:`draw_check` and :func:`check_readout`
(the slider), :func:`environment_check` (all of it, one line in a notebook).
"""
from __future__ import annotations

import gzip
import os
import platform
import struct
import sys
from importlib import metadata
from pathlib import Path

import numpy as np

from .. import __version__ as nnlib_version
from .. import datasets
from ..activations import sigmoid
from .base import FigureView, InteractivePlot, new_figure, slider

#: file name -> (magic number, number of items) in the header of each MNIST file
MNIST_FILES = {
    "train-images-idx3-ubyte.gz": (2051, 60000),
    "train-labels-idx1-ubyte.gz": (2049, 60000),
    "t10k-images-idx3-ubyte.gz": (2051, 10000),
    "t10k-labels-idx1-ubyte.gz": (2049, 10000),
}
#: packages the report lists, with the oldest versions the course supports
PACKAGES = {"numpy": "1.24", "matplotlib": "3.7", "ipywidgets": "8.1"}


def default_mnist_dir() -> Path:
    """Where ``nnlib.datasets.load_mnist`` looks: ``$NNLIB_MNIST_DIR``, else ``<repository>/data/mnist``."""
    env = os.environ.get(datasets.ENV_VAR, "").strip()
    return Path(env).expanduser() if env else datasets.default_mnist_dir()


def check_mnist_file(directory: Path, name: str) -> str:
    """'ok', or what is wrong with the MNIST file ``name`` in ``directory``.

    Reads only the 8-byte header inside the gzip file (magic number and item
    count), so the check is instant; ``load_mnist`` verifies the full checksums.
    """
    magic, count = MNIST_FILES[name]
    path = Path(directory) / name
    if not path.is_file():
        if path.with_suffix("").exists():
            return f"missing: found the unpacked {path.with_suffix('').name}, the loader reads {name}"
        return "missing"
    try:
        with gzip.open(path, "rb") as f:
            header = f.read(8)
    except (OSError, EOFError) as err:
        return f"cannot read it: {err}"
    if len(header) < 8:
        return "truncated"
    found_magic, found_count = struct.unpack(">II", header)
    if (found_magic, found_count) != (magic, count):
        return (f"not the expected MNIST file (its header says magic {found_magic}, "
                f"{found_count} items; expected {magic}, {count})")
    return "ok"


def _version(package: str) -> str:
    try:
        return metadata.version(package)
    except metadata.PackageNotFoundError:
        return "not installed"


def _parts(version: str) -> tuple:
    """'8.1.8' -> (8, 1, 8); stops at the first part that is not a number ('2.1.0rc1' -> (2, 1))."""
    parts = []
    for p in version.split(".")[:3]:
        if not p.isdigit():
            break
        parts.append(int(p))
    return tuple(parts)


def _at_least(version: str, minimum: str) -> bool:
    found = _parts(version)
    return bool(found) and found >= _parts(minimum)


def compute_environment(mnist_dir=None) -> dict:
    """Versions and MNIST files, as a dict.

    Keys: ``python``, ``versions`` (package -> version string, including nnlib),
    ``mnist_dir`` (Path), ``mnist`` (file name -> 'ok' or the problem),
    ``problems`` (list of sentences, empty when all is well), ``ok`` (bool).
    """
    directory = Path(mnist_dir) if mnist_dir is not None else default_mnist_dir()
    versions = {name: _version(name) for name in PACKAGES}
    versions["nnlib"] = nnlib_version
    problems = []
    if sys.version_info < (3, 10):  # noqa: UP036 (the check is for a learner on an older Python)
        problems.append(f"Python {platform.python_version()}: the course needs Python >= 3.10.")
    for name, minimum in PACKAGES.items():
        if not _at_least(versions[name], minimum):
            problems.append(f"{name} {versions[name]}: the course needs {name} >= {minimum}.")
    if _at_least(versions["ipywidgets"], "8.1.9"):
        problems.append(f"ipywidgets {versions['ipywidgets']}: VS Code shows no widgets with 8.1.9; "
                        "install the course's pinned version (pip install -e .).")
    mnist = {name: check_mnist_file(directory, name) for name in MNIST_FILES}
    for name, status in mnist.items():
        if status != "ok":
            problems.append(f"MNIST file {name} in {directory}: {status}.")
    return {"python": platform.python_version(), "versions": versions, "mnist_dir": directory,
            "mnist": mnist, "problems": problems, "ok": not problems}


def environment_report(info: dict) -> str:
    """The plain-text report :func:`environment_check` prints."""
    lines = [f"Python       {info['python']}"]
    lines += [f"{name:<12} {version}" for name, version in info["versions"].items()]
    found = sum(status == "ok" for status in info["mnist"].values())
    lines.append(f"MNIST files  {found} of {len(info['mnist'])} found in {info['mnist_dir']}")
    if info["ok"]:
        lines.append("Everything the course needs is here.")
    else:
        lines.append("Problems:")
        lines += [f"  - {p}" for p in info["problems"]]
        if any(p.startswith("MNIST") for p in info["problems"]):
            lines.append("  (the MNIST files ship with the course in data/mnist/; "
                         "set NNLIB_MNIST_DIR if you keep them elsewhere)")
    return "\n".join(lines)


def compute_check(z: float = 0.0) -> dict:
    r"""The slider's state: :math:`z`, :math:`a = \sigma(z)` and the curve to draw (``zs``, ``curve``)."""
    z = float(z)
    zs = np.linspace(-6.0, 6.0, 241)
    return {"z": z, "a": float(sigmoid(np.float64(z))), "zs": zs, "curve": sigmoid(zs)}


def check_readout(state: dict) -> str:
    """'z = 1.00 → σ(z) = 0.731'."""
    return f"z = {state['z']:.2f} → σ(z) = {state['a']:.3f}"


class CheckView(FigureView):
    """The sigmoid curve with a dot at the slider's z (kept; the dot and title move)."""

    figsize = (6.0, 2.6)

    def __init__(self, state: dict):
        self.fig = new_figure(self.figsize)
        ax = self.ax = self.fig.add_axes((0.1, 0.2, 0.85, 0.68))
        ax.axhline(0.5, color="0.8", lw=0.8)
        ax.axvline(0, color="0.8", lw=0.8)
        self.curve, = ax.plot(state["zs"], state["curve"], lw=2.2, color="#1f77b4")
        self.dot, = ax.plot([], [], "o", ms=10, color="#ff7f0e", mec="black")
        ax.set_xlim(-6, 6)
        ax.set_ylim(-0.05, 1.05)
        ax.set_xlabel("z")
        ax.set_ylabel("σ(z)")
        ax.grid(alpha=0.3)
        self.title = ax.set_title("", fontsize=10, y=1.0)
        self.update(state)

    def update(self, state: dict):
        self.curve.set_data(state["zs"], state["curve"])
        self.dot.set_data([state["z"]], [state["a"]])
        self.title.set_text(f"σ({state['z']:.2f}) = {state['a']:.3f}")

    def dynamic_artists(self):
        return [self.curve, self.dot, self.title]


def draw_check(state: dict):
    """The sigmoid curve with a dot at the slider's z (a new Figure)."""
    return CheckView(state).fig


def environment_check(mnist_dir=None, z: float = 0.0) -> InteractivePlot:
    """Print the environment report and return a slider whose readout and plot follow it.

    If the report says "Everything the course needs is here" and moving the
    slider changes the numbers under it, you are ready.
    """
    print(environment_report(compute_environment(mnist_dir)))
    controls = {"z": slider(z, -6.0, 6.0, 0.1, "z", continuous_update=False)}
    return InteractivePlot(controls, compute_check, CheckView, check_readout, height="280px",
                           title="Widget check: move the slider; the numbers and the dot should follow.")
