"""`pdz demo`, FASE 2: the consultation of Fasano (seed 002) and Lagonegrese-Pollino (seed 000) through
consultation's HTTP API: tables and members, then sessions held with attendance and approved minutes, needs,
proposals, a closed prioritisation round, an accepted proposal, the cronoprogramma and the map of services
(shared/cli/demo_consultation_steps.py; the data in demo_consultation_<ambito>.py).

The organisations come the way they always do: registry -> Kafka -> consultation's replica; the demo waits
for them with a deadline. Idempotent: every record is looked for (by title or natural key) before it is
created, and creating POSTs carry stable Idempotency-Keys, so a second run adds nothing.
"""
from __future__ import annotations

import time
import urllib.error

from shared.cli import demo_consultation_fasano, demo_consultation_former_ambiti as former, \
    demo_consultation_lagonegrese_pollino
from shared.cli import demo_consultation_steps as steps
from shared.cli.demo_http import every, http
from shared.config import Settings
from shared.http.auth import mint_dev_token

CONSULTATION = "http://127.0.0.1:58082"
AMBITI = {"fasano": demo_consultation_fasano.AMBITO,
          "lagonegrese-pollino": demo_consultation_lagonegrese_pollino.AMBITO}
# The former Ambiti's history before the merger: a table each, its needs and a proposal (no sessions).
FORMER = {"lagonegrese": former.LAGONEGRESE, "pollino": former.POLLINO}


class Demo:
    """One Ambito's consultation over HTTP, with the development tokens of the people who act in it."""

    def __init__(self, settings: Settings, *, tenant: str, ambito: str, base: str):
        self.settings, self.tenant, self.base, self.spec = settings, tenant, base, {**AMBITI, **FORMER}[ambito]
        self.operator_account = f"ufficio-di-piano-{tenant}"
        self.operator = self.token(self.operator_account, "operator")
        self.writes = 0      # writes this run made (a replayed Idempotency-Key is not one)
        self.replica: dict[str, str] = {}

    def token(self, subject: str, role: str) -> str:
        return mint_dev_token(key=self.settings.jwt_dev_key, subject=subject, roles=[role], tenants=[self.tenant])

    def coordinator(self, table: dict) -> str:
        """The table's coordinator: the role and the account the table names."""
        return self.token(table["coordinator"], "coordinator")

    def representative(self, organisation: str) -> str:
        """The representative listed in the organisation's memberships."""
        return self.token(self.spec["accounts"][organisation], "stakeholder")

    def url(self, path: str) -> str:
        return f"{self.base}/v1/{self.tenant}{path}"

    def get(self, path: str, token: str | None = None, *, missing_ok: bool = False) -> tuple[dict | None, str]:
        """The body and ETag of a GET (None for a 404 when missing_ok)."""
        status, body, headers = http("GET", self.url(path), token or self.operator)
        if status == 404 and missing_ok:
            return None, ""
        if status != 200:
            raise RuntimeError(f"GET {path} of {self.tenant}: {status} {body}")
        return body, {k.lower(): v for k, v in headers.items()}.get("etag", "")

    def all(self, path: str, token: str | None = None) -> list:
        return every(self.url(path), token or self.operator)

    def write(self, method: str, path: str, body: dict, token: str | None = None, *, key: str | None = None,
              etag: str | None = None, expect=(200, 201)) -> tuple[dict, str]:
        """A write; stable Idempotency-Key `demo-<tenant>-<key>` and If-Match when given; an error raises."""
        headers = {}
        if key:
            headers["Idempotency_Key"] = f"demo-{self.tenant}-{key}"
        if etag:
            headers["If_Match"] = etag
        status, answer, response_headers = http(method, self.url(path), token or self.operator, body, **headers)
        response_headers = {k.lower(): v for k, v in response_headers.items()}
        if status not in expect:
            raise RuntimeError(f"{method} {path} of {self.tenant}: {status} {answer}")
        if not response_headers.get("idempotent-replayed"):
            self.writes += 1
        return answer, response_headers.get("etag", "")

    def wait_for_replica(self, wait_seconds: float) -> None:
        """Until consultation's replica shows every organisation of the Ambito's data, or the deadline."""
        deadline = time.monotonic() + wait_seconds
        while True:
            try:
                # its own register only: a merged Ambito's list holds its former Ambiti's too (same names)
                self.replica = {o["name"]: o["id"]
                                for o in self.all(f"/organisations?status=active&origin={self.tenant}")}
            except (RuntimeError, urllib.error.URLError, ConnectionError):
                self.replica = {}   # not answering yet: the deadline decides
            missing = set(self.spec["accounts"]) - set(self.replica)
            if not missing:
                return
            if time.monotonic() > deadline:
                raise RuntimeError(f"consultation's replica of {self.tenant} still lacks {sorted(missing)};"
                                   " see .pdz/logs/")
            time.sleep(0.5)   # polling interval, not a synchronisation: the loop checks the condition

    def tables(self) -> tuple[dict, int, int]:
        """The Ambito's tables by title and their members: (tables, tables created, memberships added)."""
        existing = {t["title"]: t for t in self.all(f"/tables?origin={self.tenant}")}
        created = added = 0
        for number, (kind, title, description, areas, membership, coordinator, members) in enumerate(
                self.spec["tables"]):
            if title not in existing:
                existing[title], _ = self.write("POST", "/tables", {
                    "kind": kind, "title": title, "description": description, "areas": areas,
                    "membership": membership, "coordinator": coordinator}, key=f"table-{number}", expect=(201,))
                created += 1
            table_id = existing[title]["id"]
            present = {m["organisation_id"] for m in self.all(f"/tables/{table_id}/members?state=member")}
            for name in members:
                if self.replica[name] in present:
                    continue
                status, body, _ = http("POST", self.url(f"/tables/{table_id}/members"), self.operator,
                                       {"organisation_id": self.replica[name],
                                        "accounts": [self.spec["accounts"][name]]})
                if status == 201:
                    added += 1
                    self.writes += 1
                elif not (status == 409 and body.get("type", "").endswith("/already-member")):
                    raise RuntimeError(f"member {name!r} of {title!r}: {status} {body}")
        return existing, created, added


