"""The cronoprogramma of a year: the phases with their milestones, the late ones highlighted."""
from __future__ import annotations

from flask import request

from shared.web import page_requires

from services.consultation.pages.blueprint import blp
from services.consultation.pages.common import EVERYONE, page, reading
from services.consultation.timeline import service


@blp.route("/cronoprogramma")
@page_requires(*EVERYONE)
def timeline(tenant):
    """A year's cronoprogramma (this year unless ?anno= says another), late milestones highlighted."""
    year = request.args.get("anno", type=int) or service.today().year
    if not 2000 <= year <= 2100:
        year = service.today().year
    with reading() as conn:
        found = service.year_timeline(conn=conn, year=year)
    return page("cronoprogramma.html", timeline=found, year=year)
