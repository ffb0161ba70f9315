"""Results of a questionnaire (hypothesis: counts add up, means and medians exact and in range, names only with
consent, order of answers irrelevant), the export files (Italian, ';' with BOM, no formula in any cell, no
name without consent) and the events built from rows (valid against the catalogue, ids and counts only)."""
from __future__ import annotations

import csv
import io
import uuid
from datetime import datetime, timezone
from decimal import Decimal

from hypothesis import given, settings, strategies as st
from openpyxl import load_workbook

from shared.exports.cells import safe_text

from services.consultation.questionnaires import answers, events, exports, questions, results
from services.consultation.questionnaires.questions import FREE_TEXT, MULTIPLE, NUMBER, SCALE, SINGLE
from tests.contract.catalogue import assert_valid_event
from tests.unit.test_consultation_questionnaires import question, valid_value


@st.composite
def answered_questionnaire(draw):
    qs = questions.check_questions(draw(st.lists(question(), min_size=1, max_size=5)))
    sets = []
    for index in range(draw(st.integers(0, 8))):
        given_ = [{"question": q["number"], answers.KEYS[q["kind"]]: valid_value(draw, q)}
                  for q in qs if q["required"] or draw(st.booleans())]
        sets.append({"organisation_id": uuid.UUID(int=index + 1), "organisation_name": f"Organizzazione {index}",
                     "may_publish_name": draw(st.booleans()), "answers": answers.check_answers(qs, given_)})
    return qs, sets


@settings(max_examples=200)
@given(answered_questionnaire(), st.randoms())
def test_results_add_up_and_do_not_depend_on_the_order_of_answers(case, rnd):
    qs, sets = case
    figures = results.aggregate(qs, sets)
    assert figures["respondents"] == len(sets)
    for q, r in zip(qs, figures["questions"]):
        given_ = [a for s in sets for a in s["answers"] if a["question"] == q["number"]]
        assert r["answered"] == len(given_)
        if q["kind"] == SINGLE:
            assert sum(o["count"] for o in r["options"]) == len(given_)
        if q["kind"] == MULTIPLE:
            assert sum(o["count"] for o in r["options"]) == sum(len(a["choices"]) for a in given_)
        if q["kind"] == SCALE:
            assert [p["value"] for p in r["distribution"]] == list(range(q["scale_min"], q["scale_max"] + 1))
            assert sum(p["count"] for p in r["distribution"]) == len(given_)
            if given_:
                exact = Decimal(sum(a["value"] for a in given_)) / len(given_)
                assert abs(r["mean"] - exact) <= Decimal("0.005") and r["mean"] == r["mean"].quantize(Decimal("0.01"))
            else:
                assert r["mean"] is None
        if q["kind"] == NUMBER and given_:
            values = sorted(Decimal(a["number"]) for a in given_)
            assert (r["min"], r["max"]) == (values[0], values[-1])
            assert values[0] <= r["median"] <= values[-1]
            assert values[0] - Decimal("0.005") <= r["mean"] <= values[-1] + Decimal("0.005")
            assert all(isinstance(r[k], Decimal) for k in ("min", "max", "mean", "median"))
        if q["kind"] == FREE_TEXT:
            assert sorted(t["text"] for t in r["texts"]) == sorted(a["text"] for a in given_)
            named = {(s["organisation_name"], a["text"]) for s in sets if s["may_publish_name"]
                     for a in s["answers"] if a["question"] == q["number"]}
            for t in r["texts"]:
                if t["organisation_name"] is not None:
                    assert (t["organisation_name"], t["text"]) in named
            assert sum(t["organisation_name"] is not None for t in r["texts"]) == len(named)
    shuffled = list(sets)
    rnd.shuffle(shuffled)
    assert results.aggregate(qs, shuffled) == figures


def _worked():
    qs = questions.check_questions([
        {"kind": SINGLE, "text": "Il tavolo è utile?", "options": ["Sì", "No"]},
        {"kind": SCALE, "text": "Quanto?", "scale_min": 1, "scale_max": 4, "min_label": "Poco", "max_label": "Molto"},
        {"kind": NUMBER, "text": "Volontari?", "integer": True},
        {"kind": FREE_TEXT, "text": "Suggerimenti", "required": False},
    ])
    rows = [("ODV Amici del Pollino", True, 0, 4, "12", "=HYPERLINK(\"http://x\")"),
            ("APS Borghi Solidali", False, 0, 3, "7", "Più trasporti"),
            ("Coop Il Sentiero", False, 1, 3, "8", None)]
    sets = []
    for i, (name, consent, choice, value, number, text) in enumerate(rows):
        given_ = [{"question": 1, "choice": choice}, {"question": 2, "value": value}, {"question": 3, "number": number}]
        if text:
            given_.append({"question": 4, "text": text})
        sets.append({"organisation_id": uuid.UUID(int=i + 1), "organisation_name": name, "may_publish_name": consent,
                     "answers": answers.check_answers(qs, given_)})
    return qs, sets


