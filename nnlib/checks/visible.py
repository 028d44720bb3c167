r"""The visible cases of every exercise as generated data: ``nnlib/checks/cases/NN_name.json``.

``make exercises`` (``python -m nnlib_grader.generate``) writes one file per exercise set
from the grading side's definitions: for each exercise its options, its *visible* cases
(inputs), the expected value of each case, the finite-difference estimate where the
exercise is a gradient, and each known mistake's hint with what the mistake returns on each
case. No reference implementation and no hidden case is in these files, and no code: the
instant ``check`` in a notebook compares against these values. A test regenerates them and
fails when they drift from the solutions.

Values are plain JSON: arrays as ``{"array": key}`` into the file's ``arrays`` table
(dtype, shape, flat data; floats by their shortest exact repr, so a round trip is exact),
and inputs built where the function runs (random generators, test functions, networks) as
``{"recipe": kind, "params": [...]}``.
"""
from __future__ import annotations

import json
from pathlib import Path

import numpy as np

from .core import EXPECTED_DATA, RAISED, Case, Exercise, Mistake
from .runner import Recipe, decode, encode

CASES_DIR = Path(__file__).resolve().parent / "cases"
FORMAT = 1


# ----------------------------------------------------------------------------- writing (grading side)
class Encoder:
    """Collects the arrays of one file while encoding its trees."""

    def __init__(self):
        self.arrays: dict = {}

    def value(self, v):
        if v is RAISED:
            return {"raised": True}
        if isinstance(v, Recipe):
            return {"recipe": v.kind, "params": [self.value(p) for p in v.params]}
        if isinstance(v, tuple):
            return {"tuple": [self.value(x) for x in v]}
        if isinstance(v, list):
            return {"list": [self.value(x) for x in v]}
        if isinstance(v, dict) and not type(v).__name__ == "NetworkDescription":
            return {"dict": {str(k): self.value(x) for k, x in v.items()}}
        arrays = {}
        tree = encode(v, arrays)
        return self._rename(tree, arrays)

    def _rename(self, tree, arrays):
        if isinstance(tree, dict):
            if "array" in tree and len(tree) == 1:
                a = arrays[tree["array"]]
                key = f"a{len(self.arrays)}"
                self.arrays[key] = {"dtype": a.dtype.str, "shape": list(a.shape), "data": a.ravel().tolist()}
                return {"array": key}
            return {k: self._rename(v, arrays) for k, v in tree.items()}
        if isinstance(tree, list):
            return [self._rename(v, arrays) for v in tree]
        return tree


def dumps(document: dict) -> str:
    """The file's text: stable (sorted keys) so a rerun gives identical bytes; the exercises
    indented for reading, each array on one line."""
    head = json.dumps({k: v for k, v in document.items() if k != "arrays"}, indent=1, sort_keys=True,
                      allow_nan=True)
    arrays = ",\n".join(f" {json.dumps(k)}: {json.dumps(v, sort_keys=True, allow_nan=True)}"
                         for k, v in sorted(document.get("arrays", {}).items(), key=lambda kv: int(kv[0][1:])))
    return head[:-2] + ',\n "arrays": {\n' + arrays + "\n }\n}\n"


# ----------------------------------------------------------------------------- reading (learner side)
def _arrays(table):
    return {k: np.array(v["data"], dtype=np.dtype(v["dtype"])).reshape(v["shape"]) for k, v in table.items()}


def _build(tree, arrays):
    if isinstance(tree, dict):
        if tree.get("raised") is True and len(tree) == 1:
            return RAISED
        if "recipe" in tree:
            return Recipe(tree["recipe"], *[_build(p, arrays) for p in tree["params"]])
        if "tuple" in tree:
            return tuple(_build(v, arrays) for v in tree["tuple"])
        if "list" in tree:
            return [_build(v, arrays) for v in tree["list"]]
        if "dict" in tree:
            return {k: _build(v, arrays) for k, v in tree["dict"].items()}
    return decode(tree, arrays) if isinstance(tree, dict) else tree


def load_set(path: Path):
    """(set name, [Exercise]) from one generated file."""
    doc = json.loads(Path(path).read_text(encoding="utf-8"))
    if doc.get("format") != FORMAT:
        raise ValueError(f"{path}: format {doc.get('format')!r}, expected {FORMAT}: run `make exercises`")
    arrays = _arrays(doc["arrays"])
    exercises = []
    for spec in doc["exercises"]:
        cases = []
        for i, c in enumerate(spec["cases"]):
            case = Case(tuple(_build(c["args"], arrays)), _build(c["kwargs"], arrays), note=c.get("note", ""))
            case.index = i
            if "expected" in c:
                case._expected = _build(c["expected"], arrays)
            if "fd" in c:
                case.fd = _build(c["fd"], arrays)
            cases.append(case)
        mistakes = [Mistake(m["hint"], outputs=[_build(o, arrays) for o in m["outputs"]])
                    for m in spec.get("mistakes", [])]
        verify = None
        if spec.get("verify"):
            from .verifiers import VERIFIERS
            verify = VERIFIERS[spec["verify"]]
        o = spec["options"]
        ex = Exercise(spec["name"], doc["set"], spec["points"], (lambda cases=cases: cases),
                      reference=None if verify else EXPECTED_DATA, verify=verify, mistakes=mistakes,
                      hint=spec.get("hint", ""), arg_names=o.get("arg_names"),
                      output_names=o.get("output_names"), rtol=o["rtol"], atol=o["atol"],
                      dtype=o["dtype"], collect=o["collect"], timeout=o["timeout"],
                      allow_nnlib=o["allow_nnlib"], forbid_nnlib=tuple(o["forbid_nnlib"]),
                      uses=o["uses"], forbid_numpy=tuple(o["forbid_numpy"]), pure=o["pure"],
                      fd_tolerance=o["fd_tolerance"], private_uses=o["private_uses"],
                      no_overflow=o.get("no_overflow", False),
                      poison=tuple(o.get("poison", ())))
        ex.learner_uses_own = list(o.get("own_uses", []))
        ex.hidden_cases = int(spec.get("hidden_cases", 0))
        exercises.append(ex)
    return doc["set"], exercises


def load_all(folder: Path = CASES_DIR) -> dict:
    """Exercise set name -> [Exercise], from every generated file, in set order."""
    sets = {}
    files = sorted(Path(folder).glob("*.json"))
    if not files:
        raise FileNotFoundError(f"no generated check data in {folder}: run `make exercises`")
    for path in files:
        name, exercises = load_set(path)
        sets[name] = exercises
    return sets
