"""Grading a class (issue 15): the wide gradebook an LMS imports, the roster, the assignment
being graded, two copies of one set, and all output files from one run."""
from __future__ import annotations

import contextlib
import csv
import io
import json
import os
import time
from pathlib import Path

import pytest

from nnlib_grader import grade
from nnlib_grader.exercises import total_points

ROOT = Path(__file__).resolve().parent.parent


def put(path, source, mtime=None):
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes((ROOT / source).read_bytes())
    if mtime is not None:
        os.utime(path, (mtime, mtime))
    return path


def run(*argv):
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        status = grade.main([str(a) for a in argv])
    return status, out.getvalue(), err.getvalue()


@pytest.fixture(scope="module")
def klass(tmp_path_factory):
    root = tmp_path_factory.mktemp("class")
    subs = root / "submitted"
    now = time.time()
    put(subs / "alice" / "02_activations.ipynb", "solutions/02_activations.ipynb")
    put(subs / "bob" / "02_activations.ipynb", "solutions/02_activations.ipynb", now - 3600)   # older copy
    put(subs / "bob" / "02_activations (1).ipynb", "exercises/02_activations.ipynb", now)    # the newest: blank
    put(subs / "carol" / "01_neuron.ipynb", "solutions/01_neuron.ipynb")                    # the wrong set
    put(subs / "carol" / "lesson.ipynb", "notebooks/02_activations.ipynb")                  # a lesson
    put(subs / "dave" / "02_activations.ipynb", "solutions/02_activations.ipynb")          # not on the roster
    roster = root / "roster.csv"
    roster.write_text("student,email,lms_id\nalice,alice@uni.example,=1001\nbob,bob@uni.example,1002\n"
                      "carol,carol@uni.example,1003\nerin,erin@uni.example,1004\n")
    out = root / "out"
    bug = "def relu(z):\n    return np.maximum(z, 0) if np.ndim(z) < 3 else z"   # wrong on a hidden case only
    put(subs / "fay" / "02_activations.ipynb", "solutions/02_activations.ipynb")
    fay = json.loads((subs / "fay" / "02_activations.ipynb").read_text())
    for cell in fay["cells"]:
        if cell.get("metadata", {}).get("nbgrader", {}).get("grade_id") == "relu":
            cell["source"] = bug
        if cell.get("metadata", {}).get("nbgrader", {}).get("grade_id") == "softmax":
            cell["source"] = "def softmax(z):\n    e = np.exp(z)\n    return e / e.sum(axis=1, keepdims=True)"
    (subs / "fay" / "02_activations.ipynb").write_text(json.dumps(fay))
    result = run(subs, "--assignment", "02_activations", "--roster", roster, "--gradebook", out / "book.csv",
                 "--csv", out / "long.csv", "--json", out / "grades.json", "--feedback", out / "feedback", "-j", "2")
    return dict(root=root, subs=subs, out=out, result=result,
                book=list(csv.reader((out / "book.csv").open())), report=json.loads((out / "grades.json").read_text()))


def test_one_run_writes_the_json_the_long_csv_and_the_gradebook(klass):
    status, out, err = klass["result"]
    assert status == 0, err
    assert (klass["out"] / "long.csv").exists() and klass["report"]["notebooks"]


def test_the_gradebook_has_a_row_per_student_and_a_column_per_set(klass):
    header, *rows = klass["book"]
    assert header == ["student", "email", "lms_id", "02_activations", "total", "status", "flagged"]
    by = {r[0]: r for r in rows}
    assert [r[0] for r in rows] == ["alice", "bob", "carol", "erin", "dave", "fay"], "roster order, then the others"
    full = str(total_points("02_activations"))
    assert by["alice"][1:] == ["alice@uni.example", "'=1001", full, full, "graded", ""]
    assert by["bob"][3:6] == ["0", "0", "graded"], "the newest copy counts, not the sum of both"
    assert by["carol"][3:6] == ["0", "0", "graded"]
    assert by["erin"][3:6] == ["0", "0", "missing"]
    assert by["dave"][1:6] == ["", "", full, full, "not on roster"]


