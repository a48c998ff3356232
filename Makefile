# ODA Ideas. `make run` serves the app with demo data; `make test` runs the whole suite.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMPS := .make
export FLASK_APP := wsgi:app

.PHONY: install run test test-postgres lint assets clean

$(BIN)/python:
	@$(PYTHON) -c 'import sys; sys.exit(sys.version_info < (3, 11))' || \
		{ echo "ODA Ideas needs Python 3.11 or newer (found $$($(PYTHON) --version))."; exit 1; }
	$(PYTHON) -m venv $(VENV)

$(STAMPS)/python: pyproject.toml requirements.lock | $(BIN)/python
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -c requirements.lock -e ".[dev]"
	@mkdir -p $(STAMPS) && touch $@

$(STAMPS)/node: package.json package-lock.json
	@command -v npm >/dev/null || { echo "ODA Ideas needs Node.js and npm to build its pages."; exit 1; }
	npm ci --no-audit --no-fund --loglevel=error
	@mkdir -p $(STAMPS) && touch $@

app/static/dist/app.css: $(STAMPS)/node scripts/build-assets.mjs $(wildcard assets/scss/*.scss assets/js/*)
	npm run --silent build

## install: Python and npm dependencies into .venv and node_modules, and the built assets
install: $(STAMPS)/python app/static/dist/app.css

assets: $(STAMPS)/node
	npm run --silent build

## run: install, upgrade the SQLite database, seed the demo once, serve on 127.0.0.1:$(PORT)
PORT ?= 5000
run: export PUBLIC_BASE_URL ?= http://127.0.0.1:$(PORT)
run: install
	APP_ENV=development $(BIN)/flask db upgrade
	APP_ENV=development $(BIN)/flask seed-demo
	@echo "Serving ODA Ideas on http://127.0.0.1:$(PORT) (Ctrl+C to stop)"
	APP_ENV=development $(BIN)/flask run --host 127.0.0.1 --port $(PORT)

## test: install, then the whole suite (SQLite; PostgreSQL too when TEST_DATABASE_URL is set)
test: install
	$(BIN)/python -m pytest $(PYTEST_ARGS)

## lint: ruff
lint: install
	$(BIN)/ruff check .

clean:
	rm -rf $(STAMPS) app/static/dist .pytest_cache .ruff_cache
