"""Regional configuration: each region's thematic areas, read from a YAML file, never from code.

Basilicata plans by nine areas, Lombardia by policy areas, Puglia by strategic
areas (DOMAIN.md); the Ambiti of a region share its list. In Kubernetes the
file is a ConfigMap beside the tenant catalogue.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import yaml

CODE_RE = re.compile(r"^[a-z0-9][a-z0-9_-]{0,40}$")


class RegionsError(ValueError):
    """The regional configuration file is not valid."""


@dataclass(frozen=True)
class Area:
    code: str
    name: str


@dataclass(frozen=True)
class Region:
    slug: str
    name: str
    areas: tuple[Area, ...]

    def area_codes(self) -> set[str]:
        return {a.code for a in self.areas}


class Regions:
    def __init__(self, regions: list[Region]):
        self._by_slug = {r.slug: r for r in regions}

    def get(self, slug: str) -> Region | None:
        return self._by_slug.get(slug)

    def __iter__(self):
        return iter(self._by_slug.values())


def parse_regions(data: object) -> Regions:
    if not isinstance(data, dict) or not isinstance(data.get("regions"), dict):
        raise RegionsError("the regional configuration must be a mapping with a 'regions' mapping")
    regions = []
    for slug, body in data["regions"].items():
        where = f"regions.{slug}"
        if not isinstance(body, dict) or not isinstance(body.get("areas"), list) or not body["areas"]:
            raise RegionsError(f"{where}.areas must be a non-empty list")
        areas = []
        for index, area in enumerate(body["areas"]):
            code, name = (area or {}).get("code"), (area or {}).get("name")
            if not isinstance(code, str) or not CODE_RE.match(code) or not isinstance(name, str) or not name:
                raise RegionsError(f"{where}.areas[{index}] needs a code (lower-case, digits, '-' or '_')"
                                   " and a name")
            areas.append(Area(code, name))
        codes = [a.code for a in areas]
        if len(set(codes)) != len(codes):
            raise RegionsError(f"{where}: area codes must be unique")
        regions.append(Region(str(slug), str(body.get("name") or slug), tuple(areas)))
    return Regions(regions)


def load_regions(path: Path) -> Regions:
    try:
        return parse_regions(yaml.safe_load(Path(path).read_text(encoding="utf-8")))
    except FileNotFoundError as exc:
        raise RegionsError(f"regional configuration not found: {path}") from exc
