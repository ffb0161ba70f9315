"""The Region's deadlines for its Ambiti, and its open-data office: configuration, never code.

Read once per process from PDZ_CAMPAIGNS_FILE (deploy/local/campaigns.yaml; in Kubernetes a copy in
the pdz-tenants ConfigMap) and checked at start: a wrong file stops the process, the error naming the
entry (`campaigns.basilicata.2025[2].fund`). Fund codes are checked against the budget reference
file (PDZ_BUDGET_REFERENCE_FILE, read as plain YAML: reporting imports no other service's code).
"""
from __future__ import annotations

import os
import re
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import yaml

REPO_ROOT = Path(__file__).resolve().parents[3]
DEFAULT_FILE = REPO_ROOT / "deploy" / "local" / "campaigns.yaml"
DEFAULT_REFERENCE = REPO_ROOT / "deploy" / "local" / "budget-reference.yaml"
KINDS = ("plan_submission", "yearly_update", "fund_reporting")
CODE_RE = re.compile(r"^[a-z0-9][a-z0-9-]{1,60}$")
IPA_RE = re.compile(r"^[A-Za-z0-9_]{2,20}$")
EMAIL_RE = re.compile(r"^[^@\s]+@[^@\s]+\.[a-z]{2,}$")


class CampaignsError(ValueError):
    """The campaigns file is not valid; the message names the entry."""


@dataclass(frozen=True)
class Deadline:
    """One deadline of a regional campaign (scadenza)."""
    code: str
    kind: str                       # plan_submission | yearly_update | fund_reporting
    title: str                      # Italian, what the regional office reads
    due: date                       # the last day (inclusive, Europe/Rome)
    first_year: int | None = None   # plan_submission: the triennium's first year
    reference_year: int | None = None   # yearly_update: the year the update is for
    fund: str | None = None         # fund_reporting: budget's fund code, e.g. FNA
    fund_year: int | None = None    # fund_reporting: the fund's year being reported


@dataclass(frozen=True)
class Office:
    """The regional office: DCAT-AP_IT publisher, rights holder and contact point of the open data."""
    region: str
    name: str
    ipa_code: str                   # the Region's code in the Indice PA (IPA)
    email: str                      # an office's address, never a person's
    homepage: str
    ambiti_ipa: tuple = ()          # ((tenant slug, the Ambito's own IPA code), ...), when the Region knows them

    def ambito_identifier(self, slug: str) -> str:
        """The Ambito's IPA code if configured, else ats-<slug> (the suite's own identifier)."""
        return dict(self.ambiti_ipa).get(slug, f"ats-{slug}")


@dataclass(frozen=True)
class Campaigns:
    deadlines: dict                 # (region, year) -> tuple[Deadline, ...], ordered by due date
    offices: dict                   # region -> Office

    def for_year(self, region: str, year: int) -> tuple[Deadline, ...]:
        return self.deadlines.get((region, year), ())

    def years(self, region: str) -> list[int]:
        return sorted(y for r, y in self.deadlines if r == region)


