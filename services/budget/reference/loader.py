"""Read and check the reference files; every error names the entry at fault (ReferenceDataError).

A process reads them once (`reference()`, cached) and refuses to start if they
are wrong: the API's app factory and the consumer call it before serving.
Files: PDZ_BUDGET_REFERENCE_FILE (LEPS and funds), PDZ_BUDGET_NOMENCLATURE_FILE
(the CISIS nomenclature), checked against PDZ_REGIONS_FILE (thematic areas);
by default the copies under deploy/local/, in Kubernetes the ConfigMap at /etc/pdz/.
"""
from __future__ import annotations

import os
import re
from functools import lru_cache
from pathlib import Path
from types import MappingProxyType

import yaml

from shared.config import REPO_ROOT
from shared.regions import Regions, RegionsError, load_regions

from services.budget.reference.model import KINDS, SOURCES, Fund, Leps, NomenclatureEntry, Reference

LEPS_CODE_RE = re.compile(r"^[a-z0-9][a-z0-9-]{1,60}$")
FUND_CODE_RE = re.compile(r"^[A-Z][A-Z0-9_.-]{1,40}$")
NOMENCLATURE_CODE_RE = re.compile(r"^[A-Z0-9][A-Za-z0-9._-]{0,20}$")
# The L. 328/2000 target groups, as consultation codes them (services/consultation/targets.py, copied:
# a service never imports another's code).
TARGET_GROUP_CODES = ("minori", "giovani_famiglia", "anziani", "dipendenze", "salute_mentale", "disabilita",
                      "immigrazione", "poverta_emarginazione", "popolazione_generale")
FUND_KEYS = {"code", "name", "source", "region", "legal_basis", "rule", "earmark"}
EARMARK_KEYS = {"areas", "leps", "kinds", "nomenclature", "target_groups"}
DEFAULT_REFERENCE = REPO_ROOT / "deploy" / "local" / "budget-reference.yaml"
DEFAULT_NOMENCLATURE = REPO_ROOT / "deploy" / "local" / "budget-nomenclature.yaml"
DEFAULT_REGIONS = REPO_ROOT / "deploy" / "local" / "regions.yaml"


class ReferenceDataError(ValueError):
    """A reference file is not valid; the message names the file's entry."""


def _text(value: object, where: str) -> str:
    if not isinstance(value, str) or not value.strip():
        raise ReferenceDataError(f"{where} must be a non-empty string")
    return value.strip()


def _codes(value: object, where: str) -> list[str]:
    if not isinstance(value, list) or not value or not all(isinstance(v, (str, int)) for v in value):
        raise ReferenceDataError(f"{where} must be a non-empty list of codes")
    codes = [str(v) for v in value]
    if len(set(codes)) != len(codes):
        raise ReferenceDataError(f"{where} lists a code twice")
    return codes


def parse_nomenclature(data: object) -> tuple[dict[str, NomenclatureEntry], str]:
    """The nomenclature's entries by code, in file order, and its source in words."""
    if not isinstance(data, dict) or not isinstance(data.get("entries"), list):
        raise ReferenceDataError("the nomenclature file must be a mapping with 'source' and an 'entries' list")
    source = data.get("source")
    if not isinstance(source, dict):
        raise ReferenceDataError("nomenclature.source must say document, version and year")
    parts = [_text(source.get(k), f"nomenclature.source.{k}") for k in ("document", "version")]
    year = source.get("year")
    if not isinstance(year, int) or not 1990 <= year <= 2100:
        raise ReferenceDataError("nomenclature.source.year must be a year")
    entries: dict[str, NomenclatureEntry] = {}
    for index, raw in enumerate(data["entries"]):
        where = f"nomenclature.entries[{index}]"
        if not isinstance(raw, dict):
            raise ReferenceDataError(f"{where} must be a mapping with code and name")
        code = str(raw.get("code", ""))
        if not NOMENCLATURE_CODE_RE.match(code):
            raise ReferenceDataError(f"{where}: bad code {code!r}")
        where = f"nomenclature entry {code}"
        if code in entries:
            raise ReferenceDataError(f"{where}: duplicate code")
        parent = raw.get("parent")
        if parent is not None and str(parent) not in entries:
            raise ReferenceDataError(f"{where}: parent {parent!r} is not an entry listed before it")
        level = entries[str(parent)].level + 1 if parent is not None else 1
        entries[code] = NomenclatureEntry(code, _text(raw.get("name"), f"{where}.name"),
                                          str(parent) if parent is not None else None, level,
                                          str(raw.get("note") or ""))
    return entries, f"{parts[0]}, {parts[1]} ({year})"


