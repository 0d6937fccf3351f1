"""Source lists: OPML and CSV read with line numbers, written back, imported and exported by the CLI."""

from __future__ import annotations

import json
import time

from eurasiawatch.cli import app
from eurasiawatch.ingest.opml import parse_opml, write_opml
from eurasiawatch.ingest.sourcelist import (
    load_default_sources,
    parse_sources_csv,
    plan_import,
    write_sources_csv,
)
from eurasiawatch.records import Source

from ..loopback import Reply, serve

READER_EXPORT = """<?xml version="1.0" encoding="UTF-8"?>
<opml version="1.0">
  <head><title>My subscriptions</title></head>
  <body>
    <outline text="Central Asia" title="Central Asia">
      <outline text="Azattyq" title="Azattyq" type="rss" xmlUrl="https://www.azattyq.org/api/"
               htmlUrl="https://www.azattyq.org/" language="kk"/>
      <outline text="Broken link" type="rss" xmlUrl="javascript:alert(1)"/>
      <outline text="Deeper">
        <outline text="Eurasianet" type="rss" xmlUrl="https://eurasianet.org/rss.xml"/>
        <outline text="No feed here" type="rss"/>
      </outline>
    </outline>
    <outline text="Just a bookmark" type="link" htmlUrl="https://example.org/"/>
    <outline title="Озоди" text="ignored when title is set" xmlUrl="https://www.ozodi.org/api/"
             language="tg-Cyrl"/>
    <outline text="Eurasianet again" type="rss" xmlUrl="https://eurasianet.org/rss.xml" language="en"/>
    <outline text="Bad language" type="rss" xmlUrl="https://bad.example/feed" language="english please"/>
  </body>
</opml>
""".encode()


def test_opml_nested_outlines_with_line_numbers_and_duplicates_merged() -> None:
    listed = parse_opml(READER_EXPORT)
    by_url = {s.url: s for s in listed.sources}
    assert set(by_url) == {
        "https://www.azattyq.org/api/",
        "https://eurasianet.org/rss.xml",
        "https://www.ozodi.org/api/",
    }
    assert by_url["https://www.azattyq.org/api/"].language == "kk"
    assert by_url["https://www.ozodi.org/api/"].name == "Озоди"
    assert by_url["https://www.ozodi.org/api/"].language == "tg-cyrl"
    # the later duplicate updates the earlier one's fields and keeps its name
    assert by_url["https://eurasianet.org/rss.xml"].name == "Eurasianet"
    assert by_url["https://eurasianet.org/rss.xml"].language == "en"
    problems = {p.line: p.message for p in listed.problems}
    assert set(problems) == {8, 11, 18}
    assert "not an http(s) URL" in problems[8]
    assert "without an xmlUrl" in problems[11]
    assert "ISO 639" in problems[18]
    assert str(listed.problems[0]).startswith("line 8: ")


def test_entity_bomb_is_refused_without_expanding() -> None:
    levels = "".join(f'<!ENTITY l{i} "{("&l" + str(i - 1) + ";") * 10}">' for i in range(1, 10))
    bomb = (
        f'<?xml version="1.0"?><!DOCTYPE opml [<!ENTITY l0 "lol">{levels}]>'
        '<opml version="2.0"><body><outline text="&l9;" xmlUrl="https://e.org/&l9;"/></body></opml>'
    ).encode()
    started = time.monotonic()
    listed = parse_opml(bomb)
    assert time.monotonic() - started < 5.0  # expanding it would take far longer (and gigabytes)
    assert listed.sources == ()
    assert "entities" in listed.problems[0].message


