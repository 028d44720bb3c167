"""The checks are fair (issue 12, "Checks that are unfair").

A check accepts every correct answer (any value-, shape- and dtype-equal result, 0-d arrays and
Python scalars included), has a visible case for every failure the exercise text warns about,
checks the process the text demands (not only the outcome) with a hint that names it, and never
hands over the answer: folded hints go from what to think about to the formula, and a mistake the
checks do not know gets a diagnosis instead of the expected solution.

The learner's ``check`` (visible cases, generated data) and the grader's exercises
(``nnlib_grader.exercises``, hidden cases included) are both tried.
"""
from __future__ import annotations

import re
from pathlib import Path

import nbformat
import numpy as np
import pytest

from nnlib.checks import EXERCISES, check, runner
from nnlib.checks.core import run_in_process

ROOT = Path(__file__).resolve().parent.parent
SOLUTIONS = ROOT / "solutions"

try:
    from nnlib_grader.exercises import EXERCISES as GRADER
except ImportError:  # a learner install: only the visible side
    GRADER = None

needs_grader = pytest.mark.skipif(GRADER is None, reason="needs the grading side (nnlib_grader)")


def _load_bugs():
    import importlib.util
    spec = importlib.util.spec_from_file_location("fair_bugs", ROOT / "tests" / "submissions" / "bugs.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.BUGS


BUGS = _load_bugs()


def _gid(cell):
    return cell.get("metadata", {}).get("nbgrader", {}).get("grade_id", "")


def _namespace(lesson, replace=None):
    """The solution notebook's code cells (not its check cells) run here, as a kernel would."""
    nb = nbformat.read(SOLUTIONS / f"{lesson}.ipynb", as_version=4)
    ns = {"__name__": "__main__"}
    for cell in nb.cells:
        gid = _gid(cell)
        if cell.cell_type != "code" or gid.startswith("check_") or gid == "score":
            continue
        source = replace[gid] if replace and gid in replace else cell.source
        exec(compile(source, f"<{lesson}:{gid}>", "exec"), ns)
    return ns


def _check(name, fn, capsys):
    result = check(name, fn)
    return result, capsys.readouterr().out


def _graded(ex, fn):
    """The grader's judgement, hidden cases included, in this process. (Its references are
    imported as they are: the private re-import of nnlib that protects them in a kernel does
    not reach nnlib_grader.)"""
    import copy
    ex = copy.copy(ex)
    if any(v.startswith("nnlib_grader.") for v in ex.uses.values()):
        ex.private_uses = False
    return run_in_process(ex, fn, hidden=True, quiet=True)


def _grade(name, fn):
    return _graded(GRADER[name], fn)


# ----------------------------------------------------------------------------- 0-d answers
def test_a_0d_array_survives_the_trip_to_the_checking_side():
    for value in (np.array(0.5), np.array(3), np.float64(0.25), 0.25, 7):
        back = runner.roundtrip(value)
        assert np.shape(back) == np.shape(value) and back == value


def _robust_sigmoid(z):
    e = np.exp(-np.abs(z))
    return np.where(z >= 0, 1 / (1 + e), e / (1 + e))   # 0-d array for a number


@pytest.mark.parametrize("name,fn", [
    ("sigmoid", _robust_sigmoid),
    ("sigmoid", lambda z: np.array(0.5 * (1 + np.tanh(np.asarray(z) / 2)))),
    ("sigmoid_prime", lambda z: np.array(_robust_sigmoid(z) * (1 - _robust_sigmoid(z)))),
    ("tanh", lambda z: np.where(True, 2 * _robust_sigmoid(2 * np.asarray(z)) - 1, 0.0)),
    ("tanh_prime", lambda z: np.array(1 - np.tanh(z) ** 2)),
    ("weighted_sum", lambda x, w, b: np.array(x @ w + b)),
    ("mse", lambda a, y: np.array(0.5 * np.sum((a - y) ** 2) / a.shape[0])),
    ("rel_error", lambda a, b: np.array(np.max(np.abs(a - b) / np.maximum(1e-8, np.abs(a) + np.abs(b))))),
    ("rel_error", lambda a, b: float(np.max(np.abs(a - b) / np.maximum(1e-8, np.abs(a) + np.abs(b))))),
])
def test_answers_equal_in_value_and_shape_pass_also_as_0d_arrays(name, fn, capsys):
    result, out = _check(name, fn, capsys)
    assert result.passed, out
    if GRADER is not None:
        graded = _grade(name, fn)
        assert graded.passed, graded.message


# ----------------------------------------------------------------------------- visible cases for the warned failures
def _visible_fails(name, fn, capsys, *parts):
    result, out = _check(name, fn, capsys)
    assert not result.passed, out
    for part in parts:
        assert part in out, (part, out)
    return out


def test_the_overflowing_sigmoid_fails_visibly_and_a_robust_one_passes(capsys):
    # lesson 2 promises that exercise 2 makes the learner's sigmoid robust
    _visible_fails("sigmoid", lambda z: 1 / (1 + np.exp(-z)), capsys, "overflow", "never overflows")
    _visible_fails("sigmoid", lambda z: np.where(z >= 0, 1 / (1 + np.exp(-z)), np.exp(z) / (1 + np.exp(z))),
                   capsys, "overflow", "np.where computes both")
    assert _check("sigmoid", _robust_sigmoid, capsys)[0].passed


def test_the_exp_form_of_sigmoid_prime_fails_visibly(capsys):
    _visible_fails("sigmoid_prime", lambda z: np.exp(-z) / (1 + np.exp(-z)) ** 2, capsys,
                   "nan", "inf / inf is NaN")


def test_the_exp_fraction_of_tanh_fails_visibly_near_710(capsys):
    out = _visible_fails("tanh", lambda z: (np.exp(z) - np.exp(-z)) / (np.exp(z) + np.exp(-z)), capsys,
                         "710", "overflows")
    assert "visible" not in out and "hidden case" not in out


def test_the_folded_hint_of_the_sigmoid_no_longer_calls_the_overflowing_formula_fine():
    nb = nbformat.read(SOLUTIONS / "02_activations.ipynb", as_version=4)
    task = next(c.source for c in nb.cells if c.metadata.get("nbgrader", {}).get("grade_id") == "task_sigmoid")
    assert "robust" in task and "the right limit" not in task and "`1 / (1 + np.exp(-z))`" not in task


# ----------------------------------------------------------------------------- solutions and known mistakes
FAST_SETS = ["01_neuron", "02_activations", "03_layers_forward", "04_costs", "05_gradient_descent",
             "06_backpropagation", "07_training", "08_training_better", "09_mnist"]
SLOW = {"train_mnist"}   # trains on MNIST: its own tests below


@needs_grader
@pytest.mark.parametrize("lesson", FAST_SETS)
def test_solutions_still_score_full_marks_visible_and_hidden(lesson, capsys):
    from nnlib_grader.exercises import LESSONS as GRADED
    ns = _namespace(lesson)
    for ex in GRADED[lesson]:
        if ex.name in SLOW:
            continue
        graded = _graded(ex, ns[ex.name])
        assert graded.passed, graded.message
        visible = check(ex.name, ns[ex.name], quiet=True)
        assert visible.passed, visible.message


BUG_CASES = [(n, i) for n, bugs in BUGS.items() for i in range(len(bugs)) if n not in SLOW]


@needs_grader
@pytest.mark.parametrize("name,i", BUG_CASES, ids=[f"{n}-{BUGS[n][i][0]}" for n, i in BUG_CASES])
def test_every_known_mistake_fails_its_own_exercise_with_its_hint(name, i):
    what, source, hint = BUGS[name][i]
    ex = GRADER[name]
    ns = _namespace(ex.lesson, replace={name: source})
    graded = _graded(ex, ns[name])
    assert not graded.passed and graded.status != "not_implemented", graded.message
    if hint:
        assert hint in graded.message, f"expected {hint!r} in:\n{graded.message}"


# ----------------------------------------------------------------------------- the process the text demands
def _from_source(source, **names):
    ns = {"np": np, "__name__": "__main__", **names}
    exec(source, ns)
    return ns


TRAIN_NEW_GENERATOR_EACH_EPOCH = '''
def minibatches(X, y, batch_size, rng):
    idx = rng.permutation(len(X))
    for start in range(0, len(X), batch_size):
        part = idx[start:start + batch_size]
        yield X[part], y[part]

def train_epoch(network, batches, learning_rate):
    total, count = 0.0, 0
    for Xb, yb in batches:
        loss = network.compute_gradients(Xb, yb)
        for key, param, grad in network.parameters():
            param -= learning_rate * grad
        total += loss * len(Xb)
        count += len(Xb)
    return total / count

def train(network, X, y, epochs, batch_size, learning_rate, seed):
    losses = []
    for epoch in range(epochs):
        rng = np.random.default_rng(seed)          # made again in every epoch: the same shuffle
        losses.append(train_epoch(network, list(minibatches(X, y, batch_size, rng)), learning_rate))
    return losses
'''


def test_train_with_the_generator_made_inside_the_epoch_loop_fails_visibly(capsys):
    ns = _from_source(TRAIN_NEW_GENERATOR_EACH_EPOCH)
    _visible_fails("train", ns["train"], capsys, "same shuffle", "once, from the seed, before the loop")
    if GRADER is not None:
        graded = _grade("train", ns["train"])
        assert not graded.passed and "same shuffle" in graded.message
    right = _from_source(TRAIN_NEW_GENERATOR_EACH_EPOCH.replace(
        "    losses = []\n    for epoch in range(epochs):\n        rng = np.random.default_rng(seed)",
        "    losses = []\n    rng = np.random.default_rng(seed)\n    for epoch in range(epochs):\n        pass"))
    assert _check("train", right["train"], capsys)[0].passed


DROPOUT = '''
def dropout_forward(X, p, rng):
    q = 1 - p
    mask = (SOURCE < q) / q
    return X * mask, mask
'''


@pytest.mark.parametrize("source,ok", [
    ("rng.random(X.shape)", True),
    ("rng.uniform(size=X.shape)", True),                 # another correct way to draw from rng
    ("np.random.random(X.shape)", False),                # global np.random: not from rng
    ("np.random.default_rng(0).random(X.shape)", False),  # a fixed generator: not from rng
])
def test_dropout_must_draw_its_mask_from_rng(source, ok, capsys):
    fn = _from_source(DROPOUT.replace("SOURCE", source))["dropout_forward"]
    result, out = _check("dropout_forward", fn, capsys)
    assert result.passed == ok, out
    if not ok:
        assert "rng" in out and ("not from np.random" in out or "does not depend on rng" in out), out
        if GRADER is not None:
            assert not _grade("dropout_forward", fn).passed


def test_build_mnist_model_in_float64_fails_with_a_hint_about_float32(capsys):
    import nnlib
    fn = _from_source('''
def build_mnist_model(seed):
    return Network([Dense(784, 64, "relu"), Dense(64, 10)], loss="softmax_cross_entropy", seed=seed)
''', Network=nnlib.Network, Dense=nnlib.Dense)["build_mnist_model"]
    _visible_fails("build_mnist_model", fn, capsys, "float64", "float32")


def test_should_stop_that_counts_an_equal_value_as_improvement_fails_visibly(capsys):
    def should_stop(val_losses, patience):   # <= : the last of equal minima counts as the best
        best = max(i for i, v in enumerate(val_losses) if v <= min(val_losses))
        return bool(len(val_losses) - 1 - best >= patience)
    _visible_fails("should_stop", should_stop, capsys, "equal value is no improvement", "first epoch")


def test_minimize_with_zero_steps_must_not_return_x0_itself(capsys):
    def minimize(grad_f, x0, learning_rate, steps):
        x = x0
        for _ in range(steps):
            x = x - learning_rate * grad_f(x)
        return x
    _visible_fails("minimize", minimize, capsys, "returned its input x0 itself", "copy of x0")


def test_train_mnist_that_touches_the_test_set_is_reported(capsys):
    import nnlib
    X_test, y_test = np.zeros((10, 784), np.float32), np.zeros(10, int)
    ns = _from_source('''
def build_mnist_model(seed):
    return Network([Dense(784, 64, "relu", dtype=np.float32), Dense(64, 10, dtype=np.float32)],
                   loss="softmax_cross_entropy", seed=seed)

def train_mnist(X_train, y_train):
    model = build_mnist_model(0)
    model.fit(np.concatenate([X_train, X_test]), np.concatenate([y_train, y_test]), epochs=1, verbose=False)
    return model

def train_mnist_swallowing(X_train, y_train):
    model = build_mnist_model(0)
    try:
        model.fit(X_test, y_test, epochs=1, verbose=False)
    except BaseException:
        pass
    return model
''', Network=nnlib.Network, Dense=nnlib.Dense, X_test=X_test, y_test=y_test)
    for fn in (ns["train_mnist"], ns["train_mnist_swallowing"]):
        result, out = _check("train_mnist", fn, capsys)
        assert result.status == "forbidden" and "X_test, the test set" in out, out
    assert ns["X_test"] is X_test, "the notebook's X_test is put back afterwards"


# ----------------------------------------------------------------------------- hints never hand over the answer
def _norm(text):
    return re.sub(r"\s+", "", text)


def _solution_lines(source):
    inside, lines = False, []
    for line in source.splitlines():
        s = line.split("#")[0].strip()
        if line.strip() == "### BEGIN SOLUTION":
            inside = True
        elif line.strip() == "### END SOLUTION":
            inside = False
        elif inside and s:
            s = s[len("return "):] if s.startswith("return ") else s
            lines.append(_norm(s))
    return [line for line in lines if len(line) >= 5]


def _sections():
    """(lesson, exercise, task text without its hints, [hint texts], solution lines)."""
    for path in sorted(SOLUTIONS.glob("*.ipynb")):
        nb = nbformat.read(path, as_version=4)
        cells = {_gid(c): c for c in nb.cells}
        for gid, cell in cells.items():
            if not gid.startswith("task_"):
                continue
            name = gid[len("task_"):]
            hints = re.findall(r"<details><summary>(Hint[^<]*)</summary>(.*?)</details>", cell.source, re.S)
            task = re.sub(r"<details>.*?</details>", "", cell.source, flags=re.S)
            yield path.stem, name, task, hints, _solution_lines(cells[name].source)


SECTIONS = list(_sections())


@pytest.mark.parametrize("lesson,name,task,hints,solution", SECTIONS, ids=[s[1] for s in SECTIONS])
def test_folded_hints_are_graduated_and_never_the_solution_code(lesson, name, task, hints, solution):
    assert [h[0] for h in hints] == ["Hint 1: what to think about", "Hint 2: the formula and the shapes"]
    secret = [line for line in solution if line not in _norm(task)]   # what the task text does not give away
    for title, body in hints:
        leaked = [line for line in secret if line in _norm(body)]
        assert not leaked, f"{name}: {title} contains solution code {leaked}"


@needs_grader
@pytest.mark.parametrize("lesson,name,task,hints,solution", SECTIONS, ids=[s[1] for s in SECTIONS])
def test_the_fallback_hint_of_an_unknown_mistake_is_no_solution_code(lesson, name, task, hints, solution):
    for ex in (GRADER[name], EXERCISES[name]):
        leaked = [line for line in solution if line in _norm(ex.hint) and line not in _norm(task)]
        assert not leaked, f"{name}: the check's fallback hint gives the code {leaked}: {ex.hint!r}"


def test_an_unknown_mistake_gets_a_diagnosis_not_the_expected_array(capsys):
    # a wrong answer no known mistake explains: a factor n (the batch size) too large
    def mse_gradient(a, y):
        return (a - y) * 1.0 + 0 * a.shape[0]
    result, out = _check("mse_gradient", mse_gradient, capsys)
    assert "3 times too large, and 3 is the batch size" in out
    assert "finite differences" in out
    assert "expected: array" not in out, "the whole expected array is the answer: not shown"
    assert re.search(r"at \[0, 0\]: expected -0\.16666\d*, got -0\.5", out)

    def affine_backward(dZ, X, W):      # dX off by a constant: no known mistake
        return dZ @ W.T + 1.0, X.T @ dZ, dZ.sum(axis=0)
    result, out = _check("affine_backward", affine_backward, capsys)
    assert "off by the same amount, +1" in out and "expected: array" not in out
    assert "dX = dZ @ W.T" not in out and "X.T @ dZ" not in out


def test_expected_and_got_are_printed_with_enough_digits_to_differ(capsys):
    def fit_linear(X, y, learning_rate, epochs):   # off by 2e-5 relative: equal to four digits
        w, b = np.zeros(X.shape[1]), 0.0
        for _ in range(epochs):
            r = X @ w + b - y
            w = w - learning_rate * X.T @ r / len(X)
            b = b - learning_rate * r.mean()
        return w * (1 + 2e-5), b
    result, out = _check("fit_linear", fit_linear, capsys)
    assert not result.passed
    for a, b in re.findall(r"expected (\S+), got (\S+)", out):
        assert a != b, out


def test_updating_b_with_dw_is_named(capsys):
    def fit_linear(X, y, learning_rate, epochs):
        w, b = np.zeros(X.shape[1]), 0.0
        for _ in range(epochs):
            r = X @ w + b - y
            dw = X.T @ r / len(X)   # db = r.mean() is never computed: b moves by dw
            w, b = w - learning_rate * dw, b - learning_rate * dw
        return w, b
    result, out = _check("fit_linear", fit_linear, capsys)
    assert "b is updated with dw" in out and "w: wrong values" not in out, out


def test_xor_weights_in_rows_get_the_columns_hint(capsys):
    def xor_weights():
        return (np.array([[1.0, 1.0], [-1.0, -1.0]]), np.array([-0.5, 1.5]),
                np.array([[1.0], [1.0]]), np.array([-1.5]))
    _visible_fails("xor_weights", xor_weights, capsys, "rows of W1", "columns")


def test_a_nand_flipped_from_a_boundary_and_is_explained(capsys):
    def gate_weights(gate):   # AND with b = -2 is valid (z = 0 at (1, 1) fires); its flip is not NAND
        return {"and": (np.array([1.0, 1.0]), -2.0), "or": (np.array([1.0, 1.0]), -0.5),
                "nand": (np.array([-1.0, -1.0]), 2.0)}[gate]
    _visible_fails("gate_weights", gate_weights, capsys, "z is exactly 0", "strictly between")
    nb = nbformat.read(SOLUTIONS / "01_neuron.ipynb", as_version=4)
    task = next(c.source for c in nb.cells if _gid(c) == "task_gate_weights")
    assert "only if no row had $z = 0$" in task


def test_numerical_gradient_that_changes_x_is_told_so_without_speaking_of_w(capsys):
    def numerical_gradient(f, x, h):
        grad = np.zeros_like(x, dtype=float)
        for i in np.ndindex(x.shape):
            x[i] += h
            fp = f(x)
            x[i] -= 2 * h
            fm = f(x)
            grad[i] = (fp - fm) / (2 * h)
        return grad
    out = _visible_fails("numerical_gradient", numerical_gradient, capsys, "changed its input x in place")
    assert "w - eta" not in out and "Leave x as it is" in out


@needs_grader
def test_train_mnist_hints_agree_on_the_learning_rate():
    import inspect

    from nnlib.checks import verifiers
    nb = nbformat.read(SOLUTIONS / "09_mnist.ipynb", as_version=4)
    task = next(c.source for c in nb.cells if _gid(c) == "task_train_mnist")
    rates = set(re.findall(r"Momentum\(([\d.]+), ([\d.]+)\)", task + inspect.getsource(verifiers._verify_trained)))
    assert rates == {("0.1", "0.9")}, rates


@pytest.mark.parametrize("name,i", BUG_CASES, ids=[f"{n}-{BUGS[n][i][0]}" for n, i in BUG_CASES])
def test_every_known_mistake_already_fails_the_visible_cases(name, i):
    """A self-paced learner has no hidden cases: every failure the text warns about (every known
    mistake) must show up in the notebook's own check."""
    what, source, hint = BUGS[name][i]
    ns = _namespace(EXERCISES[name].lesson, replace={name: source})
    result = check(name, ns[name], quiet=True)
    assert not result.passed, f"{name} ({what}) passes the visible cases"


# ----------------------------------------------------------------------------- the same in the sandboxed grader
SANDBOX_BUGS = {   # set -> {exercise: (source, text the grader's feedback must contain)}
    "02_activations": {"sigmoid": ("def sigmoid(z):\n    return 1 / (1 + np.exp(-z))", "overflow")},
    "05_gradient_descent": {"minimize": (
        "def minimize(grad_f, x0, learning_rate, steps):\n    x = x0\n    for _ in range(steps):\n"
        "        x = x - learning_rate * grad_f(x)\n    return x", "returned its input x0 itself")},
    "07_training": {"train": (TRAIN_NEW_GENERATOR_EACH_EPOCH.split("def train(")[0].replace(
        "def minibatches", "def _unused_mb").replace("def train_epoch", "def _unused_te")
        + "def train(" + TRAIN_NEW_GENERATOR_EACH_EPOCH.split("def train(")[1], "same shuffle"),
        "minibatches": ("def minibatches(X, y, batch_size, rng):\n    idx = np.random.permutation(len(X))\n"
                        "    for s in range(0, len(X), batch_size):\n        part = idx[s:s + batch_size]\n"
                        "        yield X[part], y[part]", "not with np.random")},
    "08_training_better": {
        "dropout_forward": (DROPOUT.replace("SOURCE", "np.random.random(X.shape)"), "not from np.random"),
        "should_stop": ("def should_stop(val_losses, patience):\n"
                        "    best = len(val_losses) - 1 - int(np.argmin(val_losses[::-1]))\n"
                        "    return bool(len(val_losses) - 1 - best >= patience)", "equal to the best")},
    "09_mnist": {
        "build_mnist_model": ("def build_mnist_model(seed):\n    return Network([Dense(784, 64, 'relu'), "
                              "Dense(64, 10)], loss='softmax_cross_entropy', seed=seed)", "float32"),
        "train_mnist": ("def train_mnist(X_train, y_train):\n    model = build_mnist_model(0)\n"
                        "    model.fit(X_test, y_test, epochs=1, verbose=False)\n    return model",
                        "X_test, the test set")},
}


@needs_grader
def test_the_process_checks_hold_in_the_sandboxed_grader(tmp_path):
    import importlib.util
    import json
    import shutil
    import subprocess
    import sys
    if shutil.which("bwrap") is None:
        pytest.skip("bubblewrap is not installed")
    spec = importlib.util.spec_from_file_location("fair_fixtures", ROOT / "tests" / "submissions" / "fixtures.py")
    fixtures = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(fixtures)
    for lesson, bugs in SANDBOX_BUGS.items():
        replace = {name: source for name, (source, _) in bugs.items()}
        fixtures.write(fixtures.variant(lesson, replace=replace), tmp_path / "student" / f"{lesson}.ipynb")
    run = subprocess.run([sys.executable, "-m", "nnlib.grade", "--json", "-", "--details", str(tmp_path)],
                         capture_output=True, text=True, timeout=1200)
    assert run.returncode == 0, run.stderr[-3000:]
    report = json.loads(run.stdout[run.stdout.index("{"):])
    for nb in report["notebooks"]:
        bugs = SANDBOX_BUGS[nb["exercise_set"]]
        for e in nb["exercises"]:
            if e["exercise"] in bugs:
                text = bugs[e["exercise"]][1]
                assert e["earned"] == 0 and text in e["details"], (e["exercise"], e["details"])
            else:
                assert e["earned"] == e["points"], (e["exercise"], e["details"])


def test_silencing_numpy_does_not_hide_the_sigmoid_overflow(capsys):
    old = np.seterr(all="ignore")
    try:
        _visible_fails("sigmoid", lambda z: 1 / (1 + np.exp(-z)), capsys, "overflow")
    finally:
        np.seterr(**old)
