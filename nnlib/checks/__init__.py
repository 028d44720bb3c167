"""Checks for the exercise notebooks: instant feedback in the notebook, the same judgement in the grader.

In an exercise notebook::

    from nnlib.checks import check
    check("sigmoid_prime", sigmoid_prime)

prints ``✓ sigmoid_prime: all 5 cases pass (1 point)`` or what went wrong: the
case, its input, the expected and the returned value, a wrong shape or dtype,
and a hint when the answer matches a mistake learners often make. An untouched
exercise prints "not implemented yet"; nothing raises (unless ``strict=True``,
which the hidden-test lines for nbgrader use, or nbgrader's Validate button is
running the notebook: then a failing check raises, so that Validate reports it).

Every exercise is checked on its own: when ``two_layer_forward`` calls your
``dense_forward``, the check runs it with a correct ``dense_forward``, so one
mistake costs the points of one exercise only. Graded functions are written
with numpy: calling into ``nnlib`` from them is reported (and scores 0), except
in the exercises that say they build on nnlib.

The cases here are the visible ones, with their expected values as generated
data (:mod:`nnlib.checks.visible`): no reference answer and no hidden case ships
with nnlib. The grader (``python -m nnlib.grade``, from the instructor's
``nnlib_grader`` package) adds hidden cases, runs each submission in a sandbox and
judges in its own process; it never trusts the notebook's ``check``.

* :data:`LESSONS`: exercise set name (``"02_activations"``) -> list of :class:`Exercise`.
* :data:`EXERCISES`: exercise name -> :class:`Exercise`.
"""
from __future__ import annotations

import difflib
import os
import sys

from .core import CheckResult, Exercise, grade_namespace, run_in_process
from .visible import load_all

try:
    LESSONS = load_all()
except FileNotFoundError:  # a source tree before `make exercises` wrote the data
    LESSONS = {}
EXERCISES = {ex.name: ex for exercises in LESSONS.values() for ex in exercises}

__all__ = ["check", "check_all", "CheckResult", "Exercise", "LESSONS", "EXERCISES", "exercise_set",
           "grade_namespace", "run_in_process", "total_points"]


def total_points(lesson: str) -> int:
    """Points available in one exercise set."""
    return sum(ex.points for ex in LESSONS[lesson])


def exercise_set(name: str) -> list[Exercise]:
    """The exercises of one set, by its name (``"03_layers_forward"``)."""
    try:
        return LESSONS[name]
    except KeyError:
        raise KeyError(f"no exercise set {name!r}; the sets are {', '.join(LESSONS)}") from None


def check(name: str, fn=None, *, hidden: bool = False, strict: bool = False,
          quiet: bool = False) -> CheckResult:
    """Check your function ``fn`` for the exercise ``name`` and print what happened.

    * ``fn``: the function to check; by default the variable called ``name`` in the
      calling notebook.
    * ``hidden=True`` is accepted for old notebooks and ignored: the hidden cases are
      the grader's (``nnlib_grader``), not part of nnlib.
    * ``strict=True`` raises ``AssertionError`` when the check fails (for nbgrader's
      autograder, which counts a test cell as passed when it does not raise).
    * ``quiet=True`` prints nothing (the result still tells).

    Under ``nbgrader validate`` (the Validate button; nbgrader sets the environment
    variable ``NBGRADER_EXECUTION="validate"``) every check is strict, so a failing
    exercise shows up as a failed cell instead of "Success!".

    Returns a :class:`CheckResult` (``.passed``, ``.earned``, ``.points``,
    ``.message``). It never raises because of your code, unless ``strict``.
    """
    __tracebackhide__ = True  # IPython shows a strict failure without this function's frames
    strict = strict or os.environ.get("NBGRADER_EXECUTION") == "validate"
    ex = EXERCISES.get(name)
    if ex is None:
        near = difflib.get_close_matches(str(name), list(EXERCISES), n=3)
        msg = (f"✗ there is no exercise called {name!r}"
               + (f"; did you mean {' or '.join(repr(n) for n in near)}?" if near else "."))
        if not quiet:
            print(msg)
        if strict:
            raise AssertionError(msg)
        return CheckResult(str(name), 0, False, "missing", 0, 0, msg, msg)
    if fn is None:
        caller = sys._getframe(1).f_globals
        if name not in caller:
            result = _missing_result(ex, f"there is no function named {name} in this notebook yet "
                                             "(run the cell that defines it)")
            return _finish(result, quiet, strict)
        fn = caller[name]
    if not callable(fn):
        result = _missing_result(ex, f"{name} is a {type(fn).__name__}, not a function")
        return _finish(result, quiet, strict)
    hidden = hidden and any(c.hidden for c in ex.cases())
    key = (name, hidden)
    cached = _LAST.get(key)
    if cached is not None and cached[0] is fn and ex.timeout > 30:
        result = cached[1]  # slow (it trains a network): same function, same cases, same result
    else:
        result = run_in_process(ex, fn, hidden=hidden, quiet=False)
        result = _note_own_dependencies(ex, result, sys._getframe(1).f_globals)
    _LAST[key] = (fn, result)
    return _finish(result, quiet, strict)


