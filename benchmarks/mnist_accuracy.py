"""How accurate an MLP can nnlib train on MNIST in a minute?

The course's named recipe (``RECIPE`` below) must reach at least 98.5 % on the
official 10,000 MNIST test images with a multi-layer perceptron, in at most
60 s of training on a 2-core machine, for each of the seeds 0, 1 and 2.
The recipe was chosen on a validation split of the training set (trained on
the first 50,000 training images, measured on the last 10,000), never on the
test set; ``benchmarks/accuracy_search.md`` lists what was tried.

What it does beyond lesson 9's 784-128-10 network:

* two hidden ReLU layers with dropout after each;
* Adam whose learning rate shrinks by a constant factor after every epoch;
* data augmentation: every epoch, every training image is moved by a random
  whole number of pixels (up to ``max_shift``) up/down and left/right, so the
  network never sees exactly the same image twice and learns that a digit
  moved by a pixel is the same digit.

It uses nnlib's public API only: ``Network``, ``Dense``, ``Dropout``, ``Adam``
and ``Network.fit``, which is called once per epoch on that epoch's shifted
images (the same Adam object carries its moments from call to call).

Run from the repository root::

    .venv/bin/python benchmarks/mnist_accuracy.py               # seeds 0 1 2: test accuracy, PASS/FAIL
    .venv/bin/python benchmarks/mnist_accuracy.py --validation  # the recipe on the validation split
    .venv/bin/python benchmarks/mnist_accuracy.py --try '{"epochs": 12}' --seeds 0  # a variation, recorded
    .venv/bin/python benchmarks/mnist_accuracy.py --rerun-record  # every configuration of the record, again

BLAS runs on one thread here (``--threads`` changes it): these layers are small,
and on a shared machine a second OpenBLAS thread made epochs up to 20x slower.
"""
from __future__ import annotations

import argparse
import csv
import ctypes
import json
import pathlib
import sys
import time

import numpy as np

ROOT = pathlib.Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))  # run from a checkout, no install

from nnlib import Adam, Dense, Dropout, Network  # noqa: E402
from nnlib.datasets import load_mnist  # noqa: E402

# The named recipe, chosen on the validation split (see benchmarks/accuracy_search.md).
RECIPE = dict(hidden=(512, 256), dropout=0.1, learning_rate=2e-3, decay=0.8, batch_size=128,
              epochs=10, max_shift=1)
TARGET_ACCURACY, TARGET_SECONDS = 0.985, 60.0
SEEDS = (0, 1, 2)
N_VALIDATION = 10_000
SEARCH_RECORD = ROOT / "benchmarks" / "accuracy_search.csv"
RECORD_FIELDS = ["hidden", "dropout", "learning_rate", "decay", "batch_size", "epochs", "max_shift", "seed",
                 "val_accuracy", "best_epoch_val_accuracy", "train_seconds_50k", "train_cpu_seconds_50k"]


# ---------------------------------------------------------------------------------------------
# The recipe
# ---------------------------------------------------------------------------------------------
def shift_images(X, y, rng, max_shift: int):
    """Every image moved by its own random offset of up to ``max_shift`` pixels in each direction.

    X: (n, 784) images of 28 x 28 pixels, row by row; y: (n,) labels. Returns new arrays
    ``(X_shifted, y_shifted)`` of the same shapes, in a random order: the images are shuffled
    first and then cut into (2 max_shift + 1)^2 equal blocks, one block per offset (dy, dx), so
    each offset is a single slice copy for a whole block. Pixels moved in from outside are 0.
    """
    if max_shift == 0:
        return X, y
    n = X.shape[0]
    order = rng.permutation(n)
    images = X[order].reshape(n, 28, 28)
    shifted = np.zeros_like(images)
    offsets = [(dy, dx) for dy in range(-max_shift, max_shift + 1) for dx in range(-max_shift, max_shift + 1)]
    edges = np.linspace(0, n, len(offsets) + 1).astype(int)
    for (dy, dx), lo, hi in zip(offsets, edges[:-1], edges[1:]):
        target = shifted[lo:hi, max(dy, 0):28 + min(dy, 0), max(dx, 0):28 + min(dx, 0)]
        target[...] = images[lo:hi, max(-dy, 0):28 + min(-dy, 0), max(-dx, 0):28 + min(-dx, 0)]
    return shifted.reshape(n, 784), y[order]


