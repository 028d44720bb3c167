r"""The program that runs one submission inside its sandbox: ``python -I child.py``.

The grader (:mod:`nnlib_grader.sandbox`) starts it in a bubblewrap sandbox and talks to it
over two pipes: requests on its stdin, answers on its stdout, one JSON object per line. It

1. reads the notebook's code cells and the limits from the first line; drops to the
   sandbox's own user id (when started as root) and sets its limits (memory, processes,
   file size, open files, no core files);
2. moves the two pipes to private descriptors and points 0, 1 and 2 at /dev/null, so what
   the notebook prints goes nowhere and costs nothing;
3. installs an audit hook (which Python code cannot remove) and notes, as ``flag``
   messages sent at once, what a notebook does to the grading machinery: switching the
   profiler or tracer, frame and garbage-collector introspection while being graded, ctypes,
   threads, reading /proc, and after each cell any builtin, ``sys`` function or module in
   ``sys.modules`` that was replaced;
4. runs the cells in order (a cell that raises is reported and the next one runs; a cell
   over its time limit is interrupted);
5. then forbids new threads and processes (``RLIMIT_NPROC`` 0, for good) and, for each
   request, calls the notebook's function by name on the cases sent (with
   :func:`nnlib.checks.runner.call_case`, from a private copy loaded before any notebook
   code ran) and sends back only what it returned.

It holds no answers: the expected values never enter the sandbox, and the grader judges
in its own process. Nothing here is trusted by the grader beyond "this is what came back".
"""
import base64
import builtins
import json
import os
import resource
import signal
import sys
import types

# ----------------------------------------------------------------------------- channel
_IN = _OUT = None
# taken before any notebook code runs: a notebook that replaces them changes nothing here
_write, _dup, _dup2 = os.write, os.dup, os.dup2
_dumps, _loads = json.dumps, json.loads
_compile, _exec = builtins.compile, builtins.exec
_FLAGS_SENT = set()


def send(message):
    data = (_dumps(message, allow_nan=True, separators=(",", ":")) + "\n").encode()
    view = memoryview(data)
    while view:
        n = _write(_OUT, view)
        view = view[n:]


def flag(what, key=None):
    key = key or what
    if key in _FLAGS_SENT or len(_FLAGS_SENT) > 50:
        return
    _FLAGS_SENT.add(key)
    try:
        send({"kind": "flag", "what": what})
    except Exception:
        pass


def receive():
    line = _IN.readline()
    if not line:
        raise SystemExit(0)
    return _loads(line)


# ----------------------------------------------------------------------------- limits
def limit(config):
    uid = config.get("uid")
    if uid is not None and os.getuid() == 0:   # root in the sandbox: become its own user
        os.setgroups([])
        os.setresgid(uid, uid, uid)
        os.setresuid(uid, uid, uid)
    for name, value in config.get("rlimits", {}).items():
        which = getattr(resource, name)
        soft, hard = resource.getrlimit(which)
        value = int(value)
        if hard != resource.RLIM_INFINITY:
            value = min(value, hard)
        resource.setrlimit(which, (value, value))


def alone(own_namespace):
    """Before the graded calls: end every other process of the sandbox (a daemon started by a
    cell could read the grader's requests) and flag threads still running (they could too)."""
    if own_namespace:   # only inside the sandbox's own PID namespace: kill(-1) reaches nothing else
        import signal as _signal
        try:
            others = [p for p in os.listdir("/proc") if p.isdigit() and int(p) not in (1, os.getpid())]
        except OSError:
            others = []
        if others:
            flag(f"{len(others)} process(es) started by the notebook were still running when grading "
                 "began; they were ended")
            try:
                os.kill(-1, _signal.SIGKILL)
            except OSError:
                pass
    try:
        threads = len(os.listdir("/proc/self/task"))
    except OSError:
        import threading
        threads = threading.active_count()
    if threads > 1:
        flag(f"{threads - 1} thread(s) started by the notebook were still running when grading began")


def no_new_tasks():
    """From here on (the graded calls) no thread and no process can be started: the kernel
    refuses them (RLIMIT_NPROC 0, which this process can never raise again). A graded
    function cannot run code out of the watch's sight in a thread, or leave a daemon."""
    try:
        resource.setrlimit(resource.RLIMIT_NPROC, (0, 0))
    except (ValueError, OSError):
        flag("the grader could not forbid new threads for the graded calls")


