"""``python -m nnlib.exercises`` moved: the exercise generator is the instructor's
``python -m nnlib_grader.generate solutions exercises`` (``make exercises``)."""
from __future__ import annotations

import sys


def main(argv=None) -> int:
    try:
        from nnlib_grader.generate import main as generate_main
    except ImportError:
        from .grade import MISSING
        print(MISSING, file=sys.stderr)
        return 2
    return generate_main(argv)


if __name__ == "__main__":
    sys.exit(main())
