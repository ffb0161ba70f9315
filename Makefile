# Two commands on a fresh machine: `make demo` and `make test`. Each sets up
# what it needs: Python environment, Kafka jars, PostgreSQL, databases, topics.
VENV   ?= .venv
PY     := $(VENV)/bin/python
PDZ    := $(VENV)/bin/pdz
PYTEST := $(VENV)/bin/pytest

.PHONY: demo test stop venv stack lint system-libs portal-assets schemas

$(VENV)/.installed: pyproject.toml
	@echo "[pdz] creating the Python environment in $(VENV)"
	python3 -m venv $(VENV)
	$(VENV)/bin/pip install -q --upgrade pip
	$(VENV)/bin/pip install -q -e '.[test]'
	touch $@

venv: system-libs $(VENV)/.installed portal-assets

# WeasyPrint (consultation's PDF documents) loads Pango and needs a font: installed with apt-get when
# missing and running as root (as `pdz stack up` installs PostgreSQL); a quick check when present.
PDF_LIBS := libpango-1.0-0 libpangoft2-1.0-0 fonts-dejavu-core
# npm installs Bootstrap Italia for the public portal; Debian's chromium runs the portal's browser tests
# (Playwright drives it: Playwright's own browser download is not reachable). Each is a command here.
PORTAL_TOOLS := npm chromium
system-libs:
	@if ! ldconfig -p | grep -q 'libpangoft2-1.0.so.0' || [ ! -e /usr/share/fonts/truetype/dejavu/DejaVuSans.ttf ]; then \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	    echo "[pdz] installing Pango and fonts for the PDF documents with apt-get (once)"; \
	    DEBIAN_FRONTEND=noninteractive apt-get update -q && \
	    DEBIAN_FRONTEND=noninteractive apt-get install -y -q $(PDF_LIBS); \
	  else echo "[pdz] warning: the PDF documents need: apt-get install $(PDF_LIBS)" >&2; fi; \
	fi
	@missing=""; for p in $(PORTAL_TOOLS); do command -v $$p >/dev/null || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	    echo "[pdz] installing$$missing with apt-get (once): the portal's assets (npm) and browser tests (chromium)"; \
	    DEBIAN_FRONTEND=noninteractive apt-get update -q && \
	    DEBIAN_FRONTEND=noninteractive apt-get install -y -q $$missing; \
	  else echo "[pdz] warning: the public portal needs: apt-get install$$missing" >&2; fi; \
	fi

# Bootstrap Italia, from npm at set-up time (package-lock.json pins every file): one copy in
# shared/web/node_modules, served by every service's pages (the portal, the console): never from a CDN.
PORTAL := shared/web
$(PORTAL)/node_modules/.package-lock.json: $(PORTAL)/package.json $(PORTAL)/package-lock.json
	@echo "[pdz] installing Bootstrap Italia for the pages (npm ci in shared/web)"
	npm ci --prefix $(PORTAL) --omit=dev --no-audit --no-fund --ignore-scripts --loglevel=error
	touch $@

portal-assets: system-libs $(PORTAL)/node_modules/.package-lock.json

# Provisioning the local stack gives its database roles the development secrets
# (PDZ_ENV=development; PDZ_DB_ROLE_SECRET_<SERVICE> win if set), as `pdz run` uses them.
stack: venv
	$(PDZ) stack up
	PDZ_ENV=$${PDZ_ENV:-development} $(PDZ) tenants provision
	$(PDZ) topics create

demo: stack
	$(PDZ) run --detach
	$(PDZ) demo

# The CRD and compose-spec schemas of the offline deploy validation (tests/unit/test_deploy_validation.py),
# downloaded as Go modules and Maven artifacts at the releases tests/deploy_validation/schemas.lock.toml pins,
# each file checked against its sha256, into .pdz/schemas; nothing is done while the lock is unchanged.
# A failed download or a sum that differs stops `make test` here (docs/deployment.md, Offline validation).
schemas: venv
	$(PY) -m tests.deploy_validation.download_schemas

test: stack schemas
	$(PYTEST) -q tests

stop:
	-$(PDZ) stop
	-$(PDZ) stack down
