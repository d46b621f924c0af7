# Two commands from a fresh clone: `make run` and `make test`. Everything else is for developers.
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
POSTS ?= sample_posts

.PHONY: run test lint fuzz bench soak install install-test clean

$(VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e .
	touch $@

$(VENV)/.installed-test: $(VENV)/.installed pyproject.toml
	$(PY) -m pip install --quiet -e '.[test]'
	touch $@

install: $(VENV)/.installed
install-test: $(VENV)/.installed-test

run: $(VENV)/.installed
	$(VENV)/bin/newstui $(POSTS)

test: $(VENV)/.installed-test
	$(PY) -m pytest -q -n auto

lint: $(VENV)/.installed-test
	$(VENV)/bin/ruff check tui tests bench
	$(VENV)/bin/ruff format --check tui tests bench
	$(VENV)/bin/mypy

# Fuzz parsing and rendering for FUZZ_SECONDS (hypothesis, no deadline).
FUZZ_SECONDS ?= 60
fuzz: $(VENV)/.installed-test
	$(PY) bench/fuzz.py --seconds $(FUZZ_SECONDS)

$(VENV)/.installed-bench: $(VENV)/.installed-test pyproject.toml
	$(PY) -m pip install --quiet -e '.[test,bench]'
	touch $@

# End newstui at random moments of a cold index in tmux, SOAK_TRIES times (bench/soak.py).
SOAK_TRIES ?= 50
soak: $(VENV)/.installed-test
	$(PY) bench/soak.py --tries $(SOAK_TRIES)

# 30,000 and 100,000 posts; the million is opt-in: make bench BENCH_ARGS="--sizes 1000000 --out /work"
BENCH_ARGS ?=
bench: $(VENV)/.installed-bench
	$(PY) bench/run.py $(BENCH_ARGS)

clean:
	rm -rf $(VENV) build dist *.egg-info .pytest_cache .mypy_cache .ruff_cache
