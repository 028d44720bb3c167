"""Tests for nnlib.datasets: the MNIST loader, toy 2-D data, splitting and batching.

The real MNIST files are loaded once (module fixture); every failure case is
built from small fake IDX files in tmp_path, so the whole file runs in seconds.
"""
import gzip
import hashlib
import re
import shutil
import sys
from pathlib import Path

import numpy as np
import pytest

from nnlib import costs, datasets
from nnlib.datasets import (
    MNIST_FILES,
    MNIST_SHA256,
    MNISTCorruptError,
    MNISTError,
    MNISTNotFoundError,
    load_mnist,
    make_blobs,
    make_circles,
    make_moons,
    make_spirals,
    make_xor,
    minibatches,
    train_test_split,
)
from nnlib.validation import ShapeError

REPO = Path(__file__).resolve().parent.parent
MNIST_DIR = REPO / "data" / "mnist"


# --------------------------------------------------------------------------- helpers

def idx_bytes(magic, dims, payload: bytes) -> bytes:
    return np.array([magic, *dims], dtype=">i4").tobytes() + payload


def write_gz(path: Path, raw: bytes) -> None:
    path.write_bytes(gzip.compress(raw, mtime=0))


def write_images(path, n, rows=28, cols=28, seed=0, magic=2051, payload=None):
    if payload is None:
        payload = np.random.default_rng(seed).integers(0, 256, n * rows * cols, dtype=np.uint8).tobytes()
    write_gz(path, idx_bytes(magic, (n, rows, cols), payload))


def write_labels(path, n, magic=2049, payload=None):
    if payload is None:
        payload = (np.arange(n) % 10).astype(np.uint8).tobytes()
    write_gz(path, idx_bytes(magic, (n,), payload))


def fake_mnist(directory: Path, n_train=6, n_test=4) -> Path:
    """Four small, well-formed IDX files (which fail the official checksums)."""
    directory.mkdir(parents=True, exist_ok=True)
    write_images(directory / MNIST_FILES["train_images"], n_train, seed=1)
    write_labels(directory / MNIST_FILES["train_labels"], n_train)
    write_images(directory / MNIST_FILES["test_images"], n_test, seed=2)
    write_labels(directory / MNIST_FILES["test_labels"], n_test)
    return directory


def real_copy(directory: Path, copy=("test_labels",)) -> Path:
    """The real files in ``directory``: symlinks, except real copies of the roles in ``copy``."""
    directory.mkdir(parents=True, exist_ok=True)
    for role, name in MNIST_FILES.items():
        if role in copy:
            shutil.copyfile(MNIST_DIR / name, directory / name)
        else:
            (directory / name).symlink_to(MNIST_DIR / name)
    return directory


@pytest.fixture
def fresh_cache(monkeypatch):
    """An empty loader cache for this test; the real data's cache survives for the others."""
    monkeypatch.setattr(datasets, "_CACHE", {})
    monkeypatch.delenv("NNLIB_MNIST_DIR", raising=False)


def assert_clear_error(excinfo, file_name, *fix_words):
    """The message names the file and says what to do; no raw gzip/numpy trace is chained."""
    message = str(excinfo.value)
    assert file_name in message, message
    for word in fix_words:
        assert word.lower() in message.lower(), f"{word!r} not in: {message}"
    err = excinfo.value
    assert err.__cause__ is None and (err.__context__ is None or err.__suppress_context__)


# --------------------------------------------------------------------------- real MNIST

@pytest.fixture(scope="module")
def mnist():
    return load_mnist()


def test_mnist_shapes_dtypes_and_ranges(mnist):
    (X_train, y_train), (X_test, y_test) = mnist
    assert X_train.shape == (60000, 784) and X_test.shape == (10000, 784)
    assert y_train.shape == (60000,) and y_test.shape == (10000,)
    assert X_train.dtype == np.float32 and X_test.dtype == np.float32
    assert y_train.dtype == np.int64 and y_test.dtype == np.int64
    for X in (X_train, X_test):
        assert X.min() == 0.0 and X.max() == 1.0
        grey = X[:1000] * 255                     # pixels are grey levels k / 255
        np.testing.assert_allclose(grey, np.round(grey), atol=1e-4)
    assert set(np.unique(y_train)) == set(range(10)) == set(np.unique(y_test))


