"""Web page, archive index, Atom feed and the static export with relative links."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import unquote, urlsplit

import feedparser

from eurasiawatch.records import Edition, RenderedEdition
from eurasiawatch.render import RenderOptions, archive_entry, archive_files, read_entries, write_archive

from .helpers import assert_no_skipped_headings, parse


def test_web_page_is_at_a_dated_path(rendered: RenderedEdition) -> None:
    assert rendered.web_path == "editions/2024/07/10/sample-xi-central-asia-orban-beijing/index.html"


def test_web_page_is_accessible_by_structure(rendered: RenderedEdition) -> None:
    doc = parse(rendered.web_html)
    assert doc.get("lang") == "en"
    skip = doc.find(".//body/a")
    assert skip.get("href") == "#main" and "Skip" in skip.text_content()
    main = doc.find(".//main")
    assert main.get("id") == "main"
    assert doc.find(".//header") is not None and doc.find(".//footer") is not None
    assert doc.find(".//nav").get("aria-label")
    assert_no_skipped_headings(doc)
    css = doc.find(".//style").text
    assert ":focus-visible" in css and "prefers-color-scheme: dark" in css
    for img in doc.iter("img"):
        assert img.get("alt") and not img.get("src").startswith(("http", "//", "/"))


def _archive(tmp_path: Path, edition: Edition) -> tuple[Path, dict[str, bytes]]:
    options = RenderOptions(sample=True)
    files = archive_files([archive_entry(edition, options)], options)
    write_archive(files, tmp_path)
    return tmp_path, files


def test_every_link_in_the_archive_is_relative_and_resolves(tmp_path: Path, edition: Edition) -> None:
    root, files = _archive(tmp_path, edition)
    pages = [p for p in files if p.endswith(".html")]
    assert "index.html" in pages and len(pages) == 2
    checked = 0
    for rel in pages:
        doc = parse((root / rel).read_text(encoding="utf-8"))
        for el in doc.iter():
            if not isinstance(el.tag, str):
                continue
            for attr in ("href", "src"):
                value = el.get(attr)
                if value is None:
                    continue
                parts = urlsplit(value)
                if el.tag == "a" and el.get("class") == "cite":
                    assert parts.scheme == "https"  # a cited article, outside the archive
                    continue
                if value.startswith("#"):
                    assert doc.get_element_by_id(value[1:]) is not None
                    continue
                assert not parts.scheme and not parts.netloc and not value.startswith("/"), value
                target = ((root / rel).parent / unquote(parts.path)).resolve()
                assert target.is_file(), (rel, value)
                assert target.is_relative_to(root.resolve())
                checked += 1
    assert checked >= 8


def test_archive_round_trips_through_the_folder(tmp_path: Path, edition: Edition) -> None:
    root, files = _archive(tmp_path, edition)
    entries = read_entries(root)
    assert [e.edition_id for e in entries] == [edition.edition_id]
    again = archive_files(entries, RenderOptions(sample=True))
    assert again == files


def test_index_lists_editions_newest_first(edition: Edition) -> None:
    from dataclasses import replace
    from datetime import date

    older = replace(
        edition, edition_id="older", send_date=date(2024, 6, 26), headline="An older edition", slug=""
    )
    options = RenderOptions()
    files = archive_files([archive_entry(older, options), archive_entry(edition, options)], options)
    doc = parse(files["index.html"].decode())
    titles = [a.text_content() for a in doc.find_class("title")]
    assert titles == [edition.headline, "An older edition"]
    assert_no_skipped_headings(doc)
    assert "editions/2024/06/26/an-older-edition/index.html" in files


def test_atom_feed_parses_back(edition: Edition) -> None:
    options = RenderOptions(site_url="https://briefing.example.org")
    files = archive_files([archive_entry(edition, options)], options)
    feed = feedparser.parse(files["atom.xml"])
    assert not feed.bozo, feed.get("bozo_exception")
    assert feed.version == "atom10"
    assert feed.feed.title == "China In Eurasia"
    (entry,) = feed.entries
    assert entry.title == edition.headline
    assert entry.link == f"https://briefing.example.org/{files and 'editions/2024/07/10'}/{edition.slug}/"
    assert entry.id.startswith("tag:eurasiawatch,2024-07-10:")
    assert entry.summary == edition.dek
    content = entry.content[0].value
    assert "Across The Supercontinent" in content
    assert "https://briefing.example.org/editions/2024/07/10/" in content  # chart src made absolute


def test_atom_feed_links_are_relative_without_a_site_url(edition: Edition) -> None:
    options = RenderOptions()
    files = archive_files([archive_entry(edition, options)], options)
    feed = feedparser.parse(
        files["atom.xml"], response_headers={"content-location": "https://mirror.example/"}
    )
    assert feed.entries[0].link == "https://mirror.example/editions/2024/07/10/" + edition.slug + "/"
