"""Budget's plan pages through the test client: the approval steps (the office adopts, records the Assemblea's
approval with its act, sends; the Region's reviewer returns with remarks the office reads, then accepts), a step's
missing act refused at its field, a step out of turn refused, the documents and the differences."""
from __future__ import annotations

import io
from decimal import Decimal

import openpyxl
import pytest

from tests.integration.test_console_budget import Console, add_intervention, assign, base, intervention_id, make_plan
from tests.integration.console import Page, csrf, post

pytestmark = pytest.mark.integration


@pytest.fixture
def console(tenants, settings, tmp_path):
    return Console(tenants, settings, tmp_path / "tenants.yaml")


def step(client, plan_url: str, action: str, **fields):
    """Post one step's form as the plan's page gives it (its CSRF token and the plan's version)."""
    page = client.get(plan_url)
    assert page.status_code == 200, page.text
    form = Page(page.text)
    assert f"passo-{action}" in page.text, f"no {action} form for this user"
    return client.post(f"{plan_url}/versioni/1/{action}", data={**csrf(page.text),
                                                                "version": form.fields["version"]["value"], **fields})


def test_the_approval_path_with_the_regions_remarks(console):
    operator = console.client("operator")
    plan_url = make_plan(console, operator)
    line = add_intervention(console, operator, plan_url)
    assign(console, operator)
    assert post(operator, f"{base(console)}/ripartizioni", {"intervention_id": intervention_id(line), "fund": "FNA",
                                                           "year": "2024", "amount": "4.000"}).status_code == 303

    assert step(operator, plan_url, "adopt").status_code == 303
    blank = step(operator, plan_url, "approve", approval_act="")
    assert blank.status_code == 422
    assert "Campo obbligatorio." in Page(blank.text).message_of("approval_act")
    assert console.db("SELECT state FROM plan_versions") == [("adopted",)]
    assert step(operator, plan_url, "approve", approval_act="Delibera n. 4 del 12/10/2024").status_code == 303
    assert step(operator, plan_url, "send").status_code == 303
    assert "passo-return" not in operator.get(plan_url).text               # the Region's step, not the office's

    reviewer = console.client("regional-reviewer", "revisore-regione")
    assert "passo-adopt" not in reviewer.get(plan_url).text
    waiting = Page(reviewer.get(base(console)).text).texts["piani-in-attesa"]        # the Region's turn, on its home
    assert "Inviato alla Regione" in waiting
    assert "piani-in-attesa" not in operator.get(base(console)).text
    short = step(reviewer, plan_url, "return", remarks="no")
    assert short.status_code == 422 and "osservazioni" in Page(short.text).message_of("remarks")
    assert step(reviewer, plan_url, "return", remarks="Manca la quota per i minori (40% FNPS).").status_code == 303
    page = operator.get(plan_url)
    assert "Manca la quota per i minori" in Page(page.text).texts["osservazioni"]
    assert "Restituito dalla Regione" in page.text
    assert [r[0] for r in console.db("SELECT to_state FROM plan_history ORDER BY seq")] == [
        "draft", "adopted", "approved", "sent", "returned"]
    # A stale form (the plan moved since it was read) is said, and nothing moves.
    stale = operator.post(f"{plan_url}/versioni/1/adopt", data={**csrf(page.text), "version": "1"})
    assert stale.status_code == 409 and "Nel frattempo" in stale.text
    assert console.db("SELECT state FROM plan_versions") == [("returned",)]
    # The reviewer may not adopt; a stakeholder may not read the plan's page.
    mine = reviewer.get(plan_url)
    refused = reviewer.post(f"{plan_url}/versioni/1/adopt", data={**csrf(mine.text), "version": "5"})
    assert refused.status_code == 403
    assert console.client("stakeholder", "rappresentante-1").get(plan_url).status_code == 403

    tables = operator.get(f"{plan_url}/versioni/1/tabelle-finanziarie.xlsx")
    assert tables.status_code == 200 and tables.headers["Content-Type"].startswith("application/vnd.openxml")
    workbook = openpyxl.load_workbook(io.BytesIO(tables.data))
    assert "Per fondo" in workbook.sheetnames
    differences = operator.get(f"{plan_url}/differenze?da=1&a=1")
    assert differences.status_code == 200 and "Nessuna differenza negli interventi." in differences.text


