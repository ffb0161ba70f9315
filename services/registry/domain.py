"""Registry rules, pure: stakeholder types and tax-code checks (no I/O)."""
from __future__ import annotations

from stdnum.exceptions import ValidationError
from stdnum.it import codicefiscale, iva

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


class InvalidTaxCode(ValueError):
    """Neither a valid codice fiscale nor a valid partita IVA."""


def normalise_tax_code(raw: str) -> str:
    """The canonical form of a codice fiscale (16 chars) or partita IVA / CF numerico (11 digits)."""
    code = "".join(raw.split()).upper()
    try:
        if len(code) == 11:
            return iva.validate(code)
        if len(code) == 16:
            return codicefiscale.validate(code)
    except ValidationError as exc:
        raise InvalidTaxCode(f"{raw!r} is not a valid codice fiscale or partita IVA: {exc}") from exc
    raise InvalidTaxCode(f"{raw!r} must be 11 digits (partita IVA / codice fiscale numerico) "
                         "or 16 characters (codice fiscale)")


def is_personal_tax_code(code: str) -> bool:
    """A 16-character codice fiscale identifies a person: personal data, never in events."""
    return len(code) == 16
