"""Lay the lessons out as lecture slides: rewrites only slide metadata of notebooks/*.ipynb.

    python scripts/lecture_layout.py           rewrite the lessons (idempotent)
    python scripts/lecture_layout.py --check   exit 1 and list what would change

Rules (applied to every cell, so new or changed cells are laid out too):

1. Set-up cells (code cells whose every line is an import, a ``%`` magic or a comment) are
   ``skip``: not on a slide.
2. Drawing code (a code cell whose first line is a comment saying "drawing code", or a cell
   with a figure whose lines are mostly matplotlib calls) gets the tag ``slides-hide-input``:
   build_slides.py removes its input (nbconvert's TagRemovePreprocessor), the figure stays.
3. Heights are estimated in reveal.js pixels (the static deck is 960x700, about 1280x720 on
   screen) from markdown lines, code lines, printed lines and the figures' sizes in the
   executed lesson (scripts/lessons_html.py executes it once and caches it in build/executed/).
   A run of cells taller than the slide is split: the cell that would overflow starts a
   ``subslide``. A single cell taller than a slide is reported by id (split it by hand).
   The author's slide type is kept in ``metadata.lecture_layout.slide_type_before``, so a rerun
   starts from the author's layout and the result does not depend on earlier runs.
4. Speaker notes come from scripts/speaker_notes.json: {lesson: {anchor cell id: note}}. Each
   note becomes a markdown cell of slide type ``notes`` (id ``notes-<anchor>``) right after its
   anchor. A note whose anchor is gone is reported (and ``--check`` fails); its cell stays.
5. Notebook metadata ``rise`` (jupyterlab-rise): full-window deck, scrolling, no centring;
   notebooks/rise.css (which jupyterlab-rise loads next to the notebook) sets the fonts.

Sources of other cells and outputs are never touched; cell ids stay as they are.
"""
from __future__ import annotations

import argparse
import base64
import copy
import json
import math
import re
import struct
import sys
from pathlib import Path

import nbformat

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
import lessons_html as L  # noqa: E402

NOTES_FILE = HERE / "speaker_notes.json"
RISE_CSS = L.LESSONS_DIR / "rise.css"
HIDE_TAG = "slides-hide-input"
SLIDE_H = 700          # reveal.js height of the static decks (nbconvert's default), in its px
BUDGET = SLIDE_H - 40  # reveal's own padding
TEXT_LINE, TEXT_CHARS = 31, 80   # 22 px body text (build_slides.py's CSS), line height 1.4
CODE_LINE, CODE_CHARS = 24, 90   # 17 px code
OUT_LINE = 22
FIG_MAX_W, FIG_MAX_H = 900, 440  # build_slides.py caps figures at 440 px high
WIDGET_NOTE_H = 80

RISE = {"width": "100%", "height": "100%", "scroll": True, "center": False, "theme": "simple",
        "transition": "none", "start_slideshow_at": "beginning", "controls": True,
        "progress": True, "slideNumber": True}

RISE_CSS_TEXT = """/* Live slides (jupyterlab-rise loads this file, next to the notebooks): readable from the back
   of a room at 1280x720. Written by scripts/lecture_layout.py; edit it there. */
.reveal .jp-RenderedHTMLCommon, .reveal .jp-RenderedHTMLCommon p, .reveal .jp-RenderedHTMLCommon li,
.reveal .jp-RenderedHTMLCommon td, .reveal .jp-RenderedHTMLCommon th { font-size: 24px; line-height: 1.4; }
.reveal .jp-RenderedHTMLCommon h1 { font-size: 44px; }
.reveal .jp-RenderedHTMLCommon h2 { font-size: 36px; }
.reveal .jp-RenderedHTMLCommon h3 { font-size: 30px; }
.reveal .jp-RenderedHTMLCommon h4 { font-size: 26px; }
.reveal .jp-CodeCell .cm-editor, .reveal .jp-CodeCell .cm-content, .reveal .jp-CodeCell .cm-line
  { font-size: 20px; line-height: 1.35; }
.reveal .jp-OutputArea-output pre, .reveal .jp-OutputArea-output { font-size: 19px; }
.reveal .jp-OutputArea-output img { max-height: 75vh; width: auto; }
.reveal .jp-RenderedHTMLCommon code { font-size: 0.9em; }
"""


def slide_type(cell) -> str:
    return cell.metadata.get("slideshow", {}).get("slide_type", "-")


def set_slide_type(cell, new: str, before: str):
    """Set the slide type, remembering the author's (``before``) when it differs."""
    if new == before:
        if "lecture_layout" in cell.metadata:  # undo an earlier run's change
            del cell.metadata["lecture_layout"]
            cell.metadata.setdefault("slideshow", {})["slide_type"] = before
        return
    cell.metadata["lecture_layout"] = {"slide_type_before": before}
    cell.metadata.setdefault("slideshow", {})["slide_type"] = new