def private_channel():
    global _IN, _OUT
    in_fd, out_fd = os.dup(0), os.dup(1)
    null = os.open(os.devnull, os.O_RDWR)
    for fd in (0, 1, 2):
        os.dup2(null, fd)
    os.close(null)
    _IN, _OUT = os.fdopen(in_fd, "rb", buffering=1 << 16), out_fd


# ----------------------------------------------------------------------------- watching
_STATE = {"phase": "start", "grading": False}
#: folders bound read-only into the sandbox (Python, the venv, nnlib, MNIST): never scratch space
_READONLY = tuple(p for p in os.environ.get("NNLIB_GRADER_READONLY", "").split(os.pathsep) if p)
_ALWAYS = {"sys.settrace": "sys.settrace (a tracer was installed)",
           "ctypes.dlopen": "ctypes (a shared library was loaded)",
           "ctypes.dlsym": "ctypes (a C symbol was looked up)",
           "ctypes.cdata": "ctypes (memory was read at an address)",
           "ctypes.string_at": "ctypes (memory was read at an address)",
           "ctypes.addressof": "ctypes (the address of an object was taken)",
           "gc.get_objects": "gc.get_objects (the garbage collector's objects were searched)",
           "gc.get_referrers": "gc.get_referrers (the garbage collector's objects were searched)",
           "gc.get_referents": "gc.get_referents (the garbage collector's objects were searched)",
           "sys.addaudithook": "sys.addaudithook (an audit hook was added)",
           "_thread.start_new_thread": "a thread was started"}
_WHILE_GRADED = {"sys._getframe": "sys._getframe (the grader's frames were inspected while graded)",
                 "sys._current_frames": "sys._current_frames (frames were inspected while graded)",
                 "object.__getattr__": "frame or code attributes were read while graded",
                 "compile": "compile (code was compiled while graded)",
                 "exec": "exec (code was executed from text while graded)"}


_FRAME_WALKS = ("f_back", "tb_frame", "gi_frame", "cr_frame", "ag_frame", "f_locals", "tb_next")


def audit(event, args):
    phase = _STATE["phase"]
    if phase == "start":
        return
    if event == "sys.setprofile":
        if not RUNNER.PROFILE_OWNER[0]:
            flag("sys.setprofile (the profiler the grader uses to watch nnlib calls was switched)")
        return
    if event == "open" and args and isinstance(args[0], (str, bytes)):
        path = os.fsdecode(args[0])
        if path.startswith("/proc") and not path.startswith("/proc/self/fd"):
            flag(f"reading /proc (first {path[:60]})", key="proc")
        mode = args[1] if len(args) > 1 and isinstance(args[1], str) else ""
        flags = args[2] if len(args) > 2 and isinstance(args[2], int) else 0
        writing = any(c in mode for c in "wax+") or flags & (os.O_WRONLY | os.O_RDWR | os.O_CREAT | os.O_TRUNC)
        target = os.path.abspath(path)
        scratch = target.startswith(("/tmp/", "/dev/null")) and not any(
            target == root or target.startswith(root.rstrip("/") + "/") for root in _READONLY)
        if writing and not scratch:
            flag(f"tried to write outside its scratch folder (first {path[:80]})", key="write")
        return
    what = _ALWAYS.get(event)
    if what is None and _STATE["grading"] and RUNNER.IN_FUNCTION[0]:
        what = _WHILE_GRADED.get(event)
        if event == "object.__getattr__" and not (len(args) > 1 and args[1] in _FRAME_WALKS):
            what = None         # the grader's own watch reads frame.f_code
        if event in ("compile", "exec"):   # imports compile and exec files; code from text is flagged
            where = args[1] if event == "compile" and len(args) > 1 else getattr(args[0] if args else None,
                                                                             "co_filename", "")
            where = os.fsdecode(where) if isinstance(where, (str, bytes)) else ""
            if not where.startswith("<") or where == "<nnlib-reference>":
                what = None
    if what is not None:
        if os.environ.get("NNLIB_GRADER_DEBUG_AUDIT"):
            what += f" [{event} {str(args)[:80]}]"
        flag(what)


