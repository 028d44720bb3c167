r"""One submission, one bubblewrap sandbox: :class:`Sandbox` starts :mod:`nnlib_grader.child`
in it and exchanges JSON lines with it, always within a time limit and a size limit.

The sandbox (``bwrap``, Debian's ``bubblewrap``, the sandbox Flatpak uses) gets

* its own PID namespace (``--unshare-pid``; nothing it starts outlives it, it cannot see or
  signal the grader or another submission) and ``--die-with-parent``;
* no network (``--unshare-net``), no IPC or UTS sharing, a new session (no terminal);
* a file system made of read-only binds of only what Python needs (the Python installation,
  the virtual environment, the ``nnlib`` package, the MNIST files and the program
  ``child.py``) and an empty private ``/tmp`` (a tmpfs of 256 MB); the grading package, the solutions, the class
  folder, other submissions and the output files are not in it (a path among them that lies
  inside a bound folder is covered by an empty tmpfs);
* limits set by ``child.py`` before the notebook runs: address space (``RLIMIT_AS``),
  processes (``RLIMIT_NPROC``), file size (``RLIMIT_FSIZE``), open files, no core files; and
  when the grader runs as root, its own unprivileged user id (root is exempt from
  ``RLIMIT_NPROC``), one per concurrent sandbox so that one fork bomb cannot starve another;
* a wall-clock limit kept by the grader, which kills the sandbox (and with it everything
  inside) when a read is over its deadline.

What comes back is read by the grader through one pipe, line by line, each line at most
``max_line`` bytes and all of them at most ``max_total``; stderr is read and dropped (the
first 4 KB kept for diagnosing a sandbox that fails to start).
"""
from __future__ import annotations

import json
import os
import secrets
import selectors
import shutil
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

CHILD = Path(__file__).resolve().parent / "child.py"
INSIDE_CHILD = "/run/nnlib-grader/child.py"
BWRAP_PACKAGE = "bubblewrap"
FIRST_UID = 1_700_000        # sandbox user ids when the grader runs as root (not in /etc/passwd)
SLOTS = 256                  # user ids per grader process: one per concurrent sandbox


def uid_base(pid=None) -> int:
    """The first sandbox user id of this grader process: graders running at the same time
    (another course, another terminal) never share a user id, hence never a process limit."""
    return FIRST_UID + ((os.getpid() if pid is None else pid) % 100_000) * SLOTS

DEFAULT_LIMITS = {
    "RLIMIT_AS": 6 << 30,        # address space: MNIST in float32 and a model fit easily
    "RLIMIT_NPROC": 64,          # processes and threads of the sandbox's user
    "RLIMIT_FSIZE": 64 << 20,    # largest file it may write (in its private /tmp)
    "RLIMIT_NOFILE": 256,
    "RLIMIT_CORE": 0,
}
SCRATCH_BYTES = 256 << 20     # the private /tmp is a tmpfs of this size (it lives in memory)
# system folders that may hold other people's work: never shown, although /usr is
ALWAYS_HIDDEN = ("/usr/local/share/nbgrader",)


class SandboxUnavailable(RuntimeError):
    """bubblewrap is missing or cannot create its namespaces here."""


class SandboxGone(Exception):
    """The sandbox exited, was killed, or sent something it should not have."""


def bwrap_path() -> str | None:
    return shutil.which("bwrap")


def _is_root() -> bool:
    return hasattr(os, "geteuid") and os.geteuid() == 0


def missing_message() -> str:
    return (f"error: the grader runs every submission in a bubblewrap sandbox, and `bwrap` was not "
            f"found. Install the {BWRAP_PACKAGE!r} package (Debian/Ubuntu: "
            f"`sudo apt-get install {BWRAP_PACKAGE}`; Fedora: `sudo dnf install {BWRAP_PACKAGE}`), "
            "or pass --no-sandbox to run the notebooks unisolated (safe only for your own notebooks).")


def _mounts_for(paths):
    """bwrap arguments that make every parent folder of ``paths`` (0755) and bind them read-only."""
    args, made = [], set()
    for p in paths:
        p = Path(p)
        for parent in reversed(p.parents):
            s = str(parent)
            if s == "/" or s in made:
                continue
            made.add(s)
            args += ["--perms", "0755", "--dir", s]
        made.add(str(p))
        args += ["--ro-bind", str(p), str(p)]
    return args


def _root_links():
    """/bin, /lib, /lib64, /sbin: symlinks into /usr on merged-/usr systems, else bound."""
    args = []
    for name in ("bin", "sbin", "lib", "lib32", "lib64", "libx32"):
        p = Path("/") / name
        if p.is_symlink():
            args += ["--symlink", os.readlink(p), str(p)]
        elif p.is_dir():
            args += ["--ro-bind", str(p), str(p)]
    return args


def _outermost(paths):
    """The paths without those inside another one (binding the outer one covers them)."""
    out = []
    for p in sorted({Path(os.path.realpath(x)) for x in paths if x and os.path.exists(x)}, key=lambda q: len(q.parts)):
        if not any(p == q or q in p.parents for q in out):
            out.append(p)
    return out


