"""Which region the regional roles are for, and the refusal of another region's pages.

A token names regional roles but no region (shared.http.auth): the region is the identity provider's,
one Keycloak realm per region (docs/console.md). PDZ_REGION names it for this deployment (a comma-
separated list if one realm serves several regions). Unset: in development every region of the
catalogue (the demo has three, and the development login asks no region); elsewhere the catalogue's
region if it holds only one, else none at all (closed: a deployment of several regions must say).
"""
from __future__ import annotations

import os
from typing import Mapping

from flask_babel import gettext as _
from werkzeug.exceptions import Forbidden

from shared.config import Settings

ENV = "PDZ_REGION"


def governed_regions(*, settings: Settings, catalogue, environ: Mapping[str, str] = os.environ) -> frozenset[str]:
    """The regions whose pages the regional roles of this deployment open."""
    raw = environ.get(ENV) or ""
    named = frozenset(part.strip() for part in raw.split(",") if part.strip())
    if named:
        return named
    regions = frozenset(t.region for t in catalogue)
    if settings.env == "development" or len(regions) == 1:
        return regions
    return frozenset()


def refuse_other_region(region: str, governed: frozenset[str]) -> None:
    """403 (the Italian page, saying why) when `region` is not the one the regional role is for."""
    if region not in governed:
        refusal = Forbidden()
        refusal.pdz_detail = _("Il tuo ruolo regionale vale per un'altra regione.")
        raise refusal
