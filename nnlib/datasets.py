r"""Data for the course: the MNIST digits, toy 2-D data sets, splitting and batching.

Conventions (as everywhere in nnlib): rows are samples. ``X`` has shape
(n, features) and a floating dtype; ``y`` holds integer class labels of shape
(n,) and dtype int64.

MNIST
    :func:`load_mnist` reads the four official files shipped in ``data/mnist/``
    (60,000 training and 10,000 test images of handwritten digits, 28x28 grey
    levels), checks their sha256 checksums, parses the IDX format with numpy and
    returns pixels scaled to [0, 1].

Toy 2-D data sets (for the early lessons, small enough to plot)
    :func:`make_xor`, :func:`make_blobs`, :func:`make_moons`,
    :func:`make_circles`, :func:`make_spirals`. Each returns ``X`` float64 (n, 2)
    and ``y`` int64 (n,), is generated from ``seed`` (same seed, same data), has
    balanced classes (class sizes differ by at most one) and rows in random
    order. All but ``make_blobs`` (whose spread is yours to choose) lie roughly
    within [-1.5, 1.5] for the default noise, so one plotting range suits them.

Helpers
    :func:`train_test_split`, :func:`minibatches`, and :func:`one_hot`
    (the same function as :func:`nnlib.costs.one_hot`).
"""
from __future__ import annotations

import gzip
import hashlib
import numbers
import os
import sys
import zlib
from pathlib import Path

import numpy as np

from .costs import one_hot
from .validation import ShapeError

__all__ = [
    "MNISTError", "MNISTNotFoundError", "MNISTCorruptError", "MNIST_FILES", "MNIST_SHA256",
    "MNIST_GZ_SIZES", "default_mnist_dir", "load_mnist", "clear_mnist_cache",
    "make_xor", "make_blobs", "make_moons", "make_circles", "make_spirals",
    "train_test_split", "minibatches", "one_hot",
]

# ---------------------------------------------------------------------------
# MNIST
# ---------------------------------------------------------------------------

#: The four files, by role. ``data/mnist/README.md`` says where they come from.
MNIST_FILES = {
    "train_images": "train-images-idx3-ubyte.gz",
    "train_labels": "train-labels-idx1-ubyte.gz",
    "test_images": "t10k-images-idx3-ubyte.gz",
    "test_labels": "t10k-labels-idx1-ubyte.gz",
}

#: sha256 of each .gz file as shipped in ``data/mnist/`` (train-images was
#: re-compressed with ``gzip -9 -n``, so its hash is this copy's own; the other
#: three are byte-identical to the originally distributed files).
MNIST_SHA256 = {
    "train-images-idx3-ubyte.gz": "0b367032e93c5d0cea0925647cfdb18614af8ee15f83e6f2fc2ad904a6835971",
    "train-labels-idx1-ubyte.gz": "3552534a0a558bbed6aed32b30c495cca23d567ec52cac8be1a0730e8010255c",
    "t10k-images-idx3-ubyte.gz": "8d422c7b0a1c1c79245a5bcf07fe86e33eeafee792b84584aec276f5a2dbc4e6",
    "t10k-labels-idx1-ubyte.gz": "f7ae60f92e00ec6debd23a6088c31dbd2371eca3ffa0defaefb259924204aec6",
}

#: Size in bytes of each .gz file, so a short file is reported as "truncated".
MNIST_GZ_SIZES = {
    "train-images-idx3-ubyte.gz": 9719438,
    "train-labels-idx1-ubyte.gz": 28881,
    "t10k-images-idx3-ubyte.gz": 1648877,
    "t10k-labels-idx1-ubyte.gz": 4542,
}

IMAGES_MAGIC = 2051  # IDX header: 0x00000803 = unsigned bytes, 3 dimensions
LABELS_MAGIC = 2049  # IDX header: 0x00000801 = unsigned bytes, 1 dimension
ENV_VAR = "NNLIB_MNIST_DIR"

_REPLACE = ("replace it with a fresh copy of the official file (the course repository ships "
            "the four files in data/mnist/; data/mnist/README.md gives their source and checksums)")


