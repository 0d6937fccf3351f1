"""Editors' entity corrections feed the knowledge base, through a review queue (``kb_suggestions``).

- **Add with the words as written**: an editor adds an entity to an article and says how the article
  writes it. When those words occur in the article (as the matcher compares them: whole words, case
  folded, inflected forms too) and are not yet a name of that actor, a suggestion to add them as an
  alias (language from the article) joins the queue.
- **New actor**: an entity the knowledge base lacks (name, type, home country, the words as written)
  becomes a suggestion to create a user actor; its id is the slug of the name, its QID stays empty.
- **Remove**: when an editor removes an entity, the alias that had matched in that article is
  recorded (``kb_alias_removals``; from the stored mention's offsets, else the actor's names found in
  the text). Once one alias of one actor has been removed on ``kb.drop_alias_after`` different
  articles, a suggestion to drop it joins the queue. The canonical name is never proposed for dropping.

Accepting writes the user knowledge-base file (``annotate.kb.merge_user_entries``: the actor's whole
entry as an override by id, so the knowledge-base version changes), then annotates again the stored
articles whose title or text may contain the alias (at most ``kb.reannotate_limit``), the way
``reannotate`` does: editors' corrections still win. Rejecting changes nothing but the queue; the same
change is not proposed again. Every suggestion and decision writes an audit row.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from sqlalchemy import Connection

from .accounts import User, record
from .analyze.search import index_article
from .annotate.kb import (
    ACTOR_TYPES,
    Actor,
    KnowledgeBase,
    load_kb,
    merge_user_entries,
    normalize_alias,
    slugify,
    user_kb_path,
)
from .annotate.surface import (
    alias_language,
    annotated_text,
    find_form,
    matched_alias,
    names_in,
    word_keys,
    word_pieces,
)
from .annotating import annotate_ids
from .clock import Clock
from .config import Settings
from .corrections import CorrectionError, correct_mentions
from .records import Annotation, Article
from .store import Database, queries
from .store import kb_suggestions as store
from .store.annotations import load_annotation

__all__ = [
    "Decision",
    "SuggestionError",
    "accept_suggestion",
    "correct_entities",
    "excerpt",
    "reject_suggestion",
    "suggest_new_actor",
]

# one accept at a time: reading, changing and writing the user file is not atomic (a thread lock for
# the desk's workers, an advisory file lock beside the user file for the desk and a command together)
_WRITE_LOCK = threading.Lock()
_MAX_FORM = 200
_SPACES = re.compile(r"\s+")


class SuggestionError(CorrectionError):
    """A suggestion that cannot be made or decided (words not in the article, unknown type, decided)."""


@dataclass(frozen=True, slots=True)
class Decision:
    """What accepting or rejecting a suggestion did."""

    suggestion: dict[str, Any]
    status: str
    changed: bool = False  # the user knowledge-base file was written
    kb_version: str = ""
    reannotated: int = 0

    @property
    def summary(self) -> str:
        """One line for the desk and the CLI."""
        s = self.suggestion
        what = _describe(s)
        if self.status == "rejected":
            return f"Rejected #{s['id']}: {what}. The knowledge base is unchanged."
        if not self.changed:
            return f"Accepted #{s['id']}: {what}; the knowledge base already had it."
        return (
            f"Accepted #{s['id']}: {what}. Knowledge base {self.kb_version}; "
            f"{self.reannotated} stored article(s) annotated again."
        )


def _describe(s: Mapping[str, Any]) -> str:
    if s["kind"] == "add_alias":
        return f"add alias “{s['alias']}” ({s['language']}) to {s['actor_id']}"
    if s["kind"] == "drop_alias":
        return f"drop alias “{s['alias']}” of {s['actor_id']}"
    return (
        f"new actor {s['name']} ({s['entity_type']}, {s['country'] or 'no home country'}) as {s['actor_id']}"
    )


def _username(user: User | str | None) -> str | None:
    return user if isinstance(user, str) or user is None else user.username


def _clean_form(form: str) -> str:
    text = " ".join(form.split())
    if len(text) > _MAX_FORM:
        raise SuggestionError(f"the words as written are longer than {_MAX_FORM} characters")
    return text


def _article(conn: Connection, article_id: str) -> tuple[Article, Annotation]:
    article = queries.get_article(conn, article_id)
    if article is None:
        raise SuggestionError(f"no stored article {article_id!r}")
    annotation = load_annotation(conn, article_id)
    if annotation is None:
        raise SuggestionError(
            f"article {article_id!r} is not annotated yet", hint="run eurasiawatch reannotate"
        )
    return article, annotation


def _language(article: Article, annotation: Annotation) -> str | None:
    return annotation.language or article.language


def _where_written(article: Article, annotation: Annotation, form: str) -> None:
    if not word_keys(form, None) or not any(ch.isalnum() for ch in form):
        raise SuggestionError("the words as written are empty", hint="copy the name from the article's text")
    text = annotated_text(article.title, article.text)
    if find_form(text, form, _language(article, annotation)) is None:
        raise SuggestionError(
            f"“{form}” does not occur in this article's title or text",
            hint="copy the words exactly as the article writes them",
        )


def _has_name(actor: Actor, form: str) -> bool:
    key = normalize_alias(form)
    return any(normalize_alias(name) == key for name in actor.all_names())


def _propose(
    conn: Connection,
    *,
    kind: str,
    actor_id: str,
    alias: str,
    language: str,
    article_ids: Sequence[str],
    user: User | str | None,
    now: datetime,
    **extra: Any,
) -> tuple[int | None, str]:
    """Queue a suggestion, or add evidence to the same pending one; (id, "new" | "more" | "rejected")."""
    key = normalize_alias(alias)
    same = [
        s
        for s in store.suggestions_for(conn, kind, actor_id)
        # one new actor per id, whatever words each article used for it
        if kind == "new_actor" or normalize_alias(s["alias"]) == key
    ]
    for s in same:
        if s["status"] == "pending":
            store.update_evidence(conn, s["id"], [*s["article_ids"], *article_ids], now=now)
            return s["id"], "more"
    if any(s["status"] == "rejected" for s in same):
        return None, "rejected"  # an editor said no to this change; it is not proposed again
    sid = store.add_suggestion(
        conn,
        kind=kind,
        actor_id=actor_id,
        alias=alias,
        language=language,
        article_ids=article_ids,
        proposed_by=_username(user),
        now=now,
        **extra,
    )
    return sid, "new"


def _removed_aliases(article: Article, annotation: Annotation, actor: Actor) -> tuple[str, ...]:
    """The actor's names that matched in the article: from the mentions' offsets, else the text."""
    text = annotated_text(article.title, article.text)
    language = _language(article, annotation)
    found: dict[str, None] = {}
    for m in annotation.mentions:
        if m.kind == "entity" and m.key == actor.id and 0 <= m.start < m.end <= len(text):
            name = matched_alias(actor, text[m.start : m.end], language)
            if name is not None:
                found[name] = None
    return tuple(found) if found else names_in(text, actor, language)


def _alias_language(actor: Actor, alias: str) -> str:
    for lang, names in actor.aliases.items():
        if alias in names:
            return lang
    return "en"


def _record_removals(
    conn: Connection,
    kb: KnowledgeBase,
    article: Article,
    annotation: Annotation,
    removed: Iterable[str],
    *,
    user: User,
    now: datetime,
    drop_after: int,
) -> list[int]:
    """Record the aliases behind removed entities; queue a drop once one was removed often enough."""
    queued = []
    for key in removed:
        actor = kb.actors.get(key)
        if actor is None:
            continue
        for alias in _removed_aliases(article, annotation, actor):
            store.add_alias_removal(conn, key, alias, article.article_id, editor=user.username, now=now)
            if normalize_alias(alias) == normalize_alias(actor.name):
                continue  # the canonical name cannot be dropped, only the actor overridden by hand
            evidence = store.alias_removal_articles(conn, key, alias)
            if len(evidence) >= drop_after:
                sid, how = _propose(
                    conn,
                    kind="drop_alias",
                    actor_id=key,
                    alias=alias,
                    language=_alias_language(actor, alias),
                    article_ids=evidence,
                    user=None,  # the desk proposes it, from several editors' removals
                    now=now,
                )
                if sid is not None and how == "new":
                    detail = f"#{sid}: drop alias “{alias}” of {key} ({len(evidence)} articles)"
                    record(conn, None, "kb.suggest", f"article:{article.article_id}", detail, now=now)
                if sid is not None:
                    queued.append(sid)
    return queued


def correct_entities(
    db: Database,
    kb: KnowledgeBase,
    clock: Clock,
    article_id: str,
    *,
    add: Sequence[str] = (),
    remove: Sequence[str] = (),
    as_written: str = "",
    user: User,
    drop_after: int = 2,
) -> str:
    """Correct an article's entities and queue what the knowledge base should learn from it.

    Args:
        db: the database.
        kb: the knowledge base in use.
        clock: stamps the rows.
        article_id: the article.
        add: knowledge-base ids to add.
        remove: ids to remove; the aliases that had matched are recorded.
        as_written: how the article writes the one added entity (optional).
        user: the editor.
        drop_after: removals on different articles before dropping an alias is suggested.

    Returns:
        ``"entities"`` (corrected), ``"alias"`` (corrected and an alias suggested), ``"alias-known"``
        (the words are already one of its names) or ``"alias-rejected"`` (suggested before and rejected).

    Raises:
        CorrectionError: unknown article or entity, nothing to change, or words not in the article.
    """
    form = _clean_form(as_written)
    adding = [k.strip() for k in add if k.strip()]
    if form:
        if len(adding) != 1:
            raise SuggestionError("give exactly one knowledge-base id to add with the words as written")
        if adding[0] not in kb.actors:
            raise SuggestionError(
                f"no entity {adding[0]!r} in the knowledge base", hint="suggest it as a new actor instead"
            )
        with db.read() as conn:
            article, annotation = _article(conn, article_id)
        _where_written(article, annotation, form)
    outcome = ["entities"]

    def learn(conn: Connection, before: Annotation, added: tuple[str, ...], removed: tuple[str, ...]) -> None:
        article = queries.get_article(conn, article_id)
        assert article is not None  # correct_mentions checked it in this transaction
        now = clock.now()
        _record_removals(conn, kb, article, before, removed, user=user, now=now, drop_after=drop_after)
        if form:
            outcome[0] = _suggest_alias(conn, kb, article, before, adding[0], form, user=user, now=now)

    present = {m.key for m in annotation.mentions if m.kind == "entity"} if form else set()
    if form and adding[0] in present and not [k for k in remove if k in present]:
        # the entity is there already: only the words as written are news
        with db.begin() as conn:
            article, annotation = _article(conn, article_id)
            outcome[0] = _suggest_alias(
                conn, kb, article, annotation, adding[0], form, user=user, now=clock.now()
            )
        return outcome[0]
    correct_mentions(db, kb, clock, article_id, "entity", add=adding, remove=remove, user=user, also=learn)
    return outcome[0]


def _suggest_alias(
    conn: Connection,
    kb: KnowledgeBase,
    article: Article,
    annotation: Annotation,
    actor_id: str,
    form: str,
    *,
    user: User,
    now: datetime,
) -> str:
    actor = kb.actors[actor_id]
    if _has_name(actor, form):
        return "alias-known"
    language = alias_language(_language(article, annotation), form)
    sid, _how = _propose(
        conn,
        kind="add_alias",
        actor_id=actor_id,
        alias=form,
        language=language,
        article_ids=[article.article_id],
        user=user,
        now=now,
    )
    if sid is None:
        return "alias-rejected"
    detail = f"#{sid}: add alias “{form}” ({language}) to {actor_id}"
    record(conn, user, "kb.suggest", f"article:{article.article_id}", detail, now=now)
    return "alias"


def suggest_new_actor(
    db: Database,
    kb: KnowledgeBase,
    clock: Clock,
    article_id: str,
    *,
    name: str,
    entity_type: str,
    country: str = "",
    as_written: str = "",
    user: User,
) -> int:
    """Queue a new user actor seen in an article (it joins the article once accepted).

    Args:
        db: the database.
        kb: the knowledge base in use.
        clock: stamps the rows.
        article_id: where the editor saw it.
        name: canonical name (the English Wikidata label, if there is one).
        entity_type: one of ``annotate.kb.ACTOR_TYPES``.
        country: home country (ISO code), or empty.
        as_written: how the article writes it (default: the name).
        user: the editor.

    Returns:
        The suggestion's id (an earlier pending one for the same actor gets this article as evidence).

    Raises:
        SuggestionError: empty name, unknown type or country, words not in the article, the id exists.
    """
    name = " ".join(name.split())
    if not name:
        raise SuggestionError("the new actor needs a name")
    if len(name) > _MAX_FORM:
        raise SuggestionError(f"the name is longer than {_MAX_FORM} characters")
    entity_type = entity_type.strip()
    if entity_type not in ACTOR_TYPES:
        raise SuggestionError(f"unknown type {entity_type!r}", hint=f"one of {', '.join(ACTOR_TYPES)}")
    code = country.strip().upper()
    if code and code not in kb.countries:
        raise SuggestionError(f"unknown country code {code!r}", hint="an ISO 3166 code such as KZ, or none")
    actor_id = slugify(name)
    if not actor_id:
        raise SuggestionError(
            f"no id can be made from the name {name!r}", hint="give the name in Latin letters"
        )
    if actor_id in kb.actors:
        known = kb.actors[actor_id]
        raise SuggestionError(
            f"the knowledge base already has {known.name} ({actor_id})",
            hint="add it by id, with the words as written",
        )
    form = _clean_form(as_written) or name
    with db.begin() as conn:
        article, annotation = _article(conn, article_id)
        _where_written(article, annotation, form)
        sid, _how = _propose(
            conn,
            kind="new_actor",
            actor_id=actor_id,
            alias=form,
            language=alias_language(_language(article, annotation), form),
            article_ids=[article_id],
            user=user,
            now=clock.now(),
            name=name,
            entity_type=entity_type,
            country=code or None,
        )
        if sid is None:
            raise SuggestionError(f"a new actor {actor_id!r} was suggested before and rejected")
        record(
            conn,
            user,
            "kb.suggest",
            f"article:{article_id}",
            f"#{sid}: new actor {name} ({actor_id})",
            now=clock.now(),
        )
    return sid


def _entry(s: Mapping[str, Any], kb: KnowledgeBase) -> dict[str, Any] | None:
    """The user-file entry an accepted suggestion writes; None when the knowledge base has it already."""
    if s["kind"] == "new_actor":
        if s["actor_id"] in kb.actors:
            raise SuggestionError(
                f"the knowledge base has an actor {s['actor_id']!r} now",
                hint="reject this one and add the words as an alias of that actor",
            )
        entry: dict[str, Any] = {"id": s["actor_id"], "name": s["name"], "type": s["entity_type"]}
        if s["country"]:
            entry["country"] = s["country"]
        if normalize_alias(s["alias"]) != normalize_alias(s["name"]):
            entry["aliases"] = {s["language"]: [s["alias"]]}
        return entry
    actor = kb.actors.get(s["actor_id"])
    if actor is None:
        raise SuggestionError(f"no actor {s['actor_id']!r} in the knowledge base any more", hint="reject it")
    entry = actor.to_mapping()
    aliases = {lang: list(names) for lang, names in actor.aliases.items()}
    key = normalize_alias(s["alias"])
    if s["kind"] == "add_alias":
        if _has_name(actor, s["alias"]):
            return None
        aliases.setdefault(s["language"], []).append(s["alias"])
    else:
        if key == normalize_alias(actor.name):
            raise SuggestionError("the canonical name of an actor cannot be dropped", hint="reject it")
        kept = {lang: [n for n in names if normalize_alias(n) != key] for lang, names in aliases.items()}
        if kept == aliases:
            return None
        aliases = {lang: names for lang, names in kept.items() if names}
    entry.pop("aliases", None)
    if aliases:
        entry["aliases"] = aliases
    return entry


def excerpt(
    article: Article, words: str, language: str | None, *, width: int = 70
) -> tuple[str, str, str] | None:
    """Where the words occur in an article, for a reviewer: (text before, the words, text after).

    Args:
        article: the evidence article.
        words: the suggestion's alias.
        language: the article's language (its suffix rules).
        width: characters of context on each side.

    Returns:
        The three pieces (context cut at spaces, with … where cut), or None when the words are not there.
    """
    text = annotated_text(article.title, article.text)
    found = find_form(text, words, language)
    if found is None:
        return None
    start, end = found
    lead, tail = text[max(0, start - width) : start], text[end : end + width]
    if start > width:
        lead = "…" + lead.split(" ", 1)[-1]
    if end + width < len(text):
        tail = tail.rsplit(" ", 1)[0] + "…"
    return _SPACES.sub(" ", lead), text[start:end], _SPACES.sub(" ", tail)


def _like_patterns(names: Iterable[str], language: str | None) -> list[str]:
    """LIKE patterns that find the names' words in order, inflected too (a bounded pre-filter)."""
    out = []
    for name in names:
        pieces = []
        for word, key in word_pieces(name, language):
            # SQLite folds the case of ASCII letters only: drop the first letter of longer words
            piece = key[1:] if len(key) >= 4 else word
            pieces.append(piece.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_"))
        if pieces:
            out.append("%" + "%".join(pieces) + "%")
    return list(dict.fromkeys(out))


@contextmanager
def _user_file_lock(path: Path) -> Iterator[None]:
    """Hold the process lock and, where the OS has ``fcntl``, an exclusive lock on ``<file>.lock``."""
    with _WRITE_LOCK:
        try:
            import fcntl
        except ImportError:  # Windows: the thread lock only
            yield
            return
        path.parent.mkdir(parents=True, exist_ok=True)
        with open(path.with_name(path.name + ".lock"), "a") as handle:
            fcntl.flock(handle, fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(handle, fcntl.LOCK_UN)


def accept_suggestion(
    db: Database, settings: Settings, clock: Clock, suggestion_id: int, *, user: User | str
) -> Decision:
    """Write an accepted suggestion into the user knowledge base, then annotate again where it matters.

    Args:
        db: the database.
        settings: effective settings (the data directory holds the user file; ``kb_reannotate_limit``).
        clock: stamps the decision and the annotations.
        suggestion_id: the suggestion.
        user: who decides (a desk user, or a name such as ``(cli)``).

    Returns:
        What changed: the new knowledge-base version and how many articles were annotated again.

    Raises:
        SuggestionError: no such suggestion, already decided, or it no longer fits the knowledge base.
        KnowledgeBaseError: the user file or the new entry is invalid (nothing is written then).
    """
    path = user_kb_path(settings.data_dir)
    with _user_file_lock(path), db.begin() as conn:
        s = _pending(conn, suggestion_id)
        kb = load_kb(path)
        entry = _entry(s, kb)
        if not store.decide_suggestion(
            conn, suggestion_id, "accepted", decided_by=_username(user), now=clock.now()
        ):
            raise SuggestionError(f"suggestion #{suggestion_id} was decided meanwhile")
        if entry is not None:
            merge_user_entries(path, [entry], kb=kb)  # a failure rolls the decision back
        record(conn, user, "kb.accept", f"kb_suggestion:{suggestion_id}", _describe(s), now=clock.now())
    if entry is None:
        return Decision({**s, "status": "accepted"}, "accepted", changed=False, kb_version=kb.version)
    new_kb = load_kb(path)
    language = s["language"] if s["language"] != "mul" else None
    names = [s["alias"]] + ([s["name"]] if s["kind"] == "new_actor" else [])
    with db.read() as conn:
        found = store.articles_like(conn, _like_patterns(names, language), limit=settings.kb_reannotate_limit)
    ids = list(dict.fromkeys([*s["article_ids"], *found]))[: settings.kb_reannotate_limit]
    report = annotate_ids(db, settings, clock, ids, kb=new_kb)
    with db.begin() as conn:
        for article_id in ids:
            index_article(conn, article_id, now=clock.now())
    return Decision(
        {**s, "status": "accepted"},
        "accepted",
        changed=True,
        kb_version=new_kb.version,
        reannotated=report.annotated,
    )


def _pending(conn: Connection, suggestion_id: int) -> dict[str, Any]:
    s = store.get_suggestion(conn, suggestion_id)
    if s is None:
        raise SuggestionError(f"no suggestion #{suggestion_id}")
    if s["status"] != "pending":
        who = f" by {s['decided_by']}" if s["decided_by"] else ""
        raise SuggestionError(f"suggestion #{suggestion_id} was already {s['status']}{who}")
    return s


def reject_suggestion(db: Database, clock: Clock, suggestion_id: int, *, user: User | str) -> Decision:
    """Mark a suggestion rejected (the knowledge base is untouched; the change is not proposed again).

    Raises:
        SuggestionError: no such suggestion, or already decided.
    """
    with db.begin() as conn:
        s = _pending(conn, suggestion_id)
        if not store.decide_suggestion(
            conn, suggestion_id, "rejected", decided_by=_username(user), now=clock.now()
        ):
            raise SuggestionError(f"suggestion #{suggestion_id} was decided meanwhile")
        record(conn, user, "kb.reject", f"kb_suggestion:{suggestion_id}", _describe(s), now=clock.now())
    return Decision({**s, "status": "rejected"}, "rejected")
