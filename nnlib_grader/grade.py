r"""Grade exercise notebooks: ``python -m nnlib.grade PATH... [--json [FILE]] [--csv FILE] [--timeout S]``.

Each PATH is a notebook or a folder searched for notebooks (a class's
submissions, e.g. ``submissions/alice/03_layers_forward.ipynb``). The student
is the first folder below the folder given (``alice``), or the notebook's own
folder when a file is given; the exercise set comes from the file name
(``03_layers_forward``), else from the notebook's metadata.

For every notebook the grader

1. reads the notebook itself (the submission never sees the file, the folder or
   any other submission) and starts a fresh bubblewrap sandbox for it
   (:mod:`nnlib_grader.sandbox`: own PID namespace, no network, read-only file
   system with only Python, nnlib and the MNIST files in it, a private /tmp,
   limits on memory, processes, file size and time);
2. has the sandbox run the code cells in order, skipping cells that only call
   ``check(...)``; a cell that raises is noted and execution goes on (partial
   credit); a cell that runs too long is interrupted, and one that will not stop
   or ends the process is left out and the notebook run again without it;
3. for each exercise, sends the test inputs (visible and hidden cases), has the
   sandbox call the learner's function *by name* on them and send back only what
   it returned; the grader judges in its own process against answers the sandbox
   never sees, so edited check cells, a redefined ``check``, a patched ``nnlib``
   or a forged result cannot raise a score;
4. notes as ``flags`` (in the JSON, the CSV and the table) whatever the notebook
   did to the grading machinery inside its sandbox, for the instructor's review.

A failing exercise scores 0 with a one-line reason; nothing a submission does
(raise, loop forever, print megabytes, fork, kill, exit, forge output) stops the
run or changes another submission's grade. Output files are written by the
grader only, atomically (a temporary file, then a rename). Exit status: 0 when
grading completed (whatever the scores), 2 for usage errors, 3 when no sandbox
can be started (bubblewrap missing or refused).
"""
from __future__ import annotations

import argparse
import ast
import base64
import csv
import datetime as _dt
import json
import os
import queue
import re
import secrets
import shutil
import sys
import tempfile
import threading
import time
import unicodedata
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from nnlib.checks import runner
from nnlib.checks.core import CheckResult, result_of

from . import sandbox as sandboxing
from .exercises import EXERCISES, LESSONS
from .exercises import reference as _reference

MAX_RESTARTS = 3
ACK_SECONDS = 10.0   # a sandbox that has not even received a request by then never will
STARTUP_SECONDS = 60.0
INTERRUPT_GRACE = 5.0
MAX_OUTCOME_ARRAY_BYTES = 400 << 20


# ----------------------------------------------------------------------------- text from submissions
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")


def clean(text) -> str:
    """Text from a submission, safe for a terminal: no control characters (escape sequences
    drawing fake rows, carriage returns, bells) and no bidirectional overrides."""
    text = _CONTROL.sub("", str(text).replace("\t", " "))
    return "".join(ch for ch in text if unicodedata.category(ch) != "Cf" or ch == "\u200d")


def _clean_result(r: CheckResult) -> CheckResult:
    r.message, r.reason = clean(r.message), clean(r.reason)
    return r


# ----------------------------------------------------------------------------- reports
@dataclass
class NotebookReport:
    """The grade of one notebook."""
    student: str
    path: str
    exercise_set: str | None
    results: list = field(default_factory=list)
    notes: list = field(default_factory=list)
    flags: list = field(default_factory=list)
    seconds: float = 0.0
    graded: bool = True
    sandbox: str = "bubblewrap"

    @property
    def score(self) -> int:
        return sum(r.earned for r in self.results)

    @property
    def max_score(self) -> int:
        return sum(r.points for r in self.results)

    def to_dict(self) -> dict:
        return {"student": self.student, "notebook": self.path, "exercise_set": self.exercise_set,
                "score": self.score, "max_score": self.max_score, "graded": self.graded,
                "seconds": round(self.seconds, 2), "notes": list(self.notes),
                "flags": list(self.flags), "sandbox": self.sandbox,
                "exercises": [r.to_dict() for r in self.results]}


def _zero(ex, status, reason) -> CheckResult:
    return CheckResult(ex.name, ex.points, False, status, len(ex.cases()), 0,
                       f"✗ {ex.name}: {reason}", reason, True)


def _short(text, n=160) -> str:
    text = " ".join(clean(text).split())
    return text if len(text) <= n else text[:n - 3] + "..."


# ----------------------------------------------------------------------------- finding notebooks
_SET_PATTERN = re.compile(r"(\d\d)[ _-]*([a-z_]+)")


def identify_set(path: Path, nb: dict | None = None) -> str | None:
    """Which exercise set a notebook is: by file name, else metadata, else its graded cells."""
    stem = re.sub(r"[\s-]+", "_", path.stem.lower())
    for name in LESSONS:
        if name in stem:
            return name
    number = re.match(r"^\D*(\d\d)(?!\d)", stem)
    if number:
        for name in LESSONS:
            if name.startswith(number.group(1) + "_"):
                return name
    if isinstance(nb, dict):
        meta = nb.get("metadata", {}) if isinstance(nb.get("metadata"), dict) else {}
        named = meta.get("nnlib", {}).get("exercise_set") if isinstance(meta.get("nnlib"), dict) else None
        if named in LESSONS:
            return named
        votes = {}
        for cell in nb.get("cells", []) if isinstance(nb.get("cells"), list) else []:
            gid = str(cell.get("metadata", {}).get("nbgrader", {}).get("grade_id", "")) \
                if isinstance(cell, dict) and isinstance(cell.get("metadata"), dict) else ""
            ex = EXERCISES.get(gid.removeprefix("check_"))
            if ex is not None:
                votes[ex.lesson] = votes.get(ex.lesson, 0) + 1
        if votes:
            return max(votes, key=votes.get)
    return None