class MNISTError(RuntimeError):
    """Something is wrong with the MNIST files. The message names the file and the fix."""


class MNISTNotFoundError(MNISTError, FileNotFoundError):
    """The MNIST directory or one of its four files does not exist."""


class MNISTCorruptError(MNISTError):
    """An MNIST file exists but is truncated, corrupted or not an MNIST file."""


def default_mnist_dir() -> Path:
    """Where the four files are found when no path is given (never from the working directory).

    1. ``<repository>/data/mnist``, next to the nnlib package: a clone, ``make lab``, an
       editable install (``pip install -e .``), conda's ``environment.yml``;
    2. ``<sys.prefix>/share/nnlib/mnist``: a non-editable ``pip install .`` (a JupyterHub or
       Docker image) puts the files there (pyproject.toml's ``data-files``).

    The first of these that holds the files; the repository's folder when neither does (the
    error message then says what to copy where).
    """
    candidates = [Path(__file__).resolve().parent.parent / "data" / "mnist",
                  Path(sys.prefix) / "share" / "nnlib" / "mnist"]
    for candidate in candidates:
        if all((candidate / name).is_file() for name in MNIST_FILES.values()):
            return candidate
    return candidates[0]


def _mnist_dir(path) -> tuple[Path, str]:
    """The directory to read and a few words on where that choice came from."""
    if path is not None:
        if not isinstance(path, (str, os.PathLike)):
            raise TypeError(f"load_mnist: path must be a directory name (str or pathlib.Path), "
                            f"got {path!r}.")
        return Path(path).expanduser(), "given as the path argument"
    env = os.environ.get(ENV_VAR, "").strip()
    if env:
        return Path(env).expanduser(), f"from the {ENV_VAR} environment variable"
    return default_mnist_dir(), "the default next to the nnlib package"


def _how_to_fix(directory: Path) -> str:
    names = ", ".join(MNIST_FILES.values())
    return (f"Copy the four official MNIST files ({names}) into {directory}, or point "
            f"load_mnist(path=...) or the {ENV_VAR} environment variable at the directory that "
            f"holds them (data/mnist/README.md says where they come from).")


def _find_files(directory: Path, where: str) -> dict[str, Path]:
    """Paths of the four files, or a :class:`MNISTNotFoundError` naming what is missing."""
    if not directory.exists():
        raise MNISTNotFoundError(
            f"MNIST directory not found: {directory} ({where}). {_how_to_fix(directory)}")
    if not directory.is_dir():
        raise MNISTNotFoundError(
            f"MNIST path {directory} ({where}) is a file, expected a directory holding the four "
            f".gz files. {_how_to_fix(directory.parent)}")
    files = {role: directory / name for role, name in MNIST_FILES.items()}
    missing = [p for p in files.values() if not p.is_file()]
    if missing:
        unpacked = [p.with_suffix("").name for p in missing if p.with_suffix("").exists()]
        hint = (f" (found the unpacked {', '.join(unpacked)}: the loader reads the .gz files as "
                f"distributed; compress them again with gzip or copy the originals)") if unpacked else ""
        others = f" (also missing: {', '.join(p.name for p in missing[1:])})" if len(missing) > 1 else ""
        raise MNISTNotFoundError(
            f"MNIST file missing: {missing[0]}{others}{hint}. {_how_to_fix(directory)}")
    return files


def _check_checksum(path: Path, data: bytes) -> None:
    """Compare the file's size and sha256 with the official values, or raise."""
    name = path.name
    expected_size = MNIST_GZ_SIZES[name]
    if len(data) < expected_size:
        raise MNISTCorruptError(
            f"MNIST file {path} is truncated: {len(data)} bytes, expected {expected_size}; "
            f"{_REPLACE}.")
    digest = hashlib.sha256(data).hexdigest()
    if digest != MNIST_SHA256[name]:
        raise MNISTCorruptError(
            f"MNIST file {path} failed its checksum: sha256 {digest}, expected "
            f"{MNIST_SHA256[name]}. The file is corrupted or is not the official one; {_REPLACE}. "
            f"(To load other files in the MNIST format on purpose, e.g. Fashion-MNIST, pass "
            f"verify=False.)")


