"""``eurasiawatch search``: indexes what is new, prints ranked hits and facets, or JSON; bad input exits 2."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from eurasiawatch.cli import app
from eurasiawatch.config import Settings
from eurasiawatch.store import open_database
from tests.analyze.test_search import CORPUS, _load


@pytest.fixture
def data_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("EURASIAWATCH_DATA_DIR", str(tmp_path))
    monkeypatch.delenv("EURASIAWATCH_DATABASE_URL", raising=False)
    with open_database(Settings(data_dir=str(tmp_path))) as db:
        db.upgrade()
        _load(db)
    return tmp_path


def test_search_json_with_filters(cli: CliRunner, data_dir: Path) -> None:
    args = ["search", "Китай", "--country", "KZ", "--theme", "energy", "--since", "2024-05-01", "--json"]
    result = cli.invoke(app, args)
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert data["total"] == 2 and data["approximate"] is False and data["engine"] == "sqlite"
    assert {h["title"] for h in data["hits"]} == {"Делегация Китая в Астане", "Кредит Китаю"}
    assert {f["value"]: f["count"] for f in data["facets"]["country"]}["KZ"] == 2
    hit = data["hits"][0]
    assert all(hit["snippet"][s:e].lower().startswith("кита") for s, e in hit["highlights"])


def test_search_table_and_paging(cli: CliRunner, data_dir: Path) -> None:
    result = cli.invoke(app, ["search", "China OR Chinese", "--limit", "1"])
    assert result.exit_code == 0, result.output
    assert "articles match" in result.output and "facets" in result.output
    none = cli.invoke(app, ["search", "nonexistentword", "--no-update-index"])
    assert none.exit_code == 0 and "0 articles match" in none.output


def test_new_articles_are_indexed_before_searching(cli: CliRunner, data_dir: Path) -> None:
    # _load indexed everything; a second run finds nothing pending and still answers
    result = cli.invoke(app, ["search", "Kína", "--json"])
    assert json.loads(result.output)["total"] == 1
    assert len(CORPUS) == 8


@pytest.mark.parametrize(
    "args",
    [
        ["search", "-Китай"],
        ["search", "China", "--since", "May"],
        ["search", "China", "--since", "2024-06-01", "--until", "2024-05-01"],
    ],
)
def test_bad_queries_exit_2(args: list[str], data_dir: Path) -> None:
    from eurasiawatch.cli import main

    with pytest.raises(SystemExit) as exc:
        main(args)
    assert exc.value.code == 2


def test_search_has_help(cli: CliRunner) -> None:
    result = cli.invoke(app, ["search", "--help"])
    assert result.exit_code == 0 and "--country" in result.output
