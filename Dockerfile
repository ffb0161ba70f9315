# syntax=docker/dockerfile:1
#
# One image for every pdz process. The command picks the process:
#   pdz-registry-api | pdz-consultation-api | pdz-budget-api | pdz-reporting-api
#   pdz-registry-relay | pdz-consultation-relay | pdz-budget-relay |
#   pdz-reporting-consumer | pdz-consultation-consumer | pdz-budget-consumer |
#   pdz <subcommand>
# With no command the image prints the CLI help.
# See docs/deployment.md.

ARG PYTHON_IMAGE=python:3.11-slim

# --- portal: Bootstrap Italia from npm, as `make portal-assets` (package-lock.json pins it) ----
FROM node:20-slim AS portal
WORKDIR /portal
COPY shared/web/package.json shared/web/package-lock.json ./
RUN npm ci --omit=dev --no-audit --no-fund --ignore-scripts

# --- build: install the package into a self-contained virtualenv -------------
FROM ${PYTHON_IMAGE} AS build
ENV PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1
RUN python -m venv /opt/pdz
WORKDIR /src
COPY . .
RUN /opt/pdz/bin/pip install .

# --- runtime -----------------------------------------------------------------
FROM ${PYTHON_IMAGE}
LABEL org.opencontainers.image.title="pdz" \
      org.opencontainers.image.description="Piano Sociale di Zona suite: registry, consultation, budget and reporting services"

# WeasyPrint (the consultation's PDF/A documents) needs Pango and a font to embed.
RUN apt-get update \
 && apt-get install -y --no-install-recommends libpango-1.0-0 libpangoft2-1.0-0 fonts-dejavu-core \
 && rm -rf /var/lib/apt/lists/*

# Fixed numeric ids so that Kubernetes' runAsNonRoot can verify them.
RUN groupadd --system --gid 10001 pdz \
 && useradd --system --uid 10001 --gid 10001 --no-create-home --home-dir /nonexistent \
      --shell /usr/sbin/nologin pdz

COPY --from=build /opt/pdz /opt/pdz
# The event catalogue: consumers validate every event against its JSON Schema.
COPY --from=build /src/events /opt/pdz/events
# Bootstrap Italia (CSS, fonts, icons), served by every service's pages and the portal (PDZ_WEB_ASSETS).
COPY --from=portal /portal/node_modules/bootstrap-italia/dist /opt/pdz/web/bootstrap-italia

ENV PATH=/opt/pdz/bin:$PATH \
    PYTHONUNBUFFERED=1 \
    PYTHONDONTWRITEBYTECODE=1 \
    PORT=8000 \
    PDZ_METRICS_PORT=9100 \
    PDZ_TENANTS_FILE=/etc/pdz/tenants.yaml \
    PDZ_REGIONS_FILE=/etc/pdz/regions.yaml \
    PDZ_EVENTS_DIR=/opt/pdz/events \
    PDZ_WEB_ASSETS=/opt/pdz/web/bootstrap-italia

# The root filesystem is read-only in Kubernetes; /tmp is the writable place.
WORKDIR /tmp
USER 10001:10001
# 8000: HTTP APIs ($PORT); 9100: Prometheus metrics of relays and consumers.
EXPOSE 8000 9100
CMD ["pdz", "--help"]
