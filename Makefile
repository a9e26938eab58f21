# Two commands do everything on a fresh machine:
#   make demo   set up, train on the bundled sample, print baseline vs trained, write an HTML report
#   make test   set up (browser included), lint, type-check and run every test
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
# The CPU build of torch; a GPU machine installs its own torch first (see README).
TORCH := torch==2.13.0

.PHONY: demo test bench bench-report clean

$(VENV)/.base: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q $(TORCH)
	$(PY) -m pip install -q -e .
	touch $@

$(VENV)/.dev: $(VENV)/.base
	bash scripts/setup-browser.sh
	$(PY) -m pip install -q -e '.[dev,browser]'
	touch $@

demo: $(VENV)/.base
	$(VENV)/bin/nbtrain demo --out out/demo

test: $(VENV)/.dev
	$(PY) -m ruff check src tests benchmarks
	$(PY) -m mypy
	NBTRAIN_REQUIRE_BROWSER=1 $(PY) -m pytest -q

bench: $(VENV)/.dev
	$(PY) benchmarks/train_bench.py

bench-report: $(VENV)/.dev
	$(PY) benchmarks/report_bench.py

clean:
	rm -rf $(VENV) out
