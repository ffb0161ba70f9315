"""Role names, derived passwords and the logins a service's processes hold (no database)."""
import pytest
from psycopg.conninfo import conninfo_to_dict

from shared.config import Settings, db_role_secrets
from shared.db.credentials import role_secret, role_secrets, secret_variable
from shared.db.roles import ForeignDatabase, ServiceLogin, database_role, role_password, service_role
from shared.tenants import Catalogue, Tenant

SECRET = "s" * 40


def test_role_names_fit_in_63_bytes_and_stay_distinct():
    assert database_role("registry__potenza") == "pdz_registry__potenza"
    assert service_role("registry") == "pdz_svc_registry"
    long_a, long_b = "registry__" + "a" * 60, "registry__" + "a" * 59 + "b"
    assert len(database_role(long_a).encode()) == 63
    assert database_role(long_a) != database_role(long_b)  # same first bytes, different hash
    assert database_role(long_a) == database_role(long_a)
    assert len(database_role("reporting_" + "è" * 40).encode()) <= 63  # never cut inside a character


def test_passwords_depend_on_the_secret_and_the_role():
    assert role_password(SECRET, "pdz_a") == role_password(SECRET, "pdz_a")
    assert role_password(SECRET, "pdz_a") != role_password(SECRET, "pdz_b")
    assert role_password(SECRET, "pdz_a") != role_password("t" * 40, "pdz_a")
    with pytest.raises(ValueError):
        role_password("", "pdz_a")


def test_a_services_catalogue_logs_in_as_its_roles_and_refuses_other_services():
    tenant = Tenant(slug="potenza", name="Potenza", region="basilicata")
    catalogue = Catalogue([tenant], "postgresql://admin:adminpw@db:5432/postgres",
                          login=ServiceLogin(service="registry", secret=SECRET))
    url = conninfo_to_dict(catalogue.url_for(tenant, "registry"))
    assert (url["user"], url["dbname"], url["host"]) == ("pdz_registry__potenza", "registry__potenza", "db")
    assert url["password"] == role_password(SECRET, "pdz_registry__potenza") != "adminpw"
    server = conninfo_to_dict(catalogue.server_for(tenant, "registry"))
    assert (server["user"], server["dbname"]) == ("pdz_svc_registry", "postgres")
    assert conninfo_to_dict(catalogue.server_url("registry"))["user"] == "pdz_svc_registry"
    for ask in (lambda: catalogue.url_for(tenant, "budget"), lambda: catalogue.regional_url("reporting"),
                lambda: catalogue.server_for(tenant, "budget")):
        with pytest.raises(ForeignDatabase):
            ask()
    assert "adminpw" in catalogue.with_login(None).url_for(tenant, "budget")  # the admin's view, for provisioning
    assert SECRET not in repr(ServiceLogin(service="registry", secret=SECRET))


def test_secrets_come_from_one_variable_per_service():
    assert secret_variable("budget") == "PDZ_DB_ROLE_SECRET_BUDGET"
    assert db_role_secrets({"PDZ_DB_ROLE_SECRET_BUDGET": SECRET, "PDZ_DB_ROLE_SECRET_REGISTRY": "",
                            "OTHER": "x"}) == {"budget": SECRET}


def test_production_refuses_a_missing_or_short_secret_and_development_has_a_default():
    production = Settings(env="production", db_role_secrets={"budget": SECRET, "registry": "short"})
    assert role_secret(production, "budget") == SECRET
    with pytest.raises(ValueError, match="PDZ_DB_ROLE_SECRET_CONSULTATION"):
        role_secret(production, "consultation")
    with pytest.raises(ValueError, match="at least 32"):
        role_secret(production, "registry")
    development = Settings(env="development")
    secrets = role_secrets(development, ["registry", "budget"])
    assert secrets["registry"] != secrets["budget"]  # one service's default derives no other's passwords
    assert role_secret(Settings(env="development", db_role_secrets={"budget": SECRET}), "budget") == SECRET
