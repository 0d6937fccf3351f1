"""WARC files into Pages: HTML responses only, dates from WARC-Date, damage reported record by record."""

from __future__ import annotations

import io
from datetime import UTC, datetime
from pathlib import Path

import pytest
from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

from eurasiawatch.errors import SourceError
from eurasiawatch.ingest import ItemProblem, read_warc
from eurasiawatch.records import Page


def _html(title: str) -> bytes:
    return f"<html><head><title>{title}</title></head><body><p>{title} text.</p></body></html>".encode()


def write_warc(
    path: Path, records: list[tuple[str, str, bytes, str]], *, gzip: bool = True, status: str = "200 OK"
) -> list[int]:
    """Write (uri, content type, body, WARC type) records; returns each record's starting offset."""
    offsets = []
    with path.open("wb") as out:
        writer = WARCWriter(out, gzip=gzip)
        for uri, content_type, body, kind in records:
            http = None
            if kind in {"response", "request"}:
                first = status if kind == "response" else "GET / HTTP/1.1"
                headers = [("Content-Type", content_type)] if kind == "response" else [("Host", "e.org")]
                http = StatusAndHeaders(
                    first, headers, protocol="HTTP/1.1", is_http_request=kind == "request"
                )
            record = writer.create_warc_record(
                uri,
                kind,
                payload=io.BytesIO(body),
                length=len(body),
                http_headers=http,
                warc_headers_dict={"WARC-Date": "2024-07-05T10:20:30Z"},
            )
            offsets.append(out.tell())
            writer.write_record(record)
    return offsets


RECORDS = [
    ("https://news.example.kz/a", "text/html; charset=utf-8", _html("Alpha"), "response"),
    ("https://news.example.kz/a", "", b"", "request"),
    ("https://news.example.kz/logo.png", "image/png", b"\x89PNG\r\n\x1a\n" + bytes(64), "response"),
    ("https://news.example.kz/b", "application/xhtml+xml", _html("Beta"), "response"),
    ("https://news.example.kz/c", "text/html", _html("Gamma"), "response"),
]


@pytest.mark.parametrize("gzip", [True, False])
def test_html_responses_become_pages_and_other_records_are_reported_or_skipped(
    tmp_path: Path, gzip: bool
) -> None:
    path = tmp_path / ("cc-news.warc.gz" if gzip else "cc-news.warc")
    write_warc(path, RECORDS, gzip=gzip)
    out = list(read_warc(str(path), source="cc"))
    pages = [o for o in out if isinstance(o, Page)]
    problems = [o for o in out if isinstance(o, ItemProblem)]
    assert [p.url for p in pages] == [f"https://news.example.kz/{x}" for x in "abc"]
    assert pages[0].fetched_at == datetime(2024, 7, 5, 10, 20, 30, tzinfo=UTC)
    assert pages[0].final_url == pages[0].url and pages[0].source == "cc" and pages[0].status == 200
    assert "Alpha text." in pages[0].html
    assert [(p.url, p.reason) for p in problems] == [
        ("https://news.example.kz/logo.png", "not an HTML page (image/png) in the archive")
    ]


@pytest.mark.parametrize("gzip", [True, False])
def test_truncated_archive_keeps_the_whole_records_and_reports_the_rest(tmp_path: Path, gzip: bool) -> None:
    path = tmp_path / "cut.warc.gz"
    offsets = write_warc(path, RECORDS, gzip=gzip)
    data = path.read_bytes()
    for cut, expect in ((len(data) - 30, "truncated WARC record"), (offsets[-1] + 12, "truncated WARC")):
        path.write_bytes(data[:cut])
        out = list(read_warc(path.as_uri(), source="cc"))
        assert [o.url for o in out if isinstance(o, Page)] == [
            "https://news.example.kz/a",
            "https://news.example.kz/b",
        ]
        problems = [o.reason for o in out if isinstance(o, ItemProblem)]
        assert len(problems) == 2 and problems[-1].startswith(expect), problems


def test_non_200_responses_and_garbage_files(tmp_path: Path) -> None:
    folder = tmp_path / "warcs"
    folder.mkdir()
    write_warc(folder / "1.warc.gz", RECORDS[:1], status="404 Not Found")
    (folder / "2.warc").write_bytes(b"not a WARC file\r\n\r\n")
    (folder / "notes.txt").write_text("ignored")
    out = list(read_warc(str(folder), source="cc"))
    assert all(isinstance(o, ItemProblem) for o in out) and len(out) == 2
    assert "HTTP 404" in out[0].reason  # type: ignore[union-attr]
    assert out[1].reason.startswith("unreadable WARC data at byte 0")  # type: ignore[union-attr]


def test_missing_paths_fail_at_once(tmp_path: Path) -> None:
    with pytest.raises(SourceError, match="does not exist"):
        read_warc(str(tmp_path / "nope.warc.gz"), source="cc")
    with pytest.raises(SourceError, match=r"no \.warc or \.warc\.gz files"):
        read_warc(str(tmp_path), source="cc")
