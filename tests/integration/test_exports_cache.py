"""The public exports are revalidated and rebuilt only when the register changes (real PostgreSQL).

Finding 3 (an anonymous XLSX cost ~1.2 s of CPU per request, no caching) and finding 6 (the CSV's
Content-Type said charset twice). A build is counted by the app's ExportCache, so reuse is proved by
counting builds, not by timing.
"""
import csv
import io

import psycopg
import pytest
from openpyxl import load_workbook

from services.registry.exports.api import CACHE_KEY
from tests.integration.registry_client import Registry

CSV, XLSX = "/public/stakeholders.csv", "/public/stakeholders.xlsx"


@pytest.fixture
def reg(tenants, settings, tmp_path):
    return Registry(tenants, settings, tmp_path / "tenants.yaml")


def get(reg, path, method="GET", **headers):
    return reg.client.open(reg.url(path), method=method, headers=headers)


def builds(reg, fmt):
    cache = reg.client.application.extensions.get(CACHE_KEY)
    return cache.builds[(reg.slug, fmt)] if cache else 0


def names(response):
    return [r["Denominazione"] for r in csv.DictReader(io.StringIO(response.get_data().decode("utf-8-sig")),
                                                        delimiter=";")]


def admit(reg, name):
    call = reg.open_call()
    filed = reg.call("POST", "/applications", "stakeholder", subject="rappresentante",
                     json=reg.application(call["id"], name=name))
    assert filed.status_code == 201, filed.get_json()
    admitted = reg.call("POST", f"/applications/{filed.get_json()['id']}/admit")
    assert admitted.status_code == 200, admitted.get_json()
    return admitted.get_json()["stakeholder_id"]


def patch(reg, stakeholder_id, changes):
    current = reg.call("GET", f"/stakeholders/{stakeholder_id}")
    changed = reg.call("PATCH", f"/stakeholders/{stakeholder_id}", json=changes,
                       headers={"If-Match": current.headers["ETag"]})
    assert changed.status_code == 200, changed.get_json()


def test_the_csv_says_its_charset_once(reg):
    response = get(reg, CSV)
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "text/csv; charset=utf-8"


@pytest.mark.parametrize("path, fmt", [(CSV, "csv"), (XLSX, "xlsx")])
def test_a_client_with_the_current_copy_gets_304_and_the_body_is_built_once(reg, path, fmt):
    first = get(reg, path)
    assert first.status_code == 200 and first.headers["ETag"].startswith('W/"')
    assert first.headers["Cache-Control"] in ("public, no-cache", "no-cache, public")
    assert first.headers["Last-Modified"]
    again = get(reg, path, **{"If-None-Match": first.headers["ETag"]})
    assert again.status_code == 304 and again.get_data() == b""
    assert again.headers["ETag"] == first.headers["ETag"] and again.headers["Cache-Control"]
    since = get(reg, path, **{"If-Modified-Since": first.headers["Last-Modified"]})
    assert since.status_code == 304
    older = get(reg, path, **{"If-Modified-Since": "Mon, 01 Jan 2001 00:00:00 GMT"})
    assert older.status_code == 200 and older.get_data() == first.get_data()
    other = get(reg, path, **{"If-None-Match": 'W/"0000"'})
    assert other.status_code == 200 and other.get_data() == first.get_data()
    # If-Match compares strongly: a weak ETag never matches, and the answer is a problem, not the file.
    refused = get(reg, path, **{"If-Match": first.headers["ETag"]})
    assert refused.status_code == 412 and refused.mimetype == "application/problem+json"
    assert get(reg, path, **{"If-Match": "*"}).status_code == 200
    assert builds(reg, fmt) == 1


