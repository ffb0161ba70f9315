"""The indicators API on a fresh reporting database (real PostgreSQL): a merged Ambito, a region, traces, files."""
from __future__ import annotations

import io
import json
from datetime import datetime, timezone

import psycopg
import pytest
from openpyxl import load_workbook

from shared.cli.provision import provision
from shared.config import Settings
from shared.http.auth import mint_dev_token
from tests.conftest import random_slug, write_catalogue
from tests.integration.reporting_indicator_fixture import CODE, add_stakeholder, registered

from services.reporting.app import create_app

KEY = "reporting-indicators-key-" + "i" * 32
REGION = "basilicata"


class World:
    def __init__(self, settings, tmp_path):
        self.a, self.b, self.merged, self.plain = (random_slug("lag"), random_slug("pol"), random_slug("lagpol"),
                                                   random_slug("pz"))
        self.elsewhere = random_slug("fas")
        path = write_catalogue(tmp_path, [self.a, self.b, self.plain], extra=[
            {"slug": self.merged, "name": "Ambito fuso", "region": REGION, "merged_from": [self.a, self.b]},
            {"slug": self.elsewhere, "name": "Altrove", "region": "puglia"}])
        app_settings = Settings(tenants_file=path, jwt_dev_key=KEY, database_url=settings.database_url)
        self.app = create_app(settings=app_settings)
        self.catalogue = self.app.extensions["pdz"].catalogue
        provision(self.catalogue.with_login(None) if self.catalogue.login else self.catalogue, report=lambda *_: None)
        self.url = self.catalogue.regional_url("reporting")
        self.client = self.app.test_client()
        self.ids = {}
        with psycopg.connect(self.url) as conn:
            for tenant, types in ((self.a, ["ets", "ets", "comune"]), (self.b, ["ets"]), (self.merged, ["comune"]),
                                  (self.plain, ["school"]), (self.elsewhere, ["ets"])):
                self.ids[tenant] = [add_stakeholder(conn, tenant, t) for t in types]
            add_stakeholder(conn, self.a, "ets", status="withdrawn")
            conn.execute("INSERT INTO source_freshness (service, newest_event_time) VALUES ('registry', %s)",
                         (datetime(2025, 3, 1, tzinfo=timezone.utc),))
            conn.execute("INSERT INTO figure_marks (event_id, tenant, service, event_time) VALUES ('m1', %s,"
                         " 'registry', %s)", (self.a, datetime(2025, 4, 2, tzinfo=timezone.utc)))

    def get(self, path, *roles, tenant=None):
        token = mint_dev_token(key=KEY, subject="lettore", roles=list(roles),
                               tenants=[tenant or self.merged] if set(roles) - {"regional-admin"} else [])
        return self.client.get(path, headers={"Authorization": f"Bearer {token}"})

    def ok(self, path, *roles):
        response = self.get(path, *(roles or ("operator",)))
        assert response.status_code == 200, response.get_data(as_text=True)
        return response


@pytest.fixture
def world(settings, tmp_path):
    with registered():
        yield World(settings, tmp_path)


def _figures(answer, code=CODE):
    entry = next(i for i in answer["indicators"] if i["code"] == code)
    return {(f["territory"], f["level"], f["dimension"]["type"]): f["value"] for f in entry["figures"]}, entry


def problem(response, status, slug):
    assert response.status_code == status, response.get_data(as_text=True)
    assert response.headers["Content-Type"].startswith("application/problem+json")
    assert response.get_json()["type"].endswith(slug)
    return response.get_json()


def test_a_merged_ambito_is_shown_itself_whole_and_by_former_territory(world):
    answer = world.ok(f"/v1/{world.merged}/indicators?period=2025-Q2").get_json()
    figures, entry = _figures(answer)
    assert figures == {(world.merged, "ambito", "comune"): "1",
                       (world.merged, "whole", "comune"): "2", (world.merged, "whole", "ets"): "3",
                       (world.a, "former", "comune"): "1", (world.a, "former", "ets"): "2",
                       (world.b, "former", "ets"): "1"}
    assert answer["period"] == "2025-Q2" and answer["tenant"] == world.merged
    # Freshness: the newest registry event, drained (source_freshness) or still marked (figure_marks).
    assert answer["as_of"]["registry"].startswith("2025-04-02") and answer["as_of"]["budget"] is None
    assert entry["as_of"].startswith("2025-04-02") and entry["unit"] == "numero"
    for path in ("statistics/stakeholders", "statistics/funds", "statistics/comparison"):  # every statistics answer
        fresh = world.ok(f"/v1/{world.merged}/{path}").get_json()["as_of"]
        assert fresh["registry"].startswith("2025-04-02") and fresh["consultation"] is None, path
    one = world.ok(f"/v1/{world.merged}/indicators/{CODE}?period=2025").get_json()
    assert [i["code"] for i in one["indicators"]] == [CODE] and _figures(one)[0] == figures


