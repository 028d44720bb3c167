"""Execute the lessons once and turn them into offline HTML: reveal.js decks and a static site.

Used by ``make slides`` (scripts/build_slides.py) and ``make site`` (scripts/build_site.py).
Executed copies are cached in ``build/executed/`` and reused while neither the lesson
nor nnlib has changed. Everything the pages load (reveal.js, MathJax) is copied next
to them, so they open from disk with no network.
"""
from __future__ import annotations

import hashlib
import json
import re
import shutil
import sys
import tempfile
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import nbformat
from nbclient import NotebookClient

from nnlib_grader.kernel import local_kernel_manager

ROOT = Path(__file__).resolve().parent.parent
LESSONS_DIR = ROOT / "notebooks"
BUILD = ROOT / "build"
VENDOR = Path(__file__).resolve().parent / "vendor"  # reveal.js, require.js, jQuery (see its README)
WIDGET_MIME = "application/vnd.jupyter.widget-view+json"
MATHJAX_CONFIG = "TeX-AMS-MML_HTMLorMML-full,Safe"
WIDGET_NOTE = ('<p style="border-left:4px solid #4477aa;padding:0.3em 0.8em;color:#333">'
               "<em>Interactive widget here: open this lesson in JupyterLab (<code>make lab</code>) "
               "to use it. The static figure next to it shows the same picture.</em></p>")


def lessons() -> list[Path]:
    return sorted(LESSONS_DIR.glob("[0-9][0-9]_*.ipynb"))


def _fingerprint(path: Path) -> str:
    h = hashlib.sha256(path.read_bytes())
    for src in sorted((ROOT / "nnlib").rglob("*.py")):
        h.update(src.read_bytes())
    return h.hexdigest()


def execute(path: Path, cache_dir: Path = BUILD / "executed", timeout: int = 180):
    """The lesson executed top to bottom in a fresh kernel (cached). Raises if a cell fails.

    No lesson cell needs more than a minute; nbclient now and then misses the reply to a
    cell that displays a widget and waits out the whole timeout (jupyter/nbclient#312), so
    the timeout is short and a lesson that times out (or whose kernel dies or fails to
    start) is run once more in a fresh kernel."""
    cache_dir.mkdir(parents=True, exist_ok=True)
    cached, stamp = cache_dir / path.name, cache_dir / (path.name + ".sha256")
    key = _fingerprint(path)
    if cached.exists() and stamp.exists() and stamp.read_text() == key:
        return nbformat.read(cached, as_version=4)
    for attempt in (1, 2):
        nb = nbformat.read(path, as_version=4)
        try:
            with tempfile.TemporaryDirectory(prefix="nnlib-kernel-") as sockets:
                NotebookClient(nb, timeout=timeout, km=local_kernel_manager(sockets),
                               resources={"metadata": {"path": str(path.parent)}}).execute()
            break
        except (TimeoutError, RuntimeError):  # a cell timed out; the kernel died or did not start
            if attempt == 2:
                raise
    nbformat.write(nb, cached)
    stamp.write_text(key)
    return nb


def execute_all(paths, workers: int = 2):
    """Execute several lessons, ``workers`` kernels at a time (the CI machine has 2 cores)."""
    with ThreadPoolExecutor(max_workers=workers) as pool:
        return dict(zip(paths, pool.map(execute, paths)))


def for_static_html(nb, link_suffix: str):
    """A copy ready for static HTML: widget outputs become a short note, lesson links point
    at the generated pages (``01_neuron.ipynb`` -> ``01_neuron{link_suffix}``)."""
    nb = nbformat.from_dict(json.loads(json.dumps(nb)))
    for cell in nb.cells:
        if cell.cell_type == "markdown":
            cell.source = re.sub(r"\]\((\d\d_[A-Za-z0-9_]+)\.ipynb", rf"](\1{link_suffix}", cell.source)
        elif cell.cell_type == "code":
            outputs = []
            for out in cell.get("outputs", []):
                if WIDGET_MIME in out.get("data", {}):
                    out = nbformat.v4.new_output("display_data", data={"text/html": WIDGET_NOTE})
                outputs.append(out)
            cell.outputs = outputs
    nb.metadata.pop("widgets", None)
    return nb


