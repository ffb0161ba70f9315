"""Results of a questionnaire, aggregated per question: pure, no I/O; Decimal throughout, never float.

- choices (single and multiple): how many organisations chose each option, in the options' order;
- scale: how many gave each value from scale_min to scale_max, and the mean;
- number: count, minimum, maximum, mean and median;
- free text: the answers, each with its organisation only if that organisation agreed
  (`may_publish_name`), sorted by their text so that their order tells nothing about who wrote them.

Means are rounded half-even to two decimals; a median of an even count is the exact midpoint.
"""
from __future__ import annotations

from collections.abc import Mapping
from decimal import ROUND_HALF_EVEN, Decimal

from services.consultation.questionnaires import numbers
from services.consultation.questionnaires.answers import KEYS
from services.consultation.questionnaires.questions import FREE_TEXT, MULTIPLE, NUMBER, SCALE, SINGLE

CENT = Decimal("0.01")


def mean(values: list[Decimal]) -> Decimal | None:
    """The mean rounded half-even to the cent, None for no values."""
    if not values:
        return None
    return (sum(values, Decimal(0)) / len(values)).quantize(CENT, rounding=ROUND_HALF_EVEN)


def median(values: list[Decimal]) -> Decimal | None:
    """The middle value; for an even count the exact midpoint of the two middle ones."""
    if not values:
        return None
    ordered, middle = sorted(values), len(values) // 2
    if len(ordered) % 2:
        return ordered[middle]
    return (ordered[middle - 1] + ordered[middle]) / 2


def _given(question: Mapping, answer_sets: list[Mapping]) -> list[tuple[Mapping, object]]:
    key, number = KEYS[question["kind"]], question["number"]
    found = []
    for answer_set in answer_sets:
        for answer in answer_set["answers"]:
            if answer.get("question") == number and answer.get(key) is not None:
                found.append((answer_set, answer[key]))
    return found


def _choices(question: Mapping, given) -> dict:
    counts = [0] * len(question["options"])
    for _set, value in given:
        for index in ([value] if question["kind"] == SINGLE else value):
            counts[index] += 1
    return {"options": [{"index": i, "label": label, "count": counts[i]}
                        for i, label in enumerate(question["options"])]}


def _scale(question: Mapping, given) -> dict:
    values = [value for _set, value in given]
    labels = {question["scale_min"]: question.get("min_label") or "",
              question["scale_max"]: question.get("max_label") or ""}
    return {"distribution": [{"value": v, "label": labels.get(v, ""), "count": values.count(v)}
                             for v in range(question["scale_min"], question["scale_max"] + 1)],
            "mean": mean([Decimal(v) for v in values])}


def _number(_question: Mapping, given) -> dict:
    values = [numbers.parse(value) for _set, value in given]
    return {"min": min(values) if values else None, "max": max(values) if values else None,
            "mean": mean(values), "median": median(values)}


def _texts(_question: Mapping, given) -> dict:
    texts = []
    for answer_set, text in given:
        named = bool(answer_set.get("may_publish_name"))
        texts.append({"text": text, "organisation_id": answer_set["organisation_id"] if named else None,
                      "organisation_name": answer_set.get("organisation_name") if named else None})
    # By text, not by arrival: the order of anonymous answers must not match the order in which
    # organisations answered (which the list of respondents shows).
    texts.sort(key=lambda t: (t["text"].casefold(), t["text"], t["organisation_name"] or ""))
    return {"texts": texts}


AGGREGATES = {SINGLE: _choices, MULTIPLE: _choices, SCALE: _scale, NUMBER: _number, FREE_TEXT: _texts}


def aggregate(questions: list[Mapping], answer_sets: list[Mapping]) -> dict:
    """{respondents, questions: [{number, kind, text, required, answered, ...the kind's figures}]}.

    `answer_sets` are [{organisation_id, organisation_name, may_publish_name, answers}] as stored.
    """
    out = []
    for question in questions:
        given = _given(question, answer_sets)
        out.append({"number": question["number"], "kind": question["kind"], "text": question["text"],
                    "required": question["required"], "answered": len(given),
                    **AGGREGATES[question["kind"]](question, given)})
    return {"respondents": len(answer_sets), "questions": out}
