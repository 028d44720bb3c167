"""Call a learner's function on test inputs and package what it returns.

This is the one part of :mod:`nnlib.checks` that runs beside the learner's code:
the notebook's ``check`` imports it, and the grader's sandbox program
(:mod:`nnlib_grader.child`) loads a private copy of it before the notebook runs
(so a notebook that patched ``nnlib`` cannot change it). It imports only the
standard library and numpy, and it never decides whether an answer is right:
it only calls the function, catches whatever goes wrong, and turns the result
into plain data (JSON plus numpy arrays) that the checking side compares.

For each case it

* passes *copies* of the inputs, and reports which inputs the function changed;
* replaces the notebook's other graded functions that the function calls
  (``uses``) by correct reference versions during the call, so every exercise
  is graded on its own;
* watches, unless ``allow_nnlib``, whether the function calls into ``nnlib``
  (a graded function must be written, not borrowed), and blocks the numpy
  functions named in ``forbid_numpy``;
* stops it after ``timeout`` seconds (SIGALRM, main thread only);
* summarises an exception in one line with the learner's line of code.
"""
from __future__ import annotations

import contextlib
import copy
import difflib
import importlib
import importlib.util
import io
import itertools
import json
import linecache
import os
import signal
import sys
import threading
import time
import traceback
import types
import warnings

import numpy as np

MAX_ITEMS = 10_000          # longest list collected from an iterator
MAX_ARRAY_BYTES = 100 << 20  # larger outputs are described, not shipped
MAX_TEXT = 300              # characters kept of messages and reprs


_THIS_FILE = __file__
# Taken when this module loads (in the grader's sandbox: before any notebook code runs), so a
# notebook that replaces sys.setprofile or threading.setprofile cannot switch off the watch.
_SETPROFILE, _GETPROFILE = sys.setprofile, sys.getprofile
_THREAD_SETPROFILE = threading.setprofile
_COMPILE, _EXEC = compile, exec
PROFILE_OWNER = [False]   # True while this module itself calls sys.setprofile (for audit hooks)
IN_FUNCTION = [False]     # True while the checked function runs (for the grader's audit hook)


class CaseTimeout(BaseException):
    """Raised by the alarm; a BaseException so that ``except Exception`` cannot swallow it."""


class Forbidden(BaseException):
    """Raised by a blocked numpy function."""


# ----------------------------------------------------------------------------- inputs
def _quadratic(A, b):
    A, b = np.asarray(A, float), np.asarray(b, float)

    def f(x):
        x = np.asarray(x, float)
        return float(0.5 * x @ A @ x - b @ x)

    def grad(x):
        return A @ np.asarray(x, float) - b
    return f, grad


def _make_function(kind, params):
    """Test functions handed to exercises that take a function (minimizers, gradients)."""
    if kind == "quadratic":
        return _quadratic(*params)[0]
    if kind == "quadratic_grad":
        return _quadratic(*params)[1]
    if kind == "sum_sin_sq":      # f(x) = sum(sin(x) * x**2): smooth, no easy closed form
        return lambda x: float(np.sum(np.sin(x) * np.asarray(x, float) ** 2))
    if kind == "parabola_grad":   # f(x) = (x - c)^2 elementwise: grad 2 (x - c)
        c = np.asarray(params[0], float)
        return lambda x: 2.0 * (np.asarray(x, float) - c)
    if kind == "log_sum_exp":
        return lambda x: float(np.log(np.sum(np.exp(np.asarray(x, float)))))
    if kind in _ACTIVATIONS:
        return _ACTIVATIONS[kind]
    raise ValueError(f"unknown test function {kind!r}")


def _sigmoid(z):
    return 0.5 * (1.0 + np.tanh(0.5 * np.asarray(z)))


def _relu(z):
    return np.maximum(z, 0)


def _identity(z):
    return np.asarray(z) * 1


def _step(z):
    return (np.asarray(z) >= 0).astype(float)


_ACTIVATIONS = {"sigmoid": _sigmoid, "relu": _relu, "tanh": np.tanh, "identity": _identity,
                "step": _step}


