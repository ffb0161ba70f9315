"""From a posted form to the use cases' arguments, and from the API schemas' refusals to Italian messages.

Form fields are named as the API payload's fields, so the API's own marshmallow schemas validate them and
each error lands on the field typed. The schemas' own messages are written for API clients, in English:
each field here has one Italian sentence saying its rule. (The same small helpers as the registry's pages:
shared/web has no such payload builder yet.)
"""
from __future__ import annotations

from datetime import datetime

from flask_babel import lazy_gettext as _l
from marshmallow import ValidationError
from werkzeug.datastructures import MultiDict

from shared.web import field_errors

from services.consultation.pages.common import ROME

REQUIRED = ("Missing data for required field.", "Field may not be null.")
MISSING = _l("Campo obbligatorio.")


def payload(form: MultiDict, *, fields: tuple[str, ...] = (), lists: tuple[str, ...] = (),
            lines: tuple[str, ...] = (), booleans: tuple[str, ...] = ()) -> dict:
    """The payload the API schema reads: a blank field is absent, a checkbox present means true, a
    `lines` field is a list of its non-blank lines."""
    data: dict = {}
    for name in fields:
        value = (form.get(name) or "").strip()
        if value:
            data[name] = value
    for name in lists:
        data[name] = [v for v in form.getlist(name) if v.strip()]
    for name in lines:
        data[name] = [line.strip() for line in (form.get(name) or "").splitlines() if line.strip()]
    for name in booleans:
        data[name] = name in form
    return data


def _field(name: str) -> str:
    """`agenda.0` is the `agenda` field: the page shows one message per field, list or not."""
    head, _dot, tail = name.partition(".")
    return head if tail.isdigit() else name


def messages(err: ValidationError, rules: dict) -> dict[str, str]:
    """Each field's Italian message: 'obbligatorio' when left blank, else the field's rule."""
    english = err.messages if isinstance(err.messages, dict) else {"_schema": err.messages}
    translated = field_errors(err)
    found: dict[str, str] = {}
    for name, value in english.items():
        if isinstance(value, dict):   # a list field: {index: [messages]}
            name, value = f"{name}.{next(iter(value))}", next(iter(value.values()))
        message = value[0] if isinstance(value, list) and value else str(value)
        field = _field(str(name))
        if field in found:
            continue
        if message in REQUIRED:
            found[field] = str(MISSING)
        else:
            found[field] = str(rules.get(field) or translated.get(str(name)) or message)
    return found


def local_instant(text: str | None) -> str | None:
    """A browser's datetime-local value ('2026-12-01T09:00') as an instant in Italian time (ISO 8601)."""
    if not text:
        return text
    try:
        naive = datetime.fromisoformat(text.strip())
    except ValueError:
        return text   # the schema refuses it, at the field
    if naive.tzinfo is not None:
        return naive.isoformat()
    return naive.replace(tzinfo=ROME).isoformat()
