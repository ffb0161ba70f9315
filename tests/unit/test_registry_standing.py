"""Which applications hold an organisation's place in a call: the domain and the unique index agree."""
import re

from shared.cli.provision import migrations_folder

from services.registry.applications.domain import REVIEW, STANDING


def test_a_rejected_application_does_not_stand():
    assert set(STANDING) < set(REVIEW) and "rejected" not in STANDING


def test_the_partial_unique_index_counts_the_standing_statuses():
    sql = (migrations_folder("registry") / "007_standing_applications.sql").read_text()
    match = re.search(r"ON applications \(call_id, tax_code\)\s+WHERE status IN \(([^)]*)\)", sql)
    assert match, "migration 007 no longer declares the partial unique index"
    assert {s.strip().strip("'") for s in match.group(1).split(",")} == set(STANDING)
