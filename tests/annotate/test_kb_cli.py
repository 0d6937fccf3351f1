"""``eurasiawatch kb ...`` and the Wikidata QID check against a loopback stub of wbgetentities."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml

from eurasiawatch.annotate.kb import load_kb
from eurasiawatch.annotate.wikidata import QidEntry, check_qids, unverified_qids
from eurasiawatch.cli import app
from eurasiawatch.errors import TransientFetchError
from tests.loopback import Reply, serve


@pytest.fixture
def data_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("EURASIAWATCH_DATA_DIR", str(tmp_path / "data"))
    return tmp_path / "data"


def test_list_filters_by_type_and_country(cli, data_dir: Path) -> None:
    result = cli.invoke(app, ["kb", "list", "--type", "person", "--country", "KZ", "--json"])
    assert result.exit_code == 0, result.output
    rows = json.loads(result.output)
    assert {r["name"] for r in rows} >= {"Kassym-Jomart Tokayev", "Murat Nurtleu"}
    assert all(r["type"] == "person" and r["country"] == "KZ" for r in rows)
    assert cli.invoke(app, ["kb", "list", "--type", "wizard"]).exit_code == 2
    table = cli.invoke(app, ["kb", "list", "--type", "media"])
    assert "Xinhua News Agency" in table.output


def test_show_by_alias_and_country(cli, data_dir: Path) -> None:
    result = cli.invoke(app, ["kb", "show", "Вучич", "--json"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.output)[0]["name"] == "Aleksandar Vučić"
    country = json.loads(cli.invoke(app, ["kb", "show", "Қытай", "--json"]).output)[0]
    assert country["code"] == "CN" and country["capital"] == "Beijing"
    assert "Central Asia" in json.loads(cli.invoke(app, ["kb", "show", "KZ", "--json"]).output)[0]["regions"]
    assert cli.invoke(app, ["kb", "show", "nobody at all"]).exit_code == 1


_ADD_MAYOR = ["kb", "add", "--name", "Local Mayor", "--type", "person", "--country", "RS"]
_ADD_XI = ["kb", "add", "--id", "xi-jinping", "--name", "Xi Jinping", "--type", "person", "--country", "CN"]


def test_add_writes_the_user_file_and_overrides(cli, data_dir: Path) -> None:
    result = cli.invoke(
        app,
        [*_ADD_MAYOR, "--alias", "ru=Местный мэр", "--alias", "sr-Latn=Gradonačelnik"],
    )
    assert result.exit_code == 0, result.output
    user = data_dir / "kb" / "user.yaml"
    entries = yaml.safe_load(user.read_text("utf-8"))
    assert entries[0]["id"] == "local-mayor" and entries[0]["aliases"]["sr-Latn"] == ["Gradonačelnik"]
    shown = json.loads(cli.invoke(app, ["kb", "show", "Gradonačelnik", "--json"]).output)
    assert shown[0]["source"] == str(user)
    # override a shipped entry by id
    result = cli.invoke(
        app,
        [*_ADD_XI, "--note", "local override", "--alias", "ru=Си"],
    )
    assert result.exit_code == 0, result.output
    assert load_kb(user).actors["xi-jinping"].note == "local override"
    # again: replaced, not duplicated
    cli.invoke(app, _ADD_MAYOR)
    assert len(yaml.safe_load(user.read_text("utf-8"))) == 2


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--name", "X", "--type", "wizard"], "unknown type"),
        (["--name", "X", "--type", "person", "--country", "QQ"], "unknown country code 'QQ'"),
        (["--name", "X", "--type", "person", "--alias", "nolang"], "expected LANG=NAME"),
        (["--name", "X", "--type", "person", "--alias", "xx=Y"], "unknown language 'xx'"),
    ],
)
def test_add_refuses_bad_entries(cli, data_dir: Path, args: list[str], message: str) -> None:
    result = cli.invoke(app, ["kb", "add", *args])
    assert result.exit_code == 2
    assert message in result.output
    assert not (data_dir / "kb" / "user.yaml").exists()


def test_import_yaml_and_csv(cli, data_dir: Path, tmp_path: Path) -> None:
    source = tmp_path / "more.yaml"
    source.write_text(
        "- {name: Alpha Corp, type: company, country: HU, aliases: {hu: [Alfa Zrt.]}}\n"
        "- {name: Beta Fund, type: organisation, aliases: {ru: [Бета-фонд]}}\n",
        "utf-8",
    )
    result = cli.invoke(app, ["kb", "import", str(source)])
    assert result.exit_code == 0, result.output
    assert "2 added, 0 replaced" in result.output
    table = tmp_path / "more.csv"
    table.write_text(
        "name,type,country,alias_ru\nAlpha Corp,company,HU,Альфа\nGamma,project,KZ,Гамма|Г-проект\n"
    )
    result = cli.invoke(app, ["kb", "import", str(table)])
    assert "1 added, 1 replaced" in result.output
    kb = load_kb(data_dir / "kb" / "user.yaml")
    assert kb.find("Альфа")[0].id == "alpha-corp" and kb.find("Г-проект")[0].id == "gamma"
    bad = tmp_path / "bad.csv"
    bad.write_text("name,type,country\nDelta,person,ZZ\n")
    result = cli.invoke(app, ["kb", "import", str(bad)])
    assert result.exit_code == 2 and "unknown country code 'ZZ'" in result.output
    assert cli.invoke(app, ["kb", "import", str(tmp_path / "absent.yaml")]).exit_code == 2


def test_verify_lists_unverified_qids(cli, data_dir: Path) -> None:
    result = cli.invoke(app, ["kb", "verify", "--json"])
    assert result.exit_code == 0, result.output
    rows = {r["id"]: r for r in json.loads(result.output)}
    assert rows["xi-jinping"]["qid"] == "Q15031" and rows["CN"]["qid"] == "Q148"


# --- the loopback Wikidata stub ---------------------------------------------------------------------


def _entities(**labels: str | None) -> bytes:
    entities = {
        qid: (
            {"id": qid, "missing": ""} if label is None else {"id": qid, "labels": {"en": {"value": label}}}
        )
        for qid, label in labels.items()
    }
    return json.dumps({"entities": entities}).encode()


def test_check_qids_against_a_stub() -> None:
    entries = [
        QidEntry(id="xi", qid="Q15031", name="Xi Jinping"),
        QidEntry(id="CN", qid="Q148", name="China", english_aliases=("China", "People's Republic of China")),
        QidEntry(id="x", qid="Q1", name="Something"),
        QidEntry(id="gone", qid="Q999999999", name="Gone"),
    ]
    body = _entities(Q15031="Xi Jinping", Q148="People's Republic of China", Q1="Universe", Q999999999=None)
    with serve() as site:
        site.routes["/w/api.php"] = Reply(200, body, {"Content-Type": "application/json"})
        checks = check_qids(entries, endpoint=site.url("/w/api.php"), user_agent="ew-test")
        _, headers = site.requests[0]
    assert [c.status for c in checks] == ["match", "alias", "mismatch", "missing"]
    assert checks[2].label == "Universe"
    assert headers["user-agent"] == "ew-test"


def test_check_qids_reports_a_failing_api() -> None:
    with serve() as site:
        site.routes["/w/api.php"] = Reply(503, b"down")
        with pytest.raises(TransientFetchError, match="Wikidata API"):
            check_qids([QidEntry(id="a", qid="Q1", name="A")], endpoint=site.url("/w/api.php"))


def test_verify_online_via_the_cli(cli, data_dir: Path) -> None:
    kb = load_kb()
    entries = unverified_qids(kb)
    labels: dict[str, str | None] = {e.qid: e.name for e in entries}
    labels["Q15031"] = "Someone Else"
    with serve() as site:
        site.routes["/w/api.php"] = Reply(200, _entities(**labels), {"Content-Type": "application/json"})
        result = cli.invoke(app, ["kb", "verify", "--online", "--endpoint", site.url("/w/api.php"), "--json"])
        requests = len(site.requests)
    assert result.exit_code == 1, result.output
    text = result.output
    rows = {r["id"]: r for r in json.loads(text[: text.rindex("]") + 1])}
    assert rows["xi-jinping"]["status"] == "mismatch" and rows["nato"]["status"] == "match"
    assert requests == -(-len({e.qid for e in entries}) // 50)  # batches of 50 ids
    with serve() as site:
        site.routes["/w/api.php"] = Reply(200, _entities(**{e.qid: e.name for e in entries}))
        ok = cli.invoke(app, ["kb", "verify", "--online", "--endpoint", site.url("/w/api.php")])
    assert ok.exit_code == 0, ok.output
    assert f"{len(entries)} of {len(entries)} QIDs match" in ok.output
