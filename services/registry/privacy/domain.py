"""Access-log vocabulary, pure: what was done to which kind of personal record."""
from __future__ import annotations

# The actions the access log records (the CHECK of migration registry/006 lists the same).
ACTIONS = (
    "read",     # someone was shown the record (GET /applications/{id} shows the people it names)
    "create",   # the record was written (an application names its legal representative and contact person)
    "update",   # the record was changed (no endpoint changes a person's data today: reserved)
    "erase",    # the record was deleted by an erasure request (POST /privacy/erasures)
)
# The kinds of record (the CHECK of migration registry/009): people named by applications.
RESOURCES = ("person",)