def _gunzip(path: Path, data: bytes) -> bytes:
    try:
        return gzip.decompress(data)
    except EOFError:
        raise MNISTCorruptError(
            f"MNIST file {path} is truncated: its gzip stream ends before the end of the data; "
            f"{_REPLACE}.") from None
    except (OSError, zlib.error) as err:  # gzip.BadGzipFile is an OSError
        raise MNISTCorruptError(
            f"MNIST file {path} is not a valid gzip file ({err}): it is corrupted; "
            f"{_REPLACE}.") from None


def _parse_idx(path: Path, raw: bytes, images: bool) -> np.ndarray:
    """IDX bytes -> uint8 array (count, rows, cols) for images or (count,) for labels.

    Layout (all integers big-endian int32): magic number (2051 for images, 2049
    for labels), the number of items, for images the rows and the columns, then
    one unsigned byte per pixel (row by row) or per label.
    """
    what = "images" if images else "labels"
    header_len = 16 if images else 8
    if len(raw) < header_len:
        raise MNISTCorruptError(
            f"MNIST file {path} is truncated: {len(raw)} bytes unpacked, too short even for the "
            f"{header_len}-byte IDX header of an {what} file; {_REPLACE}.")
    header = np.frombuffer(raw, dtype=">i4", count=header_len // 4)
    magic, count = int(header[0]), int(header[1])
    expected_magic = IMAGES_MAGIC if images else LABELS_MAGIC
    if magic != expected_magic:
        swapped = ""
        if magic == (LABELS_MAGIC if images else IMAGES_MAGIC):
            swapped = f" It holds {'labels' if images else 'images'}: are two file names swapped?"
        raise MNISTCorruptError(
            f"MNIST file {path} has magic number {magic}, expected {expected_magic} for an IDX "
            f"{what} file: it is corrupted or not an MNIST {what} file.{swapped} To fix it, "
            f"{_REPLACE}.")
    shape = (count, int(header[2]), int(header[3])) if images else (count,)
    if min(shape) < 0:
        raise MNISTCorruptError(f"MNIST file {path} has a corrupted header (sizes {shape}); {_REPLACE}.")
    expected = int(np.prod(shape))
    found = len(raw) - header_len
    if found < expected:
        layout = f"{count} images of {shape[1]}x{shape[2]} pixels" if images else f"{count} labels"
        raise MNISTCorruptError(
            f"MNIST file {path} is truncated: expected {expected} bytes of {what[:-1]} data "
            f"({layout}, as its header says), found {found}; {_REPLACE}.")
    if found > expected:
        raise MNISTCorruptError(
            f"MNIST file {path} has {found - expected} bytes more than its header announces "
            f"({expected} bytes of {what[:-1]} data): it is corrupted; {_REPLACE}.")
    return np.frombuffer(raw, dtype=np.uint8, offset=header_len).reshape(shape)


def _read_all(files: dict[str, Path], verify: bool) -> dict:
    """Read, check and parse the four files: ``{"train": (images, labels), "test": ...}`` as uint8.

    All four checksums are checked before anything is unpacked, so a damaged
    file is reported at once.
    """
    data = {}
    for role, path in files.items():
        try:
            data[role] = path.read_bytes()
        except OSError as err:
            raise MNISTError(f"MNIST file {path} could not be read ({err}). Check its permissions "
                             f"or {_REPLACE}.") from None
        if verify:
            _check_checksum(path, data[role])
    splits = {}
    for split in ("train", "test"):
        image_file, label_file = files[f"{split}_images"], files[f"{split}_labels"]
        images = _parse_idx(image_file, _gunzip(image_file, data.pop(f"{split}_images")), images=True)
        labels = _parse_idx(label_file, _gunzip(label_file, data.pop(f"{split}_labels")), images=False)
        if images.shape[0] != labels.shape[0]:
            raise MNISTCorruptError(
                f"MNIST files disagree: {image_file} holds {images.shape[0]} images but "
                f"{label_file} holds {labels.shape[0]} labels. One of them is corrupted or comes "
                f"from another data set; replace both with fresh copies of the official files "
                f"(data/mnist/README.md).")
        if labels.size and labels.max() > 9:
            raise MNISTCorruptError(
                f"MNIST file {label_file} holds label values up to {labels.max()}, expected digits "
                f"0..9: it is corrupted or not an MNIST labels file; {_REPLACE}.")
        splits[split] = (images, labels)
    return splits


# One cache entry: the directory and the files' (mtime, size) it was read from,
# whether the checksums were verified, the raw uint8 arrays, and the scaled
# read-only arrays for the most recent dtype. Only the most recent directory is kept.
_CACHE: dict = {}


def clear_mnist_cache() -> None:
    """Forget the arrays :func:`load_mnist` keeps, so the next call reads the files again."""
    _CACHE.clear()


def _file_stamp(files: dict[str, Path]) -> tuple:
    stats = [p.stat() for p in files.values()]
    return tuple((p.name, s.st_mtime_ns, s.st_size) for p, s in zip(files.values(), stats))


def _scaled(raw: np.ndarray, dtype) -> np.ndarray:
    """uint8 pixels 0..255 -> ``dtype`` in [0, 1] (exactly k/255), read-only."""
    out = np.divide(raw, dtype.type(255), dtype=dtype)
    out.flags.writeable = False
    return out


def _readonly_labels(labels: np.ndarray) -> np.ndarray:
    out = labels.astype(np.int64)
    out.flags.writeable = False
    return out


def load_mnist(path=None, flatten: bool = True, dtype=np.float32, verify: bool = True):
    r"""Load MNIST: ``((X_train, y_train), (X_test, y_test))``.

    Returns

    * ``X_train``: (60000, 784) of ``dtype`` (float32 by default), or
      (60000, 28, 28) with ``flatten=False``. Pixel values are the grey levels
      0..255 divided by 255, so 0.0 is the background and 1.0 full ink.
      Flattening reads each image row by row: pixel (r, c) is column 28 r + c.
    * ``y_train``: (60000,) int64, the digit 0..9 shown in each image.
    * ``X_test``, ``y_test``: the same for the 10,000 test images.

    Where the files are read from: ``path`` if given, else the directory in
    the ``NNLIB_MNIST_DIR`` environment variable, else ``data/mnist/`` of the
    repository, found from the package's own location (so it works from any
    working directory).

    With ``verify=True`` each .gz file's sha256 must match :data:`MNIST_SHA256`;
    ``verify=False`` skips that (for other files in the same format, e.g.
    Fashion-MNIST). Either way the IDX structure is checked: magic numbers,
    sizes, equal numbers of images and labels, labels 0..9.

    Errors: :class:`MNISTNotFoundError` (also a ``FileNotFoundError``) for a
    missing directory or file, :class:`MNISTCorruptError` for a truncated or
    corrupted one; both are :class:`MNISTError` and name the file and the fix.

    Speed and sharing: the first call in a process reads and unpacks the files
    (well under a second); later calls with the same files return the arrays
    kept from the first call, instantly. Because of that sharing the returned
    arrays are **read-only**: ``X_train *= 2`` raises an error instead of quietly
    changing the data every later caller gets. Build new arrays instead
    (``X = X_train - mean``) or take a writable copy with ``X_train.copy()``.
    The files are read again if they change (modification time or size).
    """
    if not isinstance(flatten, (bool, np.bool_)):
        raise TypeError(f"load_mnist: flatten must be True or False, got {flatten!r}.")
    try:
        dtype = np.dtype(dtype)
    except TypeError:
        raise TypeError(f"load_mnist: dtype must be a floating-point type such as np.float32, "
                        f"got {dtype!r}.") from None
    if dtype.kind != "f":
        raise TypeError(f"load_mnist: dtype must be a floating-point type such as np.float32 or "
                        f"np.float64 (pixels are scaled to [0, 1]), got {dtype}.")
    directory, where = _mnist_dir(path)
    files = _find_files(directory, where)
    key = (str(directory.resolve()), _file_stamp(files))

    if _CACHE.get("key") != key or (verify and not _CACHE["verified"]):
        raw = _read_all(files, verify)
        _CACHE.clear()
        _CACHE.update(key=key, verified=bool(verify), raw=raw, scaled={})
    scaled = _CACHE["scaled"]
    if dtype not in scaled:
        scaled.clear()  # keep one dtype only: float64 MNIST alone takes 440 MB
        scaled[dtype] = {split: (_scaled(images, dtype), _readonly_labels(labels))
                         for split, (images, labels) in _CACHE["raw"].items()}

    def shaped(split):
        images, labels = scaled[dtype][split]
        return (images.reshape(images.shape[0], -1) if flatten else images), labels

    return shaped("train"), shaped("test")


# ---------------------------------------------------------------------------
# Toy 2-D data sets
# ---------------------------------------------------------------------------

def _check_count(value, name: str, minimum: int, where: str) -> int:
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, numbers.Integral):
        raise TypeError(f"{where}: {name} must be an integer, got {value!r}.")
    if value < minimum:
        raise ValueError(f"{where}: {name} must be at least {minimum}, got {value}.")
    return int(value)


