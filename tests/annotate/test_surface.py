"""``annotate.surface``: where a name occurs as written, which alias a span was, the alias's language."""

from __future__ import annotations

from eurasiawatch.annotate import load_kb
from eurasiawatch.annotate.surface import (
    alias_language,
    annotated_text,
    find_form,
    matched_alias,
    names_in,
)


def test_form_is_found_as_whole_words_in_any_case() -> None:
    text = "Trucks waited at the KHORGOS logistics hub for days."
    start, end = find_form(text, "Khorgos Logistics Hub", "en")  # type: ignore[misc]
    assert text[start:end] == "KHORGOS logistics hub"
    assert find_form(text, "logistics hu", "en") is None  # not inside a word
    span = find_form(text, "hub for days", "en")
    assert span is not None and text[span[0] : span[1]] == "hub for days"
    assert find_form(text, "Khorgos hub", "en") is None  # words in a row, not scattered
    assert find_form(text, "— «»", "en") is None  # no words at all


def test_inflected_forms_are_found_with_the_articles_rules() -> None:
    text = "Грузы прошли через сухой порт Хоргоса в июне."
    found = find_form(text, "сухой порт Хоргос", "ru")
    assert found is not None and text[found[0] : found[1]] == "сухой порт Хоргоса"
    assert find_form(text, "сухой порт Хоргос", None) is None  # no suffix rules: only the exact words


def test_matched_span_maps_back_to_the_knowledge_base_alias() -> None:
    actor = load_kb().actors["khorgos-gateway"]
    assert matched_alias(actor, "khorgos DRY port", "en") == "Khorgos dry port"
    assert matched_alias(actor, "Khorgos Gateway", "en") == "Khorgos Gateway"
    assert matched_alias(actor, "Khorgos", "en") is None
    text = annotated_text("Khorgos Gateway expands", "Work at the Khorgos dry port goes on.")
    assert text.startswith("Khorgos Gateway expands\n\nWork")
    assert names_in(text, actor, "en") == ("Khorgos Gateway", "Khorgos dry port")


def test_alias_language_comes_from_the_article() -> None:
    assert alias_language("ru", "Хоргос") == "ru"
    assert alias_language("sr", "Белиград") == "sr"
    assert alias_language("sr", "Beograd") == "sr-Latn"
    assert alias_language("xx", "Name") == "mul"
    assert alias_language(None, "Name") == "mul"
