"""`make site`: a static HTML version of the executed lessons in build/site/, for reading first.

Every lesson is executed (figures included), exported with nbconvert's lab template, and
linked from an index page. MathJax is copied beside the pages, and what the lessons link to
(exercise notebooks, INSTRUCTORS.md) is copied too, so every link works offline. Open build/site/index.html.
"""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

from nbconvert import HTMLExporter

sys.path.insert(0, str(Path(__file__).resolve().parent))
import lessons_html as L  # noqa: E402


def build(out: Path, only=None) -> list[Path]:
    mathjax = "../_static/mathjax/" + L.copy_mathjax(out / "_static" / "mathjax")
    require_js = "../_static/" + L.copy_vendor(out / "_static")["require_js_url"]
    exporter = HTMLExporter(template_name="lab", mathjax_url=mathjax, require_js_url=require_js)
    written = L.write_pages(exporter, out, ".html", only)
    index = out / "index.html"
    index.write_text(
        "<!doctype html><html><head><meta charset='utf-8'><title>Neural networks from one neuron to MNIST"
        "</title><style>body{font-family:sans-serif;max-width:46em;margin:2em auto;line-height:1.5}"
        "</style></head><body><h1>Neural networks from one neuron to MNIST</h1>"
        "<p>The lessons, executed, with every figure. The widgets need a running kernel: "
        "open the notebooks in JupyterLab (<code>make lab</code>) to use them.</p><ol start='0'>"
        + L.index_items(written) + "</ol></body></html>", encoding="utf-8")
    return [index] + [page for page, _ in written]


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--out", type=Path, default=L.BUILD / "site")
    ap.add_argument("lessons", nargs="*", help="lesson names (e.g. 01_neuron); default all")
    args = ap.parse_args()
    for p in build(args.out, args.lessons):
        print(p)


if __name__ == "__main__":
    main()
