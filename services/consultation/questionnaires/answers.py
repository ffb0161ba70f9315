"""An organisation's answers checked against the questions, per kind: pure, no I/O.

An answer is `{question: <number>, <key>: <value>}`, the key of the question's kind:

| kind | key | value |
| --- | --- | --- |
| single_choice | choice | the option's index (0-based) |
| multiple_choice | choices | option indexes, distinct, min_selections..max_selections of them |
| scale | value | an integer in scale_min..scale_max |
| number | number | a decimal string ("12", "3.75"), whole if `integer`, within the bounds |
| free_text | text | 1..max_length characters, not blank |

A question may be left out unless it is `required`. Every refusal names the question by its number.
"""
from __future__ import annotations

from collections.abc import Mapping

from services.consultation.questionnaires import numbers
from services.consultation.questionnaires.questions import FREE_TEXT, MULTIPLE, NUMBER, SCALE, SINGLE

KEYS = {SINGLE: "choice", MULTIPLE: "choices", SCALE: "value", NUMBER: "number", FREE_TEXT: "text"}
ANSWER_KEYS = ("choice", "choices", "value", "number", "text")


class InvalidAnswers(ValueError):
    """Some answers do not fit their questions: `errors` is [(question number, message)], in order."""

    def __init__(self, errors: list[tuple[object, str]]):
        super().__init__("; ".join(f"question {n}: {m}" for n, m in errors))
        self.errors = errors


def _is_int(value) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _choice(q: Mapping, value) -> str | None:
    if not _is_int(value) or not 0 <= value < len(q["options"]):
        return f"choice must be an option index from 0 to {len(q['options']) - 1}"
    return None


def _choices(q: Mapping, value) -> str | None:
    if not isinstance(value, list) or not all(_is_int(v) for v in value):
        return "choices must be a list of option indexes"
    if any(not 0 <= v < len(q["options"]) for v in value):
        return f"choices must be option indexes from 0 to {len(q['options']) - 1}"
    if len(set(value)) != len(value):
        return "the same option chosen twice"
    if not q["min_selections"] <= len(value) <= q["max_selections"]:
        return f"choose from {q['min_selections']} to {q['max_selections']} options"
    return None


def _scale(q: Mapping, value) -> str | None:
    if not _is_int(value) or not q["scale_min"] <= value <= q["scale_max"]:
        return f"value must be an integer from {q['scale_min']} to {q['scale_max']}"
    return None


def _number(q: Mapping, value) -> str | None:
    try:
        number = numbers.parse(value, integer=q["integer"])
    except numbers.NotANumber as exc:
        return str(exc)
    if q.get("number_min") is not None and number < numbers.parse(q["number_min"]):
        return f"at least {q['number_min']}"
    if q.get("number_max") is not None and number > numbers.parse(q["number_max"]):
        return f"at most {q['number_max']}"
    return None


def _text(q: Mapping, value) -> str | None:
    if not isinstance(value, str) or not value.strip():
        return "text must not be blank"
    if len(value) > q["max_length"]:
        return f"at most {q['max_length']} characters"
    return None


CHECKS = {SINGLE: _choice, MULTIPLE: _choices, SCALE: _scale, NUMBER: _number, FREE_TEXT: _text}


def _normalised(q: Mapping, value):
    if q["kind"] == NUMBER:
        return numbers.format_number(numbers.parse(value))
    if q["kind"] == MULTIPLE:
        return sorted(value)
    return value


def check_answers(questions: list[Mapping], answers: list[Mapping]) -> list[dict]:
    """The answers as stored (in question order, only the kind's key), or a fresh InvalidAnswers naming
    every question that is wrong: unknown, answered twice, with another kind's key, out of its rules, or
    required and missing."""
    by_number = {q["number"]: q for q in questions}
    errors, given = [], {}
    for answer in answers:
        number = answer.get("question")
        q = by_number.get(number) if _is_int(number) else None
        if q is None:
            errors.append((number, "no such question in this questionnaire"))
            continue
        if number in given:
            errors.append((number, "answered twice"))
            continue
        key = KEYS[q["kind"]]
        others = [k for k in ANSWER_KEYS if k != key and answer.get(k) is not None]
        if others:
            errors.append((number, f"a {q['kind']} question is answered with `{key}`, not `{others[0]}`"))
            continue
        if answer.get(key) is None:
            errors.append((number, f"`{key}` is missing"))
            continue
        problem = CHECKS[q["kind"]](q, answer[key])
        if problem:
            errors.append((number, problem))
            continue
        given[number] = {"question": number, key: _normalised(q, answer[key])}
    for q in questions:
        if q["required"] and q["number"] not in given and not any(n == q["number"] for n, _ in errors):
            errors.append((q["number"], "an answer is required"))
    if errors:
        raise InvalidAnswers(errors)
    return [given[n] for n in sorted(given)]
