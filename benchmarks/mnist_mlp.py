"""How fast does nnlib train an MLP on MNIST, and how far is it from the hardware?

Trains the 784-128-10 network of lesson 9 (ReLU hidden layer, softmax
cross-entropy, float32) on the 60,000 MNIST training images, for batch sizes
64 and 128 with SGD and with Adam, and prints seconds per epoch and accuracy on
the official 10,000 test images after every epoch. In the same process it
trains two references on the same data, in the same order, from the same
initial weights:

* a plain, hand-written numpy MLP (the same math in ~20 lines, no library);
* the five matrix products of each batch and nothing else ("products only"):
  what BLAS alone needs at these shapes, a floor for any numpy training loop;
* the identical model in PyTorch, if ``torch`` can be imported (it is not a
  course dependency; ``--no-torch`` skips it).

It also counts the floating-point operations of one epoch, measures this
machine's float32 matrix-multiply speed (GFLOP/s), and so gives a lower bound
on the time of an epoch. All of this runs twice: with numpy's BLAS (and PyTorch)
on one thread and on two. Finally it trains the course's named accuracy recipe
(``benchmarks/mnist_accuracy.py``: two hidden layers, dropout, a decaying
learning rate, shifted images) for seeds 0, 1 and 2 and measures it on the test set.

Targets (PASS/FAIL at the end), per epoch of 784-128-10 at each thread count:
nnlib at most 0.8x PyTorch and at most 1.15x the hand-written numpy loop (the
median of the per-epoch ratios); the accuracy recipe at least 98.5 % test
accuracy in at most 60 s of training, for each seed.

Run from the repository root (``make bench`` does this)::

    .venv/bin/python benchmarks/mnist_mlp.py            # the full run, about ten minutes
    .venv/bin/python benchmarks/mnist_mlp.py --quick    # smoke run: 1 epoch, batch 128
    .venv/bin/python benchmarks/mnist_mlp.py --epochs 3 --no-torch --threads 1

Options: ``--quick`` (1 epoch, batch 128, no accuracy run), ``--epochs N``
(default 5), ``--no-torch``, ``--threads N [N ...]`` (the thread counts of
numpy's BLAS and PyTorch to time, default 1 2), ``--no-accuracy``.

Timing notes. The contenders take turns epoch by epoch on the same batches, so
slow and fast phases of the machine reach all of them; nnlib/PyTorch ratios are
taken per epoch and summarised by their median. The matmul peak is measured
again before every configuration and the best value is used. A machine that is
running other work gives meaningless figures, so the run reports how much CPU
time other programs took meanwhile (from /proc/stat). nnlib's epoch time is the
one ``fit`` itself measures (``history["seconds"]``), which excludes the one-off
input validation that ``fit`` does before its first epoch; that cost is printed
separately. The script exits with status 1 if a target fails.
"""
from __future__ import annotations

import argparse
import ctypes
import os
import pathlib
import platform
import sys
import time

import numpy as np

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parents[1]))  # run from a checkout, no install

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent))  # the accuracy recipe beside this file

import mnist_accuracy  # noqa: E402

import nnlib  # noqa: E402
from nnlib.datasets import load_mnist  # noqa: E402
from nnlib.layers import Dense  # noqa: E402
from nnlib.network import Network  # noqa: E402
from nnlib.optimizers import SGD, Adam  # noqa: E402

SIZES = (784, 128, 10)
LEARNING_RATES = {"sgd": 0.1, "adam": 1e-3}
MAX_RATIO_TORCH, MAX_RATIO_NUMPY = 0.8, 1.15  # nnlib's epoch time over PyTorch's, over the numpy loop's
PAUSE = 0.2  # seconds between contenders, so the previous one's idle BLAS/OpenMP threads go to sleep


