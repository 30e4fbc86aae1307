# Set-up is part of every target: a fresh clone needs only `make demo` or `make test`.
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
OUT ?= out

.PHONY: install browser demo test bench model clean

$(VENV)/.installed: setup.cfg pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	# torch pinned first: this exact release is the CPU build on disk (a range would pull CUDA)
	$(PY) -m pip install --quiet torch==2.13.0
	$(PY) -m pip install --quiet -e ".[test,cnn,dask,web]"
	touch $@

install: $(VENV)/.installed

demo: install
	$(PY) -m pipelines.demo --out $(OUT)/demo --overwrite

# the browser tests (tests/test_serve_browser.py) drive Debian's Chromium through
# Playwright; where it cannot be installed (no apt-get, not root) they skip and say why
browser:
	@command -v chromium >/dev/null 2>&1 || \
	  (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium) || \
	  echo "chromium could not be installed: the browser tests will skip"

test: install browser
	$(PY) -m pytest -n 2 --durations=10

bench: install
	$(PY) -m pipelines.benchmark --out $(OUT)/benchmark

# retrain the default model shipped in nncolor/models/ (needs ../shared/data; minutes)
model: install
	$(PY) -m pipelines.default_model --overwrite

clean:
	rm -rf $(VENV) $(OUT) .pytest_cache *.egg-info
