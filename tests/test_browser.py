"""The course as a learner meets it: JupyterLab in a real browser (Debian's Chromium).

JupyterLab is started on 127.0.0.1 with a fresh token, against a temporary copy of
the course (autosave cannot write into the repository). For lessons 1, 5 and 7 the test
runs all cells, checks that no cell shows an error and no widget shows "Error displaying
widget", then moves a slider with the keyboard as a learner would and checks that the
widget's readout (text printed by its callback) and its plot changed accordingly.
Screenshots go to artifacts/browser/. The server is stopped by its process id.

Needs /usr/bin/chromium (`sudo apt-get install chromium`); never downloads a browser.
Without Chromium the tests are skipped, unless CI is set: then they fail.
"""
from __future__ import annotations

import os
import re
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import numpy as np
import pytest

ROOT = Path(__file__).resolve().parent.parent
ARTIFACTS = ROOT / "artifacts" / "browser"
RUN_TIMEOUT_MS = 360_000


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _settings(folder: Path):
    """JupyterLab user settings for the test: render every cell (no virtual scrolling) and no news pop-up."""
    for plugin, text in {"@jupyterlab/notebook-extension/tracker": '{"windowingMode": "none"}',
                         "@jupyterlab/apputils-extension/notification": '{"fetchNews": "false"}'}.items():
        path = folder / f"{plugin}.jupyterlab-settings"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)


@pytest.fixture(scope="module")
def lab(tmp_path_factory):
    """A JupyterLab server on a temporary copy of the course; yields (base_url, token)."""
    home = tmp_path_factory.mktemp("lab")
    course = home / "course"
    for folder in ("notebooks", "exercises"):
        shutil.copytree(ROOT / folder, course / folder)
    _settings(home / "settings")
    token = secrets.token_hex(16)
    env = dict(os.environ, JUPYTERLAB_SETTINGS_DIR=str(home / "settings"),
               JUPYTERLAB_WORKSPACES_DIR=str(home / "workspaces"),
               JUPYTER_RUNTIME_DIR=str(home / "runtime"), MPLBACKEND="module://matplotlib_inline.backend_inline")
    log = open(home / "server.log", "w")
    server = None
    try:
        # The free port is picked before the server binds it, and another program can take it
        # meanwhile: a server that exits at start is started again on a new port.
        for attempt in range(3):
            port = _free_port()
            cmd = [sys.executable, "-m", "jupyterlab", "--no-browser", "--ServerApp.ip=127.0.0.1",
                   f"--ServerApp.port={port}", "--ServerApp.port_retries=0",
                   f"--IdentityProvider.token={token}", f"--ServerApp.root_dir={course}"]
            if os.geteuid() == 0:
                cmd.append("--allow-root")
            server = subprocess.Popen(cmd, stdout=log, stderr=subprocess.STDOUT, env=env,
                                      start_new_session=True)
            base = f"http://127.0.0.1:{port}"
            if _answers(server, f"{base}/api/status?token={token}", seconds=90):
                break
            if server.poll() is None:
                pytest.fail(f"JupyterLab did not answer within 90 s:\n{(home / 'server.log').read_text()[-3000:]}")
            if attempt == 2:
                pytest.fail(f"JupyterLab exited with {server.returncode}:\n"
                            f"{(home / 'server.log').read_text()[-3000:]}")
        yield base, token
    finally:
        if server is not None:
            _stop(server)
        log.close()


def _answers(server, url, seconds) -> bool:
    """True once ``url`` answers; False if the server exits first or ``seconds`` pass."""
    deadline = time.monotonic() + seconds
    while server.poll() is None and time.monotonic() < deadline:
        try:
            urllib.request.urlopen(url, timeout=2)
            return True
        except OSError:
            time.sleep(0.3)
    return False


def _stop(server):
    """Stop the server by its process id, then any kernel it left behind (its process group)."""
    if server.poll() is None:
        server.terminate()
        try:
            server.wait(timeout=20)
        except subprocess.TimeoutExpired:
            pass
    try:
        os.killpg(server.pid, signal.SIGKILL)
    except ProcessLookupError:
        pass
    server.wait()


