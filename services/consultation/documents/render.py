"""Data -> HTML for each document: Jinja2 templates (autoescaped), Italian formatting. Pure: no I/O
beyond reading the templates, no clock (the caller says when the document is made)."""
from __future__ import annotations

from datetime import datetime
from pathlib import Path

from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape
from markupsafe import Markup

from shared.documents import italian

from services.consultation.documents import markup
from services.consultation.documents.labels import MODES, SESSION_STATUSES, TABLE_KINDS, label

TEMPLATES = Path(__file__).parent / "templates"
_ENV = Environment(loader=FileSystemLoader(TEMPLATES), autoescape=select_autoescape(["html"], default=True),
                   undefined=StrictUndefined, trim_blocks=True, lstrip_blocks=True)


def css_string(text: str) -> Markup:
    """A CSS string literal for the page margins: quotes, backslashes and markup escaped the CSS way
    (HTML escaping does not apply inside <style>)."""
    escaped = "".join(f"\\{ord(ch):x} " if ch in '"\\<>&\n' else ch for ch in str(text))
    return Markup(f'"{escaped}"')


_ENV.filters.update(day=italian.day, clock=italian.clock, moment=italian.moment, number=italian.number,
                    money=italian.money, css_string=css_string)

ATTENDANCE_TITLE = "Registro delle presenze"
MINUTES_TITLE = "Verbale della seduta"
PROFILE_TITLE = "Profilo di comunità"


def _page(template: str, *, ambito: str, title: str, subtitle: str, generated_at: datetime, footer: str,
          **data) -> str:
    return _ENV.get_template(template).render(
        ambito=ambito, document_title=title, subtitle=subtitle, generated_at_iso=generated_at.isoformat(),
        footer_note=f"{footer} Generato il {italian.moment(generated_at)}.", **data)


def _session(session: dict) -> dict:
    return {**session, "status_label": label(SESSION_STATUSES, session["status"])}


def _table(table: dict) -> dict:
    return {**table, "kind_label": label(TABLE_KINDS, table["kind"])}


def attendance_html(*, ambito: str, session: dict, table: dict, entries: list[dict], totals: dict,
                    truncated: bool, generated_at: datetime) -> str:
    """The attendance register with the attendees' names (an internal document)."""
    return _page("attendance.html", ambito=ambito, title=ATTENDANCE_TITLE, generated_at=generated_at,
                 subtitle=f"{session['title']} – {italian.day(session['starts_at'])}",
                 footer="Documento interno con dati personali.",
                 session=_session(session), table=_table(table), totals=totals, truncated=truncated,
                 entries=[{**e, "mode_label": label(MODES, e["mode"])} for e in entries])


def minutes_html(*, ambito: str, session: dict, table: dict, minutes: dict, attendance: dict,
                 generated_at: datetime) -> str:
    """The approved minutes in force, with the organisations present (counts, no names of people)."""
    return _page("minutes.html", ambito=ambito, title=MINUTES_TITLE, generated_at=generated_at,
                 subtitle=f"{table['title']} – {italian.day(session['starts_at'])}",
                 footer=f"Verbale n. {minutes['number']}, versione in vigore.",
                 session=_session(session), table=_table(table), minutes=minutes, attendance=attendance,
                 body=markup.blocks(minutes["body"]))


def community_profile_html(*, ambito: str, profile: dict, generated_at: datetime) -> str:
    """The community profile (profilo di comunità): organisations and aggregates only."""
    return _page("community_profile.html", ambito=ambito, title=PROFILE_TITLE, generated_at=generated_at,
                 subtitle=f"Situazione al {italian.day(generated_at)}", footer="Documento pubblico.", **profile)