def parse_leps(data: object) -> dict[str, Leps]:
    """The LEPS by code."""
    if not isinstance(data, list) or not data:
        raise ReferenceDataError("reference.leps must be a non-empty list")
    leps: dict[str, Leps] = {}
    for index, raw in enumerate(data):
        code = str((raw or {}).get("code", "")) if isinstance(raw, dict) else ""
        if not LEPS_CODE_RE.match(code):
            raise ReferenceDataError(f"reference.leps[{index}]: bad code {code!r} (lower-case, digits, '-')")
        if code in leps:
            raise ReferenceDataError(f"LEPS {code}: duplicate code")
        leps[code] = Leps(code, _text(raw.get("name"), f"LEPS {code}.name"), str(raw.get("legal_basis") or ""))
    return leps


def descendants(nomenclature: dict[str, NomenclatureEntry], code: str) -> set[str]:
    """The code and every entry below it."""
    out = {code}
    for entry in nomenclature.values():  # file order: a parent always comes before its children
        if entry.parent in out:
            out.add(entry.code)
    return out


def _areas(value: object, where: str, fund_region: str | None, regions: Regions) -> dict[str, frozenset]:
    by_region: dict[str, frozenset] = {}
    if isinstance(value, dict):
        for slug, codes in value.items():
            region = regions.get(str(slug))
            if region is None:
                raise ReferenceDataError(f"{where}.areas: unknown region {slug!r}")
            listed = _codes(codes, f"{where}.areas.{slug}")
            unknown = [c for c in listed if c not in region.area_codes()]
            if unknown:
                raise ReferenceDataError(f"{where}.areas.{slug}: {', '.join(unknown)} not an area of {slug}")
            by_region[region.slug] = frozenset(listed)
    else:
        listed = _codes(value, f"{where}.areas")
        every = set().union(*(r.area_codes() for r in regions))
        unknown = [c for c in listed if c not in every]
        if unknown:
            raise ReferenceDataError(f"{where}.areas: {', '.join(unknown)} not an area of any region")
        for region in regions:
            found = frozenset(listed) & region.area_codes()
            if found:
                by_region[region.slug] = found
    expected = [fund_region] if fund_region else [r.slug for r in regions]
    missing = [slug for slug in expected if not by_region.get(slug)]
    if missing:
        raise ReferenceDataError(f"{where}.areas restricts areas but names none for region {', '.join(missing)}")
    if fund_region and set(by_region) != {fund_region}:
        raise ReferenceDataError(f"{where}.areas: a fund of {fund_region} names areas of another region")
    return by_region