def author_type(cell) -> str:
    return cell.metadata.get("lecture_layout", {}).get("slide_type_before", slide_type(cell))


# besides imports, a set-up cell may seed the lesson's random numbers and set print options
_SETUP_EXTRA = re.compile(r"(rng\s*=\s*np\.random\.default_rng\(\d*\)|np\.random\.seed\(\d+\)|np\.set_printoptions\(.*\)|"  # noqa: E501
                          r"plt\.rcParams(\.update\(|\[).*|warnings\.\w+\(.*\))\s*(#.*)?$")


def is_setup(cell) -> bool:
    lines = [ln for ln in cell.source.splitlines() if ln.strip()]
    if cell.cell_type != "code" or not lines:
        return False
    code = [ln for ln in lines if not ln.strip().startswith("#")]
    if not code or not any(re.match(r"\s*(import|from|%)\b", ln) for ln in code):
        return False
    inside = False  # continuation lines of "from x import (a,\n b)"
    for ln in code:
        s = ln.strip()
        if inside:
            inside = not s.endswith(")")
            continue
        if re.match(r"(import\s|from\s+\S+\s+import\s|%)", s) or _SETUP_EXTRA.match(s):
            inside = "(" in s and ")" not in s
            continue
        return False
    return True


_PLOT = re.compile(r"\b(plt|ax|axes|fig|axs|ax\d|cax)\b[\.\[]|\bfor\b.*\b(ax|axes)\b|\bFigure\(")


def is_drawing_code(cell, outputs) -> bool:
    if cell.cell_type != "code":
        return False
    lines = [ln for ln in cell.source.splitlines() if ln.strip()]
    if lines and re.match(r"\s*#.*drawing code", lines[0], re.I):
        return True
    has_figure = any("image/png" in o.get("data", {}) for o in outputs)
    code = [ln for ln in lines if not ln.strip().startswith("#")]
    return has_figure and len(code) >= 6 and sum(bool(_PLOT.search(ln)) for ln in code) >= 0.6 * len(code)


def _png_size(b64: str) -> tuple[int, int]:
    head = base64.b64decode(b64[:64])
    return struct.unpack(">II", head[16:24])


def _text_height(text: str, chars: int, line: int) -> int:
    return sum(max(1, math.ceil(len(ln) / chars)) for ln in text.splitlines()) * line


def markdown_height(src: str) -> int:
    h, in_details, in_math = 0, False, False
    for ln in src.splitlines():
        s = ln.strip()
        if "<details" in s:
            in_details = True
            h += TEXT_LINE  # the "Answer" summary line; the rest is folded away
        if in_details:
            in_details = "</details>" not in s
            continue
        if s.startswith("$$") and s.count("$$") >= 2 and len(s) > 2:
            h += 56  # one-line display equation
            continue
        if s.startswith("$$") or (in_math and s.endswith("$$")):
            in_math = not in_math
            h += 26
            continue
        if in_math:
            h += 30
            continue
        if not s:
            h += 12
        elif s.startswith("# "):
            h += 70
        elif s.startswith("## "):
            h += 58
        elif s.startswith("###"):
            h += 46
        elif s.startswith("|"):
            h += 0 if set(s) <= set("|-: ") else 6 + 34 * max(1, math.ceil(len(s) / 70))  # cells wrap
        else:
            h += _text_height(s, TEXT_CHARS, TEXT_LINE)
    return int(0.9 * h) + 20  # 0.9: measured against the built decks (median estimate/actual)


def output_height(out) -> int:
    data = out.get("data", {})
    if L.WIDGET_MIME in data:
        return WIDGET_NOTE_H
    if "image/png" in data:
        w, h = _png_size(data["image/png"])
        meta = out.get("metadata", {}).get("image/png", {})
        w, h = meta.get("width", w), meta.get("height", h)
        if w > FIG_MAX_W:
            w, h = FIG_MAX_W, h * FIG_MAX_W / w
        return int(min(h, FIG_MAX_H)) + 10
    if out.get("output_type") == "stream":
        return _text_height(out.get("text", ""), CODE_CHARS, OUT_LINE) + 8
    if "text/html" in data:
        html = data["text/html"]
        return 40 + 36 * html.count("<tr") + 22 * html.count("<br")
    if "text/plain" in data:
        return _text_height(data["text/plain"], CODE_CHARS, OUT_LINE) + 8
    return 0


def cell_height(cell, outputs, hidden_input: bool) -> int:
    if cell.cell_type == "markdown":
        return markdown_height(cell.source)
    h = 0 if hidden_input else _text_height(cell.source, CODE_CHARS, CODE_LINE) + 30
    h = int(1.1 * h)  # measured against the built decks
    return h + int(1.1 * sum(output_height(o) for o in outputs))


