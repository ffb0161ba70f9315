# Two commands on a fresh machine: `make demo` and `make test`. Each sets up
# what it needs: Python environment, Kafka jars, PostgreSQL, databases, topics.
VENV   ?= .venv
PY     := $(VENV)/bin/python
PDZ    := $(VENV)/bin/pdz
PYTEST := $(VENV)/bin/pytest

.PHONY: demo test stop venv stack lint system-libs

$(VENV)/.installed: pyproject.toml
	@echo "[pdz] creating the Python environment in $(VENV)"
	python3 -m venv $(VENV)
	$(VENV)/bin/pip install -q --upgrade pip
	$(VENV)/bin/pip install -q -e '.[test]'
	touch $@

venv: system-libs $(VENV)/.installed

# WeasyPrint (consultation's PDF documents) loads Pango and needs a font: installed with apt-get when
# missing and running as root (as `pdz stack up` installs PostgreSQL); a quick check when present.
PDF_LIBS := libpango-1.0-0 libpangoft2-1.0-0 fonts-dejavu-core
system-libs:
	@if ! ldconfig -p | grep -q 'libpangoft2-1.0.so.0' || [ ! -e /usr/share/fonts/truetype/dejavu/DejaVuSans.ttf ]; then \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	    echo "[pdz] installing Pango and fonts for the PDF documents with apt-get (once)"; \
	    DEBIAN_FRONTEND=noninteractive apt-get update -q && \
	    DEBIAN_FRONTEND=noninteractive apt-get install -y -q $(PDF_LIBS); \
	  else echo "[pdz] warning: the PDF documents need: apt-get install $(PDF_LIBS)" >&2; fi; \
	fi

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
