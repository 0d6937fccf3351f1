"""Editors' corrections of stored articles: themes, countries, entities — kept across re-annotation.

- **Themes** go to ``theme_corrections`` through ``store.queries.add_theme_correction``, the path
  ``eurasiawatch label`` takes, so ``label train`` learns from them; they also change the stored
  annotation at once.
- **Countries and entities** go to ``mention_corrections`` (migration 0014).

Both kinds are applied over the annotator's output whenever an article is annotated again
(``annotating.annotate_stored`` and the archive backfill call :func:`with_corrections_many`), so they
win over the annotator and survive ``reannotate``. Each correction re-indexes the article for search
and writes an audit row (who, what, before, after) in the same transaction.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection

from .accounts import User, record
from .analyze.search import index_article
from .annotate import KnowledgeBase
from .annotate.corrections import apply_corrections
from .annotate.themes import THEMES
from .clock import Clock
from .errors import EurasiawatchError
from .records import Annotation
from .render.choropleth import country_names
from .store import Database, queries
from .store import desk as store
from .store.annotations import load_annotation, save_annotation

__all__ = [
    "Change",
    "CorrectionError",
    "correct_mentions",
    "correct_themes",
    "with_corrections",
    "with_corrections_many",
]


class CorrectionError(EurasiawatchError):
    """A correction that cannot be made (unknown article, theme, country or entity; nothing to change)."""


@dataclass(frozen=True, slots=True)
class Change:
    """What a correction changed: the values before and after."""

    before: tuple[str, ...]
    after: tuple[str, ...]

    @property
    def changed(self) -> bool:
        """Whether anything changed."""
        return set(self.before) != set(self.after)


def with_corrections(conn: Connection, annotation: Annotation) -> Annotation:
    """The annotation with every stored correction of its article applied (oldest first)."""
    aid = annotation.article_id
    themes = store.theme_corrections_for(conn, [aid]).get(aid, [])
    mentions = store.mention_corrections_for(conn, [aid]).get(aid, [])
    return apply_corrections(annotation, themes=themes, mentions=mentions)


def with_corrections_many(conn: Connection, annotations: Sequence[Annotation]) -> list[Annotation]:
    """:func:`with_corrections` for a batch (two queries for all of them)."""
    ids = [a.article_id for a in annotations]
    themes = store.theme_corrections_for(conn, ids)
    mentions = store.mention_corrections_for(conn, ids)
    return [
        apply_corrections(a, themes=themes.get(a.article_id, []), mentions=mentions.get(a.article_id, []))
        for a in annotations
    ]


def _current(conn: Connection, article_id: str) -> Annotation:
    if queries.get_article(conn, article_id) is None:
        raise CorrectionError(f"no stored article {article_id!r}")
    annotation = load_annotation(conn, article_id)
    if annotation is None:
        raise CorrectionError(
            f"article {article_id!r} is not annotated yet", hint="run eurasiawatch reannotate"
        )
    return annotation


def _keys(annotation: Annotation, kind: str) -> tuple[str, ...]:
    if kind == "country":
        return tuple(dict.fromkeys(annotation.countries))
    return tuple(dict.fromkeys(m.key for m in annotation.mentions if m.kind == kind))


def _save(conn: Connection, annotation: Annotation, clock: Clock) -> None:
    save_annotation(conn, with_corrections(conn, annotation), now=clock.now())
    index_article(conn, annotation.article_id, now=clock.now())


def _show(values: Iterable[str]) -> str:
    return ", ".join(values) or "none"


def correct_themes(
    db: Database, clock: Clock, article_id: str, themes: Iterable[str], *, user: User
) -> Change:
    """Set an article's themes to ``themes``: the difference is stored as a ``label`` correction.

    Raises:
        CorrectionError: unknown article or theme, or the themes are what they were.
    """
    wanted = tuple(dict.fromkeys(t.strip().lower() for t in themes if t.strip()))
    unknown = [t for t in wanted if t not in THEMES]
    if unknown:
        raise CorrectionError(f"unknown theme {unknown[0]!r}", hint=f"one of {', '.join(THEMES)}")
    with db.begin() as conn:
        annotation = _current(conn, article_id)
        before = tuple(annotation.themes)
        added = tuple(t for t in wanted if t not in before)
        removed = tuple(t for t in before if t not in wanted)
        if not added and not removed:
            raise CorrectionError("the themes are unchanged")
        queries.add_theme_correction(
            conn, article_id, added=added, removed=removed, editor=user.username, now=clock.now()
        )
        _save(conn, annotation, clock)
        after = tuple(load_annotation(conn, article_id).themes)  # type: ignore[union-attr]
        record(
            conn,
            user,
            "correction.themes",
            f"article:{article_id}",
            f"{_show(before)} -> {_show(after)}",
            now=clock.now(),
        )
    return Change(before, after)


def correct_mentions(
    db: Database,
    kb: KnowledgeBase,
    clock: Clock,
    article_id: str,
    kind: str,
    *,
    add: Iterable[str] = (),
    remove: Iterable[str] = (),
    user: User,
    also: Callable[[Connection, Annotation, tuple[str, ...], tuple[str, ...]], None] | None = None,
) -> Change:
    """Add or remove countries (ISO codes) or entities (knowledge-base ids) of an article.

    ``also`` is called in the same transaction with the annotation as it was and the keys added and
    removed (``kb_review`` records there what the knowledge base should learn from the correction).

    Raises:
        CorrectionError: unknown article, country or entity, or nothing would change.
    """
    if kind not in ("country", "entity"):
        raise ValueError(f"not a mention kind: {kind!r}")
    adding = tuple(
        dict.fromkeys(k.strip().upper() if kind == "country" else k.strip() for k in add if k.strip())
    )
    removing = tuple(dict.fromkeys(k.strip() for k in remove if k.strip()))
    names = country_names() if kind == "country" else {}
    for key in adding:
        if kind == "country" and key not in names:
            raise CorrectionError(f"unknown country code {key!r}", hint="an ISO 3166 code such as KZ")
        if kind == "entity" and key not in kb.actors:
            raise CorrectionError(
                f"no entity {key!r} in the knowledge base", hint="see eurasiawatch kb search"
            )
    with db.begin() as conn:
        annotation = _current(conn, article_id)
        before = _keys(annotation, kind)
        rows: list[dict[str, Any]] = []
        for key in removing:
            if key in before:
                rows.append({"key": key, "name": key, "action": "remove"})
        for key in adding:
            if key in before:
                continue
            if kind == "country":
                rows.append({"key": key, "name": names[key], "action": "add"})
            else:
                actor = kb.actors[key]
                rows.append(
                    {
                        "key": key,
                        "name": actor.name,
                        "action": "add",
                        "country": actor.country or None,
                        "entity_type": actor.type,
                        "wikidata": actor.qid or None,
                    }
                )
        if not rows:
            raise CorrectionError(f"the {'countries' if kind == 'country' else 'entities'} are unchanged")
        for row in rows:
            store.add_mention_correction(
                conn, article_id, kind=kind, editor=user.username, now=clock.now(), **row
            )
        if also is not None:
            added_keys = tuple(r["key"] for r in rows if r["action"] == "add")
            removed_keys = tuple(r["key"] for r in rows if r["action"] == "remove")
            also(conn, annotation, added_keys, removed_keys)
        _save(conn, annotation, clock)
        after = _keys(load_annotation(conn, article_id), kind)  # type: ignore[arg-type]
        action = "correction.countries" if kind == "country" else "correction.entities"
        record(
            conn, user, action, f"article:{article_id}", f"{_show(before)} -> {_show(after)}", now=clock.now()
        )
    return Change(before, after)
