"""Progress rules, pure: periods (ISO year + quarter), percentages and output figures as Decimal, consistency.

A progress record says, for one intervention and one quarter, its status, how far it is (0-100 %, two
decimals), what it produced (output indicators: name -> figure, e.g. "utenti serviti" -> 42) and, once
started, its actual start. Figures are exact decimals (never float): a float read from a JSON number or
a spreadsheet cell goes through its shortest text form first, so 37.5 is 37.50 and 0.1 is 0.10.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation

from services.budget.interventions.domain import STARTED, STATUSES, InvalidField

PERCENT_RE = re.compile(r"^(?:100(?:\.0{1,2})?|[0-9]{1,2}(?:\.[0-9]{1,2})?)$")
FIGURE_RE = re.compile(r"^(?:0|[1-9][0-9]{0,11})(?:\.[0-9]{1,2})?$")
CENT = Decimal("0.01")
MAX_OUTPUTS = 30
MAX_OUTPUT_NAME = 100
ITALIAN_STATUS = {"planned": "programmato", "active": "in corso", "suspended": "sospeso", "completed": "concluso",
                  "cancelled": "annullato"}


@dataclass(frozen=True, order=True)
class Period:
    """An ISO year and quarter, e.g. 2025-Q3."""

    year: int
    quarter: int

    def __str__(self) -> str:
        return f"{self.year}-Q{self.quarter}"

    @property
    def first_day(self) -> date:
        return date(self.year, 3 * self.quarter - 2, 1)

    @property
    def last_day(self) -> date:
        if self.quarter == 4:
            return date(self.year, 12, 31)
        return date.fromordinal(date(self.year, 3 * self.quarter + 1, 1).toordinal() - 1)


def _text_of(value) -> str:
    """The decimal text of a JSON or spreadsheet value: str as is, int, float by its shortest repr."""
    if isinstance(value, bool):
        raise ValueError("not a number")
    if isinstance(value, float):
        if value != value or value in (float("inf"), float("-inf")):
            raise ValueError("not a number")
        text = repr(value)
        if "e" in text or "E" in text:
            text = format(Decimal(text), "f")
        return text[:-2] if text.endswith(".0") else text
    if isinstance(value, (int, Decimal)):
        return str(value)
    if isinstance(value, str):
        return value.strip()
    raise ValueError("not a number")


def parse_percent(value, *, comma: bool = False) -> Decimal:
    """A percentage 0-100 with at most two decimals, as Decimal with two places (ValueError if not one)."""
    text = _text_of(value)
    if comma:
        text = text.replace(",", ".")
    if not PERCENT_RE.fullmatch(text):
        raise ValueError("a percentage is a number from 0 to 100 with at most two decimals, e.g. 37.5")
    return Decimal(text).quantize(CENT)


def parse_figure(value, *, comma: bool = False) -> Decimal:
    """An output figure: >= 0, up to 12 integer digits and two decimals (ValueError if not one)."""
    text = _text_of(value)
    if comma:
        text = text.replace(",", ".")
    if not FIGURE_RE.fullmatch(text):
        raise ValueError("a figure is a number >= 0 with at most two decimals, e.g. 42 or 12.5")
    try:
        return Decimal(text)
    except InvalidOperation:  # not reachable through the pattern
        raise ValueError("not a number") from None


def figure_text(value: Decimal) -> str:
    """A figure as the API and the events write it: no exponent, no trailing zeros (42, 12.5)."""
    text = format(value, "f")
    return text.rstrip("0").rstrip(".") if "." in text else text


class RecordRefused(InvalidField):
    """A progress record is refused: `message` for the API, `italian` for the upload's report."""

    def __init__(self, field: str, message: str, italian: str):
        super().__init__(field, message)
        self.italian = italian


def check_outputs(outputs: dict) -> dict[str, Decimal]:
    """The output indicators as {name: Decimal}; names are trimmed, non-empty, distinct."""
    if len(outputs) > MAX_OUTPUTS:
        raise RecordRefused("outputs", f"at most {MAX_OUTPUTS} output indicators",
                            f"al massimo {MAX_OUTPUTS} indicatori di output")
    result: dict[str, Decimal] = {}
    for name, value in outputs.items():
        clean = " ".join(str(name).split())
        if not clean or len(clean) > MAX_OUTPUT_NAME:
            raise RecordRefused("outputs", f"an indicator's name is 1 to {MAX_OUTPUT_NAME} characters",
                                f"il nome di un indicatore ha da 1 a {MAX_OUTPUT_NAME} caratteri")
        if clean in result:
            raise RecordRefused(f"outputs.{clean}", "the indicator is named twice",
                                f"l'indicatore «{clean}» compare due volte")
        try:
            result[clean] = value if isinstance(value, Decimal) else parse_figure(value)
        except ValueError as exc:
            raise RecordRefused(f"outputs.{clean}", str(exc), f"l'indicatore «{clean}» non è un numero >= 0 con "
                                                               "al più due decimali") from None
    return result


def check_record(*, period: Period, status: str, percentage: Decimal, actual_start: date | None,
                 first_year: int, today: date) -> None:
    """A period's record is consistent: a quarter that has begun, of the plan or later; status and figures agree.

    `actual_start` is the record's, or else the intervention's."""
    if period.year < first_year:
        raise RecordRefused("year", f"the plan starts in {first_year}", f"il piano inizia nel {first_year}")
    if period.first_day > today:
        raise RecordRefused("quarter", f"{period} has not begun yet: progress is recorded for past or current "
                                       "quarters", f"il trimestre {period} non è ancora iniziato")
    if status not in STATUSES:
        raise RecordRefused("status", f"must be one of {', '.join(STATUSES)}", "stato sconosciuto")
    if status == "planned" and (percentage != 0 or actual_start is not None):
        raise RecordRefused("status", "an intervention still planned has 0 % progress and no actual start",
                            "un intervento ancora programmato ha avanzamento 0 e nessuna data di avvio")
    if status == "completed" and percentage != 100:
        raise RecordRefused("percentage", "a completed intervention is at 100 %",
                            "un intervento concluso ha avanzamento 100")
    if status in STARTED and actual_start is None:
        raise RecordRefused("actual_start", f"an intervention that is {status} has an actual start",
                            f"manca la data di avvio effettivo (stato {ITALIAN_STATUS[status]})")
    if actual_start is not None and actual_start > period.last_day:
        raise RecordRefused("actual_start", f"comes after the end of {period}",
                            f"la data di avvio effettivo è successiva alla fine del trimestre {period}")
