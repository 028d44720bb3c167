"""The exercise notebooks, their generator and the checks learners see.

* exercises/ and nnlib's check data (nnlib/checks/cases) are exactly what `make exercises`
  generates from solutions/ and the grading side, with no solution text left;
* the learner's check (visible cases, generated expected values) agrees with the solutions;
* the notebooks carry nbgrader metadata that agrees with the check registry;
* every solution passes every check (hidden cases included), and every known
  learner mistake (tests/submissions/bugs.py) fails exactly its own exercise,
  with the hint tied to that mistake;
* `check` prints feedback and never lets an exception escape.
"""
from __future__ import annotations

import importlib.util
import re
import subprocess
import sys
from pathlib import Path

import nbformat
import numpy as np
import pytest

import nnlib.checks
from nnlib.checks import check, check_all, grade_namespace
from nnlib.checks.core import Mistake
from nnlib_grader import generate as gen
from nnlib_grader.exercises import EXERCISES, LESSONS
from nnlib_grader.grade import is_check_only
from nnlib_grader.nbgrader import hidden_test

LEARNER = nnlib.checks.EXERCISES   # the learner's view: visible cases, generated expected values

ROOT = Path(__file__).resolve().parent.parent
SOLUTIONS, GENERATED = ROOT / "solutions", ROOT / "exercises"
SETS = list(LESSONS)


