"""The import rules of DESIGN.md §1, checked with import-linter (.importlinter)."""
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def _lint(config: Path) -> subprocess.CompletedProcess:
    exe = Path(sys.executable).parent / "lint-imports"
    return subprocess.run([str(exe), "--config", str(config), "--no-cache"], cwd=ROOT,
                          capture_output=True, text=True)


def test_no_service_imports_another_and_shared_imports_none():
    result = _lint(ROOT / ".importlinter")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "2 kept, 0 broken" in result.stdout


def test_the_check_catches_a_cross_service_import(tmp_path):
    # Copy the code, add one forbidden import, and the same contracts must break.
    for name in ("shared", "services"):
        shutil.copytree(ROOT / name, tmp_path / name, ignore=shutil.ignore_patterns("__pycache__"))
    (tmp_path / "services" / "reporting" / "leak.py").write_text("from services.registry import taxcodes\n")
    shutil.copy(ROOT / ".importlinter", tmp_path / ".importlinter")
    exe = Path(sys.executable).parent / "lint-imports"
    result = subprocess.run([str(exe), "--no-cache"], cwd=tmp_path, capture_output=True, text=True,
                            env={"PYTHONPATH": str(tmp_path), "PATH": "/usr/bin:/bin"})
    assert result.returncode != 0
    assert "BROKEN" in result.stdout