def find_notebooks(paths) -> list[tuple[Path, str]]:
    """(notebook, student) for every notebook under the given paths, in a stable order."""
    found = []
    for p in map(Path, paths):
        if p.is_dir():
            for nb in sorted(p.rglob("*.ipynb")):
                rel = nb.relative_to(p)
                if any(part.startswith(".") for part in rel.parts):
                    continue  # .ipynb_checkpoints and hidden folders
                student = rel.parts[0] if len(rel.parts) > 1 else (p.resolve().name or str(p))
                found.append((nb, student))
        elif p.is_file():
            found.append((p, p.resolve().parent.name))
        else:
            raise FileNotFoundError(f"no such file or folder: {p}")
    return found


# ----------------------------------------------------------------------------- executing
# ----------------------------------------------------------------------------- executing
_HIDDEN_BLOCK = re.compile(r"^[ \t]*### BEGIN HIDDEN TESTS[ \t]*$.*?^[ \t]*### END HIDDEN TESTS[ \t]*$",
                           re.S | re.M)


def is_check_only(source: str) -> bool:
    """True for a cell that only calls ``check(...)`` or ``check_all(...)`` (or holds only
    comments); nbgrader's hidden-test blocks in it are the grader's own business."""
    source = _HIDDEN_BLOCK.sub("", source)
    try:
        from IPython.core.inputtransformer2 import TransformerManager
        code = TransformerManager().transform_cell(source)
        tree = ast.parse(code)
    except Exception:
        return False

    def is_check(node):
        return (isinstance(node, ast.Call) and isinstance(node.func, ast.Name)
                and node.func.id in ("check", "check_all"))
    for stmt in tree.body:
        if isinstance(stmt, ast.Expr) and is_check(stmt.value):
            continue
        if isinstance(stmt, ast.Assign) and is_check(stmt.value):
            continue
        return False
    return True


def _first_line(source: str) -> str:
    for line in source.splitlines():
        if line.strip() and not line.strip().startswith("#"):
            return _short(line.strip(), 50)
    return ""


_REFERENCE_PREFIX = "nnlib_grader.exercises.reference."
_REFERENCE_HEADER = ("import numpy as np\nfrom nnlib.activations import sigmoid, softmax, step\n"
                     "from nnlib.neuron import weighted_sum\n\n\n")
_SOURCE_CACHE: dict = {}


def reference_source(name: str) -> str:
    """The source of one reference function and of the reference functions it calls: what the
    sandbox gets to stand in for the notebook's own (already graded) function ``name``."""
    if name in _SOURCE_CACHE:
        return _SOURCE_CACHE[name]
    import inspect
    import types
    seen, order = set(), []

    def names_of(code):
        out = set(code.co_names)
        for const in code.co_consts:
            if isinstance(const, types.CodeType):
                out |= names_of(const)
        return out

    def visit(fname):
        if fname in seen:
            return
        seen.add(fname)
        fn = getattr(_reference, fname)
        for other in sorted(names_of(fn.__code__)):
            if isinstance(getattr(_reference, other, None), types.FunctionType) and \
                    getattr(_reference, other).__module__ == _reference.__name__:
                visit(other)
        order.append(inspect.getsource(fn))
    visit(name)
    text = _REFERENCE_HEADER + "\n\n".join(order)
    _SOURCE_CACHE[name] = text
    return text


def sandbox_uses(ex) -> dict:
    """``ex.uses`` for the sandbox: nnlib's own functions by name, reference answers as source."""
    out = {}
    for name, dotted in ex.uses.items():
        if dotted.startswith(_REFERENCE_PREFIX):
            fname = dotted[len(_REFERENCE_PREFIX):]
            out[name] = {"source": reference_source(fname), "name": fname}
        else:
            out[name] = dotted
    return out


def _pack(arrays) -> dict:
    return {k: {"dtype": a.dtype.str, "shape": list(a.shape),
                "b64": base64.b64encode(np.ascontiguousarray(a).tobytes()).decode("ascii")}
            for k, a in arrays.items()}


def _unpack(table) -> dict:
    """Arrays sent by a sandbox, checked: numbers only, sizes that add up, a total cap."""
    if not isinstance(table, dict):
        raise ValueError("malformed arrays")
    out, total = {}, 0
    for k, v in table.items():
        dt = np.dtype(str(v["dtype"]))
        if dt.kind not in "biuf" or dt.hasobject:
            raise ValueError("an array of something other than numbers")
        shape = tuple(int(n) for n in v["shape"])
        if any(n < 0 for n in shape) or len(shape) > 32:
            raise ValueError("an array of impossible shape")
        raw = base64.b64decode(str(v["b64"]), validate=True)
        total += len(raw)
        if total > MAX_OUTCOME_ARRAY_BYTES:
            raise ValueError("the returned arrays are too large")
        out[str(k)] = np.frombuffer(raw, dtype=dt).reshape(shape).copy()
    return out


def _clean_outcomes(outcomes, arrays) -> list[dict]:
    if not isinstance(outcomes, list) or not outcomes:
        raise ValueError("no results")
    clean_list = []
    for o in outcomes:
        if not isinstance(o, dict) or not isinstance(o.get("status"), str):
            raise ValueError("malformed results")
        o = {k: o[k] for k in ("status", "message", "line", "mutated", "aliased", "warnings", "value", "limit")
             if k in o}
        for k in ("message", "line"):
            if k in o:
                o[k] = _short(o[k], 300)
        if "value" in o:
            o["value"] = runner.decode(o["value"], arrays)
        if not all(isinstance(o.get(k, []), list) for k in ("mutated", "aliased", "warnings")):
            raise ValueError("malformed results")
        o["warnings"] = [_short(w, 200) for w in o.get("warnings", [])][:3]
        clean_list.append(o)
    return clean_list


