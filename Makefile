# make demo: a ready demo contest on http://127.0.0.1:5000 ; make test: the whole suite.
VENV ?= .venv
PYTHON ?= python3
PY := $(VENV)/bin/python
PORT ?= 5000
export PIP_DISABLE_PIP_VERSION_CHECK := 1

.PHONY: demo test lint format chromium translations bench-quiz bench-import bench-upload bench-results cluster-test compose-check

$(VENV)/.installed: requirements.txt
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q -r requirements.txt
	touch $@

$(VENV)/.installed-dev: requirements-dev.txt $(VENV)/.installed
	$(PY) -m pip install -q -r requirements-dev.txt
	touch $@

demo: $(VENV)/.installed
	DEMO=1 $(VENV)/bin/flask --app wsgi demo --port $(PORT)

# Chromium for the browser tests, from Debian, when it is missing and we may install it.
chromium:
	@if ! command -v chromium >/dev/null 2>&1; then \
	  if [ "$$(id -u)" = 0 ]; then apt-get update -qq && apt-get install -y -qq chromium >/dev/null; \
	  elif sudo -n true 2>/dev/null; then sudo apt-get update -qq && sudo apt-get install -y -qq chromium >/dev/null; \
	  else echo "Chromium is missing and cannot be installed here: browser tests will be skipped."; fi; \
	fi

# Every test on SQLite; with TEST_DATABASE_URL set, the database tests again on PostgreSQL.
test: $(VENV)/.installed-dev chromium
	env -u TEST_DATABASE_URL $(PY) -m pytest
	@if [ -n "$$TEST_DATABASE_URL" ]; then \
	  echo "== database tests again on PostgreSQL =="; \
	  $(PY) -m pytest -m "db or postgres"; \
	fi

# The platform as a cluster across network namespaces (root; about 3 minutes; README, Scaling
# out). The trap removes the namespaces of a run killed before its own cleanup.
cluster-test: $(VENV)/.installed-dev
	trap '$(PY) -m tests.cluster.network sweep' EXIT; \
	  CLUSTER_TEST=1 $(PY) -m pytest tests/cluster -p no:cacheprovider -s

# deploy/compose.yaml built and run as a throwaway stack, then checked (Docker with the compose
# plugin; about a minute; README, Scaling out). Not part of CI.
compose-check: $(VENV)/.installed-dev
	$(PY) deploy/compose_check.py

lint: $(VENV)/.installed-dev
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	@# The migrations must build exactly the schema the models describe.
	export DEMO=1 DATABASE_URL="sqlite:///$$(mktemp -d)/check.db"; \
	  $(VENV)/bin/flask --app wsgi db upgrade 2>/dev/null && $(VENV)/bin/flask --app wsgi db check

format: $(VENV)/.installed-dev
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .

# Refresh the catalogs after changing user-facing strings; then translate the new vi entries.
translations: $(VENV)/.installed-dev
	$(VENV)/bin/pybabel extract -F babel.cfg -k _l -k lazy_gettext --no-location -o /tmp/contest-messages.pot .
	$(VENV)/bin/pybabel update -i /tmp/contest-messages.pot -d contest/translations --no-fuzzy-matching

# The quiz load benchmark (about 7 minutes; see bench/quiz_load.py for its options).
bench-quiz: $(VENV)/.installed-dev
	$(PY) -m pip install -q -r bench/requirements.txt
	$(PY) bench/quiz_load.py

# The question-bank import benchmark (about 13 minutes; see bench/import_bank.py for its options).
bench-import: $(VENV)/.installed-dev
	$(PY) -m bench.import_bank

# The video upload and playback benchmark, 1 GiB to local disk and to S3 (moto): about 4 minutes.
bench-upload: $(VENV)/.installed-dev
	$(PY) -m bench.upload

# The results benchmark, 100,000 participants and 1,000,000 rounds on SQLite and PostgreSQL:
# leaderboard, standings, XLSX export and freeze (about 8 minutes; see bench/results.py).
bench-results: $(VENV)/.installed-dev
	$(PY) -m bench.results
