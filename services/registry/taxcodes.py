"""Codice fiscale and partita IVA checks (python-stdnum), pure."""
from __future__ import annotations

from stdnum.exceptions import ValidationError
from stdnum.it import codicefiscale, iva


class InvalidTaxCode(ValueError):
    """Neither a valid codice fiscale nor a valid partita IVA."""


def normalise_tax_code(raw: str) -> str:
    """The canonical form of a codice fiscale (16 chars) or partita IVA / CF numerico (11 digits)."""
    code = "".join(str(raw).split()).upper()
    try:
        if len(code) == 11:
            return iva.validate(code)
        if len(code) == 16:
            return codicefiscale.validate(code)
    except ValidationError as exc:
        raise InvalidTaxCode(f"{raw!r} is not a valid codice fiscale or partita IVA: {exc}") from exc
    raise InvalidTaxCode(f"{raw!r} must be 11 digits (partita IVA / codice fiscale numerico) "
                         "or 16 characters (codice fiscale)")


def normalise_personal_code(raw: str) -> str:
    """A person's codice fiscale (16 characters), canonical."""
    code = "".join(str(raw).split()).upper()
    if len(code) != 16:
        raise InvalidTaxCode(f"{raw!r} must be a person's codice fiscale (16 characters)")
    try:
        return codicefiscale.validate(code)
    except ValidationError as exc:
        raise InvalidTaxCode(f"{raw!r} is not a valid codice fiscale: {exc}") from exc


def is_personal_tax_code(code: str) -> bool:
    """A 16-character codice fiscale identifies a person: personal data, never in events or exports."""
    return len(code) == 16
