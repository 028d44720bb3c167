"""The library is for reading (issue 14): short core functions, the lessons' formulas in the
code, and every public module saying what it exports."""
from __future__ import annotations

import ast
import importlib
import inspect
from pathlib import Path

import pytest

NNLIB = Path(__file__).resolve().parent.parent / "nnlib"
CORE = ["neuron", "activations", "costs", "layers", "network", "optimizers", "initializers"]
PUBLIC = CORE + ["validation", "metrics", "gradient_check", "datasets", "progress"]
MAX_LINES = 45


def function_lengths(module):
    """``{qualified name: lines from def to its last line, docstring included}``."""
    tree = ast.parse((NNLIB / f"{module}.py").read_text())
    lengths = {}

    def visit(node, prefix):
        for child in ast.iter_child_nodes(node):
            if isinstance(child, (ast.FunctionDef, ast.AsyncFunctionDef)):
                lengths[f"{prefix}{child.name}"] = child.end_lineno - child.lineno + 1
                visit(child, f"{prefix}{child.name}.")
            elif isinstance(child, ast.ClassDef):
                visit(child, f"{prefix}{child.name}.")
    visit(tree, "")
    return lengths


@pytest.mark.parametrize("module", CORE)
def test_no_core_function_is_longer_than_45_lines(module):
    lengths = function_lengths(module)
    assert lengths, module
    too_long = {name: n for name, n in lengths.items() if n > MAX_LINES}
    assert not too_long, f"{module}: {too_long}"


def test_the_measure_itself_counts_lines():
    lengths = function_lengths("network")
    assert 20 < lengths["Network.fit"] <= MAX_LINES
    assert lengths["Network.forward"] < 10


@pytest.mark.parametrize("module", PUBLIC)
def test_every_public_module_declares_what_it_exports(module):
    mod = importlib.import_module(f"nnlib.{module}")
    assert isinstance(mod.__all__, list) and mod.__all__
    for name in mod.__all__:
        assert hasattr(mod, name), f"nnlib.{module}.__all__ names {name}, which does not exist"
    defined = {name for name, obj in vars(mod).items()
               if not name.startswith("_") and (inspect.isfunction(obj) or inspect.isclass(obj))
               and getattr(obj, "__module__", None) == mod.__name__}
    assert defined <= set(mod.__all__), f"public but not exported: {sorted(defined - set(mod.__all__))}"


def test_dense_backward_is_the_four_equations():
    source = inspect.getsource(importlib.import_module("nnlib.layers").Dense.backward)
    for line in ("delta = self.activation.backward(dout, Z, A)", 'self.grads["W"] = X.T @ delta',
                 'self.grads["b"] = delta.sum(axis=0)', "return delta @ self.W.T"):
        assert line in source
    assert "out=" not in source


@pytest.mark.parametrize("name", ["SGD", "Momentum", "Adam"])
def test_optimizers_have_no_out_plumbing_or_scratch_arrays(name):
    source = inspect.getsource(getattr(importlib.import_module("nnlib.optimizers"), name))
    assert "out=" not in source and "_work" not in source and "scratch" not in source


def test_adam_is_the_lessons_formula():
    source = inspect.getsource(importlib.import_module("nnlib.optimizers").Adam.update)
    for line in ("m_hat = m / (1 - b1 ** t)", "v_hat = v / (1 - b2 ** t)",
                 "param -= self.learning_rate * m_hat / (np.sqrt(v_hat) + self.epsilon)"):
        assert line in source


def test_the_lazy_modules_still_load():
    import nnlib
    for name in nnlib._LAZY:
        assert getattr(nnlib, name).__name__ == f"nnlib.{name}"


def test_the_package_exports_exist():
    import nnlib
    for name in nnlib.__all__:
        assert hasattr(nnlib, name), name
