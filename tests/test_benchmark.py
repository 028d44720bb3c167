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
    for part in ("== batch 128, sgd", "== batch 128, adam", "products only", "== summary", "== targets ==",
                 "within 2x of the FLOP limit", "(the matrix products alone:"):
        assert part in out, part
    # the FLOP limit is the epoch's FLOPs at the (patched) 100 GFLOP/s
    flops = bench.epoch_flops(640)
    assert f"= {flops / 100e9:.3f} s" in out