class _NotebookRun:
    """A sandbox with the notebook's cells executed in it; started again (without the cells
    that hung it or ended it) when needed."""

    def __init__(self, cells, report, cell_timeout, exercise_timeout=None, slot=0, sandbox=True,
                 hidden=(), limits=None, run_as=None):
        self.run_as = run_as
        self.cells, self.report, self.cell_timeout = cells, report, cell_timeout
        self.exercise_timeout = exercise_timeout
        self.slot, self.use_sandbox, self.hidden, self.limits = slot, sandbox, hidden, limits
        self.box = None
        self.left_out: set = set()     # cells that hung or ended the sandbox
        self.noted: set = set()        # cells whose failure is in the notes already
        self.restarts = 0
        self.broken = ""

    def _flags(self):
        if self.box is not None:
            for f in self.box.flags:
                f = clean(f)
                if f not in self.report.flags:
                    self.report.flags.append(f)

    def close(self):
        if self.box is not None:
            self._flags()
            self.box.close()
            self.box = None

    def _note(self, number, text):
        if number not in self.noted:
            self.noted.add(number)
            self.report.notes.append(text)

    def start(self, deadline) -> bool:
        """Start a sandbox and run the cells (all but those left out); False when that failed."""
        while True:
            self.close()
            run = [(n, src) for n, src in self.cells if n not in self.left_out]
            self.box = sandboxing.Sandbox(run, cell_timeout=self.cell_timeout, slot=self.slot,
                                          sandbox=self.use_sandbox, hidden=self.hidden, limits=self.limits,
                                          run_as=self.run_as)
            outcome = self._run_cells(run, deadline)
            if outcome is True:
                return True
            if outcome is False:
                return False
            self.left_out.add(outcome)   # a cell that hung or ended the sandbox: once more without it
            self.restarts += 1
            if self.restarts > MAX_RESTARTS:
                self.broken = f"the notebook had to be started {MAX_RESTARTS + 1} times; grading stopped"
                self.report.notes.append(self.broken)
                return False

    def _run_cells(self, run, deadline):
        """True when every cell ran; a cell number to leave out; False when grading must stop."""
        box = self.box
        try:
            msg = box.receive(min(deadline, time.monotonic() + STARTUP_SECONDS))
        except (sandboxing.SandboxGone, TimeoutError):
            self.broken = ("the sandbox did not start: "
                           + (_short(box.stderr_text, 200) or "no message"))
            self.report.notes.append(self.broken)
            return False
        if msg.get("kind") != "ready":
            box._note("the results channel carried text that is not the grader's (forged or corrupted)")
        current = None
        sources = dict(run)
        while True:
            left_total = deadline - time.monotonic()
            if left_total <= 0:
                self.report.notes.append("time limit reached: the notebook's cells did not all run")
                self.broken = "the notebook's time limit ran out"
                return False
            limit = self.cell_timeout + INTERRUPT_GRACE if current is not None else 30.0
            try:
                msg = box.receive(time.monotonic() + min(limit, left_total))
            except TimeoutError:
                if current is None:
                    self.broken = "the sandbox stopped answering"
                    self.report.notes.append(self.broken)
                    return False
                self._note(current, f"code cell {current} ({_first_line(sources[current])}) was stopped after "
                                    f"{self.cell_timeout:.0f} s and did not respond to the interrupt; "
                                    "the notebook was re-run without it")
                return current
            except sandboxing.SandboxGone:
                if current is None:
                    self.broken = "the sandbox exited before running the cells"
                    self.report.notes.append(self.broken)
                    return False
                self._note(current, f"code cell {current} ({_first_line(sources[current])}) made the "
                                    "notebook's process exit; the notebook was re-run without it")
                return current
            kind = msg.get("kind")
            if kind == "cell_start" and msg.get("number") in sources:
                current = msg["number"]
            elif kind == "cell_end" and msg.get("number") == current:
                where = f"code cell {current} ({_first_line(sources[current])})"
                if msg.get("status") == "error":
                    self._note(current, f"{where} raised {_short(msg.get('error', ''), 200)}")
                elif msg.get("status") == "timeout":
                    self._note(current, f"{where} was stopped after {self.cell_timeout:.0f} s")
                current = None
            elif kind == "cells_done":
                return True
            else:
                box._note("the results channel carried text that is not the grader's (forged or corrupted)")

    def grade(self, ex, deadline) -> CheckResult:
        if self.broken or self.box is None:
            return _zero(ex, "error", f"not graded: {self.broken or 'no sandbox'}")
        left = deadline - time.monotonic()
        if left < 1:
            return _zero(ex, "timeout", "not graded: the notebook's time limit ran out")
        cases = ex.cases(hidden=True)
        options = ex.call_options(quiet=True)
        options["uses"] = sandbox_uses(ex)
        limit = ex.timeout * len(cases) + 15
        if self.exercise_timeout:
            options["timeout"] = min(options["timeout"], self.exercise_timeout)
            limit = self.exercise_timeout + INTERRUPT_GRACE
        limit = min(left, limit)
        request, arrays = runner.encode_request(ex.name, [(c.args, c.kwargs) for c in cases], **options)
        rid = secrets.token_hex(8)
        self.box.send({"kind": "exercise", "id": rid, "request": request, "arrays": _pack(arrays)})
        end = time.monotonic() + limit
        acked = False
        try:
            while True:
                msg = self.box.receive(end if acked else min(end, time.monotonic() + ACK_SECONDS))
                if msg.get("kind") == "ack" and msg.get("id") == rid:
                    acked = True
                    continue
                if msg.get("kind") == "result" and msg.get("id") == rid:
                    break
                self.box._note("the results channel carried a message the grader did not ask for (forged?)")
        except TimeoutError:
            if not acked:   # the request never reached the grader's program: the notebook's code took it
                self.box._note("the grader's request was taken by the notebook's own code (a thread or "
                               "process it left running)")
                self.close()
                self.broken = ("the notebook's own code took the grader's requests (a thread it left "
                               "running); grading stopped")
                self.report.notes.append(self.broken)
                return _zero(ex, "error", f"not graded: {self.broken}")
            self._restart(deadline)
            return _zero(ex, "timeout", f"did not finish within {limit:.0f} s")
        except sandboxing.SandboxGone as exc:
            self._restart(deadline)
            why = str(exc) if "sent" in str(exc) else f"calling {ex.name} made the notebook's process exit"
            return _zero(ex, "error", why)
        try:
            outcomes = _clean_outcomes(msg.get("outcomes"), _unpack(msg.get("arrays", {})))
        except Exception as exc:
            return _zero(ex, "error", f"the grader could not read what {ex.name} returned ({_short(exc, 100)})")
        return _clean_result(result_of(ex, cases, outcomes, hidden_included=True))

    def _restart(self, deadline):
        self.restarts += 1
        if self.restarts > MAX_RESTARTS:
            self.close()
            self.broken = f"the notebook had to be started {MAX_RESTARTS + 1} times; grading stopped"
            self.report.notes.append(self.broken)
            return
        self.start(deadline)


