"""Questionnaires' pure rules: question definitions, answers per kind (hypothesis: every valid answer set is
accepted, every invalid answer is refused naming its question), numbers as Decimal, the life cycle, who
answers and who reads free texts."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone
from decimal import Decimal

import pytest
from hypothesis import given, settings, strategies as st

from services.consultation.questionnaires import answers, domain, numbers, questions
from services.consultation.questionnaires.questions import FREE_TEXT, MULTIPLE, NUMBER, SCALE, SINGLE
from services.consultation.tables.access import Caller, NotAllowed

labels = st.text(st.characters(blacklist_categories=("Cs",)), min_size=1, max_size=12).filter(str.strip)
options = st.lists(labels, min_size=2, max_size=6, unique_by=lambda s: s.strip().casefold())


@st.composite
def decimals(draw, *, integer: bool, low=None, high=None):
    value = draw(st.decimals(min_value=low if low is not None else Decimal(-10**9),
                             max_value=high if high is not None else Decimal(10**9),
                             places=0 if integer else 3, allow_nan=False, allow_infinity=False))
    return numbers.format_number(value)


@st.composite
def question(draw):
    kind = draw(st.sampled_from(questions.KINDS))
    q = {"kind": kind, "text": "Quanto conta?", "required": draw(st.booleans())}
    if kind in (SINGLE, MULTIPLE):
        q["options"] = draw(options)
    if kind == MULTIPLE:
        q["min_selections"] = draw(st.integers(1, len(q["options"])))
        q["max_selections"] = draw(st.integers(q["min_selections"], len(q["options"])))
    if kind == SCALE:
        q["scale_min"] = draw(st.integers(-10, 10))
        q["scale_max"] = draw(st.integers(q["scale_min"] + 1, q["scale_min"] + 10))
        q["min_label"], q["max_label"] = "Per nulla", "Moltissimo"
    if kind == FREE_TEXT:
        q["max_length"] = draw(st.integers(1, 50))
    if kind == NUMBER:
        q["integer"] = draw(st.booleans())
        bounds = sorted(Decimal(draw(decimals(integer=q["integer"]))) for _ in range(2))
        if draw(st.booleans()):
            q["number_min"] = numbers.format_number(bounds[0])
        if draw(st.booleans()):
            q["number_max"] = numbers.format_number(bounds[1])
    return q


def valid_value(draw, q: dict):
    kind = q["kind"]
    if kind == SINGLE:
        return draw(st.integers(0, len(q["options"]) - 1))
    if kind == MULTIPLE:
        size = draw(st.integers(q["min_selections"], q["max_selections"]))
        return draw(st.permutations(range(len(q["options"]))))[:size]
    if kind == SCALE:
        return draw(st.integers(q["scale_min"], q["scale_max"]))
    if kind == FREE_TEXT:
        return draw(st.text(min_size=1, max_size=q["max_length"]).filter(str.strip))
    low = Decimal(q["number_min"]) if q.get("number_min") else None
    high = Decimal(q["number_max"]) if q.get("number_max") else None
    return draw(decimals(integer=q["integer"], low=low, high=high))


def invalid_value(draw, q: dict):
    kind = q["kind"]
    if kind == SINGLE:
        return draw(st.sampled_from([len(q["options"]), -1, True, "0"]))
    if kind == MULTIPLE:
        wrong = [[len(q["options"])], [0, 0] if q["max_selections"] >= 2 else [0, 1, 2, 3, 4, 5, 6], 0]
        if q["min_selections"] > 1:
            wrong.append([0])
        if q["max_selections"] < len(q["options"]):
            wrong.append(list(range(q["max_selections"] + 1)))
        return draw(st.sampled_from(wrong))
    if kind == SCALE:
        return draw(st.sampled_from([q["scale_max"] + 1, q["scale_min"] - 1, str(q["scale_min"]), 1.0]))
    if kind == FREE_TEXT:
        return draw(st.sampled_from(["x" * (q["max_length"] + 1), "   ", 7]))
    wrong = [1.5, 2, "1e3", "0x10", "1.1234567"]
    if q["integer"]:
        wrong.append("1.5")
    if q.get("number_max"):
        wrong.append(numbers.format_number(Decimal(q["number_max"]) + 1))
    if q.get("number_min"):
        wrong.append(numbers.format_number(Decimal(q["number_min"]) - 1))
    return draw(st.sampled_from(wrong))


@st.composite
def questionnaire_and_answers(draw):
    """Checked questions and a valid answer set for them (optional questions answered or not)."""
    qs = questions.check_questions(draw(st.lists(question(), min_size=1, max_size=6)))
    given_ = []
    for q in qs:
        if q["required"] or draw(st.booleans()):
            given_.append({"question": q["number"], answers.KEYS[q["kind"]]: valid_value(draw, q)})
    return qs, draw(st.permutations(given_))


@settings(max_examples=300)
@given(questionnaire_and_answers())
def test_any_valid_answer_set_is_accepted_in_question_order(case):
    qs, given_ = case
    stored = answers.check_answers(qs, given_)
    assert [a["question"] for a in stored] == sorted(a["question"] for a in given_)
    for a in stored:
        q = qs[a["question"] - 1]
        assert set(a) == {"question", answers.KEYS[q["kind"]]}
        if q["kind"] == NUMBER:
            # Exact: the stored string is the same Decimal as the one sent.
            sent = next(g for g in given_ if g["question"] == q["number"])["number"]
            assert Decimal(a["number"]) == Decimal(sent)
    # Stored answers pass again unchanged (what the results and a later replacement read).
    assert answers.check_answers(qs, stored) == stored


@settings(max_examples=300)
@given(questionnaire_and_answers(), st.data())
def test_any_invalid_answer_is_refused_naming_its_question(case, data):
    qs, given_ = case
    given_ = list(given_)
    q = data.draw(st.sampled_from(qs))
    bad = {"question": q["number"], answers.KEYS[q["kind"]]: invalid_value(data.draw, q)}
    given_ = [a for a in given_ if a["question"] != q["number"]] + [bad]
    with pytest.raises(answers.InvalidAnswers) as refused:
        answers.check_answers(qs, given_)
    assert q["number"] in [n for n, _ in refused.value.errors]
    assert f"question {q['number']}" in str(refused.value)


@settings(max_examples=200)
@given(questionnaire_and_answers(), st.data())
def test_a_missing_required_answer_another_kinds_key_or_an_unknown_question_is_named(case, data):
    qs, given_ = case
    required = [q for q in qs if q["required"]]
    if required:
        q = data.draw(st.sampled_from(required))
        with pytest.raises(answers.InvalidAnswers) as refused:
            answers.check_answers(qs, [a for a in given_ if a["question"] != q["number"]])
        assert refused.value.errors == [(q["number"], "an answer is required")]
    q = data.draw(st.sampled_from(qs))
    other = next(k for k in answers.ANSWER_KEYS if k != answers.KEYS[q["kind"]])
    with pytest.raises(answers.InvalidAnswers) as refused:
        answers.check_answers(qs, [a for a in given_ if a["question"] != q["number"]]
                              + [{"question": q["number"], other: 1}])
    assert q["number"] in [n for n, _ in refused.value.errors]
    with pytest.raises(answers.InvalidAnswers) as refused:
        answers.check_answers(qs, list(given_) + [{"question": len(qs) + 1, "choice": 0}])
    assert (len(qs) + 1, "no such question in this questionnaire") in refused.value.errors


def test_answering_twice_and_every_wrong_question_at_once():
    qs = questions.check_questions([{"kind": SINGLE, "text": "A?", "options": ["Sì", "No"]},
                                    {"kind": SCALE, "text": "B?", "scale_min": 1, "scale_max": 5}])
    with pytest.raises(answers.InvalidAnswers) as refused:
        answers.check_answers(qs, [{"question": 1, "choice": 0}, {"question": 1, "choice": 1},
                                   {"question": 2, "value": 9}])
    assert [n for n, _ in refused.value.errors] == [1, 2]


@pytest.mark.parametrize("definition, field", [
    ({"kind": "ranking", "text": "?"}, "questions.0.kind"),
    ({"kind": SINGLE, "text": "  "}, "questions.0.text"),
    ({"kind": SINGLE, "text": "?", "options": ["Solo"]}, "questions.0.options"),
    ({"kind": SINGLE, "text": "?", "options": ["Sì", " sì "]}, "questions.0.options.1"),
    ({"kind": SINGLE, "text": "?", "options": ["Sì", "No"], "max_length": 3}, "questions.0.max_length"),
    ({"kind": MULTIPLE, "text": "?", "options": ["a", "b"], "min_selections": 0}, "questions.0.min_selections"),
    ({"kind": MULTIPLE, "text": "?", "options": ["a", "b"], "min_selections": 2, "max_selections": 1},
     "questions.0.max_selections"),
    ({"kind": MULTIPLE, "text": "?", "options": ["a", "b"], "max_selections": 3}, "questions.0.max_selections"),
    ({"kind": SCALE, "text": "?", "scale_min": 5, "scale_max": 5}, "questions.0.scale_max"),
    ({"kind": SCALE, "text": "?", "scale_min": 0, "scale_max": 101}, "questions.0.scale_max"),
    ({"kind": SCALE, "text": "?", "scale_max": 5}, "questions.0.scale_min"),
    ({"kind": FREE_TEXT, "text": "?", "max_length": 0}, "questions.0.max_length"),
    ({"kind": NUMBER, "text": "?", "number_min": "1.5", "integer": True}, "questions.0.number_min"),
    ({"kind": NUMBER, "text": "?", "number_min": 1.5}, "questions.0.number_min"),
    ({"kind": NUMBER, "text": "?", "number_min": "10", "number_max": "9.99"}, "questions.0.number_max"),
])
def test_a_bad_definition_is_named(definition, field):
    with pytest.raises(domain.InvalidField) as refused:
        questions.check_questions([definition])
    assert refused.value.field == field


def test_definitions_are_numbered_and_get_their_defaults():
    qs = questions.check_questions([{"kind": MULTIPLE, "text": "Quali?", "options": ["a", "b", "c"]},
                                    {"kind": FREE_TEXT, "text": "Perché?", "required": False},
                                    {"kind": NUMBER, "text": "Quanti?", "number_min": "0.50"}])
    assert [q["number"] for q in qs] == [1, 2, 3]
    assert (qs[0]["min_selections"], qs[0]["max_selections"]) == (1, 3)
    assert qs[1]["max_length"] == questions.DEFAULT_TEXT_LENGTH and qs[1]["required"] is False
    assert qs[2] == {"number": 3, "kind": NUMBER, "text": "Quanti?", "required": True, "integer": False,
                     "number_min": "0.5", "number_max": None}


@given(st.decimals(min_value=Decimal("-1e15") + 1, max_value=Decimal("1e15") - 1, places=6, allow_nan=False,
                   allow_infinity=False))
def test_numbers_round_trip_exactly_through_their_strings(value):
    assert numbers.parse(numbers.format_number(value)) == value


@pytest.mark.parametrize("value", [1.5, 2, True, None, "1e3", "01", "1.", ".5", "1.1234567", "1" * 16, " 1"])
def test_what_is_not_a_number_string_is_refused(value):
    with pytest.raises(numbers.NotANumber):
        numbers.parse(value)


def test_the_life_cycle_and_the_closing_time():
    now = datetime(2026, 5, 1, 12, tzinfo=timezone.utc)
    assert domain.effective_status("open", now + timedelta(seconds=1), now) == "open"
    assert domain.effective_status("open", now, now) == "closed"
    assert domain.effective_status("draft", None, now) == "draft"
    domain.check_editable("draft")
    for status in ("open", "closed"):
        with pytest.raises(domain.QuestionnaireError):
            domain.check_editable(status)
    with pytest.raises(domain.QuestionnaireError):
        domain.check_openable("draft", [], now + timedelta(days=1), now)
    with pytest.raises(domain.InvalidField):
        domain.check_openable("draft", [{}], now, now)
    domain.check_accepts_answers("open")
    with pytest.raises(domain.QuestionnaireClosed) as first:
        domain.check_accepts_answers("closed")
    with pytest.raises(domain.QuestionnaireClosed) as second:
        domain.check_accepts_answers("closed")
    assert first.value is not second.value and first.value.code == "questionnaire-closed"
    with pytest.raises(domain.QuestionnaireError, match="not open yet"):
        domain.check_accepts_answers("draft")


TABLE = {"id": "t", "coordinator": "coord-1", "status": "active"}
MEMBERS = [{"organisation_id": "odv", "accounts": ["rep-a"], "state": "member"},
           {"organisation_id": "aps", "accounts": ["rep-b"], "state": "member"}]


def test_who_answers_for_whom():
    rep = Caller("rep-a", frozenset({"stakeholder"}))
    assert domain.answerer(rep, TABLE, MEMBERS, "odv", on_behalf=False) == "stakeholder"
    for organisation, on_behalf in (("aps", False), ("odv", True)):
        with pytest.raises(NotAllowed):
            domain.answerer(rep, TABLE, MEMBERS, organisation, on_behalf=on_behalf)
    coordinator = Caller("coord-1", frozenset({"coordinator"}))
    assert domain.answerer(coordinator, TABLE, MEMBERS, "aps", on_behalf=True) == "coordinator"
    with pytest.raises(NotAllowed):  # not a member
        domain.answerer(coordinator, TABLE, MEMBERS, "other", on_behalf=True)
    with pytest.raises(NotAllowed):  # another table's coordinator
        domain.answerer(Caller("coord-9", frozenset({"coordinator"})), TABLE, MEMBERS, "aps", on_behalf=True)
    assert domain.answerer(Caller("op", frozenset({"operator"})), TABLE, MEMBERS, "aps", on_behalf=True) == "operator"


def test_who_reads_an_answer_set_and_its_free_texts():
    rep = Caller("rep-a", frozenset({"stakeholder"}))
    assert domain.reader_of_answers(rep, TABLE, MEMBERS, "odv") == "representative"
    with pytest.raises(NotAllowed):
        domain.reader_of_answers(rep, TABLE, MEMBERS, "aps")
    assert domain.reader_of_answers(Caller("coord-1", frozenset({"coordinator"})), TABLE, MEMBERS, "aps") == "office"
    assert domain.shows_texts(reader="representative", may_publish_name=False, on_behalf=False)
    assert not domain.shows_texts(reader="office", may_publish_name=False, on_behalf=False)
    assert domain.shows_texts(reader="office", may_publish_name=True, on_behalf=False)
    assert domain.shows_texts(reader="office", may_publish_name=False, on_behalf=True)
    domain.ensure_reads_results(Caller("a", frozenset({"auditor"})), TABLE)
    domain.ensure_reads_results(Caller("coord-1", frozenset({"coordinator"})), TABLE)
    with pytest.raises(NotAllowed):
        domain.ensure_reads_results(Caller("coord-9", frozenset({"coordinator"})), TABLE)
