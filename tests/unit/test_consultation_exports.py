"""The consultation exports' pure parts: rows (records -> Italian text and values) and the two writers."""
from __future__ import annotations

import csv
import io
import uuid
import zipfile
from datetime import datetime, timezone
from decimal import Decimal

from openpyxl import load_workbook

from services.consultation.contributions import lifecycle
from services.consultation.exports import labels, rows, writers
from services.consultation.members.domain import ORGANISATION_TYPES

T0 = datetime(2026, 4, 14, 8, 0, tzinfo=timezone.utc)   # 10:00 in Rome (summer time)
T1 = datetime(2026, 1, 20, 16, 30, tzinfo=timezone.utc)  # 17:30 in Rome (winter time)
AREAS = {"3": "Contrasto alla povertà", "5": "Anziani e non autosufficienza"}


def need(**extra):
    return {"id": uuid.UUID(int=1), "created_at": T0, "table_title": "Tavolo socio-assistenziale",
            "session_title": None, "session_starts_at": None, "organisation_name": "ODV Amici del Pollino",
            "on_behalf": False, "title": "Trasporto sociale", "description": "Le frazioni sono isolate.",
            "area": "3", "target_group": "anziani", "comuni": [], "evidence": "Sportello 2025", "status": "open",
            **extra}


def proposal(**extra):
    return {"id": uuid.UUID(int=7), "created_at": T1, "table_title": "Tavolo socio-assistenziale",
            "organisation_name": "APS Borghi", "on_behalf": True, "title": "Navetta", "description": "A chiamata.",
            "expected_outcome": "60 anziani ai servizi", "need_ids": [], "deliverers": [],
            "estimated_cost": Decimal("18500.00"), "status": "submitted", "answer": None, "merged_into": None,
            "decided_at": None, **extra}


def parse_csv(body: bytes) -> list[list[str]]:
    assert body.startswith(b"\xef\xbb\xbf")
    text = body.decode("utf-8-sig")
    return list(csv.reader(io.StringIO(text, newline=""), delimiter=";"))


def test_a_need_in_italian_with_its_area_target_group_comuni_and_times_in_rome():
    [row] = rows.need_rows([need(comuni=["076040", "076999"], session_title="Prima sessione",
                                 session_starts_at=T1, on_behalf=True, status="closed")],
                           area_names=AREAS, comune_names={"076040": "Lauria"})
    assert dict(zip(rows.NEEDS.headers, row)) == {
        "ID bisogno": "00000000-0000-0000-0000-000000000001", "Data di registrazione": T0,
        "Tavolo": "Tavolo socio-assistenziale", "Sessione": "Prima sessione", "Data della sessione": T1,
        "Organizzazione": "ODV Amici del Pollino", "Registrato dall'ufficio per l'organizzazione": "Sì",
        "Titolo": "Trasporto sociale", "Descrizione": "Le frazioni sono isolate.",
        "Area tematica": "Contrasto alla povertà", "Area di utenza": "Anziani", "Comuni": "Lauria; 076999",
        "Evidenze e fonti": "Sportello 2025", "Stato": "Chiuso"}
    assert row[1].utcoffset().total_seconds() == 7200 and row[4].utcoffset().total_seconds() == 3600
    [whole] = rows.need_rows([need(area="77")], area_names=AREAS, comune_names={})
    assert whole[9] == "77" and whole[11] == "Tutto l'Ambito" and whole[3] == "" and whole[4] is None
    assert whole[6] == "No" and whole[13] == "Aperto"


def test_a_proposal_names_its_needs_areas_target_groups_deliverers_and_keeps_the_cost_a_decimal():
    a, b, c = uuid.UUID(int=10), uuid.UUID(int=11), uuid.UUID(int=12)
    deliverer, unknown = uuid.UUID(int=20), uuid.UUID(int=21)
    needs = {a: {"title": "Trasporto", "area": "5", "target_group": "anziani"},
             b: {"title": "Mensa", "area": "3", "target_group": "poverta_emarginazione"},
             c: {"title": "Centro diurno", "area": "5", "target_group": "anziani"}}
    [row] = rows.proposal_rows([proposal(need_ids=[a, b, c], deliverers=[deliverer, unknown], status="merged",
                                         answer="Unita alla navetta d'Ambito", merged_into=uuid.UUID(int=8),
                                         decided_at=T0, estimated_cost=Decimal("0.10"))],
                               needs=needs, organisation_names={deliverer: "Coop Il Sentiero"}, area_names=AREAS)
    got = dict(zip(rows.PROPOSALS.headers, row))
    assert got["Bisogni a cui risponde"] == "Trasporto; Mensa; Centro diurno"
    assert got["Aree tematiche"] == "Anziani e non autosufficienza; Contrasto alla povertà"
    assert got["Aree di utenza"] == "Anziani; Povertà ed emarginazione"
    assert got["Soggetti che potrebbero realizzarla"] == f"Coop Il Sentiero; {unknown}"
    assert got["Costo stimato (euro)"] == Decimal("0.10") and isinstance(got["Costo stimato (euro)"], Decimal)
    assert got["Stato"] == "Unita ad altra proposta" and got["Risposta motivata"] == "Unita alla navetta d'Ambito"
    assert got["Unita alla proposta (ID)"] == str(uuid.UUID(int=8)) and got["Data della decisione"] == T0
    assert got["Presentata dall'ufficio per l'organizzazione"] == "Sì"
    [plain] = rows.proposal_rows([proposal()], needs={}, organisation_names={}, area_names=AREAS)
    assert plain[14:17] == ("", "", None) and plain[13] == "Presentata"