def _mnist(part):
    from nnlib.datasets import load_mnist  # cached after the first call
    (X, y), (Xt, yt) = load_mnist()
    return {"X_train": X, "y_train": y, "X_test": Xt, "y_test": yt}[part]


def _make_network(desc):
    import nnlib  # the learner's own nnlib: the trained weights are judged by the grader anyway
    layers = []
    for layer in desc["layers"]:
        if layer["kind"] == "dense":
            W, b = layer["W"], layer["b"]
            d = nnlib.Dense(W.shape[0], W.shape[1], layer.get("activation"), dtype=W.dtype)
            d.params["W"][...] = W
            d.params["b"][...] = b
            layers.append(d)
        elif layer["kind"] == "dropout":
            layers.append(nnlib.Dropout(layer["p"], seed=0))
        else:
            layers.append(nnlib.ActivationLayer(layer["activation"]))
    return nnlib.Network(layers, loss=desc["loss"], l2=desc.get("l2", 0.0))


class Recipe:
    """An input that must be built where the function runs: a random generator,
    a test function, a fresh network. ``build()`` makes a new one each time."""

    def __init__(self, kind, *params):
        self.kind, self.params = kind, params

    def build(self):
        if self.kind == "rng":
            return np.random.default_rng(self.params[0])
        if self.kind == "network":
            return _make_network(self.params[0])
        if self.kind == "mnist":
            return _mnist(self.params[0])
        return _make_function(self.kind, self.params)

    def __repr__(self):
        if self.kind == "rng":
            return f"np.random.default_rng({self.params[0]})"
        if self.kind == "network":
            sizes = [layer["W"].shape for layer in self.params[0]["layers"] if layer["kind"] == "dense"]
            return f"a Network with Dense layers {sizes}"
        if self.kind == "mnist":
            return f"MNIST {self.params[0]}"
        if self.kind in _ACTIVATIONS:
            return self.kind
        return f"<test function {self.kind}>"


class Poisoned:
    """Stands in, during a call, for a notebook global the function must not use (``X_test``
    while training): any use (as an array, indexing, ``len``, an attribute) raises
    :class:`Forbidden` and is noted, so even a function that swallows the error is reported."""

    def __init__(self, name, touched):
        object.__setattr__(self, "_name", name)
        object.__setattr__(self, "_touched", touched)

    def _use(self, *args, **kwargs):
        self._touched.append(self._name)
        raise Forbidden(f"test data: {self._name}")

    __array__ = __getitem__ = __iter__ = __len__ = __call__ = _use
    __add__ = __radd__ = __sub__ = __rsub__ = __mul__ = __rmul__ = __truediv__ = __matmul__ = _use
    __rmatmul__ = __eq__ = __lt__ = __gt__ = __le__ = __ge__ = __bool__ = __float__ = __int__ = _use
    __hash__ = object.__hash__

    def __getattr__(self, attr):
        if attr.startswith("__") and attr.endswith("__"):
            raise AttributeError(attr)
        self._use()

    def __setattr__(self, attr, value):
        self._use()

    def __repr__(self):
        return f"<stand-in for {self._name}: not to be used here>"


def _reseeded(value, offset=7919):
    """``value`` with every random-generator recipe moved to another seed (a generator in
    another state), for checks that the function draws from the generator it is given."""
    if isinstance(value, Recipe) and value.kind == "rng":
        return Recipe("rng", value.params[0] + offset)
    if isinstance(value, tuple):
        return tuple(_reseeded(v, offset) for v in value)
    if isinstance(value, list):
        return [_reseeded(v, offset) for v in value]
    if isinstance(value, dict):
        return {k: _reseeded(v, offset) for k, v in value.items()}
    return value


def _shares_input(value, inputs):
    """Indices of the input arrays that the returned value is, or shares memory with."""
    found = []
    values = value if isinstance(value, (tuple, list)) else (value,)
    for i, a in enumerate(inputs):
        if isinstance(a, np.ndarray) and any(isinstance(v, np.ndarray) and (v is a or np.may_share_memory(v, a))
                                              for v in values):
            found.append(i)
    return found


