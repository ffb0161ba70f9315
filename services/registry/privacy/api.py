"""Personal-data HTTP API: /v1/{tenant}/privacy/…"""
from __future__ import annotations

from flask import g
from flask.views import MethodView
from shared.http.blueprint import Blueprint
from marshmallow import Schema, ValidationError, fields, validates, validates_schema

from shared.http.app import current_platform
from shared.http.auth import READERS, WRITERS, requires
from shared.http.idempotency import idempotent
from shared.http.sharing_api import allowed_after_merger

from services.registry.privacy import service
from services.registry.privacy.schemas import LogPage, LogQuery
from services.registry.stakeholders.schemas import PERSONAL_TAX_CODE
from services.registry.taxcodes import InvalidTaxCode, normalise_personal_code

blp = Blueprint("privacy", __name__, url_prefix="/v1/<tenant>/privacy",
                description="Dati personali: registro degli accessi, richieste di cancellazione (GDPR art. 17)")


class ErasureIn(Schema):
    tax_code = fields.String(load_default=None, allow_none=True,
                             metadata={"description": "Codice fiscale della persona", "pattern": PERSONAL_TAX_CODE})
    email = fields.Email(load_default=None, allow_none=True)

    @validates("tax_code")
    def _code(self, value, **_kwargs):
        if value is not None:
            try:
                normalise_personal_code(value)
            except InvalidTaxCode as exc:
                raise ValidationError(str(exc)) from exc

    @validates_schema
    def _one(self, data, **_kwargs):
        if bool(data.get("tax_code")) == bool(data.get("email")):
            raise ValidationError("give either tax_code or email", field_name="tax_code")


class RemovedOut(Schema):
    person_id = fields.String()
    role = fields.String()
    application_id = fields.String(allow_none=True)
    application_protocol = fields.String(allow_none=True)
    stakeholder_id = fields.String(allow_none=True)


class ErasureOut(Schema):
    erasure_id = fields.UUID()
    matched_by = fields.String()
    people_removed = fields.Integer()
    removed = fields.List(fields.Nested(RemovedOut), metadata={"description": "What was removed (record ids)"})
    erased_at = fields.DateTime()


@blp.route("/erasures")
class Erasures(MethodView):
    @allowed_after_merger   # erasure is a data subject's right: a merged Ambito honours it too
    @requires(*WRITERS)
    @idempotent
    @blp.arguments(ErasureIn)
    @blp.response(201, ErasureOut)
    def post(self, body, tenant):
        """Erase a person's data (by codice fiscale or e-mail); the answer lists what was removed."""
        tax_code = normalise_personal_code(body["tax_code"]) if body["tax_code"] else None
        with current_platform().write(g.tenant) as conn:
            return service.erase_person(conn=conn, tenant=tenant, by=g.principal.subject,
                                        tax_code=tax_code, email=body["email"], request_id=g.request_id)


@blp.route("/access-log")
class AccessLog(MethodView):
    @requires(*READERS)
    @blp.arguments(LogQuery, location="query")
    @blp.response(200, LogPage)
    def get(self, query, tenant):
        """Who read, created or erased personal data, and when; filters subject, action, resource, record, time."""
        with current_platform().read(g.tenant) as conn:
            return service.access_log(conn=conn, after=query.get("after"), limit=query["limit"],
                                      subject=query.get("subject"), action=query.get("action"),
                                      resource=query.get("resource"), resource_id=query.get("resource_id"),
                                      since=query.get("from_"), until=query.get("to"))
