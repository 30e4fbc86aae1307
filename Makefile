# Set-up is part of every target: a fresh clone needs only `make demo` or `make test`.
# `make demo` installs the core only (no torch, Dask or ffmpeg); `make test` adds the
# extras the tests exercise. pip prints its progress; the stamps make reruns instant.
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
OUT ?= out
NOTEBOOKS ?= notebooks

.PHONY: install install-test browser demo test bench startup model notebook clean

$(PY):
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --upgrade pip

# the core: what colorizing, training and the demo need
$(VENV)/.core: setup.cfg pyproject.toml | $(PY)
	$(PY) -m pip install -e .
	touch $@

# the tests: the CNN backend, Dask, video, the page and the notebook runner too
$(VENV)/.test: $(VENV)/.core
	# torch pinned first: this exact release is the CPU build on disk (a range would pull CUDA)
	$(PY) -m pip install torch==2.13.0
	$(PY) -m pip install -e ".[test,cnn,dask,video,web]"
	touch $@

$(VENV)/.notebook: $(VENV)/.core
	$(PY) -m pip install -e ".[notebook]"
	touch $@

install: $(VENV)/.core

install-test: $(VENV)/.test

demo: $(VENV)/.core
	$(PY) -m pipelines.demo --out $(OUT)/demo --overwrite

# the browser tests (tests/test_serve_browser.py) drive Debian's Chromium through
# Playwright; where it cannot be installed (no apt-get, not root) they skip and say why
browser:
	@command -v chromium >/dev/null 2>&1 || \
	  (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium) || \
	  echo "chromium could not be installed: the browser tests will skip"

test: $(VENV)/.test browser
	$(PY) -m pytest -n 2 --durations=10

bench: $(VENV)/.core
	$(PY) -m pipelines.benchmark --out $(OUT)/benchmark

# start-up and loading times (medians of several fresh processes)
startup: $(VENV)/.core
	$(PY) -m pipelines.startup_benchmark

# retrain the default model shipped in nncolor/models/ (needs ../shared/data; minutes)
model: $(VENV)/.core
	$(PY) -m pipelines.default_model --overwrite

# Jupyter in the venv, opened on the notebooks folder
notebook: $(VENV)/.notebook
	$(VENV)/bin/jupyter notebook $(NOTEBOOKS)

clean:
	rm -rf $(VENV) $(OUT) .pytest_cache *.egg-info