# ---------------------------------------------------------------------------------------------
# The machine
# ---------------------------------------------------------------------------------------------
class NumpyBLAS:
    """numpy's BLAS library: its name, and its thread count read and set through the library itself.

    Create it before importing torch, which loads BLAS libraries of its own.
    """
    GETTERS = ("scipy_openblas_get_num_threads64_", "openblas_get_num_threads64_",
               "openblas_get_num_threads", "MKL_Get_Max_Threads", "bli_thread_get_num_threads")
    SETTERS = ("scipy_openblas_set_num_threads64_", "openblas_set_num_threads64_",
               "openblas_set_num_threads", "MKL_Set_Num_Threads", "bli_thread_set_num_threads")

    def __init__(self):
        self.name = "unknown BLAS"
        try:
            cfg = np.show_config(mode="dicts")["Build Dependencies"]["blas"]
            self.name = f"{cfg.get('name', '?')} {cfg.get('version', '')}".strip()
        except Exception:  # older numpy: no dict mode
            pass
        self._get = self._set = None
        try:
            maps = pathlib.Path("/proc/self/maps").read_text()
        except OSError:
            maps = ""
        libs = {line.split()[-1] for line in maps.splitlines()
                if any(k in line.lower() for k in ("blas", "mkl", "blis")) and ".so" in line}
        for lib in sorted(libs):
            try:
                handle = ctypes.CDLL(lib)
            except OSError:
                continue
            get = next((getattr(handle, g) for g in self.GETTERS if hasattr(handle, g)), None)
            if get is not None:
                get.restype = ctypes.c_int
                self._get = get
                self._set = next((getattr(handle, f) for f in self.SETTERS if hasattr(handle, f)), None)
                break

    @property
    def threads(self) -> int | None:
        return int(self._get()) if self._get is not None else None

    def set_threads(self, n: int) -> bool:
        if self._set is None:
            return False
        self._set(ctypes.c_int(n))
        return self.threads == n


def matmul_gflops(size: int = 2048, repeats: int = 5) -> float:
    """Best float32 GFLOP/s of (size x size) @ (size x size) over a few runs (2 size^3 flops each)."""
    rng = np.random.default_rng(0)
    a = rng.standard_normal((size, size), dtype=np.float32)
    b = rng.standard_normal((size, size), dtype=np.float32)
    a @ b  # warm up threads and caches
    best = min(_timed(lambda: a @ b) for _ in range(repeats))
    return 2 * size ** 3 / best / 1e9


class OtherLoad:
    """How busy other programs kept the CPUs between start() and share() (Linux only).

    Timings on a machine that is running something else are not worth much: this
    says how much of the CPUs' time went to other processes (from /proc/stat, minus
    this process's own CPU time), so a reader can tell a real figure from a disturbed one.
    """
    TICK = os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 100

    def __init__(self):
        self.start()

    @staticmethod
    def _counters():
        try:
            fields = [int(x) for x in pathlib.Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:9]]
        except (OSError, ValueError):
            return None
        total = sum(fields)
        busy = total - fields[3] - fields[4]  # all but idle and iowait
        own = sum(os.times()[:4]) * OtherLoad.TICK  # this process and its children, user + system
        return busy, total, own

    def start(self):
        self.begin = self._counters()

    def share(self) -> float | None:
        """Fraction of the CPUs' time used by other processes since start(), or None if unknown."""
        end = self._counters()
        if end is None or self.begin is None or end[1] <= self.begin[1]:
            return None
        busy, total, own = (b - a for a, b in zip(self.begin, end))
        return max(0.0, (busy - own) / total)


def describe_load(share) -> str:
    if share is None:
        return "other load unknown"
    note = "" if share < 0.10 else " -- the machine was busy: these timings are disturbed, rerun when it is idle"
    return f"other programs used {100 * share:.0f}% of the CPUs meanwhile{note}"


def machine_gflops(blas: NumpyBLAS) -> float:
    """matmul_gflops with every CPU working (the machine's limit), whatever the run's thread setting."""
    threads = blas.threads
    if threads is not None and blas.set_threads(os.cpu_count() or threads):
        try:
            return matmul_gflops()
        finally:
            blas.set_threads(threads)
    return matmul_gflops()


