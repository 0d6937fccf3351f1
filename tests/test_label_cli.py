"""``eurasiawatch label``: corrections on stored articles, training, listing and switching versions."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import pytest

from eurasiawatch.annotate.theme_model import active_theme_classifier, models_dir
from eurasiawatch.annotate.themes import classify_themes, lexicon_themes
from eurasiawatch.cli import app
from eurasiawatch.demo.corpus import load_corpus
from eurasiawatch.records import Article
from eurasiawatch.store import Database, queries
from eurasiawatch.store.annotations import load_annotation

NOW = datetime(2024, 7, 20, tzinfo=UTC)


@pytest.fixture
def stored(fresh_db: Database, monkeypatch: pytest.MonkeyPatch):  # type: ignore[no-untyped-def]
    """The sample corpus stored in ``fresh_db``, and the CLI pointed at it; yields the corpus."""
    settings = fresh_db.settings
    monkeypatch.setenv("EURASIAWATCH_DATA_DIR", settings.data_dir)
    if settings.database_url:
        monkeypatch.setenv("EURASIAWATCH_DATABASE_URL", settings.database_url)
        monkeypatch.setenv("EURASIAWATCH_DATABASE_SCHEMA", settings.database_schema)
    corpus = load_corpus()
    with fresh_db.begin() as conn:
        for a in corpus.articles:
            url = f"https://sample.test/{a.id}"
            article = Article(
                article_id=a.id,
                url=url,
                canonical_url=url,
                title=a.title,
                text=a.text,
                published=a.published,
                language=a.language,
                outlet=a.outlet,
                content_hash=a.id,
                sample=True,
            )
            queries.upsert_article(conn, article, page_id=None, now=NOW)
    return corpus


def _ok(result) -> str:  # type: ignore[no-untyped-def]
    assert result.exit_code == 0, result.output
    return result.output


def test_corrections_train_use_and_back(cli, stored, fresh_db: Database) -> None:
    outlets = {o.id for o in stored.outlets.values() if o.kind == "state-media"}
    state = [a for a in stored.articles if a.outlet in outlets and a.language == "en"]
    taught, unseen = state[::2], state[1::2]
    for a in taught:
        _ok(cli.invoke(app, ["label", a.id, "--themes", "information", "--editor", "desk"]))
    with fresh_db.begin() as conn:
        rows = queries.list_theme_corrections(conn)
    assert [r["article_id"] for r in rows] == [a.id for a in taught]
    assert tuple(rows[0]["added"]) == ("information",) and rows[0]["editor"] == "desk"

    trained = json.loads(_ok(cli.invoke(app, ["label", "train", "--json"])))
    assert trained["version"] == "v1" and trained["corrections"] == len(taught)
    assert trained["gold_cases"] == 210 - len(taught)
    assert trained["f1_model"] is not None and trained["f1_lexicon"] is not None
    assert trained["active"] == ("v1" if trained["f1_model"] >= trained["f1_lexicon"] else "lexicon")
    assert Path(trained["path"]).exists()

    # switch to it by hand: the annotator's classifier now calls unseen state-media copies "information"
    _ok(cli.invoke(app, ["label", "use", "v1"]))
    listing = json.loads(_ok(cli.invoke(app, ["label", "models", "--json"])))
    assert listing["active"] == "v1" and [m["version"] for m in listing["models"]] == ["v1"]
    folder = models_dir(fresh_db.settings.data_dir)
    for source in (folder, fresh_db):
        model = active_theme_classifier(source)
        assert model is not None and model.version == "v1"
    docs = [(f"{a.title}\n\n{a.text}", a.language) for a in unseen]
    assert not any("information" in lexicon_themes(d, lang) for d, lang in docs)
    learned = sum("information" in classify_themes(d, lang, model=model) for d, lang in docs)
    assert learned > len(unseen) // 2
    # stored annotations follow: reannotate stamps the model version and the unseen copies gain the theme
    assert "annotated" in _ok(cli.invoke(app, ["reannotate"]))
    with fresh_db.begin() as conn:
        redone = [load_annotation(conn, a.id) for a in unseen]
    assert all(r is not None and r.model_version == "v1" for r in redone)
    assert sum("information" in r.themes for r in redone if r is not None) > len(unseen) // 2

    # and the way back
    _ok(cli.invoke(app, ["label", "use", "lexicon"]))
    assert json.loads(_ok(cli.invoke(app, ["label", "models", "--json"])))["active"] == "lexicon"
    assert active_theme_classifier(folder) is None and active_theme_classifier(fresh_db) is None
    assert "lexicon" in _ok(cli.invoke(app, ["label", "models"]))
    second = json.loads(_ok(cli.invoke(app, ["label", "train", "--json"])))
    assert second["version"] == "v2"


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["label", "A02-en-1", "--themes", "infomation"], "unknown theme 'infomation'"),
        (["label", "A02-en-1", "--remove", "trade,nonsense"], "unknown theme 'nonsense'"),
        (["label", "no-such-article", "--themes", "trade"], "no stored article 'no-such-article'"),
        (["label", "A02-en-1"], "nothing to correct"),
        (["label", "A02-en-1", "--themes", "trade", "--remove", "trade"], "both added and removed"),
        (["label", "use", "v7"], "no theme model version 'v7'"),
        (["label", "train"], "no theme corrections"),
    ],
)
def test_invalid_input_is_a_clear_error(cli, stored, args: list[str], message: str) -> None:
    result = cli.invoke(app, args)
    assert result.exit_code == 2
    assert message in result.output
    assert "Traceback" not in result.output


def test_set_is_the_long_form(cli, stored, fresh_db: Database) -> None:
    _ok(cli.invoke(app, ["label", "set", "A02-en-1", "--themes", "Trade", "--remove", "energy"]))
    with fresh_db.begin() as conn:
        (row,) = queries.list_theme_corrections(conn)
    assert tuple(row["added"]) == ("trade",) and tuple(row["removed"]) == ("energy",)