def load_tables(settings: Settings, *, tenant: str, ambito: str, base: str = CONSULTATION,
                wait_seconds: float = 60) -> str:
    """An Ambito's tables and their members only (found by title, members added once); a line."""
    demo = Demo(settings, tenant=tenant, ambito=ambito, base=base)
    demo.wait_for_replica(wait_seconds)
    _tables, created, added = demo.tables()
    return (f"{tenant}: {len(demo.spec['tables'])} tables ({created} new), {added} memberships added;"
            f" {base}/v1/{tenant}/tables")


def load(settings: Settings, *, tenant: str, ambito: str, base: str = CONSULTATION,
         wait_seconds: float = 60) -> str:
    """The whole consultation of one Ambito (tables, sessions, contributions, round, timeline, map); a line."""
    demo = Demo(settings, tenant=tenant, ambito=ambito, base=base)
    demo.wait_for_replica(wait_seconds)
    tables, _created, _added = demo.tables()
    return steps.run(demo, tables)


def load_former(settings: Settings, *, tenant: str, ambito: str, base: str = CONSULTATION,
                wait_seconds: float = 60) -> str:
    """A former Ambito's table, members, needs and proposal, recorded before the merger; a line."""
    demo = Demo(settings, tenant=tenant, ambito=ambito, base=base)
    demo.wait_for_replica(wait_seconds)
    tables, _created, _added = demo.tables()
    needs, proposals = {}, {}
    for number, (_kind, title, *_rest) in enumerate(demo.spec["tables"]):
        work = demo.spec["work"][title]
        needs.update(steps.record_needs(demo, tables[title], {"id": None}, work, number))
        proposals.update(steps.submit_proposals(demo, tables[title], work, number, needs))
    return (f"{tenant}: {len(demo.spec['tables'])} table, {len(needs)} needs, {len(proposals)} proposal; "
            + (f"{demo.writes} writes in this run" if demo.writes else "nothing new in this run"))


def load_all(settings: Settings) -> list[str]:
    """Every demo Ambito's consultation, a line each: the former Ambiti's first, then the others."""
    return ([load_former(settings, tenant=ambito, ambito=ambito) for ambito in FORMER]
            + [load(settings, tenant=ambito, ambito=ambito) for ambito in AMBITI])