def test_mnist_known_facts(mnist):
    (X_train, y_train), (X_test, y_test) = mnist
    assert y_train[0] == 5                       # the famous first training digit
    assert y_train[:10].tolist() == [5, 0, 4, 1, 9, 2, 1, 3, 1, 4]
    assert y_test[:5].tolist() == [7, 2, 1, 0, 4]
    assert np.bincount(y_train).tolist() == [5923, 6742, 5958, 6131, 5842, 5421, 5918, 6265, 5851, 5949]
    assert np.bincount(y_test).tolist() == [980, 1135, 1032, 1010, 982, 892, 958, 1028, 974, 1009]
    # the first image has ink in the middle and a blank border
    image = X_train[0].reshape(28, 28)
    assert image[:, 0].sum() == 0 and image[0].sum() == 0 and image[10:18, 10:18].sum() > 10


def test_mnist_unflattened(mnist):
    (X_train, y_train), (X_test, _) = mnist
    (X2, y2), (T2, _) = load_mnist(flatten=False)
    assert X2.shape == (60000, 28, 28) and T2.shape == (10000, 28, 28)
    np.testing.assert_array_equal(X2[:500].reshape(500, 784), X_train[:500])
    np.testing.assert_array_equal(X2[-1].ravel(), X_train[-1])        # row by row
    np.testing.assert_array_equal(y2, y_train)


def test_mnist_arrays_cannot_be_corrupted_for_the_next_caller(mnist):
    (X_train, y_train), _ = mnist
    first = X_train[0].copy()
    with pytest.raises(ValueError):
        X_train[0] = 7.0
    with pytest.raises(ValueError):
        y_train[0] = 3
    (X_again, y_again), _ = load_mnist()
    np.testing.assert_array_equal(X_again[0], first)
    assert y_again[0] == 5
    writable = X_again[:10].copy()
    writable[0] = 1.0                            # a copy is the learner's own
    assert load_mnist()[0][0][0].sum() == first.sum()


def test_checksums_of_shipped_files_match_module_and_readme():
    readme = (MNIST_DIR / "README.md").read_text()
    for name in MNIST_FILES.values():
        digest = hashlib.sha256((MNIST_DIR / name).read_bytes()).hexdigest()
        assert digest == MNIST_SHA256[name]
        assert digest in readme
    assert "CC BY-SA 3.0" in readme and "LeCun" in readme and "gzip -9 -n" in readme


def test_default_dir_is_found_from_the_package_not_the_cwd(mnist, tmp_path, monkeypatch):
    monkeypatch.delenv("NNLIB_MNIST_DIR", raising=False)
    monkeypatch.chdir(tmp_path)
    # the repository's data/mnist in a clone or an editable install; <prefix>/share/nnlib/mnist
    # when the package was installed from a wheel (tests/test_install.py runs these tests there)
    installed = Path(sys.prefix) / "share" / "nnlib" / "mnist"
    expected = MNIST_DIR if Path(datasets.__file__).resolve().is_relative_to(REPO) else installed
    assert datasets.default_mnist_dir() == expected
    (X_train, y_train), (X_test, y_test) = load_mnist()
    np.testing.assert_array_equal(y_train, mnist[0][1])
    assert X_test.shape == (10000, 784)


def test_data_is_never_read_from_outside_the_repo():
    source = Path(datasets.__file__).read_text()
    assert "/work/shared" not in source and "../shared" not in source


# --------------------------------------------------------------------------- where the files are

def test_path_argument_and_env_var(tmp_path, monkeypatch, fresh_cache):
    by_arg = fake_mnist(tmp_path / "arg", n_train=6, n_test=4)
    by_env = fake_mnist(tmp_path / "env", n_train=3, n_test=2)
    (X, y), (T, t) = load_mnist(str(by_arg), verify=False)
    assert X.shape == (6, 784) and T.shape == (4, 784) and y.tolist() == [0, 1, 2, 3, 4, 5]
    monkeypatch.setenv("NNLIB_MNIST_DIR", str(by_env))
    (X, _), (T, _) = load_mnist(verify=False)
    assert X.shape == (3, 784) and T.shape == (2, 784)
    (X, _), _ = load_mnist(by_arg, verify=False)          # the argument wins over the variable
    assert X.shape == (6, 784)


