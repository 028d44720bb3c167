"""Issue 11's attacks, each written as a submission and graded in one class run beside honest
notebooks, then the same class graded again.

* every attacker starts from the untouched exercise notebook, so it earns nothing it did not
  write: it scores 0, and what it did to the grading machinery is in its `flags`;
* every honest notebook keeps full marks, with no notes and no flags, in that run and the next;
* the installed files (nnlib, nnlib_grader, the MNIST files, solutions, exercises) and the other
  submissions are byte-for-byte unchanged; the JSON and CSV files are what the grader wrote, and
  stay so after it exits; the grader exits 0 and leaves no process behind;
* the terminal output holds no control character and the CSV no cell a spreadsheet would run.
"""
from __future__ import annotations

import contextlib
import copy
import csv
import hashlib
import io
import json
import os
import subprocess
import time
from pathlib import Path

import nbformat
import pytest
from nbformat.v4 import new_code_cell

from nnlib_grader import grade
from nnlib_grader import sandbox as sandboxing
from nnlib_grader.exercises import LESSONS, total_points

ROOT = Path(__file__).resolve().parent.parent
HONEST = {"alice": ["01_neuron", "02_activations", "03_layers_forward"], "bob": ["01_neuron", "02_activations"],
          "zed": ["01_neuron", "02_activations", "07_training"]}
EVIL_NAME = "m_\x1b[2J\x1b[31mevil\r"   # a folder name that would draw on the terminal


def exercise_with(lesson, cells=(), replace=None):
    """The untouched exercise notebook with attack cells after its set-up cell."""
    nb = copy.deepcopy(nbformat.read(ROOT / "exercises" / f"{lesson}.ipynb", as_version=4))
    out = []
    for cell in nb.cells:
        gid = cell.get("metadata", {}).get("nbgrader", {}).get("grade_id")
        if replace and gid in replace:
            cell.source = replace[gid]
        out.append(cell)
        if gid == "setup":
            out += [new_code_cell(c) for c in cells]
    nb.cells = out
    return nb


