"""The map of services (mappatura dell'offerta): pure rules, no I/O.

An entry is one service or resource an organisation of the register offers on
the territory: a thematic area of the region, a target group
(services/consultation/targets.py), the comuni served, a capacity with its
unit, opening hours, accreditation and the service's own contacts. Entries are
never deleted: retiring one keeps it, and the entries of a withdrawn
organisation stay, marked, out of the current map.
"""
from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from datetime import date
from types import MappingProxyType

from services.consultation.members.domain import IN_EFFECT, membership_state
from services.consultation.tables.access import Caller, acting_for
from services.consultation.targets import TARGET_GROUPS

ACTIVE, RETIRED = "active", "retired"
STATUSES = (ACTIVE, RETIRED)

CAPACITY_UNITS = MappingProxyType({
    "posti": "posti",
    "utenti-anno": "utenti/anno",
    "ore-settimana": "ore/settimana",
    "accessi-anno": "accessi/anno",
    "nuclei-anno": "nuclei familiari/anno",
    "pasti-giorno": "pasti/giorno",
})
WEEKDAYS = ("lun", "mar", "mer", "gio", "ven", "sab", "dom")
WEEKDAY_NAMES = ("lunedì", "martedì", "mercoledì", "giovedì", "venerdì", "sabato", "domenica")
TIME_RE = re.compile(r"^(?:[01][0-9]|2[0-3]):[0-5][0-9]$|^24:00$")
# The shape of a person's codice fiscale (omocodia letters included), anywhere in a text, any case:
# a mistyped check letter is still someone's personal data, so the shape is enough to refuse it.
_D = "[0-9LMNPQRSTUV]"
PERSONAL_CODE_RE = re.compile(rf"(?<![A-Z0-9])[A-Z]{{6}}{_D}{{2}}[ABCDEHLMPRST]{_D}{{2}}[A-Z]{_D}{{3}}[A-Z](?![A-Z0-9])",
                              re.IGNORECASE)


class InvalidOffer(ValueError):
    """The entry breaks a rule; `errors` are (field, message) pairs (the API answers 422 naming them)."""

    def __init__(self, errors: list[tuple[str, str]]):
        super().__init__("; ".join(f"{field}: {message}" for field, message in errors))
        self.errors = errors


class OfferRetired(Exception):
    """The entry was retired: it stays as it was (the API answers 409)."""


def minutes(hhmm: str) -> int:
    hours, mins = hhmm.split(":")
    return int(hours) * 60 + int(mins)


def hours_errors(ranges: Sequence[Mapping], field: str = "opening_hours") -> list[tuple[str, str]]:
    """What is wrong with weekday ranges {day_from, day_to, opens, closes}: order, times, overlaps on a day."""
    errors: list[tuple[str, str]] = []
    taken: dict[int, list[tuple[int, int, int]]] = {}
    for i, item in enumerate(ranges):
        where = f"{field}.{i}"
        first, last = item.get("day_from"), item.get("day_to") or item.get("day_from")
        if first not in WEEKDAYS or last not in WEEKDAYS:
            errors.append((where, f"Days are one of {', '.join(WEEKDAYS)}."))
            continue
        if WEEKDAYS.index(last) < WEEKDAYS.index(first):
            errors.append((f"{where}.day_to", "The range runs from Monday towards Sunday: day_to comes after day_from."))
            continue
        opens, closes = item.get("opens"), item.get("closes")
        if not (isinstance(opens, str) and TIME_RE.match(opens) and opens != "24:00"):
            errors.append((f"{where}.opens", "A time HH:MM from 00:00 to 23:59."))
            continue
        if not (isinstance(closes, str) and TIME_RE.match(closes)):
            errors.append((f"{where}.closes", "A time HH:MM from 00:01 to 24:00."))
            continue
        start, end = minutes(opens), minutes(closes)
        if end <= start:
            errors.append((f"{where}.closes", "Must come after opens (past midnight: end at 24:00 and"
                                              " go on the next day)."))
            continue
        for day in range(WEEKDAYS.index(first), WEEKDAYS.index(last) + 1):
            for other_start, other_end, other in taken.get(day, []):
                if start < other_end and other_start < end:
                    errors.append((where, f"Overlaps {field}.{other} on {WEEKDAY_NAMES[day]}."))
                    break
            taken.setdefault(day, []).append((start, end, i))
    return list(dict.fromkeys(errors))


