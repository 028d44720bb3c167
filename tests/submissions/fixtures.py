"""Build submissions for the grading tests from the solution notebooks.

A submission is the solution notebook of an exercise set with some cells changed:
graded functions replaced by buggy versions (``bugs.BUGS``), cells inserted,
check cells edited. ``HOSTILE`` lists the submissions that try to break or fool
the grader, with what the grade must be.
"""
from __future__ import annotations

import copy
import json
from pathlib import Path

import nbformat
from nbformat.v4 import new_code_cell

ROOT = Path(__file__).resolve().parents[2]
SOLUTIONS = ROOT / "solutions"


def load(lesson):
    return nbformat.read(SOLUTIONS / f"{lesson}.ipynb", as_version=4)


def _gid(cell):
    return cell.get("metadata", {}).get("nbgrader", {}).get("grade_id")


def variant(lesson, replace=None, after=None, sources=None):
    """The solution notebook with changes.

    * ``replace``: exercise name -> new source of its solution cell;
    * ``after``: grade_id of a cell (e.g. "setup", "check_sigmoid") -> source of a code cell to insert after it;
    * ``sources``: grade_id -> new source for that cell (e.g. to edit a check cell).
    """
    nb = copy.deepcopy(load(lesson))
    replace, after, sources = replace or {}, after or {}, sources or {}
    known = {_gid(c) for c in nb.cells}
    for key in list(replace) + list(after) + list(sources):
        assert key in known, f"{lesson} has no cell {key!r}"
    cells = []
    for cell in nb.cells:
        gid = _gid(cell)
        if gid in replace:
            cell.source = replace[gid]
        if gid in sources:
            cell.source = sources[gid]
        cells.append(cell)
        if gid in after:
            cells.append(new_code_cell(after[gid]))
    nb.cells = cells
    return nb


def write(nb, path):
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    nbformat.write(nb, path)
    return path


def code_cells(nb):
    return [c.source for c in nb.cells if c.cell_type == "code"]


# name -> (exercise set, how to build it, what the grade must be)
# "expect": exercise -> ("pass" | a status | a text the feedback must contain); unlisted exercises pass.
HOSTILE = {
    "raises_in_a_cell": dict(
        lesson="01_neuron", after={"setup": "raise RuntimeError('boom')"},
        expect={}, note="raised RuntimeError: boom"),
    "function_loops_forever": dict(
        lesson="01_neuron", replace={"weighted_sum": "def weighted_sum(x, w, b):\n    while True:\n        pass"},
        expect={"weighted_sum": "timeout"}),
    "function_swallows_the_timeout": dict(
        lesson="01_neuron",
        replace={"weighted_sum": "def weighted_sum(x, w, b):\n    while True:\n        try:\n"
                                 "            while True:\n                pass\n        except BaseException:\n"
                                 "            pass"},
        expect={"weighted_sum": "timeout"}),
    "cell_loops_forever": dict(
        lesson="01_neuron", after={"setup": "while True:\n    pass"},
        expect={}, note="was stopped after"),
    "cell_ignores_interrupts": dict(
        lesson="01_neuron",
        after={"setup": "import time\nwhile True:\n    try:\n        time.sleep(0.05)\n"
                        "    except BaseException:\n        pass"},
        expect={}, note="did not respond"),
    "kernel_exits": dict(
        lesson="01_neuron", after={"check_weighted_sum": "import os\nos._exit(1)"},
        expect={}, note="made the notebook's process exit"),
    "prints_megabytes": dict(
        lesson="01_neuron",
        after={"setup": "for i in range(40):\n    print('x' * 1_000_000)"},
        replace={"weighted_sum": "def weighted_sum(x, w, b):\n    print('y' * 3_000_000)\n    return x @ w + b"},
        expect={}),
    "wrong_type": dict(
        lesson="01_neuron", replace={"weighted_sum": "def weighted_sum(x, w, b):\n    return 'z'"},
        expect={"weighted_sum": "returned a str"}),
    "wrong_shape": dict(
        lesson="01_neuron", replace={"perceptron_predict": "def perceptron_predict(X, w, b):\n"
                                                           "    return (X @ w + b >= 0).astype(int)[:, None]"},
        expect={"perceptron_predict": "wrong shape"}),
    "renamed_function": dict(
        lesson="01_neuron", replace={"neuron_output": "def neuron_outptu(x, w, b):\n"
                                                      "    return 1 / (1 + np.exp(-(x @ w + b)))"},
        expect={"neuron_output": "neuron_outptu"}),
    "deleted_function": dict(
        lesson="01_neuron", replace={"neuron_output": ""},
        expect={"neuron_output": "no function named neuron_output"}),
    "check_cell_edited_to_pass": dict(
        lesson="01_neuron", replace={"weighted_sum": "def weighted_sum(x, w, b):\n    return x @ w"},
        sources={"check_weighted_sum": "print('✓ weighted_sum: all 3 cases pass (1 point)')"},
        expect={"weighted_sum": "left out the bias"}),
    "check_redefined": dict(
        lesson="01_neuron", replace={"weighted_sum": "def weighted_sum(x, w, b):\n    return x @ w"},
        after={"setup": "def check(*args, **kwargs):\n    print('✓ all cases pass')\n    return True\n"
                        "check_all = check"},
        expect={"weighted_sum": "left out the bias"}),
    "nnlib_monkey_patched": dict(
        lesson="02_activations",
        replace={"sigmoid": "def sigmoid(z):\n    return z",
                 "sigmoid_prime": "def sigmoid_prime(z):\n    return sigmoid(z)"},
        after={"setup": "import nnlib.activations, nnlib.checks, nnlib.checks.core as core\n"
                        "nnlib.activations.sigmoid = nnlib.activations.sigmoid_prime\n"
                        "nnlib.sigmoid = nnlib.sigmoid_prime\n"
                        "core.compare = lambda *a, **k: None\ncore.judge_case = lambda *a, **k: None\n"
                        "nnlib.checks.check = lambda *a, **k: print('✓')\n"
                        "np.allclose = lambda *a, **k: True\n"
                        "np.isclose = lambda a, b, **k: np.ones(np.shape(a), bool)"},
        expect={"sigmoid": "fail", "sigmoid_prime": "sigmoid(z) itself"}),
    "calls_nnlib": dict(
        lesson="02_activations",
        replace={"sigmoid": "def sigmoid(z):\n    return nnlib.sigmoid(z)",
                 "relu": "relu = nnlib.relu",
                 "relu_prime": "from nnlib.activations import relu_prime as _rp\n\n"
                               "def relu_prime(z):\n    return _rp(z)",
                 "tanh": "def tanh(z):\n    return np.tanh(z)"},
        expect={"sigmoid": "calls nnlib.activations.sigmoid", "relu": "calls nnlib.activations.relu",
                "relu_prime": "calls nnlib.activations.relu_prime", "tanh": "np.tanh"}),
}

RAW = {
    # notebook files that are not valid notebooks
    "invalid_json": '{"cells": [ {"cell_type": "code", "source": "def weighted_sum(x, w, b):',
    "not_a_notebook": json.dumps({"hello": "world"}),
}