def test_a_worked_example_exact_to_the_cent():
    qs, sets = _worked()
    figures = results.aggregate(qs, sets)
    single, scale, number, text = figures["questions"]
    assert [(o["label"], o["count"]) for o in single["options"]] == [("Sì", 2), ("No", 1)]
    assert [(p["value"], p["label"], p["count"]) for p in scale["distribution"]] == [
        (1, "Poco", 0), (2, "", 0), (3, "", 2), (4, "Molto", 1)]
    assert scale["mean"] == Decimal("3.33")
    assert (number["min"], number["max"], number["mean"], number["median"]) == (
        Decimal(7), Decimal(12), Decimal("9.00"), Decimal(8))
    assert results.median([Decimal("0.1"), Decimal("0.2")]) == Decimal("0.15")
    assert text["answered"] == 2
    # The APS did not agree: its text is anonymous; the ODV did.
    assert text["texts"] == [
        {"text": "=HYPERLINK(\"http://x\")", "organisation_id": uuid.UUID(int=1),
         "organisation_name": "ODV Amici del Pollino"},
        {"text": "Più trasporti", "organisation_id": None, "organisation_name": None}]


def test_the_csv_is_italian_safe_and_names_only_with_consent():
    qs, sets = _worked()
    sets[0]["organisation_name"] = "@Organizzazione furba"
    body = exports.to_csv(exports.rows(results.aggregate(qs, sets)))
    assert body.startswith("\ufeff".encode())
    table = list(csv.reader(io.StringIO(body.decode("utf-8-sig")), delimiter=";"))
    assert tuple(table[0]) == exports.HEADERS
    for row in table[1:]:
        for value in row:
            assert value == safe_text(value) and value[:1] not in set("=+@"), row
    texts = [r for r in table if r[3] == "Risposta"]
    assert [(r[5], r[6]) for r in texts] == [("'=HYPERLINK(\"http://x\")", "'@Organizzazione furba"),
                                             ("Più trasporti", "")]
    assert "APS Borghi Solidali" not in body.decode("utf-8-sig")
    assert ["2", "Quanto?", "Scala", "Media", "3", "3,33", ""] in table
    # A negative figure the service computed stays a number; the same text typed by someone is quoted.
    negative = exports.to_csv([(3, "Saldo?", "Numero", "Minimo", None, Decimal("-3.5"), "-3,5")]).decode("utf-8-sig")
    assert negative.splitlines()[1] == "3;Saldo?;Numero;Minimo;;-3,5;'-3,5"


def test_the_xlsx_has_no_formula_and_keeps_decimals_exact():
    qs, sets = _worked()
    body = exports.to_xlsx(exports.rows(results.aggregate(qs, sets)), title="=Questionario", respondents=3)
    sheet = load_workbook(io.BytesIO(body)).active
    values = [[c.value for c in row] for row in sheet.iter_rows()]
    assert values[0][0] == "'=Questionario" and values[1][:2] == ["Organizzazioni che hanno risposto", 3]
    assert tuple(values[2]) == exports.HEADERS
    assert all(c.data_type != "f" for row in sheet.iter_rows() for c in row)
    mean = next(r for r in values if r[1] == "Quanto?" and r[3] == "Media")
    assert Decimal(str(mean[5])) == Decimal("3.33")
    assert not any("APS Borghi Solidali" in str(v) for row in values for v in row)


def _row(**extra):
    now = datetime(2026, 4, 14, 8, tzinfo=timezone.utc)
    qs = questions.check_questions([{"kind": FREE_TEXT, "text": "Mario Rossi dice?"},
                                    {"kind": SINGLE, "text": "?", "options": ["a", "b"]}])
    return {"id": uuid.uuid4(), "table_id": uuid.uuid4(), "session_id": None, "title": "Segreto di Mario Rossi",
            "questions": qs, "status": "draft", "version": 1, "created_at": now, "updated_at": now,
            "opened_at": now, "closes_at": now, "closed_at": now, **extra}


def test_events_from_rows_are_valid_and_carry_ids_and_counts_only():
    q = _row()
    answer_set = {"id": uuid.uuid4(), "organisation_id": uuid.uuid4(), "on_behalf": True,
                  "answered_by_role": "operator", "version": 2, "updated_at": q["updated_at"],
                  "answers": [{"question": 1, "text": "Mario Rossi"}]}
    built = [events.created(tenant="t", questionnaire=q),
             events.updated(tenant="t", questionnaire=q, changed=["questions"]),
             events.opened(tenant="t", questionnaire={**q, "status": "open"}),
             events.closed(tenant="t", questionnaire={**q, "status": "closed"}, answer_sets_count=3),
             events.answered(tenant="t", questionnaire=q, answer_set=answer_set, replaced=True, answer_sets_count=3)]
    for event in built:
        assert_valid_event(event.type, event.data)
        assert "Mario" not in str(event.data) and event.subject == str(q["id"])
    assert built[0].data["questions_by_kind"] == {"free_text": 1, "single_choice": 1}
    assert built[4].data["answers_count"] == 1 and built[4].data["replaced"] is True
