"""The class grader, `python -m nnlib.grade`, end to end with real sandboxes.

* the solution notebooks score full marks, the untouched exercises zero, without errors;
* buggy submissions (tests/submissions/bugs.py) lose exactly the points of the buggy functions,
  with the hint for the mistake;
* hostile submissions (tests/submissions/fixtures.py: HOSTILE, RAW) are graded correctly
  and never stop, hang or crash the grader.

Each group of notebooks is graded by one grader run (two notebooks at a time) and the
tests read its JSON report. The attacks of issue 11 are in test_grading_attacks.py.
"""
from __future__ import annotations

import contextlib
import csv
import importlib.util
import io
import json
import os
import subprocess
import tempfile
import time
import tracemalloc
from pathlib import Path

import pytest

from nnlib_grader import grade
from nnlib_grader import sandbox as sandboxing
from nnlib_grader.exercises import EXERCISES, LESSONS, total_points
from nnlib_grader.kernel import KernelSession

ROOT = Path(__file__).resolve().parent.parent
SETS = list(LESSONS)


def _load_module(name):
    spec = importlib.util.spec_from_file_location(f"submissions_{name}", ROOT / "tests" / "submissions" / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


BUGS = _load_module("bugs").BUGS
fixtures = _load_module("fixtures")


def run_grader(*argv, stderr=None):
    """(exit status, stdout) of the grader's command line, run in this process.

    What the grader writes to stderr goes to ``stderr`` (a StringIO) when given.
    """
    out = io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(stderr or io.StringIO()):
        try:
            status = grade.main([str(a) for a in argv])
        except SystemExit as exc:
            status = exc.code
    return status, out.getvalue()


def graded(*argv):
    err = io.StringIO()
    status, out = run_grader("--json", "--jobs", "2", *argv, stderr=err)
    assert status == 0, f"grader exit status {status}; its stderr ends:\n{err.getvalue()[-3000:]}\n{out[-2000:]}"
    report = json.loads(out)
    return {(nb["student"], nb["exercise_set"] or Path(nb["notebook"]).stem): nb for nb in report["notebooks"]}, report


def by_exercise(nb):
    return {e["exercise"]: e for e in nb["exercises"]}


# ----------------------------------------------------------------------------- solutions and exercises
@pytest.fixture(scope="module")
def official():
    start = time.monotonic()
    notebooks, report = graded(ROOT / "solutions", ROOT / "exercises")
    return notebooks, report, time.monotonic() - start


@pytest.mark.parametrize("lesson", SETS)
def test_solutions_score_full_marks(official, lesson):
    nb = official[0][("solutions", lesson)]
    assert nb["score"] == nb["max_score"] == total_points(lesson), json.dumps(nb, indent=1)
    assert nb["notes"] == [], "the solution notebooks run without errors"
    assert nb["flags"] == [] and nb["sandbox"] == "bubblewrap", "an honest notebook is never flagged"
    assert all(e["status"] == "pass" for e in nb["exercises"])


@pytest.mark.parametrize("lesson", SETS)
def test_untouched_exercises_score_zero_without_errors(official, lesson):
    nb = official[0][("exercises", lesson)]
    assert nb["score"] == 0 and nb["max_score"] == total_points(lesson)
    assert nb["notes"] == [], "untouched exercise notebooks run without errors"
    assert nb["flags"] == []
    assert {e["status"] for e in nb["exercises"]} == {"not_implemented"}
    assert all(e["feedback"] == "not implemented yet" for e in nb["exercises"])


def test_json_report_has_students_totals(official):
    report = official[1]
    totals = {t["student"]: t for t in report["students"]}
    everything = sum(total_points(lesson) for lesson in SETS)
    assert totals["solutions"] == {"student": "solutions", "notebooks": 9, "score": everything,
                                   "max_score": everything, "flagged": False}
    assert totals["exercises"]["score"] == 0
    assert report["grader"].startswith("nnlib.grade")


# ----------------------------------------------------------------------------- buggy submissions
ONE_BUG = {  # a bug in a function the other functions of the set call: only its own points go
    "02_activations": "sigmoid",
    "03_layers_forward": "dense_forward",
    "06_backpropagation": "affine_backward",
}


@pytest.fixture(scope="module")
def buggy(tmp_path_factory):
    root = tmp_path_factory.mktemp("buggy")
    for lesson in SETS:
        first_bug = {ex.name: BUGS[ex.name][0][1] for ex in LESSONS[lesson]}
        fixtures.write(fixtures.variant(lesson, replace=first_bug), root / "every_function_buggy" / f"{lesson}.ipynb")
    for lesson, name in ONE_BUG.items():
        fixtures.write(fixtures.variant(lesson, replace={name: BUGS[name][0][1]}),
                       root / f"only_{name}_buggy" / f"{lesson}.ipynb")
    return graded(root, "--details")[0]


@pytest.mark.parametrize("lesson", SETS)
def test_every_buggy_function_loses_its_points_with_the_right_hint(buggy, lesson):
    nb = buggy[("every_function_buggy", lesson)]
    assert nb["score"] == 0, json.dumps(nb, indent=1)
    for ex in LESSONS[lesson]:
        result = by_exercise(nb)[ex.name]
        assert result["earned"] == 0 and result["status"] not in ("not_implemented", "pass")
        hint = BUGS[ex.name][0][2]
        if hint:
            assert hint in result["details"], f"{ex.name}: expected {hint!r} in\n{result['details']}"


@pytest.mark.parametrize("lesson,name", ONE_BUG.items())
def test_one_buggy_function_costs_only_its_own_points(buggy, lesson, name):
    nb = buggy[(f"only_{name}_buggy", lesson)]
    assert nb["score"] == total_points(lesson) - EXERCISES[name].points, json.dumps(nb, indent=1)
    assert [e["exercise"] for e in nb["exercises"] if not e["earned"]] == [name]


# ----------------------------------------------------------------------------- hostile submissions
@pytest.fixture(scope="module")
def hostile(tmp_path_factory):
    root = tmp_path_factory.mktemp("hostile")
    for name, spec in fixtures.HOSTILE.items():
        nb = fixtures.variant(spec["lesson"], replace=spec.get("replace"), after=spec.get("after"),
                              sources=spec.get("sources"))
        fixtures.write(nb, root / name / f"{spec['lesson']}.ipynb")
    for name, text in fixtures.RAW.items():
        (root / name).mkdir()
        (root / name / "01_neuron.ipynb").write_text(text)
    (root / "stray").mkdir()
    (root / "stray" / "notes.ipynb").write_text(fixtures.load("01_neuron").cells[0].source)
    start = time.monotonic()
    notebooks, _ = graded(root, "--cell-timeout", 4, "--exercise-timeout", 6, "--timeout", 150)
    return notebooks, time.monotonic() - start


@pytest.mark.parametrize("name", list(fixtures.HOSTILE))
def test_hostile_submission_is_graded_correctly(hostile, name):
    spec = fixtures.HOSTILE[name]
    nb = hostile[0][(name, spec["lesson"])]
    results = by_exercise(nb)
    for ex in LESSONS[spec["lesson"]]:
        want = spec["expect"].get(ex.name, "pass")
        got = results[ex.name]
        if want == "pass":
            assert got["status"] == "pass", f"{ex.name}: {got['details']}"
        else:
            assert got["earned"] == 0, f"{ex.name} should have failed: {got}"
            assert want == got["status"] or want == "fail" or want in got["details"], f"{ex.name}: {got}"
    expected_score = sum(ex.points for ex in LESSONS[spec["lesson"]] if ex.name not in spec["expect"])
    assert nb["score"] == expected_score
    if spec.get("note"):
        assert any(spec["note"] in n for n in nb["notes"]), nb["notes"]


@pytest.mark.parametrize("name", list(fixtures.RAW))
def test_an_invalid_notebook_scores_zero_with_the_reason(hostile, name):
    nb = hostile[0][(name, "01_neuron")]
    assert nb["score"] == 0 and nb["max_score"] == total_points("01_neuron")
    assert all("not a valid notebook" in e["feedback"] for e in nb["exercises"])


def test_a_notebook_that_is_no_exercise_set_is_skipped(hostile):
    nb = hostile[0][("stray", "notes")]
    assert not nb["graded"] and nb["exercises"] == [] and "not an exercise notebook" in nb["notes"][0]


def test_hostile_grading_stays_within_its_time_limits_and_leaves_no_process_behind(hostile):
    # 17 notebooks, two endless cells, two endless functions, a cell that ignores interrupts:
    # the limits (4 s per cell, 6 s per function, 5 s grace) bound it.
    assert hostile[1] < 150
    assert not my_processes(), "the grader left processes running"


def my_processes():
    """Processes started (directly or not) by this test process, and when run as root any
    process of a sandbox's user."""
    table = subprocess.run(["ps", "-eo", "pid=,ppid=,uid=,args="], capture_output=True, text=True).stdout
    parent, args, uids = {}, {}, {}
    for line in table.splitlines():
        pid, ppid, uid, cmd = (line.split(None, 3) + [""])[:4]
        parent[int(pid)], uids[int(pid)], args[int(pid)] = int(ppid), int(uid), cmd
    mine = []
    for pid in parent:
        if sandboxing.uid_base() <= uids[pid] < sandboxing.uid_base() + sandboxing.SLOTS:
            mine.append((pid, args[pid]))
            continue
        p = pid
        while p in parent and p not in (0, 1, os.getpid()):
            p = parent[p]
        if p == os.getpid() and pid != os.getpid() and "ps -eo" not in args[pid]:
            mine.append((pid, args[pid]))
    return mine


def test_the_grader_never_holds_what_a_notebook_prints():
    box = sandboxing.Sandbox([(1, "for i in range(50):\n    print('x' * 1_000_000)"),
                              (2, "import sys\nsys.stderr.write('y' * 10_000_000)")], cell_timeout=60)
    try:
        tracemalloc.start()
        kinds = []
        while "cells_done" not in kinds:
            kinds.append(box.receive(time.monotonic() + 60)["kind"])
        peak = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
    finally:
        box.close()
    assert kinds == ["ready", "cell_start", "cell_end", "cell_start", "cell_end", "cells_done"]
    assert peak < 2_000_000, f"the grader held {peak} bytes while the notebook printed 60 MB"
    assert box.received < 10_000, "what a notebook prints never reaches the results channel"


@pytest.mark.skipif(os.name != "posix", reason="Unix sockets are used on POSIX systems only")
def test_kernels_talk_over_private_unix_sockets_and_leave_none_behind(tmp_path):
    # TCP ports are picked before the kernel binds them, and another program can take one
    # meanwhile (jupyter_client#487): one such kernel that failed to start stopped a whole CI run.
    kernel = KernelSession(str(tmp_path))
    folder = kernel._socket_dir
    try:
        assert kernel.km.transport == "ipc" and kernel.km.ip.startswith(folder)
        assert len(os.listdir(folder)) == 5, "shell, iopub, stdin, control and heartbeat sockets"
        assert kernel.run("x = 1", 10).status == "ok"
    finally:
        kernel.close()
    assert not os.path.exists(folder)
    assert list(tmp_path.iterdir()) == [], "nothing is written into the kernel's working folder"


def test_a_temporary_folder_too_long_for_sockets_falls_back_to_tcp(tmp_path, monkeypatch):
    deep = tmp_path / ("d" * 60) / ("e" * 60)
    deep.mkdir(parents=True)
    monkeypatch.setenv("TMPDIR", str(deep))
    monkeypatch.setattr(tempfile, "tempdir", None)  # tempfile reads TMPDIR again
    with KernelSession(str(tmp_path)) as kernel:
        assert kernel.km.transport == "tcp" and kernel.run("x = 1", 10).status == "ok"


def test_a_kernel_that_fails_to_start_is_started_again(tmp_path, monkeypatch):
    real_start, calls = KernelSession._start, []

    def first_start_fails(self, *args):
        calls.append(1)
        if len(calls) == 1:
            raise RuntimeError("the kernel process exited during startup")
        return real_start(self, *args)

    monkeypatch.setattr(KernelSession, "_start", first_start_fails)
    with KernelSession(str(tmp_path)) as kernel:
        assert len(calls) == 2 and kernel.run("x = 1", 10).status == "ok"


def test_without_bubblewrap_the_grader_refuses_and_names_the_package(tmp_path, monkeypatch):
    fixtures.write(fixtures.variant("01_neuron"), tmp_path / "alice" / "01_neuron.ipynb")
    monkeypatch.setattr(sandboxing, "bwrap_path", lambda: None)
    err = io.StringIO()
    status, out = run_grader(tmp_path, stderr=err)
    assert status == 3 and out == ""
    assert "bubblewrap" in err.getvalue() and "--no-sandbox" in err.getvalue()
    status, out = run_grader(tmp_path, "--no-sandbox", "--json")
    assert status == 0
    nb = json.loads(out)["notebooks"][0]
    assert nb["score"] == total_points("01_neuron") and nb["sandbox"].startswith("none")


# ----------------------------------------------------------------------------- command line
def test_table_and_csv_gradebook(tmp_path):
    sub = tmp_path / "class" / "alice"
    fixtures.write(fixtures.variant("01_neuron", replace={"gate_weights": BUGS["gate_weights"][0][1]}),
                   sub / "01_neuron.ipynb")
    book = tmp_path / "no" / "such" / "folder" / "grades.csv"   # a missing folder is created
    status, out = run_grader(tmp_path / "class", "--csv", book, "--json", tmp_path / "grades.json")
    assert status == 0
    assert "alice / 01_neuron.ipynb  [01_neuron]  3 / 5 points" in out
    assert "gate_weights" in out and "does not compute OR" in out
    assert "Totals" in out and "alice" in out.split("Totals")[1]
    rows = list(csv.DictReader(book.open()))
    assert [r["exercise"] for r in rows] == [ex.name for ex in LESSONS["01_neuron"]]
    assert rows[0].keys() == set(grade.CSV_COLUMNS)
    assert {r["student"] for r in rows} == {"alice"}
    assert [int(r["earned"]) for r in rows] == [1, 1, 1, 0]
    report = json.loads((tmp_path / "grades.json").read_text())
    assert [e["earned"] for e in report["notebooks"][0]["exercises"]] == [1, 1, 1, 0]
    assert sorted(p.name for p in book.parent.iterdir()) == ["grades.csv"], "no temporary file left"


@pytest.mark.parametrize("argv", [["no/such/folder"], ["--jobs", "0", "solutions"],
                                  ["--timeout", "0", "solutions"], []])
def test_usage_errors_exit_with_status_2(argv, tmp_path):
    status, _ = run_grader(*argv)
    assert status == 2


def test_a_folder_without_notebooks_is_a_usage_error(tmp_path):
    assert run_grader(tmp_path)[0] == 2


def test_students_come_from_folder_names(tmp_path):
    for p in ("alice/01_neuron.ipynb", "bob/ps1/02_activations.ipynb", "carol.ipynb",
              "dave/.ipynb_checkpoints/01_neuron-checkpoint.ipynb"):
        (tmp_path / p).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / p).write_text("{}")
    found = [(p.relative_to(tmp_path).as_posix(), s) for p, s in grade.find_notebooks([tmp_path])]
    assert found == [("alice/01_neuron.ipynb", "alice"), ("bob/ps1/02_activations.ipynb", "bob"),
                     ("carol.ipynb", tmp_path.name)]
    assert grade.find_notebooks([tmp_path / "alice" / "01_neuron.ipynb"])[0][1] == "alice"


