# The course's two commands: `make lab` and `make test`. Each sets itself up on a
# fresh machine that has only python3 and make: it creates .venv when it is missing
# and (re)installs the project when pyproject.toml changed; otherwise it goes straight on.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-stamp

.PHONY: lab test test-fast lint setup exercises slides site bench bench-widgets clean help

help:
	@echo "make lab        set up (first time only) and open JupyterLab on the course"
	@echo "make test       set up (first time only) and run every test"
	@echo "make test-fast  the library's own tests only, in seconds (no notebooks, browser, grading, builds)"
	@echo "make lint       ruff check ."
	@echo "make exercises  regenerate exercises/ from solutions/"
	@echo "make slides     write reveal.js decks of the lessons to build/slides/"
	@echo "make site       write a static HTML site of the executed lessons to build/site/"
	@echo "make bench      run the MNIST speed and accuracy benchmarks"
	@echo "make bench-widgets  time every control of every widget (p50/p90)"

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

$(STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --disable-pip-version-check -q -e ".[course,grader]"
	@touch $(STAMP)

setup: $(STAMP)

# Jupyter refuses to start as root (common in Docker containers) unless told it may.
ROOT_FLAG := $(if $(filter 0,$(shell id -u 2>/dev/null)),--allow-root)

# The URL Jupyter prints (and opens) is lesson 0 itself, not the Launcher: over SSH, WSL or a
# container, the printed link is the only way in.
LESSON0 := /lab/tree/notebooks/00_welcome.ipynb

lab: $(STAMP)
	$(BIN)/jupyter lab --notebook-dir=. $(ROOT_FLAG) --LabApp.default_url=$(LESSON0)

# One BLAS thread for the tests: the networks here are small, and two OpenBLAS threads
# fighting pytest and a kernel for 2 cores made training up to 10x slower (make bench uses both).
test: $(STAMP)
	$(BIN)/ruff check .
	MPLBACKEND=Agg OPENBLAS_NUM_THREADS=1 $(BIN)/python -m pytest tests notebooks solutions exercises \
		--nbval-lax --nbval-current-env --nbval-cell-timeout=600

# The library's own tests, in seconds: everything in tests/ but the slow kinds, namely the exercise
# sets and the lesson-text checks (they execute notebooks), the browser and the slides, the class
# grader and its sandbox, Gradescope and nbgrader, the installs into fresh environments, the HTML
# builds and the lecture layout, the project's files, the benchmark scripts and the widgets (they
# draw figures: about 40 s).
FAST_IGNORE := test_browser.py test_exercises.py test_grading.py test_html_builds.py test_project.py \
	test_benchmark.py test_widgets_* test_grading_*.py test_learner_install.py test_install.py \
	test_gradescope.py test_nbgrader_agreement.py test_lesson_text*.py test_browser_slides.py test_lecture_layout.py
test-fast: $(STAMP)
	MPLBACKEND=Agg OPENBLAS_NUM_THREADS=1 $(BIN)/python -m pytest tests -q $(addprefix --ignore-glob=tests/,$(FAST_IGNORE))

lint: $(STAMP)
	$(BIN)/ruff check .

exercises: $(STAMP)
	$(BIN)/python -m nnlib_grader.generate solutions exercises

slides: $(STAMP)
	$(BIN)/python scripts/build_slides.py

site: $(STAMP)
	$(BIN)/python scripts/build_site.py

bench: $(STAMP)
	$(BIN)/python benchmarks/mnist_mlp.py

# every control of every widget over its range, in the kernel process, one BLAS thread
bench-widgets: $(STAMP)
	MPLBACKEND=Agg OPENBLAS_NUM_THREADS=1 $(BIN)/python benchmarks/widgets.py

clean:
	rm -rf build .pytest_cache
