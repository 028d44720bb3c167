"""nbgrader 0.9 (`autograde`) and `python -m nnlib.grade` give the same scores for the same
submissions (issue 15): a solution, a blank notebook, one bug, an edited locked set-up cell
(both restore it from the source), a redefined `check` (it fools neither)."""
from __future__ import annotations

import contextlib
import copy
import io
import json
import subprocess
import sys
from pathlib import Path

import pytest

nbgrader = pytest.importorskip("nbgrader", reason="nbgrader is not installed (pip install nbgrader==0.9.6)")

from nnlib_grader import grade  # noqa: E402
from nnlib_grader.exercises import total_points  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
SET = "02_activations"


def _gid(cell):
    return cell.get("metadata", {}).get("nbgrader", {}).get("grade_id")


def submission(kind):
    """A student's copy: the release notebook, with the learner's cells filled in as ``kind`` says."""
    release = json.loads((ROOT / "exercises" / f"{SET}.ipynb").read_text())
    solved = {_gid(c): c["source"] for c in json.loads((ROOT / "solutions" / f"{SET}.ipynb").read_text())["cells"]
              if c.get("metadata", {}).get("nbgrader", {}).get("solution")}
    nb = copy.deepcopy(release)
    for cell in nb["cells"]:
        gid = _gid(cell)
        if kind not in ("blank", "redefined_check") and gid in solved:
            cell["source"] = solved[gid]
        if kind == "one_bug" and gid == "sigmoid":
            cell["source"] = "def sigmoid(z):\n    return 1 / (1 + np.exp(z))"
        if kind == "edited_setup" and gid == "setup":
            cell["source"] = "import numpy as np\nnp = None  # edited"
    if kind == "redefined_check":
        i = next(i for i, c in enumerate(nb["cells"]) if _gid(c) == "setup")
        nb["cells"].insert(i + 1, {"cell_type": "code", "metadata": {}, "execution_count": None, "outputs": [],
                                   "source": "def check(*a, **k):\n    return True\ncheck_all = check"})
    return nb


KINDS = {"solution": total_points(SET), "blank": 0, "one_bug": total_points(SET) - 1,
         "edited_setup": total_points(SET), "redefined_check": 0}


@pytest.fixture(scope="module")
def both(tmp_path_factory):
    course = tmp_path_factory.mktemp("course")
    (course / "nbgrader_config.py").write_text(
        "c = get_config()\n"
        f"c.CourseDirectory.root = {str(course)!r}\n"
        f"c.Exchange.root = {str(course / 'exchange')!r}\n"
        "c.Execute.timeout = 900\n"
        "c.OverwriteCells.add_missing_cells = True\n")
    (course / "source" / "ps02").mkdir(parents=True)
    (course / "source" / "ps02" / f"{SET}.ipynb").write_bytes((ROOT / "solutions" / f"{SET}.ipynb").read_bytes())
    for kind in KINDS:
        target = course / "submitted" / kind / "ps02" / f"{SET}.ipynb"
        target.parent.mkdir(parents=True)
        target.write_text(json.dumps(submission(kind), indent=1))
    env = {"PATH": f"{Path(sys.executable).parent}:/usr/bin:/bin", "HOME": str(course),
           "MPLBACKEND": "Agg", "OPENBLAS_NUM_THREADS": "1"}

    def nbg(*a):
        return subprocess.run([sys.executable, "-m", "nbgrader", *a], cwd=course, capture_output=True,
                              text=True, timeout=900, env=env)

    for args in (("db", "assignment", "add", "ps02"), ("generate_assignment", "ps02", "--force"),
                 ("autograde", "ps02", "--force")):
        r = nbg(*args)
        assert r.returncode == 0, f"nbgrader {' '.join(args)}:\n{r.stdout[-2000:]}\n{r.stderr[-3000:]}"
    from nbgrader.api import Gradebook
    with Gradebook(f"sqlite:///{course / 'gradebook.db'}") as gb:
        theirs = {kind: gb.find_submission("ps02", kind).score for kind in KINDS}
    out = io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(io.StringIO()):
        status = grade.main([str(course / "submitted"), "--json", "-j", "2"])
    assert status == 0
    ours = {nb["student"]: nb["score"] for nb in json.loads(out.getvalue())["notebooks"]}
    return theirs, ours


@pytest.mark.parametrize("kind", list(KINDS))
def test_nbgrader_and_nnlib_grade_agree(both, kind):
    theirs, ours = both
    assert theirs[kind] == ours[kind] == KINDS[kind], (kind, theirs[kind], ours[kind])
