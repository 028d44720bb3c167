"""What a learner installs: a non-editable `pip install .` into a fresh virtual environment
(no `grader` extra) holds the library and the instant check, and no hidden case and no
reference answer; `check()` gives the same instant feedback there; `python -m nnlib.grade`
says what to install.

The fresh environment gets nnlib from the wheel build only; numpy and the other runtime
dependencies come from the test's own environment through a path file (no download).
"""
from __future__ import annotations

import ast
import inspect
import json
import subprocess
import sys
import textwrap
import venv
from pathlib import Path

import numpy as np
import pytest

from nnlib.checks import visible
from nnlib_grader.exercises import EXERCISES, reference

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def learner(tmp_path_factory):
    home = tmp_path_factory.mktemp("learner")
    env_dir = home / "venv"
    venv.EnvBuilder(with_pip=False).create(env_dir)
    python = env_dir / "bin" / "python"
    site = Path(subprocess.run([str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
                               capture_output=True, text=True, check=True).stdout.strip())
    build = subprocess.run([sys.executable, "-m", "pip", "install", "--disable-pip-version-check", "-q",
                            "--no-deps", "--target", str(site), str(ROOT)],
                           capture_output=True, text=True, cwd=home)
    assert build.returncode == 0, build.stderr[-3000:]
    deps = [p for p in sys.path if p.endswith("site-packages")]
    (site / "zz_test_dependencies.pth").write_text("\n".join(deps) + "\n")
    return python, site, home


def run(learner, code):
    python, _, home = learner
    return subprocess.run([str(python), "-c", textwrap.dedent(code)], capture_output=True, text=True,
                          cwd=home, env={"MPLBACKEND": "Agg", "PATH": "/usr/bin:/bin", "HOME": str(home)})


def test_the_install_is_the_wheel_not_the_source_tree(learner):
    result = run(learner, "import nnlib, nnlib.checks; print(nnlib.__file__); print(len(nnlib.checks.EXERCISES))")
    assert result.returncode == 0, result.stderr
    path, count = result.stdout.split()
    assert path.startswith(str(learner[1])) and int(count) == len(EXERCISES)


def test_no_reference_answer_and_no_grading_answers_are_installed(learner):
    site = learner[1]
    assert not (site / "nnlib_grader" / "exercises").exists()
    assert not list(site.rglob("reference.py")) and not list(site.rglob("lesson0*.py"))
    texts = {p: " ".join(p.read_text(encoding="utf-8", errors="replace").split())
             for p in site.rglob("*") if p.is_file() and p.suffix in (".py", ".json", ".txt", ".md", "")}
    bodies = []
    for name, fn in inspect.getmembers(reference, inspect.isfunction):
        if fn.__module__ != reference.__name__:
            continue
        tree = ast.parse(textwrap.dedent(inspect.getsource(fn)))
        body = tree.body[0].body
        if body and isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant):
            body = body[1:]   # the docstring
        text = " ".join(ast.unparse(ast.Module(body=body, type_ignores=[])).split())
        if len(text) > 40:     # one-liners like `return X @ W + b` say nothing by themselves
            bodies.append((name, text))
    assert len(bodies) >= 10
    found = [(name, str(p)) for name, body in bodies for p, t in texts.items() if body in t]
    assert not found, f"reference bodies in the learner's install: {found}"


def _arrays(value, out):
    if isinstance(value, np.ndarray):
        out.append(value)
    elif isinstance(value, (tuple, list)):
        for v in value:
            _arrays(v, out)
    elif isinstance(value, dict):
        for v in value.values():
            _arrays(v, out)
    return out


def _same(a, b):
    if isinstance(a, np.ndarray) or isinstance(b, np.ndarray):
        return (isinstance(a, np.ndarray) and isinstance(b, np.ndarray) and a.shape == b.shape
                and np.array_equal(a, b))
    if isinstance(a, (tuple, list)) and isinstance(b, (tuple, list)):
        return len(a) == len(b) and all(_same(x, y) for x, y in zip(a, b))
    if isinstance(a, dict) and isinstance(b, dict):
        return a.keys() == b.keys() and all(_same(a[k], b[k]) for k in a)
    return type(a) is type(b) and repr(a) == repr(b)


def test_no_hidden_case_input_is_installed(learner):
    site = learner[1]
    installed = visible.load_all(site / "nnlib" / "checks" / "cases")
    shipped = {ex.name: [c.args for c in ex.cases()] for exercises in installed.values() for ex in exercises}
    raw = " ".join(p.read_text() for p in (site / "nnlib" / "checks" / "cases").glob("*.json"))
    n_hidden = 0
    for ex in EXERCISES.values():
        for c in ex.cases():
            if not c.hidden:
                continue
            n_hidden += 1
            assert not any(_same(c.args, args) for args in shipped[ex.name]), f"{ex.name}: a hidden case is installed"
            public = {float(v) for args in shipped[ex.name] for b in _arrays(args, []) for v in b.ravel()}
            for a in _arrays(c.args, []):  # a hidden case's own random numbers appear nowhere
                if a.size and set(a.ravel().tolist()) <= public:
                    continue   # data shared with a visible case (other epochs on the same X, a slice)
                first = a.ravel()[:3].tolist() if a.dtype.kind == "f" and a.size >= 3 else []
                if first and all(np.isfinite(v) and len(repr(v)) > 8 for v in first):  # random-looking numbers
                    text = ", ".join(json.dumps(float(v)) for v in a.ravel()[:3])
                    assert text not in raw, f"{ex.name}: a hidden case's numbers are in the learner's data"
    assert n_hidden >= 60
    assert sum(ex.hidden_cases for exercises in installed.values() for ex in exercises) == n_hidden


def test_check_gives_the_same_instant_feedback_in_the_learners_install(learner):
    result = run(learner, """
        import numpy as np
        from nnlib.checks import check
        check("sigmoid", lambda z: 0.5 * (1 + np.tanh(np.asarray(z) / 2)))
        check("sigmoid", lambda z: 1 / (1 + np.exp(z)))
        check("affine_backward", lambda dZ, X, W: (dZ @ W.T, X.T @ dZ, dZ.mean(axis=0)))
        def relu(z):
            raise NotImplementedError()
        check("relu", relu)
    """)
    assert result.returncode == 0, result.stderr
    out = result.stdout
    assert "✓ sigmoid: all 4 cases pass (1 point)" in out
    assert "Check the sign in the exponent" in out and "expected " in out and "got:" in out
    assert "finite differences: db relative error" in out and "you averaged it" in out
    assert "relu: not implemented yet" in out


def test_the_grader_command_says_which_extra_to_install(learner):
    python, _, home = learner
    result = subprocess.run([str(python), "-m", "nnlib.grade", "submissions"], capture_output=True,
                            text=True, cwd=home)
    assert result.returncode == 2
    assert 'pip install -e ".[grader]"' in result.stderr and "bubblewrap" in result.stderr