def test_commitments_and_payments_with_the_cig_checked_at_its_field(console):
    operator = console.client("operator")
    plan_url = make_plan(console, operator)
    line = add_intervention(console, operator, plan_url)
    assign(console, operator)
    assert post(operator, f"{base(console)}/ripartizioni", {"intervention_id": intervention_id(line), "fund": "FNA",
                                                           "year": "2024", "amount": "4.000"}).status_code == 303
    allocation = str(console.db("SELECT id FROM allocations")[0][0])
    url = f"{base(console)}/impegni"
    act = {"allocation_id": allocation, "amount": "2.500,00", "act_reference": "Determina n. 123 del 10/03/2025",
           "act_date": "10/03/2025", "cig": "8527277397"}
    early = post(operator, url, act)                                         # the plan is not approved yet
    assert early.status_code == 409 and "approvata" in Page(early.text).message_of("allocation_id")
    assert step(operator, plan_url, "adopt").status_code == 303
    assert step(operator, plan_url, "approve", approval_act="Delibera n. 4 del 12/10/2024").status_code == 303

    wrong = post(operator, url, {**act, "cig": "8527277398"})                # its check characters are wrong
    assert wrong.status_code == 422
    form = Page(wrong.text)
    assert "caratteri di controllo del CIG" in form.message_of("cig")
    assert form.fields["cig"]["value"] == "8527277398" and form.fields["amount"]["value"] == "2.500,00"
    short = post(operator, url, {**act, "cig": "12345"})
    assert short.status_code == 422 and "10 caratteri" in Page(short.text).message_of("cig")
    future = post(operator, url, {**act, "act_date": "01/01/2099"})
    assert future.status_code == 422 and "futura" in Page(future.text).message_of("act_date")
    over = post(operator, url, {**act, "amount": "4.000,01"})
    assert over.status_code == 409 and "al massimo 4.000,00 €" in Page(over.text).message_of("amount")
    assert console.db("SELECT count(*) FROM commitments") == [(0,)]

    made = post(operator, url, act)
    assert made.status_code == 303, made.text
    commitment_url = made.headers["Location"]
    assert console.db("SELECT amount, cig FROM commitments") == [(Decimal("2500.00"), "8527277397")]
    page = operator.get(commitment_url)
    pay = {"amount": "3.000", "act_reference": "Liquidazione n. 55 del 02/04/2025", "act_date": "02/04/2025"}
    too_much = operator.post(f"{commitment_url}/liquidazioni", data={**csrf(page.text), **pay})
    assert too_much.status_code == 409 and "al massimo 2.500,00 €" in Page(too_much.text).message_of("amount")
    paid = operator.post(f"{commitment_url}/liquidazioni", data={**csrf(page.text), **pay, "amount": "1.000,50"})
    assert paid.status_code == 303
    assert "1.499,50 €" in Page(operator.get(commitment_url).text).texts["da-liquidare"]
    assert console.db("SELECT paid FROM allocations") == [(Decimal("1000.50"),)]
    stakeholder = console.client("stakeholder", "rappresentante-1")
    assert stakeholder.get(url).status_code == 200                             # public spending
    assert stakeholder.post(url, data={**csrf(stakeholder.get(url).text), **act}).status_code == 403


def test_a_progress_upload_is_all_or_nothing_with_the_report_on_the_page(console):
    operator = console.client("operator")
    plan_url = make_plan(console, operator)
    add_intervention(console, operator, plan_url)
    url = f"{plan_url}/avanzamento"
    page = operator.get(url)
    bad = ("codice;anno;trimestre;stato;percentuale;avvio_effettivo;indicatore: utenti serviti\n"
           "A3.1;2025;1;in corso;12,5;03/02/2025;40\n"
           "A3.1;2025;2;in corso;150;;55\n"
           "Z9.9;2025;1;programmato;0;;\n")
    refused = operator.post(url, data={**csrf(page.text), "file": (io.BytesIO(bad.encode()), "avanzamento.csv")},
                            content_type="multipart/form-data")
    assert refused.status_code == 422
    report = Page(refused.text)
    assert "Righe rifiutate: 2 su 3" in report.message_of("file")
    lines = report.texts["rapporto"]
    assert "3" in lines and "4" in lines and "Z9.9" in lines, lines
    assert console.db("SELECT count(*) FROM intervention_progress") == [(0,)]     # the good row too: nothing
    good = bad.splitlines()[:2]
    done = operator.post(url, data={**csrf(page.text), "file": (io.BytesIO("\n".join(good).encode()), "a.csv")},
                         content_type="multipart/form-data")
    assert done.status_code == 303
    assert "righe applicate 1" in operator.get(done.headers["Location"]).text
    assert console.db("SELECT year, quarter, status FROM intervention_progress") == [(2025, 1, "active")]
    empty = operator.post(url, data={**csrf(page.text), "file": (io.BytesIO(b""), "vuoto.csv")},
                          content_type="multipart/form-data")
    assert empty.status_code == 422 and Page(empty.text).fields["file"].get("aria-invalid") == "true"


def test_signed_then_a_yearly_update_whose_differences_are_listed(console):
    operator = console.client("operator")
    plan_url = make_plan(console, operator)
    add_intervention(console, operator, plan_url)
    capofila = console.db("INSERT INTO organisations (origin, organisation_id, name, type, status, version, as_of,"
                          " source_event_id) VALUES (%s, gen_random_uuid(), 'Comune di Viggianello', 'public_body',"
                          " 'active', 1, now(), 'test') RETURNING organisation_id", console.slug)[0][0]
    reviewer = console.client("regional-reviewer", "revisore-regione")
    for client, action, fields in ((operator, "adopt", {}), (operator, "approve", {"approval_act": "Delibera n. 4"}),
                                   (operator, "send", {}), (reviewer, "accept", {})):
        assert step(client, plan_url, action, **fields).status_code == 303, action
    nobody = step(operator, plan_url, "sign", signed_on="01/12/2025")
    assert nobody.status_code == 422 and "firmatario" in Page(nobody.text).message_of("signatories")
    future = step(operator, plan_url, "sign", signed_on="01/12/2099", signatories=str(capofila))
    assert future.status_code == 422 and "futura" in Page(future.text).message_of("signed_on")
    assert step(operator, plan_url, "sign", signed_on="01/12/2025", signatories=str(capofila)).status_code == 303
    page = operator.get(plan_url)
    assert "Sottoscritto" in Page(page.text).texts["piano"]
    early = operator.post(f"{plan_url}/versioni", data={**csrf(page.text), "reference_year": "2024"})
    assert early.status_code == 422 and "successivo" in Page(early.text).message_of("reference_year")
    opened = operator.post(f"{plan_url}/versioni", data={**csrf(page.text), "reference_year": "2025"})
    assert opened.status_code == 303
    add_intervention(console, operator, plan_url, code="A6.2", title="Dimissioni protette", area="6")
    differences = Page(operator.get(f"{plan_url}/differenze?da=1&a=2").text)
    assert "Aggiunto: A6.2 – Dimissioni protette" in differences.texts["interventi-cambiati"]