def test_external_entity_and_network_dtd_are_refused() -> None:
    xxe = (
        b'<?xml version="1.0"?><!DOCTYPE opml [<!ENTITY x SYSTEM "file:///etc/passwd">]>'
        b'<opml><body><outline text="&x;" xmlUrl="https://e.org/feed"/></body></opml>'
    )
    assert parse_opml(xxe).sources == ()
    with serve() as site:
        site.routes["/evil.dtd"] = Reply(200, b'<!ENTITY x "pwned">', {"Content-Type": "application/xml-dtd"})
        remote_dtd = (
            f'<?xml version="1.0"?><!DOCTYPE opml SYSTEM "{site.url("/evil.dtd")}">'
            '<opml><body><outline text="ok" xmlUrl="https://e.org/feed"/></body></opml>'
        ).encode()
        listed = parse_opml(remote_dtd)
        assert site.hits["/evil.dtd"] == 0
    assert [s.url for s in listed.sources] == ["https://e.org/feed"]


def test_unreadable_documents_give_one_problem() -> None:
    assert parse_opml(b"<opml><body><outline").problems[0].message.startswith("not well-formed XML")
    assert "not <opml>" in parse_opml(b"<rss><channel/></rss>").problems[0].message
    assert "no <body>" in parse_opml(b"<opml><head/></opml>").problems[0].message


def test_opml_round_trip_keeps_kind_language_outlet() -> None:
    sources = (
        Source(name="a", url="https://a.example/feed", language="ru", outlet="Outlet A"),
        Source(name="b", url="https://b.example/sitemap.xml", kind="sitemap", outlet="Outlet A"),
        Source(name="c", url="https://c.example/story.html", kind="page"),
        Source(name="d & e", url="https://d.example/feed?x=1&y=2"),
    )
    text = write_opml(sources)
    assert text.startswith('<?xml version="1.0" encoding="UTF-8"?>')
    back = parse_opml(text.encode())
    assert back.problems == ()
    assert sorted(back.sources, key=lambda s: s.name) == list(sources)


CSV = (
    "name,url,kind,language,outlet,where_found\n"
    "rferl,https://www.rferl.org/api/,feed,en,RFE/RL,seen in a crawl\n"
    "bad-url,www.example.org/feed,,,,\n"
    "\n"
    '"multi\nline",https://m.example/feed,,,"Outlet, Inc.",\n'
    "bad-kind,https://k.example/feed,podcast,,,\n"
    "too-many,https://t.example/feed,feed,en,X,note,extra\n"
    "rferl-again,https://www.rferl.org/api/,feed,en,RFE/RL English,\n"
    ",https://noname.example/news/feed/,,,,\n"
)


def test_csv_rows_with_line_numbers_rest_imported() -> None:
    listed = parse_sources_csv(CSV)
    names = {s.name: s for s in listed.sources}
    assert set(names) == {"rferl", "multi line", "noname.example/news/feed"}
    assert names["rferl"].outlet == "RFE/RL English"  # the duplicate URL updated it
    assert names["multi line"].outlet == "Outlet, Inc."
    assert [(p.line, p.message.split(" ")[0]) for p in listed.problems] == [
        (3, "'www.example.org/feed'"),
        (7, "unknown"),
        (8, "7"),
    ]


def test_csv_header_must_name_url_and_allow_private_comes_from_the_caller() -> None:
    assert "no 'url' column" in parse_sources_csv("name,link\na,b\n").problems[0].message
    assert parse_sources_csv("").problems[0].message == "empty file"
    text = "name,url,allow_private\nlocal,http://127.0.0.1:1/feed,true\n"
    assert parse_sources_csv(text).sources[0].allow_private is False
    assert parse_sources_csv(text, allow_private=True).sources[0].allow_private is True


def test_csv_round_trip() -> None:
    sources = (
        Source(name="a", url="https://a.example/feed", language="kk", outlet='Quote "A", Ltd'),
        Source(name="b", url="https://b.example/s.xml", kind="sitemap"),
    )
    assert parse_sources_csv(write_sources_csv(sources)).sources == sources