def materialize(value):
    """Deep copy of an input with every :class:`Recipe` built."""
    if isinstance(value, Recipe):
        return value.build()
    if isinstance(value, np.ndarray):
        return value.copy()
    if isinstance(value, tuple):
        return tuple(materialize(v) for v in value)
    if isinstance(value, list):
        return [materialize(v) for v in value]
    if isinstance(value, dict):
        return {k: materialize(v) for k, v in value.items()}
    return copy.deepcopy(value)


def _same(a, b):
    """Did an input stay as it was? (arrays by value, containers recursively)."""
    if isinstance(a, np.ndarray):
        return isinstance(b, np.ndarray) and a.shape == b.shape and bool(
            np.array_equal(a, b, equal_nan=a.dtype.kind in "fc"))
    if isinstance(a, (list, tuple)):
        return isinstance(b, (list, tuple)) and len(a) == len(b) and all(map(_same, a, b))
    if isinstance(a, dict):
        return isinstance(b, dict) and a.keys() == b.keys() and all(_same(a[k], b[k]) for k in a)
    return True


# ----------------------------------------------------------------------------- encoding
def encode(value, arrays, depth=0):
    """Plain JSON-able data for ``value``; arrays go into ``arrays`` (name -> ndarray)."""
    if depth > 20:
        return {"obj": "nested too deeply", "repr": ""}
    if value is None or isinstance(value, (bool, str)):
        return value if not isinstance(value, str) else {"str": value[:MAX_TEXT]}
    if isinstance(value, np.generic):  # before int/float: np.float64 is a float
        if value.dtype.kind in "biuf":
            return {"scalar": value.dtype.str, "v": repr(value.item())}
        return {"obj": f"numpy {value.dtype} scalar", "repr": _short_repr(value)}
    if isinstance(value, int):
        return {"int": str(value)}
    if isinstance(value, float):
        return {"float": repr(float(value))}
    if isinstance(value, np.ndarray):
        if value.dtype.kind not in "biuf":
            return {"obj": f"numpy array of dtype {value.dtype}", "repr": _short_repr(value)}
        if value.nbytes > MAX_ARRAY_BYTES:
            return {"obj": f"numpy array of shape {value.shape} (too large to check)", "repr": ""}
        key = f"a{len(arrays)}"
        # np.ascontiguousarray returns at least 1-d: reshape so that a 0-d answer stays 0-d
        arrays[key] = np.ascontiguousarray(value).reshape(value.shape)
        return {"array": key}
    if isinstance(value, tuple):
        return {"tuple": [encode(v, arrays, depth + 1) for v in value]}
    if isinstance(value, list):
        return {"list": [encode(v, arrays, depth + 1) for v in value[:MAX_ITEMS]]}
    if isinstance(value, dict) and all(isinstance(k, str) for k in value):
        return {"dict": {k: encode(v, arrays, depth + 1) for k, v in list(value.items())[:MAX_ITEMS]}}
    net = _describe_network(value)
    if net is not None:
        return {"network": encode(net, arrays, depth + 1)}
    return {"obj": type(value).__name__, "repr": _short_repr(value)}


class Opaque:
    """Something returned that is not numbers, arrays or containers of them."""

    def __init__(self, type_name, text=""):
        self.type_name, self.text = type_name, text

    def __repr__(self):
        return f"<{self.type_name}{': ' + self.text if self.text else ''}>"


class NetworkDescription(dict):
    """A returned network, as data: {"loss": name, "l2": float, "layers": [...]}."""


