"""Ambito profile rules, pure: comuni from the ISTAT list, in the Ambito's region, capofila among them."""
from __future__ import annotations

import re
import unicodedata
from datetime import date
from typing import Callable, Protocol


class OfficialComune(Protocol):
    istat_code: str
    name: str
    province: str
    region: str


class InvalidProfile(ValueError):
    """The profile breaks one or more rules; `errors` names each field, as a 422 does."""

    def __init__(self, errors: list[dict]):
        super().__init__("; ".join(f"{e['field']}: {e['message']}" for e in errors))
        self.errors = errors


# 'Regione Autonoma della Sardegna', 'Regione del Veneto': the words before the name itself.
_REGIONE_PREFIX = re.compile(r"^regione\s+(autonoma\s+)?((della|del|di)\s+|(dell|d)'\s*)?")


def region_key(text: str) -> str:
    """A region's name or slug reduced for comparison: 'Regione Friuli Venezia Giulia' ~ 'friuli-venezia-giulia'."""
    plain = unicodedata.normalize("NFKD", text.replace("\u2019", "'")).encode("ascii", "ignore").decode().casefold().strip()
    plain = _REGIONE_PREFIX.sub("", plain)
    return re.sub(r"[^a-z0-9]", "", plain)


def in_region(istat_region: str, *, slug: str, name: str | None = None) -> bool:
    """Whether ISTAT's 'Denominazione Regione' names the region known here by slug (and configured name)."""
    # Bilingual regions ('Valle d'Aosta/Vallée d'Aoste') match on either language.
    theirs = {region_key(part) for part in istat_region.split("/")} | {region_key(istat_region)}
    ours = {region_key(slug)} | ({region_key(name)} if name else set())
    return bool(theirs & ours - {""})


def total_population(comuni: list[dict]) -> int:
    return sum(c["population"] for c in comuni)


def check_profile(*, region: str, tenant_region: str, region_name: str | None, comuni: list[dict],
                  capofila_istat: str, resolve: Callable[[str], OfficialComune | None],
                  today: date) -> list[dict]:
    """The comuni with their official name and province, in order; InvalidProfile lists every rule broken."""
    errors: list[dict] = []

    def refuse(field: str, message: str) -> None:
        errors.append({"field": field, "message": message})

    if region != tenant_region:
        refuse("region", f"Must be this Ambito's region, '{tenant_region}'.")
    resolved, first_seen = [], {}
    for index, comune in enumerate(comuni):
        where = f"comuni.{index}"
        code = comune["istat_code"]
        if comune["population"] < 0:
            refuse(f"{where}.population", "Must be 0 or more.")
        if comune["population_date"] > today:
            refuse(f"{where}.population_date", "The reference date of a population figure cannot be in the future.")
        if code in first_seen:
            refuse(f"{where}.istat_code", f"Comune {code} is already listed at comuni.{first_seen[code]}.")
            continue
        first_seen[code] = index
        official = resolve(code)
        if official is None:
            refuse(f"{where}.istat_code", f"{code} is not in the ISTAT list of comuni.")
            continue
        if not in_region(official.region, slug=tenant_region, name=region_name):
            refuse(f"{where}.istat_code", f"{official.name} ({code}) is in {official.region}, "
                                          f"not in this Ambito's region ({region_name or tenant_region}).")
            continue
        resolved.append({"istat_code": code, "name": official.name, "province": official.province,
                         "population": comune["population"], "population_date": comune["population_date"]})
    if capofila_istat not in first_seen:
        refuse("capofila_istat", "The comune capofila must be one of the Ambito's comuni.")
    if errors:
        raise InvalidProfile(errors)
    return resolved
