"""Fixtures shared by every test layer. Ids are random, so tests never clean up."""
from __future__ import annotations

import uuid
from pathlib import Path

import pytest
import yaml

from shared.config import Settings
from shared.tenants import load_catalogue

EVENTS_DIR = Path(__file__).resolve().parent.parent / "events"


def random_slug(prefix: str = "t") -> str:
    return f"{prefix}-{uuid.uuid4().hex[:10]}"


def write_catalogue(folder: Path, slugs: list[str], *, reporting_db: str | None = None,
                    extra: list[dict] | None = None) -> Path:
    """A tenant catalogue file with the given tenants (and its own reporting database)."""
    document = {
        "tenants": [{"slug": s, "name": f"Ambito di prova {s}", "region": "basilicata"} for s in slugs]
        + (extra or []),
        "regional_databases": {"reporting": reporting_db or f"reporting_{uuid.uuid4().hex[:10]}"},
    }
    path = folder / "tenants.yaml"
    path.write_text(yaml.safe_dump(document))
    return path


@pytest.fixture(scope="session")
def settings() -> Settings:
    return Settings.from_env()


@pytest.fixture
def catalogue_factory(tmp_path, settings):
    def make(slugs: list[str], **kwargs):
        return load_catalogue(write_catalogue(tmp_path, slugs, **kwargs), settings.database_url)
    return make
