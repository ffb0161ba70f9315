"""Indicator exports and the feed's files, pure: CSV for Italian spreadsheets, XLSX, JSON; routes and slugs."""
from __future__ import annotations

import io
import json
from datetime import datetime, timezone
from decimal import Decimal

import pytest
from openpyxl import load_workbook

from shared.tenants import CatalogueError, parse_catalogue
from tests.conftest import write_catalogue

from services.reporting.indicators import exports, feed
from services.reporting.indicators.evaluate import Labelled
from services.reporting.indicators.model import Definition, Figure, Indicator, Period
from services.reporting.indicators.territories import Territory

WHEN = datetime(2025, 6, 30, 22, 15, tzinfo=timezone.utc)  # 1 July 00:15 in Italy
TERRITORY = Territory("potenza", "ambito", ("potenza",), "potenza", "basilicata")


def _evaluated():
    definition = Definition("spesa_prova", "Spesa di prova", "EUR", "flow", "somma", ("it.pdz.budget.payment.recorded.v1",),
                            ("area",))
    item = Indicator(definition, None, None)
    figures = [Labelled(TERRITORY, Figure("spesa_prova", Period(2025), Decimal("1234.50"), {"area": "=SUM(A1)"})),
               Labelled(TERRITORY, Figure("spesa_prova", Period(2025), Decimal("-0.07"), {"area": "anziani"}))]
    return {"spesa_prova": figures}, {"spesa_prova": item}, {"budget": WHEN}


def test_the_csv_is_for_italian_spreadsheets_and_no_cell_starts_a_formula():
    evaluated, items, as_of = _evaluated()
    body = exports.to_csv(exports.table(evaluated, items=items, as_of=as_of))
    assert body.startswith(b"\xef\xbb\xbf")
    lines = body.decode("utf-8-sig").split("\r\n")
    assert lines[0] == "Codice indicatore;Indicatore;Territorio;Livello;Periodo;Dimensioni;Valore;Unità di misura;" \
                       "Aggiornato al"
    assert lines[1] == "spesa_prova;Spesa di prova;potenza;Ambito;2025;area==SUM(A1);1234,50;EUR;01/07/2025 00:15"
    assert lines[2].split(";")[6] == "-0,07"  # a number stays a number


def test_a_text_cell_starting_a_formula_gets_an_apostrophe():
    evaluated, items, as_of = _evaluated()
    evaluated["spesa_prova"][0] = Labelled(Territory("=cmd", "ambito", ("x",), "x", "r"),
                                           evaluated["spesa_prova"][0].figure)
    lines = exports.to_csv(exports.table(evaluated, items=items, as_of=as_of)).decode("utf-8-sig").split("\r\n")
    assert lines[1].split(";")[2] == "'=cmd"


def test_the_xlsx_holds_numbers_with_a_euro_format_and_italian_times():
    evaluated, items, as_of = _evaluated()
    workbook = load_workbook(io.BytesIO(exports.to_xlsx(exports.table(evaluated, items=items, as_of=as_of),
                                                        title="Indicatori 2025 — Potenza")))
    sheet = workbook["Indicatori"]
    assert [c.value for c in sheet[1]] == list(exports.HEADERS)
    assert sheet["G2"].value == pytest.approx(1234.5) and "€" in sheet["G2"].number_format
    assert sheet["I2"].value == datetime(2025, 7, 1, 0, 15)
    assert sheet.freeze_panes == "A2" and sheet[1][0].font.bold
    assert workbook.properties.title == "Indicatori 2025 — Potenza"


def test_the_feed_files_carry_one_row_per_figure_with_a_decimal_point():
    row = feed.FeedRow("spesa_prova", "076042", "comune", "potenza", "2025-Q1", (("fund", "FNPS"),),
                       Decimal("-3.10"), "EUR", WHEN)
    text = exports.feed_csv([row]).decode("utf-8-sig").split("\r\n")
    assert text[0] == ";".join(feed.HEADERS)
    assert text[1] == "spesa_prova;076042;comune;potenza;2025-Q1;fund=FNPS;-3.10;EUR;2025-06-30T22:15:00+00:00"
    document = json.loads(exports.feed_json([row], about={"region": "basilicata"}))
    assert document == {"region": "basilicata", "rows": [{
        "indicator": "spesa_prova", "territory_code": "076042", "territory_type": "comune", "ambito": "potenza",
        "period": "2025-Q1", "dimension": {"fund": "FNPS"}, "value": "-3.10", "unit": "EUR",
        "as_of": "2025-06-30T22:15:00+00:00"}]}


@pytest.mark.parametrize("slug", ["regions", "indicators"])
def test_no_ambito_may_take_a_regional_path(slug):
    with pytest.raises(CatalogueError, match="reserved"):
        parse_catalogue({"tenants": [{"slug": slug, "name": "X", "region": "basilicata"}]}, "postgresql://x/y")


def test_regional_paths_and_ambito_paths_resolve_apart(tmp_path):
    from shared.config import Settings
    from services.reporting.app import create_app
    app = create_app(settings=Settings(tenants_file=write_catalogue(tmp_path, ["alpha"]), jwt_dev_key="k" * 40,
                                       database_url="postgresql://nobody@127.0.0.1:1/none"))
    urls = app.url_map.bind("localhost")
    assert urls.match("/v1/regions/basilicata/indicators")[0] == "regional_indicators.RegionIndicators"
    assert urls.match("/v1/regions/basilicata/feed.csv")[0] == "regional_indicators.RegionFeed_csv"
    assert urls.match("/v1/alpha/indicators/export.xlsx")[0] == "indicators.IndicatorsExport_xlsx"
    assert urls.match("/v1/alpha/indicators/spesa")[0] == "indicators.OneIndicator"
    assert urls.match("/v1/indicators/definitions")[0] == "indicator_definitions.IndicatorDefinitions"
    client = app.test_client()
    assert client.get("/v1/regions/basilicata/indicators").status_code == 401
    assert client.get("/v1/indicators/definitions").status_code == 200  # public: how figures are computed
