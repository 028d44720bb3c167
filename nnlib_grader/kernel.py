"""A Jupyter kernel the grader can drive without ever hanging on it.

The grader talks to the kernel over the shell channel only: it sends code and
waits for the execute reply, with a time limit. It never subscribes to the
kernel's output channel, so whatever a submission prints (megabytes of it) is
dropped by the kernel's publisher instead of piling up in the grader. The
kernel's own stdout/stderr go to /dev/null. A cell that runs past its limit is
interrupted; a kernel that ignores the interrupt (or dies) is reported as
``"hung"``/``"dead"`` and the caller starts a fresh one.

The kernel is the current Python (``sys.executable``), so it sees the same
nnlib and numpy as the grader, whatever kernelspecs are installed. On POSIX
systems it talks over Unix sockets in a private folder rather than TCP ports;
a start that fails anyway is tried again (3 attempts) before
:class:`KernelStartError` stops the grader.
"""
from __future__ import annotations

import os
import queue
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

from jupyter_client.kernelspec import KernelSpecManager
from jupyter_client.manager import KernelManager

_THREAD_VARIABLES = ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS")
_MAX_SOCKET_PATH = 100  # a Unix socket path holds 104 (macOS) or 108 (Linux) bytes


def local_kernel_manager(socket_dir: str, **kwargs) -> KernelManager:
    """A ``python3`` KernelManager that talks over Unix sockets in ``socket_dir`` (POSIX).

    With TCP, jupyter_client picks free ports before the kernel binds them, and another
    program can take one meanwhile; the kernel then dies at start (jupyter_client#487).
    Sockets in a folder of our own cannot be taken. On Windows, or when ``socket_dir`` is
    too long for a socket path (about 100 characters), it stays on TCP.
    """
    if os.name != "posix" or len(os.path.join(socket_dir, "k-00000")) > _MAX_SOCKET_PATH:
        return KernelManager(kernel_name="python3", **kwargs)
    return KernelManager(kernel_name="python3", transport="ipc", ip=os.path.join(socket_dir, "k"),
                         **kwargs)


class KernelStartError(RuntimeError):
    """The kernel did not start: a problem with the environment, not with a submission."""


class _CurrentPythonSpecs(KernelSpecManager):
    """Every kernel name maps to an IPython kernel of the Python running the grader."""

    def get_kernel_spec(self, kernel_name):
        import ipykernel.kernelspec
        return self.kernel_spec_class(resource_dir=ipykernel.kernelspec.RESOURCES,
                                      **ipykernel.kernelspec.get_kernel_dict())


@dataclass
class Reply:
    """How one execution ended: ``status`` is "ok", "error", "timeout" (interrupted,
    the kernel is still usable), "hung" (did not stop when interrupted) or "dead"."""
    status: str
    ename: str = ""
    evalue: str = ""
    seconds: float = 0.0

    @property
    def error_text(self) -> str:
        text = " ".join(f"{self.ename}: {self.evalue}".split()).strip(": ")
        return text if len(text) <= 200 else text[:197] + "..."