def test_admissions_updates_suspensions_and_raw_writes_change_the_file_and_nothing_else_does(reg):
    empty = get(reg, CSV)
    assert names(empty) == []
    stakeholder_id = admit(reg, "Cooperativa Sociale Il Sentiero")
    admitted = get(reg, CSV, **{"If-None-Match": empty.headers["ETag"]})
    assert admitted.status_code == 200 and names(admitted) == ["Cooperativa Sociale Il Sentiero"]
    assert admitted.headers["ETag"] != empty.headers["ETag"] and builds(reg, "csv") == 2

    patch(reg, stakeholder_id, {"name": "Cooperativa Sociale Il Sentiero Nuovo"})
    renamed = get(reg, CSV, **{"If-None-Match": admitted.headers["ETag"]})
    assert renamed.status_code == 200 and names(renamed) == ["Cooperativa Sociale Il Sentiero Nuovo"]

    patch(reg, stakeholder_id, {"status": "suspended"})
    suspended = get(reg, CSV, **{"If-None-Match": renamed.headers["ETag"]})
    assert suspended.status_code == 200 and "Sospeso" in suspended.get_data().decode("utf-8-sig")
    assert builds(reg, "csv") == 4

    # Erasing the people of the application changes nothing the public file shows (it holds no people).
    erased = reg.call("POST", "/privacy/erasures", json={"email": "mario.rossi@example.org"})
    assert erased.status_code == 201 and erased.get_json()["people_removed"] == 1
    assert get(reg, CSV, **{"If-None-Match": suspended.headers["ETag"]}).status_code == 304

    # A write that bumps neither version nor updated_at (a data migration, psql) is seen too.
    with psycopg.connect(reg.tenants.url_for(reg.tenants.get(reg.slug), "registry")) as conn:
        conn.execute("UPDATE stakeholders SET name = 'Cooperativa Sociale Corretta'")
    raw = get(reg, CSV, **{"If-None-Match": suspended.headers["ETag"]})
    assert raw.status_code == 200 and names(raw) == ["Cooperativa Sociale Corretta"]
    assert builds(reg, "csv") == 5


def test_each_format_and_each_ambito_is_kept_apart(reg):
    admit(reg, "APS Pollino Solidale")
    here_csv, here_xlsx = get(reg, CSV), get(reg, XLSX)
    there = reg.client.get(reg.url(CSV, tenant=reg.tenants.slugs()[1]))
    assert names(here_csv) == ["APS Pollino Solidale"] and names(there) == []
    sheet = load_workbook(io.BytesIO(here_xlsx.get_data())).active
    assert sheet.cell(row=3, column=1).value == "APS Pollino Solidale"
    assert len({here_csv.headers["ETag"], here_xlsx.headers["ETag"], there.headers["ETag"]}) == 3


def test_another_process_gives_the_same_etag_for_the_same_register(reg, tenants, settings, tmp_path):
    admit(reg, "Cooperativa Sociale Il Sentiero")
    first = get(reg, XLSX)
    other = Registry(tenants, settings, tmp_path / "tenants.yaml")   # a second app: another worker's cache
    assert other.client.application.extensions.get(CACHE_KEY) is None
    again = get(other, XLSX, **{"If-None-Match": first.headers["ETag"]})
    assert again.status_code == 304 and again.headers["ETag"] == first.headers["ETag"]
    assert get(other, XLSX).headers["Last-Modified"] == first.headers["Last-Modified"]
    assert get(other, XLSX, **{"If-Modified-Since": first.headers["Last-Modified"]}).status_code == 304


@pytest.mark.parametrize("path", [CSV, XLSX])
def test_head_answers_the_same_headers_without_the_body(reg, path):
    admit(reg, "Cooperativa Sociale Il Sentiero")
    full, head = get(reg, path), get(reg, path, method="HEAD")
    assert head.status_code == 200 and head.get_data() == b""
    for name in ("Content-Type", "Content-Length", "Content-Disposition", "ETag", "Last-Modified", "Cache-Control"):
        assert head.headers[name] == full.headers[name], name
    assert int(head.headers["Content-Length"]) == len(full.get_data())
    assert get(reg, path, method="HEAD", **{"If-None-Match": full.headers["ETag"]}).status_code == 304


@pytest.mark.parametrize("method", ["POST", "PUT", "PATCH", "DELETE"])
def test_only_get_and_head(reg, method):
    response = get(reg, CSV, method=method)
    assert response.status_code == 405
    assert {"GET", "HEAD"} <= {m.strip() for m in response.headers["Allow"].split(",")}
    assert {"POST", "PUT", "PATCH", "DELETE"}.isdisjoint(m.strip() for m in response.headers["Allow"].split(","))
