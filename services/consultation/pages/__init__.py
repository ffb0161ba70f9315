"""Consultation's working pages (FASE 2): tables, members, sessions with invitations, attendance, minutes,
needs and proposals, the cronoprogramma and the documents, under /{tenant}/tavoli… next to the API.

Pages call consultation's own use-case functions with a connection of the page's Ambito, never its HTTP API.
"""
from __future__ import annotations

from services.consultation.pages.blueprint import blp
# Importing the view modules registers their routes on `blp`.
from services.consultation.pages import (contributions, documents, home, minutes, rounds,  # noqa: F401,E402
                                         sessions, tables, timeline)

pages = [blp]
