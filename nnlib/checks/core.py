r"""Exercises, their test cases, and the judgement of what a function returned.

An :class:`Exercise` says what a graded function must do: its test cases, the
right answer for each (``reference``: a function on the grading side; in a
learner's nnlib the expected values come as generated data, see
:mod:`nnlib.checks.visible`) or how an answer is judged (``verify``, for answers
that may differ and still be right, such as random masks or trained weights,
see :mod:`nnlib.checks.verifiers`), the mistakes learners usually make (each a
known-wrong function with a hint, or its outputs on the visible cases), and its
points. The hidden cases and the reference answers live in the instructor's
grading package (``nnlib_grader``), never here. :func:`judge_case` compares one outcome (from
:func:`nnlib.checks.runner.call_case`) with the expectation; :func:`result_of`
turns a list of outcomes into a :class:`CheckResult` with the feedback text.

Everything here runs on the checking side: in the notebook for ``check``, in
the grader's own process when grading, never in a submission's sandbox.
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np

from . import runner
from .runner import NetworkDescription, Opaque, materialize

PASS, FAIL, TODO = "✓", "✗", "…"


@dataclass
class Case:
    """One call of the function: ``fn(*args, **kwargs)``. ``note`` says what it tests."""
    args: tuple
    kwargs: dict = field(default_factory=dict)
    hidden: bool = False
    note: str = ""


@dataclass
class Mistake:
    """A known-wrong version of the function and the hint to show when a learner's output matches it.

    ``fn`` computes the wrong answer; in generated data (no code) ``outputs`` holds what it
    returned on each case instead (:data:`RAISED` where it raised)."""
    hint: str
    fn: Callable | None = None
    outputs: list | None = None


RAISED = object()  # a known mistake that raises on a case


@dataclass
class Problem:
    """What is wrong with one case: a one-line summary, detail lines, a hint."""
    summary: str
    details: list = field(default_factory=list)
    hint: str = ""


@dataclass
class CheckResult:
    """The outcome of checking one function.

    ``passed`` and ``earned``/``points`` are what a gradebook needs; ``status`` is
    one of "pass", "fail", "error", "not_implemented", "timeout", "forbidden",
    "missing"; ``message`` is the full text the notebook prints and ``reason``
    its one-line summary.
    """
    name: str
    points: int
    passed: bool
    status: str
    n_cases: int
    n_passed: int
    message: str
    reason: str
    hidden_included: bool = False

    @property
    def earned(self) -> int:
        return self.points if self.passed else 0

    def __repr__(self):
        return (f"CheckResult({self.name!r}, passed={self.passed}, earned={self.earned}, "
                f"points={self.points}, status={self.status!r})")

    def _ipython_display_(self):
        """``check`` has printed the feedback already; showing the result again would repeat it."""

    def to_dict(self) -> dict:
        return {"exercise": self.name, "points": self.points, "earned": self.earned,
                "status": self.status, "cases": self.n_cases, "cases_passed": self.n_passed,
                "feedback": self.reason, "details": self.message}


def EXPECTED_DATA(*args, **kwargs):
    """Marks an exercise whose expected values come as data with its cases (nothing to compute)."""
    raise LookupError("the expected values of this exercise are data, not a function")


class Exercise:
    """A graded function. See the module docstring; the lesson modules define them."""

    def __init__(self, name, lesson, points, cases, *, reference=None, verify=None, mistakes=(),
                 hint="", arg_names=None, output_names=None, rtol=1e-6, atol=1e-9, dtype="float",
                 collect="value", timeout=10.0, allow_nnlib=False, forbid_nnlib=(), uses=None,
                 forbid_numpy=(), pure=False, gradient=None, fd_tolerance=1e-5, private_uses=True,
                 no_overflow=False, poison=()):
        if (reference is None) == (verify is None):
            raise ValueError(f"{name}: give exactly one of reference= or verify=")
        # reference=EXPECTED_DATA: every case carries its expected value (case.expected)
        self.name, self.lesson, self.points = name, lesson, int(points)
        self._make_cases, self._cases = cases, None
        self.reference, self.verify = reference, verify
        self.mistakes, self.hint = list(mistakes), hint
        self.arg_names, self.output_names = arg_names, output_names
        self.rtol, self.atol, self.dtype = rtol, atol, dtype
        self.collect, self.timeout = collect, float(timeout)
        self.allow_nnlib, self.uses, self.forbid_numpy = allow_nnlib, dict(uses or {}), tuple(forbid_numpy)
        self.forbid_nnlib = tuple(forbid_nnlib)
        self.private_uses = private_uses
        self.pure, self.gradient, self.fd_tolerance = pure, gradient, fd_tolerance
        self.poison = tuple(poison)  # notebook globals the function must not use (the test set)
        self.no_overflow = bool(no_overflow)  # the text asks for no overflow: a numpy overflow warning fails

    def __repr__(self):
        return f"Exercise({self.name!r}, lesson={self.lesson!r}, points={self.points})"

    def cases(self, hidden=True) -> list[Case]:
        if self._cases is None:
            self._cases = list(self._make_cases())
            for c in self._cases:
                c.args = tuple(c.args)
        return [c for c in self._cases if hidden or not c.hidden]

    def call_options(self, quiet=False) -> dict:
        return dict(timeout=self.timeout, collect=self.collect, uses=self.uses,
                    allow_nnlib=self.allow_nnlib, forbid_nnlib=self.forbid_nnlib,
                    forbid_numpy=self.forbid_numpy, check_mutation=self.pure,
                    private_uses=self.private_uses, quiet=quiet, poison=self.poison)

    def expected(self, case: Case):
        """The reference answer for a case (computed once, kept; given for generated data)."""
        if not hasattr(case, "_expected"):
            if self.reference is EXPECTED_DATA:
                raise LookupError(f"{self.name}: no expected value for this case")
            with np.errstate(all="ignore"):
                case._expected = self.reference(*materialize(case.args), **materialize(case.kwargs))
        return case._expected


# ----------------------------------------------------------------------------- formatting
def fmt(value, width=76) -> str:
    """A short, readable rendering of an input or output."""
    if isinstance(value, np.ndarray):
        body = np.array2string(value, precision=4, suppress_small=True, threshold=24, edgeitems=2,
                               max_line_width=width, separator=", ")
        lines = body.splitlines()
        if len(lines) > 4:
            body = "\n".join(lines[:2] + ["  ..."] + lines[-1:])
        label = f"array {value.shape} {value.dtype}"
        return f"{label}: {body}" if "\n" not in body else f"{label}:\n{_indent(body, 6)}"
    if isinstance(value, np.generic):
        return f"{value!r}"
    if isinstance(value, (tuple, list)):
        if len(value) > 6 or any(isinstance(v, np.ndarray) and v.size > 6 for v in value):
            inner = ", ".join(_kind(v) for v in value[:6]) + (", ..." if len(value) > 6 else "")
            return f"{type(value).__name__} of {len(value)}: ({inner})"
        open_, close = ("(", ")") if isinstance(value, tuple) else ("[", "]")
        return open_ + ", ".join(fmt(v, width) for v in value) + (",)" if len(value) == 1 and open_ == "(" else close)
    if isinstance(value, NetworkDescription):
        return "a network with layers " + ", ".join(_layer_text(layer) for layer in value.get("layers", []))
    if isinstance(value, float):
        return num(value)
    text = repr(value)
    return text if len(text) < 200 else text[:197] + "..."


def num(x, digits=6) -> str:
    """A float with ``digits`` significant digits that still reads as a float (0.0, not 0)."""
    text = f"{float(x):.{digits}g}"
    return text if any(c in text for c in ".eni") else text + ".0"


def _layer_text(layer):
    if layer.get("kind") == "dense":
        return f"Dense{tuple(np.shape(layer['W']))}+{layer.get('activation')}"
    return str(layer.get("kind"))


def _kind(value) -> str:
    if isinstance(value, np.ndarray):
        return f"array {value.shape}"
    if isinstance(value, (tuple, list)):
        return f"{type(value).__name__} of {len(value)}"
    return type(value).__name__ if not isinstance(value, (int, float)) else fmt(value)


def _indent(text, n):
    return "\n".join(" " * n + line for line in text.splitlines())


def describe_inputs(ex: Exercise, case: Case) -> list[str]:
    names = ex.arg_names or [f"arg{i + 1}" for i in range(len(case.args))]
    parts = []
    for name, value in list(zip(names, case.args)) + list(case.kwargs.items()):
        parts.append(f"{name} = {fmt(value)}")
    return parts


def type_name(value) -> str:
    if value is None:
        return "None"
    if isinstance(value, Opaque):
        return value.type_name
    if isinstance(value, np.ndarray):
        return f"an array of shape {value.shape}"
    if isinstance(value, NetworkDescription):
        return "a Network"
    name = type(value).__name__
    return f"{'an' if name[:1].lower() in 'aeiou' else 'a'} {name}"


# ----------------------------------------------------------------------------- comparing
def _as_number(value):
    if isinstance(value, (bool, np.bool_)):
        return None
    if isinstance(value, (int, float, np.integer, np.floating)):
        return float(value)
    if isinstance(value, np.ndarray) and value.shape == () and value.dtype.kind in "iuf":
        return float(value)
    return None


def distinct(e, g, digits=6) -> tuple[str, str]:
    """``e`` and ``g`` as text with enough significant digits to tell them apart (at most 17)."""
    for d in range(digits, 18):
        a, b = num(e, d), num(g, d)
        if a != b:
            return a, b
    return num(e, 17), num(g, 17)


def diagnose(e, g, batch=None) -> list[str]:
    """What an unknown mistake looks like, without showing the expected answer: a constant factor
    (the batch size?), a sign, a constant offset, a transpose, the rows or columns that differ."""
    lines = []
    e, g = np.asarray(e, dtype=float), np.asarray(g, dtype=float)
    if e.shape != g.shape or not np.isfinite(g).all() or not np.isfinite(e).all() or e.size == 0:
        return lines
    def close(a, b):
        return bool(np.isclose(a, b, rtol=1e-6, atol=1e-12))

    big = np.abs(e) > 1e-12 * max(1.0, float(np.abs(e).max()))
    if big.any() and not (g[~big] != 0).any() if (~big).any() else big.any():
        r = g[big] / e[big]
        if np.ptp(r) <= 1e-6 * max(1.0, float(np.abs(r).max())) and not close(r[0], 1.0):
            f = float(r[0])
            if close(f, -1.0):
                lines.append("diagnosis: every entry has the right size but the opposite sign")
            elif batch and close(f, batch):
                lines.append(f"diagnosis: every entry is {batch} times too large, and {batch} is the batch "
                             "size n: a division by n is missing (the cost is an average over the batch)")
            elif batch and close(f, 1.0 / batch):
                lines.append(f"diagnosis: every entry is {batch} times too small, and {batch} is the batch "
                             "size n: you divided by n once too often (or averaged where a sum belongs)")
            elif close(f, 2.0) or close(f, 0.5):
                lines.append(f"diagnosis: every entry is {'twice' if close(f, 2.0) else 'half'} the expected "
                             "value: a factor of 2 is missing or extra")
            elif f == 0:
                lines.append("diagnosis: every entry is 0")
            else:
                lines.append(f"diagnosis: every entry is the expected one times the same factor, {f:.6g}")
            return lines
    d = g - e
    if np.ptp(d) <= 1e-6 * max(1.0, float(np.abs(d).max())) and not close(float(d.flat[0]), 0.0):
        lines.append(f"diagnosis: every entry is off by the same amount, {float(d.flat[0]):+.6g}: "
                     "a constant (a bias term?) is missing, extra or wrong")
        return lines
    if e.ndim == 2 and e.shape[0] == e.shape[1] and np.allclose(g, e.T, rtol=1e-6, atol=1e-12):
        lines.append("diagnosis: your result is the transpose of the expected one")
        return lines
    bad = ~np.isclose(g, e, rtol=1e-6, atol=1e-9)
    if e.ndim == 2 and bad.any():
        rows, cols = np.flatnonzero(bad.any(axis=1)), np.flatnonzero(bad.any(axis=0))
        if len(rows) < e.shape[0]:
            lines.append(f"diagnosis: only row{'s' if len(rows) > 1 else ''} "
                         f"{', '.join(map(str, rows[:6]))}{', ...' if len(rows) > 6 else ''} differ")
        elif len(cols) < e.shape[1]:
            lines.append(f"diagnosis: only column{'s' if len(cols) > 1 else ''} "
                         f"{', '.join(map(str, cols[:6]))}{', ...' if len(cols) > 6 else ''} differ")
    return lines


def compare(expected, got, *, rtol=1e-6, atol=1e-9, dtype="float", name="", batch=None) -> Problem | None:
    """None when ``got`` matches ``expected`` (numbers, arrays, tuples of them); else a Problem."""
    what = f"{name}: " if name else ""
    if isinstance(expected, tuple):
        if got is None:
            return Problem(f"{what}returned None", hint="Did you forget the `return` statement?")
        if not isinstance(got, (tuple, list)):
            return Problem(f"{what}returned {type_name(got)}; expected a tuple of {len(expected)} values",
                           hint=f"Return all {len(expected)} results: `return " +
                                ", ".join(name_list(len(expected))) + "`.")
        if len(got) != len(expected):
            return Problem(f"{what}returned {len(got)} values; expected {len(expected)}")
        return None  # elementwise comparison is done by the caller, which knows the names
    if isinstance(expected, (bool, np.bool_)):
        if not isinstance(got, (bool, np.bool_)):
            return Problem(f"{what}returned {type_name(got)}; expected True or False")
        return None if bool(got) == bool(expected) else Problem(
            f"{what}wrong answer", [f"expected: {bool(expected)}", f"got:      {bool(got)}"])
    if _as_number(expected) is not None and not isinstance(expected, np.ndarray):
        g = _as_number(got)
        if g is None:
            hint = "Did you forget the `return` statement?" if got is None else ""
            if isinstance(got, np.ndarray) and got.size == 1:
                hint = (f"You returned an array of shape {got.shape}; return a single number "
                        "(e.g. with float(...) or by summing over every axis).")
            return Problem(f"{what}returned {type_name(got)}; expected a number", hint=hint)
        e = float(expected)
        if dtype == "int" and isinstance(got, (float, np.floating)):
            pass  # whole numbers as floats are fine for counts
        if not np.isfinite(g) and np.isfinite(e):
            return Problem(f"{what}got {g} where {num(e)} was expected",
                           hint="NaN or inf: an overflow (np.exp of a large number?) or a division by zero.")
        if not np.isclose(g, e, rtol=rtol, atol=atol, equal_nan=True):
            a, b = distinct(e, g, 8)
            details = [f"expected: {a}", f"got:      {b}"] + diagnose(e, g, batch)
            return Problem(f"{what}wrong value", details)
        return None
    if isinstance(expected, np.ndarray):
        return _compare_arrays(expected, got, rtol, atol, dtype, what, batch)
    raise TypeError(f"cannot compare with expected value of type {type(expected).__name__}")


def name_list(n):
    return [f"r{i + 1}" for i in range(n)]


def _compare_arrays(expected, got, rtol, atol, dtype, what, batch=None):
    if got is None:
        return Problem(f"{what}returned None", hint="Did you forget the `return` statement?")
    if isinstance(got, (list, tuple)) and not any(isinstance(g, (Opaque, NetworkDescription)) for g in got):
        if isinstance(got, tuple) and len(got) > 1 and all(isinstance(g, np.ndarray) for g in got):
            return Problem(f"{what}returned a tuple of {len(got)} arrays; expected one array "
                           f"of shape {expected.shape}")
        try:
            got = np.asarray(got)
        except Exception:
            return Problem(f"{what}returned a {type(got).__name__} that is not an array of numbers")
    if isinstance(got, (int, float, np.generic)) and not isinstance(got, (bool, np.bool_)):
        got = np.asarray(got)
    if not isinstance(got, np.ndarray) or got.dtype.kind not in "biuf":
        return Problem(f"{what}returned {type_name(got)}; expected a numpy array of shape {expected.shape}")
    if got.shape != expected.shape:
        hint = ""
        if got.shape == expected.shape[::-1] and got.ndim == 2:
            hint = ("Your result is the transpose of the expected one: check the order of a matrix product, "
                    "or a missing/extra .T.")
        elif got.size == expected.size:
            hint = f"Same number of entries, different shape: expected {expected.shape}."
        elif got.ndim < expected.ndim:
            hint = "A dimension went missing: did you sum or take a maximum over an axis you should have kept?"
        return Problem(f"{what}wrong shape: expected {expected.shape}, got {got.shape}", hint=hint)
    if dtype == "float32" and got.dtype != np.float32:
        return Problem(f"{what}wrong dtype: expected float32, got {got.dtype}",
                       hint="Convert with .astype(np.float32): half the memory of float64, and "
                            "faster matrix products.")
    if dtype == "float" and got.dtype.kind != "f" and expected.dtype.kind == "f":
        return Problem(f"{what}wrong dtype: expected floating-point numbers, got {got.dtype}",
                       hint="Integer or boolean results lose the fractions: make sure the arithmetic "
                            "produces floats (e.g. `.astype(float)`).")
    if dtype == "int" and got.dtype.kind not in "iu":
        return Problem(f"{what}wrong dtype: expected integers, got {got.dtype}",
                       hint="Labels and counts are integers: convert with `.astype(int)`.")
    e, g = expected.astype(np.float64), got.astype(np.float64)
    bad = ~np.isclose(g, e, rtol=rtol, atol=atol, equal_nan=True)
    if not bad.any():
        return None
    # the learner's result and a few of the entries that differ, never the whole expected array
    # (for many exercises the expected array is the answer itself)
    details = [f"got:      {fmt(got)}"]
    where = [tuple(int(i) for i in idx) for idx in np.argwhere(bad)[:3]] if bad.ndim else []
    if not where:   # a 0-d result
        a, b = distinct(float(e), float(g))
        details.append(f"expected: {a}, got: {b}")
    else:
        n_bad = int(bad.sum())
        details.append(f"{n_bad} of {bad.size} entr{'ies differ' if bad.size > 1 else 'y differs'}"
                       + (", e.g." if n_bad > len(where) else ":"))
        for idx in where:
            a, b = distinct(e[idx], g[idx])
            label = str(list(idx)) if len(idx) != 1 else str(idx[0])
            details.append(f"  at {label}: expected {a}, got {b}")
    details += diagnose(e, g, batch)
    hint = ""
    if not np.isfinite(g).all() and np.isfinite(e).all():
        hint = "NaN or inf in your result: an overflow (np.exp of a large number?) or a division by zero."
    return Problem(f"{what}wrong values", details, hint)


def _matches(expected, got, rtol=1e-5, atol=1e-8) -> bool:
    """Does ``got`` equal ``expected`` (used to recognise a known mistake)?"""
    try:
        if isinstance(expected, tuple):
            return (isinstance(got, (tuple, list)) and len(got) == len(expected)
                    and all(_matches(e, g, rtol, atol) for e, g in zip(expected, got)))
        if isinstance(expected, np.ndarray) or isinstance(got, np.ndarray):
            e, g = np.asarray(expected, dtype=float), np.asarray(got, dtype=float)
            return e.shape == g.shape and bool(np.allclose(g, e, rtol=rtol, atol=atol, equal_nan=True))
        if isinstance(expected, (bool, np.bool_)):
            return isinstance(got, (bool, np.bool_)) and bool(got) == bool(expected)
        e, g = _as_number(expected), _as_number(got)
        return e is not None and g is not None and bool(np.isclose(g, e, rtol=rtol, atol=atol))
    except Exception:
        return False


# ----------------------------------------------------------------------------- judging
def recognise_mistake(ex: Exercise, pairs) -> str:
    """The hint of the first known mistake that reproduces *every* returned value.

    ``pairs``: (case, value returned) for each case that returned something. A
    mistake that agrees with the learner on one case but not on another is not
    the learner's mistake, so it must match them all.
    """
    for m in ex.mistakes:
        for case, got in pairs:
            if m.outputs is not None:   # generated data: the mistake's output on this case
                index = getattr(case, "index", None)
                wrong = m.outputs[index] if isinstance(index, int) and index < len(m.outputs) else RAISED
                if wrong is RAISED:
                    break
            else:
                try:
                    with np.errstate(all="ignore"):
                        wrong = m.fn(*materialize(case.args), **materialize(case.kwargs))
                except Exception:
                    break
            if not _matches(wrong, got):
                break
        else:
            if pairs:
                return m.hint
    return ""


def judge_value(ex: Exercise, case: Case, got) -> Problem | None:
    """None when the value returned for ``case`` is right; else what is wrong."""
    if ex.verify is not None:
        with np.errstate(all="ignore"):
            problem = ex.verify(materialize(case.args), materialize(case.kwargs), got)
        return problem
    expected = ex.expected(case)
    batch = next((int(a.shape[0]) for a in case.args if isinstance(a, np.ndarray) and a.ndim >= 2), None)
    opts = dict(rtol=ex.rtol, atol=ex.atol, dtype=ex.dtype, batch=batch)
    problem = compare(expected, got, **opts)
    if problem is None and isinstance(expected, tuple):
        names = ex.output_names or [f"value {i + 1}" for i in range(len(expected))]
        problems = [p for p in (compare(e, g, name=name, **opts) for name, e, g in zip(names, expected, got))
                    if p is not None]
        # a wrong shape or type says more than wrong values (which may follow from it)
        problem = next((p for p in problems if "wrong value" not in p.summary), problems[0] if problems else None)
    fd_lines = _finite_difference_report(ex, case, got)
    if problem is None and fd_lines and any("CHECK" in line for line in fd_lines):
        problem = Problem("disagrees with finite differences")
    if problem is None:
        return None
    if fd_lines:
        problem.details.extend(fd_lines)
    return problem


def _finite_difference_report(ex, case, got):
    """For gradient exercises: the relative error of each returned gradient
    against a centred finite-difference estimate of the true gradient."""
    if hasattr(case, "fd"):          # generated data: the finite-difference estimate, or None
        numeric = case.fd
        if numeric is None:
            return []
    elif ex.gradient is None:
        return []
    else:
        try:
            with np.errstate(all="ignore"):
                numeric = ex.gradient(*materialize(case.args), **materialize(case.kwargs))
        except Exception:
            return []
    names = ex.output_names or ["gradient"]
    values = got if isinstance(numeric, tuple) else (got,)
    numeric = numeric if isinstance(numeric, tuple) else (numeric,)
    if not isinstance(values, (tuple, list)) or len(values) != len(numeric):
        return []
    lines = []
    for name, g, n in zip(names, values, numeric):
        try:
            g = np.asarray(g, dtype=float)
        except Exception:
            continue
        if g.shape != np.shape(n):
            continue
        err = float(np.max(np.abs(g - n) / np.maximum(1e-8, np.abs(g) + np.abs(n)))) if g.size else 0.0
        verdict = "ok" if err < ex.fd_tolerance else "CHECK THIS"
        lines.append(f"finite differences: {name} relative error {err:.1e} ({verdict}; "
                     f"a correct gradient gives < {ex.fd_tolerance:.0e})")
    return lines


def judge_case(ex: Exercise, case: Case, outcome: dict) -> Problem | None:
    """Judge one outcome of :func:`nnlib.checks.runner.call_case` (value already decoded)."""
    status = outcome.get("status")
    line = outcome.get("line", "")
    if status == "ok":
        names = ex.arg_names or []
        if ex.pure and outcome.get("mutated"):
            which = [names[i] if isinstance(i, int) and i < len(names) else str(i) for i in outcome["mutated"]]
            return Problem(f"changed its input {', '.join(which)} in place",
                           hint=f"Leave {' and '.join(which)} as {'they are' if len(which) > 1 else 'it is'}: "
                                "work on a copy (`.copy()`) or compute a new array; an in-place operation "
                                "(`+=`, `-=`, `a[i] = ...`) on the array you were given changes the caller's "
                                "array too.")
        if ex.pure and outcome.get("aliased"):
            which = [names[i] if isinstance(i, int) and i < len(names) else str(i) for i in outcome["aliased"]]
            return Problem(f"returned its input {', '.join(which)} itself (or a view of it), not a new array",
                           hint=f"Return a new array: start from a copy of {which[0]}, so that changing the "
                                f"result later cannot change the caller's {which[0]} (this matters also when "
                                "nothing else happens, e.g. for 0 steps).")
        if ex.no_overflow:
            overflow = [w for w in outcome.get("warnings", []) if "overflow" in w]
            if overflow:
                return Problem(f"the right values, but with an overflow (numpy warned: "
                               f"{overflow[0].split(': ', 1)[-1]})", [],
                               hint="The exercise asks for a function that never overflows, for any z. "
                                    "Which exponent became huge here? Rewrite the formula so that every "
                                    "np.exp gets a number <= 0; remember that np.where computes both of "
                                    "its branches for every entry.")
        return judge_value(ex, case, outcome.get("value"))
    if status == "not_implemented":
        return Problem("not implemented yet", [line] if line else [])
    if status == "timeout":
        limit = outcome.get("limit", ex.timeout)
        limit = limit if isinstance(limit, (int, float)) else ex.timeout
        return Problem(f"did not finish within {limit:g} s",
                       hint="An endless loop? Check the loop's condition; numpy operations on whole "
                            "arrays need no loops at all.")
    if status == "forbidden":
        return Problem(forbidden_text(ex, outcome.get("message", "")))
    if status == "missing":
        return Problem(outcome.get("message", f"{ex.name} is missing"))
    msg = outcome.get("message", "an error")
    details = [line] if line else []
    return Problem(f"raised {msg}", details, _error_hint(msg) or ex.hint)


def forbidden_text(ex, what):
    if what.startswith("test data: "):
        name = what[len("test data: "):]
        return (f"uses {name}, the test set, while it trains: train on the data you are given only; "
                "the test images measure how well the model does on digits it has never seen")
    if what.endswith(".load_mnist"):
        return (f"calls {what}, loading MNIST itself: train on the X_train, y_train you are given; "
                "the test set must stay unseen during training")
    if what.startswith("sys.setprofile"):
        return ("switched off the check's watch for calls into nnlib (sys.setprofile), so it cannot "
                "be checked that the function is your own work: scored 0")
    if what.startswith("np."):
        return (f"uses {what}, which this exercise asks you to do without: "
                "write it from the formula")
    if ex.allow_nnlib:
        return f"calls {what}: this exercise asks you to write that part yourself"
    return (f"calls {what} from nnlib: this exercise asks you to write it yourself with numpy "
            "(you may call your own functions from this notebook)")


def _error_hint(msg: str) -> str:
    if "matmul" in msg or "shapes" in msg and "not aligned" in msg:
        return ("The matrix product's inner dimensions do not match: rows are samples, so a layer "
                "computes X @ W with X (batch, n_in) and W (n_in, n_out).")
    if "could not be broadcast" in msg or "operands could not" in msg:
        return "Two arrays of incompatible shapes met in an elementwise operation: print their .shape."
    if msg.startswith("NameError"):
        return "A name is not defined: a typo, or a cell above that has not been run?"
    return ""


# ----------------------------------------------------------------------------- results
def result_of(ex: Exercise, cases: list[Case], outcomes: list[dict], hidden_included: bool) -> CheckResult:
    """Judge every outcome and build the feedback."""
    header = f"{ex.name}"
    pts = f"{ex.points} point{'s' if ex.points != 1 else ''}"
    if outcomes and outcomes[0].get("status") == "missing":
        msg = outcomes[0].get("message", "missing")
        return CheckResult(ex.name, ex.points, False, "missing", len(cases), 0,
                           f"{FAIL} {header}: {msg} (0 of {pts})", msg, hidden_included)
    if outcomes and outcomes[0].get("status") == "not_implemented":
        text = (f"{TODO} {header}: not implemented yet. Replace `raise NotImplementedError()` "
                f"with your code, then run this cell again ({pts}).")
        return CheckResult(ex.name, ex.points, False, "not_implemented", len(cases), 0, text,
                           "not implemented yet", hidden_included)
    n_pass, first, first_case, first_i = 0, None, None, None
    notes = []
    for i, (case, outcome) in enumerate(zip(cases, outcomes)):
        try:
            problem = judge_case(ex, case, outcome)
        except Exception as exc:  # a return value so odd that judging it failed
            problem = Problem(f"returned something the check could not judge "
                              f"({type(exc).__name__}: {str(exc)[:120]})")
        if problem is None:
            n_pass += 1
            notes += [f"{w} (case {i + 1})" for w in outcome.get("warnings", [])]
        elif first is None:
            first, first_case, first_i, first_status = problem, case, i, outcome.get("status")
    n = len(cases)
    if first is not None and first_status == "ok":
        pairs = [(c, o.get("value")) for c, o in zip(cases, outcomes) if o.get("status") == "ok"]
        first.hint = recognise_mistake(ex, pairs) or first.hint or ex.hint
    if first is None and len(outcomes) == n:
        extra = ", hidden ones included" if hidden_included and any(c.hidden for c in cases) else ""
        what = f"all {n} cases pass" if n > 1 else "passes"
        text = f"{PASS} {ex.name}: {what}{extra} ({pts})"
        if notes:
            text += "\n    note: numpy warned " + "; ".join(sorted(set(notes))[:2])
        return CheckResult(ex.name, ex.points, True, "pass", n, n, text, what, hidden_included)
    if first is None:  # the run stopped early without a problem (should not happen)
        first, first_i, first_status = Problem("the run stopped early"), len(outcomes), "error"
        first_case = cases[min(len(outcomes), n - 1)]
    status = {"ok": "fail", "error": "error", "timeout": "timeout", "forbidden": "forbidden",
              "not_implemented": "not_implemented"}.get(first_status, "fail")
    kind = "hidden case" if first_case.hidden else "case"
    counted = f"{n_pass} of {n} cases pass" if status == "fail" and n > 1 else ""
    lines = [f"{FAIL} {ex.name}: {kind} {first_i + 1} of {n}: {first.summary} (0 of {pts}"
             + (f"; {counted})" if counted else ")")]
    if first_case.note:
        lines.append(f"    this case: {first_case.note}")
    inputs = describe_inputs(ex, first_case)
    if inputs and status not in ("forbidden",):
        lines.append("    input:    " + inputs[0].replace("\n", "\n    "))
        lines += ["              " + p.replace("\n", "\n    ") for p in inputs[1:]]
    lines += ["    " + d.replace("\n", "\n    ") for d in first.details if d]
    if first.hint:
        lines.append(f"    hint: {first.hint}")
    reason = f"{kind} {first_i + 1}: {first.summary}" + (f". Hint: {first.hint}" if first.hint else "")
    if status in ("forbidden",):
        reason = first.summary
    return CheckResult(ex.name, ex.points, False, status, n, n_pass, "\n".join(lines), reason, hidden_included)


def run_in_process(ex: Exercise, fn, hidden=False, quiet=False) -> CheckResult:
    """Check ``fn`` against ``ex`` right here (what the notebook's ``check`` does)."""
    cases = ex.cases(hidden=hidden)
    outcomes = []
    for case in cases:
        out = runner.call_case(fn, case.args, case.kwargs, **ex.call_options(quiet=quiet))
        if "value" in out:
            out["value"] = runner.roundtrip(out["value"])
        outcomes.append(out)
        if out["status"] in ("not_implemented", "timeout"):
            break
    return result_of(ex, cases, outcomes, hidden_included=hidden)


def grade_namespace(exercises, namespace, quiet=True) -> list[CheckResult]:
    """Every exercise, hidden cases included, on the functions found in ``namespace``."""
    results = []
    for ex in exercises:
        fn, missing = runner.find_function(namespace, ex.name)
        if missing is not None:
            results.append(result_of(ex, ex.cases(), [missing], True))
        else:
            results.append(run_in_process(ex, fn, hidden=True, quiet=quiet))
    return results