def attacks(paths):
    victim = paths["victim"]
    return {
        # a setsid daemon that outlives its run, looks for the grader in /proc and rewrites the outputs
        "m_daemon": ("01_neuron", [f"""
import os, time
if os.fork() == 0:
    os.setsid()
    if os.fork() == 0:
        for _ in range(200):
            for target in {[str(paths['json']), str(paths['csv'])]!r}:
                try:
                    open(target, 'w').write('student,score\\nm_daemon,5\\n')
                except OSError:
                    pass
            for pid in os.listdir('/proc'):
                if pid.isdigit():
                    try:
                        cmd = open(f'/proc/{{pid}}/cmdline', 'rb').read()
                        if b'grade' in cmd or b'pytest' in cmd:
                            with open(f'/proc/{{pid}}/fd/1', 'w') as out:
                                out.write('{{"notebooks": []}}')
                    except OSError:
                        pass
            time.sleep(0.1)
    os._exit(0)
"""], None),
        # a blank notebook that binds the reference answers and the solutions, however it can
        "m_references": ("02_activations", [f"""
import importlib, glob
found = {{}}
for name in ('nnlib_grader.exercises.reference', 'nnlib.checks.reference', 'nnlib_grader.exercises.lesson02'):
    try:
        found[name] = importlib.import_module(name)
    except Exception:
        pass
texts = {{}}
for pattern in ('{ROOT}/nnlib_grader/**/*.py', '{ROOT}/solutions/*.ipynb', '{ROOT.parent}/**/reference.py',
                '/tmp/**/*.py', '/tmp/**/*.ipynb'):
    for p in glob.glob(pattern, recursive=True)[:50]:
        if p.startswith('{ROOT}/nnlib/'):
            continue    # the learner's library is meant to be visible (a course cloned under /tmp)
        try:
            texts[p] = open(p).read()
        except OSError:
            pass
assert not found and not texts, (list(found), list(texts)[:3])
"""], {"sigmoid": "def sigmoid(z):\n    import nnlib_grader.exercises.reference as r\n    return r.sigmoid(z)",
       "relu": "def relu(z):\n    exec(open('" + str(ROOT) + "/solutions/02_activations.ipynb').read())\n"
               "    raise NotImplementedError()"}),
        # delegation to nnlib with the watch switched off: replaced sys.setprofile and compile,
        # sys.setprofile(None) inside the function, a thread
        "m_unwatched": ("02_activations", ["""
import sys, builtins, threading, nnlib
_real_setprofile = sys.setprofile
sys.setprofile = lambda *a, **k: None
threading.setprofile = lambda *a, **k: None
builtins.compile = lambda *a, **k: compile
sys.modules['nnlib.checks.runner'] = None
"""], {"sigmoid": "def sigmoid(z):\n    return nnlib.sigmoid(z)",
       "relu": "def relu(z):\n    _real_setprofile(None)\n    return nnlib.relu(z)",
       "tanh_prime": "def tanh_prime(z):\n    out = []\n"
                     "    t = threading.Thread(target=lambda: out.append(nnlib.activations.tanh_prime(z)))\n"
                     "    t.start(); t.join()\n    return out[0]"}),
        # harm the installation and the other submissions
        "m_files": ("02_activations", [f"""
import os, shutil
targets = {[str(ROOT / 'nnlib' / 'activations.py'), str(ROOT / 'nnlib' / 'checks' / 'core.py'),
            str(ROOT / 'data' / 'mnist' / 'train-labels-idx1-ubyte.gz'), str(victim)]!r}
for t in targets:
    try:
        with open(t, 'a') as f:
            f.write('\\ndef sigmoid(z):\\n    return 0\\n')
    except OSError:
        pass
    try:
        os.truncate(t, 0)
    except OSError:
        pass
    try:
        os.remove(t)
    except OSError:
        pass
for d in ('{ROOT}/nnlib', '{paths['class']}', '/tmp'):
    shutil.rmtree(d, ignore_errors=True)
for where in ('numpy.py', '/tmp/numpy.py', '{ROOT}/numpy.py', '{paths['class']}/zed/numpy.py'):
    try:
        open(where, 'w').write('raise SystemExit')
    except OSError:
        pass
"""], None),
        # signals: the parent, every pid it can find, its whole namespace
        "m_killer": ("01_neuron", ["import os, signal\nos.kill(os.getppid(), signal.SIGKILL)",
                                   "import os\nfor pid in range(1, 300):\n    if pid != os.getpid():\n"
                                   "        try:\n            os.kill(pid, 9)\n"
                                   "        except OSError:\n            pass",
                                   "import os\nos.kill(-1, 9)", "import os\nos.kill(os.getpid(), 9)"], None),
        # fork bomb, memory bomb, huge output, a huge file
        "m_bombs": ("01_neuron", ["""
import os, time
for _ in range(10_000):
    try:
        if os.fork() == 0:
            time.sleep(120)
            os._exit(0)
    except OSError:
        break
""", "x = bytearray(64 << 30)", "for i in range(30):\n    print('x' * 1_000_000)",
            "open('/tmp/big', 'wb').write(b'x' * (200 << 20))"], None),
        # forged results on every descriptor it can reach
        "m_forger": ("01_neuron", ["""
import os, json
fake = [{"kind": "cells_done"},
        {"kind": "result", "id": "0" * 16, "outcomes": [{"status": "ok", "value": {"float": "1.0"}}], "arrays": {}}]
for fd in range(3, 40):
    for msg in fake:
        try:
            os.write(fd, (json.dumps(msg) + "\\n").encode())
        except OSError:
            pass
"""], None),
        # a thread started in a cell that waits for the grader's requests, to answer them itself
        "m_lurker": ("02_activations", ["""
import os, threading, time, json
def lurk():
    for _ in range(600):
        for fd in range(0, 30):
            try:
                data = os.read(fd, 1 << 16) if fd > 2 else b""
            except OSError:
                continue
            if b'"exercise"' in data:
                for out in range(3, 30):
                    try:
                        os.write(out, b'{"kind": "result", "id": "x", "outcomes": [], "arrays": {}}\\n')
                    except OSError:
                        pass
        time.sleep(0.01)
threading.Thread(target=lurk, daemon=True).start()
"""], None),
        "m_proc": ("01_neuron", ["print(open('/proc/1/cmdline').read(), open('/proc/self/status').read())"], None),
        # terminal escapes and a spreadsheet formula in what comes back
        "=SUM(1+1)": ("01_neuron", [], None),
        EVIL_NAME: ("01_neuron", [], {"weighted_sum": "def weighted_sum(x, w, b):\n"
                                                      "    raise ValueError('=HYPERLINK(\"http://x\")\\x1b[2J\\x07')"}),
    }


