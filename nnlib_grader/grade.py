r"""Grade exercise notebooks: ``python -m nnlib.grade PATH... [--json | --csv FILE] [--timeout S]``.

Each PATH is a notebook or a folder searched for notebooks (a class's
submissions, e.g. ``submissions/alice/03_layers_forward.ipynb``). The student
is the first folder below the folder given (``alice``), or the notebook's own
folder when a file is given; the exercise set comes from the file name
(``03_layers_forward``), else from the notebook's metadata.

For every notebook the grader

1. starts a fresh kernel (the current Python, in an empty temporary folder) and
   runs the code cells in order, skipping cells that only call ``check(...)``;
   a cell that raises is noted and execution goes on (partial credit), a cell
   that runs too long is interrupted;
2. for each exercise, sends the test inputs (visible and hidden cases) to the
   kernel, has the kernel run the learner's function *by name* on them and
   write back only what it returned; the grader computes the expected answers
   and judges in its own process, so edited check cells, a redefined
   ``check`` or a patched ``nnlib`` cannot raise a score;
3. discards the kernel.

A failing exercise scores 0 with a one-line reason; nothing a submission does
(raise, loop forever, print megabytes, die, be invalid JSON) stops the run.
Exit status: 0 when grading completed (whatever the scores), 2 for usage
errors, 3 when no kernel could be started (a problem with the environment).
"""
from __future__ import annotations

import argparse
import ast
import csv
import datetime as _dt
import json
import re
import shutil
import sys
import tempfile
import threading
import time
import zipfile
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from .checks import LESSONS, EXERCISES
from .checks import runner
from .checks.core import CheckResult, result_of
from .checks.kernel import KernelPool, KernelSession, KernelStartError

RUNNER_SOURCE = Path(runner.__file__).read_text(encoding="utf-8")
MAX_JSON_BYTES = 20 << 20
MAX_NPZ_BYTES = 400 << 20
MAX_RESTARTS = 3

_CALL = """\
def _nnlib_grade_call():
    ns = {{"__name__": "_nnlib_grader_runner", "__file__": "<nnlib-grader>"}}
    exec(compile({source!r}, "<nnlib-grader>", "exec"), ns)
    ns["run_request"](globals(), {request!r}, {output!r})
try:
    _nnlib_grade_call()
finally:
    del _nnlib_grade_call
"""


# ----------------------------------------------------------------------------- reports
@dataclass
class NotebookReport:
    """The grade of one notebook."""
    student: str
    path: str
    exercise_set: str | None
    results: list = field(default_factory=list)
    notes: list = field(default_factory=list)
    seconds: float = 0.0
    graded: bool = True

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
                "exercises": [r.to_dict() for r in self.results]}


def _zero(ex, status, reason) -> CheckResult:
    return CheckResult(ex.name, ex.points, False, status, len(ex.cases()), 0,
                       f"✗ {ex.name}: {reason}", reason, True)


def _short(text, n=160) -> str:
    text = " ".join(str(text).split())
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
def is_check_only(source: str) -> bool:
    """True for a cell that only calls ``check(...)`` or ``check_all(...)`` (or holds only comments)."""
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


