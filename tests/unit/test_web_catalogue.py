"""The message catalogue's template lists every text the pages mark for translation: a text added to a
page without re-extracting (docs/console.md, "Italian") would be missing from another language's file."""
from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parents[2]
POT = ROOT / "shared/web/translations/messages.pot"


def _ids(path: Path) -> set:
    with path.open("rb") as handle:
        return {message.id for message in read_po(handle) if message.id}


def test_the_catalogue_template_is_extracted_from_the_current_pages(tmp_path):
    fresh = tmp_path / "messages.pot"
    subprocess.run([sys.executable, "-m", "babel.messages.frontend", "extract", "-F", "shared/web/babel.cfg",
                    "-k", "_l", "-k", "lazy_gettext", "--no-location", "--sort-output", "--project", "pdz",
                    "-o", str(fresh), "shared/web", "services"], cwd=ROOT, check=True, capture_output=True)
    missing, stale = _ids(fresh) - _ids(POT), _ids(POT) - _ids(fresh)
    assert not missing and not stale, (
        f"re-extract messages.pot (docs/console.md): {len(missing)} new texts, e.g. {sorted(map(str, missing))[:3]};"
        f" {len(stale)} gone, e.g. {sorted(map(str, stale))[:3]}")
