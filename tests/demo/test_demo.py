"""`eurasiawatch demo` runs the real ingest path over the sample corpus served from loopback."""

from __future__ import annotations

from collections import Counter

from eurasiawatch.cli import app
from eurasiawatch.config import Settings
from eurasiawatch.demo import load_corpus, run_demo
from eurasiawatch.store import queries


def test_demo_stores_every_sample_article_with_its_metadata(tmp_path) -> None:
    corpus = load_corpus()
    result = run_demo(Settings(data_dir=str(tmp_path)))
    assert result.report.exit_code == 0, result.report.failures[:5]
    assert result.as_of.date() == corpus.last_day
    with result.database.begin() as conn:
        stored = queries.list_articles(conn, limit=10_000)
    assert len(stored) == len(corpus.articles)
    by_title = {a.title: a for a in stored}
    languages_right = 0
    for sample in corpus.articles:
        article = by_title[sample.title]
        assert (
            article.published is not None
            and article.published.date() == sample.published.astimezone(article.published.tzinfo).date()
        )
        assert article.sample is True
        assert sample.paragraphs[0][:60] in article.text
        assert "Sample content written for" not in article.text
        assert set(sample.authors) <= set(article.authors), (sample.id, sample.authors, article.authors)
        languages_right += article.language == sample.language
    assert languages_right / len(corpus.articles) >= 0.97
    assert Counter(a.language for a in stored)["ru"] > 0


def test_demo_command_prints_what_it_stored_and_reruns_fresh(cli, tmp_path, monkeypatch) -> None:
    monkeypatch.setenv("EURASIAWATCH_DATA_DIR", str(tmp_path))
    first = cli.invoke(app, ["demo"])
    assert first.exit_code == 0, first.output
    assert "Stored" in first.output and "sample content" in first.output
    # it ends with the drafted edition rendered, and says where to look (make demo then exits)
    out = tmp_path / "demo" / "out"
    said = first.output.replace("\n", " ")
    assert f"rendered it into {out}/" in said
    for name in ("email-preview.html", "email.txt", "index.html"):
        assert (out / name).is_file() and str(out / name) in said
    web = next(out.glob("editions/2024/07/10/*/index.html"))
    assert str(web) in said
    second = cli.invoke(app, ["demo"])
    assert second.exit_code == 0
    n = len(load_corpus().articles)
    assert f"Stored {n} articles" in second.output.replace("\n", " ")
