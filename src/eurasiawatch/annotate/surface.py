"""Names as written in an article: where a form occurs, which alias a matched span was, its language.

These help editors' corrections reach the knowledge base (``eurasiawatch.kb_review``). They compare
text the way the matcher does: both sides are tokenised (``normalize``), each word reduced to its key
by the suffix rules of the article's language (``inflection``), and a form occurs when its keys are a
run of the text's keys, so it is word-bounded, case-folded, and found in its inflected forms too.
"""

from __future__ import annotations

from collections.abc import Sequence

from .inflection import stemmer_for
from .kb import LANGUAGES, Actor
from .normalize import Token, prepare_text, tokenize

__all__ = [
    "alias_language",
    "annotated_text",
    "find_form",
    "matched_alias",
    "names_in",
    "word_keys",
    "word_pieces",
]


def annotated_text(title: str | None, text: str) -> str:
    """The text mention offsets refer to: title, a blank line, then the body (as ``annotate_text``)."""
    head = prepare_text(title.strip()) if title and title.strip() else ""
    body = prepare_text(text)
    return f"{head}\n\n{body}" if head else body


def _keys(tokens: Sequence[Token], language: str | None) -> list[str]:
    stemmer = stemmer_for(language)
    return [stemmer.stem(t.norm) if t.is_word else t.norm for t in tokens]


def word_keys(form: str, language: str | None) -> tuple[str, ...]:
    """The compare keys of a name's words (empty when it has none)."""
    return tuple(_keys(tokenize(prepare_text(form)), language))


def word_pieces(form: str, language: str | None) -> list[tuple[str, str]]:
    """(as written, compare key) of each word of a name, punctuation left out."""
    stemmer = stemmer_for(language)
    return [(t.text, stemmer.stem(t.norm)) for t in tokenize(prepare_text(form)) if t.is_word]


def find_form(text: str, form: str, language: str | None) -> tuple[int, int] | None:
    """Where ``form`` first occurs in ``text`` as whole words, in any case or inflected form.

    Args:
        text: the article's text (offsets refer to its NFC form).
        form: a name as an editor typed it.
        language: the text's language (its suffix rules).

    Returns:
        (start, end) of the first occurrence, or None.
    """
    wanted = word_keys(form, language)
    if not wanted or not any(ch.isalnum() for ch in form):
        return None
    tokens = tokenize(prepare_text(text))
    keys = _keys(tokens, language)
    n = len(wanted)
    first = wanted[0]
    for i in range(len(keys) - n + 1):
        if keys[i] == first and tuple(keys[i : i + n]) == wanted:
            return tokens[i].start, tokens[i + n - 1].end
    return None


def matched_alias(actor: Actor, surface: str, language: str | None) -> str | None:
    """Which of an actor's names (canonical name or alias, as in the knowledge base) ``surface`` is."""
    wanted = word_keys(surface, language)
    if not wanted:
        return None
    for name in actor.all_names():
        if word_keys(name, language) == wanted:
            return name
    return None


def names_in(text: str, actor: Actor, language: str | None) -> tuple[str, ...]:
    """The actor's names (canonical name first) that occur in ``text``."""
    return tuple(name for name in actor.all_names() if find_form(text, name, language) is not None)


def alias_language(article_language: str | None, form: str) -> str:
    """The knowledge-base language key for a form found in an article of ``article_language``.

    Serbian in Latin letters is ``sr-Latn``; a language the knowledge base has no key for is ``mul``.
    """
    lang = (article_language or "").strip()
    if lang == "sr" and not any("\u0400" <= ch <= "\u04ff" for ch in form):
        return "sr-Latn"
    return lang if lang in LANGUAGES else "mul"
