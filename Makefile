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

.PHONY: help evidence test test-unit test-notebooks lab lint clean benchmarks report-check lock

help:
	@echo "make evidence   build every figure, table and the evidence report on the embedded data"
	@echo "make test       unit tests + strict nbval over notebooks/"
	@echo "make lab        JupyterLab on the project kernel"
	@echo "make lint       ruff and the import-linter layer contracts"
	@echo "make benchmarks run benchmarks/ and rewrite BENCHMARKS.md (slow)"
	@echo "make clean      remove .venv, caches and run outputs"

$(STAMP): requirements.lock pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -r requirements.lock
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --no-deps -e .
	@rm -f $(VENV)/.installed-*
	@touch $@

evidence: $(STAMP)
	$(BIN)/innocap build

# Unit tests, then strict nbval (not --nbval-lax). Notebooks re-run under nbval write their
# figures into a scratch folder, never over the committed ones.
test: $(STAMP)
	$(BIN)/python -m pytest -m "not slow" tests
	scratch=$$(mktemp -d) && trap 'rm -rf "$$scratch"' EXIT && \
	INNOCAP_FIGURES_DIR="$$scratch" INNOCAP_INTERIM_DIR="$$scratch/interim" PYTHONHASHSEED=0 $(BIN)/python -m pytest -p no:cacheprovider \
		--nbval --nbval-current-env --nbval-sanitize-with notebooks/nbval_sanitize.cfg notebooks

lab: $(STAMP)
	$(BIN)/jupyter lab --notebook-dir=notebooks

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
	rm -rf $(VENV) .pytest_cache .ruff_cache .hypothesis output build *.egg-info
	find . -name __pycache__ -type d -prune -exec rm -rf {} +
