# Two commands on a fresh machine: `make run` and `make test`.
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
HOST ?= localhost
PORT ?= 8501

.PHONY: venv run test test-slow lint bench clean

venv: $(VENV)/.installed

$(VENV)/.installed: requirements.txt
	test -x $(BIN)/python || $(PY) -m venv $(VENV)
	$(BIN)/pip install -q -r requirements.txt
	touch $@

run: venv
	@echo "genoviz: open http://$(HOST):$(PORT) in your browser"
	$(BIN)/streamlit run app.py --server.address $(HOST) --server.port $(PORT) --server.headless true

test: venv
	$(BIN)/python -m pytest

# The 10,000-example property runs (about 30 minutes); not part of `make test`.
test-slow: venv
	$(BIN)/python -m pytest -m slow

lint: venv
	$(BIN)/ruff check . && $(BIN)/ruff format --check .

bench: venv
	$(BIN)/python -m benchmarks

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache
