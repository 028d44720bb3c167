"""``python -m nnlib.grade``: the instructor's class grader, which lives in ``nnlib_grader``.

Learners never need it; it is installed with the ``grader`` extra (``pip install -e ".[grader]"``
from the course repository) and runs every submission in a bubblewrap sandbox. This module only
forwards to :mod:`nnlib_grader.grade`, or says what to install when the grading side is missing.
"""
from __future__ import annotations

import sys

MISSING = ("error: the class grader is the instructor's side of the course (the nnlib_grader "
           "package), which is not installed here.\n"
           "Install it from the course repository with\n"
           "    pip install -e \".[grader]\"\n"
           "and Debian's bubblewrap for the sandbox (apt-get install bubblewrap).")


def main(argv=None) -> int:
    try:
        from nnlib_grader.grade import main as grade_main
    except ImportError as exc:
        name = getattr(exc, "name", "") or ""
        if name.split(".")[0] not in ("nnlib_grader", "jupyter_client", "nbformat"):
            raise
        print(MISSING + (f"\n({exc})" if name.split(".")[0] != "nnlib_grader" else ""), file=sys.stderr)
        return 2
    return grade_main(argv)


if __name__ == "__main__":
    sys.exit(main())
