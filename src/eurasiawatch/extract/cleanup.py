"""Boilerplate removal on trafilatura's output tree, and the check that picks a second pass.

trafilatura keeps the article body well, but often also keeps the headline, a "Related" box of
linked headlines, newsletter and share prompts, or a site's whole menu on pages where its fast path
misfires. These rules remove such blocks from its XML body (``head``, ``p``, ``list``/``item``…)
before it is turned into text. They are deliberately generic (phrases, link coverage, shape) so
that they hold on pages we have never seen.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from lxml.etree import _Element

__all__ = ["anchor_texts", "clean_body", "drop_teasers", "has_prose", "looks_like_menu", "norm"]

_SPACE = re.compile(r"\s+")
_NON_WORD = re.compile(r"[\W_]+")

# A short block that starts with one of these is a prompt, a teaser or page furniture.
_BOILERPLATE = re.compile(
    r"^\W*(?:"
    r"related(?:\s+(?:posts?|articles?|stories|coverage|news|content|reading))?\s*[:|]"
    r"|related\s*$|read (?:more|also|next)\b|see (?:more|also)\s*:|more\s*:|also (?:read|on|see)\b"
    r"|(?:you )?(?:may|might) also (?:like|enjoy|be interested)|don'?t miss|recommended(?: for you)?\s*$"
    r"|most (?:read|popular|viewed|shared)\b|popular on\b|trending\b|explore further|more from\b"
    r"|(?:click|tap) here (?:to )?(?:subscribe|sign up|get (?:the|our)|join|follow|read more|for more)"
    r"|sign up\b|subscribe\b|get (?:the|our) (?:\w+ )?newsletter|newsletter\s*$"
    r"|thanks for signing up|keep an eye on your inbox|follow (?:us|\w+ on)\b|share (?:this|on)\b"
    r"|like this (?:story|article)|tell us what you think|comments?\s*$|\d+\s+comments?\s*$|tags?\s*:?\s*$"
    r"|filed under\b|advertisement\s*$|sponsored\b|image (?:source|credit)|photo(?:graph)?\s*:|credit\s*:"
    r"|copyright\b|©|all rights reserved|we use cookies|this (?:web)?site uses cookies"
    r"|accept (?:all )?cookies"
    r"|читайте (?:также|также:|також|ещё|еще)|смотрите также|подписывайтесь|подпишитесь|поделиться"
    r"|реклама\s*$|читайте нас|підписуйтесь|поширити|новости по теме|по теме\s*:"
    r")",
    re.IGNORECASE,
)
_MAX_BOILERPLATE_CHARS = 220
_SENTENCE_END = frozenset('.!?。！？…:;"»”)')
_MIN_ANCHOR_WORDS = 3


def norm(text: str) -> str:
    """Case-folded words of a text joined by single spaces (for comparing blocks with titles/links)."""
    return " ".join(_NON_WORD.sub(" ", text).casefold().split())


def _text(el: _Element) -> str:
    return _SPACE.sub(" ", "".join(el.itertext())).strip()


def anchor_texts(links: Iterable[str]) -> frozenset[str]:
    """Normalised texts of the page's links that are long enough to be a headline."""
    out = set()
    for raw in links:
        text = norm(raw)
        if text.count(" ") + 1 >= _MIN_ANCHOR_WORDS:
            out.add(text)
    return frozenset(out)


def _linky(text: str, anchors: frozenset[str]) -> bool:
    """Whether a block is (mostly) the text of one link: a teaser headline, maybe with its dek."""
    key = norm(text)
    if not key:
        return False
    if key in anchors:
        return True
    words = key.split(" ")
    # A teaser item is often "<linked headline> <one-line summary>": test the leading word runs.
    for cut in range(min(len(words), 25), _MIN_ANCHOR_WORDS - 1, -1):
        prefix = " ".join(words[:cut])
        if prefix in anchors:
            # A teaser is short; a long item that opens with a link is a digest entry (content).
            return cut >= 0.75 * len(words) or (cut >= 0.4 * len(words) and len(key) <= 160)
    return False


def _is_boilerplate(text: str) -> bool:
    return len(text) <= _MAX_BOILERPLATE_CHARS and _BOILERPLATE.match(text) is not None


def _same_as_title(text: str, title_key: str) -> bool:
    key = norm(text)
    return bool(key) and (key == title_key or (len(key) > 20 and title_key.startswith(key)))


def clean_body(body: _Element, *, title: str | None, anchors: frozenset[str]) -> int:
    """Remove headline repeats, prompts, teaser lists and link-only lines from an output body.

    Args:
        body: trafilatura's output tree; changed in place.
        title: The page title, whose repeat at the top of the body is dropped.
        anchors: From :func:`anchor_texts` over the page's links.

    Returns:
        How many blocks were removed.
    """
    removed = 0
    title_key = norm(title or "")
    blocks = list(body)
    for position, block in enumerate(blocks):
        text = _text(block)
        drop = False
        if not text:
            continue
        if position < 3 and title_key and block.tag in {"head", "p"} and _same_as_title(text, title_key):
            drop = True
        elif block.tag == "list":
            drop = _clean_list(block, anchors)
        else:
            short = len(text) <= _MAX_BOILERPLATE_CHARS
            drop = _is_boilerplate(text) or (short and block.tag in {"p", "head"} and _linky(text, anchors))
        if drop:
            removed += 1
            _remove(block)
    # A heading left at the very end introduces something that was removed (or was never there).
    while len(body) and body[-1].tag == "head":
        _remove(body[-1])
        removed += 1
    return removed


def _clean_list(block: _Element, anchors: frozenset[str]) -> bool:
    """Drop prompt items from a list; return True when the whole list is teasers or prompts."""
    items = [item for item in block if _text(item)]
    if not items:
        return True
    teasers = sum(1 for item in items if _linky(_text(item), anchors) or _is_boilerplate(_text(item)))
    if teasers >= max(2, 0.6 * len(items)) or (len(items) == 1 and teasers == 1):
        return True
    for item in items:
        if _is_boilerplate(_text(item)):
            _remove(item)
    return False


def _remove(el: _Element) -> None:
    """Remove an element (and its whitespace tail) from its parent."""
    parent = el.getparent()
    if parent is None:
        return
    parent.remove(el)


def looks_like_menu(paragraphs: list[str]) -> bool:
    """Whether an output is mostly short unpunctuated lines: a site menu or index, not an article."""
    if len(paragraphs) < 12:
        return False
    short = [p for p in paragraphs if len(p) < 40]
    sentences = sum(1 for p in paragraphs if p.rstrip()[-1:] in _SENTENCE_END)
    return (
        len(short) >= 0.7 * len(paragraphs)
        and sum(map(len, short)) >= 0.5 * sum(map(len, paragraphs))
        and sentences < 0.3 * len(paragraphs)
    )


def drop_teasers(paragraphs: list[str], anchors: frozenset[str]) -> list[str]:
    """On a page whose output is mostly link texts (a list of headlines), keep only the other lines.

    Articles also have a line or two that is a link's text; those stay unless they are the majority.
    """
    keep = [p for p in paragraphs if len(p) > _MAX_BOILERPLATE_CHARS or not _linky(p, anchors)]
    return keep if len(keep) < 0.5 * len(paragraphs) else paragraphs


def has_prose(paragraphs: list[str], min_words: int = 8) -> bool:
    """Whether any line reads like a sentence rather than a label, menu entry or headline list."""
    # Chinese and Japanese are written without spaces: a long run of characters counts as prose.
    return any(len(p.split()) >= min_words or (len(p) >= 40 and len(p.split()) < 4) for p in paragraphs)
