# Saekdam: `make run` (serve the embedded default) and `make test` (the whole suite). Both idempotent.
SHELL := /bin/bash
VENV := .venv
PY := $(VENV)/bin/python
PIP := $(VENV)/bin/pip -q --disable-pip-version-check
CONSTRAINTS := constraints/cpu.txt
TINY := var/models/tiny
export PIP_CONSTRAINT :=

.PHONY: run test install install-test assets models browser bench wall-demo lint clean

$(VENV)/bin/python:
	python3 -m venv $(VENV)
	$(PIP) install --upgrade pip

# torch first, from the one pinned line (CPU build here; GPU hosts install CUDA torch before `make`)
$(VENV)/.installed: $(VENV)/bin/python pyproject.toml $(CONSTRAINTS)
	$(PIP) install -c $(CONSTRAINTS) "$$(grep -E '^torch==' $(CONSTRAINTS))"
	$(PIP) install -c $(CONSTRAINTS) -e .
	touch $@

$(VENV)/.installed-test: $(VENV)/.installed
	$(PIP) install -c $(CONSTRAINTS) -e '.[test]'
	touch $@

install: $(VENV)/.installed assets
install-test: $(VENV)/.installed-test node_modules/.installed-dev assets browser

# the served assets only; the test and bench tools (axe-core, Lighthouse) are npm devDependencies
node_modules/.installed: package.json package-lock.json
	npm ci --omit=dev --no-audit --no-fund --loglevel=error
	touch $@

node_modules/.installed-dev: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	touch node_modules/.installed $@

SWAGGER := node_modules/swagger-ui-dist
app/static/vendor/.installed: node_modules/.installed
	rm -rf app/static/vendor && mkdir -p app/static/vendor/swagger-ui
	cp node_modules/htmx.org/dist/htmx.min.js node_modules/htmx-ext-sse/dist/sse.js app/static/vendor/
	cp $(SWAGGER)/swagger-ui-bundle.js $(SWAGGER)/swagger-ui.css $(SWAGGER)/LICENSE app/static/vendor/swagger-ui/
	touch $@

assets: app/static/vendor/.installed

# rebuilt when the tiny models' code changes (make-tiny itself skips a folder of the current version)
$(TINY)/READY: app/actors/painter/tiny.py | $(VENV)/.installed
	$(VENV)/bin/saekdam models make-tiny $(TINY)
	touch $@

models: $(TINY)/READY

# Debian's chromium for the browser tests (Playwright drives the system executable), Korean fonts, and
# poppler-utils (pdftoppm/pdftotext) for the tests that render the painter's sheet PDF
browser:
	@command -v chromium >/dev/null && fc-list 2>/dev/null | grep -qi "noto sans cjk" && command -v pdftoppm >/dev/null || \
	  { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium fonts-noto-cjk poppler-utils >/dev/null; }

run: install models
	$(VENV)/bin/saekdam serve

test: install-test models
	$(MAKE) --no-print-directory lint
	$(PY) -m pytest -q
	SAEKDAM_TEST_DATABASE=postgres $(PY) -m pytest -q -m db

# ruff (rules and line length in pyproject's [tool.ruff]) and mypy on app/ and lora_training/ ([tool.mypy])
LINTED := app lora_training tests bench piccolo_conf.py
lint: $(VENV)/.installed-test
	$(VENV)/bin/ruff check $(LINTED)
	$(VENV)/bin/ruff format --check $(LINTED)
	$(VENV)/bin/mypy

bench: install-test models
	$(PY) bench/run_all.py

# README's "wall vs cover" before/after (docs/img/wall-vs-cover.jpg), painted with the configured models
wall-demo: install models
	$(PY) docs/wall_demo.py

clean:
	rm -rf $(VENV) node_modules app/static/vendor var