def _year(value, where: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not 2000 <= value <= 2100:
        raise CampaignsError(f"{where} must be a year (2000-2100), got {value!r}")
    return value


def _text(entry: dict, key: str, where: str) -> str:
    value = entry.get(key)
    if not isinstance(value, str) or not value.strip():
        raise CampaignsError(f"{where}.{key} is required (text)")
    return value.strip()


def _deadline(entry, where: str, funds: dict[str, str]) -> Deadline:
    if not isinstance(entry, dict):
        raise CampaignsError(f"{where} must be a mapping")
    code, kind = _text(entry, "code", where), entry.get("kind")
    if not CODE_RE.match(code):
        raise CampaignsError(f"{where}.code {code!r} must be lower-case words joined by '-'")
    if kind not in KINDS:
        raise CampaignsError(f"{where}.kind must be one of {', '.join(KINDS)}")
    due = entry.get("due")
    if not isinstance(due, date):
        raise CampaignsError(f"{where}.due must be a date (YYYY-MM-DD)")
    known = {"code", "kind", "due", "title"} | {
        "plan_submission": {"first_year"}, "yearly_update": {"reference_year"},
        "fund_reporting": {"fund", "fund_year"}}[kind]
    unknown = sorted(set(entry) - known)
    if unknown:
        raise CampaignsError(f"{where} has an unknown key {unknown[0]!r} for kind {kind}")
    if kind == "plan_submission":
        first = _year(entry.get("first_year"), f"{where}.first_year")
        default = f"Invio alla Regione del Piano Sociale di Zona {first}-{first + 2}"
        return Deadline(code, kind, entry.get("title") or default, due, first_year=first)
    if kind == "yearly_update":
        ref = _year(entry.get("reference_year"), f"{where}.reference_year")
        return Deadline(code, kind, entry.get("title") or f"Invio alla Regione dell'aggiornamento annuale {ref} del Piano",
                        due, reference_year=ref)
    fund = _text(entry, "fund", where)
    if funds and fund not in funds:
        raise CampaignsError(f"{where}.fund {fund!r} is not a fund of the budget reference ({', '.join(sorted(funds))})")
    year = _year(entry.get("fund_year"), f"{where}.fund_year")
    default = f"Rendicontazione {funds.get(fund, fund)}, annualità {year}"
    return Deadline(code, kind, entry.get("title") or default, due, fund=fund, fund_year=year)


def _office(region: str, entry, where: str) -> Office:
    if not isinstance(entry, dict):
        raise CampaignsError(f"{where} must be a mapping")
    ambiti = entry.get("ambiti_ipa") or {}
    if not isinstance(ambiti, dict) or not all(isinstance(v, str) and IPA_RE.match(v) for v in ambiti.values()):
        raise CampaignsError(f"{where}.ambiti_ipa must map an Ambito's slug to its IPA code")
    office = Office(region, _text(entry, "name", where), _text(entry, "ipa_code", where),
                    _text(entry, "email", where), _text(entry, "homepage", where),
                    tuple(sorted((str(k), v) for k, v in ambiti.items())))
    if not IPA_RE.match(office.ipa_code):
        raise CampaignsError(f"{where}.ipa_code {office.ipa_code!r} is not an IPA code")
    if not EMAIL_RE.match(office.email):
        raise CampaignsError(f"{where}.email {office.email!r} is not an e-mail address")
    if not office.homepage.startswith(("https://", "http://")):
        raise CampaignsError(f"{where}.homepage must be an http(s) URL")
    return office


def parse_campaigns(data: object, *, regions: set[str], funds: dict[str, str]) -> Campaigns:
    """Validate the document: every region known (regions.yaml), every fund known, codes unique per year."""
    if not isinstance(data, dict) or not isinstance(data.get("campaigns"), dict):
        raise CampaignsError("the campaigns file must be a mapping with a 'campaigns' mapping")
    offices = {}
    for region, entry in (data.get("offices") or {}).items():
        if region not in regions:
            raise CampaignsError(f"offices.{region}: unknown region (deploy/local/regions.yaml)")
        offices[region] = _office(region, entry, f"offices.{region}")
    deadlines = {}
    for region, years in data["campaigns"].items():
        where = f"campaigns.{region}"
        if region not in regions:
            raise CampaignsError(f"{where}: unknown region (deploy/local/regions.yaml)")
        if not isinstance(years, dict):
            raise CampaignsError(f"{where} must map a year to a list of deadlines")
        for year, entries in years.items():
            at = f"{where}.{year}"
            _year(year, at)
            if not isinstance(entries, list):
                raise CampaignsError(f"{at} must be a list of deadlines")
            parsed = [_deadline(e, f"{at}[{i}]", funds) for i, e in enumerate(entries)]
            codes = [d.code for d in parsed]
            if len(set(codes)) != len(codes):
                raise CampaignsError(f"{at}: deadline codes must be unique ({sorted(c for c in codes if codes.count(c) > 1)[0]})")
            deadlines[(region, year)] = tuple(sorted(parsed, key=lambda d: (d.due, d.code)))
    return Campaigns(deadlines, offices)


def _read(path: Path, what: str):
    try:
        return yaml.safe_load(Path(path).read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise CampaignsError(f"{what} not found: {path}") from None
    except yaml.YAMLError as exc:
        raise CampaignsError(f"{path}: not valid YAML ({exc})") from None


def fund_names(reference_file: Path) -> dict[str, str]:
    """Budget's fund codes and names, from its reference file (plain YAML)."""
    data = _read(reference_file, "budget reference file") or {}
    return {str(f["code"]): str(f.get("name") or f["code"]) for f in data.get("funds") or [] if isinstance(f, dict)}


def load_campaigns(*, path: Path | None = None, reference_file: Path | None = None,
                   regions: set[str]) -> Campaigns:
    """The campaigns file (PDZ_CAMPAIGNS_FILE, else deploy/local/campaigns.yaml), checked."""
    path = Path(path or os.environ.get("PDZ_CAMPAIGNS_FILE") or DEFAULT_FILE)
    reference = Path(reference_file or os.environ.get("PDZ_BUDGET_REFERENCE_FILE") or DEFAULT_REFERENCE)
    try:
        return parse_campaigns(_read(path, "campaigns file"), regions=regions, funds=fund_names(reference))
    except CampaignsError as exc:
        raise CampaignsError(f"{path}: {exc}") from None
