"""A non-editable install, as a JupyterHub or Docker image makes it (`pip install .`): the MNIST
files come with it (in <prefix>/share/nnlib/mnist) and the library's tests pass against the
installed package, run from a folder that is not the repository.

The fresh environment gets nnlib from the wheel only; numpy and the other dependencies come from
this test's own environment through a path file (no download).
"""
from __future__ import annotations

import subprocess
import sys
import venv
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
LIBRARY_TESTS = ["test_datasets.py", "test_network.py", "test_layers.py", "test_costs.py",
                 "test_activations.py", "test_optimizers.py", "test_metrics.py", "test_neuron.py",
                 "test_gradient_check.py", "test_bad_input.py"]


@pytest.fixture(scope="module")
def installed(tmp_path_factory):
    home = tmp_path_factory.mktemp("hub")
    prefix = home / "venv"
    # the fresh environment's own pip (ensurepip, offline) installs into it: pip's --prefix or
    # --target from this environment would uninstall this environment's editable nnlib
    venv.EnvBuilder(with_pip=True).create(prefix)
    python = prefix / "bin" / "python"
    build = subprocess.run([str(python), "-m", "pip", "install", "--disable-pip-version-check", "-q",
                            "--no-deps", str(ROOT)],
                           capture_output=True, text=True, cwd=home)
    assert build.returncode == 0, build.stderr[-3000:]
    site = subprocess.run([str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
                          capture_output=True, text=True, check=True).stdout.strip()
    deps = [p for p in sys.path if p.endswith("site-packages")]
    (Path(site) / "zz_test_dependencies.pth").write_text("\n".join(deps) + "\n")
    env = {"PATH": "/usr/bin:/bin", "HOME": str(home), "MPLBACKEND": "Agg", "OPENBLAS_NUM_THREADS": "1"}
    return python, prefix, home, env


def test_the_mnist_files_come_with_a_non_editable_install(installed):
    python, prefix, home, env = installed
    code = ("import nnlib, nnlib.datasets as d; (X, y), (T, t) = d.load_mnist(); "
            "print(nnlib.__file__); print(d.default_mnist_dir()); print(X.shape, T.shape, y.max())")
    result = subprocess.run([str(python), "-c", code], capture_output=True, text=True, cwd=home, env=env)
    assert result.returncode == 0, result.stderr[-3000:]
    package, directory, shapes = result.stdout.splitlines()
    assert package.startswith(str(prefix)), "the installed package, not the source tree, was imported"
    assert directory == str(prefix / "share" / "nnlib" / "mnist")
    assert shapes == "(60000, 784) (10000, 784) 9"


def test_the_library_tests_pass_against_the_installed_package(installed):
    python, prefix, home, env = installed
    tests = [str(ROOT / "tests" / name) for name in LIBRARY_TESTS]
    result = subprocess.run([str(python), "-m", "pytest", "-q", "-p", "no:cacheprovider",
                             "--import-mode=importlib", "--rootdir", str(home), *tests,
                             "-W", "error::RuntimeWarning:nnlib.*"],
                            capture_output=True, text=True, cwd=home, env=env, timeout=900)
    assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-2000:]
    assert " passed" in result.stdout.splitlines()[-1]