def test_every_proposal_status_has_an_italian_label():
    assert set(labels.PROPOSAL_STATUSES) == set(lifecycle.STATUSES)
    assert set(labels.ORGANISATION_TYPES) == set(ORGANISATION_TYPES)


def test_results_by_rank():
    ranking = [{"rank": 2, "proposal_id": uuid.UUID(int=2), "title": "B", "organisation_name": "O2", "points": 5,
                "organisations": 2},
               {"rank": 1, "proposal_id": uuid.UUID(int=1), "title": "A", "organisation_name": "O1", "points": 9,
                "organisations": 3}]
    assert [r[0] for r in rows.result_rows(ranking)] == [1, 2]
    assert rows.result_rows(ranking)[0] == (1, str(uuid.UUID(int=1)), "A", "O1", 9, 3)


def test_attendance_per_session_and_organisation_type_counts_only_and_empty_sessions_kept():
    s1, s2 = uuid.UUID(int=1), uuid.UUID(int=2)
    sessions = [{"id": s1, "title": "Prima", "starts_at": T0, "status": "held", "table_title": "Tavolo A",
                 "table_kind": "thematic"},
                {"id": s2, "title": "Seconda", "starts_at": T1, "status": "scheduled", "table_title": "Tavolo A",
                 "table_kind": "thematic"}]
    counts = [{"session_id": s1, "organisation_type": "ets", "invited": 3, "registered": 2, "seats": 4, "waiting": 1},
              {"session_id": s1, "organisation_type": "comune", "invited": 1, "registered": 1, "seats": 1,
               "waiting": 0},
              {"session_id": s1, "organisation_type": "ets", "present": 1, "in_person": 2, "remote": 0},
              {"session_id": s1, "organisation_type": "ets", "present": 1, "in_person": 0, "remote": 1}]
    table = rows.attendance_rows(sessions, counts)
    assert [r[5] for r in table] == ["Comune", "Ente del Terzo settore", ""]
    assert table[1] == ("Tavolo A", "Tavolo tematico", "Prima", T0, "Svolta", "Ente del Terzo settore",
                        3, 2, 4, 1, 2, 2, 1)
    assert table[0][6:] == (1, 1, 1, 0, 0, 0, 0)
    assert table[2][2:] == ("Seconda", T1, "Programmata", "", 0, 0, 0, 0, 0, 0, 0)
    assert len(rows.ATTENDANCE.headers) == len(table[0])


def test_csv_is_semicolon_separated_utf8_with_bom_crlf_italian_numbers_and_rome_times():
    table = [(1, "x", "Proposta «àèì»", "Org", 9, 3)]
    body = writers.to_csv(rows.RESULTS, table)
    assert body.startswith(b"\xef\xbb\xbfPosizione;ID proposta;Proposta;") and body.endswith(b"\r\n")
    assert body.count(b"\r\n") == 2 and b"\n" not in body.replace(b"\r\n", b"")
    assert parse_csv(body)[1] == ["1", "x", "Proposta «àèì»", "Org", "9", "3"]
    assert writers.csv_value(Decimal("18500.00")) == "18500,00" and writers.csv_value(Decimal("0.10")) == "0,10"
    assert writers.csv_value(T0) == "14/04/2026 10:00" and writers.csv_value(T1) == "20/01/2026 17:30"
    assert writers.csv_value(None) == "" and writers.csv_value("=1+1") == "'=1+1"


def test_xlsx_has_an_italian_sheet_bold_frozen_headers_widths_numbers_and_dates():
    [row] = rows.proposal_rows([proposal(decided_at=T0, estimated_cost=Decimal("1234.56"))], needs={},
                               organisation_names={}, area_names=AREAS)
    body = writers.to_xlsx(rows.PROPOSALS, [row], title="Proposte — Ambito di Lauria")
    book = load_workbook(io.BytesIO(body))
    sheet = book.active
    assert sheet.title == "Proposte" and book.properties.title == "Proposte — Ambito di Lauria"
    assert [c.value for c in sheet[1]] == list(rows.PROPOSALS.headers)
    assert all(c.font.b for c in sheet[1]) and not sheet["A2"].font.b
    assert sheet.freeze_panes == "A2" and sheet.auto_filter.ref == "A1:Q2"
    assert sheet.column_dimensions["G"].width == 60
    cost, decided, submitted = sheet["M2"], sheet["Q2"], sheet["B2"]
    assert cost.data_type == "n" and cost.number_format == writers.AMOUNT_FORMAT
    assert Decimal(repr(cost.value)) == Decimal("1234.56")
    assert decided.value == datetime(2026, 4, 14, 10, 0) and decided.number_format == writers.INSTANT_FORMAT
    assert submitted.value == datetime(2026, 1, 20, 17, 30)
    # A number cell, not text (the exactness property over any amount: test_consultation_exports_cells.py).
    xml = zipfile.ZipFile(io.BytesIO(body)).read("xl/worksheets/sheet1.xml").decode()
    assert "<v>1234.56</v>" in xml


def test_every_export_has_unique_italian_headers_and_a_width_each():
    for export in (rows.NEEDS, rows.PROPOSALS, rows.RESULTS, rows.ATTENDANCE):
        assert len(set(export.headers)) == len(export.headers)
        assert len(export.sheet) <= 31 and not set(export.sheet) & set("[]:*?/\\")
        assert all(width > 0 for _, width in export.columns)