def _timed(f) -> float:
    start = time.perf_counter()
    f()
    return time.perf_counter() - start


def epoch_flops(n: int, sizes=SIZES) -> int:
    """Multiply-adds of the matrix products of one epoch, counted as 2 flops each.

    forward  2 n sum_l n_in n_out     (Z = X W for every layer)
    backward 2 n sum_l n_in n_out     (dW = X^T delta for every layer)
           + 2 n sum_{l>1} n_in n_out (dX = delta W^T, not needed for the first layer)
    Element-wise work (bias, ReLU, softmax, the optimizer) is left out: it is
    O(n sum n_out) and O(parameters) per batch, small next to the products.
    """
    pairs = list(zip(sizes[:-1], sizes[1:]))
    products = sum(a * b for a, b in pairs)
    return 2 * n * (2 * products + sum(a * b for a, b in pairs[1:]))


# ---------------------------------------------------------------------------------------------
# The contenders. Each trains one epoch on X, y already shuffled for that epoch, taking
# batch b as the rows b*batch .. (b+1)*batch - 1 (gathered with an index array, as fit does).
# ---------------------------------------------------------------------------------------------
def make_network(hidden=128, seed=0) -> Network:
    return Network([Dense(784, hidden, "relu", dtype=np.float32), Dense(hidden, 10, dtype=np.float32)],
                   loss="softmax_cross_entropy", seed=seed)


def accuracy_of(logits, y) -> float:
    return float(np.mean(np.asarray(logits).argmax(axis=1) == y))


class NnlibRunner:
    """nnlib's own training loop: ``Network.fit`` for one epoch on the data in the given order."""
    name = "nnlib"

    def __init__(self, net: Network, optimizer: str, batch_size: int):
        self.net, self.batch_size = net, batch_size
        self.optimizer = SGD(LEARNING_RATES["sgd"]) if optimizer == "sgd" else Adam(LEARNING_RATES["adam"])
        self.setup_seconds = []

    def epoch(self, X, y) -> float:
        start = time.perf_counter()
        history = self.net.fit(X, y, epochs=1, batch_size=self.batch_size, optimizer=self.optimizer,
                               shuffle=False, verbose=False)
        wall = time.perf_counter() - start
        if history.diverged:
            raise RuntimeError(history.message)
        seconds = history["seconds"][0]
        self.setup_seconds.append(wall - seconds)  # fit's validation of X and y, once per call
        return seconds

    def test_accuracy(self, X, y) -> float:
        return accuracy_of(self.net.forward(X), y)


class PlainNumpyRunner:
    """The same MLP written out by hand in numpy, the straightforward way a learner would."""
    name = "plain numpy"

    def __init__(self, params, optimizer: str, batch_size: int):
        self.W1, self.b1, self.W2, self.b2 = (p.copy() for p in params)
        self.params = [self.W1, self.b1, self.W2, self.b2]
        self.optimizer, self.batch_size = optimizer, batch_size
        self.lr = LEARNING_RATES[optimizer]
        self.m = [np.zeros_like(p) for p in self.params]
        self.v = [np.zeros_like(p) for p in self.params]
        self.t = 0

    def epoch(self, X, y) -> float:
        eye = np.eye(10, dtype=np.float32)
        order = np.arange(X.shape[0])
        start = time.perf_counter()
        for i in range(0, order.size, self.batch_size):
            idx = order[i:i + self.batch_size]
            x, Y = X[idx], eye[y[idx]]
            z1 = x @ self.W1
            z1 += self.b1
            a1 = np.maximum(z1, 0)
            z2 = a1 @ self.W2
            z2 += self.b2
            z2 -= z2.max(axis=1, keepdims=True)
            p = np.exp(z2)
            p /= p.sum(axis=1, keepdims=True)
            d2 = (p - Y) / idx.size
            d1 = d2 @ self.W2.T
            d1 *= z1 > 0
            self.step([x.T @ d1, d1.sum(axis=0), a1.T @ d2, d2.sum(axis=0)])
        return time.perf_counter() - start

    def step(self, grads):
        """The textbook updates, written the obvious way (each line makes temporary arrays)."""
        if self.optimizer == "sgd":
            for p, g in zip(self.params, grads):
                p -= self.lr * g
            return
        self.t += 1
        b1, b2 = 0.9, 0.999
        lr = self.lr * (1 - b2 ** self.t) ** 0.5 / (1 - b1 ** self.t)  # bias corrections folded in
        eps = 1e-8 * (1 - b2 ** self.t) ** 0.5
        for p, g, m, v in zip(self.params, grads, self.m, self.v):
            m[...] = b1 * m + (1 - b1) * g
            v[...] = b2 * v + (1 - b2) * g * g
            p -= lr * m / (np.sqrt(v) + eps)

    def test_accuracy(self, X, y) -> float:
        return accuracy_of(np.maximum(X @ self.W1 + self.b1, 0) @ self.W2 + self.b2, y)


