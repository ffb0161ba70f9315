"""From a posted form to an API payload, and from the API schemas' refusals to one Italian message a field.

Form fields are named by the (dotted) path of the API payload (`organisation.tax_code`), so the API's own
marshmallow schemas validate them and each error lands on the field that was typed. The schemas' messages
are written for API clients, in English: a page gives each field one Italian sentence saying its rule.
"""
from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from flask_babel import lazy_gettext as _l
from marshmallow import ValidationError
from werkzeug.datastructures import MultiDict

from shared.web.forms import field_errors

ROME = ZoneInfo("Europe/Rome")
# marshmallow's, for a field left blank (a form never sends a null: the API schemas' own word for one)
BLANK = ("Missing data for required field.", "Field may not be null.")
MISSING = _l("Campo obbligatorio.")


def payload(form: MultiDict, *, fields: tuple[str, ...] = (), lists: tuple[str, ...] = (),
            lines: tuple[str, ...] = (), booleans: tuple[str, ...] = ()) -> dict:
    """The (nested) payload the API schema reads: a blank field is absent, `lists` from repeated fields,
    a `lines` field is a list of its non-blank lines, a ticked checkbox is true."""
    data: dict = {}
    for name in fields:
        value = (form.get(name) or "").strip()
        if value:
            _put(data, name, value)
    for name in lists:
        _put(data, name, [v for v in form.getlist(name) if v.strip()])
    for name in lines:
        _put(data, name, [line.strip() for line in (form.get(name) or "").splitlines() if line.strip()])
    for name in booleans:
        _put(data, name, name in form)
    return data


def _put(data: dict, dotted: str, value) -> None:
    *parents, last = dotted.split(".")
    for part in parents:
        data = data.setdefault(part, {})
    data[last] = value


def _english(messages, prefix: str, found: dict[str, str]) -> None:
    """marshmallow's nested messages as {dotted field: its first message} (as field_errors names them)."""
    if isinstance(messages, dict):
        for key, value in messages.items():
            _english(value, f"{prefix}.{key}" if prefix else str(key), found)
    elif isinstance(messages, (list, tuple)):
        if messages and all(isinstance(m, str) for m in messages):
            found.setdefault(prefix or "_schema", messages[0])
        else:
            for item in messages:
                _english(item, prefix, found)
    elif messages is not None:
        found.setdefault(prefix or "_schema", str(messages))


def _field(name: str) -> str:
    """`areas.0` is the `areas` field: a page shows one message per field, list or not."""
    parts = name.split(".")
    while len(parts) > 1 and parts[-1].isdigit():
        parts.pop()
    return ".".join(parts)


def messages(err: ValidationError, rules) -> dict[str, str]:
    """Each field's Italian message: 'Campo obbligatorio.' when left blank, else the
    field's rule, else the schema's message in Italian (field_errors) or, if already Italian, as written.

    `rules` maps a field to its rule's sentence: a dict, or a function of the field's name."""
    rule = rules if callable(rules) else rules.get
    english: dict[str, str] = {}
    _english(err.messages, "", english)
    translated = field_errors(err)
    found: dict[str, str] = {}
    for name, message in english.items():
        field = _field(name)
        if field in found:
            continue
        if message in BLANK:
            found[field] = str(MISSING)
        else:
            found[field] = str(rule(field) or translated.get(name) or message)
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
