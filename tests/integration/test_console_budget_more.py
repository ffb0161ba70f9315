"""Budget's pages: a merged Ambito is read but its forms write nothing; amounts typed the Italian way (pure)."""
from __future__ import annotations

from decimal import Decimal

import psycopg
import pytest

from tests.integration.test_console_budget import Console
from tests.integration.console import csrf, merge_other_into_first

from shared.web.money import NotItalianAmount, parse_italian_amount


@pytest.mark.parametrize("typed, amount", [
    ("1.234,56", "1234.56"), ("1234.56", "1234.56"), ("1234,5", "1234.50"), ("1.234", "1234.00"),
    ("€ 1.234.567,89", "1234567.89"), ("0,01", "0.01"), (" 12 ", "12.00"), ("1 234,56", "1234.56")])
def test_an_amount_typed_in_italian_or_with_a_decimal_point_is_read_to_the_cent(typed, amount):
    assert parse_italian_amount(typed) == Decimal(amount)


@pytest.mark.parametrize("typed, words", [
    ("1,234.56", "virgola per i centesimi"), ("12,345", "Al massimo due decimali"), ("1234.567", "due decimali"),
    ("-5", "negativo"), ("dieci", "virgola"), ("1.23.4", "virgola"), ("", "virgola"),
    ("1.000.000.000.000", "troppo grande")])
def test_a_wrong_amount_is_told_why_in_italian(typed, words):
    with pytest.raises(NotItalianAmount, match=words):
        parse_italian_amount(typed)


@pytest.mark.integration
def test_a_merged_ambito_is_read_but_its_forms_write_nothing(tenants, settings, tmp_path):
    console = Console(tenants, settings, tmp_path / "tenants.yaml")
    path = merge_other_into_first(tmp_path / "tenants.yaml", console)
    merged = Console(tenants, settings, path)
    operator = merged.client("operator", "operatore-1", tenant=console.other)
    page = operator.get(f"/{console.other}/bilancio/piani/nuovo")
    assert page.status_code == 200
    refused = operator.post(f"/{console.other}/bilancio/piani/nuovo", data={**csrf(page.text), "first_year": "2024"})
    assert refused.status_code == 409 and console.slug in refused.text
    with psycopg.connect(tenants.url_for(tenants.get(console.other), "budget")) as conn:
        assert conn.execute("SELECT count(*) FROM plans").fetchall() == [(0,)]
    assert operator.get(f"/{console.other}/bilancio/ripartizioni").status_code == 200


@pytest.mark.integration
def test_the_home_lists_the_cronoprogrammas_late_and_coming_milestones(tenants, settings, tmp_path):
    from datetime import date, timedelta
    console = Console(tenants, settings, tmp_path / "tenants.yaml")
    today = date.today()
    rows = [("Tavolo anziani: verbale", today - timedelta(days=3), "planned"),
            ("Invio del piano alla Regione", today + timedelta(days=20), "in_progress"),
            ("Valutazione di fine anno", today + timedelta(days=200), "planned"),
            ("Profilo di comunità", today - timedelta(days=9), "done")]
    with psycopg.connect(tenants.url_for(tenants.get(console.slug), "budget")) as conn:   # as the consumer writes it
        for title, end, status in rows:
            conn.execute("INSERT INTO consultation_milestones (origin, milestone_id, year, phase, title, planned_end,"
                         " status, version, source_event_id) VALUES (%s, gen_random_uuid(), %s, 'fase_3', %s, %s, %s,"
                         " 1, 'test')", (console.slug, end.year, title, end, status))
    from tests.integration.test_console_registry import Page
    home = Page(console.client("operator").get(f"/{console.slug}/bilancio").text)
    listed = home.texts["scadenze"]
    assert "Tavolo anziani: verbale" in listed and "(in ritardo)" in listed
    assert "Invio del piano alla Regione" in listed
    assert "Valutazione di fine anno" not in listed and "Profilo di comunità" not in listed
