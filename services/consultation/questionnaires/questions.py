"""The questions of a questionnaire: their kinds and what each definition must hold. Pure, no I/O.

A question is stored as a dict with its `number` (1-based position), `kind`, `text`, `required` and
the fields of its kind only:

| kind | fields |
| --- | --- |
| single_choice | options (2-50 labels) |
| multiple_choice | options, min_selections (>= 1), max_selections (<= options) |
| scale | scale_min, scale_max (integers, at most 100 steps), min_label, max_label |
| free_text | max_length (1-5000) |
| number | integer (bool), number_min, number_max (decimal strings, optional) |

Bounds of number questions are decimal strings (numbers.py): exact, never floats.
"""
from __future__ import annotations

from collections.abc import Mapping

from services.consultation.questionnaires import numbers
from services.consultation.questionnaires.domain import InvalidField

SINGLE, MULTIPLE, SCALE, FREE_TEXT, NUMBER = "single_choice", "multiple_choice", "scale", "free_text", "number"
KINDS = (SINGLE, MULTIPLE, SCALE, FREE_TEXT, NUMBER)
KIND_NAMES = {SINGLE: "Scelta singola", MULTIPLE: "Scelta multipla", SCALE: "Scala", FREE_TEXT: "Testo libero",
              NUMBER: "Numero"}
FIELDS = {SINGLE: ("options",), MULTIPLE: ("options", "min_selections", "max_selections"),
          SCALE: ("scale_min", "scale_max", "min_label", "max_label"), FREE_TEXT: ("max_length",),
          NUMBER: ("integer", "number_min", "number_max")}
ALL_FIELDS = tuple(dict.fromkeys(f for fields in FIELDS.values() for f in fields))
MAX_QUESTIONS, MAX_OPTIONS, MAX_SCALE_STEPS, MAX_TEXT = 100, 50, 100, 5000
DEFAULT_TEXT_LENGTH = 2000


def _options(where: str, options) -> list[str]:
    if not isinstance(options, list) or not 2 <= len(options) <= MAX_OPTIONS:
        raise InvalidField(f"{where}.options", f"between 2 and {MAX_OPTIONS} options")
    seen = set()
    for index, label in enumerate(options):
        if not isinstance(label, str) or not label.strip() or len(label) > 300:
            raise InvalidField(f"{where}.options.{index}", "a label of 1 to 300 characters, not blank")
        if label.strip().casefold() in seen:
            raise InvalidField(f"{where}.options.{index}", "the same option twice")
        seen.add(label.strip().casefold())
    return list(options)


def _int(where: str, name: str, value, *, default=None, low=None, high=None) -> int:
    if value is None:
        if default is None:
            raise InvalidField(f"{where}.{name}", "required for this kind of question")
        return default
    if isinstance(value, bool) or not isinstance(value, int):
        raise InvalidField(f"{where}.{name}", "an integer")
    if (low is not None and value < low) or (high is not None and value > high):
        raise InvalidField(f"{where}.{name}", f"between {low} and {high}")
    return value


def _kind_fields(where: str, kind: str, q: Mapping) -> dict:
    if kind == SINGLE:
        return {"options": _options(where, q.get("options"))}
    if kind == MULTIPLE:
        options = _options(where, q.get("options"))
        least = _int(where, "min_selections", q.get("min_selections"), default=1, low=1, high=len(options))
        most = _int(where, "max_selections", q.get("max_selections"), default=len(options), low=least,
                    high=len(options))
        return {"options": options, "min_selections": least, "max_selections": most}
    if kind == SCALE:
        low = _int(where, "scale_min", q.get("scale_min"), low=-100, high=100)
        high = _int(where, "scale_max", q.get("scale_max"), low=low + 1, high=low + MAX_SCALE_STEPS)
        labels = {name: q.get(name) or "" for name in ("min_label", "max_label")}
        for name, label in labels.items():
            if not isinstance(label, str) or len(label) > 100:
                raise InvalidField(f"{where}.{name}", "at most 100 characters")
        return {"scale_min": low, "scale_max": high, **labels}
    if kind == FREE_TEXT:
        return {"max_length": _int(where, "max_length", q.get("max_length"), default=DEFAULT_TEXT_LENGTH, low=1,
                                   high=MAX_TEXT)}
    integer = q.get("integer", False)
    if not isinstance(integer, bool):
        raise InvalidField(f"{where}.integer", "true or false")
    bounds = {}
    for name in ("number_min", "number_max"):
        value = q.get(name)
        if value is not None:
            try:
                parsed = numbers.parse(value, integer=integer)
            except numbers.NotANumber as exc:
                raise InvalidField(f"{where}.{name}", str(exc)) from None
            value = numbers.format_number(parsed)
        bounds[name] = value
    if None not in bounds.values() and numbers.parse(bounds["number_min"]) > numbers.parse(bounds["number_max"]):
        raise InvalidField(f"{where}.number_max", "not less than number_min")
    return {"integer": integer, **bounds}


def check_question(index: int, q: Mapping) -> dict:
    """The question at `index` (0-based) as stored, or a fresh InvalidField naming `questions.<index>...`."""
    where = f"questions.{index}"
    kind = q.get("kind")
    if kind not in KINDS:
        raise InvalidField(f"{where}.kind", f"one of {', '.join(KINDS)}")
    text = q.get("text")
    if not isinstance(text, str) or not text.strip() or len(text) > 1000:
        raise InvalidField(f"{where}.text", "the question: 1 to 1000 characters, not blank")
    for name in ALL_FIELDS:
        if name not in FIELDS[kind] and q.get(name) is not None:
            raise InvalidField(f"{where}.{name}", f"not a field of a {kind} question")
    required = q.get("required", True)
    if not isinstance(required, bool):
        raise InvalidField(f"{where}.required", "true or false")
    return {"number": index + 1, "kind": kind, "text": text, "required": required, **_kind_fields(where, kind, q)}


def check_questions(questions: list) -> list[dict]:
    """The questions as stored, numbered in their order (at most MAX_QUESTIONS)."""
    if len(questions) > MAX_QUESTIONS:
        raise InvalidField("questions", f"at most {MAX_QUESTIONS} questions")
    return [check_question(index, q) for index, q in enumerate(questions)]
