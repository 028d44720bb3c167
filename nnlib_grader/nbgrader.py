r"""nbgrader's hidden tests: ``hidden_test(name, fn)``, called from the hidden-test blocks of the
solution notebooks (``### BEGIN HIDDEN TESTS``), which nbgrader keeps in the source and puts
back only when it autogrades.

The block imports the grading side afresh (it first drops nnlib_grader from
``sys.modules``), and :func:`hidden_test` imports nnlib afresh as well, then puts the
notebook's modules back; so a notebook that redefined ``check``, replaced ``nnlib.checks``
or patched ``nnlib.activations`` does not change what the hidden test computes. (An
exercise whose reference builds objects of the learner's nnlib, ``train_mnist``, runs with
the notebook's library modules and fresh checks.) It runs every
case, hidden ones included, and raises ``AssertionError`` with the one-line reason (never a
hidden case's values) when the function fails, which nbgrader counts as 0 points.

What this cannot protect: the test still runs inside the student's kernel, after the
student's code, as nbgrader's autograder always does. A notebook can replace builtins or the
import system, read the hidden cases and reference answers from the grader's installed
files, or make the process exit. INSTRUCTORS.md says so; ``python -m nnlib.grade`` (a sandbox
per submission, judging outside it) is the grader to use for graded work.
"""
from __future__ import annotations

import sys

# nnlib's modules that the checks never need afresh (heavy, and nothing a check reads)
_KEEP = ("nnlib.widgets", "nnlib.plots")


def _drop_modules():
    for name in list(sys.modules):
        top = name.split(".")[0]
        if top in ("nnlib", "nnlib_grader") and not name.startswith(_KEEP):
            del sys.modules[name]


def hidden_test(name: str, fn) -> None:
    """Every case of the exercise ``name`` on ``fn``; AssertionError when it fails."""
    __tracebackhide__ = True
    saved = dict(sys.modules)
    _drop_modules()
    try:
        from nnlib.checks.core import run_in_process
        from nnlib_grader.exercises import EXERCISES
        ex = EXERCISES[name]
        if not ex.private_uses:   # its reference builds objects that must work with the notebook's nnlib
            for key, module in saved.items():
                if key.split(".")[0] == "nnlib" and not key.startswith("nnlib.checks"):
                    sys.modules[key] = module
        if not callable(fn):
            raise AssertionError(f"{name}: {type(fn).__name__} is not a function")
        result = run_in_process(ex, fn, hidden=True, quiet=True)
    finally:
        sys.modules.clear()
        sys.modules.update(saved)
    if not result.passed:
        raise AssertionError(f"{name}: {result.reason}")
