"""Train lesson 8's technique comparison for every menu choice (seed 0) and store the results
with nnlib, so that the widget's menus answer at once instead of training for 0.15-0.3 s:

    .venv/bin/python scripts/store_comparisons.py

Writes ``nnlib/widgets/comparisons.json.gz``. Run it after changing what the comparison trains
(``nnlib/widgets/training_better.py``); ``tests/test_widgets_backprop_playground.py`` fails when
the stored results differ from fresh training or miss a menu choice.
"""
import os
import pathlib
import sys
import time

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
sys.path.insert(0, str(pathlib.Path(__file__).resolve().parents[1]))

from nnlib.widgets import training_better  # noqa: E402

if __name__ == "__main__":
    start = time.perf_counter()
    n = training_better.store_comparisons()
    size = training_better.STORED.stat().st_size
    print(f"stored {n} comparisons in {training_better.STORED} ({size / 1024:.0f} KiB, "
          f"{time.perf_counter() - start:.1f} s of training)")