def _check_nonnegative(value, name: str, where: str) -> float:
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, numbers.Real):
        raise TypeError(f"{where}: {name} must be a number, got {value!r}.")
    if not np.isfinite(value) or value < 0:
        raise ValueError(f"{where}: {name} must be a finite number >= 0, got {value}.")
    return float(value)


def _balanced_labels(n: int, k: int):
    """Labels 0, 1, ..., k-1, 0, 1, ... for n points, and each point's rank in its class.

    Returns ``labels`` (n,) int64 (class sizes differ by at most one),
    ``rank`` (n,): 0 for the first point of a class, 1 for the next, ... and
    ``size`` (n,): the size of the point's class.
    """
    i = np.arange(n)
    labels = i % k
    rank = i // k
    sizes = np.bincount(labels, minlength=k)
    return labels.astype(np.int64), rank, sizes[labels]


def _shuffled(rng, X, y):
    """Rows in random order, so any slice X[:m] holds every class."""
    order = rng.permutation(len(y))
    return np.ascontiguousarray(X[order], dtype=np.float64), y[order]


def make_xor(n: int = 200, noise: float = 0.1, seed=0):
    r"""The XOR problem: four clusters at the corners (+-1, +-1).

    A point's label is 1 when exactly one of its coordinates is positive
    (x1 XOR x2 in the sense "x1 > 0" XOR "x2 > 0"), else 0: the corners
    (-1, -1) and (1, 1) are class 0, (-1, 1) and (1, -1) class 1. No straight
    line separates the classes, so a single neuron cannot learn it; one hidden
    layer can.

    ``noise`` is the standard deviation of the Gaussian jitter added to each
    coordinate. Returns ``X`` float64 (n, 2) and ``y`` int64 (n,) in {0, 1};
    each corner gets n/4 points (up to one more or less).
    """
    n = _check_count(n, "n", 4, "make_xor")
    noise = _check_nonnegative(noise, "noise", "make_xor")
    rng = np.random.default_rng(seed)
    corners = np.array([[-1.0, -1.0], [-1.0, 1.0], [1.0, 1.0], [1.0, -1.0]])
    corner = np.arange(n) % 4            # classes alternate 0, 1, 0, 1 -> balanced
    y = (corner % 2).astype(np.int64)
    X = corners[corner] + rng.normal(0.0, noise, size=(n, 2))
    return _shuffled(rng, X, y)


