# Two commands on a fresh machine: `make demo` and `make test`. Each sets up
# what it needs: Python environment, Kafka jars, PostgreSQL, databases, topics.
VENV   ?= .venv
PY     := $(VENV)/bin/python
PDZ    := $(VENV)/bin/pdz
PYTEST := $(VENV)/bin/pytest

.PHONY: demo test stop venv stack lint

$(VENV)/.installed: pyproject.toml
	@echo "[pdz] creating the Python environment in $(VENV)"
	python3 -m venv $(VENV)
	$(VENV)/bin/pip install -q --upgrade pip
	$(VENV)/bin/pip install -q -e '.[test]'
	touch $@

venv: $(VENV)/.installed

# Provisioning the local stack gives its database roles the development secrets
# (PDZ_ENV=development; PDZ_DB_ROLE_SECRET_<SERVICE> win if set), as `pdz run` uses them.
stack: venv
	$(PDZ) stack up
	PDZ_ENV=$${PDZ_ENV:-development} $(PDZ) tenants provision
	$(PDZ) topics create

demo: stack
	$(PDZ) run --detach
	$(PDZ) demo

test: stack
	$(PYTEST) -q tests

stop:
	-$(PDZ) stop
	-$(PDZ) stack down