class ProductsOnlyRunner:
    """Only the five matrix products of each batch, at the same shapes, on the same batches.

    No bias, activation, cost or update: the time BLAS alone needs for these shapes
    (batches of 64 or 128 rows are too small for it to reach its 2048x2048 peak).
    Whatever a training loop adds in Python and element-wise numpy comes on top.
    """
    name = "products only"

    def __init__(self, params, optimizer: str, batch_size: int):
        W1, _, W2, _ = (np.array(p) for p in params)
        self.W1, self.W2, self.batch_size = W1, W2, batch_size
        rng = np.random.default_rng(1)  # stand-ins for the deltas: their values do not change the time
        self.d1 = rng.standard_normal((batch_size, W1.shape[1]), dtype=np.float32)
        self.d2 = rng.standard_normal((batch_size, W2.shape[1]), dtype=np.float32)
        self.out = [np.empty((batch_size, W1.shape[1]), np.float32), np.empty((batch_size, W2.shape[1]), np.float32),
                    np.empty_like(W1), np.empty_like(W2), np.empty((batch_size, W1.shape[1]), np.float32)]

    def epoch(self, X, y) -> float:
        z1, z2, g1, g2, dx = self.out
        start = time.perf_counter()
        for i in range(0, X.shape[0], self.batch_size):
            x = X[i:i + self.batch_size]
            m = x.shape[0]
            np.matmul(x, self.W1, out=z1[:m])                  # Z1 = X W1
            np.matmul(z1[:m], self.W2, out=z2[:m])             # Z2 = A1 W2
            np.matmul(z1[:m].T, self.d2[:m], out=g2)           # dW2 = A1^T delta2
            np.matmul(self.d2[:m], self.W2.T, out=dx[:m])      # dA1 = delta2 W2^T
            np.matmul(x.T, self.d1[:m], out=g1)                # dW1 = X^T delta1
        return time.perf_counter() - start

    def test_accuracy(self, X, y):
        return None  # it does not learn


class TorchRunner:
    """The identical model in PyTorch (same initial weights, same batches, float32)."""
    name = "pytorch"

    def __init__(self, torch, params, optimizer: str, batch_size: int):
        self.torch, self.batch_size = torch, batch_size
        W1, b1, W2, b2 = params
        nn = torch.nn
        self.model = nn.Sequential(nn.Linear(784, W1.shape[1]), nn.ReLU(), nn.Linear(W1.shape[1], 10))
        with torch.no_grad():  # nn.Linear keeps W as (out, in): copy nnlib's (in, out) transposed
            for layer, W, b in ((self.model[0], W1, b1), (self.model[2], W2, b2)):
                layer.weight.copy_(torch.from_numpy(np.ascontiguousarray(W.T)))
                layer.bias.copy_(torch.from_numpy(b))
        lr = LEARNING_RATES[optimizer]
        self.opt = (torch.optim.SGD(self.model.parameters(), lr=lr) if optimizer == "sgd"
                    else torch.optim.Adam(self.model.parameters(), lr=lr, betas=(0.9, 0.999), eps=1e-8))
        self.loss = nn.CrossEntropyLoss()  # softmax + cross-entropy on logits, mean over the batch

    def epoch(self, X, y) -> float:
        torch = self.torch
        Xt, yt, ot = torch.from_numpy(X), torch.from_numpy(y), torch.arange(X.shape[0])
        start = time.perf_counter()
        for i in range(0, X.shape[0], self.batch_size):
            idx = ot[i:i + self.batch_size]
            self.opt.zero_grad(set_to_none=True)
            loss = self.loss(self.model(Xt[idx]), yt[idx])
            loss.backward()
            self.opt.step()
        return time.perf_counter() - start

    def test_accuracy(self, X, y) -> float:
        with self.torch.no_grad():  # np.array: load_mnist's arrays are read-only, torch wants writable ones
            return accuracy_of(self.model(self.torch.from_numpy(np.array(X))).numpy(), y)

    def weights(self):
        m = self.model
        return [m[0].weight.detach().numpy().T, m[0].bias.detach().numpy(),
                m[2].weight.detach().numpy().T, m[2].bias.detach().numpy()]


