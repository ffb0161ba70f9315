"""The open datasets the suite publishes for a region, and where each distribution is served.

A dataset is open when anyone can download it without a login. A distribution names the service that
serves it, the route's endpoint (reporting's own distributions are listed only when this process
serves that endpoint publicly: a route still to come, or one behind a token, is not advertised) and
its path. Registry's distributions are the public exports of each Ambito's register
(services/registry/exports: organisations only, D.Lgs. 33/2013).

Vocabularies: data themes and file types of the EU Publications Office (the ones DCAT-AP_IT names),
frequencies of its Frequency authority list.
"""
from __future__ import annotations

from dataclasses import dataclass

EU = "http://publications.europa.eu/resource/authority"
THEMES = {"SOCI": f"{EU}/data-theme/SOCI", "GOVE": f"{EU}/data-theme/GOVE", "ECON": f"{EU}/data-theme/ECON"}
FILE_TYPES = {"CSV": ("text/csv", f"{EU}/file-type/CSV"), "JSON": ("application/json", f"{EU}/file-type/JSON"),
              "XLSX": ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", f"{EU}/file-type/XLSX")}
FREQUENCIES = {"UPDATE_CONT": f"{EU}/frequency/UPDATE_CONT", "IRREG": f"{EU}/frequency/IRREG"}


@dataclass(frozen=True)
class DistributionSpec:
    format: str                 # a key of FILE_TYPES
    service: str                # reporting | registry
    endpoint: str               # the Flask endpoint serving it (checked for reporting's own)
    path: str                   # with {region} / {tenant}


@dataclass(frozen=True)
class DatasetSpec:
    key: str                    # the local identifier (with {tenant} for one dataset per Ambito)
    title: str                  # Italian, with {region_name} / {tenant_name}
    description: str
    themes: tuple[str, ...]
    keywords: tuple[str, ...]
    frequency: str              # a key of FREQUENCIES
    distributions: tuple[DistributionSpec, ...]
    per_ambito: bool = False    # one dataset per Ambito of the region (its rights holder is the Ambito)


REGIONAL = (
    DatasetSpec(
        key="statistiche-piani-sociali-di-zona",
        title="Statistiche dei Piani Sociali di Zona – {region_name}",
        description=("Indicatori dei Piani Sociali di Zona degli Ambiti Territoriali Sociali della regione: spesa "
                     "sociale per abitante per area e per fondo, risorse programmate, impegnate e liquidate, LEPS "
                     "coperti, soggetti della rete, partecipazione ai tavoli, avanzamento degli interventi. Una riga "
                     "per indicatore, territorio (Ambito o codice ISTAT), periodo (anno o trimestre ISO), valore, "
                     "unità e istante di aggiornamento; l'anno in corso (?period= per un altro anno o trimestre). "
                     "Solo dati aggregati: nessun dato personale."),
        themes=("SOCI", "GOVE", "ECON"),
        keywords=("piano sociale di zona", "ambito territoriale sociale", "spesa sociale", "LEPS", "L. 328/2000"),
        frequency="UPDATE_CONT",
        # The statistics feed of the regional office (regional_api.py, behind a token) served openly: the same rows.
        distributions=(DistributionSpec("CSV", "reporting", "opendata.StatisticsCsv",
                                        "/v1/regions/{region}/opendata/statistiche.csv"),
                       DistributionSpec("JSON", "reporting", "opendata.StatisticsJson",
                                        "/v1/regions/{region}/opendata/statistiche.json")),
    ),
)

PER_AMBITO = (
    DatasetSpec(
        key="registro-soggetti-{tenant}",
        title="Registro dei soggetti della rete – {tenant_name}",
        description=("Organizzazioni iscritte alla rete del Piano Sociale di Zona dell'Ambito (enti del Terzo "
                     "settore con sezione RUNTS, comuni, scuole, aziende sanitarie, …): tipo, sezione RUNTS, stato. "
                     "Solo organizzazioni: nessun dato personale (D.Lgs. 33/2013)."),
        themes=("SOCI", "GOVE"),
        keywords=("terzo settore", "RUNTS", "coprogrammazione", "piano sociale di zona"),
        frequency="IRREG",
        distributions=(DistributionSpec("CSV", "registry", "exports.StakeholdersCsv", "/v1/{tenant}/public/stakeholders.csv"),
                       DistributionSpec("XLSX", "registry", "exports.StakeholdersXlsx",
                                        "/v1/{tenant}/public/stakeholders.xlsx")),
        per_ambito=True,
    ),
)

DATASETS = REGIONAL + PER_AMBITO
