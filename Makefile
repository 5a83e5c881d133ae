# policykg: `make run` sets everything up, ingests corpus/ and serves on http://$(HOST):$(PORT)/;
# `make test` runs the suite.
PYTHON ?= python3.11
VENV   := .venv
BIN    := $(VENV)/bin
STORE  ?= data
HOST   ?= 127.0.0.1
PORT   ?= 8000

.PHONY: install run ingest test bench clean

$(BIN)/policykg: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[test]'
	touch $@

install: $(BIN)/policykg

# The optional sentence-transformers backend, exercised by the tests; torch's CPU build first.
$(VENV)/.st-extra: $(BIN)/policykg
	$(BIN)/pip install --quiet torch==2.13.0
	$(BIN)/pip install --quiet -e '.[test,st]'
	touch $@

ingest: install
	$(BIN)/policykg ingest corpus --store $(STORE)

run: ingest
	$(BIN)/policykg serve --store $(STORE) --host $(HOST) --port $(PORT)

test: install $(VENV)/.st-extra
	$(BIN)/python -m pytest -q

bench: install
	$(BIN)/python bench/ingest.py --count 1000

clean:
	rm -rf $(VENV) $(STORE) .pytest_cache
