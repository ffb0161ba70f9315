"""Target groups (utenza, L. 328/2000 areas) shared by the map of services, needs and proposals: pure data.

The eight areas of L. 328/2000 (seed 003: "minori, giovani e famiglia, anziani,
(tossico)dipendenze, salute mentale, disabilità, immigrazione, povertà ed
emarginazione"), read as the Piani di Zona usually group them ("minori,
giovani e famiglia" is one area), plus "popolazione generale" for what serves
everyone (segretariato sociale, sportelli). Codes are stable identifiers used
in the API and events; labels are what people read. Unlike the thematic areas
(regional configuration, shared/regions.py) these are national: the same in
every Ambito.
"""
from __future__ import annotations

from types import MappingProxyType

TARGET_GROUPS = MappingProxyType({
    "minori-giovani-famiglia": "Minori, giovani e famiglia",
    "anziani": "Anziani",
    "dipendenze": "Dipendenze",
    "salute-mentale": "Salute mentale",
    "disabilita": "Disabilità",
    "immigrazione": "Immigrazione",
    "poverta-emarginazione": "Povertà ed emarginazione",
    "popolazione-generale": "Popolazione generale",
})
CODES = tuple(TARGET_GROUPS)


def label(code: str) -> str:
    """The Italian label of a target group code (KeyError if it is not one)."""
    return TARGET_GROUPS[code]


def is_target_group(code: object) -> bool:
    return isinstance(code, str) and code in TARGET_GROUPS
