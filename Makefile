# The two commands of the README:
#   make run   set up, migrate, load the demo shop, and serve it with its worker
#   make test  run the whole test suite (SQLite; TEST_DATABASE_URL=postgresql://... for PostgreSQL)

PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
HOST   ?= 127.0.0.1
PORT   ?= 5000
# The test suite runs on every core (pytest-xdist); TEST_WORKERS=0 runs it in one process.
TEST_WORKERS ?= auto
export FLASK_APP := app

.PHONY: run test setup migrate seed lint clean bench-catalog bench-checkout bench-api-orders bench-api-bulk bench-offer-import

# Installs into .venv whenever pyproject.toml changes.
$(BIN)/.installed: pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit("Storefront needs Python 3.11 or newer") if sys.version_info < (3, 11) else None'
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	@touch $@

setup: $(BIN)/.installed

migrate: setup
	$(BIN)/flask db upgrade

seed: migrate
	$(BIN)/flask seed-demo

run: seed
	@echo
	@echo "  Storefront is starting at http://$(HOST):$(PORT)/"
	@echo "  (Ctrl-C stops the web server and the worker)"
	@echo
	HOST=$(HOST) PORT=$(PORT) $(BIN)/honcho start -f Procfile.dev

test: setup
	$(BIN)/python -m pytest -n $(TEST_WORKERS) $(PYTEST_ARGS)

# Benchmarks (not tests): see bench/ and the README. Needs wrk (apt-get install wrk).
bench-catalog: setup
	$(BIN)/python bench/catalog.py $(BENCH_ARGS)

bench-checkout: setup
	$(BIN)/python bench/checkout.py $(BENCH_ARGS)

bench-api-orders: setup
	$(BIN)/python bench/api_orders.py $(BENCH_ARGS)

bench-api-bulk: setup
	$(BIN)/python bench/api_bulk_offers.py $(BENCH_ARGS)

bench-offer-import: setup
	$(BIN)/python bench/offer_import.py $(BENCH_ARGS)

lint: setup
	$(BIN)/ruff check .

clean:
	rm -rf $(VENV) instance .pytest_cache
