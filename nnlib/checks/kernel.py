"""Moved to the grading side: :mod:`nnlib_grader.kernel` (it needs jupyter_client, a
dependency of the ``grader`` extra). Kept so that ``from nnlib.checks.kernel import ...``
in older scripts keeps working where the grading side is installed."""
from nnlib_grader.kernel import *  # noqa: F401,F403
from nnlib_grader.kernel import KernelPool, KernelSession, KernelStartError, local_kernel_manager  # noqa: F401