def decode(tree, arrays):
    """Inverse of :func:`encode` (arrays: a mapping name -> ndarray)."""
    if tree is None or isinstance(tree, bool):
        return tree
    if not isinstance(tree, dict) or len(tree) == 0:
        return Opaque("unreadable value")
    if "str" in tree:
        return str(tree["str"])
    if "int" in tree:
        return int(tree["int"])
    if "float" in tree:
        return float(tree["float"])
    if "scalar" in tree:
        dt = np.dtype(tree["scalar"])
        if dt.kind not in "biuf":
            return Opaque("numpy scalar")
        raw = tree["v"]
        v = {"b": lambda s: s == "True", "f": float}.get(dt.kind, int)(raw)
        return dt.type(v)
    if "array" in tree:
        a = arrays[tree["array"]]
        return a if a.dtype.kind in "biuf" else Opaque("array")
    if "tuple" in tree:
        return tuple(decode(v, arrays) for v in tree["tuple"])
    if "list" in tree:
        return [decode(v, arrays) for v in tree["list"]]
    if "dict" in tree:
        return {str(k): decode(v, arrays) for k, v in tree["dict"].items()}
    if "network" in tree:
        return NetworkDescription(decode(tree["network"], arrays))
    return Opaque(str(tree.get("obj", "object"))[:80], str(tree.get("repr", ""))[:MAX_TEXT])


def _describe_network(value):
    """A Network's layers as plain data (weights, biases, activation names), or None."""
    cls = type(value)
    if cls.__name__ != "Network" or "nnlib" not in str(getattr(cls, "__module__", "")):
        return None
    layers = []
    for layer in getattr(value, "layers", []):
        kind = type(layer).__name__
        act = getattr(getattr(layer, "activation", None), "name", None)
        if kind == "Dense":
            layers.append({"kind": "dense", "W": np.array(layer.params["W"]),
                           "b": np.array(layer.params["b"]), "activation": str(act)})
        elif kind == "Dropout":
            layers.append({"kind": "dropout", "p": float(layer.p)})
        elif kind == "ActivationLayer":
            layers.append({"kind": "activation", "activation": str(act)})
        else:
            layers.append({"kind": "unknown", "name": kind})
    cost = getattr(value, "cost", None)
    return {"loss": str(getattr(cost, "name", "?")), "l2": float(getattr(value, "l2", 0.0)),
            "layers": layers}


def _short_repr(value):
    try:
        text = repr(value)
    except BaseException:  # a hostile __repr__
        text = f"<{type(value).__name__}>"
    return text if len(text) <= MAX_TEXT else text[:MAX_TEXT - 3] + "..."


def roundtrip(value):
    """What the checking side would receive from the kernel, without files."""
    arrays = {}
    tree = json.loads(json.dumps(encode(value, arrays)))
    return decode(tree, {k: v.copy() for k, v in arrays.items()})


# ----------------------------------------------------------------------------- calling
class _Sink(io.TextIOBase):
    """Swallows what a function prints while it is graded (counting the characters)."""
    chars = 0

    def write(self, s):
        self.chars += len(s)
        return len(s)

    def writable(self):
        return True


class _Watch:
    """A profile hook that notes the first call into nnlib outside the allowed references."""

    def __init__(self, nnlib_dir, allowed_codes, only=()):
        self.nnlib_dir, self.allowed, self.only = nnlib_dir, allowed_codes, set(only)
        self.depth, self.first = 0, None

    def __call__(self, frame, event, arg):
        if event == "call":
            code = frame.f_code
            if code in self.allowed:
                self.depth += 1
            elif (self.depth == 0 and self.first is None and code.co_filename.startswith(self.nnlib_dir)
                  and code.co_filename != _THIS_FILE):  # test functions built here are fine
                qualname = getattr(code, "co_qualname", code.co_name)
                if not self.only or qualname in self.only:
                    module = frame.f_globals.get("__name__", "nnlib")
                    self.first = f"{module}.{qualname}"
        elif event == "return" and frame.f_code in self.allowed:
            self.depth -= 1


def _nnlib_dir():
    spec = importlib.util.find_spec("nnlib")
    if spec is None or not spec.origin:
        return None
    return os.path.dirname(os.path.abspath(spec.origin)) + os.sep


