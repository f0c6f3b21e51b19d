# Two commands: `make run` serves the API, `make test` runs every check. See README.md.

PYTHON_BIN ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed-$(shell cat requirements/base.txt requirements/dev.txt | cksum | cut -d' ' -f1)
PORT ?= 8000

.PHONY: run test install lint clean schemathesis mutation

$(STAMP): requirements/base.txt requirements/dev.txt
	test -x $(PY) || $(PYTHON_BIN) -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check -r requirements/dev.txt
	rm -f $(VENV)/.installed-* && touch $@

install: $(STAMP)

# Local defaults: a secret key kept in .data/, plain HTTP on 127.0.0.1. Environment wins.
# A busy port stops it first, not after the setup; gunicorn.conf.py holds the server settings.
run: install
	@$(PY) scripts/check_port.py 127.0.0.1 $(PORT)
	@mkdir -p .data
	@test -s .data/secret_key || $(PY) -c "import secrets; print(secrets.token_urlsafe(50))" > .data/secret_key
	@set -e; \
	export SECRET_KEY="$${SECRET_KEY:-$$(cat .data/secret_key)}" HTTPS_ONLY="$${HTTPS_ONLY:-0}"; \
	$(PY) manage.py migrate --noinput; \
	$(PY) manage.py createcachetable; \
	$(PY) manage.py seed_demo --if-empty; \
	$(PY) manage.py rollup; \
	$(PY) manage.py collectstatic --noinput --verbosity 0; \
	echo "Serving Tally on http://127.0.0.1:$(PORT)/ (Ctrl-C stops it)"; \
	exec $(VENV)/bin/gunicorn --config gunicorn.conf.py --bind 127.0.0.1:$(PORT)

# A production-like environment for `check --deploy`.
DEPLOY_ENV := DEBUG=0 HTTPS_ONLY=1 ALLOWED_HOSTS=tally.example.com \
	SECRET_KEY=deploy-check-0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMN

lint: install
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

test: lint
	$(DEPLOY_ENV) $(PY) manage.py makemigrations --check --dry-run
	$(DEPLOY_ENV) $(PY) manage.py check --deploy --fail-level WARNING
	$(VENV)/bin/coverage erase
	$(VENV)/bin/coverage run -m pytest -q
	$(VENV)/bin/coverage report
	$(VENV)/bin/coverage xml -q -o coverage.xml
	@base=$$(scripts/diff_base.sh); \
	if [ -n "$$base" ]; then \
		$(VENV)/bin/diff-cover coverage.xml --compare-branch="$$base" --fail-under=100; \
	else \
		echo "diff-cover: first commit, nothing to compare against"; \
	fi

# Fuzz the API against its OpenAPI schema, every check (slow; not part of `make test`).
schemathesis: install
	scripts/schemathesis.sh

# Mutation testing of the domain modules: slow, so not part of `make test` (docs/mutation.md).
# `make mutation MODULE=sites/domains.py` runs one module; MUTATION_JOBS mutants run at once.
MODULE ?=
MUTATION_JOBS ?= 2
mutation: install
	nice $(PY) -m scripts.mutation --jobs $(MUTATION_JOBS) $(MODULE)

clean:
	rm -rf $(VENV) staticfiles .coverage coverage.xml .pytest_cache .ruff_cache .mutation
