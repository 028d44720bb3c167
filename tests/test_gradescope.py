"""The Gradescope autograder zip (issue 15): its files, and `run_autograder` run against a
temporary root for a solution, a blank and a broken notebook."""
from __future__ import annotations

import json
import os
import stat
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from nnlib_grader import gradescope
from nnlib_grader import sandbox as sandboxing
from nnlib_grader.exercises import LESSONS, total_points

ROOT = Path(__file__).resolve().parent.parent
SET = "02_activations"


@pytest.fixture(scope="module")
def package(tmp_path_factory):
    out = tmp_path_factory.mktemp("gs") / "autograder.zip"
    gradescope.write_package(SET, out)
    where = out.parent / "unzipped"
    with zipfile.ZipFile(out) as z:
        z.extractall(where)
        modes = {i.filename: i.external_attr >> 16 for i in z.infolist()}
    return out, where, modes


def test_the_zip_holds_setup_run_autograder_and_the_course(package):
    out, where, modes = package
    setup = (where / "setup.sh").read_text()
    assert "apt-get install" in setup and "bubblewrap" in setup and '-e "/autograder/source/course[grader]"' in setup
    assert f"--set {SET}" in (where / "run_autograder").read_text()
    assert modes["run_autograder"] & stat.S_IXUSR and modes["setup.sh"] & stat.S_IXUSR
    for f in ("pyproject.toml", "nnlib/checks/cases/02_activations.json", "nnlib_grader/exercises/reference.py",
              "nnlib_grader/child.py", "data/mnist/t10k-labels-idx1-ubyte.gz"):
        assert (where / "course" / f).is_file(), f
    assert not list(where.rglob("__pycache__"))


def autograde(package, tmp_path, name, source=None, text=None):
    root = tmp_path / name
    (root / "submission").mkdir(parents=True)
    (root / "results").mkdir()
    target = root / "submission" / f"{name} - my homework.ipynb"
    if source:
        target.write_bytes((ROOT / source).read_bytes())
    if text is not None:
        target.write_text(text)
    env = dict(os.environ, AUTOGRADER_ROOT=str(root), NNLIB_PYTHON=sys.executable, MPLBACKEND="Agg")
    subprocess.run(["bash", str(package[1] / "run_autograder")], env=env, check=True, timeout=600,
                   capture_output=True)
    return json.loads((root / "results" / "results.json").read_text())


def test_a_solution_scores_full_marks_in_gradescopes_format(package, tmp_path):
    result = autograde(package, tmp_path, "solution", source=f"solutions/{SET}.ipynb")
    assert result["score"] == total_points(SET)
    assert [t["max_score"] for t in result["tests"]] == [ex.points for ex in LESSONS[SET]]
    for t in result["tests"]:
        assert set(t) == {"name", "score", "max_score", "output", "visibility"} and t["score"] == t["max_score"]
    assert result["extra_data"]["isolation"] == "bubblewrap" and "Isolation: bubblewrap" in result["output"]


def test_a_blank_notebook_scores_zero_and_a_hidden_case_shows_no_values(package, tmp_path):
    result = autograde(package, tmp_path, "blank", source=f"exercises/{SET}.ipynb")
    assert result["score"] == 0 and all(t["output"] == "not implemented yet" for t in result["tests"])
    nb = json.loads((ROOT / "solutions" / f"{SET}.ipynb").read_text())
    for cell in nb["cells"]:
        if cell.get("metadata", {}).get("nbgrader", {}).get("grade_id") == "relu":
            cell["source"] = "def relu(z):\n    return np.maximum(z, 0) if np.ndim(z) < 3 else z"
    result = autograde(package, tmp_path, "hidden", text=json.dumps(nb))
    relu = next(t for t in result["tests"] if t["name"].startswith("relu "))
    assert relu["score"] == 0 and "hidden case" in relu["output"]
    assert "expected" not in relu["output"] and "array" not in relu["output"]
    assert result["score"] == total_points(SET) - 1


def test_a_broken_or_missing_notebook_gets_a_result_with_the_reason(package, tmp_path):
    result = autograde(package, tmp_path, "broken", text='{"cells": [')
    assert result["score"] == 0 and all("not a valid notebook" in t["output"] for t in result["tests"])
    root = tmp_path / "none"
    (root / "submission").mkdir(parents=True)
    env = dict(os.environ, AUTOGRADER_ROOT=str(root), NNLIB_PYTHON=sys.executable)
    subprocess.run(["bash", str(package[1] / "run_autograder")], env=env, check=True, timeout=120)
    result = json.loads((root / "results" / "results.json").read_text())
    assert result["score"] == 0 and "No notebook" in result["output"]


def _others_can_run(path):
    p = Path(os.path.realpath(path))
    return all(os.stat(q).st_mode & stat.S_IXOTH for q in [p, *p.parents])


@pytest.mark.skipif(os.geteuid() != 0 or not _others_can_run(sys.executable),
                    reason="needs root and a Python that an unprivileged user may run")
def test_where_bubblewrap_is_refused_the_submission_runs_as_an_unprivileged_user(tmp_path, monkeypatch):
    locked = []
    monkeypatch.setattr(sandboxing, "probe", lambda use=True: "refused")
    monkeypatch.setattr(gradescope, "_lock_down", locked.extend)
    (tmp_path / "submission").mkdir()
    (tmp_path / "submission" / "hw.ipynb").write_bytes((ROOT / "solutions" / f"{SET}.ipynb").read_bytes())
    result = gradescope.grade_submission(tmp_path, SET)
    assert result["extra_data"]["isolation"].startswith("unprivileged user")
    assert result["score"] == total_points(SET)
    assert any(p.name == "exercises" for p in locked) and any(p.name == "results" for p in locked)
