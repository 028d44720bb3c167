"""The checks are fair (issue 12, "Checks that are unfair").

A check accepts every correct answer (any value-, shape- and dtype-equal result, 0-d arrays and
Python scalars included), has a visible case for every failure the exercise text warns about,
checks the process the text demands (not only the outcome) with a hint that names it, and never
hands over the answer: folded hints go from what to think about to the formula, and a mistake the
checks do not know gets a diagnosis instead of the expected solution.

The learner's ``check`` (visible cases, generated data) and the grader's exercises
(``nnlib_grader.exercises``, hidden cases included) are both tried.
"""
from __future__ import annotations

import re
from pathlib import Path

import nbformat
import numpy as np
import pytest

from nnlib.checks import EXERCISES, check
from nnlib.checks import runner
from nnlib.checks.core import run_in_process

ROOT = Path(__file__).resolve().parent.parent
SOLUTIONS = ROOT / "solutions"

try:
    from nnlib_grader.exercises import EXERCISES as GRADER
except ImportError:  # a learner install: only the visible side
    GRADER = None

needs_grader = pytest.mark.skipif(GRADER is None, reason="needs the grading side (nnlib_grader)")


def _check(name, fn, capsys):
    result = check(name, fn)
    return result, capsys.readouterr().out


def _grade(name, fn):
    """The grader's judgement, hidden cases included, in this process."""
    return run_in_process(GRADER[name], fn, hidden=True, quiet=True)


# ----------------------------------------------------------------------------- 0-d answers
def test_a_0d_array_survives_the_trip_to_the_checking_side():
    for value in (np.array(0.5), np.array(3), np.float64(0.25), 0.25, 7):
        back = runner.roundtrip(value)
        assert np.shape(back) == np.shape(value) and back == value


def _robust_sigmoid(z):
    e = np.exp(-np.abs(z))
    return np.where(z >= 0, 1 / (1 + e), e / (1 + e))   # 0-d array for a number


@pytest.mark.parametrize("name,fn", [
    ("sigmoid", _robust_sigmoid),
    ("sigmoid", lambda z: np.array(0.5 * (1 + np.tanh(np.asarray(z) / 2)))),
    ("sigmoid_prime", lambda z: np.array(_robust_sigmoid(z) * (1 - _robust_sigmoid(z)))),
    ("tanh", lambda z: np.where(True, 2 * _robust_sigmoid(2 * np.asarray(z)) - 1, 0.0)),
    ("tanh_prime", lambda z: np.array(1 - np.tanh(z) ** 2)),
    ("weighted_sum", lambda x, w, b: np.array(x @ w + b)),
    ("mse", lambda a, y: np.array(0.5 * np.sum((a - y) ** 2) / a.shape[0])),
    ("rel_error", lambda a, b: np.array(np.max(np.abs(a - b) / np.maximum(1e-8, np.abs(a) + np.abs(b))))),
    ("rel_error", lambda a, b: float(np.max(np.abs(a - b) / np.maximum(1e-8, np.abs(a) + np.abs(b))))),
])
def test_answers_equal_in_value_and_shape_pass_also_as_0d_arrays(name, fn, capsys):
    result, out = _check(name, fn, capsys)
    assert result.passed, out
    if GRADER is not None:
        graded = _grade(name, fn)
        assert graded.passed, graded.message