def test_a_notebook_of_another_set_or_a_lesson_scores_0_for_the_assignment(klass):
    nbs = [nb for nb in klass["report"]["notebooks"] if nb["student"] == "carol"]
    assert len(nbs) == 2
    for nb in nbs:
        assert nb["exercise_set"] == "02_activations" and nb["score"] == 0
        assert all(e["status"] == "wrong_assignment" for e in nb["exercises"])
    reasons = " ".join(nb["notes"][0] for nb in nbs)
    assert "is the exercise set 01_neuron, not the assignment 02_activations" in reasons
    assert "not an exercise notebook" in reasons


def test_two_copies_of_one_set_are_never_added_up_and_the_older_is_reported(klass):
    bob = [nb for nb in klass["report"]["notebooks"] if nb["student"] == "bob"]
    older = next(nb for nb in bob if not nb["graded"])
    assert older["notebook"].endswith("bob/02_activations.ipynb")
    assert "an older copy" in older["notes"][0] and "02_activations (1).ipynb" in older["notes"][0]
    newest = next(nb for nb in bob if nb["graded"])
    assert newest["score"] == 0


def test_students_not_on_the_roster_are_reported(klass):
    err = klass["result"][2]
    assert "dave handed in but is not on the roster" in err
    assert "erin" in err


def test_without_an_assignment_every_graded_set_gets_a_column(tmp_path):
    put(tmp_path / "subs" / "ann" / "01_neuron.ipynb", "solutions/01_neuron.ipynb")
    put(tmp_path / "subs" / "ann" / "02_activations.ipynb", "exercises/02_activations.ipynb")
    put(tmp_path / "subs" / "ben" / "02_activations.ipynb", "solutions/02_activations.ipynb")
    status, _, err = run(tmp_path / "subs", "--gradebook", tmp_path / "book.csv", "-q")
    assert status == 0, err
    rows = list(csv.DictReader((tmp_path / "book.csv").open()))
    assert list(rows[0]) == ["student", "01_neuron", "02_activations", "total", "status", "flagged"]
    assert [(r["student"], r["01_neuron"], r["02_activations"], r["total"]) for r in rows] == [
        ("ann", "5", "0", "5"), ("ben", "0", "8", "8")]


@pytest.mark.parametrize("argv", [["--assignment", "99_nothing"], ["--roster", "no_such_roster.csv"]])
def test_bad_assignment_or_roster_is_a_usage_error(tmp_path, argv):
    put(tmp_path / "a" / "01_neuron.ipynb", "exercises/01_neuron.ipynb")
    with pytest.raises(SystemExit) as exc:
        run(tmp_path, *argv)
    assert exc.value.code == 2


def test_feedback_pages_show_the_failed_visible_case_but_never_a_hidden_ones_values(klass):
    page = (klass["out"] / "feedback" / "fay" / "02_activations.html").read_text()
    assert "<table>" in page and "5 / 8" in page
    # softmax fails a visible case: its input, expected, got and hint are there
    assert "softmax" in page and "input:" in page and "expected 0.0900306, got nan" in page and "got:" in page
    assert "Subtract each row" in page
    # relu fails a hidden case only: the reason, no values
    relu = page.split("<h2><code>relu</code></h2>")[1].split("<h2>")[0]
    assert "hidden case" in relu and "expected:" not in relu and "input:" not in relu and "array" not in relu
    assert (klass["out"] / "feedback" / "alice" / "02_activations.html").exists()
    assert not (klass["out"] / "feedback" / "bob" / "02_activations.html").exists(), "the older copy is not graded"


def test_an_edited_locked_cell_is_restored_from_the_source_as_nbgrader_does(tmp_path):
    nb = json.loads((ROOT / "solutions" / "02_activations.ipynb").read_text())
    for cell in nb["cells"]:
        gid = cell.get("metadata", {}).get("nbgrader", {}).get("grade_id")
        if gid == "setup":
            cell["source"] = "np = None  # the student broke the locked set-up cell"
        if gid == "check_relu":
            cell["source"] = "relu = lambda z: 'edited'"
    (tmp_path / "s" / "ann").mkdir(parents=True)
    (tmp_path / "s" / "ann" / "02_activations.ipynb").write_text(json.dumps(nb))
    status, out, err = run(tmp_path / "s", "--json", "-q")
    assert status == 0, err
    rep = json.loads(out)["notebooks"][0]
    assert rep["score"] == total_points("02_activations"), rep
    assert any("setup, check_relu had been edited; restored from the source notebook" in n for n in rep["notes"])