# ---------------------------------------------------------------------------------------------
# The runs
# ---------------------------------------------------------------------------------------------
def run_config(data, batch_size, optimizer, epochs, torch, seed=0):
    """Train every contender for ``epochs`` epochs on identical batches; print and return the figures."""
    (X, y), (Xte, yte) = data
    net = make_network(seed=seed)
    initial = [p.copy() for _, p, _ in net.parameters()]
    runners = [NnlibRunner(net, optimizer, batch_size), PlainNumpyRunner(initial, optimizer, batch_size),
               ProductsOnlyRunner(initial, optimizer, batch_size)]
    if torch is not None:
        runners.append(TorchRunner(torch, initial, optimizer, batch_size))
    learners = [r for r in runners if not isinstance(r, ProductsOnlyRunner)]
    rng = np.random.default_rng(seed)
    load = OtherLoad()
    seconds = {r.name: [] for r in runners}
    accuracy = {r.name: [] for r in runners}
    print(f"\n== batch {batch_size}, {optimizer} (learning rate {LEARNING_RATES[optimizer]:g}) ==")
    header = "epoch " + "".join(f"{r.name + ' s':>17}" for r in runners) + "".join(
        f"{r.name + ' acc':>16}" for r in learners) + f"{'nnlib/numpy':>13}"
    if torch is not None:
        header += f"{'nnlib/torch':>13}"
    print(header)
    for epoch in range(epochs):
        order = rng.permutation(X.shape[0])  # one permutation per epoch, fed to every contender
        Xp, yp = X[order], y[order]
        for r in runners:
            time.sleep(PAUSE)
            seconds[r.name].append(r.epoch(Xp, yp))
            accuracy[r.name].append(r.test_accuracy(Xte, yte))
        line = f"{epoch + 1:>5} " + "".join(f"{seconds[r.name][-1]:>17.3f}" for r in runners) + "".join(
            f"{100 * accuracy[r.name][-1]:>15.2f}%" for r in learners)
        line += f"{seconds['nnlib'][-1] / seconds['plain numpy'][-1]:>13.2f}"
        if torch is not None:
            line += f"{seconds['nnlib'][-1] / seconds['pytorch'][-1]:>13.2f}"
        print(line, flush=True)
    print(f"  fit's one-off input validation: {np.median(runners[0].setup_seconds):.3f} s per fit call "
          "(not in the epoch times)")
    print(f"  {describe_load(load.share())}")
    if torch is not None:
        W, Wt = net.parameters()[0][1], runners[-1].weights()[0]
        diff = float(np.linalg.norm(W - Wt) / np.linalg.norm(Wt))
        print(f"  nnlib's and PyTorch's first-layer weights after {epochs} epochs differ by {diff:.1e} "
              "(relative; float32 rounding, which Adam's normalised steps amplify)")
    return {"batch_size": batch_size, "optimizer": optimizer, "seconds": seconds, "accuracy": accuracy}


