"""GET /v1/{tenant}/sharing on every service, and the refusal of writes at a merged Ambito (issue 9).

The tenant catalogue declares who shares which data with whom and which Ambiti
were merged into another (shared/tenants.py, docs/federation.md). Every service
registers this blueprint (shared/http/app.py), so an Ambito's users can read,
wherever they are, what their Ambito gives and receives. A merged predecessor
stays readable (its history is a public record) but refuses every write with
409 `tenant-merged` naming its successor: the app factory calls
`refuse_writes_when_merged` after the token, the Ambito and the role were checked.
"""
from __future__ import annotations

from datetime import datetime

from flask import current_app, g
from flask.views import MethodView
from marshmallow import Schema, fields

from shared.http.auth import ROLES, requires
from shared.http.blueprint import Blueprint
from shared.http.problems import Problem
from shared.sharing import DATA_SETS
from shared.tenants import ROME, Tenant

WRITES = frozenset({"POST", "PUT", "PATCH", "DELETE"})

blp = Blueprint("sharing", __name__, url_prefix="/v1/<tenant>",
                description="Condivisione dei dati tra Ambiti (catalogo degli Ambiti): cosa l'Ambito dà e riceve,"
                            " e se è stato accorpato in un altro")


class ShareOut(Schema):
    tenant = fields.String(required=True, metadata={"description": "The other Ambito: who receives (in `gives`)"
                                                                   " or who gives (in `receives`)"})
    data = fields.List(fields.String(metadata={"enum": list(DATA_SETS)}), required=True,
                       metadata={"description": "The data sets shared (docs/federation.md: what each holds)"})
    since = fields.Date(allow_none=True, required=True,
                        metadata={"description": "In force from this day (null: always)"})
    implied = fields.Boolean(required=True, metadata={"description": "true: implied by merged_from (everything"
                                                                    " non-personal), not declared in `shares`"})
    in_force = fields.Boolean(required=True, metadata={"description": "false: dated in the future"})


class SharingOut(Schema):
    tenant = fields.String(required=True)
    name = fields.String(required=True)
    status = fields.String(required=True, metadata={"enum": ["active", "merged", "suspended"]})
    merged_from = fields.List(fields.String(), required=True,
                              metadata={"description": "The former Ambiti merged into this one"})
    merged_into = fields.String(allow_none=True, required=True,
                                metadata={"description": "status merged: the successor (it takes the writes)"})
    merged_on = fields.Date(allow_none=True, required=True)
    merger_reason = fields.String(allow_none=True, required=True,
                                  metadata={"description": "e.g. the regional act that merged the Ambiti"})
    gives = fields.List(fields.Nested(ShareOut), required=True)
    receives = fields.List(fields.Nested(ShareOut), required=True)


def _share(share, other: str, today) -> dict:
    return {"tenant": other, "data": list(share.data), "since": share.since, "implied": share.implied,
            "in_force": share.since is None or share.since <= today}


@blp.route("/sharing")
class SharingView(MethodView):
    # What the catalogue (a public ConfigMap) says of this Ambito: every role of the Ambito may read it.
    @requires(*ROLES)
    @blp.response(200, SharingOut)
    def get(self, tenant):
        """What this Ambito shares and receives (declared in the tenant catalogue), and whether it was merged."""
        catalogue = current_app.extensions["pdz"].catalogue
        today, slug = datetime.now(ROME).date(), g.tenant.slug
        return {"tenant": slug, "name": g.tenant.name, "status": g.tenant.status,
                "merged_from": list(g.tenant.merged_from), "merged_into": g.tenant.merged_into,
                "merged_on": g.tenant.merged_on, "merger_reason": g.tenant.merger_reason,
                "gives": [_share(s, s.to, today) for s in catalogue.declared.out_of(slug)],
                "receives": [_share(s, s.origin, today) for s in catalogue.declared.into(slug)]}


def allowed_after_merger(view):
    """Mark a write a merged Ambito still accepts (an erasure request: a data subject's right never closes)."""
    view.pdz_allowed_after_merger = True
    return view


def _mark(func, name: str):
    """The first `name` attribute on the view or on a function it wraps (None if none)."""
    while func is not None:
        if getattr(func, name, None) is not None:
            return getattr(func, name)
        func = getattr(func, "__wrapped__", None)
    return None


def is_allowed_after_merger(func) -> bool:
    """Whether the view (or a function it wraps) is marked by `allowed_after_merger`."""
    return bool(_mark(func, "pdz_allowed_after_merger"))


def _view_method(endpoint: str, method: str):
    view = current_app.view_functions.get(endpoint)
    view_class = getattr(view, "view_class", None)
    return getattr(view_class, method.lower(), None) if view_class else view


def merged_problem(tenant: Tenant) -> Problem:
    """409 tenant-merged, naming the successor and the date."""
    when = f" on {tenant.merged_on.isoformat()}" if tenant.merged_on else ""
    return Problem(409, "Ambito merged", f"The Ambito '{tenant.slug}' was merged into '{tenant.merged_into}'{when}:"
                   f" its history stays readable here, new records belong to '{tenant.merged_into}'.",
                   slug="tenant-merged", merged_into=tenant.merged_into,
                   merged_on=tenant.merged_on.isoformat() if tenant.merged_on else None)


def refuse_writes_when_merged(tenant: Tenant, method: str, endpoint: str | None) -> None:
    """Raise 409 tenant-merged for a write at a merged Ambito (unless the view is allowed after a merger)."""
    if not tenant.merged or method not in WRITES:
        return
    view = _view_method(endpoint, method) if endpoint else None
    if is_allowed_after_merger(view):
        return
    roles = _mark(view, "pdz_roles")
    if roles is not None and not g.roles & roles:
        return   # the view's `requires` answers 403 first: 401 -> 404 -> 403 -> 409
    raise merged_problem(tenant)