def make_blobs(n: int = 300, centers: int = 3, std: float = 1.0, seed=0):
    r"""``centers`` round Gaussian clouds ("blobs"), one class each.

    The blob centres sit evenly spaced on a circle of radius 3 around the origin
    (the first one at the top); each point is its centre plus Gaussian noise of
    standard deviation ``std`` in each coordinate. With the default ``std=1.0``
    neighbouring blobs touch but are mostly separate, and the points lie roughly
    within [-6, 6]; ``std=0.5`` gives well separated blobs within about [-4, 4].
    With ``centers=1`` the single blob is centred on the origin.

    Returns ``X`` float64 (n, 2) and ``y`` int64 (n,) in 0..centers-1, about
    n/centers points per blob.
    """
    n = _check_count(n, "n", 1, "make_blobs")
    centers = _check_count(centers, "centers", 1, "make_blobs")
    if n < centers:
        raise ValueError(f"make_blobs: n must be at least the number of centers ({centers}) so "
                         f"every blob has a point, got n={n}.")
    std = _check_nonnegative(std, "std", "make_blobs")
    rng = np.random.default_rng(seed)
    y, _, _ = _balanced_labels(n, centers)
    radius = 3.0 if centers > 1 else 0.0
    angle = np.pi / 2 + 2 * np.pi * np.arange(centers) / centers
    middle = radius * np.column_stack([np.cos(angle), np.sin(angle)])
    X = middle[y] + rng.normal(0.0, std, size=(n, 2))
    return _shuffled(rng, X, y)


