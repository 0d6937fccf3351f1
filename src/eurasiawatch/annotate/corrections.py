"""Editors' corrections applied to an annotation: they win over the annotator, oldest first.

A correction adds or removes a country or an entity (a knowledge-base id), or adds and removes
themes (``theme_model.corrected_themes``). An added mention has no position in the text
(``start = end = -1``); a removed one takes every mention of that key with it. Countries follow
their mentions: an added country joins ``countries``, a removed one leaves it. Events are the
annotator's and stay as they are.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import replace
from typing import Any

from ..records import Annotation, Mention
from .theme_model import corrected_themes

__all__ = ["apply_corrections"]


def apply_corrections(
    annotation: Annotation,
    *,
    themes: Iterable[tuple[Iterable[str], Iterable[str]]] = (),
    mentions: Sequence[Mapping[str, Any]] = (),
) -> Annotation:
    """The annotation with editors' corrections applied.

    Args:
        annotation: what the annotator found.
        themes: theme corrections as ``(added, removed)``, oldest first.
        mentions: country and entity corrections, oldest first: mappings with ``kind``, ``key``,
            ``name``, ``action`` (``add`` | ``remove``) and optionally ``country``, ``entity_type``,
            ``wikidata``.

    Returns:
        The corrected annotation (the same object when there is nothing to apply).
    """
    theme_list = list(themes)
    if not theme_list and not mentions:
        return annotation
    found = list(annotation.mentions)
    countries = list(annotation.countries)
    for c in mentions:
        kind, key = c["kind"], c["key"]
        found = [m for m in found if not (m.kind == kind and m.key == key)]
        if kind == "country" and key in countries:
            countries.remove(key)
        if c["action"] != "add":
            continue
        found.append(
            Mention(
                article_id=annotation.article_id,
                kind=kind,
                key=key,
                name=c["name"],
                wikidata=c.get("wikidata"),
                country=c.get("country"),
                entity_type=c.get("entity_type"),
            )
        )
        if kind == "country":
            countries.append(key)
    corrected = corrected_themes(annotation.themes, theme_list) if theme_list else tuple(annotation.themes)
    return replace(
        annotation, mentions=tuple(found), countries=tuple(dict.fromkeys(countries)), themes=corrected
    )
