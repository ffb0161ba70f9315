"""Stakeholder rules, pure: types, RUNTS sections, statuses."""
from __future__ import annotations

# Kinds of organisation in an Ambito's network (seed 001, DOMAIN.md).
STAKEHOLDER_TYPES = (
    "public_body",            # ente pubblico
    "comune",
    "health_authority",       # ASL / ASST, distretto sanitario
    "school",
    "ets",                    # ente del terzo settore (see runts_section)
    "social_cooperative",     # cooperativa sociale
    "enterprise",
    "trade_union",
    "representative_body",    # organismo di rappresentanza
    "other",
)
# RUNTS sections, DM 106/2020: a ODV, b APS, c enti filantropici, d imprese sociali,
# e reti associative, f società di mutuo soccorso, g altri ETS.
RUNTS_SECTIONS = ("a", "b", "c", "d", "e", "f", "g")
# Register status: active; suspended (temporarily out of the tables); withdrawn (left the network).
STATUSES = ("active", "suspended", "withdrawn")