def test_the_region_shows_each_ambito_and_its_total_to_the_regional_admin_only(world):
    answer = world.ok(f"/v1/regions/{REGION}/indicators/{CODE}?period=2025", "regional-admin").get_json()
    figures, _ = _figures(answer)
    assert figures[(REGION, "region", "ets")] == "3"          # Puglia's ETS is not Basilicata's
    assert figures[(REGION, "region", "comune")] == "2"
    assert figures[(world.plain, "ambito", "school")] == "1"
    assert {(c, lvl) for c, lvl, _ in figures} >= {(world.merged, "whole"), (world.a, "former"), (world.b, "former")}
    assert world.elsewhere not in {c for c, _, _ in figures}
    whole = world.ok(f"/v1/regions/{REGION}/indicators?period=2025", "regional-admin").get_json()
    assert _figures(whole)[0] == figures
    problem(world.get(f"/v1/regions/{REGION}/indicators", "operator"), 403, "forbidden")
    problem(world.get(f"/v1/regions/{REGION}/indicators", "regional-reviewer"), 403, "forbidden")
    problem(world.get("/v1/regions/atlantide/indicators", "regional-admin"), 404, "unknown-region")


def test_bad_periods_dimensions_and_codes_are_named(world):
    body = problem(world.get(f"/v1/{world.merged}/indicators?period=2025-Q5", "operator"), 422, "validation-error")
    assert [e["field"] for e in body["errors"]] == ["period"]
    problem(world.get(f"/v1/{world.merged}/indicators/nessuno_tale?period=2025", "operator"), 404, "not-found")
    body = problem(world.get(f"/v1/{world.merged}/indicators/{CODE}/trace?period=2025&fund=FNPS", "operator"),
                   422, "validation-error")
    assert [e["field"] for e in body["errors"]] == ["fund"]
    body = problem(world.get(f"/v1/{world.merged}/indicators/{CODE}/trace?period=2025", "operator"),
                   422, "validation-error")
    assert [e["field"] for e in body["errors"]] == ["type"]
    body = problem(world.get(f"/v1/{world.merged}/indicators/{CODE}/trace?type=ets&territory=altro", "operator"),
                   422, "validation-error")
    assert [e["field"] for e in body["errors"]] == ["territory"]
    problem(world.get(f"/v1/{world.merged}/indicators", "coordinator"), 403, "forbidden")


def test_a_figure_is_traced_to_its_records_page_by_page(world):
    seen, after = [], None
    for _ in range(5):
        path = f"/v1/{world.merged}/indicators/{CODE}/trace?period=2025&type=ets&limit=2"
        page = world.ok(path + (f"&after={after}" if after else "")).get_json()
        assert page["territory"]["level"] == "whole" and page["dimension"] == {"type": "ets"}
        seen += [(s["tenant"], s["id"], s["service"]) for s in page["items"]]
        after = page["next_cursor"]
        if after is None:
            break
    expected = {(world.a, i, "registry") for i in world.ids[world.a][:2]} | {(world.b, world.ids[world.b][0],
                                                                              "registry")}
    assert set(seen) == expected and len(seen) == 3
    former = world.ok(f"/v1/{world.merged}/indicators/{CODE}/trace?type=ets&territory={world.b}").get_json()
    assert [s["id"] for s in former["items"]] == world.ids[world.b]
    problem(world.get(f"/v1/{world.merged}/indicators/{CODE}/trace?type=ets&after=%21%21", "operator"),
            422, "validation-error")