@pytest.fixture
def page(chromium, lab):
    context = chromium.new_context(viewport={"width": 1400, "height": 1000})
    pg = context.new_page()
    errors = []
    pg.on("pageerror", lambda e: errors.append(str(e)))
    yield pg
    context.close()


def _shot(target, name):
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    target.screenshot(path=str(ARTIFACTS / f"{name}.png"))


def accept_kernel_dialog(page, wait_ms: int = 3000):
    """JupyterLab sometimes asks which kernel to start; take the proposed one (the course's python3)."""
    dialog = page.locator(".jp-Dialog", has_text="Select Kernel")
    try:
        dialog.wait_for(timeout=wait_ms)
    except Exception:
        return
    dialog.get_by_role("button", name="Select").click()
    dialog.wait_for(state="detached", timeout=10_000)


def panel(page):
    """The notebook on screen (JupyterLab keeps other tabs in the page, hidden)."""
    return page.locator(".jp-NotebookPanel:visible")


def open_lesson(page, lab, notebook: str):
    base, token = lab
    page.goto(f"{base}/lab/tree/notebooks/{notebook}?reset&token={token}")  # reset: no tabs from earlier tests
    page.wait_for_selector(".jp-NotebookPanel:visible .jp-Cell", timeout=90_000)
    accept_kernel_dialog(page)


def open_and_run_all(page, lab, notebook: str):
    """Open a lesson in JupyterLab, Run > Run All Cells, wait until every cell has run."""
    open_lesson(page, lab, notebook)
    page.wait_for_selector(".jp-Notebook-ExecutionIndicator[data-status='idle']", timeout=90_000)
    page.get_by_role("menuitem", name="Run", exact=True).click()
    page.get_by_text("Run All Cells", exact=True).click()
    deadline = time.monotonic() + RUN_TIMEOUT_MS / 1000
    prompts = []
    while time.monotonic() < deadline:
        prompts = [p.strip() for p in panel(page).locator(".jp-CodeCell .jp-InputPrompt").all_inner_texts()]
        # "[*]:" runs, "[ ]:" waits; a cell with hidden source shows no prompt at all
        if any(re.fullmatch(r"\[\d+\]:", p) for p in prompts) and not any(p in ("[*]:", "[ ]:") for p in prompts):
            break
        time.sleep(0.5)
    else:
        _shot(page, f"{notebook}-timeout")
        pytest.fail(f"{notebook}: cells still running or never run after {RUN_TIMEOUT_MS // 1000} s: {prompts}")
    page.wait_for_timeout(1500)  # let widget views finish rendering
    errors = [t for t in panel(page).locator(
        ".jp-OutputArea-output[data-mime-type='application/vnd.jupyter.stderr']").all_inner_texts()
        if "Traceback" in t or re.search(r"\w+Error\b", t)]
    assert not errors, f"{notebook}: a cell shows an error:\n{errors[0][:2000]}"
    assert panel(page).get_by_text("Error displaying widget").count() == 0, f"{notebook}: a widget failed to display"
    assert panel(page).locator(".jupyter-widgets").count() > 0, f"{notebook}: no widget rendered"


def widget_with(page, label: str, css_class: str | None = None):
    """The outermost widget box that holds a control labelled ``label`` and an nnlib readout
    (and has ``css_class``, when a lesson shows more than one such widget)."""
    control = page.locator(".widget-label", has_text=re.compile(rf"^{re.escape(label)}$"))
    box = panel(page).locator(f".{css_class}" if css_class else ".widget-vbox").filter(has=control) \
        .filter(has=page.locator(".nnlib-readout"))
    assert box.count() > 0, f"no widget with a control labelled {label!r} and a readout"
    return box.first


def plot_source(box) -> tuple:
    """The images the widget's plot area shows now (matplotlib figures as PNG data)."""
    box.locator(".nnlib-plot img").first.wait_for(timeout=30_000)
    return tuple(img.get_attribute("src") for img in box.locator(".nnlib-plot img").all())


