# policykg: `make run` sets everything up and serves; `make test` runs the suite.
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

ingest: install
	$(BIN)/policykg ingest corpus --store $(STORE)

run: ingest
	@echo "policykg store ready in $(STORE)/"
	$(BIN)/policykg documents --store $(STORE)

test: install
	$(BIN)/python -m pytest -q

bench: install
	$(BIN)/python bench/ingest.py --count 1000

clean:
	rm -rf $(VENV) $(STORE) .pytest_cache
