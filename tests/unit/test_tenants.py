import pytest

from shared.tenants import CatalogueError, parse_catalogue, server_key

SERVER = "postgresql://pdz@127.0.0.1:55432/postgres"


def _doc(*tenants, **extra):
    return {"tenants": list(tenants), **extra}


def _t(slug, **kw):
    return {"slug": slug, "name": f"Ambito {slug}", "region": "basilicata", **kw}


def test_database_names_and_locations():
    catalogue = parse_catalogue(_doc(_t("lagonegrese-pollino"),
                                     _t("fasano", databases={"registry": "postgresql://db2:5432/postgres"})),
                                SERVER)
    lp = catalogue.get("lagonegrese-pollino")
    assert lp.database_name("registry") == "registry__lagonegrese_pollino"
    assert "dbname=registry__lagonegrese_pollino" in catalogue.url_for(lp, "registry")
    fasano = catalogue.get("fasano")
    assert "host=db2" in catalogue.url_for(fasano, "registry")
    assert "host=127.0.0.1" in catalogue.url_for(fasano, "budget")
    assert "dbname=reporting" in catalogue.regional_url("reporting")


def test_merged_ambito_names_its_predecessors():
    catalogue = parse_catalogue(_doc(_t("lagonegrese", status="merged"), _t("pollino", status="merged"),
                                     _t("lagonegrese-pollino", merged_from=["lagonegrese", "pollino"])), SERVER)
    assert catalogue.get("lagonegrese-pollino").merged_from == ("lagonegrese", "pollino")
    assert catalogue.get("nowhere") is None


@pytest.mark.parametrize("document, message", [
    ({}, "tenants"),
    (_doc(_t("Bad Slug")), "slug"),
    (_doc({"slug": "x", "region": "r"}), "name"),
    (_doc(_t("a"), _t("a")), "duplicate"),
    (_doc(_t("a", status="gone")), "status"),
    (_doc(_t("a", merged_from=["b"])), "unknown tenant"),
])
def test_invalid_catalogues_are_refused_with_the_reason(document, message):
    with pytest.raises(CatalogueError, match=message):
        parse_catalogue(document, SERVER)


def test_server_identity_ignores_the_database():
    assert server_key("postgresql://u@h:1/a") == server_key("postgresql://u@h:1/b") == ("h", "1")
