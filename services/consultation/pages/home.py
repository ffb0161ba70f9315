"""Consultation's home: what needs attention (the office) and the Ambito's tables (everyone)."""
from __future__ import annotations

from flask import g

from shared.web import page_requires

from services.consultation.pages.blueprint import blp
from services.consultation.pages.common import EVERYONE, is_office, is_representative, manages_table, page, reading
from services.consultation.rounds import service as rounds
from services.consultation.sessions import domain as sessions_domain, service as sessions
from services.consultation.sessions.minutes import domain as minutes_domain, service as minutes
from services.consultation.pages.common import caller
from services.consultation.tables import membership, service as tables
from services.consultation.tables.access import acting_for
from services.consultation.timeline import service as timeline


def _attention(conn, own_tables: list[dict]) -> dict:
    """Sessions to record as held or to minute, minutes to approve: of the tables this user manages."""
    to_hold, to_minute, to_approve = [], [], []
    at = sessions.now()
    for table in own_tables:
        if not manages_table(table):
            continue
        for session in sessions.list_sessions(conn=conn, table_id=table["id"], status=None, after=None,
                                              limit=500)["items"]:
            item = {"session": session, "table": table}
            if session["status"] == sessions_domain.SCHEDULED and session["starts_at"] <= at:
                to_hold.append(item)
            elif session["status"] == sessions_domain.HELD:
                versions = minutes.list_versions(conn=conn, caller=caller(), session_id=session["id"])["items"]
                if not versions:
                    to_minute.append(item)
                elif any(v["status"] == minutes_domain.DRAFT for v in versions):
                    to_approve.append(item)
    return {"to_hold": to_hold, "to_minute": to_minute, "to_approve": to_approve}


@blp.route("/tavoli")
@page_requires(*EVERYONE)
def home(tenant):
    """The office: sessions to minute, minutes to approve, late milestones, open rounds; everyone: the tables."""
    with reading() as conn:
        listed = tables.list_tables(conn=conn, kind=None, area=None, status=None, after=None, limit=500,
                                    tenant=g.tenant.slug)["items"]
        own = [t for t in listed if t.get("origin", g.tenant.slug) == g.tenant.slug]
        attention = _attention(conn, own) if is_office() else {}
        mine = [t for t in own if is_representative() and acting_for(
            caller(), membership.members_in_force(conn=conn, table_id=t["id"]))]
        late = timeline.list_milestones(conn=conn, after=None, limit=100, late=True)["items"]
        open_rounds = [r for r in rounds.list_rounds(conn=conn, table_id=None, status="open", after=None,
                                                     limit=100)["items"] if r["accepting_ballots"]]
    names = {t["id"]: t["title"] for t in listed}
    return page("home.html", tables=listed, attention=attention, late=late, open_rounds=open_rounds, names=names,
                my_tables=mine)
