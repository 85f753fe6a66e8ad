# helpdesk-tui developer tasks (GNU make).
# `make demo` and `make test` are the whole set-up; both create .venv on first use.

PYTHON  ?= python3
VENV    := .venv
BIN     := $(VENV)/bin
STAMP   := $(VENV)/.installed
SRC     := helpdesk_tui tests benchmarks
# `make demo` keeps its demo here, next to .venv: one path, re-seeded on every run.
DEMO    := .demo

.DEFAULT_GOAL := help
.DELETE_ON_ERROR:
.PHONY: help venv demo test lint fmt bench clean distclean

help:
	@echo "make demo       start the app on demo data in $(DEMO)/, re-seeded each run (creates .venv on first use)"
	@echo "make test       ruff, ruff format --check, mypy, lint-imports, then pytest"
	@echo "make lint       the four static checks only"
	@echo "make fmt        ruff format + ruff check --fix"
	@echo "make bench      run every benchmarks/*.py (each prints JSON)"
	@echo "make clean      remove caches and build output; 'make distclean' also removes .venv"

venv: $(STAMP)

# Re-runs whenever pyproject.toml changes. An existing .venv is reused, not recreated.
$(STAMP): pyproject.toml
	@if [ ! -x $(BIN)/python ]; then \
	  if ! $(PYTHON) -m venv --help >/dev/null 2>&1; then \
	    echo "error: '$(PYTHON) -m venv' is not available." >&2; \
	    echo "       On Debian/Ubuntu: sudo apt-get install python3-venv" >&2; \
	    exit 1; \
	  fi; \
	  echo "==> creating $(VENV) with $(PYTHON)"; \
	  if ! $(PYTHON) -m venv $(VENV); then \
	    rm -rf $(VENV); \
	    echo "error: could not create $(VENV) (ensurepip missing?)." >&2; \
	    echo "       On Debian/Ubuntu: sudo apt-get install python3-venv" >&2; \
	    exit 1; \
	  fi; \
	fi
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	@touch $@

# The same demo every run (fixed seed, dates relative to today): --reset replaces the
# previous run's database and sent mail in $(DEMO)/ instead of adding a second copy.
demo: $(STAMP)
	$(BIN)/helpdesk demo --db $(DEMO)/demo.sqlite --reset

lint: $(STAMP)
	$(BIN)/ruff check $(SRC)
	$(BIN)/ruff format --check $(SRC)
	$(BIN)/mypy
	$(BIN)/lint-imports

# Each line is its own command, so make stops at the first failing step.
# pytest's exit code 5 ("no tests collected") is non-zero and is not masked.
test: lint
	$(BIN)/pytest -n 2 --dist loadfile

fmt: $(STAMP)
	$(BIN)/ruff format $(SRC)
	$(BIN)/ruff check --fix $(SRC)

bench: $(STAMP)
	@set -e; found=0; \
	for f in benchmarks/*.py; do \
	  [ -e "$$f" ] || continue; \
	  case "$$(basename "$$f")" in _*) continue;; esac; \
	  found=1; \
	  echo "==> $$f" >&2; \
	  $(BIN)/python "$$f"; \
	done; \
	if [ $$found -eq 0 ]; then echo "no benchmarks in benchmarks/" >&2; fi

clean:
	rm -rf build/ dist/ *.egg-info .pytest_cache .mypy_cache .ruff_cache .hypothesis snapshot_report.html
	find . -path ./$(VENV) -prune -o -name __pycache__ -type d -prune -exec rm -rf {} +

distclean: clean
	rm -rf $(VENV) $(DEMO)