def code_cells(raw) -> list[tuple[int, str]]:
    """(number, source) of every code cell of a notebook read as JSON. Version 4 notebooks are
    read directly (nbformat's import alone takes seconds, for its schema validator); older
    ones go through nbformat's upgrade."""
    if not isinstance(raw, dict) or not isinstance(raw.get("cells"), list) or raw.get("nbformat") != 4:
        import nbformat
        nb = nbformat.reads(json.dumps(raw), as_version=4)
        raw = {"cells": [dict(c) for c in nb.cells]}
    out = []
    for cell in raw["cells"]:
        if not isinstance(cell, dict):
            raise ValueError("a cell that is not a JSON object")
        if cell.get("cell_type") != "code":
            continue
        source = cell.get("source", "")
        if isinstance(source, list):
            if not all(isinstance(line, str) for line in source):
                raise ValueError("a cell whose source is not text")
            source = "".join(source)
        elif not isinstance(source, str):
            raise ValueError("a cell whose source is not text")
        out.append((len(out) + 1, source))
    return out


SOURCE_DIR = Path(__file__).resolve().parent.parent / "solutions"
_LOCKED: dict = {}


def locked_cells(exercise_set: str, source_dir: Path | None = None) -> dict:
    """grade_id -> source of the locked code cells of a set's source notebook, as released
    (hidden tests removed): what nbgrader restores in a submission before autograding."""
    folder = Path(source_dir) if source_dir else SOURCE_DIR
    key = (str(folder), exercise_set)
    if key not in _LOCKED:
        cells = {}
        path = folder / f"{exercise_set}.ipynb"
        if path.is_file():
            from .generate import strip_source
            raw = json.loads(path.read_text(encoding="utf-8"))
            for cell in raw.get("cells", []):
                meta = cell.get("metadata", {}).get("nbgrader", {})
                if cell.get("cell_type") == "code" and meta.get("locked") and not meta.get("solution") \
                        and meta.get("grade_id"):
                    source = cell["source"] if isinstance(cell["source"], str) else "".join(cell["source"])
                    cells[meta["grade_id"]] = strip_source(source)
        _LOCKED[key] = cells
    return _LOCKED[key]


def restore_locked(raw: dict, exercise_set: str, source_dir=None) -> list[str]:
    """Put the source's version back into every locked code cell of the submission (by its
    nbgrader grade_id), as nbgrader does; returns the grade_ids that had been edited."""
    locked = locked_cells(exercise_set, source_dir)
    edited = []
    if not locked or not isinstance(raw, dict) or not isinstance(raw.get("cells"), list):
        return edited
    for cell in raw["cells"]:
        if not isinstance(cell, dict) or cell.get("cell_type") != "code":
            continue
        meta = cell.get("metadata", {})
        nbgrader = meta.get("nbgrader") if isinstance(meta, dict) else None
        gid = nbgrader.get("grade_id") if isinstance(nbgrader, dict) else None
        if isinstance(gid, str) and gid in locked:
            source = cell.get("source", "")
            source = "".join(source) if isinstance(source, list) else source
            try:
                from .generate import strip_source
                same = strip_source(source) == locked[gid]   # the source notebook itself keeps its hidden tests
            except Exception:
                same = False
            if not same:
                edited.append(gid)
                cell["source"] = locked[gid]
    return edited