def _load_module(name):
    spec = importlib.util.spec_from_file_location(name, ROOT / "tests" / "submissions" / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


BUGS = _load_module("bugs").BUGS


def _nb(path):
    return nbformat.read(path, as_version=4)


def _nbgrader(cell):
    return cell.get("metadata", {}).get("nbgrader", {})


# ----------------------------------------------------------------------------- the generator
def test_there_is_a_solution_and_an_exercise_notebook_per_lesson():
    assert sorted(p.stem for p in SOLUTIONS.glob("*.ipynb")) == SETS
    assert sorted(p.stem for p in GENERATED.glob("*.ipynb")) == SETS


def test_exercises_folder_is_exactly_what_the_generator_makes():
    problems = gen.generate(SOLUTIONS, GENERATED, check=True)
    assert not problems, "exercises/ is out of date; run `make exercises`:\n" + "\n".join(problems)


def test_generator_is_deterministic(tmp_path):
    gen.generate(SOLUTIONS, tmp_path / "a")
    gen.generate(SOLUTIONS, tmp_path / "b")
    for p in sorted((tmp_path / "a").glob("*.ipynb")):
        assert p.read_bytes() == (tmp_path / "b" / p.name).read_bytes() == (GENERATED / p.name).read_bytes()


def test_generator_check_mode_reports_stale_and_extra_files(tmp_path):
    out = tmp_path / "ex"
    assert gen.generate(SOLUTIONS, out, check=True)            # nothing generated yet
    assert gen.generate(SOLUTIONS, out) == [] and gen.generate(SOLUTIONS, out, check=True) == []
    stale = out / "01_neuron.ipynb"
    stale.write_text(stale.read_text().replace("YOUR CODE HERE", "my answer"))
    (out / "99_extra.ipynb").write_text("{}")
    problems = gen.generate(SOLUTIONS, out, check=True)
    assert any("01_neuron.ipynb is out of date" in p for p in problems)
    assert any("99_extra.ipynb has no solution notebook" in p for p in problems)
    gen.generate(SOLUTIONS, out)
    assert not (out / "99_extra.ipynb").exists() and gen.generate(SOLUTIONS, out, check=True) == []


def test_generator_command_line(tmp_path):
    def run(*a):
        return subprocess.run([sys.executable, "-m", "nnlib_grader.generate", str(SOLUTIONS), str(tmp_path), *a],
                              capture_output=True, text=True, cwd=tmp_path)

    result = run("--check")
    assert result.returncode == 1 and "01_neuron.ipynb is missing" in result.stderr
    result = run()
    assert result.returncode == 0 and "wrote 9 exercise notebooks" in result.stdout
    assert (tmp_path / "09_mnist.ipynb").read_bytes() == (GENERATED / "09_mnist.ipynb").read_bytes()


def _marked_lines(source):
    """Lines between solution / hidden-test markers (the text that must not leak)."""
    inside, lines = False, []
    for line in source.splitlines():
        s = line.strip()
        if s in (gen.BEGIN_SOLUTION, gen.BEGIN_HIDDEN):
            inside = True
        elif s in (gen.END_SOLUTION, gen.END_HIDDEN):
            inside = False
        elif inside and s:
            lines.append(s)
    return lines


@pytest.mark.parametrize("lesson", SETS)
def test_no_solution_text_is_left_in_the_exercises(lesson):
    sol, ex = _nb(SOLUTIONS / f"{lesson}.ipynb"), _nb(GENERATED / f"{lesson}.ipynb")
    assert len(sol.cells) == len(ex.cells)
    outside = set()
    for cell in sol.cells:
        inside = False
        for line in cell.source.splitlines():
            s = line.strip()
            if s in (gen.BEGIN_SOLUTION, gen.BEGIN_HIDDEN):
                inside = True
            elif s in (gen.END_SOLUTION, gen.END_HIDDEN):
                inside = False
            elif not inside:
                outside.add(s)
    exercise_lines = {line.strip() for c in ex.cells for line in c.source.splitlines()}
    for s_cell, e_cell in zip(sol.cells, ex.cells):
        secret = [line for line in _marked_lines(s_cell.source) if line not in outside]
        leaked = [line for line in secret if line in exercise_lines]
        assert not leaked, f"{lesson}: solution text left in exercises/: {leaked}"
        for marker in ("BEGIN SOLUTION", "END SOLUTION", "HIDDEN TESTS"):
            assert marker not in e_cell.source
        if _nbgrader(s_cell).get("solution"):
            before = s_cell.source.split(gen.BEGIN_SOLUTION)[0]
            assert e_cell.source.startswith(before.rstrip(" ")), "the def line and docstring must stay"
            assert e_cell.source.rstrip().endswith("# YOUR CODE HERE\n    raise NotImplementedError()")
        if e_cell.cell_type == "code":
            assert e_cell.outputs == [] and e_cell.execution_count is None
    assert "check(" in "".join(c.source for c in ex.cells)


def test_strip_source_follows_nbgrader():
    src = ("def f(x):\n    \"\"\"Doc.\"\"\"\n    ### BEGIN SOLUTION\n    y = x + 1\n    return y\n"
           "    ### END SOLUTION\n")
    assert gen.strip_source(src) == ("def f(x):\n    \"\"\"Doc.\"\"\"\n    # YOUR CODE HERE\n"
                                     "    raise NotImplementedError()")
    assert gen.strip_source("check('f', f)\n### BEGIN HIDDEN TESTS\ncheck('f', f, hidden=True)\n"
                            "### END HIDDEN TESTS") == "check('f', f)"
    assert gen.strip_source("Answer:\n### BEGIN SOLUTION\n42\n### END SOLUTION", markdown=True) == \
        "Answer:\nYOUR ANSWER HERE"
    assert gen.strip_source("no markers\n\n") == "no markers"


@pytest.mark.parametrize("bad", [
    "### BEGIN SOLUTION\nx = 1",                                  # never closed
    "x = 1\n### END SOLUTION",                                    # end without begin
    "### BEGIN SOLUTION\n### BEGIN HIDDEN TESTS\n### END HIDDEN TESTS\n### END SOLUTION",  # nested
    "## BEGIN SOLUTION\nx = 1\n## END SOLUTION",                  # misspelled
])
def test_strip_source_rejects_broken_markers(bad):
    with pytest.raises(gen.MarkerError):
        gen.strip_source(bad, where="cell 3")


# ----------------------------------------------------------------------------- notebook structure
@pytest.mark.parametrize("lesson", SETS)
def test_notebook_metadata_agrees_with_the_registry(lesson):
    nb = _nb(SOLUTIONS / f"{lesson}.ipynb")
    assert nb.metadata["kernelspec"]["name"] == "python3"
    assert nb.metadata["nnlib"]["exercise_set"] == lesson
    ids = [_nbgrader(c)["grade_id"] for c in nb.cells if _nbgrader(c)]
    assert len(ids) == len(set(ids)), "nbgrader grade_ids must be unique"
    assert all(re.fullmatch(r"[A-Za-z0-9_-]+", i) for i in ids)
    solutions = [c for c in nb.cells if _nbgrader(c).get("solution")]
    checks = [c for c in nb.cells if _nbgrader(c).get("grade")]
    names = [ex.name for ex in LESSONS[lesson]]
    assert [_nbgrader(c)["grade_id"] for c in solutions] == names
    assert [_nbgrader(c)["grade_id"] for c in checks] == [f"check_{n}" for n in names]
    for cell, ex in zip(checks, LESSONS[lesson]):
        meta = _nbgrader(cell)
        assert meta["points"] == ex.points and meta["locked"] and meta["schema_version"] == 3
        assert cell.source.startswith(f'check("{ex.name}", {ex.name})')
        hidden = cell.source.split(gen.BEGIN_HIDDEN)[1]
        assert "from nnlib_grader.nbgrader import hidden_test\n" in hidden
        assert f'\nhidden_test("{ex.name}", {ex.name})\n' in hidden
        assert 'sys.modules.pop(m)' in hidden, "the hidden test imports afresh"
        assert is_check_only(cell.source)
    for cell, ex in zip(solutions, LESSONS[lesson]):
        assert not _nbgrader(cell)["locked"] and cell.cell_type == "code"
        assert re.search(rf"^def {ex.name}\(", cell.source, re.M)
    first_code = next(c for c in nb.cells if c.cell_type == "code")
    assert "import numpy as np" in first_code.source and "from nnlib.checks import check" in first_code.source
    assert "default_rng(0)" in first_code.source


@pytest.mark.parametrize("lesson", SETS)
def test_every_exercise_says_what_to_write_with_a_hint_and_its_points(lesson):
    nb = _nb(SOLUTIONS / f"{lesson}.ipynb")
    text = "\n".join(c.source for c in nb.cells if c.cell_type == "markdown")
    assert f"](../notebooks/{lesson}.ipynb)" in text, "each notebook links back to its lesson"
    for ex in LESSONS[lesson]:
        pts = f"{ex.points} point{'s' if ex.points != 1 else ''}"
        head = re.search(rf"^## Exercise \d\.\d+: `{ex.name}` \({pts}\)$", text, re.M)
        assert head, f"{lesson}: no heading with the points for {ex.name}"
        section = text[head.end():].split("\n## ", 1)[0]
        assert "**Write**" in section
        assert ("<details><summary>Hint 1: what to think about</summary>" in section
                and "<details><summary>Hint 2: the formula and the shapes</summary>" in section), \
            f"{lesson}: {ex.name} needs graduated hints (Hint 1, then Hint 2)"
        assert "**In:**" in section and ("**Out:**" in section or "**Yields:**" in section)
    total = sum(ex.points for ex in LESSONS[lesson])
    assert f"{len(LESSONS[lesson])} exercises, {total} points" in text


@pytest.mark.parametrize("lesson", SETS)
def test_relative_links_resolve(lesson):
    nb = _nb(SOLUTIONS / f"{lesson}.ipynb")
    text = "\n".join(c.source for c in nb.cells if c.cell_type == "markdown")
    links = [link for link in re.findall(r"\]\(([^)#\s]+)\)", text) if not re.match(r"[a-z]+:", link)]
    missing = [link for link in links if not (SOLUTIONS / link).exists()]
    assert not missing, f"{lesson} links to missing files: {missing}"


# ----------------------------------------------------------------------------- the registry
def test_enough_graded_functions_covering_the_course():
    assert len(EXERCISES) >= 30
    needed = {"weighted_sum", "neuron_output", "sigmoid", "sigmoid_prime", "tanh", "tanh_prime", "relu",
              "relu_prime", "softmax", "dense_forward", "two_layer_forward", "xor_weights", "mse",
              "mse_gradient", "cross_entropy", "softmax_cross_entropy_gradient", "gradient_descent_step",
              "minimize", "affine_backward", "network_backward", "numerical_gradient", "minibatches",
              "train", "momentum_update", "adam_update", "l2_penalty", "l2_gradient", "dropout_forward",
              "dropout_backward", "train_mnist"}
    assert needed <= set(EXERCISES)
    for ex in EXERCISES.values():
        assert ex.points >= 1 and ex.cases(hidden=False), ex.name


def test_every_graded_function_has_a_buggy_submission():
    missing = sorted(set(EXERCISES) - set(BUGS))
    assert not missing, f"no buggy submission for {missing}"
    assert not set(BUGS) - set(EXERCISES)


@pytest.mark.parametrize("name", [n for n, ex in EXERCISES.items() if ex.mistakes])
def test_known_mistakes_are_really_wrong(name):
    """A mistake's hint must never be shown for a right answer: every known-wrong
    variant differs from the reference on at least one case."""
    ex = EXERCISES[name]
    from nnlib.checks.core import _matches
    from nnlib.checks.runner import materialize
    for m in ex.mistakes:
        assert isinstance(m, Mistake)
        differs = False
        for case in ex.cases():
            try:
                with np.errstate(all="ignore"):
                    wrong = m.fn(*materialize(case.args), **materialize(case.kwargs))
            except Exception:
                differs = True
                continue
            expected = ex.expected(case) if ex.reference else None
            if ex.reference is None or not _matches(expected, wrong):
                differs = True
        assert differs, f"{name}: the mistake {m.hint!r} gives the right answer on every case"


# ----------------------------------------------------------------------------- solutions and bugs, in process
_NAMESPACES = {}


def _namespace(lesson, replace=None):
    """Run the notebook's code cells (not the check cells) here, as the kernel would."""
    nb = _nb(SOLUTIONS / f"{lesson}.ipynb")
    ns = {"__name__": "__main__"}
    for cell in nb.cells:
        if cell.cell_type != "code" or is_check_only(cell.source):
            continue
        gid = _nbgrader(cell).get("grade_id")
        source = replace[gid] if replace and gid in replace else cell.source
        exec(compile(source, f"<{lesson}:{gid}>", "exec"), ns)
    return ns


def _solution_results(lesson):
    if lesson not in _NAMESPACES:
        _NAMESPACES[lesson] = grade_namespace(LESSONS[lesson], _namespace(lesson))
    return _NAMESPACES[lesson]


@pytest.mark.parametrize("lesson", SETS)
def test_solutions_pass_every_check_hidden_cases_included(lesson):
    results = _solution_results(lesson)
    failed = [r.message for r in results if not r.passed]
    assert not failed, "\n".join(failed)
    assert all(r.hidden_included for r in results)


BUG_CASES = [(name, i, what) for name, bugs in BUGS.items() for i, (what, _, _) in enumerate(bugs)]


@pytest.mark.parametrize("name,i,what", BUG_CASES, ids=[f"{n}-{w}" for n, _, w in BUG_CASES])
def test_a_buggy_function_loses_exactly_its_own_points(name, i, what):
    ex = EXERCISES[name]
    _, source, hint = BUGS[name][i]
    ns = _namespace(ex.lesson, replace={name: source})
    others = [e for e in LESSONS[ex.lesson] if e.name != name and e.name != "train_mnist"]
    results = {r.name: r for r in grade_namespace([ex] + others, ns)}
    bad = results[name]
    assert not bad.passed and bad.earned == 0, bad.message
    assert bad.status != "not_implemented"
    if hint:
        assert hint in bad.message, f"expected the hint {hint!r} in:\n{bad.message}"
    wrongly = [r.message for n, r in results.items() if n != name and not r.passed]
    assert not wrongly, "a bug in one function cost another exercise points:\n" + "\n".join(wrongly)


# ----------------------------------------------------------------------------- check() as learners see it
def test_check_prints_a_pass(capsys):
    def sigmoid_prime(z):
        s = 1 / (1 + np.exp(-z))
        return s * (1 - s)
    result = check("sigmoid_prime", sigmoid_prime)
    out = capsys.readouterr().out
    assert result.passed and result.earned == result.points == 1
    assert out.startswith("✓ sigmoid_prime: all 4 cases pass (1 point)")


def test_check_says_not_implemented_yet_without_a_traceback(capsys):
    def relu(z):
        """max(0, z)"""
        # YOUR CODE HERE
        raise NotImplementedError()
    result = check("relu", relu)
    out = capsys.readouterr().out
    assert not result.passed and result.status == "not_implemented"
    assert "not implemented yet" in out and "Traceback" not in out


def test_check_shows_case_input_expected_got_and_the_mistake(capsys):
    def softmax(z):
        e = np.exp(z)
        return e / e.sum(axis=1, keepdims=True)
    result = check("softmax", softmax)
    out = capsys.readouterr().out
    assert result.status == "fail" and "2 of 3 cases pass" in out
    # a few differing entries, expected against got (never the whole expected array)
    for part in ("case 3 of 3", "input:", "got:", "at [0, 0]: expected 0.0900306, got nan", "nan",
                 "Subtract each row's maximum"):
        assert part in out, part


def test_check_reports_wrong_shape_and_dtype(capsys):
    check("relu", lambda z: np.max(z, 0))
    assert "wrong shape: expected (5,), got ()" in capsys.readouterr().out
    check("relu_prime", lambda z: z > 0)
    assert "wrong dtype: expected floating-point numbers, got bool" in capsys.readouterr().out


def test_check_compares_gradients_with_finite_differences(capsys):
    check("affine_backward", lambda dZ, X, W: (dZ @ W.T, X.T @ dZ, dZ.mean(axis=0)))
    out = capsys.readouterr().out
    assert "finite differences: db relative error" in out and "CHECK THIS" in out
    assert "you averaged it" in out


def test_check_summarises_an_exception_with_the_learners_line(capsys):
    def dense_forward(X, W, b):
        Z = W @ X + b
        return Z
    result = check("dense_forward", dense_forward)
    out = capsys.readouterr().out
    assert result.status == "error" and "raised ValueError" in out
    assert "line" in out and "Z = W @ X + b" in out and "Traceback" not in out


def test_check_never_lets_anything_escape(capsys):
    class Nasty:
        def __repr__(self):
            raise RuntimeError("no repr for you")

        def __array__(self, *a, **k):
            raise RuntimeError("no array either")
    for fn in (lambda z: Nasty(), lambda z: sys.exit(3), lambda z: None, lambda z: [[1, 2], [3]],
               lambda z: {"a": 1}, lambda z: iter(range(3)), lambda z: 1 / 0):
        result = check("sigmoid", fn)
        assert not result.passed
    out = capsys.readouterr().out
    assert "Traceback" not in out and "returned None" in out and "ZeroDivisionError" in out


def test_check_flags_calls_into_nnlib(capsys):
    import nnlib
    result = check("sigmoid", lambda z: nnlib.sigmoid(z))
    assert result.status == "forbidden" and "nnlib.activations.sigmoid" in capsys.readouterr().out
    result = check("sigmoid", nnlib.sigmoid)
    assert result.status == "forbidden"


def test_check_uses_correct_versions_of_the_functions_it_calls(capsys):
    ns = {"np": np}
    exec("def sigmoid(z):\n    return z\n\ndef sigmoid_prime(z):\n    s = sigmoid(z)\n    return s * (1 - s)", ns)
    assert check("sigmoid_prime", ns["sigmoid_prime"]).passed
    assert ns["sigmoid"](3.0) == 3.0, "the learner's own function is put back afterwards"


def test_check_stops_an_endless_loop(capsys, monkeypatch):
    monkeypatch.setattr(LEARNER["relu"], "timeout", 0.5)

    def relu(z):
        while True:
            pass
    result = check("relu", relu)
    assert result.status == "timeout" and "did not finish within 0.5 s" in capsys.readouterr().out


def test_check_strict_raises_for_nbgrader_and_unknown_names_get_suggestions(capsys):
    with pytest.raises(AssertionError):
        check("relu", lambda z: z, strict=True)
    result = check("sigmod", lambda z: z)
    assert not result.passed and "did you mean 'sigmoid'" in capsys.readouterr().out


def test_the_hidden_line_of_a_check_cell_names_the_mistake_but_not_the_hidden_case(capsys):
    # nbgrader puts this line back at autograding, and its output and error go into the
    # learner's feedback: it must not show a hidden case's input or expected values.
    def relu(z):  # right on the visible cases, wrong on a hidden 3-D one
        return np.maximum(z, 0) if np.ndim(z) < 3 else z

    assert check("relu", relu).passed
    capsys.readouterr()
    before = dict(sys.modules)
    with pytest.raises(AssertionError) as error:
        hidden_test("relu", relu)
    hidden_test("relu", lambda z: np.maximum(z, 0))
    assert all(sys.modules.get(k) is v for k, v in before.items()), "the notebook's modules are put back"
    assert capsys.readouterr().out == ""
    message = str(error.value)
    assert re.fullmatch(r"relu: hidden case \d+: wrong values\. Hint: .*keep the positive values.*", message), message
    assert "input" not in message and "expected" not in message and "array" not in message


def test_checks_are_strict_when_nbgrader_validates(capsys, monkeypatch):
    # nbgrader's Validate button counts a check cell as failed only if it raises; the visible
    # line does not raise (Run All must show every exercise's feedback), except under validate.
    def relu(z):
        raise NotImplementedError()

    assert not check("relu", relu).passed
    monkeypatch.setenv("NBGRADER_EXECUTION", "autograde")
    assert not check("relu", relu).passed
    monkeypatch.setenv("NBGRADER_EXECUTION", "validate")
    with pytest.raises(AssertionError, match="relu: not implemented yet"):
        check("relu", relu)
    assert "not implemented yet" in capsys.readouterr().out
    assert check("relu", lambda z: np.maximum(z, 0)).passed


def test_check_all_prints_a_score_table(capsys):
    ns = {"sigmoid": lambda z: 0.5 * (1 + np.tanh(np.asarray(z) / 2)), "relu": lambda z: np.maximum(z, 0)}
    scores = check_all("02_activations", ns)
    out = capsys.readouterr().out
    assert scores.earned == 2 and scores.points == 8
    assert re.search(r"^sigmoid\s+1 / 1", out, re.M) and re.search(r"^total\s+2 / 8", out, re.M)


def test_instructors_guide_lists_every_exercise_with_its_points():
    guide = (ROOT / "INSTRUCTORS.md").read_text()
    for lesson, exercises in LESSONS.items():
        row = next((line for line in guide.splitlines() if line.startswith(f"| `{lesson}` |")), None)
        assert row, f"INSTRUCTORS.md has no row for {lesson}"
        cells = [c.strip() for c in row.strip("|").split("|")]
        assert cells[1:3] == [str(len(exercises)), str(sum(e.points for e in exercises))], row
        assert cells[3] == ", ".join(f"`{e.name}` ({e.points})" for e in exercises), row
    assert f"{len(EXERCISES)} graded\nfunctions worth {sum(e.points for e in EXERCISES.values())} points" in guide


def test_the_hidden_test_imports_afresh_so_a_redefined_check_or_patched_nnlib_cannot_fool_it():
    saved = dict(sys.modules)
    import nnlib.activations
    import nnlib.checks.core as core
    real_sigmoid, real_compare = nnlib.activations.sigmoid, core.compare
    try:
        nnlib.activations.sigmoid = lambda z: z          # what a notebook may do before the hidden line
        core.compare = lambda *a, **k: None
        nnlib.checks.check = lambda *a, **k: None
        with pytest.raises(AssertionError, match="sigmoid: case 1"):
            hidden_test("sigmoid", lambda z: z)
    finally:
        nnlib.activations.sigmoid, core.compare, nnlib.checks.check = real_sigmoid, real_compare, check
        sys.modules.clear()
        sys.modules.update(saved)


# ----------------------------------------------------------------------------- the learner's check data
def test_check_data_is_what_the_generator_makes():
    problems = gen.generate_cases(check=True)
    assert not problems, "\n".join(problems)


def test_check_data_holds_the_visible_cases_only_with_the_references_values():
    assert set(LEARNER) == set(EXERCISES)
    for name, ex in EXERCISES.items():
        mine = LEARNER[name]
        assert len(mine.cases()) == len(ex.cases(hidden=False)) and not any(c.hidden for c in mine.cases())
        assert (mine.points, mine.arg_names, mine.collect) == (ex.points, ex.arg_names, ex.collect)
        assert [m.hint for m in mine.mistakes] == [m.hint for m in ex.mistakes]
        if ex.reference is not None:
            from nnlib.checks.core import _matches
            for mc, gc in zip(mine.cases(), ex.cases(hidden=False)):    # to the last bits or so: a
                # matrix product's last bit can change between runs (BLAS kernels chosen by alignment)
                assert _matches(ex.expected(gc), mine.expected(mc), rtol=1e-9, atol=1e-12), name


def test_drifted_check_data_fails_the_check_mode(tmp_path):
    folder = tmp_path / "cases"
    assert gen.generate_cases(folder) == [] and gen.generate_cases(folder, check=True) == []
    path = folder / "02_activations.json"
    path.write_text(path.read_text().replace('"v": "0.5"', '"v": "0.49"', 1))
    assert any("02_activations.json is out of date" in p for p in gen.generate_cases(folder, check=True))


@pytest.mark.parametrize("lesson", SETS)
def test_the_learners_check_passes_every_solution(lesson, capsys):
    ns = _namespace(lesson)
    for ex in LESSONS[lesson]:
        if ex.name == "train_mnist":
            continue   # minutes of training; the grading tests cover it
        result = check(ex.name, ns[ex.name], quiet=True)
        assert result.passed, result.message
