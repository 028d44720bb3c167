"""`make slides` and `make site`: every lesson becomes an offline reveal.js deck and a static page.

Builds both into a temporary folder (lessons are executed once, in 2 kernels at a time) and
checks what a lecturer or reader would open: one deck per lesson with its slides, every local
asset present, nothing fetched from the network, figures and math in the pages.
"""
from __future__ import annotations

import re
import sys
from pathlib import Path
from urllib.parse import unquote, urlsplit

import pytest

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "scripts"))
import build_site  # noqa: E402
import build_slides  # noqa: E402
import lessons_html  # noqa: E402

LESSONS = lessons_html.lessons()
ATTR = re.compile(r"""<(script|link|img|a)\b[^>]*?\b(src|href)=["']([^"']*)["']""", re.I)


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    out = tmp_path_factory.mktemp("html")
    decks = build_slides.build(out / "slides")
    pages = build_site.build(out / "site")
    return out, decks, pages


def _local_refs(html: str):
    for tag, _, url in ATTR.findall(html):
        if not url or url.startswith(("#", "data:", "mailto:")):
            continue
        yield tag.lower(), url


def _assert_offline_and_complete(page: Path):
    html = page.read_text(encoding="utf-8")
    for tag, url in _local_refs(html):
        assert not re.match(r"(https?:)?//", url) or tag == "a", f"{page.name} loads {url} from the network"
        if tag == "a" and re.match(r"[a-z]+:", url):
            continue  # an ordinary link to a web page is fine
        target = (page.parent / unquote(urlsplit(url).path)).resolve()
        assert target.exists(), f"{page.name} refers to {url}, which is missing"
    return html


def test_one_offline_deck_per_lesson(built):
    out, decks, _ = built
    assert [d.name for d in decks] == [f"{p.stem}.slides.html" for p in LESSONS]
    for deck, lesson in zip(decks, LESSONS):
        html = _assert_offline_and_complete(deck)
        nb = lessons_html.nbformat.read(lesson, as_version=4)
        slides = sum(c.metadata.get("slideshow", {}).get("slide_type") == "slide" for c in nb.cells)
        assert slides >= 5 and html.count("<section") >= slides, f"{deck.name}: {slides} slides expected"
        assert "Reveal.initialize" in html
        assert "Traceback (most recent call last)" not in html
    index = _assert_offline_and_complete(out / "slides" / "index.html")
    assert all(f"notebooks/{d.name}" in index for d in decks)


MEASURE_SLIDE = """() => {
    const s = document.querySelector('.reveal .slides > section.present > section.present');
    const screen = document.querySelector('.reveal .slides').offsetHeight;
    const scrolls = el => ['auto', 'scroll'].includes(getComputedStyle(el).overflowX);
    const first = t => t.trim().split(String.fromCharCode(10))[0].slice(0, 60);
    const code = [...s.querySelectorAll('pre')].filter(p => p.scrollWidth > p.clientWidth + 1);
    const math = [...s.querySelectorAll('.MathJax_Display')]
      .filter(m => m.scrollWidth > m.clientWidth + 1 && !scrolls(m));
    const tall = s.scrollHeight > screen + 1;
    const scrollsDown = ['auto', 'scroll'].includes(getComputedStyle(s).overflowY) && s.clientHeight <= screen + 1;
    return {wide: code.concat(math).map(e => first(e.textContent)), cut: tall && !scrollsDown};
}"""


def test_deck_slides_fit_the_screen(built, chromium):
    """As projected: no code line runs off a slide's right edge, an equation wider than the slide
    scrolls sideways, and a slide taller than the screen scrolls instead of being cut off.
    Every slide of every deck, shown one by one in a real browser as a lecturer would."""
    _, decks, _ = built
    page = chromium.new_page(viewport={"width": 1280, "height": 800})
    try:
        for deck in decks:
            page.goto(deck.as_uri())
            page.wait_for_function("document.querySelector('.reveal.ready') !== null", timeout=30_000)
            # the deck's own script cuts too-tall slides into continuation slides: measure those
            page.wait_for_function("document.documentElement.dataset.slidesFitted === 'true'", timeout=60_000)
            shape = page.evaluate("[...document.querySelectorAll('.reveal .slides > section')]"
                                  ".map(h => h.querySelectorAll(':scope > section').length)")
            assert sum(shape) >= 5, f"{deck.name}: only {sum(shape)} slides laid out"
            for h, n in enumerate(shape):
                for v in range(n):
                    page.goto(f"{deck.as_uri()}#/{h}/{v}")  # reveal.js follows the address
                    page.wait_for_function(f"document.querySelector('.reveal .slides > section:nth-child({h + 1})"
                                           f" > section:nth-child({v + 1})').classList.contains('present')")
                    # reveal.js asks MathJax to typeset the new slide's math again: let it finish
                    page.wait_for_timeout(250)
                    page.evaluate("() => new Promise(done => MathJax.Hub.Queue(done))")
                    problems = page.evaluate(MEASURE_SLIDE)
                    where = f"{deck.name}, slide {h}/{v}"
                    assert not problems["wide"], f"{where} runs off the right edge: {problems['wide']}"
                    assert not problems["cut"], f"{where} is taller than the screen and cannot scroll"
    finally:
        page.close()


def test_static_site_has_every_lesson_with_figures_and_math(built):
    out, _, pages = built
    index = _assert_offline_and_complete(pages[0])
    lesson_pages = pages[1:]
    assert len(lesson_pages) == len(LESSONS)
    for page in lesson_pages:
        assert f"notebooks/{page.name}" in index
        html = _assert_offline_and_complete(page)
        assert html.count("data:image/png;base64") >= 1, f"{page.name} has no figure"
        assert "MathJax.js" in html
        assert "Traceback (most recent call last)" not in html
        assert "application/vnd.jupyter.widget-view+json" not in html
        assert lessons_html.WIDGET_NOTE in html, f"{page.name}: the widget's place should say how to use it"