def test_exercise_set_from_file_name_or_metadata():
    assert grade.identify_set(Path("03_layers_forward.ipynb")) == "03_layers_forward"
    assert grade.identify_set(Path("Alice 03-layers-forward (1).ipynb")) == "03_layers_forward"
    assert grade.identify_set(Path("hw07.ipynb")) == "07_training"
    tagged = {"metadata": {"nnlib": {"exercise_set": "04_costs"}}}
    assert grade.identify_set(Path("homework.ipynb"), tagged) == "04_costs"
    cells = [{"metadata": {"nbgrader": {"grade_id": "check_softmax"}}}]
    assert grade.identify_set(Path("homework.ipynb"), {"metadata": {}, "cells": cells}) == "02_activations"
    assert grade.identify_set(Path("notes.ipynb"), {"cells": []}) is None


def test_check_only_cells_are_recognised():
    assert grade.is_check_only('check("relu", relu)\n### BEGIN HIDDEN TESTS\ncheck("relu", relu, hidden=True)')
    assert grade.is_check_only('r = check("relu", relu)\n# a comment\ncheck_all("02_activations")')
    assert not grade.is_check_only('check("relu", relu)\ndef relu(z):\n    return z')
    assert not grade.is_check_only("x = 1")
    assert not grade.is_check_only("check('relu', relu")  # a syntax error runs (and fails) normally
