"""field_errors: marshmallow's standard messages in Italian, one per dotted field; a schema's own unchanged."""
from __future__ import annotations

import pytest
from marshmallow import Schema, ValidationError, fields, validate

from shared.web import field_errors
from shared.web.forms import italian


class Organisation(Schema):
    name = fields.String(required=True, validate=validate.Length(min=2, max=200))
    email = fields.Email()


class Application(Schema):
    organisation = fields.Nested(Organisation, required=True)
    members = fields.Integer(validate=validate.Range(min=1, max=10000))
    amount = fields.Decimal(validate=validate.Range(min=0, min_inclusive=False))
    kind = fields.String(validate=validate.OneOf(["ets", "comune"]))
    opens_on = fields.Date()
    code = fields.String(validate=validate.Regexp(r"^[0-9]{6}$"))


def errors_of(data: dict) -> dict[str, str]:
    with pytest.raises(ValidationError) as caught:
        Application().load(data)
    return field_errors(caught.value)


def test_each_field_gets_its_italian_message_under_its_dotted_name():
    found = errors_of({"organisation": {"name": "x", "email": "not-an-address"}, "members": "molti",
                       "amount": "0", "kind": "altro", "opens_on": "31/02/2026", "code": "12", "extra": 1})
    assert found == {
        "organisation.name": "Tra 2 e 200 caratteri.",
        "organisation.email": "Indirizzo e-mail non valido.",
        "members": "Inserire un numero intero.",
        "amount": "Il valore deve essere maggiore di 0.",
        "kind": "Scegliere uno dei valori proposti.",
        "opens_on": "Data non valida.",
        "code": "Formato non valido.",
        "extra": "Campo non previsto.",
    }


def test_a_missing_field_is_obbligatorio():
    assert errors_of({}) == {"organisation": "Campo obbligatorio."}
    assert errors_of({"organisation": {}}) == {"organisation.name": "Campo obbligatorio."}


@pytest.mark.parametrize(("english", "expected"), [
    ("Shorter than minimum length 3.", "Almeno 3 caratteri."),
    ("Longer than maximum length 12000.", "Al massimo 12.000 caratteri."),
    ("Length must be 16.", "Esattamente 16 caratteri."),
    ("Must be greater than or equal to 1 and less than or equal to 10000.",
     "Il valore deve essere compreso tra 1 e 10.000."),
    ("Must be greater than or equal to 0.5.", "Il valore deve essere almeno 0,5."),
    ("Must be less than or equal to 100.", "Il valore deve essere al massimo 100."),
    ("Must be less than -1.", "Il valore deve essere minore di -1."),
    ("Not a valid number.", "Inserire un numero."),
    ("Not a valid datetime.", "Data e ora non valide."),
    ("Field may not be null.", "Campo obbligatorio."),
    ("Invalid value.", "Valore non valido."),
    ("Il codice fiscale non è valido.", "Il codice fiscale non è valido."),   # a schema's own: unchanged
])
def test_messages(english, expected):
    assert italian(english) == expected


def test_a_form_wide_message_and_lists_of_nested_errors():
    err = ValidationError({"_schema": ["La scadenza precede l'apertura."], "areas": {0: ["Not a valid string."]}})
    assert field_errors(err) == {"_schema": "La scadenza precede l'apertura.", "areas.0": "Testo non valido."}
    assert field_errors(ValidationError("Valore non valido.")) == {"_schema": "Valore non valido."}