def accreditation_errors(*, accredited: bool, by: str | None, since: date | None,
                         today: date) -> list[tuple[str, str]]:
    """By whom and since when are said of an accredited service only, and `since` is not in the future."""
    errors = []
    if not accredited:
        errors += [(name, "Only for an accredited service (accredited: true).")
                   for name, value in (("accredited_by", by), ("accredited_since", since)) if value is not None]
    elif since is not None and since > today:
        errors.append(("accredited_since", "Cannot be in the future."))
    return errors


def personal_code_fields(values: object, prefix: str = "") -> list[str]:
    """The fields (dotted paths) of any text in `values` that holds a person's codice fiscale."""
    if isinstance(values, str):
        return [prefix or "(body)"] if PERSONAL_CODE_RE.search(values) else []
    if isinstance(values, Mapping):
        items = values.items()
    elif isinstance(values, (list, tuple)):
        items = enumerate(values)
    else:
        return []
    found = []
    for key, value in items:
        found += personal_code_fields(value, f"{prefix}.{key}" if prefix else str(key))
    return found


def check_entry(entry: Mapping, *, area_codes: Iterable[str] | None, comuni: Iterable[str] | None,
                today: date) -> None:
    """Raise InvalidOffer naming every broken rule of the whole entry (after a change: the merged entry).

    `area_codes`: the region's thematic areas (None: the region plans by none);
    `comuni`: the Ambito's comuni from the territory replica, or None before its profile has arrived
    (then any well-formed ISTAT code is taken)."""
    errors = [(name, "A person's codice fiscale is personal data: the map holds services, not people.")
              for name in personal_code_fields(entry)]
    known_areas = set(area_codes or ())
    if entry["area"] not in known_areas:
        listed = ", ".join(sorted(known_areas)) or "none configured for this region"
        errors.append(("area", f"Unknown thematic area {entry['area']!r}; known: {listed}."))
    if entry["target_group"] not in TARGET_GROUPS:
        errors.append(("target_group", f"One of {', '.join(TARGET_GROUPS)}."))
    if comuni is not None:
        known_comuni = set(comuni)
        errors += [(f"comuni.{i}", f"{code} is not a comune of this Ambito.")
                   for i, code in enumerate(entry["comuni"]) if code not in known_comuni]
    errors += hours_errors(entry.get("opening_hours") or [])
    errors += accreditation_errors(accredited=bool(entry.get("accredited")), by=entry.get("accredited_by"),
                                   since=entry.get("accredited_since"), today=today)
    if errors:
        raise InvalidOffer(errors)


def ensure_changeable(entry: Mapping) -> None:
    """A retired entry is history: neither changed nor retired again."""
    if entry["status"] == RETIRED:
        raise OfferRetired(entry.get("id"))


def is_current(*, status: str, organisation_status: str | None) -> bool:
    """In the current map: not retired, and its organisation has not withdrawn (a suspended one's stay)."""
    return status == ACTIVE and organisation_status != "withdrawn"


def represents(caller: Caller, organisation_id, *, memberships: Iterable[Mapping], history, status: str) -> bool:
    """The caller is a representative of the organisation through a table membership in force now.

    `memberships` are the organisation's table_members rows (organisation_id, accounts, state,
    joined_version); `history` its replicated (version, status) pairs and `status` the current one: a
    membership a withdrawal ended, or a suspension pauses, does not count (members/domain.py)."""
    in_force = [m for m in memberships if m.get("state") == "member"
                and membership_state(joined_version=m["joined_version"], history=history, status=status) == IN_EFFECT]
    return organisation_id in acting_for(caller, in_force)
