"""``eurasiawatch db …`` through Typer's CliRunner, against a temporary data dir (and PG schema)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from eurasiawatch.cli import app
from eurasiawatch.config import Settings
from eurasiawatch.store import open_database


def _env(settings: Settings) -> dict[str, str]:
    env = {"EURASIAWATCH_DATA_DIR": settings.data_dir}
    if settings.database_url:
        env |= {
            "EURASIAWATCH_DATABASE_URL": settings.database_url,
            "EURASIAWATCH_DATABASE_SCHEMA": settings.database_schema,
        }
    return env


@pytest.fixture
def run(cli: CliRunner, db_settings: Settings, monkeypatch: pytest.MonkeyPatch):
    for name in ("EURASIAWATCH_CONFIG", "EURASIAWATCH_DATABASE_URL", "EURASIAWATCH_DATABASE_SCHEMA"):
        monkeypatch.delenv(name, raising=False)
    env = _env(db_settings)

    def invoke(*args: str, input: str | None = None):
        return cli.invoke(app, list(args), env=env, input=input)

    return invoke


def test_current_upgrade_downgrade(run, db_settings: Settings) -> None:
    result = run("db", "current")
    assert result.exit_code == 0, result.output
    assert "(none)" in result.output and "eurasiawatch db upgrade" in result.output

    result = run("db", "upgrade")
    assert result.exit_code == 0, result.output
    with open_database(db_settings) as db:
        head = db.head()
        assert db.current() == head
    assert f"revision {head}" in result.output

    result = run("db", "current", "--json")
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout) == {"current": head, "head": head, "up_to_date": True}

    result = run("db", "downgrade", "base")
    assert result.exit_code == 0, result.output
    assert "(none)" in result.output


def test_backup_and_restore(run, db_settings: Settings, tmp_path: Path) -> None:
    assert run("db", "upgrade").exit_code == 0
    target = tmp_path / "b.bak"
    result = run("db", "backup", str(target))
    assert result.exit_code == 0, result.output
    assert target.is_file()
    assert run("db", "downgrade", "base").exit_code == 0

    result = run("db", "restore", str(target), input="n\n")
    assert result.exit_code == 1  # aborted at the prompt
    result = run("db", "restore", "--yes", str(target))
    assert result.exit_code == 0, result.output
    with open_database(db_settings) as db:
        assert db.current() == db.head()

    result = run("db", "backup")
    assert result.exit_code == 0, result.output
    assert list((Path(db_settings.data_dir) / "backups").iterdir())


def test_errors_are_one_line_with_status_2(run) -> None:
    result = run("db", "upgrade", "9999")
    assert result.exit_code == 2
    assert "Error:" in result.stderr and "9999" in result.stderr
    assert "Traceback" not in result.output

    result = run("db", "restore", "--yes", "/nonexistent/backup.db")
    assert result.exit_code == 2
    assert "does not exist" in result.stderr


def test_every_db_command_has_help(cli: CliRunner) -> None:
    for command in ("upgrade", "downgrade", "current", "backup", "restore"):
        result = cli.invoke(app, ["db", command, "--help"])
        assert result.exit_code == 0
        assert len(result.output.strip()) > 40
