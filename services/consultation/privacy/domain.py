"""Access-log vocabulary and name matching, pure."""
from __future__ import annotations

import unicodedata

# The actions the access log records (the CHECK of migration consultation/009 lists the same).
ACTIONS = (
    "read",     # someone was shown an attendance entry naming a person
    "create",   # an entry naming a person was recorded
    "update",   # such an entry was changed
    "erase",    # the person's name and role were removed by an erasure request
)
# The kinds of record: attendance entries that name a person.
RESOURCES = ("attendee",)


def normalise_name(name: str) -> str:
    """A person's name as stored and matched: NFC, single spaces, no spaces around."""
    return " ".join(unicodedata.normalize("NFC", name).split())