_WATCHED_SYS = ("setprofile", "getprofile", "settrace", "gettrace", "addaudithook", "modules", "meta_path",
                "path_hooks", "excepthook", "_getframe")
_WATCHED_MODULES = ("sys", "builtins", "os", "json", "signal", "threading", "_thread", "numpy",
                    "importlib", "nnlib", "nnlib.checks", "nnlib.checks.runner", "nnlib.checks.core",
                    "nnlib.activations", "nnlib.network", "nnlib.layers", "nnlib.costs")


def snapshot():
    return {"builtins": dict(vars(builtins)),
            "sys": {k: getattr(sys, k, None) for k in _WATCHED_SYS},
            "modules": {k: sys.modules.get(k) for k in _WATCHED_MODULES},
            "numpy": _numpy_functions()}


def _numpy_functions():
    np = sys.modules.get("numpy")
    names = ("allclose", "isclose", "array_equal", "asarray", "array", "exp", "tanh", "maximum", "where")
    return {k: getattr(np, k, None) for k in names} if np is not None else {}


def compare(before):
    """Flag what a cell or a graded call replaced since ``before``."""
    now = snapshot()
    for k, v in before["builtins"].items():
        if now["builtins"].get(k, v) is not v and not k.startswith("_"):
            flag(f"builtins.{k} was replaced")
    for k, v in before["sys"].items():
        if now["sys"][k] is not v:
            flag(f"sys.{k} was replaced")
    for k, v in before["modules"].items():
        if v is not None and now["modules"][k] is not v:
            flag(f"sys.modules[{k!r}] was replaced or removed")
    for k, v in before["numpy"].items():
        if now["numpy"].get(k) is not v:
            flag(f"numpy.{k} was replaced")
    if sys.getprofile() is not None and not _STATE["grading"]:
        flag("sys.setprofile (a profiler was left installed)")


# ----------------------------------------------------------------------------- arrays over the pipe
def pack_arrays(arrays):
    out = {}
    for k, a in arrays.items():
        out[k] = {"dtype": a.dtype.str, "shape": list(a.shape),
                  "b64": base64.b64encode(a.tobytes()).decode("ascii")}
    return out


def unpack_arrays(table):
    import numpy as np
    return {k: np.frombuffer(base64.b64decode(v["b64"]), dtype=np.dtype(v["dtype"])).reshape(v["shape"]).copy()
            for k, v in table.items()}


# ----------------------------------------------------------------------------- running
class CellTimeout(BaseException):
    pass


def _ring(signum, frame):
    raise CellTimeout()


def _error_text(exc):
    try:
        msg = " ".join(str(exc).split())
    except BaseException:
        msg = ""
    text = f"{type(exc).__name__}: {msg}" if msg else type(exc).__name__
    return text[:200]


def _compile_cell(source, number):
    try:
        return _compile(source, f"<cell {number}>", "exec")
    except SyntaxError:
        try:   # IPython syntax (%magics, !commands): let IPython turn it into Python
            from IPython.core.inputtransformer2 import TransformerManager
            return _compile(TransformerManager().transform_cell(source), f"<cell {number}>", "exec")
        except Exception:
            raise


def run_cells(cells, cell_timeout, main):
    for number, source in cells:
        send({"kind": "cell_start", "number": number})
        before = snapshot()
        status, error = "ok", ""
        _STATE["phase"] = "cells"
        try:
            code = _compile_cell(source, number)
            signal.signal(signal.SIGALRM, _ring)
            signal.setitimer(signal.ITIMER_REAL, cell_timeout)
            try:
                _exec(code, main.__dict__)
            finally:
                signal.setitimer(signal.ITIMER_REAL, 0)
        except CellTimeout:
            status = "timeout"
        except (Exception, SystemExit, KeyboardInterrupt) as exc:
            status, error = "error", _error_text(exc)
        finally:
            _STATE["phase"] = "between"
        compare(before)
        send({"kind": "cell_end", "number": number, "status": status, "error": error})


