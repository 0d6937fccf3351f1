"""`sources add|list|remove` and `ingest` through the command line, with exit codes."""

from __future__ import annotations

import json

from eurasiawatch.cli import app

from .loopback import serve
from .test_pipeline import build


def test_sources_and_ingest_commands(cli, tmp_path, monkeypatch) -> None:
    monkeypatch.setenv("EURASIAWATCH_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("EURASIAWATCH_FETCH__PER_HOST_DELAY", "0")
    monkeypatch.setenv("EURASIAWATCH_FETCH__RETRIES", "0")
    assert cli.invoke(app, ["db", "upgrade"]).exit_code == 0
    with serve() as site:
        build(site)
        added = cli.invoke(
            app,
            [
                "sources",
                "add",
                site.url("/feed.xml"),
                "--name",
                "t",
                "--allow-private",
                "--outlet",
                "Test Outlet",
            ],
        )
        assert added.exit_code == 0, added.output
        cli.invoke(app, ["sources", "add", site.url("/broken.xml"), "--name", "broken", "--allow-private"])
        only_good = cli.invoke(app, ["--as-of", "2024-07-09", "ingest", "--source", "t"])
        assert only_good.exit_code == 1  # three items of the feed fail on purpose
        assert "ingest summary" in only_good.output
        assert "404" in only_good.output or "404" in (only_good.stderr or "")
        broken = cli.invoke(app, ["ingest", "--source", "broken"])
        assert broken.exit_code == 2
    listed = json.loads(cli.invoke(app, ["sources", "list", "--json"]).output)
    by_name = {s["name"]: s for s in listed}
    assert by_name["t"]["items_total"] == 3 and by_name["t"]["failure_streak"] == 0
    assert by_name["broken"]["failure_streak"] == 1 and "500" in by_name["broken"]["last_reason"]
    assert cli.invoke(app, ["sources", "remove", "broken"]).exit_code == 0
    assert cli.invoke(app, ["sources", "remove", "broken"]).exit_code == 2
    assert cli.invoke(app, ["ingest", "--source", "nope"]).exit_code == 2
    bad = cli.invoke(app, ["sources", "add", "file:///etc/passwd"])
    assert bad.exit_code == 2
