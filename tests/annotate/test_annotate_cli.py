"""``eurasiawatch annotate``: text, HTML and JSON Lines in; one object per item out; bad items alone."""

from __future__ import annotations

import json

from eurasiawatch.cli import app

GOOD = {
    "id": "g1",
    "title": "Xi in Astana",
    "text": "Chinese President Xi Jinping met Kassym-Jomart Tokayev.",
}


def lines(output):
    return [json.loads(line) for line in output.splitlines() if line.strip().startswith("{")]


def test_jsonl_in_jsonl_out(cli, tmp_path):
    path = tmp_path / "in.jsonl"
    path.write_text(json.dumps(GOOD) + "\n", encoding="utf-8")
    result = cli.invoke(app, ["annotate", str(path)])
    assert result.exit_code == 0, result.output
    (record,) = lines(result.stdout)
    assert record["id"] == "g1" and record["china_related"] is True
    assert record["countries"] == ["CN", "KZ"]
    assert {e["name"] for e in record["entities"]} == {"Xi Jinping", "Kassym-Jomart Tokayev"}
    assert set(record) == {"id", "language", "china_related", "countries", "entities", "themes", "events"}


def test_bad_items_fail_alone(cli, tmp_path):
    path = tmp_path / "in.jsonl"
    junk = "\x00\x01\x02\x03" * 50
    rows = [
        json.dumps(GOOD),
        "{not json",
        json.dumps({"id": "empty", "text": ""}),
        json.dumps({"id": "huge", "text": "China " * 1_000_000}),
        json.dumps({"id": "junk", "text": junk}),
        json.dumps({"id": "mixed", "text": "Китай and China, Kína és Қытай"}),
        json.dumps({"id": "notext"}),
    ]
    path.write_text("\n".join(rows) + "\n", encoding="utf-8")
    result = cli.invoke(app, ["annotate", str(path)])
    assert result.exit_code == 1
    records = lines(result.stdout)
    assert [r["id"] for r in records] == ["g1", "line 2", "empty", "huge", "junk", "mixed", "notext"]
    errors = {r["id"]: r["error"] for r in records if "error" in r}
    assert set(errors) == {"line 2", "empty", "huge", "junk", "notext"}
    assert "malformed JSON" in errors["line 2"] and "too long" in errors["huge"]
    assert "not text" in errors["junk"]
    assert "failed: huge" in result.stderr
    assert "CN" in records[5]["countries"]


def test_nothing_annotated_exits_2(cli, tmp_path):
    path = tmp_path / "in.jsonl"
    path.write_text('{"id": "e", "text": ""}\n', encoding="utf-8")
    assert cli.invoke(app, ["annotate", str(path)]).exit_code == 2
    assert cli.invoke(app, ["annotate", str(tmp_path / "missing.txt")]).exit_code == 2


def test_text_and_html_files(cli, tmp_path):
    text = tmp_path / "story.txt"
    text.write_text("Пекин заявил, что Китай готов к переговорам с Россией.", encoding="utf-8")
    result = cli.invoke(app, ["annotate", str(text)])
    assert result.exit_code == 0
    (record,) = lines(result.stdout)
    assert record["id"] == "story" and record["language"] == "ru" and record["countries"] == ["CN", "RU"]
    html = tmp_path / "page.html"
    body = "<p>Beijing said the European Commission was wrong about Huawei and about the tariffs.</p>" * 5
    html.write_text(f"<html><head><title>T</title></head><body><article>{body}</article></body></html>")
    result = cli.invoke(app, ["annotate", str(html), "--format", "json"])
    assert result.exit_code == 0, result.output
    (record,) = json.loads(result.stdout)
    assert "CN" in record["countries"] and "Huawei" in {e["name"] for e in record["entities"]}


def test_stdin_and_table(cli):
    result = cli.invoke(app, ["annotate", "-", "--format", "table"], input=json.dumps(GOOD) + "\n")
    assert result.exit_code == 0
    assert "g1" in result.stdout and "CN KZ" in result.stdout


def test_works_without_a_database(cli, tmp_path, monkeypatch):
    monkeypatch.setenv("EURASIAWATCH_DATA_DIR", str(tmp_path / "nowhere"))
    monkeypatch.setenv("EURASIAWATCH_DATABASE_URL", "postgresql+psycopg://nobody@127.0.0.1:1/none")
    result = cli.invoke(app, ["annotate", "-"], input=json.dumps(GOOD) + "\n")
    assert result.exit_code == 0, result.output
    assert not (tmp_path / "nowhere").exists()