class _NotebookRun:
    """A kernel with the notebook's cells executed in it; restarts (and replays) when needed."""

    def __init__(self, workdir, report, cell_timeout, exercise_timeout=None):
        self.workdir, self.report, self.cell_timeout = workdir, report, cell_timeout
        self.exercise_timeout = exercise_timeout
        self.session = None
        self.replay = []   # sources to run again after a restart
        self.restarts = 0
        self.broken = ""

    def start(self, session=None):
        self.session = session if session is not None else KernelSession(self.workdir)

    def close(self):
        if self.session is not None:
            self.session.close()
            self.session = None

    def restart(self, deadline):
        """A fresh kernel with the cells run so far; False when that is impossible."""
        self.close()
        if self.restarts >= MAX_RESTARTS:
            self.broken = f"the kernel had to be restarted {MAX_RESTARTS} times; grading stopped"
            return False
        self.restarts += 1
        try:
            self.start()
        except KernelStartError as exc:
            self.broken = _short(exc)
            return False
        for source in self.replay:
            left = deadline - time.monotonic()
            if left <= 0:
                self.broken = "the time limit ran out while re-running the notebook after a restart"
                return False
            reply = self.session.run(source, min(self.cell_timeout, left))
            if reply.status in ("hung", "dead"):
                self.broken = "the notebook could not be re-run after a restart"
                return False
        return True

    def execute(self, cells, deadline):
        for number, source in cells:
            if is_check_only(source):
                continue
            left = deadline - time.monotonic()
            if left <= 0:
                self.report.notes.append(f"time limit reached: code cells from {number} on were not run")
                return
            limit = min(self.cell_timeout, left)
            reply = self.session.run(source, limit)
            where = f"code cell {number} ({_first_line(source)})"
            if reply.status == "ok":
                self.replay.append(source)
            elif reply.status == "error":
                self.replay.append(source)
                self.report.notes.append(f"{where} raised {reply.error_text}")
            elif reply.status == "timeout":
                self.report.notes.append(f"{where} was stopped after {limit:.0f} s")
            elif reply.status == "dead":
                self.report.notes.append(f"{where} made the kernel exit; the notebook was re-run without it")
            else:
                self.report.notes.append(f"{where} was stopped after {limit:.0f} s and the kernel did not "
                                         "respond to the interrupt; the notebook was re-run without it")
            if reply.status in ("dead", "hung"):
                if not self.restart(deadline):
                    self.report.notes.append(self.broken)
                    return

    def grade(self, ex, index, deadline) -> CheckResult:
        if self.broken:
            return _zero(ex, "error", f"not graded: {self.broken}")
        left = deadline - time.monotonic()
        if left < 1:
            return _zero(ex, "timeout", "not graded: the notebook's time limit ran out")
        cases = ex.cases(hidden=True)
        options = ex.call_options(quiet=True)
        limit = ex.timeout * len(cases) + 15
        if self.exercise_timeout:
            options["timeout"] = min(options["timeout"], self.exercise_timeout)
            limit = self.exercise_timeout + 5
        limit = min(left, limit)
        request, arrays = runner.encode_request(ex.name, [(c.args, c.kwargs) for c in cases], **options)
        base = Path(self.workdir) / f".grader_{index}"
        req_path, out_path = str(base) + "_in", str(base) + "_out"
        Path(req_path + ".json").write_text(json.dumps(request))
        np.savez(req_path + ".npz", **arrays)
        reply = self.session.run(_CALL.format(source=RUNNER_SOURCE, request=req_path, output=out_path), limit)
        if reply.status == "ok":
            try:
                outcomes = _read_outcomes(out_path)
            except Exception as exc:
                return _zero(ex, "error", f"the grader could not read what {ex.name} returned ({_short(exc, 100)})")
            return result_of(ex, cases, outcomes, hidden_included=True)
        if reply.status == "error":
            return _zero(ex, "error", f"the checks could not run in the notebook's kernel: {reply.error_text}")
        if reply.status in ("hung", "dead"):
            self.restart(deadline)
        if reply.status == "dead":
            return _zero(ex, "error", f"calling {ex.name} made the kernel exit")
        return _zero(ex, "timeout", f"did not finish within {limit:.0f} s")


def _read_outcomes(path) -> list[dict]:
    """The outcomes a kernel wrote, read defensively (sizes capped, no pickles)."""
    jpath, npath = Path(path + ".json"), Path(path + ".npz")
    if jpath.stat().st_size > MAX_JSON_BYTES:
        raise ValueError("the results file is too large")
    data = json.loads(jpath.read_text())
    arrays = {}
    with zipfile.ZipFile(npath) as z:
        total = sum(info.file_size for info in z.infolist())
    if total > MAX_NPZ_BYTES:
        raise ValueError("the returned arrays are too large")
    with np.load(npath, allow_pickle=False) as npz:
        for key in npz.files:
            arrays[key] = npz[key]
    outcomes = data["outcomes"]
    if not isinstance(outcomes, list) or not outcomes:
        raise ValueError("no results")
    clean = []
    for o in outcomes:
        if not isinstance(o, dict) or not isinstance(o.get("status"), str):
            raise ValueError("malformed results")
        o = {k: o[k] for k in ("status", "message", "line", "mutated", "warnings", "value", "limit") if k in o}
        for k in ("message", "line"):
            if k in o:
                o[k] = _short(o[k], 300)
        if "value" in o:
            o["value"] = runner.decode(o["value"], arrays)
        if not isinstance(o.get("mutated", []), list) or not isinstance(o.get("warnings", []), list):
            raise ValueError("malformed results")
        clean.append(o)
    return clean