def grade_notebook(path, student="", exercise_set=None, timeout=600.0, cell_timeout=120.0,
                   exercise_timeout=None, slot=0, sandbox=True, hidden=(), limits=None,
                   run_as=None) -> NotebookReport:
    """Grade one notebook (see the module docstring). Never raises for a bad submission.

    ``timeout``: seconds for the whole notebook (running its cells may use 3/4 of it);
    ``cell_timeout``: seconds per code cell; ``exercise_timeout``: seconds per graded
    function (default: each exercise's own limit per case, e.g. 10 s, times its cases);
    ``slot``: which of the concurrent sandboxes (its own user id when run as root);
    ``sandbox=False`` runs the notebook without isolation (only for one's own notebooks);
    ``hidden``: folders to keep out of the sandbox even if they lie in a folder it sees.
    """
    start = time.monotonic()
    path = Path(path)
    report = NotebookReport(clean(student), clean(str(path)), exercise_set,
                            sandbox="bubblewrap" if sandbox else ("none (--no-sandbox)" if run_as is None
                                                                  else f"unprivileged user {run_as}"))
    raw, problem = None, None
    try:
        if not path.is_file():
            raise ValueError("not a regular file")
        with open(path, "rb") as f:          # a FIFO or a huge file never blocks or floods us
            data = f.read(50 << 20)
        raw = json.loads(data.decode("utf-8"))
    except Exception as exc:
        problem = f"not a valid notebook file ({_short(exc, 100)})"
    report.exercise_set = exercise_set or identify_set(path, raw)
    if report.exercise_set is None:
        report.graded = False
        report.notes.append("not an exercise notebook: no exercise set matches its name or metadata")
        return report
    exercises = LESSONS[report.exercise_set]
    if problem is None:
        try:
            edited = restore_locked(raw, report.exercise_set)
            if edited:
                report.notes.append("locked cell" + ("s " if len(edited) > 1 else " ") + ", ".join(edited)
                                    + " had been edited; restored from the source notebook, as nbgrader does")
            cells = [(n, src) for n, src in code_cells(raw) if not is_check_only(src)]
        except Exception as exc:
            problem = f"not a valid notebook ({_short(exc, 100)})"
    if problem is not None:
        report.results = [_zero(ex, "error", problem) for ex in exercises]
        report.notes.append(problem)
        report.seconds = time.monotonic() - start
        return report
    deadline = start + timeout
    run = _NotebookRun(cells, report, cell_timeout, exercise_timeout, slot=slot, sandbox=sandbox,
                       hidden=hidden, limits=limits, run_as=run_as)
    try:
        run.start(start + 0.75 * timeout)
        for ex in exercises:
            try:
                report.results.append(run.grade(ex, deadline))
            except sandboxing.SandboxUnavailable:
                raise
            except Exception as exc:  # a grader bug costs this exercise, not the others
                report.results.append(_zero(ex, "error", f"not graded (internal error: {_short(exc, 100)})"))
    except sandboxing.SandboxUnavailable:
        raise
    except Exception as exc:  # a grader bug must not lose the other notebooks
        report.notes.append(f"grading stopped by an internal error: {_short(exc)}")
        done = {r.name for r in report.results}
        report.results += [_zero(ex, "error", "not graded (internal error)") for ex in exercises
                           if ex.name not in done]
    finally:
        run.close()
    report.notes = [clean(n) for n in report.notes]
    report.seconds = time.monotonic() - start
    return report


# ----------------------------------------------------------------------------- output
def format_report(report: NotebookReport, details=False, width=None) -> str:
    if width is None:
        width = max(120, shutil.get_terminal_size((120, 24)).columns)
    head = f"{clean(report.student)} / {clean(Path(report.path).name)}"
    if not report.graded:
        return f"{head}: skipped ({'; '.join(clean(n) for n in report.notes)})"
    lines = [f"{head}  [{report.exercise_set}]  {report.score} / {report.max_score} points  "
             f"({report.seconds:.1f} s)"]
    name_w = max([len("exercise")] + [len(r.name) for r in report.results])
    lines.append(f"  {'exercise':<{name_w}}  points  earned  feedback")
    room = max(20, width - name_w - 20)
    for r in report.results:
        reason = clean(r.reason)
        fb = reason if len(reason) <= room else reason[:room - 3] + "..."
        lines.append(f"  {r.name:<{name_w}}  {r.points:>6}  {r.earned:>6}  {fb}")
    for note in report.notes:
        lines.append(f"  note: {clean(note)}")
    if report.flags:
        lines.append("  FLAGGED for review: " + "; ".join(clean(f) for f in report.flags))
    if details:
        for r in report.results:
            if not r.passed and r.status != "not_implemented":
                lines.append("")
                lines += ["  " + clean(line) for line in r.message.splitlines()]
    return "\n".join(lines)


def student_totals(reports) -> dict:
    totals = {}
    for rep in reports:
        if not rep.graded:
            continue
        t = totals.setdefault(rep.student, {"student": rep.student, "notebooks": 0, "score": 0,
                                            "max_score": 0, "flagged": False})
        t["notebooks"] += 1
        t["score"] += rep.score
        t["max_score"] += rep.max_score
        t["flagged"] = t["flagged"] or bool(rep.flags)
    return totals


def format_totals(reports) -> str:
    totals = student_totals(reports)
    if not totals:
        return "No exercise notebooks were graded."
    w = max(len("student"), *(len(clean(s)) for s in totals))
    lines = ["Totals", f"  {'student':<{w}}  notebooks  score"]
    for s, t in sorted(totals.items()):
        mark = "  (flagged for review)" if t["flagged"] else ""
        lines.append(f"  {clean(s):<{w}}  {t['notebooks']:>9}  {t['score']} / {t['max_score']}{mark}")
    return "\n".join(lines)


CSV_COLUMNS = ["student", "notebook", "exercise_set", "exercise", "points", "earned", "status", "feedback",
               "flags"]


def csv_cell(value):
    """A CSV cell that a spreadsheet will not run as a formula: text beginning with = + - @
    (or a tab or carriage return) gets a leading apostrophe (OWASP's advice)."""
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + value
    return value