def wait_for_new_plot(box, before: tuple, what: str, timeout_s: float = 30) -> tuple:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        now = plot_source(box)
        if now != before:
            return now
        time.sleep(0.3)
    pytest.fail(f"{what}: the plot did not redraw within {timeout_s} s")


def press_on_slider(page, box, label: str, key: str, times: int):
    slider = box.locator(".widget-slider", has=page.locator(".widget-label", has_text=re.compile(rf"^{re.escape(label)}$")))
    slider.locator(".noUi-handle").first.focus()
    for _ in range(times):
        page.keyboard.press(key)
        page.wait_for_timeout(150)


def slider_value(page, box, label: str) -> float:
    """The number the slider itself displays next to its track."""
    slider = box.locator(".widget-slider", has=page.locator(".widget-label", has_text=re.compile(rf"^{re.escape(label)}$")))
    return float(slider.locator(".widget-readout").inner_text().replace("−", "-"))


def wait_for_change(locator, before: str, what: str, timeout_s: float = 30) -> str:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        now = locator.inner_text()
        if now != before:
            return now
        time.sleep(0.2)
    pytest.fail(f"{what} did not change within {timeout_s} s (still {before!r})")


def test_lesson_1_neuron_explorer_follows_the_keyboard(page, lab):
    open_and_run_all(page, lab, "01_neuron.ipynb")
    box = widget_with(page, "w1")
    readout = box.locator(".nnlib-readout").first
    before, image = readout.inner_text(), plot_source(box)
    w1 = float(re.search(r"w1 = (-?[\d.]+)", before).group(1))
    box.scroll_into_view_if_needed()
    _shot(box, "01_neuron_before")
    press_on_slider(page, box, "w1", "ArrowRight", 5)  # steps of 0.1
    after = wait_for_change(readout, before, "the neuron explorer's readout")
    page.wait_for_timeout(500)
    after = readout.inner_text()
    new_w1 = float(re.search(r"w1 = (-?[\d.]+)", after).group(1))
    assert new_w1 > w1 and new_w1 == pytest.approx(w1 + 0.1 * round((new_w1 - w1) / 0.1), abs=1e-9)
    assert new_w1 == pytest.approx(slider_value(page, box, "w1"), abs=1e-9), "readout and slider disagree"
    assert re.search(r"\d+% of points correct", after)
    wait_for_new_plot(box, image, "the neuron explorer")
    _shot(box, "01_neuron_after")


def test_lesson_5_gradient_descent_explorer_follows_the_keyboard(page, lab):
    open_and_run_all(page, lab, "05_gradient_descent.ipynb")
    box = widget_with(page, "learning rate η", "nnlib-gradient-descent-explorer")
    readout = box.locator(".nnlib-readout").first
    before, image = readout.inner_text(), plot_source(box)
    eta = float(re.search(r"η = ([\d.e-]+)", before).group(1))
    box.scroll_into_view_if_needed()
    _shot(box, "05_gradient_descent_before")
    press_on_slider(page, box, "learning rate η", "ArrowRight", 4)  # log slider: 4 steps of 0.05 decades
    after = wait_for_change(readout, before, "the gradient-descent readout")
    page.wait_for_timeout(500)
    after = readout.inner_text()
    new_eta = float(re.search(r"η = ([\d.e-]+)", after).group(1))
    assert new_eta > eta, (before, after)
    # a log slider moves in steps of 0.05 decades: the new rate is eta * 10**(0.05 k)
    k = round(np.log10(new_eta / eta) / 0.05)
    assert k >= 1 and new_eta == pytest.approx(eta * 10 ** (0.05 * k), rel=0.01), (before, after)
    assert new_eta == pytest.approx(slider_value(page, box, "learning rate η"), rel=0.01), "readout and slider disagree"
    assert re.search(r"final loss", after)
    assert after.split("final point")[1] != before.split("final point")[1], "the path's end did not move"
    wait_for_new_plot(box, image, "the gradient-descent explorer")
    _shot(box, "05_gradient_descent_after")