def _note_own_dependencies(ex, result, namespace):
    """The grader checks each exercise with correct versions of the other graded functions it
    calls; here those are the learner's own (nnlib holds no reference answers). When one of them
    does not pass its own check, say so, since that may be the cause."""
    if result.passed or not getattr(ex, "learner_uses_own", None):
        return result
    broken = []
    for dep in ex.learner_uses_own:
        fn, other = namespace.get(dep), EXERCISES.get(dep)
        if other is None or not callable(fn):
            continue
        cached = _LAST.get((dep, False))
        dep_result = cached[1] if cached is not None and cached[0] is fn else run_in_process(other, fn, quiet=True)
        if not dep_result.passed:
            broken.append(dep)
    if not broken:
        return result
    names = " and ".join(broken)
    note = (f"    note: {ex.name} calls your {names}, which does not pass its own check yet; "
            f"fix {names} first (the grader grades {ex.name} with a correct {names}).")
    result.message += "\n" + note
    return result


_LAST: dict = {}  # (exercise, hidden) -> (function, result) of the latest check


class Scores(list):
    """The results of :func:`check_all` (a list of :class:`CheckResult`), with totals."""

    @property
    def earned(self) -> int:
        return sum(r.earned for r in self)

    @property
    def points(self) -> int:
        return sum(r.points for r in self)

    def _ipython_display_(self):
        """The table is printed already."""


def check_all(name: str, namespace: dict | None = None) -> Scores:
    """Check every function of the exercise set ``name`` (visible cases) and print a score table.

    Uses the functions defined in the calling notebook (or ``namespace``).
    A function checked already in this session (the same function object) is
    not run again.
    """
    exercises = exercise_set(name)
    ns = namespace if namespace is not None else sys._getframe(1).f_globals
    results = []
    for ex in exercises:
        fn = ns.get(ex.name)
        cached = _LAST.get((ex.name, False))
        if fn is None or not callable(fn):
            result = _missing_result(ex, f"{ex.name} is not defined (run its cell)")
        elif cached is not None and cached[0] is fn:
            result = cached[1]
        else:
            result = run_in_process(ex, fn, hidden=False, quiet=True)
            _LAST[(ex.name, False)] = (fn, result)
        results.append(result)
    w = max(len(ex.name) for ex in exercises)
    print(f"{'exercise':<{w}}  points   result")
    for r in results:
        mark = {"pass": "✓", "not_implemented": "…"}.get(r.status, "✗")
        line = f"{r.name:<{w}}  {r.earned:>2} / {r.points:<2}  {mark} {r.reason}"
        print(line if len(line) <= 110 else line[:107] + "...")
    print(f"{'total':<{w}}  {sum(r.earned for r in results):>2} / {sum(r.points for r in results):<2}"
          "  (visible cases; the grader adds hidden ones)")
    return Scores(results)




def _missing_result(ex, message):
    from .core import result_of
    return result_of(ex, ex.cases(hidden=False), [{"status": "missing", "message": message}], False)


def _finish(result, quiet, strict):
    __tracebackhide__ = True
    if not quiet:
        print(result.message)
    if strict and not result.passed:
        raise AssertionError(f"{result.name}: {result.reason}")
    return result