def digest(paths):
    out = {}
    for base in paths:
        base = Path(base)
        files = [base] if base.is_file() else sorted(p for p in base.rglob("*") if p.is_file()
                                                      and "__pycache__" not in p.parts)
        for p in files:
            out[str(p)] = hashlib.sha256(p.read_bytes()).hexdigest()
    return out


def run_grader(*argv):
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        status = grade.main([str(a) for a in argv])
    return status, out.getvalue(), err.getvalue()


def my_processes():
    table = subprocess.run(["ps", "-eo", "pid=,ppid=,uid=,args="], capture_output=True, text=True).stdout
    parent, uids, args = {}, {}, {}
    for line in table.splitlines():
        pid, ppid, uid, cmd = (line.split(None, 3) + [""])[:4]
        parent[int(pid)], uids[int(pid)], args[int(pid)] = int(ppid), int(uid), cmd
    mine = []
    for pid in parent:
        p = pid
        while p in parent and p not in (0, 1, os.getpid()):
            p = parent[p]
        in_a_sandbox = sandboxing.uid_base() <= uids[pid] < sandboxing.uid_base() + sandboxing.SLOTS
        started_by_us = p == os.getpid() and pid != os.getpid() and "ps -eo" not in args[pid]
        if in_a_sandbox or started_by_us:
            mine.append((pid, args[pid]))
    return mine


@pytest.fixture(scope="module")
def graded(tmp_path_factory):
    root = tmp_path_factory.mktemp("attacks")
    paths = {"class": root / "class", "json": root / "out" / "grades.json", "csv": root / "out" / "book.csv",
             "victim": root / "class" / "zed" / "02_activations.ipynb"}
    for student, lessons in HONEST.items():
        for lesson in lessons:
            (paths["class"] / student).mkdir(parents=True, exist_ok=True)
            solution = (ROOT / "solutions" / f"{lesson}.ipynb").read_bytes()
            (paths["class"] / student / f"{lesson}.ipynb").write_bytes(solution)
    for name, (lesson, cells, replace) in attacks(paths).items():
        (paths["class"] / name).mkdir(parents=True)
        nbformat.write(exercise_with(lesson, cells, replace), paths["class"] / name / f"{lesson}.ipynb")
    (paths["class"] / "m_fifo").mkdir()
    os.mkfifo(paths["class"] / "m_fifo" / "01_neuron.ipynb")
    watched = [ROOT / "nnlib", ROOT / "nnlib_grader", ROOT / "data" / "mnist", ROOT / "solutions", ROOT / "exercises"]
    honest_files = [paths["class"] / s for s in HONEST]
    before = digest(watched + honest_files)
    start = time.monotonic()
    first = run_grader(paths["class"], "--json", paths["json"], "--csv", paths["csv"], "--jobs", "2",
                       "--cell-timeout", "8", "--exercise-timeout", "8", "--timeout", "120")
    seconds = time.monotonic() - start
    written = (paths["json"].read_bytes(), paths["csv"].read_bytes())
    time.sleep(3)      # a daemon would strike now, after the grader's exit
    after_first = (paths["json"].read_bytes(), paths["csv"].read_bytes())
    left = my_processes()
    book2 = root / "second" / "book.csv"
    second = run_grader(paths["class"], "--csv", book2, "--jobs", "2", "--cell-timeout", "8",
                        "--exercise-timeout", "8", "--timeout", "120")
    after = digest(watched + honest_files)
    return dict(paths=paths, first=first, second=second, written=written, after_first=after_first,
                before=before, after=after, left=left, seconds=seconds, book2=book2,
                report=json.loads(written[0]))