def layout(nb, executed, notes: dict, lesson: str) -> list[str]:
    """Lay ``nb`` out in place; returns problems to report (too-tall cells, lost anchors)."""
    problems = []
    outputs = {c.get("id"): c.get("outputs", []) for c in (executed.cells if executed else [])}
    # speaker notes: drop the tool's notes cells, insert them again from the data file
    anchors = {c.id for c in nb.cells}
    kept = []
    for c in nb.cells:
        if c.metadata.get("lecture_layout", {}).get("note_for") is not None:
            anchor = c.metadata["lecture_layout"]["note_for"]
            if anchor in anchors and anchor in notes:
                continue
            problems.append(f"{lesson}: the note {c.id} follows cell {anchor}, which is gone or has no "
                            "note in speaker_notes.json: the note cell is kept; move it or delete it")
        kept.append(c)
    for anchor in notes:
        if anchor not in anchors:
            problems.append(f"{lesson}: speaker_notes.json has a note for cell {anchor}, which is not in the lesson")
    cells = []
    for c in kept:
        cells.append(c)
        if c.id in notes and c.metadata.get("lecture_layout", {}).get("note_for") is None:
            note = nbformat.v4.new_markdown_cell(notes[c.id])
            note.id = f"notes-{c.id}"[:64]
            note.metadata = {"slideshow": {"slide_type": "notes"}, "lecture_layout": {"note_for": c.id}}
            cells.append(note)
    nb.cells = cells

    group, group_id = 0, None
    for c in nb.cells:
        if c.metadata.get("lecture_layout", {}).get("note_for") is not None:
            continue
        before = author_type(c)
        tags = c.metadata.get("tags", [])
        outs = outputs.get(c.id, [])
        if before == "skip" or before == "notes" or "text-check" in tags:
            set_slide_type(c, before, before)
            continue
        if is_setup(c):
            set_slide_type(c, "skip", before)
            continue
        hide = is_drawing_code(c, outs)
        tags = [t for t in tags if t != HIDE_TAG] + ([HIDE_TAG] if hide else [])
        if tags:
            c.metadata["tags"] = tags
        else:
            c.metadata.pop("tags", None)
        h = cell_height(c, outs, hide)
        new = before
        if before in ("slide", "subslide") or group_id is None:
            group = h
        elif group + h > BUDGET:
            new, group = "subslide", h
        else:
            group += h
        if new != before or before in ("slide", "subslide"):
            group_id = c.id
        if h > BUDGET:
            what = "markdown cell: split it into two cells" if c.cell_type == "markdown" else \
                "code cell (input and output)"
            problems.append(f"{lesson}: cell {c.id} alone is about {h / SLIDE_H:.1f} slides tall ({what})")
        set_slide_type(c, new, before)
    nb.metadata["rise"] = dict(RISE)
    return problems


def run(check: bool) -> int:
    notes_all = json.loads(NOTES_FILE.read_text(encoding="utf-8"))
    changed, problems = [], []
    paths = L.lessons()
    executed = L.execute_all(paths)
    for path in paths:
        text = path.read_text(encoding="utf-8")
        nb = nbformat.reads(text, as_version=4)
        original = copy.deepcopy(nb)
        problems += layout(nb, executed[path], notes_all.get(path.stem, {}), path.stem)
        if len(notes_all.get(path.stem, {})) < 3:
            problems.append(f"{path.stem}: fewer than 3 speaker notes in speaker_notes.json")
        if nb != original:
            changed.append(f"{path.name}: " + describe(original, nb))
            if not check:
                nbformat.write(nb, path)
    if not RISE_CSS.exists() or RISE_CSS.read_text(encoding="utf-8") != RISE_CSS_TEXT:
        changed.append(f"{RISE_CSS.relative_to(L.ROOT)}: would be (re)written")
        if not check:
            RISE_CSS.write_text(RISE_CSS_TEXT, encoding="utf-8")
    for p in problems:
        print("NOTE:", p, file=sys.stderr)
    if check:
        for c in changed:
            print("would change", c)
        lost = [p for p in problems if "gone" in p or "not in the lesson" in p or "fewer than" in p]
        return 1 if changed or lost else 0
    for c in changed:
        print("laid out", c)
    return 0


def describe(old, new) -> str:
    o = {c.id: c for c in old.cells}
    parts = []
    for c in new.cells:
        if c.id not in o:
            parts.append(f"+{c.id}")
        elif o[c.id].metadata != c.metadata:
            parts.append(f"{c.id}:{slide_type(o[c.id])}->{slide_type(c)}")
    gone = set(o) - {c.id for c in new.cells}
    parts += [f"-{i}" for i in sorted(gone)]
    if old.metadata != new.metadata:
        parts.append("metadata.rise")
    return ", ".join(parts[:12]) + (f" (+{len(parts) - 12} more)" if len(parts) > 12 else "")


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--check", action="store_true", help="change nothing; exit 1 listing what would change")
    sys.exit(run(ap.parse_args().check))


if __name__ == "__main__":
    main()