def median_ratio(seconds, a, b) -> float:
    """The median over epochs of (a's epoch time / b's epoch time)."""
    return float(np.median(np.array(seconds[a]) / np.array(seconds[b])))


def summarize(results, threads, gflops, limit, torch):
    """Print the summary table of one thread count; return its checks ``[(what, ok, detail)]``."""
    print(f"\n== summary, {threads} BLAS thread{'s' if threads != 1 else ''} (peak {gflops:.0f} GFLOP/s, so an "
          f"epoch takes at least {limit:.3f} s) ==")
    print(f"{'config':<14}{'nnlib s/epoch':>15}{'plain numpy':>13}{'pytorch':>10}{'nnlib/numpy':>13}"
          f"{'nnlib/torch':>13}{'nnlib/limit':>13}{'products/limit':>16}{'test acc':>10}")
    print(f"{'':<14}{'median (best)':>15}{'median':>13}{'median':>10}{'median':>13}{'median':>13}"
          f"{'best':>13}{'best':>16}{'final':>10}")
    checks = []
    where = f"{threads} thread{'s' if threads != 1 else ''}"
    for r in results:
        s = r["seconds"]
        name = f"b{r['batch_size']} {r['optimizer']}"
        nn_med, nn_best = np.median(s["nnlib"]), min(s["nnlib"])
        vs_numpy = median_ratio(s, "nnlib", "plain numpy")
        vs_torch = median_ratio(s, "nnlib", "pytorch") if torch is not None else None
        torch_txt = f"{np.median(s['pytorch']):>10.3f}" if vs_torch is not None else f"{'-':>10}"
        print(f"{name:<14}{nn_med:>8.3f} ({nn_best:.3f}){np.median(s['plain numpy']):>13.3f}{torch_txt}"
              f"{vs_numpy:>13.2f}{(f'{vs_torch:.2f}' if vs_torch is not None else '-'):>13}"
              f"{nn_best / limit:>13.2f}{min(s['products only']) / limit:>16.2f}"
              f"{100 * r['accuracy']['nnlib'][-1]:>9.2f}%")
        if vs_torch is not None:
            checks.append((f"nnlib <= {MAX_RATIO_TORCH}x PyTorch per epoch, {name}, {where}",
                           vs_torch <= MAX_RATIO_TORCH,
                           f"median ratio {vs_torch:.2f} (nnlib {nn_med:.3f} s, PyTorch "
                           f"{np.median(s['pytorch']):.3f} s)"))
        checks.append((f"nnlib <= {MAX_RATIO_NUMPY}x the numpy loop per epoch, {name}, {where}",
                       vs_numpy <= MAX_RATIO_NUMPY,
                       f"median ratio {vs_numpy:.2f} (nnlib {nn_med:.3f} s, numpy loop "
                       f"{np.median(s['plain numpy']):.3f} s)"))
    print("  (nnlib/limit and products/limit: the best epoch over the time the matrix products need at the "
          "measured peak; for information, not a target)")
    return checks


def run_accuracy(data, blas):
    """The named accuracy recipe (benchmarks/mnist_accuracy.py) for each seed, on one BLAS thread."""
    threads = blas.threads
    blas.set_threads(1)
    try:
        results = mnist_accuracy.run_test(data)
    finally:
        if threads is not None:
            blas.set_threads(threads)
    return [(f">= {100 * mnist_accuracy.TARGET_ACCURACY:.1f}% test accuracy in <= "
             f"{mnist_accuracy.TARGET_SECONDS:.0f} s of training, seed {r['seed']}", r["ok"],
             f"{100 * r['accuracy']:.2f}% in {r['seconds']:.1f} s ({r['cpu_seconds']:.1f} s CPU; "
             f"{mnist_accuracy.describe(mnist_accuracy.RECIPE)})")
            for r in results]


