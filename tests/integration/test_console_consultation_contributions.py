"""Consultation's FASE 2 pages for contributions: a representative records needs and proposals at the table its
organisation sits at (bad input told at the field in Italian, typed values kept, 422, nothing written), the office
opens a prioritisation round, the representative votes (a ballot that does not use all the points is refused),
the office closes it and the ranking shows; someone not at the table may not contribute."""
from __future__ import annotations

from datetime import timedelta

import pytest

from tests.integration.test_console_consultation import Console, local, new_table, seat
from tests.integration.console import Page, csrf, post

pytestmark = pytest.mark.integration
NEED = {"title": "Anziani soli nelle frazioni", "description": "Molti anziani vivono soli e lontani dai servizi.",
        "area": "3", "target_group": "anziani", "evidence": "Dati del servizio sociale professionale"}


@pytest.fixture
def console(tenants, settings, tmp_path):
    return Console(tenants, settings, tmp_path / "tenants.yaml")


@pytest.fixture
def table(console):
    """A table with one member organisation whose representative is rappresentante-1."""
    operator = console.client("operator", "operatore-1")
    table_url = new_table(operator, console.slug)
    organisation = console.organisation("Cooperativa Il Sentiero")
    seat(operator, table_url, organisation, "rappresentante-1")
    return operator, table_url, organisation


def test_needs_proposals_and_a_round_from_opening_to_ranking(console, table):
    operator, table_url, organisation = table
    representative = console.client("stakeholder", "rappresentante-1")
    home = Page(representative.get(f"/{console.slug}/tavoli").text)
    assert home.texts["miei-tavoli"].endswith("1")
    blank = post(representative, f"{table_url}/bisogni/nuovo", {**NEED, "organisation_id": organisation, "title": ""})
    assert blank.status_code == 422
    page = Page(blank.text)
    assert "Campo obbligatorio." in page.message_of("title")
    assert page.fields["evidence"] and "Dati del servizio sociale" in blank.text
    assert console.db("SELECT count(*) FROM needs") == [(0,)]
    made = post(representative, f"{table_url}/bisogni/nuovo", {**NEED, "organisation_id": organisation})
    assert made.status_code == 303, made.text
    assert console.db("SELECT title, on_behalf, recorded_by_role FROM needs") == [
        (NEED["title"], False, "stakeholder")]
    need_id = str(console.db("SELECT id FROM needs")[0][0])

    proposal = {"organisation_id": organisation, "need_ids": [need_id], "title": "Custode sociale di frazione",
                "description": "Un operatore che visita gli anziani soli.", "expected_outcome": "Meno isolamento"}
    wrong = post(representative, f"{table_url}/proposte/nuova", {**proposal, "estimated_cost": "dodicimila"})
    assert wrong.status_code == 422
    assert "Un importo in euro" in Page(wrong.text).message_of("estimated_cost")
    assert Page(wrong.text).fields["estimated_cost"]["value"] == "dodicimila"
    assert console.db("SELECT count(*) FROM proposals") == [(0,)]
    for title, cost in (("Custode sociale di frazione", "12.000,00"), ("Trasporto sociale a chiamata", "8000")):
        done = post(representative, f"{table_url}/proposte/nuova", {**proposal, "title": title, "estimated_cost": cost})
        assert done.status_code == 303, done.text
    assert sorted(console.db("SELECT estimated_cost::text FROM proposals")) == [("12000.00",), ("8000.00",)]

    ids = [str(r[0]) for r in console.db("SELECT id FROM proposals ORDER BY title")]
    opened = post(operator, f"{table_url}/turni/nuovo", {"title": "Priorità 2026", "proposal_ids": ids,
                                                         "points": "10", "closes_at": local(timedelta(days=7))})
    assert opened.status_code == 303, opened.text
    round_url = opened.headers["Location"]
    short = post(representative, f"{round_url}/voto", {"organisation_id": organisation, f"punti-{ids[0]}": "3",
                                                      f"punti-{ids[1]}": "2"}, form_page=round_url)
    assert short.status_code == 422
    assert "vanno distribuiti tutti i 10 punti" in short.text
    assert console.db("SELECT count(*) FROM round_ballots") == [(0,)]
    voted = post(representative, f"{round_url}/voto", {"organisation_id": organisation, f"punti-{ids[0]}": "7",
                                                      f"punti-{ids[1]}": "3"}, form_page=round_url)
    assert voted.status_code == 303, voted.text
    # A representative does not close a round.
    assert representative.post(f"{round_url}/chiudi", data=csrf(representative.get(round_url).text)).status_code == 403
    page = operator.get(round_url)
    closed = operator.post(f"{round_url}/chiudi", data={**csrf(page.text),
                                                        "version": Page(page.text).fields["version"]["value"]})
    assert closed.status_code == 303, closed.text
    ranking = Page(operator.get(round_url).text).texts["graduatoria"]
    assert ranking.index("Custode sociale di frazione") < ranking.index("Trasporto sociale a chiamata")


def test_someone_not_at_the_table_may_not_contribute(console, table):
    _operator, table_url, organisation = table
    stranger = console.client("stakeholder", "rappresentante-altro")
    assert stranger.get(f"{table_url}/bisogni/nuovo").status_code == 403
    seen = stranger.get(table_url)
    assert seen.status_code == 200 and "Segnala un bisogno" not in seen.text
    refused = stranger.post(f"{table_url}/bisogni/nuovo", data={**csrf(seen.text), **NEED,
                                                               "organisation_id": organisation})
    assert refused.status_code == 403
    assert console.db("SELECT count(*) FROM needs") == [(0,)]
