import pytest

from shared.db.migrations import MigrationError, discover, service_migrations
from shared.cli.provision import migrations_folder


def test_platform_tables_come_before_the_service_files():
    versions = [m.version for m in service_migrations("registry", migrations_folder("registry"))]
    platform = [v for v in versions if v.startswith("platform/")]
    assert platform[:2] == ["platform/001", "platform/002"]
    assert versions[:len(platform)] == platform
    assert all(v.startswith("registry/") for v in versions[len(platform):])


def test_badly_named_files_are_refused(tmp_path):
    (tmp_path / "add_table.sql").write_text("SELECT 1;")
    with pytest.raises(MigrationError, match="NNN_description"):
        discover(tmp_path, "x")


def test_two_files_with_one_number_are_refused(tmp_path):
    (tmp_path / "001_a.sql").write_text("SELECT 1;")
    (tmp_path / "001_b.sql").write_text("SELECT 2;")
    with pytest.raises(MigrationError, match="share a number"):
        discover(tmp_path, "x")
