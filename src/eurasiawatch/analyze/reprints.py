"""Reprint chains: Chinese state-media copy republished or lightly rewritten by local outlets.

An article is a reprint when it credits a Chinese state-media agency as its source — a sign-off or
dateline credit ``(Xinhua)``, the agency in the headline, or at least two reporting credits
("… CGTN reported", "сообщает агентство Синьхуа", "по данным CGTN") — or, uncredited, when it is a
near-copy of a state-media article of its story (same language, most words shared). Agency names in
every language come from the knowledge base (Chinese ``media`` actors), never from this code.

The source is the state-media article of the same story, published no later, from the credited
agency when the outlet's agency is known, best matching first; a credit whose copy we never saw
gives a reprint with no source (still counted). Cross-language rewrites (Russian copy of English
Xinhua) are found because the story clustering joins them first.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from ..annotate import KnowledgeBase
from .similarity import Signals, idf_table, pair_features

__all__ = ["Reprint", "credited_agencies", "find_reprints", "reprint_counts", "state_media_names"]

# reporting verbs and phrases near a credit, in the region's languages (lower case, stems)
_REPORTING = (
    "reported", "reports", "according to", "said in a report", "сообща", "по данным", "переда",
    "со ссылкой на", "отмеча", "пише", "повідомля", "за даними", "хабарла", "мәлімет", "xabar",
    "ma'lum qil", "javlja", "prenosi", "izvešta", "извешта", "преноси", "јавља", "jelenti", "szerint",
    "írja",
)  # fmt: skip
_NEAR = 60  # characters either side of an agency name searched for a reporting phrase
_COPY_WORDS = 0.55  # word cosine (same language) above which an uncredited article is a copy


@dataclass(frozen=True, slots=True, kw_only=True)
class Reprint:
    """One local article that republishes state-media copy."""

    article_id: str
    source_id: str | None  # the state-media article it copies, when it is in the same story
    agency: str | None  # the credited agency (KB name), when credited
    outlet: str | None
    how: str  # "credited" | "copy"


def state_media_names(kb: KnowledgeBase) -> dict[str, tuple[str, ...]]:
    """Chinese state-media agency (KB name) → its names in every language, from the knowledge base."""
    out: dict[str, tuple[str, ...]] = {}
    for actor in kb.actors.values():
        if actor.type == "media" and actor.country == "CN":
            out[actor.name] = tuple(n.strip('«»"') for n in actor.all_names() if len(n.strip('«»"')) >= 3)
    return out


def credited_agencies(title: str, text: str, agencies: Mapping[str, tuple[str, ...]]) -> Counter[str]:
    """How strongly each agency is credited as the source: sign-off/headline credits count 2, others 1."""
    found: Counter[str] = Counter()
    body = text[:6000]
    for agency, names in agencies.items():
        for name in names:
            if name not in body and name not in (title or ""):
                continue  # the pattern cannot match: skip the regex scan (most names are absent)
            pattern = re.compile(rf"(?<!\w){re.escape(name)}(?!\w)")
            if pattern.search(title or ""):
                found[agency] += 2
            for m in pattern.finditer(body):
                before = body[max(0, m.start() - 3) : m.start()]
                after = body[m.end() : m.end() + 3]
                if "(" in before and ")" in after:
                    found[agency] += 2
                    continue
                near = body[max(0, m.start() - _NEAR) : m.end() + _NEAR].casefold()
                if any(p in near for p in _REPORTING):
                    found[agency] += 1
    return found


def find_reprints(
    signals: Mapping[str, Signals],
    story_of: Mapping[str, str],
    *,
    texts: Mapping[str, str],
    state_media_outlets: Mapping[str, str | None] | Iterable[str],
    agencies: Mapping[str, tuple[str, ...]] | None = None,
) -> list[Reprint]:
    """Local articles that republish state-media copy, with the copy they republish.

    Args:
        signals: every article's signals (title, outlet, language, day).
        story_of: article id → story id.
        texts: article id → plain text.
        state_media_outlets: outlets that are Chinese state media, each with its agency's KB name
            when known (an iterable of outlet ids means agencies unknown).
        agencies: agency → names (default: the shipped knowledge base's Chinese media).

    Returns:
        One :class:`Reprint` per reprinting article, in article-id order.
    """
    if agencies is None:
        from ..annotate import load_kb

        agencies = state_media_names(load_kb())
    outlets: Mapping[str, str | None] = (
        state_media_outlets
        if isinstance(state_media_outlets, Mapping)
        else dict.fromkeys(state_media_outlets)
    )
    by_story: dict[str, list[Signals]] = {}
    for article_id, s in signals.items():
        by_story.setdefault(story_of.get(article_id, article_id), []).append(s)
    df: Counter[str] = Counter()
    for s in signals.values():
        df.update(s.keys())
    idf = idf_table(df, len(signals))
    out: list[Reprint] = []
    for article_id in sorted(signals):
        s = signals[article_id]
        if s.outlet in outlets:
            continue
        credits = credited_agencies(s.title, texts.get(article_id, ""), agencies)
        strong = [a for a, n in credits.most_common() if n >= 2]
        sources = [
            o
            for o in by_story.get(story_of.get(article_id, article_id), [])
            if o.outlet in outlets and o.article_id != article_id and (not s.day or o.day <= s.day)
        ]
        scored = sorted(
            ((pair_features(s, o, idf), o) for o in sources),
            key=lambda fo: (-(fo[0][6] + fo[0][0] + fo[0][4]), fo[1].article_id),
        )
        if strong:
            agency = strong[0]
            same_agency = [(f, o) for f, o in scored if outlets.get(o.outlet or "") in (agency, None)]
            pool = same_agency or scored
            source = pool[0][1] if pool else None
            out.append(
                Reprint(
                    article_id=article_id,
                    source_id=source.article_id if source else None,
                    agency=agency,
                    outlet=s.outlet,
                    how="credited",
                )
            )
            continue
        copies = [(f, o) for f, o in scored if o.language == s.language and f[6] >= _COPY_WORDS]
        if copies:
            source = copies[0][1]
            out.append(
                Reprint(
                    article_id=article_id,
                    source_id=source.article_id,
                    agency=outlets.get(source.outlet or ""),
                    outlet=s.outlet,
                    how="copy",
                )
            )
    return out


def reprint_counts(
    reprints: Iterable[Reprint], outlet_country: Mapping[str, str] | None = None
) -> tuple[Counter[str], Counter[str]]:
    """Reprints per outlet and per outlet country (an influence signal in itself).

    Args:
        reprints: what :func:`find_reprints` returned.
        outlet_country: outlet → ISO country code (outlets missing here count under "").

    Returns:
        (per outlet, per country) counters.
    """
    outlet_country = outlet_country or {}
    per_outlet: Counter[str] = Counter()
    per_country: Counter[str] = Counter()
    for r in reprints:
        per_outlet[r.outlet or ""] += 1
        per_country[outlet_country.get(r.outlet or "", "")] += 1
    return per_outlet, per_country