def _private_nnlib(submodules=()):
    """A fresh import of the nnlib package (and ``submodules``, e.g. "nnlib.activations")
    under a private name, not kept in sys.modules: reference functions come from it, so a
    notebook that patched ``nnlib`` cannot change them."""
    origin = importlib.util.find_spec("nnlib").origin
    alias = "_nnlib_checks_private"
    saved = {k: v for k, v in sys.modules.items() if k == alias or k.startswith(alias + ".")}
    try:
        spec = importlib.util.spec_from_file_location(
            alias, origin, submodule_search_locations=[os.path.dirname(origin)])
        package = importlib.util.module_from_spec(spec)
        sys.modules[alias] = package
        spec.loader.exec_module(package)
        for name in submodules:
            if name.startswith("nnlib."):
                importlib.import_module(alias + name[len("nnlib"):])
        modules = {k: v for k, v in sys.modules.items() if k == alias or k.startswith(alias + ".")}
    finally:
        for k in [k for k in sys.modules if k == alias or k.startswith(alias + ".")]:
            del sys.modules[k]
        sys.modules.update(saved)
    return modules


_PRIVATE = {}  # submodules -> {private module name: module}, loaded once per runner


@contextlib.contextmanager
def _private_modules(submodules):
    """The private nnlib modules by their public names ("nnlib.activations"), registered in
    sys.modules under their private names while in use (their lazy imports need that)."""
    key = frozenset(submodules)
    if key not in _PRIVATE:
        _PRIVATE[key] = _private_nnlib(key)
    modules = _PRIVATE[key]
    before = {k: sys.modules[k] for k in modules if k in sys.modules}
    sys.modules.update(modules)
    try:
        alias = "_nnlib_checks_private"
        yield {("nnlib" + k[len(alias):]): v for k, v in modules.items()}
    finally:
        for k in modules:
            sys.modules.pop(k, None)
        sys.modules.update(before)


_SOURCES = {}  # reference source text -> its namespace, built once per runner


def _from_source(spec):
    """A reference function sent as source by the grader ({"source": ..., "name": ...}),
    defined in a namespace of its own."""
    ns = _SOURCES.get(spec["source"])
    if ns is None:
        ns = {"__name__": "_nnlib_reference", "__builtins__": __builtins__}
        _EXEC(_COMPILE(spec["source"], "<nnlib-reference>", "exec"), ns)
        _SOURCES[spec["source"]] = ns
    return ns[spec["name"]]


def _resolve(dotted, modules):
    if isinstance(dotted, dict):
        return _from_source(dotted)
    module, _, attr = dotted.rpartition(".")
    if module not in modules:
        raise ImportError(f"reference module {module} is not available")
    return getattr(modules[module], attr)


def _reference_wrapper(ref, inside):
    def reference(*args, **kwargs):
        inside[0] += 1
        try:
            return ref(*args, **kwargs)
        finally:
            inside[0] -= 1
    return reference


@contextlib.contextmanager
def _alarm(seconds):
    usable = (seconds and hasattr(signal, "setitimer")
              and threading.current_thread() is threading.main_thread())
    if not usable:
        yield
        return

    def ring(signum, frame):
        raise CaseTimeout()
    old = signal.signal(signal.SIGALRM, ring)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, old)


@contextlib.contextmanager
def _patched(fn, uses, forbid_numpy, private=True, poison=(), touched=None):
    """Swap dependencies into the function's globals, block forbidden numpy names and put
    stand-ins (:class:`Poisoned`) in place of the globals named in ``poison``."""
    g = getattr(fn, "__globals__", None)
    saved, blocked, missing = {}, [], object()
    allowed, inside = set(), [0]   # inside: depth of calls into reference functions
    stack = contextlib.ExitStack()
    try:
        if isinstance(g, dict) and uses:
            wanted = {d.rpartition(".")[0] for d in uses.values() if isinstance(d, str)}
            ours = {m for m in wanted if m == "nnlib" or m.startswith("nnlib.")}
            if private:
                modules = dict(stack.enter_context(_private_modules(ours)))
            else:  # the reference builds objects that must work with the learner's nnlib
                modules = {m: importlib.import_module(m) for m in ours}
            # the grading side's references (checking in the grader's own process)
            modules.update({m: importlib.import_module(m) for m in wanted - ours})
            for name, dotted in uses.items():
                wrapper = _reference_wrapper(_resolve(dotted, modules), inside)
                allowed.add(wrapper.__code__)
                saved[name] = g.get(name, missing)
                g[name] = wrapper
        if isinstance(g, dict):
            for name in poison or ():
                if name not in saved:
                    saved[name] = g.get(name, missing)
                g[name] = Poisoned(name, touched if touched is not None else [])
        for name in forbid_numpy or ():
            real = getattr(np, name)

            def stub(*a, _name=name, _real=real, **k):
                if inside[0]:            # a reference function may use it
                    return _real(*a, **k)
                raise Forbidden(f"np.{_name}")
            blocked.append((np, name, real))
            setattr(np, name, stub)
            if isinstance(g, dict):
                for k, v in list(g.items()):
                    if v is real:
                        blocked.append((g, k, real))
                        g[k] = stub
        yield allowed
    finally:
        for target, name, real in reversed(blocked):
            if isinstance(target, dict):
                target[name] = real
            else:
                setattr(target, name, real)
        for name, old in saved.items():
            if old is missing:
                g.pop(name, None)
            else:
                g[name] = old
        stack.close()