def verdict(ok: bool) -> str:
    return "PASS" if ok else "FAIL"


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="smoke run: 1 epoch, batch size 128 only, "
                                                            "no accuracy recipe")
    parser.add_argument("--epochs", type=int, default=5, help="epochs per configuration (default 5)")
    parser.add_argument("--no-torch", action="store_true", help="do not compare with PyTorch")
    parser.add_argument("--threads", type=int, nargs="+", default=[1, 2],
                        help="thread counts for numpy's BLAS and for PyTorch to time (default: 1 2)")
    parser.add_argument("--no-accuracy", action="store_true", help="skip the accuracy recipe")
    args = parser.parse_args(argv)
    epochs = 1 if args.quick else args.epochs
    if epochs < 1:
        parser.error("--epochs must be at least 1")
    if min(args.threads) < 1:
        parser.error("--threads must be at least 1")
    batch_sizes = (128,) if args.quick else (64, 128)

    whole_run = OtherLoad()
    blas = NumpyBLAS()
    if not blas.set_threads(blas.threads or 1):
        parser.error(f"cannot set the threads of {blas.name} from here: run once per thread count with "
                     "OPENBLAS_NUM_THREADS=N (or MKL_NUM_THREADS) and --threads N")
    torch = None
    if not args.no_torch:
        try:
            import torch
        except ImportError:
            print("(torch is not installed: no PyTorch comparison; it is optional, not a course dependency)")

    print(f"nnlib {getattr(nnlib, '__version__', '?')}, numpy {np.__version__} ({blas.name}), "
          f"Python {platform.python_version()}, {os.cpu_count()} CPUs"
          + (f", torch {torch.__version__}" if torch is not None else "")
          + f"; BLAS threads timed: {', '.join(map(str, args.threads))}")
    data = load_mnist()
    (X, _), (Xte, _) = data
    print(f"MNIST: {X.shape[0]} training images, {Xte.shape[0]} test images, {X.dtype}")

    peaks = [machine_gflops(blas)]  # measured again before every configuration: the host's speed drifts
    flops = epoch_flops(X.shape[0])
    print(f"\nfloat32 matmul, best of 5 (2048x2048)@(2048x2048) on {os.cpu_count()} threads: {peaks[0]:.0f} GFLOP/s")
    print(f"FLOPs of one epoch of 784-128-10: 2n[2(784*128 + 128*10) + 128*10] with n = {X.shape[0]}:"
          f" {flops / 1e9:.2f} GFLOP")
    print("  (forward XW for both layers + backward X^T delta for both + delta W^T for layer 2 only)")

    runs = {}
    for threads in args.threads:
        if not blas.set_threads(threads):
            parser.error(f"cannot set {blas.name} to {threads} threads")
        if torch is not None:
            torch.set_num_threads(threads)
        print(f"\n======== numpy's BLAS{' and PyTorch' if torch is not None else ''} on {threads} "
              f"thread{'s' if threads != 1 else ''} ========")
        runs[threads] = []
        for bs in batch_sizes:
            for opt in ("sgd", "adam"):
                if runs[threads] or threads != args.threads[0]:
                    peaks.append(machine_gflops(blas))
                runs[threads].append(run_config(data, bs, opt, epochs, torch))
    peaks.append(machine_gflops(blas))
    gflops = max(peaks)  # the machine's limit: the best it showed
    limit = flops / (gflops * 1e9)
    print(f"\nfloat32 matmul peak measured {len(peaks)} times during the run: "
          + ", ".join(f"{g:.0f}" for g in peaks) + " GFLOP/s; the best is taken as the machine's limit")

    checks = []
    for threads, results in runs.items():
        checks += summarize(results, threads, gflops, limit, torch)
    if not (args.quick or args.no_accuracy):
        checks += run_accuracy(data, blas)
    print(f"\n(during the whole run, {describe_load(whole_run.share())})")
    print("\n== targets ==")
    for what, ok, detail in checks:
        print(f"{verdict(ok)}  {what}: {detail}")
    if torch is None:
        print("(no PyTorch: the nnlib/torch target was not checked)")
    return 0 if all(ok for _, ok, _ in checks) else 1


if __name__ == "__main__":
    sys.exit(main())