def grade_notebook(path, student="", exercise_set=None, timeout=600.0, cell_timeout=120.0,
                   exercise_timeout=None, pool: KernelPool | None = None) -> NotebookReport:
    """Grade one notebook (see the module docstring). Never raises for a bad submission.

    ``timeout``: seconds for the whole notebook (running its cells may use 3/4 of it);
    ``cell_timeout``: seconds per code cell; ``exercise_timeout``: seconds per graded
    function (default: each exercise's own limit per case, e.g. 10 s, times its cases);
    ``pool``: where to take a fresh kernel from (default: start one).
    """
    start = time.monotonic()
    path = Path(path)
    report = NotebookReport(student, str(path), exercise_set)
    raw = None
    try:
        raw = json.loads(path.read_text(encoding="utf-8"))
    except Exception as exc:
        problem = f"not a valid notebook file ({_short(exc, 100)})"
    else:
        problem = None
    report.exercise_set = exercise_set or identify_set(path, raw)
    if report.exercise_set is None:
        report.graded = False
        report.notes.append("not an exercise notebook: no exercise set matches its name or metadata")
        return report
    exercises = LESSONS[report.exercise_set]
    if problem is None:
        try:
            import nbformat
            nb = nbformat.reads(json.dumps(raw), as_version=4)
            cells = [(i + 1, c.source) for i, c in
                     enumerate(c for c in nb.cells if c.cell_type == "code")]
        except Exception as exc:
            problem = f"not a valid notebook ({_short(exc, 100)})"
    if problem is not None:
        report.results = [_zero(ex, "error", problem) for ex in exercises]
        report.notes.append(problem)
        report.seconds = time.monotonic() - start
        return report
    deadline = start + timeout
    if pool is not None:
        session, workdir = pool.get()
    else:
        session, workdir = None, tempfile.mkdtemp(prefix="nnlib-grade-")
    run = _NotebookRun(workdir, report, cell_timeout, exercise_timeout)
    try:
        run.start(session)
        run.execute(cells, start + 0.75 * timeout)
        for i, ex in enumerate(exercises):
            try:
                report.results.append(run.grade(ex, i, deadline))
            except KernelStartError:
                raise
            except Exception as exc:  # a grader bug costs this exercise, not the others
                report.results.append(_zero(ex, "error", f"not graded (internal error: {_short(exc, 100)})"))
    except KernelStartError:
        raise
    except Exception as exc:  # a grader bug must not lose the other notebooks
        report.notes.append(f"grading stopped by an internal error: {_short(exc)}")
        done = {r.name for r in report.results}
        report.results += [_zero(ex, "error", "not graded (internal error)") for ex in exercises
                           if ex.name not in done]
    finally:
        run.close()
        shutil.rmtree(workdir, ignore_errors=True)
    report.seconds = time.monotonic() - start
    return report


# ----------------------------------------------------------------------------- output
def format_report(report: NotebookReport, details=False, width=None) -> str:
    if width is None:
        width = max(120, shutil.get_terminal_size((120, 24)).columns)
    head = f"{report.student} / {Path(report.path).name}"
    if not report.graded:
        return f"{head}: skipped ({'; '.join(report.notes)})"
    lines = [f"{head}  [{report.exercise_set}]  {report.score} / {report.max_score} points  "
             f"({report.seconds:.1f} s)"]
    name_w = max([len("exercise")] + [len(r.name) for r in report.results])
    lines.append(f"  {'exercise':<{name_w}}  points  earned  feedback")
    room = max(20, width - name_w - 20)
    for r in report.results:
        fb = r.reason if len(r.reason) <= room else r.reason[:room - 3] + "..."
        lines.append(f"  {r.name:<{name_w}}  {r.points:>6}  {r.earned:>6}  {fb}")
    for note in report.notes:
        lines.append(f"  note: {note}")
    if details:
        for r in report.results:
            if not r.passed and r.status != "not_implemented":
                lines.append("")
                lines += ["  " + l for l in r.message.splitlines()]
    return "\n".join(lines)


def student_totals(reports) -> dict:
    totals = {}
    for rep in reports:
        if not rep.graded:
            continue
        t = totals.setdefault(rep.student, {"student": rep.student, "notebooks": 0, "score": 0, "max_score": 0})
        t["notebooks"] += 1
        t["score"] += rep.score
        t["max_score"] += rep.max_score
    return totals


