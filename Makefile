# Two commands on a fresh machine: `make run` and `make test` (see README).
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
PORT   ?= 8501

.PHONY: run test lint bench demo-data clean help

help:
	@echo "make run    set up .venv, load the demo data on first start, serve http://localhost:$(PORT)"
	@echo "make test   set up .venv with the dev tools, run ruff and the test suite"
	@echo "make bench  run the benchmarks (prints figures and ratios)"

$(BIN)/python:
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "smmkpi needs Python 3.11 or newer")'
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.runtime: requirements.txt | $(BIN)/python
	$(BIN)/pip install --quiet -r requirements.txt
	@touch $@

$(VENV)/.dev: requirements.txt requirements-dev.txt | $(BIN)/python
	$(BIN)/pip install --quiet -r requirements-dev.txt
	@touch $@ $(VENV)/.runtime

run: $(VENV)/.runtime
	$(BIN)/python -m smmkpi demo --if-empty
	$(BIN)/streamlit run app.py --server.port $(PORT)

test: $(VENV)/.dev
	$(BIN)/ruff check .
	$(BIN)/python -m pytest -q

bench: $(VENV)/.dev
	$(BIN)/python benchmarks/io.py
	$(BIN)/python benchmarks/ingest.py
	$(BIN)/python benchmarks/channels.py
	$(BIN)/python benchmarks/retention.py

demo-data: $(VENV)/.runtime
	$(BIN)/python -m smmkpi.demo_targets

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache
