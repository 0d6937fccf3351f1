"""Countries an article mentions: names, demonyms, capitals and cities, read in context.

The matcher finds the names; this module decides what each one means:

- **Georgia** is the US state after "state of", in "Atlanta, Georgia" (a US city before it), or in a
  sentence of US politics when nothing in the article points to the Caucasus (the state then gives US);
- **Turkey** with food or farming words around it is the bird, and **China** after "bone"/"fine" or
  beside tableware words is porcelain (lower-case "china"/"turkey" never match at all);
- a **capital** stands for its country ("Beijing said" → CN), except **Brussels**, which stands for
  the EU institutions (see ``entities``) unless the article is about Belgium;
- **cities** resolve through the gazetteer (``annotate.gazetteer``): capitalised, four letters or
  more, not on the trap list (Of, Police, Split, Nice …) and not a month, weekday or common word;
  a single-word city also needs 50,000 people or a place preposition before it ("in", "в", "u").
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache

from ..records import Mention
from .gazetteer import City, Gazetteer
from .inflection import stemmer_for
from .kb import KnowledgeBase
from .matcher import Hit, Target
from .normalize import Token

__all__ = ["ArticleContext", "brussels_means_eu", "resolve_countries"]


def _words(text: str) -> frozenset[str]:
    return frozenset(text.split())


_US_CUES = _words(
    "atlanta savannah augusta macon athens fulton gwinnett cobb peach republican republicans democrat "
    "democrats democratic gop senate senator senators governor primary primaries county counties "
    "swing electoral biden trump harris kemp raffensperger warnock ossoff congressional u.s"
)
_GE_CUES = _words(
    "tbilisi batumi kutaisi caucasus caucasian georgian georgians abkhazia ossetia kobakhidze "
    "zourabichvili ivanishvili garibashvili anaklia lari rustaveli"
)
_FOOD_CUES = _words(
    "roast roasted stuffing thanksgiving christmas dinner dinners recipe recipes oven gravy poultry "
    "farm farms farmer farmers flock flocks feathers meat breast drumstick turkeys hatchery feed eggs "
    "bird birds carve carving sandwich"
)
_TABLEWARE_CUES = _words(
    "porcelain plate plates cup cups teacup teacups saucer saucers teapot teapots tableware dinnerware "
    "crockery figurine figurines vase vases glaze glazed ceramic ceramics pottery cabinet"
)
_PORCELAIN_BEFORE = frozenset({"bone", "fine"})
_PLACE_WORDS = _words(
    "in at near from to outside around via в во из под под у на до біля поблизу u iz kod blizu da dan ga"
)
_NOT_CITIES = _words(
    "january february march april may june july august september october november december "
    "monday tuesday wednesday thursday friday saturday sunday president premier minister "
    "summit union victoria mobile reading energy progress independence liberty street "
    "said says new north south east west central great"
)
_MIN_CITY_POPULATION = 50_000


@dataclass(frozen=True, slots=True)
class ArticleContext:
    """What the rules look at: the article's tokens, their folded words, language, its hits."""

    tokens: Sequence[Token]
    words: frozenset[str]
    language: str | None
    hits: Sequence[Hit]

    @classmethod
    def build(cls, tokens: Sequence[Token], language: str | None, hits: Sequence[Hit]) -> ArticleContext:
        """Context of one article."""
        return cls(tokens, frozenset(t.norm for t in tokens if t.is_word), language, hits)

    def sentence(self, index: int) -> tuple[int, int]:
        """Token range of the sentence around token ``index``."""
        start = index
        while start > 0 and not self.tokens[start].initial:
            start -= 1
        end = index + 1
        while end < len(self.tokens) and not self.tokens[end].initial:
            end += 1
        return start, end

    def sentence_words(self, index: int) -> frozenset[str]:
        """Folded words of the sentence around token ``index``."""
        start, end = self.sentence(index)
        return frozenset(t.norm for t in self.tokens[start:end] if t.is_word)

    def has_country(self, code: str, kinds: tuple[str, ...] = ("country", "demonym")) -> bool:
        """Whether any hit names this country as a name or demonym."""
        return any(t.kind in kinds and t.key == code for h in self.hits for t in h.targets)


def brussels_means_eu(hit: Hit, ctx: ArticleContext) -> bool:
    """Whether a hit on Belgium's capital stands for the EU institutions (no Belgian context)."""
    if not all(t.kind == "capital" and t.key == "BE" for t in hit.targets):
        return False
    return not ctx.has_country("BE")


def _georgia_is_us_state(hit: Hit, ctx: ArticleContext, gazetteer: Gazetteer | None) -> bool:
    toks = ctx.tokens
    i = hit.first
    before = [t.norm for t in toks[max(0, i - 2) : i]]
    if before[-2:] == ["state", "of"] or (hit.last < len(toks) and toks[hit.last].norm == "state"):
        return True
    if len(before) == 2 and before[1] == "," and gazetteer is not None and toks[i - 2].text[:1].isupper():
        cities = gazetteer.lookup(toks[i - 2].text, language="en")
        if cities and cities[0].country == "US":
            return True
    if ctx.words & _GE_CUES:
        return False
    return bool(ctx.sentence_words(i) & _US_CUES)


def _is_bird_or_porcelain(hit: Hit, target: Target, ctx: ArticleContext) -> bool:
    alias = target.alias.casefold()
    words = ctx.sentence_words(hit.first)
    if target.key == "TR" and alias == "turkey":
        return bool(words & _FOOD_CUES)
    if target.key == "CN" and alias == "china":
        if hit.first > 0 and ctx.tokens[hit.first - 1].norm in _PORCELAIN_BEFORE:
            return True
        return bool(words & _TABLEWARE_CUES)
    return False


