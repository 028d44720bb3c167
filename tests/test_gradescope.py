"""The Gradescope autograder zip (issue 15): its files, and `run_autograder` run against a
temporary root for a solution, a blank and a broken notebook."""
from __future__ import annotations

import json
import os
import shutil
import stat
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path

import pytest

from nnlib_grader import gradescope
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
    run = (where / "run_autograder").read_text()
    assert f"--set {SET}" in run and "-P -m nnlib_grader.gradescope" in run   # never the cwd's grader
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


SYSTEM_PYTHON = Path("/usr/bin/python3")   # Debian's, as on Gradescope's Ubuntu image: others may run it


def _system_python_with_venv() -> bool:
    return SYSTEM_PYTHON.exists() and subprocess.run(
        [str(SYSTEM_PYTHON), "-c", "import ensurepip, venv"], capture_output=True).returncode == 0


# a submission that tries to leave the fallback's isolation; each attempt decides one function's answer
ATTACKS = {
    # right only when the notebook really runs as the unprivileged user
    "sigmoid": """def sigmoid(z):
    import os
    z = np.asarray(z, dtype=float)
    right = 1 / (1 + np.exp(-np.clip(z, -500, 500)))
    return right if os.getuid() == 65534 else 0 * z
""",
    # right only if the grader's answers or the solutions can be read
    "sigmoid_prime": """def sigmoid_prime(z):
    from pathlib import Path
    import nnlib_grader
    here = Path(nnlib_grader.__file__).resolve().parent
    for secret in (here / "exercises" / "reference.py", here.parent / "solutions" / "02_activations.ipynb"):
        try:
            secret.read_text()
        except OSError:
            continue
        s = 1 / (1 + np.exp(-np.asarray(z, dtype=float)))
        return s * (1 - s)
    return 0 * np.asarray(z, dtype=float)
""",
    # right only if it can forge the results Gradescope reads
    "tanh": """def tanh(z):
    import json, os
    from pathlib import Path
    forged = Path(os.environ.get("AUTOGRADER_ROOT", "/autograder")) / "results" / "results.json"
    try:
        forged.write_text(json.dumps({"score": 1000, "tests": []}))
    except OSError:
        return 0 * np.asarray(z, dtype=float)
    return np.tanh(z)
""",
}


def _attack_notebook(path: Path):
    nb = json.loads((ROOT / "solutions" / f"{SET}.ipynb").read_text())
    for cell in nb["cells"]:
        grade_id = cell.get("metadata", {}).get("nbgrader", {}).get("grade_id")
        if cell["cell_type"] == "code" and grade_id in ATTACKS:
            cell["source"] = ATTACKS[grade_id]
    path.write_text(json.dumps(nb))


@pytest.mark.skipif(os.geteuid() != 0 or not _system_python_with_venv(),
                    reason="needs root (as in Gradescope's container) and Debian's python3 with venv, "
                           "which an unprivileged user may run")
def test_where_bubblewrap_cannot_start_the_submission_runs_as_nobody_and_cannot_reach_the_answers(package):
    """As on Gradescope: the zip unpacked in a root folder, a venv made as setup.sh makes it (with
    the system's Python), then run_autograder, with no bubblewrap on the PATH."""
    root = Path(tempfile.mkdtemp(prefix="nnlib-gradescope-"))
    os.chmod(root, 0o755)                # /autograder: others may enter, as on Gradescope
    try:
        shutil.copytree(package[1], root / "source")
        course, venv = root / "source" / "course", root / "venv"
        subprocess.run([str(SYSTEM_PYTHON), "-m", "venv", str(venv)], check=True, timeout=300)
        subprocess.run([str(venv / "bin" / "python"), "-m", "pip", "install", "-q", "--disable-pip-version-check",
                        "-e", f"{course}[grader]"], check=True, timeout=1200, capture_output=True)
        (root / "submission").mkdir()
        _attack_notebook(root / "submission" / "homework.ipynb")
        env = {"PATH": str(venv / "bin"), "HOME": str(root), "LANG": "C.UTF-8", "AUTOGRADER_ROOT": str(root),
               "NNLIB_PYTHON": str(venv / "bin" / "python"), "MPLBACKEND": "Agg"}
        assert shutil.which("bwrap", path=env["PATH"]) is None
        subprocess.run(["/bin/bash", str(root / "source" / "run_autograder")], env=env, check=True, timeout=600,
                       capture_output=True, cwd=root)
        result = json.loads((root / "results" / "results.json").read_text())
        assert result["extra_data"]["isolation"].startswith("unprivileged user")
        assert "Isolation: unprivileged user" in result["output"]
        scores = {t["name"].split(" (")[0]: t["score"] for t in result["tests"]}
        assert scores.pop("sigmoid") == 1, "the notebook did not run as the unprivileged user"
        assert scores.pop("sigmoid_prime") == 0, "the submission read the answers or the solutions"
        assert scores.pop("tanh") == 0, "the submission wrote into the results folder"
        assert all(points > 0 for points in scores.values()), result["tests"]      # the honest functions
        assert result["score"] == total_points(SET) - 2
        for locked in (course / "nnlib_grader" / "exercises", course / "solutions", root / "results"):
            assert stat.S_IMODE(locked.stat().st_mode) == 0o700, locked
    finally:
        shutil.rmtree(root, ignore_errors=True)