def _learner_line(tb):
    """'line 3: return W @ X + b' for the deepest frame of the learner's own code."""
    skip = (os.path.dirname(np.__file__), os.path.dirname(os.__file__), "<nnlib-grader>", __file__)
    nnlib_dir = _nnlib_dir() or "\0"
    best = None
    for fr in traceback.extract_tb(tb):
        if fr.filename.startswith(skip) or fr.filename.startswith(nnlib_dir) or fr.filename == "<frozen runpy>":
            continue
        best = fr
    if best is None:
        return ""
    text = (best.line or linecache.getline(best.filename, best.lineno)).strip()
    where = f"in {best.name}, " if best.name not in ("<module>", "<lambda>") else ""
    return f"{where}line {best.lineno}: {text}"[:MAX_TEXT] if text else f"{where}line {best.lineno}"


def _exception_text(exc):
    try:
        msg = str(exc)
    except BaseException:
        msg = ""
    msg = " ".join(msg.split())
    if len(msg) > 200:
        msg = msg[:197] + "..."
    return f"{type(exc).__name__}: {msg}" if msg else type(exc).__name__


def call_case(fn, args, kwargs=None, *, timeout=10.0, collect="value", uses=None,
              allow_nnlib=True, forbid_nnlib=(), forbid_numpy=(), check_mutation=True,
              private_uses=True, quiet=False, poison=()):
    """Run ``fn(*args, **kwargs)`` once; return a dict describing what happened.

    Keys: ``status`` ("ok", "not_implemented", "error", "timeout", "forbidden"),
    ``value`` (the raw return value, for "ok"), ``message`` and ``line`` for the
    others, ``mutated`` (indices/names of inputs the call changed), ``warnings``,
    ``printed`` (characters printed while quiet) and ``seconds``.

    ``allow_nnlib=False`` reports any call into nnlib; with ``allow_nnlib=True``,
    ``forbid_nnlib`` names the nnlib functions (qualified names such as
    ``"Network.fit"``) that are still reported. ``poison`` names notebook globals (the test
    set) that the function must not use: any use is reported as "forbidden".

    ``collect="rng_probe"`` (``"iterate_rng_probe"`` for generators) calls the function three
    times: as given, again with a generator in the same state, and with a generator in another
    state; the value is ``{"rng_probe": [three results]}``
    (so a check can see whether the result comes from the generator it was handed).
    ``aliased`` lists the inputs that the returned value is (or shares memory with).
    """
    kwargs = kwargs or {}
    call_args, call_kwargs = materialize(tuple(args)), materialize(dict(kwargs))
    before = (materialize(call_args), materialize(call_kwargs)) if check_mutation else ((), {})
    out = {"status": "ok", "mutated": [], "warnings": [], "printed": 0}
    sink = _Sink()
    nnlib_dir = _nnlib_dir() if (not allow_nnlib or forbid_nnlib) else None
    watch = None
    touched = []   # the poisoned globals the function used
    start = time.perf_counter()
    try:
        with contextlib.ExitStack() as stack:
            allowed = stack.enter_context(_patched(fn, uses, forbid_numpy, private_uses, poison, touched))
            caught = stack.enter_context(warnings.catch_warnings(record=True))
            # an overflow is reported even when the notebook silenced numpy (np.seterr(all="ignore")):
            # some exercises ask for functions that never overflow
            stack.enter_context(np.errstate(over="warn"))
            warnings.simplefilter("always")
            if quiet:
                stack.enter_context(contextlib.redirect_stdout(sink))
                stack.enter_context(contextlib.redirect_stderr(sink))
            if nnlib_dir:
                code = getattr(fn, "__code__", None)
                if code is not None and code.co_filename.startswith(nnlib_dir) and not allow_nnlib:
                    raise Forbidden(f"{getattr(fn, '__module__', 'nnlib')}.{getattr(fn, '__name__', '?')}")
                watch = _Watch(nnlib_dir, allowed, only=forbid_nnlib if allow_nnlib else ())
            with _alarm(timeout):
                if watch:
                    _set_watch(watch)
                try:
                    IN_FUNCTION[0] = True
                    try:
                        value = fn(*call_args, **call_kwargs)
                        if collect in ("rng_probe", "iterate_rng_probe"):  # same generator state, another state
                            runs = [value, fn(*materialize(tuple(args)), **materialize(dict(kwargs))),
                                    fn(*materialize(_reseeded(tuple(args))), **materialize(_reseeded(dict(kwargs))))]
                            if collect == "iterate_rng_probe":
                                runs = [_collect(v) for v in runs]
                            value = {"rng_probe": runs}
                    finally:
                        IN_FUNCTION[0] = False
                    if collect == "iterate":
                        value = _collect(value)
                    elif collect == "with_inputs":   # the function trains what it was given
                        value = (value, call_args)
                finally:
                    if watch:
                        still_watching = _GETPROFILE() is watch
                        _set_watch(None)
                        if not still_watching and watch.first is None:
                            watch.first = "sys.setprofile (it switched off the check's watch for nnlib calls)"
            out["warnings"] = sorted({f"{w.category.__name__}: {w.message}"[:MAX_TEXT] for w in caught})[:3]
        if watch is not None and watch.first:
            out.update(status="forbidden", message=watch.first)
        else:
            out["value"] = value
    except NotImplementedError as exc:
        out.update(status="not_implemented", message=_exception_text(exc), line=_learner_line(exc.__traceback__))
    except CaseTimeout:
        out.update(status="timeout", message=f"still running after {timeout:g} s", limit=timeout)
    except Forbidden as exc:
        out.update(status="forbidden", message=str(exc))
    except (Exception, SystemExit) as exc:  # KeyboardInterrupt is the grader stopping the run
        out.update(status="error", message=_exception_text(exc), line=_learner_line(exc.__traceback__))
    finally:
        out["seconds"] = time.perf_counter() - start
        out["printed"] = sink.chars
    if watch is not None and watch.first and out["status"] == "ok":
        out.update(status="forbidden", message=watch.first)
        out.pop("value", None)
    if touched and out["status"] in ("ok", "error"):   # a use of the test set that was swallowed
        out.update(status="forbidden", message=f"test data: {touched[0]}")
        out.pop("value", None)
    if "value" in out and check_mutation:
        out["aliased"] = _shares_input(out["value"], call_args)
    for i, (old, new) in enumerate(zip(before[0], call_args)):
        if not _same(old, new):
            out["mutated"].append(i)
    for k in before[1]:
        if not _same(before[1][k], call_kwargs[k]):
            out["mutated"].append(k)
    return out


