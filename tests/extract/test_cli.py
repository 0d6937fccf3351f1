"""``eurasiawatch extract`` on files, folders and stdin."""

from __future__ import annotations

import gzip
import json
import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

from eurasiawatch.cli import app

DATA = Path(__file__).parent / "data"


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    shutil.copy(DATA / "news_en.html", tmp_path / "a.html")
    (tmp_path / "b.html.gz").write_bytes(gzip.compress((DATA / "news_ru.html").read_bytes()))
    (tmp_path / "notes.txt").write_text("ignored", encoding="utf-8")
    return tmp_path


def run(*args: str, stdin: str | None = None) -> tuple[int, str, str]:
    result = CliRunner().invoke(app, ["extract", *args], input=stdin)
    return result.exit_code, result.stdout, result.stderr


def test_folder_gives_one_json_line_per_page(folder: Path) -> None:
    code, out, err = run(str(folder))
    assert code == 0, err
    lines = [json.loads(line) for line in out.splitlines()]
    assert [Path(r["path"]).name for r in lines] == ["a.html", "b.html.gz"]
    first, second = lines
    assert first["title"] == "Serbia opens Chinese-built bridge over the Danube"
    assert first["authors"] == ["Jelena Markovic", "Tom Baker"]
    assert first["published"] == "2024-05-14T09:30:00+02:00"
    assert first["language"] == "en"
    assert "Danube" in first["text"]
    assert second["language"] == "ru"
    assert second["url"].startswith("file://")
    assert second["canonical_url"] == "https://steppe-herald.example/news/rail-deal"


def test_some_pages_fail_exit_1_with_reason(folder: Path) -> None:
    shutil.copy(DATA / "section_front.html", folder / "c.html")
    (folder / "d.html").write_bytes(b"")
    code, out, err = run(str(folder))
    assert code == 1
    assert len(out.splitlines()) == 2
    assert "c.html: no article text" in err
    assert "d.html: empty page" in err
    assert "Traceback" not in err


def test_nothing_worked_exit_2(tmp_path: Path) -> None:
    shutil.copy(DATA / "section_front.html", tmp_path / "front.html")
    code, _, err = run(str(tmp_path / "front.html"))
    assert code == 2
    assert "no article text" in err


@pytest.mark.parametrize("fmt", ["text", "markdown"])
def test_text_formats(fmt: str) -> None:
    code, out, _ = run(str(DATA / "news_en.html"), "--format", fmt)
    assert code == 0
    assert "Serbia opens Chinese-built bridge" in out
    assert "170 million euros" in out
    assert out.startswith("# ") == (fmt == "markdown")


def test_stdin() -> None:
    code, out, _ = run("-", stdin=(DATA / "news_ru.html").read_text(encoding="utf-8"))
    assert code == 0
    assert json.loads(out)["path"] == "-"


@pytest.mark.parametrize("target", ["ftp://example.com/a.html", "file:///etc/passwd", "/no/such/page.html"])
def test_bad_usage_exit_2(target: str) -> None:
    code, _, err = run(target)
    assert code == 2
    assert err.startswith("Error:")


def test_empty_folder_exit_2(tmp_path: Path) -> None:
    code, _, err = run(str(tmp_path))
    assert code == 2
    assert "no .html" in err
