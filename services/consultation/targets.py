"""Target groups (utenza, L. 328/2000 areas) shared by the map of services, needs and proposals: pure data.

The areas of L. 328/2000 as seed 003 lists them ("minori, giovani e famiglia,
anziani, (tossico)dipendenze, salute mentale, disabilità, immigrazione,
povertà ed emarginazione": minori apart from giovani e famiglia), plus
"popolazione generale" for what serves everyone (segretariato sociale,
sportelli). Codes are stable identifiers used
in the API and events; labels are what people read. Unlike the thematic areas
(regional configuration, shared/regions.py) these are national: the same in
every Ambito.
"""
from __future__ import annotations

from types import MappingProxyType

TARGET_GROUPS = MappingProxyType({
    "minori": "Minori",
    "giovani_famiglia": "Giovani e famiglia",
    "anziani": "Anziani",
    "dipendenze": "Dipendenze",
    "salute_mentale": "Salute mentale",
    "disabilita": "Disabilità",
    "immigrazione": "Immigrazione",
    "poverta_emarginazione": "Povertà ed emarginazione",
    "popolazione_generale": "Popolazione generale",
})
CODES = tuple(TARGET_GROUPS)


def label(code: str) -> str:
    """The Italian label of a target group code (KeyError if it is not one)."""
    return TARGET_GROUPS[code]


def is_target_group(code: object) -> bool:
    return isinstance(code, str) and code in TARGET_GROUPS
