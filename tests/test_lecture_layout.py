"""scripts/lecture_layout.py: the lessons stay in lecture layout, and its rules do what they say."""
from __future__ import annotations

import copy
import json
import subprocess
import sys
from pathlib import Path

import nbformat

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "scripts"))
import lecture_layout as LL  # noqa: E402


def test_lessons_are_in_lecture_layout():
    """`--check` changes nothing and fails listing what would change (it executes the lessons once,
    cached in build/executed/)."""
    run = subprocess.run([sys.executable, str(ROOT / "scripts" / "lecture_layout.py"), "--check"],
                         cwd=ROOT, capture_output=True, text=True)
    assert run.returncode == 0, (f"the lessons are out of lecture layout: run "
                                 f"`python scripts/lecture_layout.py`\n{run.stdout}\n{run.stderr[-3000:]}")


def test_every_lesson_has_speaker_notes_and_rise_metadata():
    notes = json.loads(LL.NOTES_FILE.read_text(encoding="utf-8"))
    for path in sorted((ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb")):
        nb = nbformat.read(path, as_version=4)
        cells = [c for c in nb.cells if LL.slide_type(c) == "notes"]
        assert len(cells) >= 3, f"{path.name}: {len(cells)} speaker notes"
        assert all(len(c.source.split()) >= 15 for c in cells), f"{path.name}: a note too short to help"
        assert len(notes[path.stem]) == len(cells)
        assert nb.metadata["rise"]["scroll"] is True
        assert all(not c.get("outputs") for c in nb.cells if c.cell_type == "code"), f"{path.name}: outputs"
    css = (ROOT / "notebooks" / "rise.css").read_text()
    assert "font-size: 24px" in css


def _nb(*cells):
    nb = nbformat.v4.new_notebook()
    nb.cells = list(cells)
    for i, c in enumerate(nb.cells):
        c.id = f"c{i}"
    return nb


def test_rules_are_idempotent_and_touch_only_slide_metadata():
    md = nbformat.v4.new_markdown_cell
    code = nbformat.v4.new_code_cell
    setup = code("%matplotlib inline\nimport numpy as np\nfrom nnlib import (Dense,\n    Network)\n"
                 "rng = np.random.default_rng(0)")
    drawing = code("# Drawing code for the diagram below (you can skip it).\nfig = 1")
    long_run = [md("## Title"), setup, drawing] + [md("line of text " * 6 + "\n" * 2) for _ in range(60)]
    long_run[0].metadata["slideshow"] = {"slide_type": "slide"}
    nb = _nb(*long_run)
    sources = [c.source for c in nb.cells]
    problems = LL.layout(nb, None, {"c0": "Say this first, then ask the room what they expect to see."}, "t")
    assert problems == []
    assert nb.cells[1].id == "notes-c0" and LL.slide_type(nb.cells[1]) == "notes"
    assert LL.slide_type(nb.cells[2]) == "skip"
    assert LL.HIDE_TAG in nb.cells[3].metadata["tags"]
    split = [c for c in nb.cells if LL.slide_type(c) == "subslide"]
    assert split, "a run of 60 paragraphs must be split into subslides"
    assert all(c.metadata["lecture_layout"]["slide_type_before"] == "-" for c in split)
    assert [c.source for c in nb.cells if c.id != "notes-c0"] == sources
    again = copy.deepcopy(nb)
    LL.layout(again, None, {"c0": "Say this first, then ask the room what they expect to see."}, "t")
    assert again == nb, "a second run must change nothing"


def test_a_note_whose_anchor_vanished_is_reported_not_dropped():
    nb = _nb(nbformat.v4.new_markdown_cell("## A"), nbformat.v4.new_markdown_cell("## B"))
    LL.layout(nb, None, {"c1": "A note for B that is long enough to be useful in class."}, "t")
    nb.cells = [c for c in nb.cells if c.id != "c1"]  # the lesson's author deleted cell B
    problems = LL.layout(nb, None, {"c1": "A note for B that is long enough to be useful in class."}, "t")
    assert any("c1" in p and "gone" in p for p in problems), problems
    assert any(c.id == "notes-c1" for c in nb.cells), "the note cell must be kept"


def test_a_single_too_tall_markdown_cell_is_reported():
    nb = _nb(nbformat.v4.new_markdown_cell("## Long\n\n" + "word " * 3000))
    problems = LL.layout(nb, None, {}, "t")
    assert any("c0" in p and "split it" in p for p in problems), problems
