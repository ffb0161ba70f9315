"""From a posted form to the API's payload, and from the API schemas' refusals to Italian messages.

Form fields are named by the dotted path of the API payload (`organisation.tax_code`), so the API's
own schemas validate them and each error lands on the field that was typed. The schemas' messages are
written for API clients, in English; here each field has one Italian sentence saying its rule.
"""
from __future__ import annotations

from datetime import datetime

from flask_babel import lazy_gettext as _l
from marshmallow import ValidationError
from werkzeug.datastructures import MultiDict

from shared.web import field_errors

from services.registry.pages.common import ROME

REQUIRED = "Missing data for required field."   # marshmallow's, for a field left blank
MISSING = _l("Campo obbligatorio.")


def payload(form: MultiDict, *, fields: tuple[str, ...] = (), lists: tuple[str, ...] = (),
            booleans: tuple[str, ...] = ()) -> dict:
    """The nested payload the API schema reads; a blank field is absent, a checkbox present means true."""
    data: dict = {}
    for name in fields:
        value = (form.get(name) or "").strip()
        if value:
            _put(data, name, value)
    for name in lists:
        _put(data, name, [v for v in form.getlist(name) if v.strip()])
    for name in booleans:
        _put(data, name, name in form)
    return data


def _put(data: dict, dotted: str, value) -> None:
    *parents, last = dotted.split(".")
    for part in parents:
        data = data.setdefault(part, {})
    data[last] = value


def _flatten(messages, prefix: str = "") -> dict[str, str]:
    """marshmallow's nested messages as {dotted field: first message}."""
    if isinstance(messages, list):
        if messages and all(isinstance(m, str) for m in messages):
            return {prefix: messages[0]}
        found: dict[str, str] = {}
        for item in messages:
            found.update(_flatten(item, prefix))
        return found
    if isinstance(messages, dict):
        found = {}
        for key, value in messages.items():
            found.update(_flatten(value, f"{prefix}.{key}" if prefix else str(key)))
        return found
    return {prefix: str(messages)}


def _field(name: str) -> str:
    """`areas.0` is the `areas` field: the page shows one message per field, list or not."""
    parts = name.split(".")
    while parts and parts[-1].isdigit() and len(parts) > 1 and parts[-2] in LIST_FIELDS:
        parts.pop()
    return ".".join(parts)


LIST_FIELDS = {"areas"}


def messages(err: ValidationError, rules) -> dict[str, str]:
    """Each field's Italian message: 'obbligatorio' when left blank, else the field's rule.

    `rules` maps a field to its rule's sentence: a dict, or a function of the field's name."""
    rule = rules if callable(rules) else rules.get
    english = _flatten(err.messages)
    translated = field_errors(err)
    found: dict[str, str] = {}
    for name, message in english.items():
        field = _field(name)
        if field in found:
            continue
        if message == REQUIRED:
            found[field] = translated.get(name) or MISSING
        else:
            found[field] = rule(field) or translated.get(name) or message
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

