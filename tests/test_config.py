"""Settings: defaults, file, environment, errors that name the key, secrets, and the generated docs."""

from __future__ import annotations

from pathlib import Path

import pytest

from eurasiawatch.config import SPEC, config_markdown, load_settings
from eurasiawatch.errors import ConfigError

ROOT = Path(__file__).resolve().parents[1]


def test_defaults_then_file_then_environment(tmp_path: Path) -> None:
    file = tmp_path / "ew.toml"
    file.write_text('data_dir = "/srv/ew"\n[fetch]\ntimeout = 5\nretries = 4\n', encoding="utf-8")
    s = load_settings(file, environ={"EURASIAWATCH_FETCH__RETRIES": "1"})
    assert s.data_dir == "/srv/ew" and s.origins["data_dir"] == str(file)
    assert s.fetch_timeout == 5.0
    assert s.fetch_retries == 1 and s.origins["fetch.retries"] == "EURASIAWATCH_FETCH__RETRIES"
    assert s.fetch_max_bytes == 10_000_000 and s.origins["fetch.max_bytes"] == "default"


def test_config_path_from_environment(tmp_path: Path) -> None:
    file = tmp_path / "ew.toml"
    file.write_text("log_level = 'debug'\n", encoding="utf-8")
    assert load_settings(environ={"EURASIAWATCH_CONFIG": str(file)}).log_level == "DEBUG"


@pytest.mark.parametrize(
    ("env", "needle"),
    [
        ({"EURASIAWATCH_FETCH__TIMEOUT": "soon"}, "fetch.timeout = 'soon'"),
        ({"EURASIAWATCH_FETCH__RESPECT_ROBOTS": "maybe"}, "fetch.respect_robots = 'maybe'"),
        ({"EURASIAWATCH_FETCH__MAX_BYTES": "-1"}, "fetch.max_bytes = -1"),
        ({"EURASIAWATCH_TIMEZONE": "Mars/Olympus"}, "Mars/Olympus"),
        ({"EURASIAWATCH_NO_SUCH": "1"}, "EURASIAWATCH_NO_SUCH"),
    ],
)
def test_bad_values_name_the_key_and_value(env: dict[str, str], needle: str) -> None:
    with pytest.raises(ConfigError) as err:
        load_settings(environ=env)
    assert needle in str(err.value)


def test_unknown_key_and_bad_toml_in_file(tmp_path: Path) -> None:
    file = tmp_path / "ew.toml"
    file.write_text("[fetch]\ntimeuot = 3\n", encoding="utf-8")
    with pytest.raises(ConfigError, match=r"unknown setting 'fetch.timeuot'"):
        load_settings(file, environ={})
    file.write_text("data_dir = \n", encoding="utf-8")
    with pytest.raises(ConfigError, match="not valid TOML"):
        load_settings(file, environ={})
    with pytest.raises(ConfigError, match="does not exist"):
        load_settings(tmp_path / "missing.toml", environ={})


def test_secrets_only_from_environment_and_masked(tmp_path: Path) -> None:
    file = tmp_path / "ew.toml"
    file.write_text('database_url = "postgresql+psycopg://u:pw@h/db"\n', encoding="utf-8")
    with pytest.raises(ConfigError, match="secret"):
        load_settings(file, environ={})
    s = load_settings(environ={"EURASIAWATCH_DATABASE_URL": "postgresql+psycopg://u:pw@h/db"})
    shown = dict((k, v) for k, v, _ in s.effective())
    assert shown["database_url"] == "****"
    assert "pw" not in " ".join(v for _, v, _ in s.effective())


def test_config_show_command(cli, monkeypatch: pytest.MonkeyPatch) -> None:
    from eurasiawatch.cli import app

    monkeypatch.setenv("EURASIAWATCH_FETCH__TIMEOUT", "7")
    monkeypatch.setenv("EURASIAWATCH_DATABASE_URL", "postgresql+psycopg://u:secretpw@h/db")
    result = cli.invoke(app, ["config", "show", "--json"])
    assert result.exit_code == 0, result.output
    assert '"7.0"' in result.output and "EURASIAWATCH_FETCH__TIMEOUT" in result.output
    assert "secretpw" not in result.output


def test_docs_config_md_is_generated_from_spec() -> None:
    assert (ROOT / "docs" / "config.md").read_text(encoding="utf-8") == config_markdown(), (
        "docs/config.md is stale: run `make docs`"
    )
    for spec in SPEC:
        assert spec.help, spec.key