def _set_watch(watch):
    PROFILE_OWNER[0] = True
    try:
        _SETPROFILE(watch)
        _THREAD_SETPROFILE(watch)   # threads started by the function are watched too
    finally:
        PROFILE_OWNER[0] = False


def _collect(value):
    """A generator or iterator as a list (at most MAX_ITEMS + 1 items)."""
    if isinstance(value, (list, tuple, np.ndarray)) or not hasattr(value, "__iter__"):
        return value if not isinstance(value, np.ndarray) else value
    return list(itertools.islice(iter(value), MAX_ITEMS + 1))


def similar_names(namespace, name):
    """Functions defined in the notebook whose names look like ``name`` (renamed?)."""
    mine = [k for k, v in namespace.items()
            if isinstance(v, types.FunctionType) and not k.startswith("_")
            and getattr(v, "__module__", None) == "__main__"]
    return difflib.get_close_matches(name, mine, n=3, cutoff=0.6)


def find_function(namespace, name):
    """(fn, None) or (None, outcome) for a missing or non-callable name."""
    if name not in namespace:
        near = similar_names(namespace, name)
        msg = f"there is no function named {name} in the notebook"
        if near:
            msg += f" (found {', '.join(near)}: renamed? the grader looks for {name} by name)"
        return None, {"status": "missing", "message": msg}
    fn = namespace[name]
    if not callable(fn):
        return None, {"status": "missing",
                      "message": f"{name} is a {type(fn).__name__}, not a function"}
    return fn, None