def write_atomically(path, write):
    """Write a file through a temporary file in its folder and a rename: a reader sees the old
    file or the complete new one, never half of it. The folder is created when missing."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "w", newline="", encoding="utf-8") as f:
            write(f)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise


def write_csv(reports, path):
    def write(f):
        w = csv.writer(f)
        w.writerow(CSV_COLUMNS)
        for rep in reports:
            flags = "; ".join(rep.flags)
            for r in rep.results:
                w.writerow([csv_cell(v) for v in (rep.student, rep.path, rep.exercise_set, r.name, r.points,
                                                  r.earned, r.status, clean(r.reason), flags)])
    write_atomically(path, write)


def to_json(reports) -> dict:
    from . import __version__
    return {"grader": f"nnlib.grade {__version__}",
            "graded_at": _dt.datetime.now(_dt.timezone.utc).isoformat(timespec="seconds"),
            "notebooks": [r.to_dict() for r in reports],
            "students": sorted(student_totals(reports).values(), key=lambda t: t["student"])}


def write_json(reports, path):
    write_atomically(path, lambda f: (json.dump(to_json(reports), f, indent=1, ensure_ascii=False), f.write("\n")))


# ----------------------------------------------------------------------------- command line
def _parser():
    p = argparse.ArgumentParser(
        prog="python -m nnlib.grade",
        epilog="python -m nnlib.grade --gradescope-package SET OUT.zip writes a Gradescope autograder.",
        description="Grade nnlib exercise notebooks (one notebook, or folders of submissions: "
                    "folder/STUDENT/NN_name.ipynb), each in its own bubblewrap sandbox.")
    p.add_argument("paths", nargs="+", metavar="PATH", help="notebooks or folders of notebooks")
    p.add_argument("--json", nargs="?", const="-", metavar="FILE",
                   help="the grades as JSON: on stdout, or written to FILE")
    p.add_argument("--csv", metavar="FILE", help="also write a gradebook CSV, one row per "
                   "student, notebook and exercise")
    p.add_argument("--gradebook", metavar="FILE",
                   help="also write a gradebook an LMS can import: one row per student, one column "
                        "per exercise set (the points), a total and a status")
    p.add_argument("--roster", metavar="FILE",
                   help="a CSV with a `student` column (other columns are carried into the gradebook): "
                        "students without a submission get 0 and status `missing`")
    p.add_argument("--feedback", metavar="DIR",
                   help="write one HTML page per student and notebook to hand back (DIR/STUDENT/NOTEBOOK.html)")
    p.add_argument("--assignment", metavar="SET",
                   help="the exercise set being graded (e.g. 02_activations): a notebook of another "
                        "set, or a lesson, scores 0 for it with the reason")
    p.add_argument("--timeout", type=float, default=600.0, metavar="S",
                   help="time limit per notebook in seconds (default 600; cells may use 3/4 of it)")
    p.add_argument("--cell-timeout", type=float, default=120.0, metavar="S",
                   help="time limit per code cell in seconds (default 120)")
    p.add_argument("--exercise-timeout", type=float, default=None, metavar="S",
                   help="time limit per graded function in seconds (default: 10 s per test case; "
                        "15 min for training the MNIST model)")
    p.add_argument("--memory", type=float, default=None, metavar="GB",
                   help="address-space limit of each sandbox in GB (default 6)")
    p.add_argument("--jobs", "-j", type=int, default=1, metavar="N",
                   help="grade N notebooks at a time (default 1)")
    p.add_argument("--no-sandbox", action="store_true",
                   help="run the notebooks without bubblewrap: only for your own notebooks, never "
                        "for submissions (a notebook could then read the answers or change grades)")
    p.add_argument("--details", action="store_true",
                   help="print the full feedback of every failed exercise below its table")
    p.add_argument("--quiet", "-q", action="store_true", help="no progress lines on stderr")
    return p


def peek_set(path: Path) -> str | None:
    """The exercise set of a notebook file, without running it (None when none matches)."""
    raw = None
    try:
        if path.is_file() and path.stat().st_size <= 50 << 20:
            raw = json.loads(path.read_bytes().decode("utf-8"))
    except Exception:
        raw = None
    return identify_set(path, raw)


def plan(found, assignment=None):
    """(path, student, what) for each notebook: what is None (grade it), ("other", set) for a
    notebook that is not the assignment, or ("older", newest) for an older copy of a set the
    same student handed in twice (the newest by modification time counts)."""
    sets = {i: peek_set(path) for i, (path, _) in enumerate(found)}
    out, groups = [], {}
    for i, (path, student) in enumerate(found):
        s = sets[i]
        if assignment and s != assignment:
            out.append((path, student, ("other", s)))
            continue
        out.append((path, student, None))
        if s is not None:
            groups.setdefault((student, s), []).append(len(out) - 1)
    for indices in groups.values():
        if len(indices) < 2:
            continue
        def mtime(j):
            try:
                return out[j][0].lstat().st_mtime
            except OSError:
                return 0.0
        newest = max(indices, key=lambda j: (mtime(j), str(out[j][0])))
        for j in indices:
            if j != newest:
                out[j] = (out[j][0], out[j][1], ("older", out[newest][0]))
    return out


def not_graded_report(path, student, what, assignment=None) -> NotebookReport:
    kind, other = what
    if kind == "older":
        rep = NotebookReport(clean(student), clean(str(path)), peek_set(path), graded=False)
        rep.notes.append(f"an older copy: {clean(Path(other).name)} (handed in later) counts instead")
        return rep
    rep = NotebookReport(clean(student), clean(str(path)), assignment)
    what_it_is = f"the exercise set {other}" if other else "not an exercise notebook (a lesson?)"
    reason = f"this notebook is {what_it_is}, not the assignment {assignment}: 0 for this assignment"
    rep.results = [_zero(ex, "wrong_assignment", reason) for ex in LESSONS[assignment]]
    rep.notes.append(reason)
    return rep


def read_roster(path) -> list[dict]:
    """The roster's rows (a `student` column, any others), in its order; ValueError if unusable."""
    with open(path, newline="", encoding="utf-8-sig") as f:
        rows = list(csv.DictReader(f))
    if not rows or "student" not in rows[0]:
        raise ValueError(f"{path}: a roster is a CSV file with a `student` column")
    out, seen = [], set()
    for row in rows:
        name = (row.get("student") or "").strip()
        if name and name not in seen:
            seen.add(name)
            out.append({k: (v or "").strip() for k, v in row.items() if k is not None})
    return out


