"""Reprint chains: credits to Chinese state media, copies, counts per outlet and country."""

from __future__ import annotations

from eurasiawatch.analyze.reprints import credited_agencies, find_reprints, reprint_counts, state_media_names
from eurasiawatch.analyze.similarity import extract_signals
from eurasiawatch.annotate import load_kb

AGENCIES = {"Xinhua News Agency": ("Xinhua", "Синьхуа"), "China Global Television Network": ("CGTN",)}


def test_state_media_names_come_from_the_knowledge_base() -> None:
    names = state_media_names(load_kb())
    assert "Синьхуа" in names["Xinhua News Agency"]
    assert "CGTN" in names["China Global Television Network"]
    assert "Sputnik" not in {n for v in names.values() for n in v}


def test_credits() -> None:
    assert credited_agencies("", "The talks went well. (Xinhua)", AGENCIES)["Xinhua News Agency"] == 2
    text = "Стороны договорились, сообщает агентство Синьхуа. По данным Синьхуа, визит продлится два дня."
    assert credited_agencies("", text, AGENCIES)["Xinhua News Agency"] == 2
    # a passing mention of the agency is not a credit
    assert not credited_agencies("", "Xinhua offers its copy free of charge to outlets.", AGENCIES)


def _sig(article_id, outlet, text, day, language="en", title=""):
    return extract_signals(
        article_id, None, title=title, text=text, published=day, language=language, outlet=outlet
    )


def test_find_reprints_links_to_the_state_media_copy_of_the_story() -> None:
    wire = "President Xi Jinping held talks with President Aleksandar Vucic in Belgrade on May 8."
    rewrite = (
        "Си Цзиньпин провёл переговоры с Вучичем в Белграде 8 мая, сообщает Синьхуа. По данным Синьхуа, ..."
    )
    copy = wire + " The sides signed 28 documents."
    signals = {
        "w": _sig("w", "xinhua", wire, "2024-05-08"),
        "r": _sig("r", "local-ru", rewrite, "2024-05-09", "ru"),
        "c": _sig("c", "local-en", copy, "2024-05-08"),
        "o": _sig("o", "other", "An unrelated story about a bridge in Budapest.", "2024-05-08"),
    }
    story_of = {"w": "s1", "r": "s1", "c": "s1", "o": "s2"}
    texts = {
        "w": wire,
        "r": rewrite,
        "c": copy,
        "o": "An unrelated story about a bridge in Budapest.",
    }
    found = find_reprints(
        signals,
        story_of,
        texts=texts,
        state_media_outlets={"xinhua": "Xinhua News Agency"},
        agencies=AGENCIES,
    )
    by_id = {r.article_id: r for r in found}
    assert set(by_id) == {"r", "c"}
    assert by_id["r"].source_id == "w" and by_id["r"].how == "credited"
    assert by_id["c"].source_id == "w" and by_id["c"].how == "copy"
    per_outlet, per_country = reprint_counts(found, {"local-ru": "RU", "local-en": "GE"})
    assert per_outlet == {"local-ru": 1, "local-en": 1}
    assert per_country == {"RU": 1, "GE": 1}
