"""The exercise sets as the grader sees them: every case (hidden ones included), the reference
answers (:mod:`nnlib_grader.exercises.reference` or nnlib's own functions), the known mistakes.

* :data:`LESSONS`: exercise set name (``"02_activations"``) -> list of :class:`~nnlib.checks.core.Exercise`.
* :data:`EXERCISES`: exercise name -> Exercise.
"""
from __future__ import annotations

from . import (lesson01, lesson02, lesson03, lesson04, lesson05, lesson06, lesson07, lesson08,
               lesson09)

LESSONS = {m.LESSON: m.EXERCISES for m in (lesson01, lesson02, lesson03, lesson04, lesson05,
                                            lesson06, lesson07, lesson08, lesson09)}
EXERCISES = {ex.name: ex for exercises in LESSONS.values() for ex in exercises}


def total_points(lesson: str) -> int:
    """Points available in one exercise set."""
    return sum(ex.points for ex in LESSONS[lesson])