def make_mlp(hidden, dropout: float, seed: int) -> Network:
    """784 - hidden[0] - ... - 10: ReLU hidden layers, each followed by Dropout(dropout), logits out."""
    layers, n_in = [], 784
    for n_out in hidden:
        layers.append(Dense(n_in, n_out, "relu", dtype=np.float32))
        if dropout:
            layers.append(Dropout(dropout))
        n_in = n_out
    layers.append(Dense(n_in, 10, dtype=np.float32))
    return Network(layers, loss="softmax_cross_entropy", seed=seed)


def train(recipe: dict, X, y, seed: int, on_epoch=None):
    """Train a fresh network with ``recipe`` on (X, y); returns ``(network, seconds, cpu_seconds)``.

    Each epoch: shift the images anew, fit one epoch on them, then multiply Adam's learning
    rate by ``decay``. ``on_epoch(epoch, network)`` is called after each epoch, outside the
    timed part (for printing a validation accuracy, say). ``seconds`` is the wall-clock time
    of training, ``cpu_seconds`` the CPU time this process used for it: on one BLAS thread
    the two are equal on an idle machine, and the gap is the time other programs took the CPU.
    """
    net = make_mlp(recipe["hidden"], recipe["dropout"], seed)
    adam = Adam(recipe["learning_rate"])
    rng = np.random.default_rng(seed)
    seconds = cpu_seconds = 0.0
    for epoch in range(recipe["epochs"]):
        start, cpu_start = time.perf_counter(), time.process_time()
        Xe, ye = shift_images(X, y, rng, recipe["max_shift"])
        history = net.fit(Xe, ye, epochs=1, batch_size=recipe["batch_size"], optimizer=adam,
                          seed=int(rng.integers(2**31)), verbose=False)
        adam.learning_rate *= recipe["decay"]
        seconds += time.perf_counter() - start
        cpu_seconds += time.process_time() - cpu_start
        if history.diverged:
            raise RuntimeError(history.message)
        if on_epoch is not None:
            on_epoch(epoch, net)
    return net, seconds, cpu_seconds


def accuracy(net: Network, X, y) -> float:
    return float(np.mean(net.predict(X) == y))


def describe(recipe: dict) -> str:
    hidden = "-".join(str(h) for h in recipe["hidden"])
    return (f"784-{hidden}-10 ReLU, dropout {recipe['dropout']:g}, Adam {recipe['learning_rate']:g} "
            f"x{recipe['decay']:g} per epoch, batch {recipe['batch_size']}, {recipe['epochs']} epochs, "
            f"random shifts up to {recipe['max_shift']} px")


def validation_split(data):
    """(train, validation): the first 50,000 training images and the last 10,000."""
    (X, y), _ = data
    k = X.shape[0] - N_VALIDATION
    return (X[:k], y[:k]), (X[k:], y[k:])


# ---------------------------------------------------------------------------------------------
# BLAS threads
# ---------------------------------------------------------------------------------------------
def set_blas_threads(n: int) -> bool:
    """Set numpy's OpenBLAS thread count through the library itself; False if it cannot."""
    try:
        maps = pathlib.Path("/proc/self/maps").read_text()
    except OSError:
        return False
    for lib in sorted({line.split()[-1] for line in maps.splitlines() if "openblas" in line.lower()}):
        try:
            handle = ctypes.CDLL(lib)
        except OSError:
            continue
        for name in ("scipy_openblas_set_num_threads64_", "openblas_set_num_threads64_",
                     "openblas_set_num_threads"):
            if hasattr(handle, name):
                getattr(handle, name)(ctypes.c_int(n))
                return True
    return False


