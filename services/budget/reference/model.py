"""The budget's reference data: funds, LEPS and the CISIS nomenclature of social interventions and services.

Configuration, not code: the YAML files of deploy/local/ (ConfigMaps in Kubernetes)
are read and checked once per process (loader.py). None in a Fund's restriction
means "no restriction" on that dimension.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Mapping

SOURCES = ("national", "regional", "EU", "PNRR", "comuni")
KINDS = ("service", "transfer", "project")


@dataclass(frozen=True)
class Leps:
    """A livello essenziale delle prestazioni sociali."""

    code: str
    name: str
    legal_basis: str = ""


@dataclass(frozen=True)
class NomenclatureEntry:
    """A line of the CISIS Nomenclatore degli interventi e servizi sociali; `parent` is its group's code."""

    code: str
    name: str
    parent: str | None = None
    level: int = 1
    note: str = ""                              # where the entry comes from, when not the file's source


@dataclass(frozen=True)
class Fund:
    """A source of money and what it may pay for (its earmarking: vincolo di destinazione)."""

    code: str
    name: str
    source: str
    areas: frozenset | None = None              # thematic area codes (any configured region)
    leps: frozenset | None = None               # the intervention must cover at least one of these
    kinds: frozenset | None = None              # service / transfer / project
    nomenclature: frozenset | None = None       # CISIS codes, groups already expanded to their lines
    target_groups: frozenset | None = None      # L. 328/2000 target groups (consultation's codes)
    region: str | None = None                   # a regional fund: only that region's Ambiti
    areas_by_region: Mapping = field(default_factory=lambda: MappingProxyType({}), hash=False)
    legal_basis: str = ""
    rule: str = ""                              # the earmarking in words (Italian), for people

    @property
    def restricted(self) -> bool:
        return any(x is not None for x in (self.areas, self.leps, self.kinds, self.nomenclature,
                                            self.target_groups, self.region))


@dataclass(frozen=True)
class Reference:
    """Everything the budget service takes from configuration; mappings are read-only."""

    funds: Mapping[str, Fund]
    leps: Mapping[str, Leps]
    nomenclature: Mapping[str, NomenclatureEntry]
    nomenclature_source: str = ""
