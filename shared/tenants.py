"""The tenant catalogue: which Ambiti exist and where their databases live.

A tenant is an Ambito Territoriale Sociale, named by a slug. The catalogue is a
YAML file (a ConfigMap in Kubernetes) that every process reads at start.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

import yaml
from psycopg.conninfo import conninfo_to_dict, make_conninfo

from shared.db.roles import ServiceLogin

SLUG_RE = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
STATUSES = ("active", "merged", "suspended")
# The reporting service is regional: one database for every tenant.
REGIONAL_SERVICES = ("reporting",)


class CatalogueError(ValueError):
    """The tenant catalogue file is not valid."""


@dataclass(frozen=True)
class Tenant:
    """One Ambito as the catalogue declares it."""

    slug: str
    name: str
    region: str
    status: str = "active"
    merged_from: tuple[str, ...] = ()
    databases: dict[str, str] = field(default_factory=dict)

    def database_name(self, service: str) -> str:
        """Name of this tenant's database for a service, e.g. registry__lagonegrese_pollino."""
        return f"{service}__{self.slug.replace('-', '_')}"


def database_url(server_url: str, dbname: str) -> str:
    """The server URL with its database name replaced."""
    return make_conninfo(server_url, dbname=dbname)


def server_key(url: str) -> tuple[str, str]:
    """(host, port) of a connection string: the identity of a PostgreSQL server."""
    params = conninfo_to_dict(url)
    return (str(params.get("host", "")), str(params.get("port", "5432")))


class Catalogue:
    """All tenants, looked up by slug."""

    def __init__(self, tenants: list[Tenant], default_server: str,
                 regional_databases: dict[str, str] | None = None, *, login: ServiceLogin | None = None):
        self._by_slug = {t.slug: t for t in tenants}
        self.default_server = default_server
        self.regional_databases = regional_databases or {}
        # A service's processes connect as its per-database roles (shared/db/roles.py); without a
        # login (provisioning, the CLI, tests looking in) the URLs carry the admin of PDZ_DATABASE_URL.
        self.login = login
        self._urls: dict[tuple[str, str], str] = {}

    def __iter__(self):
        return iter(self._by_slug.values())

    def __len__(self) -> int:
        return len(self._by_slug)

    def get(self, slug: str) -> Tenant | None:
        return self._by_slug.get(slug)

    def slugs(self) -> list[str]:
        return list(self._by_slug)

    def server_for(self, tenant: Tenant, service: str) -> str:
        """URL of the server that holds this tenant's database for the service (its maintenance database)."""
        server = tenant.databases.get(service) or self.default_server
        return self.login.server_url(server, service) if self.login else server

    def server_url(self, service: str) -> str:
        """URL of the default server's maintenance database, as the service's role if there is a login."""
        return self.login.server_url(self.default_server, service) if self.login else self.default_server

    def url_for(self, tenant: Tenant, service: str) -> str:
        """Connection URL of the (service, tenant) database (built once: every request asks)."""
        url = self._urls.get((tenant.slug, service))
        if url is None:
            server = tenant.databases.get(service) or self.default_server
            url = database_url(server, tenant.database_name(service))
            if self.login:
                url = self.login.database_url(url, service)
            self._urls[(tenant.slug, service)] = url
        return url

    def regional_url(self, service: str) -> str:
        """Connection URL of a regional service's single database (named `service` by default)."""
        url = database_url(self.default_server, self.regional_databases.get(service, service))
        return self.login.database_url(url, service) if self.login else url

    def with_login(self, login: ServiceLogin | None) -> "Catalogue":
        """The same tenants, reached with `login` (None: as the admin)."""
        return Catalogue(list(self), self.default_server, self.regional_databases, login=login)


def parse_catalogue(data: object, default_server: str, *, login: ServiceLogin | None = None) -> Catalogue:
    """Validate the YAML document and build the catalogue; errors name the entry."""
    if not isinstance(data, dict) or not isinstance(data.get("tenants"), list):
        raise CatalogueError("the catalogue must be a mapping with a 'tenants' list")
    tenants: list[Tenant] = []
    for index, entry in enumerate(data["tenants"]):
        where = f"tenants[{index}]"
        if not isinstance(entry, dict):
            raise CatalogueError(f"{where} must be a mapping")
        for key in ("slug", "name", "region"):
            if not isinstance(entry.get(key), str) or not entry[key].strip():
                raise CatalogueError(f"{where}.{key} is required")
        slug = entry["slug"]
        if not SLUG_RE.match(slug):
            raise CatalogueError(f"{where}.slug {slug!r} must be lower-case words joined by '-'")
        status = entry.get("status", "active")
        if status not in STATUSES:
            raise CatalogueError(f"{where}.status must be one of {', '.join(STATUSES)}")
        merged_from = entry.get("merged_from") or []
        databases = entry.get("databases") or {}
        if not isinstance(merged_from, list) or not isinstance(databases, dict):
            raise CatalogueError(f"{where}: merged_from must be a list and databases a mapping")
        tenants.append(Tenant(slug=slug, name=entry["name"], region=entry["region"],
                              status=status, merged_from=tuple(merged_from),
                              databases={str(k): str(v) for k, v in databases.items()}))
    slugs = [t.slug for t in tenants]
    duplicates = sorted({s for s in slugs if slugs.count(s) > 1})
    if duplicates:
        raise CatalogueError(f"duplicate tenant slugs: {', '.join(duplicates)}")
    for tenant in tenants:
        unknown = [s for s in tenant.merged_from if s not in slugs]
        if unknown:
            raise CatalogueError(f"{tenant.slug}: merged_from names unknown tenants {unknown}")
    regional = data.get("regional_databases") or {}
    if not isinstance(regional, dict):
        raise CatalogueError("regional_databases must map a service to a database name")
    return Catalogue(tenants, default_server, {str(k): str(v) for k, v in regional.items()}, login=login)


def load_catalogue(path: Path, default_server: str, *, login: ServiceLogin | None = None) -> Catalogue:
    """Read the catalogue file; with `login`, its URLs are a service's role logins instead of the admin's."""
    try:
        data = yaml.safe_load(Path(path).read_text(encoding="utf-8"))
    except FileNotFoundError as exc:
        raise CatalogueError(f"tenant catalogue not found: {path}") from exc
    return parse_catalogue(data, default_server, login=login)
