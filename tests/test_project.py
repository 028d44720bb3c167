"""The project's own promises: packaging lists agree, notebooks are stored clean,
and every lesson has the parts a learner relies on."""
from __future__ import annotations

import json
import os
import re
import subprocess
from pathlib import Path

import pytest
import tomllib

ROOT = Path(__file__).resolve().parent.parent
LESSONS = sorted((ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb"))
ALL_NOTEBOOKS = sorted(p for d in ("notebooks", "solutions", "exercises")
                       for p in (ROOT / d).glob("*.ipynb"))


def _name(req: str) -> tuple[str, str]:
    """'ipywidgets>=8.1,<8.1.9' -> ('ipywidgets', '>=8.1,<8.1.9'), names normalised."""
    m = re.match(r"\s*([A-Za-z0-9_.\-]+)\s*(.*)", req)
    return m.group(1).lower().replace("_", "-"), m.group(2).replace(" ", "")


def _environment_yml():
    """The package lines of environment.yml (a flat list: conda deps and the pip section)."""
    conda, pip, in_pip = {}, {}, False
    text = (ROOT / "environment.yml").read_text()
    for line in text.split("\ndependencies:", 1)[1].splitlines():
        stripped = line.split("#", 1)[0].rstrip()
        if not stripped.strip().startswith("- "):
            continue
        item = stripped.strip()[2:].strip()
        if item == "pip:":
            in_pip = True
            continue
        indent = len(line) - len(line.lstrip())
        if in_pip and indent <= 2:
            in_pip = False
        (pip if in_pip else conda)[_name(item)[0]] = _name(item)[1]
    return conda, pip


def test_environment_yml_lists_exactly_the_pyproject_packages():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    wanted = dict(_name(r) for r in project["dependencies"] + project["optional-dependencies"]["course"])
    conda, pip = _environment_yml()
    pip.pop("-e", None)
    listed = {k: v for k, v in {**conda, **pip}.items() if k not in ("python", "pip")}
    assert listed == wanted, (
        "environment.yml and pyproject.toml (dependencies + course extra) have drifted apart:\n"
        f"only in environment.yml: { {k: v for k, v in listed.items() if wanted.get(k) != v} }\n"
        f"only in pyproject.toml: { {k: v for k, v in wanted.items() if listed.get(k) != v} }")
    assert "-e ." in (ROOT / "environment.yml").read_text(), "environment.yml must pip-install the project (-e .)"
    assert conda["python"] == ">=" + project["requires-python"].lstrip(">=")


def test_environment_yml_uses_conda_forge_only():
    text = (ROOT / "environment.yml").read_text()
    channels = re.search(r"channels:\n((?:\s+- .*\n)+)", text).group(1)
    assert [c.strip()[2:] for c in channels.strip().splitlines()] == ["conda-forge"]


def test_ipywidgets_pin_avoids_the_version_vs_code_cannot_render():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    spec = dict(_name(r) for r in project["dependencies"])["ipywidgets"]
    # 8.1.9 renders nothing in VS Code (microsoft/vscode-jupyter#17504); 8.1.8 works everywhere
    assert set(spec.split(",")) == {">=8.1", "<8.1.9"}, spec


def test_ci_runs_the_readme_test_command():
    readme = (ROOT / "README.md").read_text()
    assert "make test" in readme and "make lab" in readme
    ci = (ROOT / ".ci" / "run").read_text()
    assert re.search(r"^make test\s*$", ci, re.M), ".ci/run must run `make test` itself"


@pytest.mark.parametrize("uid,allowed", [("0", True), ("1000", False)])
def test_make_lab_lets_root_start_jupyter(tmp_path, uid, allowed):
    # Jupyter refuses to run as root without --allow-root: `make lab` in a Docker container
    # (root by default) stopped with "Running as root is not recommended".
    fake_id = tmp_path / "id"
    fake_id.write_text(f"#!/bin/sh\necho {uid}\n")
    fake_id.chmod(0o755)
    env = {**os.environ, "PATH": f"{tmp_path}{os.pathsep}{os.environ['PATH']}"}
    dry_run = subprocess.run(["make", "-n", "lab"], cwd=ROOT, env=env, capture_output=True, text=True)
    assert dry_run.returncode == 0, dry_run.stderr
    lab = [line for line in dry_run.stdout.splitlines() if "jupyter lab" in line]
    assert len(lab) == 1 and ("--allow-root" in lab[0]) == allowed, dry_run.stdout


@pytest.mark.parametrize("path", ALL_NOTEBOOKS, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_notebook_is_stored_without_outputs(path):
    nb = json.loads(path.read_text())
    dirty = [i for i, c in enumerate(nb["cells"]) if c["cell_type"] == "code"
             and (c.get("outputs") or c.get("execution_count") is not None)]
    assert not dirty, f"{path.name}: cells {dirty} carry outputs; strip them before committing"
    assert nb["metadata"].get("kernelspec", {}).get("name") == "python3"


def _markdown(path):
    nb = json.loads(path.read_text())
    return nb, "\n\n".join("".join(c["source"]) for c in nb["cells"] if c["cell_type"] == "markdown")


def test_all_eleven_lessons_are_there():
    numbers = [p.name[:2] for p in LESSONS]
    assert numbers == [f"{i:02d}" for i in range(11)], f"lessons found: {[p.name for p in LESSONS]}"


@pytest.mark.parametrize("path", LESSONS, ids=lambda p: p.name)
def test_lesson_has_every_part(path):
    nb, md = _markdown(path)
    assert re.search(r"^# Lesson \d+: \S", md, re.M), "title '# Lesson N: ...' missing"
    for part in ("**Time:**", "**Prerequisites:**", "## Learning objectives",
                 "## Check your understanding", "## Summary"):
        assert part in md, f"{path.name} lacks {part!r}"
    assert md.index("## Learning objectives") < md.index("## Summary")
    questions = md.split("## Check your understanding", 1)[1]
    assert "<details>" in questions and "</details>" in questions, "answers must be folded in <details>"
    code = "\n".join("".join(c["source"]) for c in nb["cells"] if c["cell_type"] == "code")
    assert "import nnlib" in code or "from nnlib" in code, "lessons teach from nnlib"
    assert "nnlib.widgets." in code or "from nnlib.widgets" in code, "every lesson has a widget"
    for cell in nb["cells"]:
        assert cell["metadata"].get("slideshow", {}).get("slide_type") in (
            "slide", "subslide", "fragment", "-", "skip", "notes"), f"{path.name}: a cell has no slide metadata"


@pytest.mark.parametrize("path", LESSONS, ids=lambda p: p.name)
def test_lesson_links_resolve_and_point_onwards(path):
    _, md = _markdown(path)
    links = re.findall(r"\]\(([^)#\s]+)(?:#[^)]*)?\)", md)
    local = [link for link in links if not re.match(r"[a-z]+:", link)]
    missing = [link for link in local if not (path.parent / link).exists()]
    assert not missing, f"{path.name} links to missing files: {missing}"
    n = int(path.name[:2])
    if n < 10:
        nxt = next(p.name for p in LESSONS if p.name.startswith(f"{n + 1:02d}_"))
        assert any(Path(link).name == nxt for link in local), f"{path.name} must link the next lesson {nxt}"
    if 1 <= n <= 9:
        assert any(link.startswith("../exercises/") and link.endswith(".ipynb") for link in local), \
            f"{path.name} must link its exercise notebook"


def test_make_lab_prints_a_url_that_opens_lesson_0(tmp_path):
    # Over SSH, WSL or in a container the printed URL is the only way in: it must open lesson 0,
    # not the Launcher. Start the server exactly as `make lab` would (plus --no-browser and a free
    # port), read the URL it prints and ask for that page.
    import socket
    import time
    import urllib.request
    dry_run = subprocess.run(["make", "-n", "lab"], cwd=ROOT, capture_output=True, text=True)
    command = [line for line in dry_run.stdout.splitlines() if "jupyter lab" in line][0]
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    env = {**os.environ, "JUPYTER_RUNTIME_DIR": str(tmp_path / "runtime"),
           "JUPYTER_CONFIG_DIR": str(tmp_path / "config")}
    log = tmp_path / "lab.log"
    with log.open("w") as out:
        server = subprocess.Popen(f"{command} --no-browser --ip=127.0.0.1 --port={port} "
                                  "--ServerApp.port_retries=0", shell=True, cwd=ROOT, env=env,
                                  stdout=out, stderr=subprocess.STDOUT, start_new_session=True)
    try:
        url = None
        deadline = time.monotonic() + 90
        while url is None and time.monotonic() < deadline and server.poll() is None:
            time.sleep(0.5)
            found = re.search(rf"http://127\.0\.0\.1:{port}\S*", log.read_text())
            url = found.group(0) if found else None
        assert url, f"no URL printed:\n{log.read_text()[-3000:]}"
        assert "/lab/tree/notebooks/00_welcome.ipynb" in url, url
        page = urllib.request.urlopen(url, timeout=30).read().decode()
        assert '"treePath": "notebooks/00_welcome.ipynb"' in page
    finally:
        os.killpg(server.pid, 15)
        server.wait(timeout=30)


def test_licence_and_citation_agree_with_pyproject():
    # README and pyproject say MIT: the LICENSE file must exist and say so; CITATION.cff names the
    # same licence and version, so a citation never points at a version that is not this one.
    pyproject = (ROOT / "pyproject.toml").read_text()
    version = re.search(r'^version = "([^"]+)"', pyproject, re.M).group(1)
    assert (ROOT / "LICENSE").read_text().startswith("MIT License")
    citation = (ROOT / "CITATION.cff").read_text()
    assert re.search(r"^license: MIT$", citation, re.M)
    assert re.search(rf"^version: {re.escape(version)}$", citation, re.M)
    assert re.search(r"^cff-version: 1\.2\.0$", citation, re.M)
