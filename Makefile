# The front door. `make evidence` and `make test` each set up .venv from the committed lock file.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
# The stamp names the lock file's hash, so a changed lock reinstalls and an unchanged one is a no-op.
LOCK_HASH := $(shell cat requirements.lock pyproject.toml 2>/dev/null | sha256sum | cut -c1-16)
STAMP  := $(VENV)/.installed-$(LOCK_HASH)
# The same bytes on every x86-64 machine: OpenBLAS's Haswell kernels wherever the CPU has AVX2
# (innocap_analysis.config.reproducible_environment says why; the tests run under it too).
export OPENBLAS_CORETYPE := $(shell grep -qw avx2 /proc/cpuinfo 2>/dev/null && echo Haswell)
export PYTHONHASHSEED := 0

# JupyterLab refuses to run as root without --allow-root (containers, CI, many servers run as root).
ALLOW_ROOT := $(shell [ "$$(id -u 2>/dev/null)" = 0 ] && echo --allow-root)
# Extra JupyterLab options: make lab LAB_ARGS="--no-browser --port 8899"
LAB_ARGS ?=

.PHONY: help evidence test test-unit test-notebooks lab lint clean benchmarks report-check lock docs citation-check

help:
	@echo "make evidence   build every figure, table and the evidence report on the embedded data"
	@echo "make test       unit tests + strict nbval over notebooks/"
	@echo "make lab        JupyterLab on the project kernel (LAB_ARGS=\"--no-browser --port 8899\" passes options)"
	@echo "make docs       the API reference (Sphinx + numpydoc) in docs/_build/html; warnings are errors"
	@echo "make citation-check  validate CITATION.cff with cffconvert"
	@echo "make lint       ruff and the import-linter layer contracts"
	@echo "make benchmarks run benchmarks/ and rewrite BENCHMARKS.md (slow)"
	@echo "make clean      remove .venv, caches and run outputs"

$(STAMP): requirements.lock pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -r requirements.lock
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --no-deps -e .
	$(BIN)/innocap kernel
	@rm -f $(VENV)/.installed-*
	@touch $@

evidence: $(STAMP)
	$(BIN)/innocap build

# Unit tests, then strict nbval (not --nbval-lax). Notebooks re-run under nbval write their
# figures into a scratch folder, never over the committed ones.
test: $(STAMP)
	$(BIN)/python -m pytest -m "not slow" tests
	@$(BIN)/innocap kernel >/dev/null
	scratch=$$(mktemp -d) && trap 'rm -rf "$$scratch"' EXIT && \
	INNOCAP_FIGURES_DIR="$$scratch" INNOCAP_INTERIM_DIR="$$scratch/interim" PYTHONHASHSEED=0 $(BIN)/python -m pytest -p no:cacheprovider \
		--nbval --nbval-kernel-name innocap --nbval-sanitize-with notebooks/nbval_sanitize.cfg notebooks

# Registers the named kernel "innocap (project .venv)" (the notebooks use it), then serves JupyterLab.
# Notebooks run here write into output/scratch/, not over the committed figures/ (see README).
lab: $(STAMP)
	$(BIN)/innocap kernel
	$(BIN)/jupyter lab --notebook-dir=notebooks --MultiKernelManager.default_kernel_name=innocap $(ALLOW_ROOT) $(LAB_ARGS)

# The API reference: Sphinx autodoc + numpydoc over the package; any warning fails the build.
docs: $(STAMP)
	rm -rf docs/_build docs/api/generated
	$(BIN)/python -m sphinx -W --keep-going -q -b html docs docs/_build/html
	@echo "API reference: docs/_build/html/index.html"

# CITATION.cff is valid Citation File Format. cffconvert pins jsonschema 3, which the notebook
# tools cannot share, so it lives in its own small environment, installed from tools/cffconvert.lock.
CFF_VENV := .venv-cffconvert
citation-check:
	@test -x $(CFF_VENV)/bin/cffconvert || ($(PYTHON) -m venv $(CFF_VENV) && \
		$(CFF_VENV)/bin/python -m pip install --quiet --disable-pip-version-check -r tools/cffconvert.lock)
	$(CFF_VENV)/bin/cffconvert --validate -i CITATION.cff

# ruff, then the import-linter contracts of pyproject.toml (the package's layers).
lint: $(STAMP)
	$(BIN)/ruff check innocap_analysis tests benchmarks tools notebooks
	$(BIN)/lint-imports

benchmarks: $(STAMP)
	$(BIN)/python benchmarks/run_all.py

# Open the evidence report in headless Chromium (installed from Debian if missing) and check every image loads.
report-check: $(STAMP)
	@command -v chromium >/dev/null || (apt-get update -qq && apt-get install -y -qq chromium)
	$(BIN)/python tools/check_report.py figures/evidence_report.html

# Regenerate the lock file from a fresh resolution of pyproject.toml (needs PyPI).
lock:
	rm -rf .lock-venv && $(PYTHON) -m venv .lock-venv
	.lock-venv/bin/python -m pip install --quiet --upgrade pip setuptools wheel
	.lock-venv/bin/python -m pip install --quiet -e ".[dev,docs,dask]"
	.lock-venv/bin/python -m pip freeze --exclude-editable | grep -v '^innocap' > requirements.lock
	rm -rf .lock-venv

clean:
	rm -rf $(VENV) $(CFF_VENV) docs/_build docs/api/generated .pytest_cache .ruff_cache .hypothesis output build *.egg-info
	find . -name __pycache__ -type d -prune -exec rm -rf {} +