def copy_mathjax(dest: Path) -> str:
    """Copy MathJax (from the jupyter-server-mathjax package) to ``dest``; returns the script path."""
    import jupyter_server_mathjax
    src = Path(jupyter_server_mathjax.__file__).parent / "static"
    if not (dest / "MathJax.js").exists():
        shutil.copytree(src, dest, dirs_exist_ok=True)
    return "MathJax.js?config=" + MATHJAX_CONFIG


def copy_vendor(dest: Path) -> dict:
    """Copy reveal.js, require.js and jQuery to ``dest``; returns their paths relative to ``dest``
    as nbconvert exporter options."""
    shutil.copytree(VENDOR, dest, dirs_exist_ok=True)
    return {"reveal_url_prefix": "reveal.js", "require_js_url": "requirejs/require.js",
            "jquery_url": "jquery/jquery.min.js"}


# The MathJax of jupyter-server-mathjax carries only the STIX-Web fonts: tell MathJax to use them.
MATHJAX_FONTS = ('<script type="text/x-mathjax-config">MathJax.Hub.Config({"HTML-CSS": '
                 '{availableFonts: ["STIX-Web"], preferredFont: "STIX-Web", webFont: "STIX-Web", '
                 'imageFont: null}, SVG: {font: "STIX-Web"}});</script>\n')
_MERMAID = re.compile(r"<script type=\"module\">\s*import mermaid from[^<]*</script>\s*", re.S)
_REMOTE = re.compile(r"""<(?:script|link|img)\b[^>]*\b(?:src|href)=["'](https?:)?//""", re.I)


def offline(html: str, name: str) -> str:
    """Make nbconvert's page load nothing from the network, or fail saying what still would.

    The lessons draw no mermaid diagrams, so the template's mermaid import (from a CDN) goes;
    MathJax is pointed at its bundled fonts."""
    html = _MERMAID.sub("", html)
    html = re.sub(r"<script[^>]*MathJax\.js", lambda m: MATHJAX_FONTS + m.group(0), html, count=1)
    remote = _REMOTE.search(html)
    if remote:
        start = remote.start()
        sys.exit(f"{name}: the page would still load from the network: {html[start:start + 160]}")
    return html


_LINK = re.compile(r"""<a\b[^>]*\bhref=["']([^"'#?]+)""", re.I)


def copy_link_targets(html: str, out: Path):
    """Copy what a lesson page links to outside notebooks/ (exercise notebooks, INSTRUCTORS.md,
    README.md) into ``out`` at the same relative place, so the links work in the built pages too.
    Pages live in ``out/notebooks/``, as the lessons do in the repository."""
    for href in _LINK.findall(html):
        if re.match(r"[a-z]+:", href) or href.startswith("/"):
            continue
        source = (LESSONS_DIR / href).resolve()
        if not source.exists() or source.is_relative_to(LESSONS_DIR) or not source.is_relative_to(ROOT):
            continue
        target = out / source.relative_to(ROOT)
        if source.is_dir():
            shutil.copytree(source, target, dirs_exist_ok=True)
        else:
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, target)


def title_of(nb) -> str:
    for cell in nb.cells:
        if cell.cell_type == "markdown":
            m = re.search(r"^#\s+(.+)$", cell.source, re.M)
            if m:
                return m.group(1).strip()
    return "Untitled"


def check_no_errors(nb, name):
    for i, cell in enumerate(nb.cells):
        for out in cell.get("outputs", []):
            if out.get("output_type") == "error":
                sys.exit(f"{name}: cell {i} raised {out.get('ename')}: {out.get('evalue')}")


def write_pages(exporter, out: Path, suffix: str, only=None) -> list[tuple[Path, str]]:
    """Execute the lessons (all, or those named in ``only``) and export each with ``exporter``
    to ``out/notebooks/<lesson><suffix>``, offline and with its links' targets copied.
    Returns ``[(page, title), ...]`` in lesson order."""
    pages = out / "notebooks"  # the repository's layout, so the lessons' relative links work
    pages.mkdir(parents=True, exist_ok=True)
    paths = [p for p in lessons() if not only or p.stem in only]
    written = []
    for path, nb in execute_all(paths).items():
        check_no_errors(nb, path.name)
        body, _ = exporter.from_notebook_node(for_static_html(nb, suffix))
        body = offline(body, path.name)
        target = pages / f"{path.stem}{suffix}"
        target.write_text(body, encoding="utf-8")
        copy_link_targets(body, out)
        written.append((target, title_of(nb)))
    return written


def index_items(written) -> str:
    return "".join(f'<li><a href="notebooks/{page.name}">{title}</a></li>' for page, title in written)

