"""shared/web/payload.py: a posted form as the API's payload, the schema's refusals as one Italian message a field."""
from marshmallow import Schema, ValidationError, fields, validate
from werkzeug.datastructures import MultiDict

from shared.web.payload import local_instant, messages, payload


class Organisation(Schema):
    tax_code = fields.String(required=True, validate=validate.Length(min=11))


class Application(Schema):
    title = fields.String(required=True)
    note = fields.String(validate=validate.Length(max=3))
    areas = fields.List(fields.String(validate=validate.OneOf(["A1"])))
    organisation = fields.Nested(Organisation, required=True)


def _refusal(data) -> ValidationError:
    try:
        Application().load(data)
    except ValidationError as err:
        return err
    raise AssertionError("the schema accepted it")


def test_a_form_becomes_the_nested_payload_blank_fields_absent():
    form = MultiDict([("title", " Bando "), ("note", "  "), ("organisation.tax_code", "123"), ("areas", "A1"),
                      ("areas", " "), ("areas", "B2"), ("accounts", "a@x.it\n\n b@x.it "), ("declared", "on")])
    data = payload(form, fields=("title", "note", "organisation.tax_code"), lists=("areas",), lines=("accounts",),
                   booleans=("declared", "privacy"))
    assert data == {"title": "Bando", "organisation": {"tax_code": "123"}, "areas": ["A1", "B2"],
                    "accounts": ["a@x.it", "b@x.it"], "declared": True, "privacy": False}


def test_each_field_gets_one_italian_message_blank_rule_or_marshmallows():
    err = _refusal({"note": "lunga", "areas": ["A1", "B2", "C3"], "organisation": {"tax_code": "1"}})
    found = messages(err, {"organisation.tax_code": "Undici cifre."})
    assert found == {"title": "Campo obbligatorio.", "note": "Al massimo 3 caratteri.",
                     "areas": "Scegliere uno dei valori proposti.", "organisation.tax_code": "Undici cifre."}


def test_rules_may_be_a_function_of_the_field_and_a_null_is_a_blank():
    err = _refusal({"title": None, "note": "lunga", "organisation": {"tax_code": "1"}})
    found = messages(err, lambda field: f"Regola di {field}.")
    assert found == {"title": "Campo obbligatorio.", "note": "Regola di note.",
                     "organisation.tax_code": "Regola di organisation.tax_code."}


def test_a_datetime_local_is_italian_time_and_anything_else_is_left_to_the_schema():
    assert local_instant("2026-07-01T09:00") == "2026-07-01T09:00:00+02:00"
    assert local_instant("2026-12-01T09:00") == "2026-12-01T09:00:00+01:00"
    assert local_instant("domani") == "domani"
    assert local_instant("") == ""