def gradebook_rows(reports, roster=None, assignment=None):
    """(header, rows) of the wide gradebook: one row per student."""
    sets = [assignment] if assignment else [s for s in LESSONS if any(r.graded and r.exercise_set == s
                                                                      for r in reports)]
    points, flagged, students = {}, {}, []
    for rep in reports:
        if not rep.graded or rep.exercise_set not in sets:
            continue
        if rep.student not in points:
            students.append(rep.student)
            points[rep.student] = {}
        points[rep.student][rep.exercise_set] = points[rep.student].get(rep.exercise_set, 0) + rep.score
        flagged[rep.student] = flagged.get(rep.student, False) or bool(rep.flags)
    extra = [k for k in (roster[0].keys() if roster else []) if k != "student"]
    header = ["student"] + extra + sets + ["total", "status", "flagged"]
    rows = []
    listed = [r["student"] for r in roster] if roster else sorted(students)
    for name in listed:
        mine = points.get(name, {})
        info = next((r for r in roster if r["student"] == name), {}) if roster else {}
        status = "graded" if name in points else "missing"
        rows.append([name] + [info.get(k, "") for k in extra] + [mine.get(s, 0) for s in sets]
                    + [sum(mine.get(s, 0) for s in sets), status, "yes" if flagged.get(name) else ""])
    if roster:
        for name in sorted(set(students) - set(listed)):
            mine = points[name]
            rows.append([name] + [""] * len(extra) + [mine.get(s, 0) for s in sets]
                        + [sum(mine.values()), "not on roster", "yes" if flagged.get(name) else ""])
    return header, rows


def write_gradebook(reports, path, roster=None, assignment=None):
    header, rows = gradebook_rows(reports, roster, assignment)

    def write(f):
        w = csv.writer(f)
        w.writerow(header)
        for row in rows:
            w.writerow([csv_cell(v) for v in row])
    write_atomically(path, write)


_FEEDBACK_CSS = ("body{font-family:system-ui,sans-serif;max-width:60em;margin:2em auto;padding:0 1em;color:#222}"
                 "table{border-collapse:collapse}td,th{border:1px solid #ccc;padding:.3em .6em;text-align:left;"
                 "vertical-align:top}th{background:#f3f3f3}.pass{color:#1a7f37}.fail{color:#b42318}"
                 "pre{background:#f7f7f7;padding:.6em;overflow-x:auto;white-space:pre-wrap}")


def feedback_html(rep: NotebookReport) -> str:
    """The page handed back to a student for one notebook: the score table, and for each failed
    exercise its case, input, expected and got and the hint; for a hidden case only its
    one-line reason (a hidden case's values never leave the grader)."""
    import html
    def e(t):
        return html.escape(clean(t))

    title = f"{rep.student}: {Path(rep.path).name}"
    parts = [f"<!doctype html><html lang='en'><head><meta charset='utf-8'><title>{e(title)}</title>"
             f"<style>{_FEEDBACK_CSS}</style></head><body>",
             f"<h1>{e(Path(rep.path).name)}</h1>",
             f"<p>Student: <b>{e(rep.student)}</b> · exercise set <b>{e(rep.exercise_set or '-')}</b> · "
             f"<b>{rep.score} / {rep.max_score}</b> points</p>"]
    if rep.results:
        parts.append("<table><tr><th>exercise</th><th>points</th><th>earned</th><th>feedback</th></tr>")
        for r in rep.results:
            cls = "pass" if r.passed else "fail"
            parts.append(f"<tr><td><code>{e(r.name)}</code></td><td>{r.points}</td>"
                         f"<td class='{cls}'>{r.earned}</td><td>{e(r.reason)}</td></tr>")
        parts.append("</table>")
    for note in rep.notes:
        parts.append(f"<p><i>Note: {e(note)}</i></p>")
    for r in rep.results:
        if r.passed or r.status == "not_implemented":
            continue
        parts.append(f"<h2><code>{e(r.name)}</code></h2>")
        if "hidden case" in r.reason or "hidden case" in r.message.split("\n", 1)[0]:
            parts.append(f"<p>{e(r.reason)}</p><p>(This is one of the grader's hidden cases: its "
                         "values are not shown. The visible cases in your notebook's check may help.)</p>")
        else:
            parts.append(f"<pre>{e(r.message)}</pre>")
    parts.append("</body></html>\n")
    return "".join(parts)


def _safe_name(text: str) -> str:
    name = re.sub(r"[^A-Za-z0-9._ -]+", "_", clean(text)).strip(" .") or "_"
    return name[:100]


def write_feedback(reports, folder):
    """One HTML file per student and notebook: FOLDER/STUDENT/NOTEBOOK.html."""
    folder = Path(folder)
    written = 0
    for rep in reports:
        if not rep.graded:
            continue
        target = folder / _safe_name(rep.student) / (_safe_name(Path(rep.path).stem) + ".html")
        write_atomically(target, lambda f, rep=rep: f.write(feedback_html(rep)))
        written += 1
    return written