def format_totals(reports) -> str:
    totals = student_totals(reports)
    if not totals:
        return "No exercise notebooks were graded."
    w = max(len("student"), *(len(s) for s in totals))
    lines = ["Totals", f"  {'student':<{w}}  notebooks  score"]
    for s, t in sorted(totals.items()):
        lines.append(f"  {s:<{w}}  {t['notebooks']:>9}  {t['score']} / {t['max_score']}")
    return "\n".join(lines)


CSV_COLUMNS = ["student", "notebook", "exercise_set", "exercise", "points", "earned", "status", "feedback"]


def write_csv(reports, path):
    with open(path, "w", newline="", encoding="utf-8") as f:
        w = csv.writer(f)
        w.writerow(CSV_COLUMNS)
        for rep in reports:
            for r in rep.results:
                w.writerow([rep.student, rep.path, rep.exercise_set, r.name, r.points, r.earned,
                            r.status, r.reason])


def to_json(reports) -> dict:
    from . import __version__
    return {"grader": f"nnlib.grade {__version__}",
            "graded_at": _dt.datetime.now(_dt.timezone.utc).isoformat(timespec="seconds"),
            "notebooks": [r.to_dict() for r in reports],
            "students": sorted(student_totals(reports).values(), key=lambda t: t["student"])}


# ----------------------------------------------------------------------------- command line
def _parser():
    p = argparse.ArgumentParser(
        prog="python -m nnlib.grade",
        description="Grade nnlib exercise notebooks (one notebook, or folders of submissions: "
                    "folder/STUDENT/NN_name.ipynb).")
    p.add_argument("paths", nargs="+", metavar="PATH", help="notebooks or folders of notebooks")
    out = p.add_mutually_exclusive_group()
    out.add_argument("--json", action="store_true", help="print the grades as JSON on stdout")
    out.add_argument("--csv", metavar="FILE", help="also write a gradebook CSV, one row per "
                     "student, notebook and exercise")
    p.add_argument("--timeout", type=float, default=600.0, metavar="S",
                   help="time limit per notebook in seconds (default 600; cells may use 3/4 of it)")
    p.add_argument("--cell-timeout", type=float, default=120.0, metavar="S",
                   help="time limit per code cell in seconds (default 120)")
    p.add_argument("--exercise-timeout", type=float, default=None, metavar="S",
                   help="time limit per graded function in seconds (default: 10 s per test case; "
                        "15 min for training the MNIST model)")
    p.add_argument("--jobs", "-j", type=int, default=1, metavar="N",
                   help="grade N notebooks at a time (default 1)")
    p.add_argument("--details", action="store_true",
                   help="print the full feedback of every failed exercise below its table")
    p.add_argument("--quiet", "-q", action="store_true", help="no progress lines on stderr")
    return p


def main(argv=None) -> int:
    parser = _parser()
    args = parser.parse_args(argv)
    if (args.timeout <= 0 or args.cell_timeout <= 0 or args.jobs < 1
            or (args.exercise_timeout is not None and args.exercise_timeout <= 0)):
        parser.error("the time limits must be positive and --jobs at least 1")
    try:
        found = find_notebooks(args.paths)
    except FileNotFoundError as exc:
        parser.error(str(exc))
    if not found:
        parser.error(f"no notebooks (*.ipynb) found in {' '.join(args.paths)}")

    lock = threading.Lock()
    done = [0]

    def one(item):
        path, student = item
        rep = grade_notebook(path, student, timeout=args.timeout, cell_timeout=args.cell_timeout,
                             exercise_timeout=args.exercise_timeout, pool=pool)
        with lock:
            done[0] += 1
            if not args.quiet:
                what = (f"{rep.score}/{rep.max_score}" if rep.graded else "skipped")
                print(f"[{done[0]}/{len(found)}] {student}/{path.name}: {what} ({rep.seconds:.1f} s)",
                      file=sys.stderr, flush=True)
        return rep

    pool = KernelPool(size=min(args.jobs, len(found)))
    try:
        with ThreadPoolExecutor(max_workers=args.jobs) as workers:
            reports = list(workers.map(one, found))
    except KernelStartError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 3
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130
    finally:
        pool.close()

    if args.json:
        json.dump(to_json(reports), sys.stdout, indent=1, ensure_ascii=False)
        print()
        return 0
    for rep in reports:
        print(format_report(rep, details=args.details))
        print()
    print(format_totals(reports))
    if args.csv:
        write_csv(reports, args.csv)
        print(f"\nGradebook written to {args.csv}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