# ----------------------------------------------------------------------------- in the grader's kernel
def _load_request(path):
    with open(path + ".json") as f:
        req = json.load(f)
    with np.load(path + ".npz", allow_pickle=False) as data:
        arrays = {k: data[k] for k in data.files}

    def build(tree):
        if isinstance(tree, dict) and "recipe" in tree:
            return Recipe(tree["recipe"], *[build(p) for p in tree["params"]])
        if isinstance(tree, dict) and "tuple" in tree:
            return tuple(build(v) for v in tree["tuple"])
        if isinstance(tree, dict) and "list" in tree:
            return [build(v) for v in tree["list"]]
        if isinstance(tree, dict) and "dict" in tree:
            return {k: build(v) for k, v in tree["dict"].items()}
        return decode(tree, arrays)
    req["cases"] = [(build(c["args"]), build(c["kwargs"])) for c in req["cases"]]
    return req


def run_request(namespace, request_path, output_path):
    """Run every case of one exercise on the namespace's function; write the outcomes.

    Writes ``output_path + ".json"`` (outcomes, values encoded) and ``".npz"`` (arrays).
    """
    req = _load_request(request_path)
    arrays, outcomes = {}, []
    fn, problem = find_function(namespace, req["name"])
    if problem is not None:
        outcomes.append(problem)
    else:
        for args, kwargs in req["cases"]:
            r = call_case(fn, args, kwargs, timeout=req["timeout"], collect=req["collect"],
                          uses=req["uses"], allow_nnlib=req["allow_nnlib"],
                          forbid_nnlib=req["forbid_nnlib"], forbid_numpy=req["forbid_numpy"],
                          check_mutation=req["check_mutation"], private_uses=req["private_uses"],
                          poison=req.get("poison", ()), quiet=True)
            if "value" in r:
                r["value"] = encode(r.pop("value"), arrays)
            outcomes.append(r)
            if r["status"] in ("not_implemented", "timeout"):
                break
    np.savez(output_path + ".npz", **arrays)
    with open(output_path + ".json", "w") as f:
        json.dump({"outcomes": outcomes}, f)


def encode_request(name, cases, *, timeout, collect, uses, allow_nnlib, forbid_nnlib=(),
                   forbid_numpy=(), check_mutation=False, private_uses=True, quiet=True, poison=()):
    """The grader's side of :func:`_load_request`: (json-able dict, arrays)."""
    arrays = {}

    def enc(v):
        if isinstance(v, Recipe):
            return {"recipe": v.kind, "params": [enc(p) for p in v.params]}
        if isinstance(v, tuple):
            return {"tuple": [enc(x) for x in v]}
        if isinstance(v, list):
            return {"list": [enc(x) for x in v]}
        if isinstance(v, dict):
            return {"dict": {k: enc(x) for k, x in v.items()}}
        return encode(v, arrays)
    req = {"name": name, "timeout": timeout, "collect": collect, "uses": dict(uses or {}),
           "allow_nnlib": bool(allow_nnlib), "forbid_nnlib": list(forbid_nnlib or ()),
           "forbid_numpy": list(forbid_numpy or ()), "check_mutation": bool(check_mutation),
           "private_uses": bool(private_uses), "poison": list(poison or ()),
           "cases": [{"args": enc(tuple(a)), "kwargs": enc(dict(k))} for a, k in cases]}
    return req, arrays