def test_exports_and_feeds_carry_the_same_figures(world):
    csv_text = world.ok(f"/v1/{world.merged}/indicators/export.csv?period=2025").get_data().decode("utf-8-sig")
    lines = [line.split(";") for line in csv_text.split("\r\n") if line]
    assert lines[0][:3] == ["Codice indicatore", "Indicatore", "Territorio"]
    mine = [line for line in lines if line[0] == CODE]
    assert [CODE, "Soggetti attivi (indicatore di prova)", world.merged, "Ambito con i territori di origine",
            "2025", "type=ets", "3", "numero"] in [line[:8] for line in mine]
    sheet = load_workbook(io.BytesIO(world.ok(f"/v1/regions/{REGION}/indicators/export.xlsx?period=2025",
                                              "regional-admin").get_data()))["Indicatori"]
    region_row = [[c.value for c in row] for row in sheet.iter_rows(min_row=2)
                  if row[0].value == CODE and row[3].value == "Regione" and row[5].value == "type=ets"]
    assert region_row and region_row[0][6] == 3
    exported = json.loads(world.ok(f"/v1/{world.merged}/indicators/export.json?period=2025").get_data())
    assert _figures(exported)[0] == _figures(world.ok(f"/v1/{world.merged}/indicators?period=2025").get_json())[0]
    feed = json.loads(world.ok(f"/v1/regions/{REGION}/feed.json?period=2025", "regional-admin").get_data())
    rows = {(r["territory_code"], r["territory_type"], r["dimension"]["type"]): r["value"]
            for r in feed["rows"] if r["indicator"] == CODE}
    # A merged Ambito is one territory (whole); its own records alone are not a row of the feed.
    assert rows[(world.merged, "ambito", "ets")] == "3" and rows[(world.b, "ambito_di_origine", "ets")] == "1"
    assert rows[(REGION, "regione", "ets")] == "3"
    assert feed["as_of"]["registry"].startswith("2025-04-02")
    feed_csv = world.ok(f"/v1/{world.merged}/feed.csv?period=2025").get_data().decode("utf-8-sig").split("\r\n")
    assert feed_csv[0].startswith("codice_indicatore;codice_territorio;tipo_territorio")
    assert f"{CODE};{world.merged};ambito;{world.merged};2025;type=ets;3;numero;2025-04-02T00:00:00+00:00" in feed_csv


def test_the_definitions_are_public(world):
    definitions = world.client.get("/v1/indicators/definitions").get_json()["indicators"]
    mine = next(d for d in definitions if d["code"] == CODE)
    assert mine["dimensions"] == ["type"] and mine["kind"] == "stock" and mine["source_events"]


def test_a_regional_figure_is_traced_and_one_indicator_exported(world):
    page = world.ok(f"/v1/regions/{REGION}/indicators/{CODE}/trace?type=ets&limit=10", "regional-admin").get_json()
    assert page["territory"]["level"] == "region" and page["next_cursor"] is None
    assert {s["id"] for s in page["items"]} == {*world.ids[world.a][:2], world.ids[world.b][0]}
    whole = world.ok(f"/v1/regions/{REGION}/indicators/{CODE}/trace?type=comune&territory={world.merged}",
                     "regional-admin").get_json()
    assert whole["territory"]["level"] == "whole" and len(whole["items"]) == 2
    body = problem(world.get(f"/v1/regions/{REGION}/indicators/{CODE}/trace?type=ets&territory={world.elsewhere}",
                             "regional-admin"), 422, "validation-error")
    assert [e["field"] for e in body["errors"]] == ["territory"]
    problem(world.get(f"/v1/regions/{REGION}/indicators/{CODE}/trace?type=ets", "operator"), 403, "forbidden")
    lines = world.ok(f"/v1/{world.merged}/indicators/{CODE}/export.csv?period=2025").get_data().decode(
        "utf-8-sig").split("\r\n")
    assert {line.split(";")[0] for line in lines[1:] if line} == {CODE}
    regional = json.loads(world.ok(f"/v1/regions/{REGION}/indicators/{CODE}/export.json", "regional-admin").get_data())
    assert [i["code"] for i in regional["indicators"]] == [CODE] and regional["region"] == REGION
    problem(world.get(f"/v1/regions/{REGION}/indicators/nessuno_tale/export.xlsx", "regional-admin"), 404, "not-found")