def test_plan_import_matches_by_url_then_name() -> None:
    existing = [
        Source(name="mine", url="https://a.example/feed", language="ru", outlet="A"),
        Source(name="b", url="https://b.example/old"),
    ]
    incoming = (
        Source(name="theirs", url="https://a.example/feed"),
        Source(name="b", url="https://b.example/new"),
        Source(name="c", url="https://c.example/feed"),
        Source(name="mine", url="https://a.example/feed", language="ru", outlet="A"),
    )
    plan = plan_import(existing, incoming)
    assert [(s.name, s.url, outcome) for s, outcome in plan] == [
        ("mine", "https://a.example/feed", "unchanged"),
        ("b", "https://b.example/new", "updated"),
        ("c", "https://c.example/feed", "new"),
        ("mine", "https://a.example/feed", "unchanged"),
    ]
    assert plan[0][0].language == "ru"  # an empty field in the list keeps what was registered


def test_default_list_loads_and_is_marked_unverified() -> None:
    listed = load_default_sources()
    assert listed.problems == ()
    assert len(listed.sources) >= 40
    names = {s.name for s in listed.sources}
    assert {"rferl-en", "eurasianet", "thediplomat"} <= names
    assert all(s.url.startswith("https://") and not s.allow_private for s in listed.sources)
    from importlib import resources

    text = resources.files("eurasiawatch").joinpath("data/sources/default.csv").read_text(encoding="utf-8")
    header = text.splitlines()[0].split(",")
    assert header == ["name", "url", "kind", "language", "outlet", "verified", "where_found"]
    rows = text.splitlines()[1:]
    assert all(",no," in row for row in rows)


def test_cli_import_export_round_trip(cli, tmp_path, monkeypatch) -> None:
    monkeypatch.setenv("EURASIAWATCH_DATA_DIR", str(tmp_path / "one"))
    assert cli.invoke(app, ["db", "upgrade"]).exit_code == 0
    opml = tmp_path / "subs.opml"
    opml.write_bytes(READER_EXPORT)
    first = cli.invoke(app, ["sources", "import", str(opml)])
    assert first.exit_code == 1, first.output  # three outlines skipped
    assert "3 new" in first.output and "3 skipped" in first.output
    assert "line 8:" in first.stderr and "line 18:" in first.stderr
    again = cli.invoke(app, ["sources", "import", str(opml)])
    assert "0 new" in again.output and "3 unchanged" in again.output
    defaults = cli.invoke(app, ["sources", "import", "--defaults"])
    assert defaults.exit_code == 0, defaults.output
    assert "unverified" in defaults.output

    exported = {}
    for fmt in ("opml", "csv"):
        out = tmp_path / f"all.{fmt}"
        done = cli.invoke(app, ["sources", "export", "--format", fmt, "--output", str(out)])
        assert done.exit_code == 0, done.output
        exported[fmt] = out
    listed = json.loads(cli.invoke(app, ["sources", "list", "--json"]).output)

    for fmt, path in exported.items():
        monkeypatch.setenv("EURASIAWATCH_DATA_DIR", str(tmp_path / f"copy-{fmt}"))
        assert cli.invoke(app, ["db", "upgrade"]).exit_code == 0
        done = cli.invoke(app, ["sources", "import", str(path)])
        assert done.exit_code == 0, (fmt, done.output, done.stderr)
        copied = json.loads(cli.invoke(app, ["sources", "list", "--json"]).output)
        keep = ("name", "url", "kind", "language", "outlet")
        assert [{k: s[k] for k in keep} for s in copied] == [{k: s[k] for k in keep} for s in listed], fmt

    stdout = cli.invoke(app, ["sources", "export", "--format", "csv"])
    assert stdout.output.startswith("name,url,kind,language,outlet\n")
    assert cli.invoke(app, ["sources", "export", "--format", "yaml"]).exit_code == 2
    assert cli.invoke(app, ["sources", "import"]).exit_code == 2
    assert cli.invoke(app, ["sources", "import", str(opml), "--defaults"]).exit_code == 2
    assert cli.invoke(app, ["sources", "import", str(tmp_path / "missing.csv")]).exit_code == 2
    junk = tmp_path / "junk.csv"
    junk.write_text("name,url\nx,not a url\n", encoding="utf-8")
    assert cli.invoke(app, ["sources", "import", str(junk)]).exit_code == 2
