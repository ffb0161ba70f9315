"""Query arguments and HTTP helpers shared by the indicators' api modules (marshmallow, at the edge only)."""
from __future__ import annotations

import base64
import binascii
import re

from flask import Response
from marshmallow import Schema, ValidationError, fields, validate

from services.reporting.indicators import exports
from services.reporting.indicators.model import BadPeriod, Period

TRACE_CURSOR_RE = re.compile(r"^[A-Za-z0-9_-]{1,1000}$")


def _period(text: str) -> None:
    try:
        Period.parse(text)
    except BadPeriod as exc:
        raise ValidationError(str(exc)) from None


def period_field():
    return fields.String(validate=_period, metadata={
        "description": "ISO year (2025) or quarter (2025-Q2); default: the current year in Italy",
        "pattern": r"^20[0-9]{2}(-Q[1-4])?$", "example": "2025"})


class PeriodQuery(Schema):
    period = period_field()


class TraceQuery(Schema):
    period = period_field()
    territory = fields.String(validate=validate.Length(min=1, max=100), metadata={
        "description": "the Ambito (default; a merged one as a whole) or one of its former territories' slugs"})
    after = fields.String(validate=validate.Regexp(TRACE_CURSOR_RE), metadata={
        "description": "next_cursor of the previous page"})
    limit = fields.Integer(load_default=100, validate=validate.Range(min=1, max=500))


def encode_cursor(cursor: str | None) -> str | None:
    """The tracer's own cursor, opaque to clients."""
    return base64.urlsafe_b64encode(cursor.encode()).decode().rstrip("=") if cursor else None


def decode_cursor(text: str | None) -> str | None:
    """The tracer's cursor back; ValueError if it is not one of ours."""
    if not text:
        return None
    try:
        return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4)).decode()
    except (binascii.Error, UnicodeDecodeError, ValueError):
        raise ValueError("not a cursor of this API") from None


MEDIA = {"csv": ("text/csv", {"type": "string"}, "CSV (separatore ';', UTF-8 con BOM, CRLF)"),
         "xlsx": (exports.XLSX, {"type": "string", "format": "binary"}, "Cartella di lavoro Excel (XLSX)"),
         "json": (exports.JSON, {"type": "object"}, "JSON")}


def file_doc(fmt: str, what: str, name: str) -> dict:
    """The OpenAPI 200 response of a file download."""
    media_type, schema, description = MEDIA[fmt]
    return {"200": {"description": f"{what}: {description}", "content": {media_type: {"schema": schema}},
                    "headers": {"Content-Disposition": {"description": f"attachment; filename={name}.{fmt}",
                                                        "required": True, "schema": {"type": "string"}}}}}


def send(body: bytes, fmt: str, *, name: str) -> Response:
    response = Response(body, content_type=exports.CONTENT_TYPES[fmt])
    response.headers["Content-Disposition"] = f'attachment; filename="{name}.{fmt}"'
    response.headers["Cache-Control"] = "no-store"
    return response
