"""Citations, quotes and credits: every marker becomes a link with its outlet; quotes are attributed."""

from __future__ import annotations

import re

from eurasiawatch.records import Edition, RenderedEdition

from .helpers import parse


def _markers(edition: Edition) -> int:
    count = 0
    for block in edition.blocks:
        for para in re.split(r"\n\s*\n", block.text):
            if not para.lstrip().startswith(">"):
                count += len(re.findall(r"\[\d+\]", para))
    return count


def test_every_marker_is_a_link_named_after_its_outlet(edition: Edition, rendered: RenderedEdition) -> None:
    for html in (rendered.email_html, rendered.web_html):
        doc = parse(html)
        links = doc.find_class("cite")
        in_text = [a for a in links if a.getparent().get("class") == "cites"]
        assert len(in_text) == _markers(edition)
        outlets = {c.outlet for b in edition.blocks for c in b.citations}
        urls = {c.url for b in edition.blocks for c in b.citations}
        for a in links:
            assert a.tag == "a" and a.get("href") in urls
            assert a.text_content() in outlets
            assert a.get("hreflang")
        assert not re.search(r"\[\d+\]", doc.text_content())


def test_non_english_sources_say_their_language(rendered: RenderedEdition) -> None:
    text = parse(rendered.email_html).text_content()
    assert "Дала жаршысы, in Kazakh" in text
    assert "Sava Post, in Serbian" in text


def test_verbatim_quote_is_attributed_with_outlet_and_language(
    edition: Edition, rendered: RenderedEdition
) -> None:
    quoted = next(b for b in edition.blocks if "verbatim" in b.flags)
    sentence = next(p for p in quoted.text.split("\n\n") if p.startswith(">"))[2:].rsplit(" [", 1)[0]
    doc = parse(rendered.email_html)
    (quote,) = doc.find_class("quote")
    assert quote.tag == "blockquote"
    (para,) = quote.find_class("quote-text")
    assert para.get("lang") == "ru"
    assert sentence in para.text_content()
    attribution = quote.find_class("quote-attr")[0].text_content()
    assert "Московский обозреватель, in Russian" in attribution and "word for word" in attribution


def test_quote_is_verbatim_from_the_cited_sample_article(edition: Edition) -> None:
    from eurasiawatch.demo import load_corpus

    quoted = next(b for b in edition.blocks if "verbatim" in b.flags)
    line = next(p for p in quoted.text.split("\n\n") if p.startswith(">"))
    sentence, marker = line[2:].rsplit(" [", 1)
    cited = quoted.citations[int(marker.rstrip("]")) - 1]
    assert sentence in load_corpus().by_id()[cited.article_id].text


def test_supercontinent_credits_reporters_and_language_services(rendered: RenderedEdition) -> None:
    doc = parse(rendered.email_html)
    credits = " ".join(p.text_content() for p in doc.find_class("credits"))
    assert "Jasur Toʻxtayev (Radio Steppe, Uzbek service)" in credits
    assert "Алия Нурланова (Дала жаршысы, Kazakh service)" in credits
    assert "Daniel Kovář (Radio Steppe)" in credits


def test_sample_edition_cites_real_sample_articles(edition: Edition) -> None:
    from eurasiawatch.demo import load_corpus

    corpus = load_corpus().by_id()
    cites = [c for b in edition.blocks for c in b.citations]
    assert len(cites) > 30
    for c in cites:
        a = corpus[c.article_id]
        assert c.title == a.title and c.language == a.language and c.authors == a.authors
        assert c.url.startswith("https://sample-outlets.invalid/")
    assert len({c.language for c in cites}) >= 6
    sections = {b.section for b in edition.blocks}
    assert sections == {"top", "lead", "more", "supercontinent", "watch", "data", "footer"}
    assert any(b.kind == "notice" and "Russia" in b.text for b in edition.blocks)
    assert any(b.chart and b.chart.png and b.chart.svg and b.chart.alt for b in edition.blocks)
