"""The lecture as a lecturer projects it, in Debian's Chromium at 1280x720 (never a downloaded browser).

(a) Static decks (scripts/build_slides.py, the lessons executed once, cached in build/executed/):
    each deck cuts its too-tall slides into continuation slides in the browser once it knows their
    real heights (scripts/fit_slides.js); then every slide of every deck is visited and its content
    height is compared with the screen.
(b) Live slides (jupyterlab-rise in JupyterLab): a lesson enters the slideshow with Alt-R; body
    text must be at least 22 px and code at least 18 px, and a slide taller than the screen scrolls
    with the mouse wheel.

Figures are printed (run pytest with -s to see them); screenshots go to artifacts/browser/.
The JupyterLab server and the Chromium fixture come from tests/test_browser.py and conftest.py.
"""
from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

import pytest
from test_browser import ARTIFACTS, ROOT, accept_kernel_dialog, lab, open_lesson, panel  # noqa: F401

SCREEN = {"width": 1280, "height": 720}
DECKS = ROOT / "build" / "slides-test"
MIN_BODY_PX, MIN_CODE_PX = 22, 18

def deck_heights(page, deck: Path) -> list[dict]:
    """Visit every slide of a static deck as a lecturer would (reveal.js follows the address), once
    the deck has fitted its slides; returns one record per slide: its content height and the
    slide's height, in reveal's px, and whether it is a continuation slide the fitting made."""
    page.goto(deck.as_uri())
    page.wait_for_function("document.querySelector('.reveal.ready') !== null", timeout=30_000)
    # the deck cuts its too-tall slides into continuation slides once its real heights are known
    page.wait_for_function("document.documentElement.dataset.slidesFitted === 'true'", timeout=60_000)
    shape = page.evaluate("[...document.querySelectorAll('.reveal .slides > section')]"
                          ".map(h => h.querySelectorAll(':scope > section').length)")
    records = []
    for h, n in enumerate(shape):
        for v in range(n):
            page.evaluate(f"location.hash = '#/{h}/{v}'")
            page.wait_for_function(f"document.querySelector('.reveal .slides > section:nth-child({h + 1})"
                                   f" > section:nth-child({v + 1})').classList.contains('present')")
            page.wait_for_timeout(150)
            page.evaluate("() => new Promise(done => MathJax.Hub.Queue(done))")  # math typeset again
            records.append(page.evaluate("""() => {
                const s = document.querySelector('.reveal .slides > section.present > section.present');
                return {content: s.scrollHeight, limit: document.querySelector('.reveal .slides').offsetHeight,
                        continuation: s.dataset.continuation === 'true',
                        text: s.innerText.trim().split(String.fromCharCode(10))[0].slice(0, 60)};
            }""") | {"h": h, "v": v})
    return records


def too_tall(records) -> list[dict]:
    return [r for r in records if r["content"] > r["limit"] + 1]


@pytest.fixture(scope="module")
def decks():
    """Build the static decks once (about a minute when the lessons are not cached yet)."""
    start = time.monotonic()
    subprocess.run([sys.executable, str(ROOT / "scripts" / "build_slides.py"), "--out", str(DECKS)],
                   check=True, cwd=ROOT, capture_output=True)
    print(f"\nbuild_slides.py: {time.monotonic() - start:.1f} s")
    return sorted((DECKS / "notebooks").glob("*.slides.html"))


@pytest.fixture
def screen(chromium):
    context = chromium.new_context(viewport=SCREEN)
    yield context.new_page()
    context.close()


def test_every_static_slide_fits_a_1280x720_screen(decks, screen):
    assert len(decks) == 11, [d.name for d in decks]
    report, failures = [], []
    for deck in decks:
        records = deck_heights(screen, deck)
        bad = too_tall(records)
        worst = max(r["content"] / r["limit"] for r in records)
        added = sum(r["continuation"] for r in records)
        report.append(f"{deck.name}: {len(records)} slides ({added} of them continuations), "
                      f"{len(bad)} taller than the screen, tallest {worst:.2f} screens")
        failures += [f"{deck.name} slide {r['h']}/{r['v']} is {r['content'] / r['limit']:.2f} screens tall "
                     f"({r['text']!r})" for r in bad]
        assert len(records) >= 5, f"{deck.name}: only {len(records)} slides"
    print("\n" + "\n".join(report))
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    screen.goto((DECKS / "notebooks" / "01_neuron.slides.html").as_uri() + "#/2")
    screen.wait_for_function("document.documentElement.dataset.slidesFitted === 'true'", timeout=60_000)
    screen.wait_for_timeout(500)
    screen.screenshot(path=str(ARTIFACTS / "slides_01_neuron_2.png"))
    assert not failures, "slides taller than a 1280x720 screen:\n" + "\n".join(failures)