def _secret_folders(paths, outputs):
    """Folders a sandbox must never see: the grading package, the course's solutions, the
    folders being graded and the folders of the output files."""
    here = Path(__file__).resolve().parent
    out = [here, here.parent / "solutions"]
    out += [Path(p).resolve() if Path(p).is_dir() else Path(p).resolve().parent for p in paths]
    out += [Path(o).resolve().parent for o in outputs if o and o != "-"]
    return [p for p in out if p.exists()]


def main(argv=None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    if argv[:1] == ["--gradescope-package"]:
        return _gradescope_package(argv[1:])
    parser = _parser()
    args = parser.parse_args(argv)
    if (args.timeout <= 0 or args.cell_timeout <= 0 or args.jobs < 1
            or (args.exercise_timeout is not None and args.exercise_timeout <= 0)
            or (args.memory is not None and args.memory <= 0)):
        parser.error("the time limits and --memory must be positive and --jobs at least 1")
    try:
        found = find_notebooks(args.paths)
    except FileNotFoundError as exc:
        parser.error(str(exc))
    if not found:
        parser.error(f"no notebooks (*.ipynb) found in {' '.join(args.paths)}")
    if args.assignment and args.assignment not in LESSONS:
        parser.error(f"--assignment {args.assignment!r}: the exercise sets are {', '.join(LESSONS)}")
    roster = None
    if args.roster:
        try:
            roster = read_roster(args.roster)
        except (OSError, ValueError, UnicodeDecodeError, csv.Error) as exc:
            parser.error(f"--roster: {exc}")
    use_sandbox = not args.no_sandbox
    why = sandboxing.probe(use_sandbox)
    if why is not None:
        print(why, file=sys.stderr)
        return 3
    if not use_sandbox and not args.quiet:
        print("warning: --no-sandbox: the notebooks run unisolated, with the grader's rights; "
              "use it only for notebooks you trust", file=sys.stderr)
    limits = {"RLIMIT_AS": int(args.memory * (1 << 30))} if args.memory else None
    hidden = _secret_folders(args.paths, [args.csv, args.json, args.gradebook]) + (
        [Path(args.feedback).resolve()] if args.feedback and Path(args.feedback).is_dir() else [])
    todo = plan(found, args.assignment)

    lock = threading.Lock()
    done = [0]
    slots: queue.Queue = queue.Queue()
    for i in range(args.jobs):
        slots.put(i)

    def one(item):
        path, student, what = item
        if what is not None:
            rep = not_graded_report(path, student, what, args.assignment)
        else:
            slot = slots.get()
            try:
                rep = grade_notebook(path, student, exercise_set=args.assignment, timeout=args.timeout,
                                     cell_timeout=args.cell_timeout, exercise_timeout=args.exercise_timeout,
                                     slot=slot, sandbox=use_sandbox, hidden=hidden, limits=limits)
            finally:
                slots.put(slot)
        with lock:
            done[0] += 1
            if not args.quiet:
                what = (f"{rep.score}/{rep.max_score}" if rep.graded else "skipped")
                mark = " FLAGGED" if rep.flags else ""
                print(f"[{done[0]}/{len(found)}] {clean(student)}/{clean(path.name)}: {what}{mark} "
                      f"({rep.seconds:.1f} s)", file=sys.stderr, flush=True)
        return rep

    try:
        with ThreadPoolExecutor(max_workers=args.jobs) as workers:
            reports = list(workers.map(one, todo))
    except sandboxing.SandboxUnavailable as exc:
        print(str(exc), file=sys.stderr)
        return 3
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130

    on_roster = {r["student"] for r in roster} if roster else None
    if on_roster is not None:
        strays = sorted({r.student for r in reports} - on_roster)
        missing = sorted(on_roster - {r.student for r in reports if r.graded})
        for name in strays:
            print(f"note: {clean(name)} handed in but is not on the roster", file=sys.stderr)
        if missing and not args.quiet:
            print(f"note: {len(missing)} student(s) on the roster handed in nothing: "
                  + ", ".join(clean(m) for m in missing[:20]), file=sys.stderr)
    written = []
    def book(reps, target):
        return write_gradebook(reps, target, roster, args.assignment)

    for what, target, writer in (("JSON", args.json, write_json), ("Long gradebook", args.csv, write_csv),
                                 ("Gradebook", args.gradebook, book), ("Feedback", args.feedback, write_feedback)):
        if target and target != "-":
            try:
                writer(reports, target)
                written.append(f"{what} written to {clean(target)}")
            except OSError as exc:
                print(f"error: could not write {clean(target)}: {clean(exc)}", file=sys.stderr)
    if args.json == "-":
        json.dump(to_json(reports), sys.stdout, indent=1, ensure_ascii=True)
        print()
        return 0
    for rep in reports:
        print(format_report(rep, details=args.details))
        print()
    print(format_totals(reports))
    for line in written:
        print(f"\n{line}")
    return 0


def _gradescope_package(argv) -> int:
    p = argparse.ArgumentParser(prog="python -m nnlib.grade --gradescope-package",
                                description="Write a Gradescope autograder zip for one exercise set.")
    p.add_argument("set", metavar="SET", help="the exercise set, e.g. 02_activations")
    p.add_argument("out", metavar="OUT.zip", type=Path)
    args = p.parse_args(argv)
    from .gradescope import write_package
    try:
        path = write_package(args.set, args.out)
    except (ValueError, FileNotFoundError) as exc:
        print(f"error: {clean(exc)}", file=sys.stderr)
        return 2
    print(f"Gradescope autograder for {args.set} written to {clean(path)} "
          f"({path.stat().st_size / 1e6:.1f} MB): upload it as the assignment's autograder.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