def parse_fund(raw: object, index: int, *, leps: dict, nomenclature: dict, regions: Regions) -> Fund:
    """One fund and its earmarking, checked against the LEPS, the nomenclature and the regions."""
    if not isinstance(raw, dict):
        raise ReferenceDataError(f"reference.funds[{index}] must be a mapping")
    code = str(raw.get("code", ""))
    if not FUND_CODE_RE.match(code):
        raise ReferenceDataError(f"reference.funds[{index}]: bad fund code {code!r} (upper-case, digits, _ . -)")
    where = f"fund {code}"
    unknown_keys = set(raw) - FUND_KEYS
    if unknown_keys:
        raise ReferenceDataError(f"{where}: unknown keys {', '.join(sorted(map(str, unknown_keys)))}")
    source = raw.get("source")
    if source not in SOURCES:
        raise ReferenceDataError(f"{where}: source {source!r} is not one of {', '.join(SOURCES)}")
    region = raw.get("region")
    if region is not None and regions.get(str(region)) is None:
        raise ReferenceDataError(f"{where}: unknown region {region!r}")
    if (source == "regional") != (region is not None):
        raise ReferenceDataError(f"{where}: a regional fund names its region, and only a regional fund does")
    earmark = raw.get("earmark") or {}
    if not isinstance(earmark, dict) or set(earmark) - EARMARK_KEYS:
        raise ReferenceDataError(f"{where}.earmark may only have {', '.join(sorted(EARMARK_KEYS))}")
    rules: dict = {}
    if "areas" in earmark:
        by_region = _areas(earmark["areas"], where, region, regions)
        rules["areas"] = frozenset().union(*by_region.values())
        rules["areas_by_region"] = MappingProxyType(by_region)
    for key, known in (("leps", leps), ("kinds", KINDS), ("target_groups", TARGET_GROUP_CODES),
                       ("nomenclature", nomenclature)):
        if key in earmark:
            listed = _codes(earmark[key], f"{where}.earmark.{key}")
            unknown = [c for c in listed if c not in known]
            if unknown:
                raise ReferenceDataError(f"{where}.earmark.{key}: unknown {', '.join(unknown)}")
            if key == "nomenclature":
                listed = set().union(*(descendants(nomenclature, c) for c in listed))
            rules[key] = frozenset(listed)
    return Fund(code=code, name=_text(raw.get("name"), f"{where}.name"), source=source,
                region=str(region) if region is not None else None,
                legal_basis=_text(raw.get("legal_basis"), f"{where}.legal_basis"),
                rule=str(raw.get("rule") or ""), **rules)


def parse_reference(data: object, nomenclature_data: object, regions: Regions) -> Reference:
    """The whole reference, checked."""
    if not isinstance(data, dict) or not isinstance(data.get("funds"), list):
        raise ReferenceDataError("the reference file must be a mapping with 'leps' and 'funds' lists")
    nomenclature, source = parse_nomenclature(nomenclature_data)
    leps = parse_leps(data.get("leps"))
    funds: dict[str, Fund] = {}
    for index, raw in enumerate(data["funds"]):
        fund = parse_fund(raw, index, leps=leps, nomenclature=nomenclature, regions=regions)
        if fund.code in funds:
            raise ReferenceDataError(f"fund {fund.code}: duplicate code")
        funds[fund.code] = fund
    return Reference(funds=MappingProxyType(funds), leps=MappingProxyType(leps),
                     nomenclature=MappingProxyType(nomenclature), nomenclature_source=source)


def _yaml(path: Path) -> object:
    try:
        return yaml.safe_load(Path(path).read_text(encoding="utf-8"))
    except FileNotFoundError as exc:
        raise ReferenceDataError(f"reference file not found: {path}") from exc
    except yaml.YAMLError as exc:
        raise ReferenceDataError(f"{path}: not valid YAML: {exc}") from exc


def load_reference(reference_file: Path, nomenclature_file: Path, regions_file: Path) -> Reference:
    """Read and check the three files."""
    try:
        regions = load_regions(regions_file)
    except RegionsError as exc:
        raise ReferenceDataError(str(exc)) from exc
    return parse_reference(_yaml(reference_file), _yaml(nomenclature_file), regions)


@lru_cache(maxsize=1)
def reference() -> Reference:
    """The process's reference data, read once from the files the environment names."""
    env = os.environ
    return load_reference(Path(env.get("PDZ_BUDGET_REFERENCE_FILE") or DEFAULT_REFERENCE),
                          Path(env.get("PDZ_BUDGET_NOMENCLATURE_FILE") or DEFAULT_NOMENCLATURE),
                          Path(env.get("PDZ_REGIONS_FILE") or DEFAULT_REGIONS))