# ---------------------------------------------------------------------------------------------
# The runs
# ---------------------------------------------------------------------------------------------
def recorded_validation(recipe, record=SEARCH_RECORD):
    """``{seed: validation accuracy}`` of ``recipe`` in the search record (empty if it is not there)."""
    if not pathlib.Path(record).exists():
        return {}
    with open(record, newline="") as f:
        return {int(row["seed"]): float(row["val_accuracy"]) for row in csv.DictReader(f)
                if row_config(row) == row_config(record_row(recipe, 0))}


def row_config(row):
    """The configuration columns of a record row, compared as numbers (so "0" equals "0.0")."""
    return (row["hidden"],) + tuple(float(row[k]) for k in RECORD_FIELDS[1:7])


def record_row(recipe, seed, acc=None, best=None, seconds=None, cpu_seconds=None):
    """One line of the search record, as strings (the CSV's own form)."""
    values = ["-".join(map(str, recipe["hidden"])), recipe["dropout"], recipe["learning_rate"], recipe["decay"],
              recipe["batch_size"], recipe["epochs"], recipe["max_shift"], seed,
              f"{acc:.4f}" if acc is not None else "", f"{best:.4f}" if best is not None else "",
              f"{seconds:.1f}" if seconds is not None else "",
              f"{cpu_seconds:.1f}" if cpu_seconds is not None else ""]
    return dict(zip(RECORD_FIELDS, map(str, values)))


def run_test(data, recipe=None, seeds=SEEDS, verbose=True):
    """Train on all 60,000 training images for each seed; measure on the 10,000 test images."""
    recipe = recipe or RECIPE
    (X, y), (Xte, yte) = data
    print(f"\n== accuracy recipe: {describe(recipe)} ==")
    chosen = recorded_validation(recipe)
    if chosen:
        print(f"  chosen on the validation split (trained on the first {X.shape[0] - N_VALIDATION:,} training "
              f"images, measured on the last {N_VALIDATION:,}): validation accuracy "
              + ", ".join(f"{100 * a:.2f}% (seed {s})" for s, a in sorted(chosen.items()))
              + f" [{SEARCH_RECORD.relative_to(ROOT)}]")
    else:
        print("  (this recipe is not in the search record: run with --validation for its validation accuracy)")
    results = []
    for seed in seeds:
        net, seconds, cpu_seconds = train(recipe, X, y, seed)
        acc = accuracy(net, Xte, yte)
        ok = acc >= TARGET_ACCURACY and seconds <= TARGET_SECONDS
        results.append({"seed": seed, "accuracy": acc, "seconds": seconds, "cpu_seconds": cpu_seconds, "ok": ok})
        if verbose:
            print(f"  seed {seed}: test accuracy {100 * acc:.2f}%, training {seconds:.1f} s "
                  f"({cpu_seconds:.1f} s of CPU time)", flush=True)
    return results


def run_validation(data, recipe=None, seed=0, per_epoch=True):
    """Train on the first 50,000 training images; return the accuracy on the last 10,000."""
    recipe = recipe or RECIPE
    (Xtr, ytr), (Xva, yva) = validation_split(data)
    curve = []

    def on_epoch(epoch, net):
        if per_epoch:
            curve.append(accuracy(net, Xva, yva))

    net, seconds, cpu_seconds = train(recipe, Xtr, ytr, seed, on_epoch)
    return accuracy(net, Xva, yva), seconds, cpu_seconds, curve


