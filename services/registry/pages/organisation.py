"""The representative's page of its organisation: what the register holds about it, from its admitted applications."""
from __future__ import annotations

from flask import g

from shared.http.auth import STAKEHOLDER
from shared.web import page_requires

from services.registry.applications import service as applications
from services.registry.corrections import service as corrections
from services.registry.pages import labels
from services.registry.pages.blueprint import blp
from services.registry.pages.common import page, reading
from services.registry.stakeholders import service as stakeholders


@blp.route("/organizzazione/")
@page_requires(STAKEHOLDER)
def organisation(tenant):
    """The register's record of each organisation this account had admitted, and its correction requests."""
    with reading() as conn:
        admitted = applications.list_applications(conn=conn, call_id=None, status="admitted", submitted_by=None,
                                                  only_of=g.principal.subject, after=None, limit=500)["items"]
        ids = list(dict.fromkeys(a["stakeholder_id"] for a in admitted if a["stakeholder_id"]))
        found = [stakeholders.get_stakeholder(conn=conn, stakeholder_id=i) for i in ids]
        asked = corrections.list_corrections(conn=conn, only_of=g.principal.subject, limit=500)["items"]
    return page("organizzazione.html", organisations=found, labels=labels,
                requests={i: [c for c in reversed(asked) if c["stakeholder_id"] == i] for i in ids})
