r"""Generate the exercise notebooks and the learner's check data: ``make exercises``.

``python -m nnlib_grader.generate solutions exercises`` does two things.

1. It writes ``nnlib/checks/cases/NN_name.json`` for every exercise set: the visible
   cases, their expected values (computed here from the reference answers), the
   finite-difference estimates and what each known mistake returns (see
   :mod:`nnlib.checks.visible`). That is all the learner's ``check`` needs: no reference
   answer and no hidden case goes into nnlib.
2. It reads every ``solutions/*.ipynb`` and writes the same notebook to
   ``exercises/`` with, as nbgrader's ``generate_assignment`` does:

* each ``### BEGIN SOLUTION`` ... ``### END SOLUTION`` block in a code cell replaced
  by ``# YOUR CODE HERE`` and ``raise NotImplementedError()`` (at the marker's
  indentation, so the ``def`` line and docstring above it stay);
* in a markdown cell, such a block replaced by ``YOUR ANSWER HERE``;
* each ``### BEGIN HIDDEN TESTS`` ... ``### END HIDDEN TESTS`` block removed;
* outputs and execution counts cleared; everything else (markdown, metadata,
  nbgrader cell metadata) kept.

The output depends only on the input: running it twice gives identical files.
``--check`` writes nothing and exits with status 1 if ``exercises/`` or the check
data are not what it would write (a test runs it).
"""
from __future__ import annotations

import argparse
import copy
import json
import math
import sys
from pathlib import Path

import nbformat
import numpy as np

from nnlib.checks import visible
from nnlib.checks.core import RAISED
from nnlib.checks.runner import materialize
from nnlib.checks.verifiers import VERIFIERS

from .exercises import LESSONS

BEGIN_SOLUTION, END_SOLUTION = "### BEGIN SOLUTION", "### END SOLUTION"
BEGIN_HIDDEN, END_HIDDEN = "### BEGIN HIDDEN TESTS", "### END HIDDEN TESTS"
CODE_STUB = ("# YOUR CODE HERE", "raise NotImplementedError()")
MARKDOWN_STUB = "YOUR ANSWER HERE"


class MarkerError(ValueError):
    """Unbalanced or misspelled solution / hidden-test markers."""


def _marker(line):
    s = line.strip()
    for m in (BEGIN_SOLUTION, END_SOLUTION, BEGIN_HIDDEN, END_HIDDEN):
        if s == m:
            return m
    if "BEGIN SOLUTION" in s or "END SOLUTION" in s or "HIDDEN TESTS" in s:
        raise MarkerError(f"malformed marker {s!r}: write it exactly as '{BEGIN_SOLUTION}' etc.")
    return None


def strip_source(source: str, markdown: bool = False, where: str = "") -> str:
    """The exercise version of one cell's source."""
    out, block, indent = [], None, ""
    for n, line in enumerate(source.split("\n"), 1):
        try:
            m = _marker(line)
        except MarkerError as exc:
            raise MarkerError(f"{where} line {n}: {exc}") from None
        if m in (BEGIN_SOLUTION, BEGIN_HIDDEN):
            if block:
                raise MarkerError(f"{where} line {n}: {m} inside an open {block} block")
            block, indent = m, line[:len(line) - len(line.lstrip())]
            if m == BEGIN_SOLUTION:
                out += [MARKDOWN_STUB] if markdown else [indent + s for s in CODE_STUB]
        elif m in (END_SOLUTION, END_HIDDEN):
            expected = BEGIN_SOLUTION if m == END_SOLUTION else BEGIN_HIDDEN
            if block != expected:
                raise MarkerError(f"{where} line {n}: {m} without {expected}")
            block = None
        elif block is None:
            out.append(line)
    if block:
        raise MarkerError(f"{where}: {block} is never closed")
    while out and not out[-1].strip():
        out.pop()
    return "\n".join(out)


def make_exercise(nb, name: str = ""):
    """The exercise notebook (a new NotebookNode) for a solution notebook."""
    nb = copy.deepcopy(nb)
    for i, cell in enumerate(nb.cells):
        where = f"{name} cell {i + 1}"
        if cell.cell_type == "code":
            cell.source = strip_source(cell.source, where=where)
            cell.outputs = []
            cell.execution_count = None
        elif cell.cell_type == "markdown":
            cell.source = strip_source(cell.source, markdown=True, where=where)
    return nb


def render(nb) -> str:
    return nbformat.writes(nb) + "\n"


def generate(src: Path, dst: Path, check: bool = False) -> list[str]:
    """Write (or with ``check`` compare) every exercise notebook; returns the problems found."""
    problems = []
    sources = sorted(src.glob("*.ipynb"))
    if not sources:
        raise FileNotFoundError(f"no solution notebooks (*.ipynb) in {src}")
    wanted = {}
    for path in sources:
        nb = nbformat.read(path, as_version=4)
        wanted[path.name] = render(make_exercise(nb, path.name))
    if not check:
        dst.mkdir(parents=True, exist_ok=True)
    for name, text in wanted.items():
        target = dst / name
        current = target.read_text(encoding="utf-8") if target.exists() else None
        if current == text:
            continue
        if check:
            problems.append(f"{target} is {'missing' if current is None else 'out of date'}")
        else:
            target.write_text(text, encoding="utf-8")
    for stale in sorted(set(p.name for p in dst.glob("*.ipynb")) - set(wanted)) if dst.exists() else []:
        if check:
            problems.append(f"{dst / stale} has no solution notebook")
        else:
            (dst / stale).unlink()
    return problems


# ----------------------------------------------------------------------------- check data
def _mistake_output(m, case):
    try:
        with np.errstate(all="ignore"):
            return m.fn(*materialize(case.args), **materialize(case.kwargs))
    except Exception:
        return RAISED


