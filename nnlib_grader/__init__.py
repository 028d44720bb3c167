"""The instructor's side of the course: the class grader, the sandbox it runs each submission in,
the exercise generator, the reference answers and the hidden cases.

Installed with the ``grader`` extra (``pip install -e ".[grader]"``); learners never need it.
``python -m nnlib.grade`` (or ``python -m nnlib_grader``) grades a class, ``make exercises``
(``python -m nnlib_grader.generate solutions exercises``) regenerates ``exercises/`` and the
learner's check data.
"""
__version__ = "0.1.0"