def test_fake_files_are_parsed_exactly(tmp_path, fresh_cache):
    d = fake_mnist(tmp_path)
    pixels = np.random.default_rng(1).integers(0, 256, 6 * 784, dtype=np.uint8).reshape(6, 28, 28)
    (X, y), _ = load_mnist(d, flatten=False, verify=False)
    np.testing.assert_allclose(X, pixels / 255, rtol=1e-6)
    assert X.dtype == np.float32 and y.dtype == np.int64
    (X64, y64), (T64, _) = load_mnist(d, dtype=np.float64, verify=False)
    assert X64.dtype == np.float64 and X64.shape == (6, 784) and T64.shape == (4, 784)
    np.testing.assert_array_equal(X64, pixels.reshape(6, 784) / 255)
    np.testing.assert_array_equal(y64, y)


def test_changed_files_are_read_again(tmp_path, fresh_cache):
    d = fake_mnist(tmp_path, n_test=4)
    assert load_mnist(d, verify=False)[1][0].shape == (4, 784)
    write_images(d / MNIST_FILES["test_images"], 5)
    write_labels(d / MNIST_FILES["test_labels"], 5)
    assert load_mnist(d, verify=False)[1][0].shape == (5, 784)


def test_an_unverified_load_does_not_skip_a_later_verification(tmp_path, fresh_cache):
    d = fake_mnist(tmp_path)
    load_mnist(d, verify=False)
    with pytest.raises(MNISTCorruptError):
        load_mnist(d, verify=True)


# --------------------------------------------------------------------------- failures

def test_missing_directory(tmp_path, monkeypatch, fresh_cache):
    missing = tmp_path / "nowhere"
    with pytest.raises(FileNotFoundError) as excinfo:
        load_mnist(missing)
    assert isinstance(excinfo.value, MNISTNotFoundError) and isinstance(excinfo.value, MNISTError)
    assert_clear_error(excinfo, str(missing), "copy the four official", "NNLIB_MNIST_DIR")
    monkeypatch.setenv("NNLIB_MNIST_DIR", str(missing))
    with pytest.raises(MNISTNotFoundError, match="NNLIB_MNIST_DIR environment variable"):
        load_mnist()


def test_missing_file(tmp_path, fresh_cache):
    d = fake_mnist(tmp_path)
    (d / MNIST_FILES["test_labels"]).unlink()
    with pytest.raises(MNISTNotFoundError) as excinfo:
        load_mnist(d, verify=False)
    assert_clear_error(excinfo, "t10k-labels-idx1-ubyte.gz", "missing", "copy", "NNLIB_MNIST_DIR")


def test_truncated_gzip_file(tmp_path, fresh_cache):
    d = fake_mnist(tmp_path)
    f = d / MNIST_FILES["train_images"]
    f.write_bytes(f.read_bytes()[:-200])
    with pytest.raises(MNISTCorruptError) as excinfo:
        load_mnist(d, verify=False)
    assert_clear_error(excinfo, str(f), "truncated", "replace it with a fresh copy")


def test_truncated_data_after_a_valid_header(tmp_path, fresh_cache):
    d = fake_mnist(tmp_path)
    f = d / MNIST_FILES["train_images"]
    write_images(f, 6, payload=bytes(3 * 784))            # header says 6 images, data holds 3
    with pytest.raises(MNISTCorruptError) as excinfo:
        load_mnist(d, verify=False)
    assert_clear_error(excinfo, str(f), "truncated", f"expected {6 * 784}", f"found {3 * 784}",
                       "fresh copy")


def test_truncated_official_file_with_verify(tmp_path, fresh_cache):
    d = real_copy(tmp_path)
    f = d / MNIST_FILES["test_labels"]
    f.write_bytes(f.read_bytes()[:1000])
    with pytest.raises(MNISTCorruptError) as excinfo:
        load_mnist(d)
    assert_clear_error(excinfo, str(f), "truncated", "1000 bytes", "expected 4542", "fresh copy")