def _country_targets(hit: Hit) -> list[Target]:
    return [t for t in hit.targets if t.kind in ("country", "demonym", "capital")]


def _settle_languages(targets: list[Target], language: str | None) -> list[Target]:
    """One word that names different countries in different languages names the one of the article's
    language: Slovak "Slovensko" is Slovakia, though Croatian "slovensko" is Slovenian."""
    if len({t.key for t in targets}) < 2 or not language:
        return targets
    code = language.split("-")[0].lower()
    own = [t for t in targets if t.language.split("-")[0].lower() == code]
    return own if own else targets


def resolve_countries(
    ctx: ArticleContext,
    kb: KnowledgeBase,
    *,
    article_id: str = "",
    gazetteer: Gazetteer | None = None,
) -> list[Mention]:
    """Country mentions of an article, after the context rules and the city lookup.

    Args:
        ctx: the article's tokens and matcher hits.
        kb: the knowledge base (country names).
        article_id: stamped on each mention.
        gazetteer: cities; None skips the city lookup.

    Returns:
        One mention per country reference, in text order.
    """
    out: list[Mention] = []
    covered = [False] * len(ctx.tokens)
    for hit in ctx.hits:
        for i in range(hit.first, hit.last):
            covered[i] = True
        targets = _country_targets(hit)
        if not targets or any(t.kind in ("actor", "region") for t in hit.targets):
            # a name that is also an actor or region (an organisation, a project) is not a country
            continue
        codes: list[str] = []
        for target in _settle_languages(targets, ctx.language):
            if target.key in codes:
                continue
            if target.key == "GE" and target.alias == "Georgia" and _georgia_is_us_state(hit, ctx, gazetteer):
                codes.append("US")
                continue
            if _is_bird_or_porcelain(hit, target, ctx):
                continue
            if target.kind == "capital" and brussels_means_eu(hit, ctx):
                continue
            codes.append(target.key)
        for code in dict.fromkeys(codes):
            out.append(_mention(kb, code, hit.start, hit.end, article_id))
    if gazetteer is not None:
        out.extend(_cities(ctx, kb, covered, gazetteer, article_id))
    out.sort(key=lambda m: m.start)
    return out


def _mention(kb: KnowledgeBase, code: str, start: int, end: int, article_id: str) -> Mention:
    country = kb.countries.get(code)
    return Mention(
        article_id=article_id,
        kind="country",
        key=code,
        name=country.name if country else code,
        start=start,
        end=end,
        wikidata=(country.qid or None) if country else None,
        country=code,
    )


@lru_cache(maxsize=20_000)
def _city_candidates(word: str, language: str | None) -> tuple[str, ...]:
    """The word and, in inflected languages, its likely base forms (``Харбине`` → ``Харбин``)."""
    out = [word]
    stem = stemmer_for(language)
    if stem.name == "none" or len(word) < 5:
        return tuple(out)
    for ending in stem.endings:
        if word.endswith(ending) and len(word) - len(ending) >= 4:
            base = word[: -len(ending)]
            out.extend([base, base + "а", base + "a", base + "ь"])
    if word[-1] in stem.soft and len(word) >= 5:
        base = word[:-1]
        out.extend([base, base + "а", base + "a", base + "ь"])
    return tuple(out)


def _joinable(tok: Token) -> bool:
    """A word that may continue a city name: capitalised, or a hyphen."""
    return tok.text[:1].isupper() or tok.text == "-"


def _cities(
    ctx: ArticleContext, kb: KnowledgeBase, covered: list[bool], gazetteer: Gazetteer, article_id: str
) -> list[Mention]:
    out = []
    toks = ctx.tokens
    size = len(toks)
    language = ctx.language
    looked: dict[str, tuple[City, ...]] = {}  # a long article names the same words again

    def lookup(name: str) -> tuple[City, ...]:
        found = looked.get(name)
        if found is None:
            found = looked[name] = gazetteer.lookup(name, language=language)
        return found

    i = 0
    while i < size:
        tok = toks[i]
        if covered[i] or not tok.is_word or not tok.text[:1].isupper() or len(tok.text) < 4:
            i += 1
            continue
        # the longest run of capitalised words (joined by spaces or hyphens) starting here, up to 3;
        # this token is capitalised and not covered, so only the ones after it are checked
        found = None
        for n in (3, 2, 1):
            if i + n > size:
                continue
            if n > 1 and (covered[i + 1] or not _joinable(toks[i + 1])):
                continue
            if n == 3 and (covered[i + 2] or not _joinable(toks[i + 2])):
                continue
            if n == 1:
                if tok.norm in _NOT_CITIES:
                    break
                candidates = _city_candidates(tok.text, language)
            else:
                span = toks[i : i + n]
                candidates = (
                    "".join(
                        t.text if k == 0 or t.text == "-" or span[k - 1].text == "-" else " " + t.text
                        for k, t in enumerate(span)
                    ),
                )
            for candidate in candidates:
                cities = lookup(candidate)
                if not cities:
                    continue
                city = cities[0]
                if n == 1 and not city.capital and city.population < _MIN_CITY_POPULATION:
                    prev = toks[i - 1].norm if i > 0 else ""
                    if prev not in _PLACE_WORDS:
                        continue
                if n == 1 and tok.initial and not city.capital and city.population < 500_000:
                    continue
                found = (n, city.country)
                break
            if found:
                break
        if found is None:
            i += 1
            continue
        n, code = found
        if code in kb.countries:
            out.append(_mention(kb, code, toks[i].start, toks[i + n - 1].end, article_id))
        i += n
    return out