def make_moons(n: int = 200, noise: float = 0.1, seed=0):
    r"""Two interleaving half circles ("moons").

    Class 0 is the upper half of the unit circle, class 1 the lower half of a
    unit circle shifted right by 1 and down by 0.5, so each moon reaches into
    the other's hollow; the whole picture is then centred on the origin
    (x in about [-1.5, 1.5], y in about [-0.75, 0.75]). Points are spread evenly
    along each arc, then ``noise`` (standard deviation of Gaussian jitter per
    coordinate) is added.

    Returns ``X`` float64 (n, 2) and ``y`` int64 (n,) in {0, 1}.
    """
    n = _check_count(n, "n", 2, "make_moons")
    noise = _check_nonnegative(noise, "noise", "make_moons")
    rng = np.random.default_rng(seed)
    y, rank, size = _balanced_labels(n, 2)
    t = np.pi * rank / np.maximum(size - 1, 1)          # 0..pi along each arc
    upper = np.column_stack([np.cos(t), np.sin(t)])
    lower = np.column_stack([1.0 - np.cos(t), 0.5 - np.sin(t)])
    X = np.where(y[:, None] == 0, upper, lower) - np.array([0.5, 0.25])
    X = X + rng.normal(0.0, noise, size=(n, 2))
    return _shuffled(rng, X, y)


def make_circles(n: int = 200, noise: float = 0.05, factor: float = 0.5, seed=0):
    r"""A small circle inside a large one.

    Class 0 lies on the circle of radius 1, class 1 on the circle of radius
    ``factor`` (between 0 and 1), both centred on the origin, with points spread
    evenly around each circle and Gaussian jitter of standard deviation
    ``noise`` added to each coordinate. The classes are separated by distance
    from the origin, which no straight line can express.

    Returns ``X`` float64 (n, 2) and ``y`` int64 (n,) in {0, 1}.
    """
    n = _check_count(n, "n", 2, "make_circles")
    noise = _check_nonnegative(noise, "noise", "make_circles")
    if isinstance(factor, (bool, np.bool_)) or not isinstance(factor, numbers.Real) \
            or not 0 < factor < 1:
        raise ValueError(f"make_circles: factor (inner radius / outer radius) must lie strictly "
                         f"between 0 and 1, got {factor!r}.")
    rng = np.random.default_rng(seed)
    y, rank, size = _balanced_labels(n, 2)
    angle = 2 * np.pi * rank / size
    radius = np.where(y == 0, 1.0, float(factor))
    X = radius[:, None] * np.column_stack([np.cos(angle), np.sin(angle)])
    X = X + rng.normal(0.0, noise, size=(n, 2))
    return _shuffled(rng, X, y)


def make_spirals(n: int = 300, classes: int = 3, noise: float = 0.2, seed=0):
    r"""Interleaved spiral arms, one class per arm (the CS231n spiral data).

    A point of class c at position r in [0, 1] along its arm (from the centre
    outwards) is at distance r from the origin and at angle
    theta = 2 pi c / classes + 4 r + noise * (a standard normal number),
    i.e. ``(r sin(theta), r cos(theta))``. ``noise`` is thus the standard
    deviation of a random jitter of the angle, in radians. All points lie
    within the unit disc.

    Returns ``X`` float64 (n, 2) and ``y`` int64 (n,) in 0..classes-1.
    """
    n = _check_count(n, "n", 1, "make_spirals")
    classes = _check_count(classes, "classes", 1, "make_spirals")
    if n < classes:
        raise ValueError(f"make_spirals: n must be at least the number of classes ({classes}) so "
                         f"every arm has a point, got n={n}.")
    noise = _check_nonnegative(noise, "noise", "make_spirals")
    rng = np.random.default_rng(seed)
    y, rank, size = _balanced_labels(n, classes)
    r = rank / np.maximum(size - 1, 1)
    theta = 2 * np.pi * y / classes + 4.0 * r + rng.normal(0.0, noise, size=n)
    X = r[:, None] * np.column_stack([np.sin(theta), np.cos(theta)])
    return _shuffled(rng, X, y)