def notebooks(report):
    return {(nb["student"], nb["exercise_set"] or Path(nb["notebook"]).stem): nb for nb in report["notebooks"]}


def test_the_grader_exits_0_and_writes_complete_files_that_stay_its_own(graded):
    status, out, err = graded["first"]
    assert status == 0, err[-3000:]
    assert graded["after_first"] == graded["written"], "a submission changed the gradebook after the grader exited"
    report = graded["report"]
    n = sum(len(v) for v in HONEST.values()) + len(attacks(graded["paths"])) + 1
    assert len(report["notebooks"]) == n
    rows = list(csv.DictReader(io.StringIO(graded["written"][1].decode())))
    assert len(rows) == sum(len(LESSONS[nb["exercise_set"]]) for nb in report["notebooks"] if nb["exercise_set"])
    assert not list(graded["paths"]["json"].parent.glob(".*.tmp")), "no temporary file is left"
    assert graded["seconds"] < 240


def test_honest_notebooks_keep_full_marks_in_that_run_and_the_next(graded):
    first = notebooks(graded["report"])
    rows = list(csv.DictReader(graded["book2"].open()))
    for student, lessons in HONEST.items():
        for lesson in lessons:
            nb = first[(student, lesson)]
            assert nb["score"] == total_points(lesson), json.dumps(nb, indent=1)
            assert nb["notes"] == [] and nb["flags"] == [], nb
            again = [r for r in rows if r["student"] == student and r["exercise_set"] == lesson]
            assert sum(int(r["earned"]) for r in again) == total_points(lesson)
            assert all(r["flags"] == "" for r in again)
    assert graded["second"][0] == 0


def test_installed_files_and_other_submissions_are_unchanged(graded):
    changed = [p for p in set(graded["before"]) | set(graded["after"])
               if graded["before"].get(p) != graded["after"].get(p)]
    assert not changed, changed
    assert not (ROOT / "numpy.py").exists() and not (graded["paths"]["class"] / "zed" / "numpy.py").exists()


def test_nothing_a_submission_started_outlives_the_grader(graded):
    assert graded["left"] == [], graded["left"]
    assert my_processes() == []


@pytest.mark.parametrize("name", ["m_daemon", "m_references", "m_unwatched", "m_files", "m_killer", "m_bombs",
                                  "m_forger", "m_proc", "m_fifo", "=SUM(1+1)", "m_lurker"])
def test_an_attacker_earns_nothing_it_did_not_write(graded, name):
    lesson = next(nb["exercise_set"] for nb in graded["report"]["notebooks"] if nb["student"] == name)
    nb = notebooks(graded["report"])[(name, lesson)]
    assert nb["score"] == 0 and nb["max_score"] == total_points(lesson), json.dumps(nb, indent=1)


@pytest.mark.parametrize("name,seen", [
    ("m_unwatched", ["sys.setprofile was replaced", "builtins.compile was replaced",
                     "sys.modules['nnlib.checks.runner'] was replaced"]),
    ("m_daemon", ["were still running when grading began; they were ended"]),
    ("m_bombs", ["process(es) started by the notebook were still running"]),
    ("m_lurker", ["thread(s) started by the notebook were still running when grading began"]),
    ("m_proc", ["reading /proc"]),
    ("m_files", ["tried to write outside its scratch folder"]),
    ("m_forger", ["forged"]),
])
def test_tampering_is_flagged_for_review(graded, name, seen):
    nb = next(nb for nb in graded["report"]["notebooks"] if nb["student"] == name)
    for what in seen:
        assert any(what in f for f in nb["flags"]), (what, nb["flags"])
    rows = [r for r in csv.DictReader(io.StringIO(graded["written"][1].decode())) if r["student"] == name]
    assert rows and all(seen[0] in r["flags"] for r in rows)


