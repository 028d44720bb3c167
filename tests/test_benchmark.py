"""The speed benchmark (benchmarks/mnist_mlp.py): its FLOP count, that its references
train the very same model as nnlib, and that a whole (shrunken) run goes through.
The timings themselves are never asserted: they belong to the benchmark's printout."""
from __future__ import annotations

import importlib.util
import pathlib

import numpy as np
import pytest

from nnlib.datasets import load_mnist

ROOT = pathlib.Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def bench():
    spec = importlib.util.spec_from_file_location("mnist_mlp", ROOT / "benchmarks" / "mnist_mlp.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def small_mnist():
    (X, y), (Xte, yte) = load_mnist()
    return (X[:640], y[:640]), (Xte[:200], yte[:200])


def test_epoch_flops(bench):
    # forward: 2n(784*128 + 128*10); dW: the same again; dX of layer 2 only: 2n*128*10
    n = 60_000
    assert bench.epoch_flops(n) == 2 * n * (784 * 128 + 128 * 10) * 2 + 2 * n * 128 * 10 == 24_545_280_000


@pytest.mark.parametrize("optimizer", ["sgd", "adam"])
def test_the_plain_numpy_reference_trains_the_same_model(bench, small_mnist, optimizer):
    (X, y), _ = small_mnist
    net = bench.make_network(seed=0)
    initial = [p.copy() for _, p, _ in net.parameters()]
    mine, plain = bench.NnlibRunner(net, optimizer, 64), bench.PlainNumpyRunner(initial, optimizer, 64)
    for _ in range(2):
        assert mine.epoch(X, y) > 0 and plain.epoch(X, y) > 0
    for (_, p, _), q in zip(net.parameters(), plain.params):
        np.testing.assert_allclose(p, q, rtol=1e-3, atol=1e-5)
    assert not np.allclose(net.parameters()[0][1], initial[0])  # it did train


def test_the_products_only_floor_handles_a_short_last_batch(bench, small_mnist):
    (X, y), _ = small_mnist
    net = bench.make_network(seed=0)
    floor = bench.ProductsOnlyRunner([p for _, p, _ in net.parameters()], "sgd", 128)
    assert floor.epoch(X[:300], y[:300]) > 0  # 128 + 128 + 44 rows
    assert floor.test_accuracy(X, y) is None


def test_a_shrunken_run_prints_every_section(bench, small_mnist, monkeypatch, capsys):
    monkeypatch.setattr(bench, "load_mnist", lambda: small_mnist)
    monkeypatch.setattr(bench, "matmul_gflops", lambda: 100.0)
    status = bench.main(["--quick", "--no-torch"])
    out = capsys.readouterr().out
    assert status in (0, 1)
    for part in ("on 1 thread ====", "on 2 threads ====", "== batch 128, sgd", "== batch 128, adam",
                 "products only", "nnlib/numpy", "== summary, 1 BLAS thread ", "== summary, 2 BLAS threads ",
                 "== targets ==", "nnlib <= 1.15x the numpy loop per epoch, b128 sgd, 1 thread:",
                 "nnlib <= 1.15x the numpy loop per epoch, b128 adam, 2 threads:"):
        assert part in out, part
    assert "accuracy recipe" not in out  # --quick skips it
    # the FLOP limit is the epoch's FLOPs at the (patched) 100 GFLOP/s
    flops = bench.epoch_flops(640)
    assert f"at least {flops / 100e9:.3f} s" in out


def test_the_targets_are_the_issues(bench):
    assert (bench.MAX_RATIO_TORCH, bench.MAX_RATIO_NUMPY) == (0.8, 1.15)
    acc = bench.mnist_accuracy
    assert (acc.TARGET_ACCURACY, acc.TARGET_SECONDS, acc.SEEDS) == (0.985, 60.0, (0, 1, 2))


def test_the_ratio_check_fails_a_slow_nnlib(bench):
    seconds = {"nnlib": [1.0, 1.2, 1.1], "plain numpy": [1.0, 1.0, 1.0], "products only": [0.5] * 3,
               "pytorch": [1.0, 1.0, 1.0]}
    results = [{"batch_size": 128, "optimizer": "sgd", "seconds": seconds, "accuracy": {"nnlib": [0.9]}}]
    checks = bench.summarize(results, 1, 100.0, 0.2, torch=object())
    verdicts = {what.split(" per epoch")[0]: ok for what, ok, _ in checks}
    assert verdicts == {"nnlib <= 0.8x PyTorch": False, "nnlib <= 1.15x the numpy loop": True}
    assert bench.median_ratio(seconds, "nnlib", "plain numpy") == pytest.approx(1.1)


def test_the_full_run_checks_the_accuracy_recipe_for_each_seed(bench, small_mnist, monkeypatch, capsys):
    monkeypatch.setattr(bench, "load_mnist", lambda: small_mnist)
    monkeypatch.setattr(bench, "matmul_gflops", lambda: 100.0)
    fake = [{"seed": 0, "accuracy": 0.99, "seconds": 30.0, "cpu_seconds": 29.0, "ok": True},
            {"seed": 1, "accuracy": 0.98, "seconds": 30.0, "cpu_seconds": 29.0, "ok": False}]
    monkeypatch.setattr(bench.mnist_accuracy, "run_test", lambda data: fake)
    status = bench.main(["--epochs", "1", "--no-torch", "--threads", "1"])
    out = capsys.readouterr().out
    assert status == 1
    assert "PASS  >= 98.5% test accuracy in <= 60 s of training, seed 0: 99.00% in 30.0 s" in out
    assert "FAIL  >= 98.5% test accuracy in <= 60 s of training, seed 1: 98.00% in 30.0 s" in out


# ---------------------------------------------------------------------------------------------
# The accuracy recipe (benchmarks/mnist_accuracy.py)
# ---------------------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def recipe():
    spec = importlib.util.spec_from_file_location("mnist_accuracy", ROOT / "benchmarks" / "mnist_accuracy.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_shifted_images_are_the_originals_moved_by_at_most_max_shift(recipe):
    rng = np.random.default_rng(0)
    X = np.zeros((50, 28, 28), np.float32)
    X[:, 10:18, 12:16] = rng.random((50, 8, 4)) + 0.1  # an ink blob away from the border
    y = np.arange(50)
    Xs, ys = recipe.shift_images(X.reshape(50, 784), y, np.random.default_rng(1), max_shift=2)
    assert Xs.shape == (50, 784) and Xs.dtype == np.float32 and sorted(ys) == list(range(50))
    offsets = set()
    for image, label in zip(Xs.reshape(50, 28, 28), ys):
        rows, cols = np.nonzero(image)
        dy, dx = rows.min() - 10, cols.min() - 12
        assert abs(dy) <= 2 and abs(dx) <= 2
        np.testing.assert_array_equal(image[10 + dy:18 + dy, 12 + dx:16 + dx], X[label, 10:18, 12:16])
        offsets.add((dy, dx))
    assert len(offsets) == 25  # every offset of -2..2 x -2..2 is used
    assert not np.shares_memory(Xs, X)


def test_shifted_in_pixels_are_background(recipe):
    X = np.ones((25, 784), np.float32)
    Xs, _ = recipe.shift_images(X, np.zeros(25, int), np.random.default_rng(0), max_shift=1)
    ink = Xs.reshape(25, 28, 28).sum(axis=(1, 2))
    assert set(ink) == {28 * 28, 27 * 28, 27 * 27}  # no shift, one direction, both
    X0, y0 = recipe.shift_images(X, np.zeros(25, int), np.random.default_rng(0), max_shift=0)
    assert X0 is X and y0.shape == (25,)


def test_the_recipe_network_and_a_tiny_training_run(recipe, small_mnist):
    net = recipe.make_mlp((32, 16), 0.1, seed=0)
    kinds = [type(layer).__name__ for layer in net.layers]
    assert kinds == ["Dense", "Dropout", "Dense", "Dropout", "Dense"]
    (X, y), (Xte, yte) = small_mnist
    tiny = dict(hidden=(32,), dropout=0.1, learning_rate=2e-3, decay=0.5, batch_size=64, epochs=3, max_shift=1)
    seen = []
    trained, seconds, cpu_seconds = recipe.train(tiny, X, y, seed=0, on_epoch=lambda e, n: seen.append(e))
    assert seen == [0, 1, 2] and seconds > 0 and cpu_seconds > 0
    assert recipe.accuracy(trained, Xte, yte) > 0.5  # 640 images, 3 epochs: far above 10 % chance
    again, _, _ = recipe.train(tiny, X, y, seed=0)
    np.testing.assert_array_equal(trained.predict(Xte), again.predict(Xte))  # seeded: the same network


def test_the_accuracy_run_prints_validation_and_test_figures(recipe, small_mnist, monkeypatch, capsys):
    (X, y), test = small_mnist
    tiny = dict(hidden=(16,), dropout=0.0, learning_rate=2e-3, decay=0.9, batch_size=64, epochs=1, max_shift=1)
    monkeypatch.setattr(recipe, "RECIPE", tiny)
    monkeypatch.setattr(recipe, "N_VALIDATION", 140)
    monkeypatch.setattr(recipe, "load_mnist", lambda: ((X, y), test))
    assert recipe.main(["--seeds", "0", "1"]) == 1  # 16 units and one epoch on 640 images: far from 98.5 %
    out = capsys.readouterr().out
    assert "validation accuracy" in out and "seed 1: test accuracy" in out
    assert "FAIL  >= 98.5% test accuracy in <= 60 s, seed 0:" in out
    assert recipe.main(["--validation", "--seeds", "0"]) == 0
    assert "seed 0: validation" in capsys.readouterr().out
