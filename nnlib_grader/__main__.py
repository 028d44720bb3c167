"""``python -m nnlib_grader``: the class grader (the same as ``python -m nnlib.grade``)."""
import sys

from .grade import main

sys.exit(main())
