"""``eurasiawatch cluster``: the contract without a database."""

from __future__ import annotations

import json

from eurasiawatch.cli import app

ARTICLES = [
    {
        "id": "en-1",
        "title": "Xi and Tokayev sign gas pipeline deal in Astana",
        "text": "Chinese President Xi Jinping and Kazakh President Kassym-Jomart Tokayev signed an "
        "agreement in Astana on July 3, 2024 to build a 1,200 km gas pipeline worth $4.5 billion.",
        "published": "2024-07-03",
        "language": "en",
        "outlet": "wire",
    },
    {
        "id": "ru-1",
        "title": "Си Цзиньпин и Токаев подписали соглашение о газопроводе",
        "text": "Председатель КНР Си Цзиньпин и президент Казахстана Касым-Жомарт Токаев 3 июля "
        "подписали в Астане соглашение о строительстве газопровода длиной 1200 км стоимостью "
        "4,5 млрд долларов.",
        "published": "2024-07-03",
        "outlet": "local",
    },
    {
        "id": "en-2",
        "title": "Hungary opens a new bridge over the Danube",
        "text": "Budapest opened a road bridge over the Danube on Monday, the city's mayor said.",
        "published": "2024-03-11",
    },
]


def _lines(text: str) -> list[dict]:
    return [json.loads(x) for x in text.splitlines() if x.strip()]


def test_jsonl_gives_one_story_id_per_article(cli, tmp_path) -> None:
    path = tmp_path / "in.jsonl"
    path.write_text("\n".join(json.dumps(a, ensure_ascii=False) for a in ARTICLES), encoding="utf-8")
    result = cli.invoke(app, ["cluster", str(path)])
    assert result.exit_code == 0, result.output
    out = {r["id"]: r["story_id"] for r in _lines(result.stdout)}
    assert list(out) == ["en-1", "ru-1", "en-2"]
    assert out["en-1"] == out["ru-1"]  # same event, Cyrillic and Latin
    assert out["en-2"] != out["en-1"]


def test_stdin_and_table(cli) -> None:
    data = "\n".join(json.dumps(a, ensure_ascii=False) for a in ARTICLES)
    result = cli.invoke(app, ["cluster", "-", "--format", "table"], input=data)
    assert result.exit_code == 0
    assert "Xi and Tokayev sign gas pipeline deal" in result.stdout


def test_html_items_go_through_extraction(cli) -> None:
    paragraphs = "".join(
        f"<p>Paragraph {i}: the city of Budapest opened a new road bridge over the Danube on Monday, "
        "and the mayor said traffic would start flowing across it next week.</p>"
        for i in range(6)
    )
    html = f"<html><body><article><h1>Bridge</h1>{paragraphs}</article></body></html>"
    item = {"id": "h1", "title": "Bridge", "html": html, "published": "2024-03-11"}
    result = cli.invoke(app, ["cluster", "-"], input=json.dumps(item))
    assert result.exit_code == 0, result.output
    assert _lines(result.stdout)[0]["id"] == "h1"


def test_bad_lines_give_errors_and_exit_one(cli) -> None:
    data = json.dumps(ARTICLES[0]) + "\n{not json\n" + json.dumps({"id": "x"}) + "\n"
    result = cli.invoke(app, ["cluster", "-"], input=data)
    assert result.exit_code == 1
    lines = _lines(result.stdout)
    assert lines[0]["id"] == "en-1" and "story_id" in lines[0]
    assert {r["id"] for r in lines if "error" in r} == {"line 2", "x"}


def test_nothing_usable_exits_two(cli, tmp_path) -> None:
    assert cli.invoke(app, ["cluster", "-"], input="").exit_code == 2
    assert cli.invoke(app, ["cluster", str(tmp_path / "missing.jsonl")]).exit_code == 2
