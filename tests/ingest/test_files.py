"""Folders of saved articles into Pages and TextDocuments; local source locations checked."""

from __future__ import annotations

import gzip
import json
from datetime import UTC, datetime
from pathlib import Path

import pytest

from eurasiawatch.errors import SourceError
from eurasiawatch.ingest import ItemProblem, TextDocument, local_path, read_folder, source_location
from eurasiawatch.records import Page

NOW = datetime(2024, 7, 9, 12, 0, tzinfo=UTC)


def _read(folder: Path, **kwargs: object) -> list[Page | TextDocument | ItemProblem]:
    return list(read_folder(str(folder), source="desk", fetched_at=NOW, **kwargs))  # type: ignore[arg-type]


def test_every_file_kind(tmp_path: Path) -> None:
    (tmp_path / "a.html").write_text("<html><body><p>Привет</p></body></html>", encoding="utf-8")
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "b.html.gz").write_bytes(gzip.compress(b"<html><body><p>gz</p></body></html>"))
    (tmp_path / "c.txt").write_text("Title line\n\nFirst paragraph.\n\nSecond.\n", encoding="utf-8")
    first = {"url": "https://e.org/x", "title": "X", "html": "<p>x</p>", "published": "2024-07-01"}
    lines = [{**first, "language": "ru-RU"}, {"title": "T", "text": "Plain text.", "language": "kk"}, {}]
    (tmp_path / "d.jsonl").write_text("\n".join(json.dumps(x) for x in lines) + "\n\n", encoding="utf-8")
    (tmp_path / "readme.md").write_text("ignored")
    (tmp_path / ".hidden.html").write_text("<p>ignored</p>")
    out = _read(tmp_path)
    assert [type(o).__name__ for o in out] == [
        "Page",
        "TextDocument",
        "Page",
        "TextDocument",
        "ItemProblem",
        "Page",
    ]
    a, c, x, t, problem, b = out
    assert isinstance(a, Page) and a.url == (tmp_path / "a.html").as_uri() and "Привет" in a.html
    assert a.fetched_at == NOW and a.source == "desk"
    assert isinstance(c, TextDocument) and c.title == "Title line" and c.text == "First paragraph.\n\nSecond."
    assert isinstance(x, Page) and x.url == "https://e.org/x" and x.feed_item is not None
    assert x.feed_item.title == "X" and x.feed_item.language == "ru"
    assert x.feed_item.published == datetime(2024, 7, 1, tzinfo=UTC)
    assert isinstance(t, TextDocument) and t.url.endswith("d.jsonl#line=2") and t.language == "kk"
    assert isinstance(problem, ItemProblem) and problem.url.endswith("#line=3")
    assert problem.reason == "line 3: neither 'text' nor 'html' holds a non-empty string"
    assert isinstance(b, Page) and "gz" in b.html


def test_bad_files_are_reported_one_line_each(tmp_path: Path) -> None:
    (tmp_path / "a.txt").write_bytes("Заголовок\nтекст".encode("cp1251"))
    (tmp_path / "b.html").write_bytes(b"<html><body>\xff\xfe\xfa broken</body></html>")
    (tmp_path / "c.html.gz").write_bytes(b"not gzip at all")
    (tmp_path / "d.jsonl").write_bytes(
        b'{"text": "ok but not closed"\n["a list"]\n{"url": "ftp://x", "text": "t"}\n'
    )
    (tmp_path / "e.txt").write_text("Only a title\n")
    (tmp_path / "f.html").write_bytes(b"x" * 2000)
    (tmp_path / "g.html").write_bytes("<meta charset='windows-1251'><p>Новости</p>".encode("cp1251"))
    out = _read(tmp_path, max_bytes=1000)
    reasons = {
        Path(o.url.split("#")[0]).name + o.url.partition("#")[2]: o.reason
        for o in out
        if isinstance(o, ItemProblem)
    }
    assert reasons["a.txt"].startswith("undecodable: not UTF-8 text")
    assert reasons["b.html"].startswith("undecodable")
    assert reasons["c.html.gz"].startswith("broken gzip data")
    assert reasons["d.jsonlline=1"].startswith("line 1: not a JSON object")
    assert reasons["d.jsonlline=2"] == "line 2: not a JSON object but a JSON list"
    assert reasons["d.jsonlline=3"].startswith("line 3: 'url' is not an http(s) URL")
    assert reasons["e.txt"].startswith("no text after the title line")
    assert reasons["f.html"] == "file of 2000 bytes exceeds the 1000-byte cap"
    (page,) = [o for o in out if isinstance(o, Page)]
    assert "Новости" in page.html  # a declared legacy charset is honoured


def test_locations(tmp_path: Path) -> None:
    assert local_path(tmp_path.as_uri()) == tmp_path
    assert local_path("file://localhost" + str(tmp_path)) == tmp_path
    with pytest.raises(SourceError, match="names a host"):
        local_path("file://server/share")
    assert source_location(str(tmp_path / "."), "folder") == str(tmp_path)
    assert source_location("https://e.org/feed", "feed") == "https://e.org/feed"
    with pytest.raises(SourceError, match="not an http"):
        source_location(str(tmp_path), "feed")
    with pytest.raises(SourceError, match="unknown source kind"):
        source_location("https://e.org/", "podcast")
    with pytest.raises(SourceError, match="does not exist"):
        source_location(str(tmp_path / "missing.warc.gz"), "warc")
    (tmp_path / "f.warc").write_bytes(b"")
    with pytest.raises(SourceError, match="not a directory"):
        source_location(str(tmp_path / "f.warc"), "folder")
    with pytest.raises(SourceError, match="does not exist or is not a directory"):
        read_folder(str(tmp_path / "f.warc"), source="s", fetched_at=NOW)
