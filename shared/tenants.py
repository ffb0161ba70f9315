"""The tenant catalogue: which Ambiti exist and where their databases live.

A tenant is an Ambito Territoriale Sociale, named by a slug. The catalogue is a
YAML file (a ConfigMap in Kubernetes) that every process reads at start. It also
says who shares which data with whom (`shares`, `merged_from`) and which Ambiti
were merged into another (`status: merged`): shared/tenants_sharing.py reads and
checks those; docs/federation.md describes them. Errors name the file's line.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from psycopg.conninfo import conninfo_to_dict, make_conninfo

from shared import tenants_sharing
from shared.db.roles import ServiceLogin
from shared.sharing import Share, Sharing
from shared.tenants_yaml import YamlError, line_of, load_located

SLUG_RE = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
# Paths of the API without an Ambito (/v1/regions/{region}/…, /v1/indicators/definitions): no Ambito may be named so.
RESERVED_SLUGS = frozenset({"regions", "indicators"})
STATUSES = ("active", "merged", "suspended")
# The reporting service is regional: one database for every tenant.
REGIONAL_SERVICES = ("reporting",)
MERGED = "merged"
TENANT_KEYS = ("slug", "name", "region", "status", "merged_from", "databases", "shares", "merged_into",
               "merged_on", "merger_reason", "share_with_successor")
ROME = ZoneInfo("Europe/Rome")


class CatalogueError(ValueError):
    """The tenant catalogue file is not valid; `line` is the file's line it names (None if unknown)."""

    def __init__(self, message: str, line: int | None = None):
        super().__init__(message)
        self.line = line


@dataclass(frozen=True)
class Tenant:
    """One Ambito as the catalogue declares it."""

    slug: str
    name: str
    region: str
    status: str = "active"
    merged_from: tuple[str, ...] = ()
    databases: dict[str, str] = field(default_factory=dict)
    shares: tuple[Share, ...] = ()          # what it declares it gives (`shares:`)
    merged_into: str | None = None          # status merged: its successor
    merged_on: date | None = None
    merger_reason: str | None = None        # e.g. the regional act that merged it
    share_with_successor: bool = True       # False: merged_from implies no share from it

    @property
    def merged(self) -> bool:
        return self.status == MERGED

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
        # Every share declared or implied, dated ones included; `sharing` is those in force today.
        self.declared = tenants_sharing.sharing_of(list(self._by_slug.values()))
        self._in_force: tuple[date, Sharing] | None = None

    def __iter__(self):
        return iter(self._by_slug.values())

    def __len__(self) -> int:
        return len(self._by_slug)

    def get(self, slug: str) -> Tenant | None:
        return self._by_slug.get(slug)

    def slugs(self) -> list[str]:
        return list(self._by_slug)

    @property
    def sharing(self) -> Sharing:
        """The shares in force today (Europe/Rome): a share dated in the future starts on its day."""
        today = datetime.now(ROME).date()
        if self._in_force is None or self._in_force[0] != today:
            self._in_force = (today, self.declared.on(today))
        return self._in_force[1]

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


def _where(source: str | None, line: int | None) -> str:
    if line is None:
        return ""
    return f"{source} line {line}: " if source else f"line {line}: "


def parse_catalogue(data: object, default_server: str, *, login: ServiceLogin | None = None,
                    source: str | None = None) -> Catalogue:
    """Validate the YAML document and build the catalogue; errors name the entry (and the line, from a file)."""
    try:
        return _parse(data, default_server, login=login)
    except tenants_sharing.Refusal as exc:
        raise CatalogueError(f"{_where(source, exc.line)}{exc}", exc.line) from None
    except CatalogueError as exc:
        raise CatalogueError(f"{_where(source, exc.line)}{exc}", exc.line) from None


def _fail(container, key, message: str) -> CatalogueError:
    return CatalogueError(message, line_of(container, key))


def _parse(data: object, default_server: str, *, login: ServiceLogin | None) -> Catalogue:
    if not isinstance(data, dict) or not isinstance(data.get("tenants"), list):
        raise CatalogueError("the catalogue must be a mapping with a 'tenants' list", line_of(data))
    tenants: list[Tenant] = []
    entries = data["tenants"]
    for index, entry in enumerate(entries):
        where = f"tenants[{index}]"
        if not isinstance(entry, dict):
            raise _fail(entries, index, f"{where} must be a mapping")
        tenants.append(_tenant(entry, where))
    for index, tenant in enumerate(tenants):
        earlier = [t for t in tenants[:index] if t.slug == tenant.slug]
        if earlier:
            raise _fail(entries[index], "slug", f"duplicate tenant slugs: {tenant.slug}")
    tenants = tenants_sharing.check(tenants, entries)
    regional = data.get("regional_databases") or {}
    if not isinstance(regional, dict):
        raise _fail(data, "regional_databases", "regional_databases must map a service to a database name")
    return Catalogue(tenants, default_server, {str(k): str(v) for k, v in regional.items()}, login=login)


def _tenant(entry: dict, where: str) -> Tenant:
    for key in ("slug", "name", "region"):
        if not isinstance(entry.get(key), str) or not entry[key].strip():
            raise _fail(entry, key, f"{where}.{key} is required")
    unknown = [k for k in entry if k not in TENANT_KEYS]
    if unknown:
        raise _fail(entry, unknown[0], f"{where} has an unknown key {unknown[0]!r} (known: {', '.join(TENANT_KEYS)})")
    slug = entry["slug"]
    if not SLUG_RE.match(slug):
        raise _fail(entry, "slug", f"{where}.slug {slug!r} must be lower-case words joined by '-'")
    if slug in RESERVED_SLUGS:
        raise _fail(entry, "slug", f"{where}.slug {slug!r} is reserved for the API's regional paths")
    status = entry.get("status", "active")
    if status not in STATUSES:
        raise _fail(entry, "status", f"{where}.status must be one of {', '.join(STATUSES)}")
    merged_from = entry.get("merged_from") or []
    databases = entry.get("databases") or {}
    if not isinstance(merged_from, list) or not all(isinstance(s, str) for s in merged_from):
        raise _fail(entry, "merged_from", f"{where}.merged_from must be a list of tenant slugs")
    if not isinstance(databases, dict):
        raise _fail(entry, "databases", f"{where}.databases must be a mapping")
    for key in ("merged_into", "merger_reason"):
        if entry.get(key) is not None and (not isinstance(entry[key], str) or not entry[key].strip()):
            raise _fail(entry, key, f"{where}.{key} must be text")
    return Tenant(slug=slug, name=entry["name"], region=entry["region"], status=status,
                  merged_from=tuple(merged_from), databases={str(k): str(v) for k, v in databases.items()},
                  shares=tenants_sharing.read_shares(entry, slug, where), merged_into=entry.get("merged_into"),
                  merged_on=tenants_sharing.read_date(entry, "merged_on", where),
                  merger_reason=entry.get("merger_reason"),
                  share_with_successor=entry.get("share_with_successor") is not False)


def load_catalogue(path: Path, default_server: str, *, login: ServiceLogin | None = None) -> Catalogue:
    """Read the catalogue file; with `login`, its URLs are a service's role logins instead of the admin's."""
    try:
        text = Path(path).read_text(encoding="utf-8")
    except FileNotFoundError as exc:
        raise CatalogueError(f"tenant catalogue not found: {path}") from exc
    try:
        data = load_located(text)
    except YamlError as exc:
        raise CatalogueError(f"{_where(str(path), exc.line)}{exc}", exc.line) from None
    return parse_catalogue(data, default_server, login=login, source=str(path))