def _rise_frame(page):
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        frame = next((f for f in page.frames if "/rise/" in f.url), None)
        if frame is not None:
            return frame
        page.wait_for_timeout(300)
    return None


_FONTS = """() => {
  const px = el => el ? parseFloat(getComputedStyle(el).fontSize) : null;
  const body = document.querySelector('.reveal .jp-RenderedMarkdown p, .reveal .jp-RenderedMarkdown li');
  const code = document.querySelector('.reveal .jp-CodeCell .cm-content, .reveal .jp-CodeCell .CodeMirror');
  const out = document.querySelector('.reveal .jp-OutputArea-output pre');
  return {body: px(body), code: px(code), output: px(out)};
}"""

def test_live_rise_slides_are_readable_and_scroll(chromium, lab):  # noqa: F811 (the fixture from test_browser)
    context = chromium.new_context(viewport=SCREEN)
    page = context.new_page()
    try:
        open_lesson(page, lab, "10_where_next.ipynb")  # long text slides: scrolling is tried there
        page.wait_for_selector(".jp-Notebook-ExecutionIndicator[data-status='idle']", timeout=90_000)
        panel(page).locator(".jp-Cell").first.click()
        page.keyboard.press("Escape")
        page.keyboard.press("Alt+r")
        frame = _rise_frame(page)
        if frame is None:
            ARTIFACTS.mkdir(parents=True, exist_ok=True)
            page.screenshot(path=str(ARTIFACTS / "rise_missing.png"))
            pytest.fail("Alt-R did not open a RISE slideshow")
        # Alt-R shows the deck in a panel beside the notebook; a lecturer projects it full-window,
        # which is the same page opened on its own (the panel's "open in a new tab")
        page.goto(frame.url)
        frame = page.main_frame
        frame.wait_for_selector(".reveal .slides section", timeout=60_000)
        frame.locator(".reveal h1", has_text="Lesson 10").first.wait_for(timeout=60_000)
        page.wait_for_timeout(1500)
        config = frame.evaluate("() => { const r = document.querySelector('.reveal'); "
                                "return {w: r.clientWidth, h: r.clientHeight}; }")
        # the slide with a code cell: go to the first one that holds code
        fonts = frame.evaluate(_FONTS)
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / "rise_01_title.png"))
        # step through the deck until a code cell is on screen, to measure code where it is shown
        code_fonts = frame.evaluate(_FONTS)
        page.screenshot(path=str(ARTIFACTS / "rise_01_code.png"))
        print(f"\nRISE at 1280x720: deck {config}, body text {fonts['body']} px, code {code_fonts['code']} px, "
              f"output {code_fonts['output']} px")
        assert fonts["body"] is not None and fonts["body"] >= MIN_BODY_PX, fonts
        assert code_fonts["code"] is not None and code_fonts["code"] >= MIN_CODE_PX, code_fonts

        # step on (right, and down into sub-slides) until a slide is taller than the screen; the wheel scrolls it
        present = "document.querySelector('.reveal .slides section.present:not(.stack)')"
        tall = None
        stacks = frame.evaluate("() => [...document.querySelectorAll('.reveal .slides > section')]"
                                ".map(h => Math.max(1, h.querySelectorAll(':scope > section').length))")
        for h, n in enumerate(stacks):
            for v in range(n):
                frame.evaluate(f"location.hash = '#/slide-{h}-{v}'")  # RISE's addresses (reveal's history)
                page.wait_for_timeout(300)
                size = frame.evaluate(f"() => {{ const s = {present}; return s && [s.scrollHeight, innerHeight]; }}")
                if size and size[0] > size[1] + 20:
                    tall = size
                    break
            if tall:
                break
        assert tall, f"{frame.evaluate('() => location.hash')}: no slide of lesson 10 is taller than the screen, so scrolling could not be tried"
        # how far the slide's content has moved up: its own and its ancestors' scroll offsets
        offsets = (f"() => {{ let e = {present}, t = -{present}.getBoundingClientRect().top; "
                   "while (e) { t += e.scrollTop; e = e.parentElement; } return t; }")
        before = frame.evaluate(offsets)
        page.mouse.move(SCREEN["width"] / 2, SCREEN["height"] / 2)
        for _ in range(5):
            page.mouse.wheel(0, 300)
            page.wait_for_timeout(200)
        after = frame.evaluate(offsets)
        page.screenshot(path=str(ARTIFACTS / "rise_01_scrolled.png"))
        print(f"a live slide {tall[0]} px tall in a {tall[1]} px screen: scrolled by {after - before} px with the wheel")
        assert after > before, f"the wheel did not scroll a slide {tall[0]} px tall"
    finally:
        context.close()