def font_cache() -> Path | None:
    """matplotlib's font list of the grader's environment, if it has built one: handed to each
    sandbox (read-only) so that a notebook that plots does not spend 3 s rebuilding it."""
    try:
        import matplotlib
        lists = sorted(Path(matplotlib.get_cachedir()).glob("fontlist-v*.json"))
    except Exception:
        return None
    return lists[-1] if lists and lists[-1].is_file() else None


def visible_paths():
    """What the sandbox needs to see: Python, its environment, nnlib and the MNIST files."""
    import nnlib
    from nnlib.datasets import _mnist_dir
    python_dirs = [sys.base_prefix, sys.base_exec_prefix, sys.prefix, sys.exec_prefix]
    exe = os.path.realpath(sys.executable)
    python_dirs.append(str(Path(exe).parent))
    nnlib_dir = Path(nnlib.__file__).resolve().parent
    mnist = _mnist_dir(None)[0]
    paths = [d for d in python_dirs if d and not d.startswith("/usr/")] + [str(nnlib_dir)]
    if Path(mnist).is_dir():
        paths.append(str(mnist))
    return _outermost(paths), nnlib_dir, Path(mnist)


class Sandbox:
    """One running sandbox: ``send(obj)``, ``receive(deadline)`` -> obj, ``close()``."""

    def __init__(self, cells, *, cell_timeout, slot=0, limits=None, hidden=(), sandbox=True,
                 max_line=64 << 20, max_total=512 << 20, extra_env=None, run_as=None):
        self.flags: list[str] = []
        self.max_line, self.max_total, self.received = max_line, max_total, 0
        self._buffer = b""
        self._lines: list[bytes] = []
        self._stderr = b""
        self._dead = False
        self.token = secrets.token_hex(8)
        self._scratch = None
        env = {"HOME": "/tmp", "TMPDIR": "/tmp", "MPLBACKEND": "Agg", "MPLCONFIGDIR": "/tmp/matplotlib",
               "PYTHONHASHSEED": "0", "PYTHONDONTWRITEBYTECODE": "1", "LANG": "C.UTF-8",
               "OPENBLAS_NUM_THREADS": "1", "OMP_NUM_THREADS": "1", "MKL_NUM_THREADS": "1",
               "PATH": "/usr/bin:/bin"}
        for var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS", "NNLIB_GRADER_DEBUG_AUDIT"):
            if os.environ.get(var):
                env[var] = os.environ[var]
        env.update(extra_env or {})
        limits = dict(DEFAULT_LIMITS, **(limits or {}))
        uid = None
        if sandbox:
            bwrap = bwrap_path()
            if bwrap is None:
                raise SandboxUnavailable(missing_message())
            bound, nnlib_dir, mnist = visible_paths()
            env["NNLIB_MNIST_DIR"] = str(mnist)
            # what is bound read-only, so that the child flags a write there even when it lies
            # under /tmp (a course cloned or installed there)
            env["NNLIB_GRADER_READONLY"] = os.pathsep.join(str(b) for b in bound)
            cmd = [bwrap, "--die-with-parent", "--new-session", "--unshare-ipc", "--unshare-pid",
                   "--unshare-net", "--unshare-uts", "--unshare-cgroup-try"]
            if _is_root():
                uid = uid_base() + slot % SLOTS
                cmd += ["--cap-add", "CAP_SETUID,CAP_SETGID"]
            else:
                cmd += ["--unshare-user"]
            # the private /tmp first: the binds below may lie inside /tmp (a clone or a venv there)
            # and must stay visible on top of it
            cmd += ["--perms", "1777", "--size", str(SCRATCH_BYTES), "--tmpfs", "/tmp"]
            cmd += ["--ro-bind", "/usr", "/usr"] + _root_links() + _mounts_for(bound)
            for h in hidden:   # secrets that lie inside a bound folder: cover them
                h = Path(os.path.realpath(h))
                if any(h == b or b in h.parents for b in bound) and h.is_dir():
                    cmd += ["--tmpfs", str(h)]
            for h in ALWAYS_HIDDEN:
                if os.path.isdir(h):
                    cmd += ["--tmpfs", h]
            cmd += ["--perms", "0755", "--dir", "/run", "--perms", "0755", "--dir", "/run/nnlib-grader",
                    "--ro-bind", str(CHILD), INSIDE_CHILD,
                    *(["--ro-bind", str(fonts), f"/run/nnlib-grader/{fonts.name}"] if (fonts := font_cache()) else []),
                    "--proc", "/proc", "--dev", "/dev",
                    "--chdir", "/tmp", "--clearenv"]
            for k, v in env.items():
                cmd += ["--setenv", k, v]
            cmd += [sys.executable, "-I", INSIDE_CHILD]
            popen_env = None
        else:   # no bubblewrap: a plain process in a scratch folder, as another user if asked
            import tempfile
            self._scratch = tempfile.mkdtemp(prefix="nnlib-grade-")
            if run_as is not None:
                os.chmod(self._scratch, 0o1777)
                uid = run_as
            cmd = [sys.executable, "-I", str(CHILD)]
            popen_env = dict(os.environ, **env)
            popen_env.update(HOME=self._scratch, TMPDIR=self._scratch,
                             MPLCONFIGDIR=os.path.join(self._scratch, "matplotlib"))
        self.proc = subprocess.Popen(cmd, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                     stderr=subprocess.PIPE, env=popen_env, start_new_session=True,
                                     close_fds=True, cwd=self._scratch)
        for stream in (self.proc.stdout, self.proc.stderr):
            os.set_blocking(stream.fileno(), False)
        self._selector = selectors.DefaultSelector()
        self._selector.register(self.proc.stdout, selectors.EVENT_READ, "out")
        self._selector.register(self.proc.stderr, selectors.EVENT_READ, "err")
        self._writer = None
        self.send({"cells": cells, "cell_timeout": cell_timeout, "uid": uid, "own_pid_namespace": bool(sandbox),
                   "rlimits": {k: v for k, v in limits.items() if v is not None}})

    # -------------------------------------------------------------- writing
    def send(self, message: dict):
        """Queue one line for the sandbox (a thread writes it, so a sandbox that does not read
        cannot block the grader)."""
        data = (json.dumps(message, allow_nan=True, separators=(",", ":")) + "\n").encode()
        if self._writer is not None:
            self._writer.join(timeout=0.1)

        def write():
            try:
                self.proc.stdin.write(data)
                self.proc.stdin.flush()
            except (OSError, ValueError):
                pass
        self._writer = threading.Thread(target=write, daemon=True)
        self._writer.start()

    # -------------------------------------------------------------- reading
    def receive(self, deadline: float) -> dict:
        """The next message; raises :class:`SandboxGone` at EOF, on a malformed or oversized
        line, and TimeoutError at the deadline. ``flag`` messages are collected, not returned."""
        while True:
            while self._lines:
                line = self._lines.pop(0)
                try:
                    msg = json.loads(line)
                except ValueError:
                    self._note("the results channel carried text that is not the grader's (forged or corrupted)")
                    continue
                if not isinstance(msg, dict):
                    self._note("the results channel carried text that is not the grader's (forged or corrupted)")
                    continue
                if msg.get("kind") == "flag":
                    self._note(str(msg.get("what", "?"))[:200])
                    continue
                return msg
            if self._dead:
                raise SandboxGone("the sandbox exited")
            left = deadline - time.monotonic()
            if left <= 0:
                raise TimeoutError()
            for key, _ in self._selector.select(timeout=min(left, 1.0)):
                self._read(key.fileobj, key.data)

    def _note(self, what):
        if what not in self.flags and len(self.flags) < 30:
            self.flags.append(what)

    def _read(self, stream, which):
        try:
            chunk = os.read(stream.fileno(), 1 << 20)
        except BlockingIOError:
            return
        except OSError:
            chunk = b""
        if which == "err":
            if not chunk:
                self._selector.unregister(stream)
            elif len(self._stderr) < 4096:
                self._stderr += chunk[:4096 - len(self._stderr)]
            return
        if not chunk:
            self._selector.unregister(stream)
            self._dead = True
            return
        self.received += len(chunk)
        if self.received > self.max_total:
            self.kill()
            raise SandboxGone(f"the sandbox sent more than {self.max_total >> 20} MB")
        self._buffer += chunk
        while b"\n" in self._buffer:
            line, _, self._buffer = self._buffer.partition(b"\n")
            self._lines.append(line)
        if len(self._buffer) > self.max_line:
            self.kill()
            raise SandboxGone(f"the sandbox sent a message over {self.max_line >> 20} MB")

    @property
    def stderr_text(self) -> str:
        return self._stderr.decode("utf-8", "replace")

    # -------------------------------------------------------------- ending
    def kill(self):
        if self.proc.poll() is None:
            try:
                os.killpg(self.proc.pid, signal.SIGKILL)   # bwrap and, with it, the whole namespace
            except (ProcessLookupError, PermissionError):
                pass
            try:
                self.proc.kill()
            except ProcessLookupError:
                pass

    def close(self):
        self.kill()
        try:
            self.proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            pass
        for stream in (self.proc.stdin, self.proc.stdout, self.proc.stderr):
            try:
                stream.close()
            except Exception:
                pass
        try:
            self._selector.close()
        except Exception:
            pass
        if self._scratch:
            shutil.rmtree(self._scratch, ignore_errors=True)


def probe(sandbox=True) -> str | None:
    """None when a sandbox can start here; else why not (bwrap missing, namespaces refused)."""
    if not sandbox:
        return None
    if bwrap_path() is None:
        return missing_message()
    try:
        box = Sandbox([], cell_timeout=5)
    except SandboxUnavailable as exc:
        return str(exc)
    try:
        msg = box.receive(time.monotonic() + 60)
        if msg.get("kind") == "ready":
            return None
        return f"the sandbox did not start: {msg}"
    except (SandboxGone, TimeoutError):
        return ("error: bubblewrap could not start a sandbox here (user namespaces refused?): "
                + " ".join(box.stderr_text.split())[:300])
    finally:
        box.close()