class KernelSession:
    """One kernel: ``run(code, timeout)`` -> :class:`Reply`; ``close()`` when done."""

    def __init__(self, cwd: str, startup_timeout: float = 60.0, env: dict | None = None,
                 attempts: int = 3):
        environment = dict(os.environ)
        environment.update({"MPLBACKEND": "Agg", "PYTHONWARNINGS": "ignore"})
        for var in _THREAD_VARIABLES:  # one BLAS thread per kernel unless told otherwise:
            environment.setdefault(var, "1")  # parallel kernels must not oversubscribe the cores
        environment.update(env or {})
        self.km = self.kc = self._socket_dir = None
        failures = []
        for _ in range(max(1, attempts)):  # a start can fail by chance (a port taken meanwhile)
            try:
                self._start(cwd, environment, startup_timeout)
                return
            except Exception as exc:
                self.close()
                failures.append(f"{type(exc).__name__}: {exc}")
        raise KernelStartError(f"could not start a Python kernel ({sys.executable}) in "
                               f"{len(failures)} attempts: " + "; ".join(failures))

    def _start(self, cwd, environment, startup_timeout):
        self._socket_dir = tempfile.mkdtemp(prefix="nnlib-kernel-")
        self.km = local_kernel_manager(self._socket_dir, kernel_spec_manager=_CurrentPythonSpecs())
        self.km.start_kernel(cwd=cwd, env=environment, stdout=subprocess.DEVNULL,
                             stderr=subprocess.DEVNULL, stdin=subprocess.DEVNULL)
        self.kc = self.km.client()
        self.kc.start_channels(shell=True, iopub=False, stdin=False, hb=False, control=False)
        self._wait_ready(startup_timeout)

    def _wait_ready(self, timeout):
        deadline = time.monotonic() + timeout
        msg_id = self.kc.kernel_info()
        while time.monotonic() < deadline:
            if not self.km.is_alive():
                raise RuntimeError("the kernel process exited during startup")
            try:
                msg = self.kc.get_shell_msg(timeout=0.5)
            except queue.Empty:
                continue
            if msg["parent_header"].get("msg_id") == msg_id:
                return
        raise TimeoutError(f"no answer from the kernel within {timeout:g} s")

    def run(self, code: str, timeout: float, interrupt_grace: float = 5.0) -> Reply:
        start = time.monotonic()
        if self.km is None or not self.km.is_alive():
            return Reply("dead")
        msg_id = self.kc.execute(code, silent=False, store_history=False, allow_stdin=False,
                                 stop_on_error=False)
        reply = self._reply(msg_id, start + max(0.0, timeout))
        if reply is None:
            if not self.km.is_alive():
                return Reply("dead", seconds=time.monotonic() - start)
            try:
                self.km.interrupt_kernel()
            except Exception:
                return Reply("hung", seconds=time.monotonic() - start)
            reply = self._reply(msg_id, time.monotonic() + interrupt_grace)
            status = "timeout" if reply is not None else ("hung" if self.km.is_alive() else "dead")
            return Reply(status, seconds=time.monotonic() - start)
        if reply == "dead":
            return Reply("dead", seconds=time.monotonic() - start)
        content = reply["content"]
        seconds = time.monotonic() - start
        if content.get("status") == "ok":
            return Reply("ok", seconds=seconds)
        return Reply("error", str(content.get("ename", "Error")), str(content.get("evalue", "")), seconds)

    def _reply(self, msg_id, deadline):
        """The execute reply for ``msg_id``, None at the deadline, "dead" if the kernel died."""
        while True:
            left = deadline - time.monotonic()
            if left <= 0:
                return None
            try:
                msg = self.kc.get_shell_msg(timeout=min(0.25, left))
            except queue.Empty:
                if not self.km.is_alive():
                    return "dead"
                continue
            if msg.get("parent_header", {}).get("msg_id") == msg_id:
                return msg

    def close(self):
        try:
            if self.kc is not None:
                self.kc.stop_channels()
        except Exception:
            pass
        if self.km is not None:
            try:
                if self.km.has_kernel:
                    self.km.shutdown_kernel(now=True)
            except Exception:
                try:
                    self.km.kill_kernel()
                except Exception:
                    pass
            try:
                self.km.cleanup_resources()
            except Exception:
                pass
        if self._socket_dir is not None:
            shutil.rmtree(self._socket_dir, ignore_errors=True)
        self.km = self.kc = self._socket_dir = None

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()


class KernelPool:
    """Fresh kernels started ahead of time, each in a new empty temporary folder.

    ``get()`` hands out a kernel that has run nothing yet and starts the next one in
    the background, so a kernel's start-up (a second or two) overlaps the grading of
    the previous notebook. The caller closes the kernels it gets (``release``);
    ``close()`` shuts down those never handed out.
    """

    def __init__(self, size: int = 1):
        self._starter = ThreadPoolExecutor(max_workers=max(1, size), thread_name_prefix="kernel-start")
        self._ready: queue.Queue = queue.Queue()
        self._lock = threading.Lock()
        self._closed = False
        for _ in range(max(1, size)):
            self._ready.put(self._starter.submit(self._start))

    @staticmethod
    def _start():
        workdir = tempfile.mkdtemp(prefix="nnlib-grade-")
        try:
            return KernelSession(workdir), workdir
        except BaseException:
            shutil.rmtree(workdir, ignore_errors=True)
            raise

    def get(self):
        """(session, workdir); raises :class:`KernelStartError` if no kernel can start."""
        with self._lock:
            if self._closed:
                raise RuntimeError("the kernel pool is closed")
            future = self._ready.get()
            self._ready.put(self._starter.submit(self._start))
        return future.result()

    @staticmethod
    def release(session, workdir):
        session.close()
        shutil.rmtree(workdir, ignore_errors=True)

    def close(self):
        with self._lock:
            self._closed = True
        while not self._ready.empty():
            future = self._ready.get()
            try:
                session, workdir = future.result()
            except Exception:
                continue
            self.release(session, workdir)
        self._starter.shutdown(wait=True)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()