def test_lesson_7_playground_trains_on_click_and_follows_the_keyboard(page, lab):
    open_and_run_all(page, lab, "07_training.ipynb")
    box = widget_with(page, "hidden units")
    readout = box.locator(".nnlib-readout").first
    box.scroll_into_view_if_needed()
    before = readout.inner_text()
    epoch = int(re.search(r"epoch (\d+)", before).group(1))
    image = plot_source(box)
    _shot(box, "07_playground_before")
    box.get_by_role("button", name=re.compile("Step")).click()
    after = wait_for_change(readout, before, "the playground's readout after Step", timeout_s=60)
    stepped = int(re.search(r"epoch (\d+)", after).group(1))
    assert stepped > epoch, (before, after)
    wait_for_new_plot(box, image, "the playground after Step")
    # Play trains live: the readout's epoch keeps growing while it plays, and Pause stops it
    box.get_by_role("button", name=re.compile("Play")).click()
    seen = [stepped]
    deadline = time.monotonic() + 30
    while len(set(seen)) < 3 and time.monotonic() < deadline:
        page.wait_for_timeout(200)
        seen.append(int(re.search(r"epoch (\d+)", readout.inner_text()).group(1)))
    assert len(set(seen)) >= 3 and seen == sorted(seen), f"the epoch did not grow while playing: {seen}"
    box.get_by_role("button", name=re.compile("Pause")).click()
    page.wait_for_timeout(1000)
    paused = readout.inner_text()
    page.wait_for_timeout(1500)
    assert readout.inner_text() == paused, "training went on after Pause"
    trained = int(re.search(r"epoch (\d+)", paused).group(1))
    print(f"\nplayground: Step, then Play went through epochs {sorted(set(seen))[:6]}..., paused at {trained}")
    # a learner changes the architecture with the keyboard: the network starts over
    hidden_before = box.locator(".widget-slider", has=page.locator(".widget-label", has_text="hidden units")) \
        .locator(".widget-readout").inner_text()
    trained_text, trained_image = readout.inner_text(), plot_source(box)
    press_on_slider(page, box, "hidden units", "ArrowRight", 1)
    changed = wait_for_change(readout, trained_text, "the playground's readout after a new setting")
    hidden_after = box.locator(".widget-slider", has=page.locator(".widget-label", has_text="hidden units")) \
        .locator(".widget-readout").inner_text()
    assert int(hidden_after) == int(hidden_before) + 1
    assert int(re.search(r"epoch (\d+)", changed).group(1)) < trained
    wait_for_new_plot(box, trained_image, "the playground after a new setting")
    _shot(box, "07_playground_after")


def test_lesson_1_enters_rise_slideshow_mode(page, lab):
    """Live slides: jupyterlab-rise renders the lesson as a reveal.js deck inside JupyterLab."""
    open_lesson(page, lab, "01_neuron.ipynb")
    # the notebook toolbar's slideshow button ("Render the current notebook as Reveal Slideshow (Alt+R)")
    panel(page).locator("[data-command='RISE:preview']").first.click()
    deadline = time.monotonic() + 60
    frame = None
    while time.monotonic() < deadline and frame is None:
        frame = next((f for f in page.frames if "/rise/" in f.url), None)
        page.wait_for_timeout(300)  # (time.sleep would stop Playwright from seeing the new frame)
    if frame is None:
        _shot(page, "01_neuron_rise_missing")
        pytest.fail("RISE did not open a slideshow")
    frame.wait_for_selector(".reveal .slides section", timeout=60_000)
    assert frame.locator(".reveal .slides > section").count() >= 5, "the lesson should make a deck of several slides"
    frame.locator(".reveal h1", has_text="Lesson 1").first.wait_for(timeout=30_000)  # the rendered title slide
    _shot(page, "01_neuron_rise")


# --- how fast a key press reaches the screen (issue 13) ------------------------------------------

WATCH_IMAGE = """img => {
  window.__nnlibChanges = [];
  new MutationObserver(() => window.__nnlibChanges.push(performance.now()))
      .observe(img, {attributes: true, attributeFilter: ["src"]});
}"""