def recorded_configs(record=SEARCH_RECORD):
    """``[(recipe, seed), ...]`` of every row of the search record, in the order they were tried."""
    with open(record, newline="") as f:
        rows = list(csv.DictReader(f))
    return [(dict(hidden=tuple(int(h) for h in row["hidden"].split("-")), dropout=float(row["dropout"]),
                  learning_rate=float(row["learning_rate"]), decay=float(row["decay"]),
                  batch_size=int(row["batch_size"]), epochs=int(row["epochs"]), max_shift=int(row["max_shift"])),
             int(row["seed"])) for row in rows]


def run_search(data, configs, seeds=(0,), record=SEARCH_RECORD):
    """Each configuration on the validation split, for each seed, appended to the CSV record."""
    new = not pathlib.Path(record).exists()
    with open(record, "a", newline="") as f:
        writer = csv.DictWriter(f, RECORD_FIELDS)
        if new:
            writer.writeheader()
        for cfg in configs:
            for seed in seeds:
                acc, seconds, cpu_seconds, curve = run_validation(data, cfg, seed)
                best = max(curve) if curve else acc
                print(f"{describe(cfg)}, seed {seed}: validation {100 * acc:.2f}% (best epoch {100 * best:.2f}%), "
                      f"{seconds:.1f} s ({cpu_seconds:.1f} s CPU)", flush=True)
                writer.writerow(record_row(cfg, seed, acc, best, seconds, cpu_seconds))
                f.flush()


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--validation", action="store_true",
                        help="train the recipe on the validation split and print its validation accuracy")
    parser.add_argument("--try", dest="try_", metavar="JSON",
                        help='validate a variation of the recipe, e.g. \'{"epochs": 12, "dropout": 0.1}\', for each '
                             "of --seeds, and append it to the search record")
    parser.add_argument("--rerun-record", action="store_true",
                        help="train every row of the search record again and print both figures (slow)")
    parser.add_argument("--seeds", type=int, nargs="+", default=list(SEEDS))
    parser.add_argument("--threads", type=int, default=1, help="BLAS threads (default 1)")
    args = parser.parse_args(argv)
    if not set_blas_threads(args.threads):
        print(f"(could not set BLAS threads to {args.threads}: set OPENBLAS_NUM_THREADS instead)")
    data = load_mnist()
    if args.try_:
        variation = json.loads(args.try_)
        if "hidden" in variation:
            variation["hidden"] = tuple(variation["hidden"])
        unknown = set(variation) - set(RECIPE)
        if unknown:
            parser.error(f"--try: unknown keys {sorted(unknown)}; the recipe has {sorted(RECIPE)}")
        run_search(data, [{**RECIPE, **variation}], seeds=args.seeds)
        return 0
    if args.rerun_record:
        for recipe, seed in recorded_configs():
            acc, seconds, cpu_seconds, _ = run_validation(data, recipe, seed, per_epoch=False)
            print(f"{describe(recipe)}, seed {seed}: validation {100 * acc:.2f}% "
                  f"(recorded {100 * recorded_validation(recipe)[seed]:.2f}%), {seconds:.1f} s", flush=True)
        return 0
    if args.validation:
        print(f"validation split, {describe(RECIPE)}")
        for seed in args.seeds:
            acc, seconds, cpu_seconds, curve = run_validation(data, seed=seed)
            print(f"seed {seed}: validation {100 * acc:.2f}% in {seconds:.1f} s ({cpu_seconds:.1f} s CPU); per epoch "
                  + " ".join(f"{100 * a:.2f}" for a in curve))
        return 0
    results = run_test(data, seeds=args.seeds)
    for r in results:
        print(f"{'PASS' if r['ok'] else 'FAIL'}  >= {100 * TARGET_ACCURACY:.1f}% test accuracy in "
              f"<= {TARGET_SECONDS:.0f} s, seed {r['seed']}: {100 * r['accuracy']:.2f}% in {r['seconds']:.1f} s "
              f"({r['cpu_seconds']:.1f} s CPU)")
    return 0 if all(r["ok"] for r in results) else 1


if __name__ == "__main__":
    sys.exit(main())