# ---------------------------------------------------------------------------
# Splitting and batching
# ---------------------------------------------------------------------------

def _paired(X, y, where):
    X, y = np.asarray(X), np.asarray(y)
    if X.ndim == 0 or y.ndim == 0:
        raise ShapeError(f"{where}: X and y must be arrays with one row per sample, got shapes "
                         f"{X.shape} and {y.shape}.")
    if X.shape[0] != y.shape[0]:
        raise ShapeError(f"{where}: X has {X.shape[0]} samples (shape {X.shape}) but y has "
                         f"{y.shape[0]} (shape {y.shape}); they must have the same number of rows.")
    return X, y


def train_test_split(X, y, test_size=0.2, seed=0):
    r"""Shuffle the samples, then split them: ``X_train, X_test, y_train, y_test``.

    ``X`` has one sample per row (shape (n, ...), any dtype) and ``y`` one label
    (or target row) per sample (shape (n, ...)). ``test_size`` is either a
    fraction strictly between 0 and 1 (the test set gets ceil(test_size * n)
    samples) or a whole number of test samples. Both parts keep at least one
    sample. The same ``seed`` always gives the same split; rows of ``X`` and
    ``y`` stay paired. The results are new arrays (the inputs are not changed).
    """
    X, y = _paired(X, y, "train_test_split")
    n = X.shape[0]
    if isinstance(test_size, (bool, np.bool_)) or not isinstance(test_size, numbers.Real):
        raise TypeError(f"train_test_split: test_size must be a fraction in (0, 1) or a number of "
                        f"samples, got {test_size!r}.")
    if isinstance(test_size, numbers.Integral):
        n_test = int(test_size)
    elif 0 < test_size < 1:
        n_test = int(np.ceil(test_size * n))
    else:
        raise ValueError(f"train_test_split: a fractional test_size must lie strictly between 0 "
                         f"and 1, got {test_size}.")
    if not 1 <= n_test <= n - 1:
        raise ValueError(f"train_test_split: test_size={test_size!r} gives {n_test} test samples "
                         f"out of {n}; both the training and the test part need at least one.")
    order = np.random.default_rng(seed).permutation(n)
    test, train = order[:n_test], order[n_test:]
    return X[train], X[test], y[train], y[test]


def minibatches(X, y, batch_size: int, shuffle: bool = True, seed=0):
    r"""Iterate over one pass (epoch) of the data in mini-batches of ``(Xb, yb)``.

    Every sample appears exactly once per pass. Each batch holds ``batch_size``
    rows except possibly the last, which holds the remainder. With
    ``shuffle=True`` the order is a random permutation drawn from ``seed`` (the
    same seed gives the same batches; use e.g. ``seed=epoch`` or pass one
    ``np.random.Generator`` to get a new order each epoch); with
    ``shuffle=False`` the batches are consecutive slices of the data.

    ``Xb`` has shape (b, ...) like ``X`` and ``yb`` shape (b, ...) like ``y``.
    Arguments are checked when ``minibatches`` is called, before iterating.
    """
    X, y = _paired(X, y, "minibatches")
    batch_size = _check_count(batch_size, "batch_size", 1, "minibatches")
    n = X.shape[0]
    order = np.random.default_rng(seed).permutation(n) if shuffle else None

    def batches():
        for start in range(0, n, batch_size):
            if order is None:
                yield X[start:start + batch_size], y[start:start + batch_size]
            else:
                idx = order[start:start + batch_size]
                yield X[idx], y[idx]

    return batches()
