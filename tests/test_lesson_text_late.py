"""Lessons 6-10 read right: static checks on the committed notebooks (no execution; nbval runs them).

What is policed (issue 12, notebooks/LESSON_TEXT convention):

* no markdown cell holds a control character (a TAB where ``\\t`` of ``\\text`` was meant shows as
  "extstart" in MathJax);
* every cell has slide metadata, and the notebooks are committed with outputs stripped;
* every ``text-check`` cell holds only comments and asserts, says which text it keeps honest, and
  follows the code cell whose results it checks;
* no code cell validates on the test set (``validation_data=(X_test, ...)``): the lessons teach that
  choices are made on validation data;
* the markdown states no measured training time as a fixed number of seconds (times are printed);
* lesson 9's "at least 98.3 %" for its best network is asserted by a code cell.
"""
from __future__ import annotations

import ast
import json
import re
from pathlib import Path

import pytest

NOTEBOOKS = Path(__file__).resolve().parents[1] / "notebooks"
LATE = sorted(p for p in NOTEBOOKS.glob("*.ipynb") if 6 <= int(p.name[:2]) <= 10)
CONTROL = re.compile(r"[\x00-\x09\x0b-\x1f\x7f]")


def cells(path):
    return json.loads(path.read_text(encoding="utf-8"))["cells"]


def source(cell):
    return "".join(cell["source"])


def test_the_five_late_lessons_are_there():
    assert [p.name[:2] for p in LATE] == ["06", "07", "08", "09", "10"]


@pytest.mark.parametrize("path", LATE, ids=lambda p: p.name)
def test_no_control_characters_in_markdown(path):
    bad = [(i, repr(m.group())) for i, c in enumerate(cells(path)) if c["cell_type"] == "markdown"
           for m in CONTROL.finditer(source(c))]
    assert not bad, f"{path.name}: control characters in markdown cells (index, char): {bad}"


@pytest.mark.parametrize("path", LATE, ids=lambda p: p.name)
def test_slide_metadata_and_stripped_outputs(path):
    for i, c in enumerate(cells(path)):
        assert "slide_type" in c["metadata"].get("slideshow", {}), f"{path.name} cell {i}: no slide metadata"
        if c["cell_type"] == "code":
            assert c["outputs"] == [] and c["execution_count"] is None, f"{path.name} cell {i}: outputs not stripped"


def _only_comments_and_asserts(code):
    tree = ast.parse(code)
    return [type(node).__name__ for node in tree.body if not isinstance(node, ast.Assert)]


@pytest.mark.parametrize("path", LATE, ids=lambda p: p.name)
def test_text_check_cells_hold_only_comments_and_asserts(path):
    nb = cells(path)
    checks = [i for i, c in enumerate(nb) if "text-check" in c["metadata"].get("tags", [])]
    for i in checks:
        code = source(nb[i])
        assert code.lstrip().startswith("#") and "honest" in code.split("\n", 2)[0], \
            f"{path.name} cell {i}: a text-check starts with a comment saying which text it keeps honest"
        others = _only_comments_and_asserts(code)
        assert not others, f"{path.name} cell {i}: a text-check holds only comments and asserts, found {others}"
        assert nb[i - 1]["cell_type"] == "code", f"{path.name} cell {i}: a text-check follows the code it checks"


def test_the_later_lessons_have_text_checks():
    counts = {p.name: sum("text-check" in c["metadata"].get("tags", []) for c in cells(p)) for p in LATE}
    assert all(counts[name] >= 1 for name in counts if not name.startswith("06")), counts


@pytest.mark.parametrize("path", LATE, ids=lambda p: p.name)
def test_no_validation_on_the_test_set(path):
    for i, c in enumerate(cells(path)):
        if c["cell_type"] == "code":
            assert not re.search(r"validation_data\s*=\s*\(\s*X_test", source(c)), \
                f"{path.name} cell {i}: validates on the test set; hold out a validation split of the training set"


TIME = re.compile(r"\b\d+(?:\.\d+)?\s(?:s|sec|seconds)\b(?![-\w])")


@pytest.mark.parametrize("path", LATE, ids=lambda p: p.name)
def test_markdown_states_no_measured_seconds(path):
    for i, c in enumerate(cells(path)):
        if c["cell_type"] == "markdown":
            text = re.sub(r"```.*?```", "", source(c), flags=re.S)   # code listings may hold anything
            found = TIME.findall(text)
            assert not found, f"{path.name} cell {i}: states a time {found}; print the measured time instead"


def test_lesson9_best_accuracy_claim_is_asserted():
    nb = cells(NOTEBOOKS / "09_mnist.ipynb")
    assert any("98.3 %" in source(c) for c in nb if c["cell_type"] == "markdown")
    assert any(re.search(r"assert\s+best_accuracy\s*>=\s*0\.983\b", source(c)) for c in nb if c["cell_type"] == "code")
    assert any("best_seconds" in source(c) and "print" in source(c) for c in nb if c["cell_type"] == "code"), \
        "lesson 9 prints how long its best network trained"


def test_the_checks_would_catch_a_tab_and_a_stray_statement():
    # the policing itself must be able to fail
    assert CONTROL.search("$W_{\text{start}}$")
    assert _only_comments_and_asserts("# keeps honest\nx = 1\nassert x") == ["Assign"]
    assert TIME.findall("training took 5.5 s in all") == ["5.5 s"]
