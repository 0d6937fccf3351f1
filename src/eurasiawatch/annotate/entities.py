"""Actors an article mentions (people, organisations, companies, media, projects …), read in context.

- A **bare surname** (``Xi``, ``Wang``, ``Kim``, ``Си``) counts only when the same article names the
  person in full somewhere (``Xi Jinping``, ``President Xi``); among several people with that surname,
  the one named in full nearest before it wins. Longer single-word names that only one actor carries
  (``Putin``, ``Orbán``) count on their own.
- **Brussels** standing for the EU institutions (no Belgian context, see ``countries``) is the
  European Union.
- An alias shared by several actors goes to the one named in full in the article, else to the one
  whose home country the article mentions, else to the owner of the canonical name.
- ``Xi'an`` is one word to the tokenizer, so it never meets ``Xi``.
- A bare surname that is an ordinary word of the article's language (``data/kb/name_traps.yaml``:
  Uzbek "Xitoy Raisi" is China's chairman, not Ebrahim Raisi) also needs the full name in the article.
"""

from __future__ import annotations

from ..records import Mention
from .countries import ArticleContext, brussels_means_eu
from .kb import Actor, KnowledgeBase, normalize_alias, read_word_lists
from .matcher import Hit, Target
from .normalize import fold

__all__ = ["EU_ID", "resolve_entities"]

EU_ID = "european-union"
_MIN_BARE_LETTERS = 5


def _is_trap(alias: str, language: str | None) -> bool:
    """``alias`` is an ordinary word in ``language`` (or in every language)."""
    traps = read_word_lists("name_traps.yaml")
    word = normalize_alias(alias)
    code = (language or "").split("-")[0].lower()
    return word in traps.get("mul", frozenset()) or word in traps.get(code, frozenset())


def _is_bare_surname(target: Target, actor: Actor) -> bool:
    """A one-word alias of a person that is part of a longer name of theirs."""
    if actor.type != "person" or " " in target.alias.strip() or "-" in target.alias:
        return False
    word = fold(target.alias)
    return any(word in fold(name).replace("-", " ").split() and " " in name for name in actor.all_names())


def resolve_entities(
    ctx: ArticleContext, kb: KnowledgeBase, *, article_id: str = "", countries: frozenset[str] = frozenset()
) -> list[Mention]:
    """Entity mentions of an article.

    Args:
        ctx: the article's tokens and matcher hits.
        kb: the knowledge base.
        article_id: stamped on each mention.
        countries: ISO codes the article mentions (to settle aliases shared by several actors).

    Returns:
        One mention per entity reference, in text order.
    """
    # first pass: who is named in full (a multi-word name, or a name that is not a bare surname)
    full: dict[str, list[int]] = {}
    for hit in ctx.hits:
        for target in hit.targets:
            actor = kb.actors.get(target.key) if target.kind == "actor" else None
            if actor is not None and not _is_bare_surname(target, actor):
                full.setdefault(actor.id, []).append(hit.first)
    out: list[Mention] = []
    for hit in ctx.hits:
        if brussels_means_eu(hit, ctx) and EU_ID in kb.actors:
            out.append(_mention(kb.actors[EU_ID], hit, article_id))
            continue
        actor = _choose(hit, kb, full, countries, ctx.language)
        if actor is not None:
            out.append(_mention(actor, hit, article_id))
    return out


def _choose(
    hit: Hit,
    kb: KnowledgeBase,
    full: dict[str, list[int]],
    countries: frozenset[str],
    language: str | None = None,
) -> Actor | None:
    options: list[tuple[Target, Actor]] = []
    for target in hit.targets:
        actor = kb.actors.get(target.key) if target.kind == "actor" else None
        if actor is not None and all(a.id != actor.id for _, a in options):
            options.append((target, actor))
    if not options:
        return None
    allowed = []
    for target, actor in options:
        if _is_bare_surname(target, actor):
            ambiguous = len(kb.index.get(fold(target.alias), ())) > 1
            short = sum(ch.isalpha() for ch in target.alias) < _MIN_BARE_LETTERS
            trap = _is_trap(target.alias, language) or _is_trap(hit.surface, language)
            if (short or ambiguous or trap) and actor.id not in full:
                continue
        allowed.append(actor)
    if not allowed:
        return None
    if len(allowed) == 1:
        return allowed[0]
    named = [a for a in allowed if a.id in full]
    if named:
        # the one named in full nearest before the hit (or first after it)
        def distance(actor: Actor) -> int:
            positions = full[actor.id]
            before = [p for p in positions if p <= hit.first]
            return hit.first - max(before) if before else 10**6 + min(positions)

        return min(named, key=distance)
    local = [a for a in allowed if a.country and a.country in countries]
    return local[0] if local else allowed[0]


def _mention(actor: Actor, hit: Hit, article_id: str) -> Mention:
    return Mention(
        article_id=article_id,
        kind="entity",
        key=actor.id,
        name=actor.name,
        start=hit.start,
        end=hit.end,
        wikidata=actor.qid or None,
        country=actor.country or None,
        entity_type=actor.type,
    )