def grade_requests(main):
    while True:
        msg = receive()
        if msg.get("kind") != "exercise":
            return
        send({"kind": "ack", "id": msg.get("id")})   # received: the grader's proof that nobody else took it
        import numpy as np  # noqa: F401 (the runner needs it)
        arrays = unpack_arrays(msg["arrays"])
        req = msg["request"]
        cases = [(_build(c["args"], arrays), _build(c["kwargs"], arrays)) for c in req["cases"]]
        before = snapshot()
        out_arrays, outcomes = {}, []
        fn, problem = RUNNER.find_function(main.__dict__, req["name"])
        if problem is not None:
            outcomes.append(problem)
        else:
            for args, kwargs in cases:
                _STATE["grading"] = True
                _STATE["phase"] = "graded"
                try:
                    r = RUNNER.call_case(fn, args, kwargs, timeout=req["timeout"], collect=req["collect"],
                                         uses=req["uses"], allow_nnlib=req["allow_nnlib"],
                                         forbid_nnlib=req["forbid_nnlib"], forbid_numpy=req["forbid_numpy"],
                                         check_mutation=req["check_mutation"],
                                         private_uses=req["private_uses"], quiet=True,
                                         poison=req.get("poison", ()))
                finally:
                    _STATE["grading"] = False
                    _STATE["phase"] = "between"
                if "value" in r:
                    try:
                        r["value"] = RUNNER.encode(r.pop("value"), out_arrays)
                    except BaseException as exc:
                        r = {"status": "error", "message": f"the returned value could not be read: {_error_text(exc)}"}
                r.pop("seconds", None)
                outcomes.append(r)
                if r["status"] in ("not_implemented", "timeout"):
                    break
        compare(before)
        send({"kind": "result", "id": msg["id"], "outcomes": outcomes, "arrays": pack_arrays(out_arrays)})


def _build(tree, arrays):
    if isinstance(tree, dict) and "recipe" in tree:
        return RUNNER.Recipe(tree["recipe"], *[_build(p, arrays) for p in tree["params"]])
    if isinstance(tree, dict) and "tuple" in tree:
        return tuple(_build(v, arrays) for v in tree["tuple"])
    if isinstance(tree, dict) and "list" in tree:
        return [_build(v, arrays) for v in tree["list"]]
    if isinstance(tree, dict) and "dict" in tree:
        return {k: _build(v, arrays) for k, v in tree["dict"].items()}
    return RUNNER.decode(tree, arrays)


def _private_runner():
    """nnlib.checks.runner loaded from its file under a private name, kept out of sys.modules."""
    import importlib.util
    spec = importlib.util.find_spec("nnlib.checks.runner")
    module = types.ModuleType("_nnlib_sandbox_runner")
    module.__file__ = spec.origin
    source = open(spec.origin, encoding="utf-8").read()
    _exec(_compile(source, spec.origin, "exec"), module.__dict__)
    return module


RUNNER = None


def _font_cache():
    """Copy the grader's matplotlib font list (bound read-only beside this program) into the
    private config folder, so that plotting needs no rebuild of it."""
    here = os.path.dirname(os.path.abspath(__file__))
    target = os.environ.get("MPLCONFIGDIR")
    if not target or not here.startswith("/run/"):
        return
    try:
        names = [n for n in os.listdir(here) if n.startswith("fontlist-") and n.endswith(".json")]
        if names:
            os.makedirs(target, exist_ok=True)
            for n in names:
                with open(os.path.join(here, n), "rb") as src, open(os.path.join(target, n), "wb") as dst:
                    dst.write(src.read())
    except OSError:
        pass


def main():
    global RUNNER
    private_channel()
    config = receive()
    limit(config)
    RUNNER = _private_runner()
    _font_cache()
    import numpy  # noqa: F401 (loaded before the notebook, as a kernel would have it)
    sys.addaudithook(audit)
    notebook = types.ModuleType("__main__")
    notebook.__dict__["__builtins__"] = builtins
    sys.modules["__main__"] = notebook
    sys.argv = ["notebook"]
    send({"kind": "ready", "pid": os.getpid(), "uid": os.getuid()})
    run_cells([tuple(c) for c in config["cells"]], float(config["cell_timeout"]), notebook)
    _STATE["phase"] = "start"        # the grader's own look at /proc is no flag
    alone(bool(config.get("own_pid_namespace")))
    no_new_tasks()
    _STATE["phase"] = "between"
    send({"kind": "cells_done"})
    grade_requests(notebook)


if __name__ == "__main__":
    try:
        main()
    except SystemExit:
        pass
    finally:
        os._exit(0)   # no atexit handlers or thread joins of the notebook's
