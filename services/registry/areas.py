"""Thematic areas of the tenant's region (regional configuration, shared/regions.py)."""
from __future__ import annotations

from shared.http.problems import invalid
from shared.regions import Region


def check_areas(codes: list[str], region: Region | None, *, field: str = "areas",
                required: bool = True) -> list[str]:
    """The codes, deduplicated in order; 422 naming each code the region does not plan by."""
    if region is None:
        if codes:
            raise invalid((field, "No thematic areas are configured for this Ambito's region."))
        return []
    known = region.area_codes()
    errors = [(f"{field}.{i}", f"Unknown thematic area {code!r}; known: {', '.join(a.code for a in region.areas)}")
              for i, code in enumerate(codes) if code not in known]
    if errors:
        raise invalid(*errors)
    if required and not codes:
        raise invalid((field, "Name at least one thematic area."))
    return list(dict.fromkeys(codes))