def test_corrupted_bytes_fail_the_checksum(tmp_path, fresh_cache):
    d = real_copy(tmp_path)
    f = d / MNIST_FILES["test_labels"]
    data = bytearray(f.read_bytes())
    data[2000] ^= 0xFF
    f.write_bytes(bytes(data))
    with pytest.raises(MNISTCorruptError) as excinfo:
        load_mnist(d)
    assert_clear_error(excinfo, str(f), "checksum", MNIST_SHA256[f.name], "fresh copy", "verify=False")


def test_not_a_gzip_file(tmp_path, fresh_cache):
    d = fake_mnist(tmp_path)
    f = d / MNIST_FILES["test_images"]
    f.write_bytes(b"<html>404 Not Found</html>")
    with pytest.raises(MNISTCorruptError) as excinfo:
        load_mnist(d, verify=False)
    assert_clear_error(excinfo, str(f), "not a valid gzip file", "fresh copy")


def test_bad_magic_number_without_verify(tmp_path, fresh_cache):
    d = fake_mnist(tmp_path)
    f = d / MNIST_FILES["train_labels"]
    write_labels(f, 6, magic=1234)
    with pytest.raises(MNISTCorruptError) as excinfo:
        load_mnist(d, verify=False)
    assert_clear_error(excinfo, str(f), "magic number 1234", "expected 2049", "fresh copy")


def test_swapped_files_are_recognised(tmp_path, fresh_cache):
    d = fake_mnist(tmp_path)
    images, labels = d / MNIST_FILES["test_images"], d / MNIST_FILES["test_labels"]
    tmp = d / "tmp.gz"
    images.rename(tmp), labels.rename(images), tmp.rename(labels)
    with pytest.raises(MNISTCorruptError) as excinfo:
        load_mnist(d, verify=False)
    assert_clear_error(excinfo, str(images), "swapped")


def test_count_mismatch_between_images_and_labels(tmp_path, fresh_cache):
    d = fake_mnist(tmp_path, n_train=6)
    write_labels(d / MNIST_FILES["train_labels"], 5)
    with pytest.raises(MNISTCorruptError) as excinfo:
        load_mnist(d, verify=False)
    assert_clear_error(excinfo, "train-images-idx3-ubyte.gz", "train-labels-idx1-ubyte.gz",
                       "6 images", "5 labels", "official files")


def test_extra_bytes_and_bad_labels(tmp_path, fresh_cache):
    d = fake_mnist(tmp_path, n_test=4)
    f = d / MNIST_FILES["test_labels"]
    write_labels(f, 4, payload=bytes([1, 2, 3, 4, 5]))
    with pytest.raises(MNISTCorruptError, match="1 bytes more than its header"):
        load_mnist(d, verify=False)
    write_labels(f, 4, payload=bytes([1, 2, 37, 4]))
    with pytest.raises(MNISTCorruptError) as excinfo:
        load_mnist(d, verify=False)
    assert_clear_error(excinfo, str(f), "up to 37", "0..9")


def test_bad_arguments(tmp_path, fresh_cache):
    d = fake_mnist(tmp_path)
    with pytest.raises(TypeError, match="floating-point"):
        load_mnist(d, dtype=np.uint8, verify=False)
    with pytest.raises(TypeError, match="flatten"):
        load_mnist(d, flatten="yes", verify=False)


# --------------------------------------------------------------------------- toy data sets

TOYS = {
    "xor": (make_xor, 200, 2),
    "blobs": (make_blobs, 300, 3),
    "moons": (make_moons, 200, 2),
    "circles": (make_circles, 200, 2),
    "spirals": (make_spirals, 300, 3),
}


