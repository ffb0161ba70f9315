"""An organisation's seat: a comune of the official ISTAT list."""
from __future__ import annotations

from shared.http.problems import invalid

from services.registry.profile.istat import lookup


def check_seat(code: str | None, *, field: str) -> str | None:
    """The ISTAT code if the official list has it; 422 naming the field otherwise."""
    if code is None:
        return None
    if lookup(code) is None:
        raise invalid((field, f"{code!r} is not an ISTAT comune code of the official list"))
    return code
