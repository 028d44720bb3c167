r"""Gradescope: ``python -m nnlib.grade --gradescope-package SET OUT.zip`` writes an autograder zip.

Gradescope runs one Docker container per submission (as Otter-Grader does): ``setup.sh``
installs the course's grading side and bubblewrap once on Gradescope's Ubuntu image, and
``run_autograder`` grades the notebook found in ``$AUTOGRADER_ROOT/submission/`` (default root
``/autograder``; any file name) with :func:`grade_submission` and writes
``$AUTOGRADER_ROOT/results/results.json`` in Gradescope's format: ``score``, and ``tests``
with ``name``, ``score``, ``max_score``, ``output`` and ``visibility`` (a hidden case's values
are never in ``output``).

Inside a Docker container bubblewrap may be refused its namespaces. Then the submission runs
as an unprivileged user (``nobody``) that cannot read the grading side, the answers or the
results folder (made readable by root only before the notebook starts), and
``results.json`` says which isolation was used (``extra_data.isolation`` and ``output``).
"""
from __future__ import annotations

import argparse
import json
import os
import stat
import sys
import zipfile
from pathlib import Path

from . import sandbox as sandboxing
from .exercises import LESSONS

COURSE_FILES = ("pyproject.toml", "README.md", "nnlib", "nnlib_grader", "solutions", "data/mnist")
NOBODY = 65534

SETUP_SH = """#!/usr/bin/env bash
# Gradescope runs this once when the autograder image is built (Ubuntu, as root).
set -euo pipefail
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends bubblewrap python3 python3-venv python3-pip >/dev/null
python3 -m venv /autograder/venv
/autograder/venv/bin/python -m pip install -q --upgrade pip
/autograder/venv/bin/python -m pip install -q -e "/autograder/source/course[grader]"
"""

RUN_AUTOGRADER = """#!/usr/bin/env bash
# Gradescope runs this for every submission: grade it, write results/results.json.
set -uo pipefail
ROOT="${{AUTOGRADER_ROOT:-/autograder}}"
PY="${{NNLIB_PYTHON:-$ROOT/venv/bin/python}}"
# -P: never import from the folder this is started in (only the installed grading side counts)
exec "$PY" -P -m nnlib_grader.gradescope --root "$ROOT" --set {set}
"""


def write_package(exercise_set: str, out: Path, course: Path | None = None) -> Path:
    """The autograder zip for one exercise set."""
    if exercise_set not in LESSONS:
        raise ValueError(f"no exercise set {exercise_set!r}; the sets are {', '.join(LESSONS)}")
    course = Path(course) if course else Path(__file__).resolve().parent.parent
    if not (course / "nnlib_grader" / "exercises").is_dir():
        raise FileNotFoundError(f"{course} is not the course repository (nnlib_grader/exercises is missing)")
    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = out.with_name(f".{out.name}.tmp")
    with zipfile.ZipFile(tmp, "w", zipfile.ZIP_DEFLATED) as z:
        def add_text(name, text):
            info = zipfile.ZipInfo(name, date_time=(2020, 1, 1, 0, 0, 0))
            info.external_attr = (0o755 | stat.S_IFREG) << 16
            z.writestr(info, text)
        add_text("setup.sh", SETUP_SH)
        add_text("run_autograder", RUN_AUTOGRADER.format(set=exercise_set))
        for item in COURSE_FILES:
            path = course / item
            files = [path] if path.is_file() else sorted(p for p in path.rglob("*") if p.is_file()
                                                         and "__pycache__" not in p.parts
                                                         and not p.name.endswith((".pyc", ".tmp")))
            for f in files:
                z.write(f, "course/" + f.relative_to(course).as_posix())
    os.replace(tmp, out)
    return out


def find_submission(root: Path) -> Path | None:
    notebooks = [p for p in (root / "submission").rglob("*.ipynb")
                 if not any(part.startswith(".") for part in p.relative_to(root / "submission").parts)]
    if not notebooks:
        return None
    return max(notebooks, key=lambda p: (p.stat().st_mtime, str(p)))


def _lock_down(paths):
    """Make the grading side and the results readable by root only (the fallback isolation)."""
    for p in paths:
        try:
            if p.exists():
                os.chmod(p, 0o700)
        except OSError:
            pass


def grade_submission(root: Path, exercise_set: str) -> dict:
    from .grade import grade_notebook, not_graded_report
    root = Path(root)
    results = root / "results"
    results.mkdir(parents=True, exist_ok=True)
    why = sandboxing.probe(True)
    isolation = "bubblewrap"
    options = dict(sandbox=True)
    if why is not None:
        if os.geteuid() != 0:
            return {"score": 0.0, "output": f"The grader could not isolate the submission: {why}",
                    "tests": [], "extra_data": {"isolation": "none"}}
        reason = " ".join(why.split())
        isolation = f"unprivileged user (no bubblewrap sandbox here: {reason[:200]})"
        here = Path(__file__).resolve().parent
        _lock_down([here / "exercises", here.parent / "solutions", results])
        options = dict(sandbox=False, run_as=NOBODY)
    notebook = find_submission(root)
    points = sum(ex.points for ex in LESSONS[exercise_set])
    if notebook is None:
        return {"score": 0.0, "output": "No notebook (.ipynb) was found in the submission.",
                "tests": [{"name": ex.name, "score": 0.0, "max_score": float(ex.points),
                           "output": "no notebook submitted", "visibility": "visible"}
                          for ex in LESSONS[exercise_set]],
                "extra_data": {"isolation": isolation}}
    from .grade import peek_set
    found_set = peek_set(notebook)
    if found_set is not None and found_set != exercise_set:   # another set handed in by mistake
        rep = not_graded_report(notebook, "submission", ("other", found_set), exercise_set)
    else:
        rep = grade_notebook(notebook, "submission", exercise_set=exercise_set, timeout=1800.0,
                             cell_timeout=900.0, **options)
    tests = [{"name": f"{r.name} ({r.points} point{'s' if r.points != 1 else ''})", "score": float(r.earned),
              "max_score": float(r.points), "output": r.reason, "visibility": "visible"} for r in rep.results]
    lines = [f"{notebook.name}: {rep.score} / {points} points", f"Isolation: {isolation}."]
    lines += [f"Note: {n}" for n in rep.notes]
    if rep.flags:
        lines.append("Flagged for the instructor's review: " + "; ".join(rep.flags))
    return {"score": float(rep.score), "output": "\n".join(lines), "tests": tests,
            "extra_data": {"isolation": isolation, "flags": rep.flags, "notebook": notebook.name}}


def main(argv=None) -> int:
    p = argparse.ArgumentParser(prog="python -m nnlib_grader.gradescope",
                                description="Grade the Gradescope submission in ROOT/submission.")
    p.add_argument("--root", type=Path, default=Path(os.environ.get("AUTOGRADER_ROOT", "/autograder")))
    p.add_argument("--set", required=True, choices=list(LESSONS))
    args = p.parse_args(argv)
    try:
        result = grade_submission(args.root, args.set)
    except Exception as exc:   # always leave a results.json behind
        result = {"score": 0.0, "output": f"The autograder failed: {type(exc).__name__}: {exc}", "tests": []}
    target = args.root / "results" / "results.json"
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = target.with_name(".results.json.tmp")
    tmp.write_text(json.dumps(result, indent=1))
    os.replace(tmp, target)
    return 0


if __name__ == "__main__":
    sys.exit(main())