def set_document(name: str, exercises) -> dict:
    """The learner's data for one exercise set (visible cases only)."""
    enc = visible.Encoder()
    verifier_names = {fn: key for key, fn in VERIFIERS.items()}
    specs = []
    for ex in exercises:
        cases = ex.cases(hidden=False)
        grading_side = {k: v for k, v in ex.uses.items() if v.startswith("nnlib_grader.")}
        written = []
        for c in cases:
            d = {"args": enc.value(tuple(c.args)), "kwargs": enc.value(dict(c.kwargs)), "note": c.note}
            if ex.verify is None:
                d["expected"] = enc.value(ex.expected(c))
            if ex.gradient is not None:
                try:
                    with np.errstate(all="ignore"):
                        fd = ex.gradient(*materialize(c.args), **materialize(c.kwargs))
                except Exception:
                    fd = None
                d["fd"] = enc.value(fd)
            written.append(d)
        spec = {"name": ex.name, "points": ex.points, "hint": ex.hint,
                "hidden_cases": len(ex.cases()) - len(cases),
                "cases": written,
                "mistakes": [{"hint": m.hint, "outputs": [enc.value(_mistake_output(m, c)) for c in cases]}
                             for m in ex.mistakes],
                "options": {"arg_names": ex.arg_names, "output_names": ex.output_names, "rtol": ex.rtol,
                            "atol": ex.atol, "dtype": ex.dtype, "collect": ex.collect, "timeout": ex.timeout,
                            "allow_nnlib": ex.allow_nnlib, "forbid_nnlib": list(ex.forbid_nnlib),
                            "uses": {k: v for k, v in ex.uses.items() if k not in grading_side},
                            "own_uses": sorted(grading_side), "forbid_numpy": list(ex.forbid_numpy),
                            "pure": ex.pure, "fd_tolerance": ex.fd_tolerance,
                            "private_uses": ex.private_uses, "no_overflow": ex.no_overflow,
                            "poison": list(ex.poison)}}
        if ex.verify is not None:
            if ex.verify not in verifier_names:
                raise ValueError(f"{ex.name}: its verifier must be in nnlib.checks.verifiers")
            spec["verify"] = verifier_names[ex.verify]
        specs.append(spec)
    return {"format": visible.FORMAT, "set": name, "exercises": specs, "arrays": enc.arrays,
            "generated_by": "python -m nnlib_grader.generate (make exercises): do not edit"}


def _same_document(a, b, rtol=1e-9, atol=1e-12) -> bool:
    """The same check data, floats allowed to differ in their last bits: a matrix product's
    last bit can change from one run to the next (BLAS kernels chosen by memory alignment),
    and a finite-difference gradient divides that change by its step (1e-6): hence 1e-9."""
    if isinstance(a, str) and isinstance(b, str) and a != b:      # a number written as text ({"float": "..."})
        try:
            a, b = float(a), float(b)
        except ValueError:
            return False
    if isinstance(a, float) or isinstance(b, float):
        return (isinstance(a, (int, float)) and isinstance(b, (int, float))
                and (a == b or math.isclose(a, b, rel_tol=rtol, abs_tol=atol) or (a != a and b != b)))
    if isinstance(a, dict) and isinstance(b, dict):
        return a.keys() == b.keys() and all(_same_document(a[k], b[k], rtol, atol) for k in a)
    if isinstance(a, list) and isinstance(b, list):
        return len(a) == len(b) and all(_same_document(x, y, rtol, atol) for x, y in zip(a, b))
    return a == b and type(a) is type(b)


def generate_cases(folder: Path = visible.CASES_DIR, check: bool = False) -> list[str]:
    """Write (or with ``check`` compare) the learner's check data; returns the problems found."""
    problems = []
    wanted = {f"{name}.json": visible.dumps(set_document(name, exercises)) for name, exercises in LESSONS.items()}
    if not check:
        folder.mkdir(parents=True, exist_ok=True)
    for fname, text in wanted.items():
        target = folder / fname
        current = target.read_text(encoding="utf-8") if target.exists() else None
        if current == text or (check and current is not None and _same_document(json.loads(current), json.loads(text))):
            continue
        if check:
            problems.append(f"{target} is {'missing' if current is None else 'out of date'}: run `make exercises`")
        else:
            tmp = target.with_suffix(".json.tmp")
            tmp.write_text(text, encoding="utf-8")
            tmp.replace(target)
    for stale in sorted(set(p.name for p in folder.glob("*.json")) - set(wanted)) if folder.exists() else []:
        if check:
            problems.append(f"{folder / stale} has no exercise set")
        else:
            (folder / stale).unlink()
    return problems


def main(argv=None) -> int:
    p = argparse.ArgumentParser(prog="python -m nnlib_grader.generate",
                                description="Generate exercise notebooks from solution notebooks, and "
                                            "the visible cases' data of nnlib's check.")
    p.add_argument("solutions", type=Path, help="folder of solution notebooks (e.g. solutions)")
    p.add_argument("exercises", type=Path, help="folder to write the exercise notebooks to")
    p.add_argument("--check", action="store_true",
                   help="write nothing; exit 1 if the exercise folder is not up to date")
    args = p.parse_args(argv)
    if not args.solutions.is_dir():
        p.error(f"{args.solutions} is not a folder")
    try:
        problems = generate_cases(check=args.check) + generate(args.solutions, args.exercises, check=args.check)
    except (MarkerError, FileNotFoundError, json.JSONDecodeError, nbformat.reader.NotJSONError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    for line in problems:
        print(line, file=sys.stderr)
    if not args.check:
        print(f"wrote {len(list(args.solutions.glob('*.ipynb')))} exercise notebooks to {args.exercises}")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
