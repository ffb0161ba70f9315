"""Cursor pagination: opaque cursors over a monotonic `seq` column."""
from __future__ import annotations

import base64
import binascii
import re

from shared.http.problems import invalid

# What encode_cursor makes (unpadded base64url of "s" and at most 19 digits); base64 decoding alone
# would also take padding and skip characters outside its alphabet. The OpenAPI documents say the same.
CURSOR_RE = re.compile(r"[A-Za-z0-9_-]{0,27}")


def encode_cursor(seq: int) -> str:
    return base64.urlsafe_b64encode(f"s{seq}".encode()).decode().rstrip("=")


def decode_cursor(cursor: str | None) -> int:
    """The position a cursor names (0 for the first page); 422 on `after` if it is not one of ours."""
    if not cursor:
        return 0
    if not CURSOR_RE.fullmatch(cursor):
        raise invalid(("after", "Not a valid cursor."), location="query")
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode()
    except (binascii.Error, UnicodeDecodeError, ValueError):
        raw = ""
    digits = raw[1:]
    # ASCII digits only ('s²' passes isdigit() but not int()), and no more than a bigint has.
    if not raw.startswith("s") or not (digits.isascii() and digits.isdigit()) or len(digits) > 19:
        raise invalid(("after", "Not a valid cursor."), location="query")
    return int(digits)


def page(rows: list[dict], limit: int) -> dict:
    """Rows fetched with limit + 1, as a page with the cursor of the next one."""
    more = len(rows) > limit
    rows = rows[:limit]
    return {"items": rows, "next_cursor": encode_cursor(rows[-1]["seq"]) if more else None}
