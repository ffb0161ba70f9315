"""Form errors in Italian: marshmallow's standard messages translated, one message per field.

Views validate `request.form` with a marshmallow schema; on a ValidationError they re-render the
form (422) with `errors=field_errors(err)` next to each field (templates/pdz/forms.html). A message
a schema writes itself (not one of marshmallow's) is shown as written: write it in Italian.
"""
from __future__ import annotations

import re

from flask_babel import gettext as _
from marshmallow import ValidationError

from shared.documents.italian import number

# marshmallow 3's own messages (fields and validate), each with the Italian sentence it becomes.
_FIXED = {
    "Missing data for required field.": lambda: _("Campo obbligatorio."),
    "Field may not be null.": lambda: _("Campo obbligatorio."),
    "Invalid value.": lambda: _("Valore non valido."),
    "Invalid input.": lambda: _("Valore non valido."),
    "Invalid input type.": lambda: _("Valore non valido."),
    "Unknown field.": lambda: _("Campo non previsto."),
    "Not a valid string.": lambda: _("Testo non valido."),
    "Not a valid integer.": lambda: _("Inserire un numero intero."),
    "Not a valid number.": lambda: _("Inserire un numero."),
    "Number too large.": lambda: _("Numero troppo grande."),
    "Special numeric values (nan or infinity) are not permitted.": lambda: _("Inserire un numero."),
    "Not a valid boolean.": lambda: _("Valore non valido."),
    "Not a valid email address.": lambda: _("Indirizzo e-mail non valido."),
    "Not a valid URL.": lambda: _("Indirizzo web non valido."),
    "Not a valid UUID.": lambda: _("Identificativo non valido."),
    "Not a valid date.": lambda: _("Data non valida."),
    "Not a valid datetime.": lambda: _("Data e ora non valide."),
    "Not a valid aware datetime.": lambda: _("Data e ora non valide."),
    "Not a valid naive datetime.": lambda: _("Data e ora non valide."),
    "Not a valid time.": lambda: _("Ora non valida."),
    "Not a valid period of time.": lambda: _("Durata non valida."),
    "Not a valid list.": lambda: _("Valore non valido."),
    "Not a valid tuple.": lambda: _("Valore non valido."),
    "Not a valid mapping type.": lambda: _("Valore non valido."),
    "String does not match expected pattern.": lambda: _("Formato non valido."),
}
_NUMBER = r"(-?[\d.,]+)"
# Messages with a figure in them (validate.Length and validate.Range, and the date formats).
_PATTERNS = [
    (re.compile(rf"^Shorter than minimum length {_NUMBER}\.$"), lambda n: _("Almeno %(n)s caratteri.", n=n)),
    (re.compile(rf"^Longer than maximum length {_NUMBER}\.$"), lambda n: _("Al massimo %(n)s caratteri.", n=n)),
    (re.compile(rf"^Length must be between {_NUMBER} and {_NUMBER}\.$"),
     lambda a, b: _("Tra %(a)s e %(b)s caratteri.", a=a, b=b)),
    (re.compile(rf"^Length must be {_NUMBER}\.$"), lambda n: _("Esattamente %(n)s caratteri.", n=n)),
    (re.compile(rf"^Must be greater than or equal to {_NUMBER} and less than or equal to {_NUMBER}\.$"),
     lambda a, b: _("Il valore deve essere compreso tra %(a)s e %(b)s.", a=a, b=b)),
    (re.compile(rf"^Must be greater than {_NUMBER} and less than {_NUMBER}\.$"),
     lambda a, b: _("Il valore deve essere maggiore di %(a)s e minore di %(b)s.", a=a, b=b)),
    (re.compile(rf"^Must be greater than or equal to {_NUMBER} and less than {_NUMBER}\.$"),
     lambda a, b: _("Il valore deve essere almeno %(a)s e minore di %(b)s.", a=a, b=b)),
    (re.compile(rf"^Must be greater than {_NUMBER} and less than or equal to {_NUMBER}\.$"),
     lambda a, b: _("Il valore deve essere maggiore di %(a)s e al massimo %(b)s.", a=a, b=b)),
    (re.compile(rf"^Must be greater than or equal to {_NUMBER}\.$"),
     lambda n: _("Il valore deve essere almeno %(n)s.", n=n)),
    (re.compile(rf"^Must be greater than {_NUMBER}\.$"), lambda n: _("Il valore deve essere maggiore di %(n)s.", n=n)),
    (re.compile(rf"^Must be less than or equal to {_NUMBER}\.$"),
     lambda n: _("Il valore deve essere al massimo %(n)s.", n=n)),
    (re.compile(rf"^Must be less than {_NUMBER}\.$"), lambda n: _("Il valore deve essere minore di %(n)s.", n=n)),
    (re.compile(r"^Must be one of: .*\.$"), lambda: _("Scegliere uno dei valori proposti.")),
    (re.compile(r'^".*" cannot be formatted as an? (?:date|datetime|time)\.$'), lambda: _("Data non valida.")),
]


def _italian_number(text: str) -> str:
    """'1000' -> '1.000', '0.5' -> '0,5': marshmallow writes figures in English."""
    whole, _dot, fraction = text.partition(".")
    if not whole.lstrip("-").isdigit():
        return text
    return number(int(whole)) + (f",{fraction}" if fraction else "")


def italian(message: str) -> str:
    """marshmallow's English `message` in Italian; any other message unchanged (schemas write their own)."""
    fixed = _FIXED.get(message)
    if fixed is not None:
        return fixed()
    for pattern, sentence in _PATTERNS:
        match = pattern.match(message)
        if match:
            return sentence(*[_italian_number(g) for g in match.groups()])
    return message


def _flatten(messages, prefix: str, found: dict[str, str]) -> None:
    if isinstance(messages, dict):
        for key, value in messages.items():
            _flatten(value, f"{prefix}.{key}" if prefix else str(key), found)
    elif isinstance(messages, (list, tuple)):
        if messages and all(isinstance(m, str) for m in messages):
            found.setdefault(prefix or "_schema", italian(messages[0]))
        else:
            for item in messages:
                _flatten(item, prefix, found)
    elif messages is not None:
        found.setdefault(prefix or "_schema", italian(str(messages)))


def field_errors(err: ValidationError) -> dict[str, str]:
    """Dotted field name -> its first message, in Italian (`_schema` for a form-wide one)."""
    found: dict[str, str] = {}
    _flatten(err.messages, "", found)
    return found
