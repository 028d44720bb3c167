"""`make slides`: one reveal.js deck per lesson in build/slides/, working offline.

Each lesson's cells carry slide metadata (slide / subslide / fragment / skip / notes), set by
scripts/lecture_layout.py from estimated heights; nbconvert turns the executed lesson into a
deck, and reveal.js and MathJax are copied beside the decks. Estimates miss, so each deck also
carries scripts/fit_slides.js, inline: when the deck opens, the browser measures every slide's real
height and cuts a slide taller than the screen into continuation slides (between cells first,
then inside a cell), so that every slide fits a 1280x720 screen (tests/test_browser_slides.py).
Open build/slides/index.html, or a deck in build/slides/notebooks/; press S for speaker notes.
"""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

from nbconvert import SlidesExporter
from nbconvert.preprocessors import TagRemovePreprocessor

sys.path.insert(0, str(Path(__file__).resolve().parent))
import lessons_html as L  # noqa: E402
from lecture_layout import HIDE_TAG  # noqa: E402

# Long code lines wrap instead of running off the slide's right edge (in a table's cells too: a
# table of lesson 10 was twice the slide's width), output text wraps at spaces, a wide equation
# scrolls sideways, and a slide still taller than the screen scrolls (a safety net: FIT_SLIDES cuts
# every slide to fit; nbconvert's reveal_scroll is off, it would act only after the first slide
# change). While FIT_SLIDES measures, every slide is laid out at once ("fitting-slides").
# Text 22 px and code 17 px in reveal's 960x700 units (about 1.03x that on a 1280x720 screen),
# figures at most 440 px high: the sizes scripts/lecture_layout.py lays the slides out for.
SLIDE_CSS = """<style>
.reveal .jp-RenderedHTMLCommon, .reveal .jp-RenderedHTMLCommon p, .reveal .jp-RenderedHTMLCommon li,
.reveal .jp-RenderedHTMLCommon td, .reveal .jp-RenderedHTMLCommon th { font-size: 22px; line-height: 1.4; }
.reveal .jp-RenderedHTMLCommon h1 { font-size: 40px; }
.reveal .jp-RenderedHTMLCommon h2 { font-size: 34px; }
.reveal .jp-RenderedHTMLCommon h3 { font-size: 28px; }
.reveal .jp-RenderedHTMLCommon h4 { font-size: 24px; }
.reveal .jp-InputArea pre, .reveal .jp-InputArea .highlight pre { font-size: 17px; line-height: 1.35; }
.reveal .jp-OutputArea-output pre { font-size: 16px; line-height: 1.35; }
.reveal .jp-InputPrompt, .reveal .jp-OutputPrompt { display: none; }
.reveal .jp-OutputArea-output img { max-height: 440px; max-width: 100%; width: auto; height: auto; }
.reveal pre, .reveal pre code { white-space: pre-wrap; word-break: normal; overflow-wrap: break-word; }
.reveal .slides > section > section { max-height: 100%; overflow-y: auto; }
.reveal .MathJax_Display { overflow-x: auto; overflow-y: hidden; }
.reveal .jp-RenderedHTMLCommon td code { overflow-wrap: anywhere; }
.reveal.fitting-slides .slides > section,
.reveal.fitting-slides .slides > section > section { display: block !important; }
</style>
"""
# Cuts every slide taller than the deck into continuation slides, in the browser, once the real
# heights are known (see the file's header); inline, so a deck still works from disk with no network.
FIT_SLIDES = Path(__file__).resolve().parent / "fit_slides.js"


def fit_slides_script(reveal_js: str) -> str:
    """The <script> that fits the slides; ``reveal_js`` is reveal.js's path as the deck's require() loads it."""
    return f'<script data-reveal="{reveal_js}">\n{FIT_SLIDES.read_text(encoding="utf-8")}</script>\n'


def build(out: Path, only=None) -> list[Path]:
    assets = {k: "../_static/" + v for k, v in L.copy_vendor(out / "_static").items()}
    mathjax = "../_static/mathjax/" + L.copy_mathjax(out / "_static" / "mathjax")
    exporter = SlidesExporter(reveal_theme="white", reveal_transition="none", mathjax_url=mathjax,
                              reveal_scroll=False, **assets)
    # drawing code (tagged by scripts/lecture_layout.py) shows only its figure on a slide
    exporter.register_preprocessor(TagRemovePreprocessor(remove_input_tags={HIDE_TAG}, enabled=True),
                                   enabled=True)
    written = L.write_pages(exporter, out, ".slides.html", only)
    fit = fit_slides_script(assets["reveal_url_prefix"] + "/dist/reveal.js")
    for page, _ in written:
        html = page.read_text(encoding="utf-8").replace("</head>", SLIDE_CSS + "</head>", 1)
        head, tail = html.rsplit("</html>", 1)
        page.write_text(head + fit + "</html>" + tail, encoding="utf-8")
    (out / "index.html").write_text(
        "<!doctype html><meta charset='utf-8'><title>Lecture decks</title>"
        "<h1>Neural networks from one neuron to MNIST: lecture decks</h1><ol start='0'>"
        + L.index_items(written) + "</ol><p>Arrow keys move, S opens speaker notes, F goes full screen.</p>",
        encoding="utf-8")
    return [page for page, _ in written]


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--out", type=Path, default=L.BUILD / "slides")
    ap.add_argument("lessons", nargs="*", help="lesson names (e.g. 01_neuron); default all")
    args = ap.parse_args()
    for p in build(args.out, args.lessons):
        print(p.relative_to(Path.cwd()) if p.is_relative_to(Path.cwd()) else p)


if __name__ == "__main__":
    main()