def key_to_image_ms(page, box, label: str, keys: list[str]) -> list[float]:
    """For each key press on the slider ``label``: milliseconds from the press to the new image."""
    box.locator(".nnlib-plot img").first.evaluate(WATCH_IMAGE)
    slider = box.locator(".widget-slider", has=page.locator(".widget-label", has_text=re.compile(rf"^{re.escape(label)}$")))
    slider.locator(".noUi-handle").first.focus()
    times = []
    for key in keys:
        seen = page.evaluate("window.__nnlibChanges.length")
        start = page.evaluate("performance.now()")
        page.keyboard.press(key)
        page.wait_for_function(f"window.__nnlibChanges.length > {seen}", timeout=10_000)
        times.append(page.evaluate(f"window.__nnlibChanges[{seen}]") - start)
        page.wait_for_timeout(250)  # let the image settle before the next press
    return times


@pytest.mark.parametrize("notebook,label,css_class", [
    ("01_neuron.ipynb", "w1", None),
    ("02_activations.ipynb", "z", None),
    ("05_gradient_descent.ipynb", "learning rate η", "nnlib-gradient-descent-explorer"),
])
def test_a_key_press_reaches_the_screen_quickly(page, lab, notebook, label, css_class):
    # issue 13's target is a median of 150 ms in the browser; the assertion is generous (a loaded CI
    # machine), the figures are printed
    open_and_run_all(page, lab, notebook)
    box = widget_with(page, label, css_class)
    box.scroll_into_view_if_needed()
    times = key_to_image_ms(page, box, label, ["ArrowRight"] * 8 + ["ArrowLeft"] * 8)
    p50, p90 = np.percentile(times, 50), np.percentile(times, 90)
    print(f"\n{notebook} {label}: key press to new image p50 {p50:.0f} ms, p90 {p90:.0f} ms (target p50 <= 150)")
    assert p50 < 1000, times


def test_holding_an_arrow_key_leaves_the_plot_at_the_sliders_final_value(page, lab):
    open_and_run_all(page, lab, "01_neuron.ipynb")
    box = widget_with(page, "w1")
    box.scroll_into_view_if_needed()
    readout = box.locator(".nnlib-readout").first
    slider = box.locator(".widget-slider", has=page.locator(".widget-label", has_text=re.compile(r"^w1$")))
    slider.locator(".noUi-handle").first.focus()
    box.locator(".nnlib-plot img").first.evaluate(WATCH_IMAGE)
    # a held key auto-repeats: Playwright sends one keydown per call (repeat=true after the first),
    # so press it down 40 times over 2 s (20 per second, as a keyboard's auto-repeat does)
    start_value = slider_value(page, box, "w1")
    for _ in range(40):
        page.keyboard.down("ArrowLeft")
        page.wait_for_timeout(50)
    page.keyboard.up("ArrowLeft")
    released = page.evaluate("performance.now()")
    final = slider_value(page, box, "w1")
    shown = None
    while page.evaluate("performance.now()") - released < 300:
        match = re.search(r"w1 = (-?[\d.]+)", readout.inner_text())
        shown = float(match.group(1)) if match else None
        if shown == pytest.approx(final, abs=1e-9):
            break
        page.wait_for_timeout(20)
    caught_up = page.evaluate("performance.now()") - released
    assert final < start_value - 1, f"holding the key moved the slider only from {start_value} to {final}"
    assert shown == pytest.approx(final, abs=1e-9), f"0.3 s after release the readout shows {shown}, the slider {final}"
    # and the picture is the final one: nothing more arrives once it has caught up
    page.wait_for_timeout(300)
    n = page.evaluate("window.__nnlibChanges.length")
    page.wait_for_timeout(700)
    assert page.evaluate("window.__nnlibChanges.length") == n, "the image kept changing after the slider stopped"
    print(f"\nheld ArrowLeft 2 s: slider at {final}, readout caught up {caught_up:.0f} ms after release, "
          f"{n} images drawn while the key was held")