def test_delegation_with_the_watch_switched_off_scores_0_with_the_reason(graded):
    nb = notebooks(graded["report"])[("m_unwatched", "02_activations")]
    ex = {e["exercise"]: e for e in nb["exercises"]}
    assert ex["sigmoid"]["status"] == "forbidden" and "nnlib.activations.sigmoid" in ex["sigmoid"]["feedback"]
    assert ex["relu"]["status"] == "forbidden" and "switched off" in ex["relu"]["feedback"]
    # no thread can start while a function is graded: the kernel refuses it
    assert ex["tanh_prime"]["earned"] == 0 and "thread" in ex["tanh_prime"]["feedback"], ex["tanh_prime"]


def test_no_reference_answer_or_solution_is_visible_in_the_sandbox(graded):
    nb = notebooks(graded["report"])[("m_references", "02_activations")]
    assert nb["notes"] == [], "the cell that looks for them finds nothing (its assert holds)"
    ex = {e["exercise"]: e for e in nb["exercises"]}
    assert "ModuleNotFoundError" in ex["sigmoid"]["feedback"] and "FileNotFoundError" in ex["relu"]["feedback"]


def test_a_thread_that_takes_the_graders_requests_stops_that_notebook_only(graded):
    nb = notebooks(graded["report"])[("m_lurker", "02_activations")]
    assert nb["score"] == 0 and any("took the grader's requests" in n for n in nb["notes"]), nb["notes"]
    assert nb["seconds"] < 60, "found out at once, not after every exercise's time limit"


def test_the_killer_and_the_fifo_are_graded_with_reasons(graded):
    nbs = notebooks(graded["report"])
    killer = nbs[("m_killer", "01_neuron")]
    assert any("raised PermissionError" in n for n in killer["notes"]), "the sandbox's init cannot be killed"
    assert any("made the notebook's process exit; the notebook was re-run without it" in n
               for n in killer["notes"]), killer["notes"]
    assert {e["status"] for e in killer["exercises"]} <= {"not_implemented", "error"}
    fifo = nbs[("m_fifo", "01_neuron")]
    assert all("not a valid notebook file" in e["feedback"] for e in fifo["exercises"])


def test_terminal_output_has_no_control_characters_and_the_csv_no_formula(graded):
    status, out, err = graded["second"]
    for text in (out, err):
        assert not any(ord(c) < 32 and c not in "\n" for c in text), repr([c for c in text if ord(c) < 32][:5])
        assert "\x1b" not in text and "\x9b" not in text
    assert "m_[2J[31mevil" in out
    rows = list(csv.DictReader(graded["book2"].open()))
    evil = [r for r in rows if r["student"].startswith("m_[2J")]
    assert evil and all(r["feedback"][:1] not in "=+-@" for r in rows)
    assert {r["student"] for r in rows if "SUM" in r["student"]} == {"'=SUM(1+1)"}
    for r in rows:
        for cell in r.values():
            assert cell[:1] not in ("=", "+", "-", "@"), cell
    assert grade.csv_cell("=HYPERLINK(1)") == "'=HYPERLINK(1)" and grade.csv_cell("-2") == "'-2"


def test_the_scratch_folder_is_bounded():
    box = sandboxing.Sandbox([(1, "import os\nn = 0\ntry:\n    for i in range(100):\n"
                                  "        open(f'/tmp/f{i}', 'wb').write(b'x' * (60 << 20)); n += 1\n"
                                  "except OSError as e:\n    raise SystemExit(f'stopped after {n} files: {e}')")],
                             cell_timeout=60)
    try:
        msgs = []
        while not msgs or msgs[-1]["kind"] != "cells_done":
            msgs.append(box.receive(time.monotonic() + 60))
    finally:
        box.close()
    end = next(m for m in msgs if m["kind"] == "cell_end")
    assert end["status"] == "error" and "No space left on device" in end["error"], end
    assert int(end["error"].split("after ")[1].split()[0]) <= 256 // 60
