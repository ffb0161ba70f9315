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


CLI_CATALOGUE = """\
tenants:
  - slug: lagonegrese
    name: Ambito Lagonegrese
    region: basilicata
    status: merged
    merged_into: lagonegrese-pollino
    merged_on: 2023-01-01
    merger_reason: "DGR di accorpamento (esempio)"
  - slug: pollino
    name: Ambito Pollino
    region: basilicata
    shares:
      - {to: lagonegrese-pollino, data: [registry.stakeholders, consultation.needs], since: 2020-01-01}
      - {to: potenza, data: everything, since: 2999-01-01}
  - slug: lagonegrese-pollino
    name: Ambito Lagonegrese-Pollino
    region: basilicata
    merged_from: [lagonegrese, pollino]
  - slug: potenza
    name: Ambito Potenza
    region: basilicata
"""


def test_pdz_tenants_list_shows_status_mergers_and_shares(tmp_path, monkeypatch, capsys):
    from shared.cli.main import main
    path = tmp_path / "tenants.yaml"
    path.write_text(CLI_CATALOGUE)
    monkeypatch.setenv("PDZ_TENANTS_FILE", str(path))
    assert main(["tenants", "list"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines == [
        "lagonegrese              merged    basilicata   Ambito Lagonegrese",
        "    merged into: lagonegrese-pollino on 2023-01-01 (DGR di accorpamento (esempio)); writes refused (409)",
        "    gives lagonegrese-pollino: everything (since 2023-01-01; implied by merged_from)",
        "pollino                  active    basilicata   Ambito Pollino",
        "    gives lagonegrese-pollino: registry.stakeholders, consultation.needs (since 2020-01-01; declared)",
        "    gives potenza: everything (since 2999-01-01; declared; NOT YET IN FORCE)",
        "lagonegrese-pollino      active    basilicata   Ambito Lagonegrese-Pollino",
        "    merged from: lagonegrese, pollino",
        "    receives from pollino: registry.stakeholders, consultation.needs (since 2020-01-01; declared)",
        "    receives from lagonegrese: everything (since 2023-01-01; implied by merged_from)",
        "potenza                  active    basilicata   Ambito Potenza",
        "    receives from pollino: everything (since 2999-01-01; declared; NOT YET IN FORCE)",
    ]


def test_pdz_tenants_list_names_the_line_of_an_invalid_catalogue(tmp_path, monkeypatch, capsys):
    from shared.cli.main import main
    path = tmp_path / "tenants.yaml"
    path.write_text(CLI_CATALOGUE.replace("data: everything", "data: [budget.everything]"))
    monkeypatch.setenv("PDZ_TENANTS_FILE", str(path))
    assert main(["tenants", "list"]) == 1
    assert "tenants.yaml line 14: tenants[1].shares[1].data[0] names unknown data set 'budget.everything'" in (
        capsys.readouterr().err)
