"""A registry test client on the real PostgreSQL, with tokens for every role."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone

from shared.config import Settings
from shared.http.auth import mint_dev_token

from services.registry.app import create_app
from shared.cli.demo import demo_tax_code

KEY = "registry-flow-key-" + "r" * 32


class Registry:
    def __init__(self, tenants, settings, catalogue_path):
        app_settings = Settings(tenants_file=catalogue_path, jwt_dev_key=KEY, database_url=settings.database_url,
                                kafka_bootstrap=settings.kafka_bootstrap)
        self.client = create_app(settings=app_settings).test_client()
        self.tenants = tenants
        self.slug = tenants.slugs()[0]

    def headers(self, *roles, subject="operatore-1", tenant=None, **extra):
        token = mint_dev_token(key=KEY, subject=subject, roles=list(roles or ["operator"]),
                               tenants=[tenant or self.slug])
        return {"Authorization": f"Bearer {token}", **extra}

    def url(self, path, tenant=None):
        return f"/v1/{tenant or self.slug}{path}"

    def call(self, method, path, *roles, json=None, subject="operatore-1", tenant=None, headers=None, **kw):
        return self.client.open(self.url(path, tenant), method=method, json=json,
                                headers={**self.headers(*roles, subject=subject, tenant=tenant), **(headers or {})},
                                **kw)

    # -- builders ------------------------------------------------------------------------
    def open_call(self, areas=("3", "5", "6"), opens_in=timedelta(hours=-1), closes_in=timedelta(days=30)):
        now = datetime.now(timezone.utc)
        made = self.call("POST", "/calls", json={
            "title": "Avviso pubblico per la costruzione della rete del Piano 2026-2028",
            "areas": list(areas), "requirements": "Sede operativa nell'Ambito",
            "opens_at": (now + opens_in).isoformat(), "closes_at": (now + closes_in).isoformat()})
        assert made.status_code == 201, made.get_json()
        published = self.call("POST", f"/calls/{made.get_json()['id']}/publish",
                              headers={"If-Match": made.headers["ETag"]})
        assert published.status_code == 200, published.get_json()
        return published.get_json()

    @staticmethod
    def application(call_id, name="Cooperativa Sociale Il Sentiero", areas=("3",), **organisation):
        return {
            "call_id": call_id,
            "organisation": {"name": name, "type": "social_cooperative", "tax_code": demo_tax_code(name, "076"),
                             "seat_istat": "076042", **organisation},
            "legal_representative": {"full_name": "Mario Rossi", "tax_code": "RSSMRA85T10A562S",
                                     "email": "mario.rossi@example.org"},
            "contact_person": {"full_name": "Anna Bianchi", "email": "anna.bianchi@example.org",
                               "phone": "+39 0973 123456"},
            "areas": list(areas),
            "declarations": {"possesso_requisiti": True, "assenza_cause_esclusione": True,
                             "presa_visione_informativa_privacy": True},
        }
