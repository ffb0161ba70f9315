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

stack: venv
	$(PDZ) stack up
	$(PDZ) tenants provision
	$(PDZ) topics create

demo: stack
	$(PDZ) run --detach
	$(PDZ) demo

test: stack
	$(PYTEST) -q tests

stop:
	-$(PDZ) stop
	-$(PDZ) stack down