@pytest.mark.parametrize("name", TOYS)
def test_toy_shapes_dtypes_balance_and_range(name):
    make, n, k = TOYS[name]
    X, y = make()
    assert X.shape == (n, 2) and X.dtype == np.float64 and X.flags.c_contiguous
    assert y.shape == (n,) and y.dtype == np.int64
    assert np.isfinite(X).all()
    assert np.bincount(y).tolist() == [n // k] * k
    limit = 7.0 if name == "blobs" else 2.0
    assert np.abs(X).max() < limit
    # rows come shuffled: the first tenth already holds every class
    assert set(y[: n // 10]) == set(range(k))


@pytest.mark.parametrize("name", TOYS)
def test_toy_seeding(name):
    make = TOYS[name][0]
    X1, y1 = make(seed=3)
    X2, y2 = make(seed=3)
    X3, _ = make(seed=4)
    np.testing.assert_array_equal(X1, X2)
    np.testing.assert_array_equal(y1, y2)
    assert not np.allclose(X1, X3)


@pytest.mark.parametrize("name", TOYS)
def test_toy_odd_sizes_stay_balanced(name):
    make = TOYS[name][0]
    X, y = make(n=101)
    counts = np.bincount(y)
    assert X.shape == (101, 2) and counts.sum() == 101 and counts.max() - counts.min() <= 1


def test_xor_labels_follow_the_corners():
    X, y = make_xor(n=400, noise=0.1)
    np.testing.assert_array_equal(y, ((X[:, 0] > 0) != (X[:, 1] > 0)).astype(int))


def test_circles_and_moons_geometry():
    X, y = make_circles(noise=0.0, factor=0.3)
    np.testing.assert_allclose(np.linalg.norm(X, axis=1), np.where(y == 0, 1.0, 0.3))
    X, y = make_moons(noise=0.0)
    assert X[y == 0, 1].mean() > X[y == 1, 1].mean()       # moon 0 above moon 1
    np.testing.assert_allclose(X.mean(axis=0), 0.0, atol=0.05)


def test_spirals_and_blobs_geometry():
    X, _ = make_spirals(noise=0.0)
    assert np.linalg.norm(X, axis=1).max() <= 1.0 + 1e-12
    X, y = make_blobs(n=600, centers=4, std=0.3)
    means = np.array([X[y == c].mean(axis=0) for c in range(4)])
    np.testing.assert_allclose(np.linalg.norm(means, axis=1), 3.0, atol=0.1)


def best_linear_accuracy(X, y):
    """Accuracy of the least-squares line w.x + b = +-1: a simple linear classifier."""
    A = np.column_stack([X, np.ones(len(X))])
    w, *_ = np.linalg.lstsq(A, 2.0 * y - 1, rcond=None)
    return np.mean((A @ w > 0) == (y == 1))


def test_xor_and_circles_are_not_linearly_separable_but_blobs_are_easy():
    assert best_linear_accuracy(*make_xor()) < 0.7
    assert best_linear_accuracy(*make_circles()) < 0.7
    X, y = make_blobs(centers=2, std=0.5)
    assert best_linear_accuracy(X, y) > 0.95


@pytest.mark.parametrize("call, error, words", [
    (lambda: make_xor(n=3), ValueError, "at least 4"),
    (lambda: make_xor(noise=-0.1), ValueError, ">= 0"),
    (lambda: make_xor(n=10.5), TypeError, "integer"),
    (lambda: make_moons(n=1), ValueError, "at least 2"),
    (lambda: make_moons(noise=float("nan")), ValueError, "finite"),
    (lambda: make_circles(factor=1.0), ValueError, "between 0 and 1"),
    (lambda: make_circles(factor=0), ValueError, "between 0 and 1"),
    (lambda: make_blobs(n=2, centers=3), ValueError, "number of centers"),
    (lambda: make_blobs(std=-1), ValueError, ">= 0"),
    (lambda: make_blobs(centers=0), ValueError, "at least 1"),
    (lambda: make_spirals(n=2, classes=3), ValueError, "number of classes"),
    (lambda: make_spirals(classes=True), TypeError, "integer"),
])
def test_toy_argument_errors(call, error, words):
    with pytest.raises(error, match=re.escape(words)):
        call()


# --------------------------------------------------------------------------- split and batches

def test_train_test_split_partitions_and_keeps_pairs():
    X = np.arange(50 * 3).reshape(50, 3)
    y = np.arange(50) * 10
    X_train, X_test, y_train, y_test = train_test_split(X, y, test_size=0.2, seed=1)
    assert X_train.shape == (40, 3) and X_test.shape == (10, 3)
    assert y_train.shape == (40,) and y_test.shape == (10,)
    np.testing.assert_array_equal(X_train[:, 0] // 3 * 10, y_train)    # rows stay paired
    np.testing.assert_array_equal(X_test[:, 0] // 3 * 10, y_test)
    assert sorted(np.concatenate([y_train, y_test]).tolist()) == y.tolist()
    assert not np.array_equal(np.sort(y_test), y[:10]) and not np.array_equal(np.sort(y_test), y[-10:])
    X_train[:] = -1                                                     # results are new arrays
    assert X.min() == 0


def test_train_test_split_sizes_and_seeds():
    X, y = make_moons(n=101)
    assert len(train_test_split(X, y, test_size=0.25)[1]) == 26          # ceil(0.25 * 101)
    assert len(train_test_split(X, y, test_size=7)[3]) == 7
    a = train_test_split(X, y, seed=5)
    b = train_test_split(X, y, seed=5)
    c = train_test_split(X, y, seed=6)
    for u, v in zip(a, b):
        np.testing.assert_array_equal(u, v)
    assert not np.array_equal(a[3], c[3])
    Xo, yo = np.eye(10), np.eye(10)                                    # one-hot targets work too
    assert train_test_split(Xo, yo, test_size=3)[3].shape == (3, 10)


@pytest.mark.parametrize("kwargs, error, words", [
    (dict(y=np.zeros(9)), ShapeError, "10 samples"),
    (dict(test_size=0.0), ValueError, "strictly between 0 and 1"),
    (dict(test_size=1.0), ValueError, "strictly between 0 and 1"),
    (dict(test_size=10), ValueError, "at least one"),
    (dict(test_size=0), ValueError, "at least one"),
    (dict(test_size=True), TypeError, "test_size"),
])
def test_train_test_split_errors(kwargs, error, words):
    args = dict(X=np.zeros((10, 2)), y=np.zeros(10)) | kwargs
    with pytest.raises(error, match=re.escape(words)):
        train_test_split(args.pop("X"), args.pop("y"), **args)


def test_minibatches_cover_every_sample_once():
    X = np.arange(23 * 2, dtype=float).reshape(23, 2)
    y = np.arange(23)
    batches = list(minibatches(X, y, batch_size=5, seed=0))
    assert [len(yb) for _, yb in batches] == [5, 5, 5, 5, 3]
    seen = np.concatenate([yb for _, yb in batches])
    assert sorted(seen.tolist()) == list(range(23))
    assert not np.array_equal(seen, y)                                 # shuffled
    for Xb, yb in batches:
        np.testing.assert_array_equal(Xb[:, 0], 2 * yb)                # rows stay paired
        assert Xb.shape == (len(yb), 2)


def test_minibatches_order_and_seed():
    X, y = np.zeros((10, 1)), np.arange(10)
    in_order = [yb.tolist() for _, yb in minibatches(X, y, 4, shuffle=False)]
    assert in_order == [[0, 1, 2, 3], [4, 5, 6, 7], [8, 9]]
    one = [yb.tolist() for _, yb in minibatches(X, y, 4, seed=1)]
    assert one == [yb.tolist() for _, yb in minibatches(X, y, 4, seed=1)]
    assert one != [yb.tolist() for _, yb in minibatches(X, y, 4, seed=2)]
    rng = np.random.default_rng(0)                                      # a Generator: new order per pass
    first = np.concatenate([yb for _, yb in minibatches(X, y, 10, seed=rng)])
    second = np.concatenate([yb for _, yb in minibatches(X, y, 10, seed=rng)])
    assert not np.array_equal(first, second)
    assert len(list(minibatches(X, y, 100))) == 1


def test_minibatches_check_arguments_when_called():
    X, y = np.zeros((10, 2)), np.zeros(10)
    with pytest.raises(ValueError, match="at least 1"):
        minibatches(X, y, 0)                                            # no iteration needed
    with pytest.raises(TypeError, match="integer"):
        minibatches(X, y, 2.5)
    with pytest.raises(ShapeError, match="same number of rows"):
        minibatches(X, np.zeros(9), 2)


def test_one_hot_is_the_costs_function():
    assert datasets.one_hot is costs.one_hot
    np.testing.assert_array_equal(datasets.one_hot(np.array([2, 0]), 3), [[0, 0, 1], [1, 0, 0]])
