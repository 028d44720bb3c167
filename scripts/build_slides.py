"""`make slides`: one reveal.js deck per lesson in build/slides/, working offline.

Each lesson's cells carry slide metadata (slide / subslide / fragment / skip / notes);
nbconvert turns the executed lesson into a deck, and reveal.js and MathJax are copied
beside the decks. Open build/slides/index.html, or a deck in build/slides/notebooks/; press S for speaker notes.
"""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

from nbconvert import SlidesExporter

sys.path.insert(0, str(Path(__file__).resolve().parent))
import lessons_html as L  # noqa: E402


def build(out: Path, only=None) -> list[Path]:
    decks = out / "notebooks"  # the same layout as the repository, so the lessons' links work
    decks.mkdir(parents=True, exist_ok=True)
    assets = {k: "../_static/" + v for k, v in L.copy_vendor(out / "_static").items()}
    mathjax = "../_static/mathjax/" + L.copy_mathjax(out / "_static" / "mathjax")
    paths = [p for p in L.lessons() if not only or p.stem in only]
    executed = L.execute_all(paths)
    exporter = SlidesExporter(reveal_theme="white", reveal_transition="none", mathjax_url=mathjax,
                              **assets)
    written, items = [], []
    for path, nb in executed.items():
        L.check_no_errors(nb, path.name)
        body, _ = exporter.from_notebook_node(L.for_static_html(nb, ".slides.html"))
        target = decks / f"{path.stem}.slides.html"
        body = L.offline(body, path.name)
        target.write_text(body, encoding="utf-8")
        L.copy_link_targets(body, out)
        written.append(target)
        items.append(f'<li><a href="notebooks/{target.name}">{L.title_of(nb)}</a></li>')
    (out / "index.html").write_text(
        "<!doctype html><meta charset='utf-8'><title>Lecture decks</title>"
        "<h1>Neural networks from one neuron to MNIST: lecture decks</h1><ol start='0'>"
        + "".join(items) + "</ol><p>Arrow keys move, S opens speaker notes, F goes full screen.</p>",
        encoding="utf-8")
    return written


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--out", type=Path, default=L.BUILD / "slides")
    ap.add_argument("lessons", nargs="*", help="lesson names (e.g. 01_neuron); default all")
    args = ap.parse_args()
    for p in build(args.out, args.lessons):
        print(p.relative_to(Path.cwd()) if p.is_relative_to(Path.cwd()) else p)


if __name__ == "__main__":
    main()
