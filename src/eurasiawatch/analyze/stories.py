"""Story clustering: articles about the same event or development, across outlets and languages.

Articles arrive one at a time (:meth:`StoryClusterer.add`). Each is compared with the articles of
the last and next ``window`` days that share a key with it (an entity, a dated event, a number, a
name or a rarer word; see :mod:`.similarity`), and joins the story of its best match when the pair
score reaches ``threshold``; otherwise it opens a story of its own. A story's id is made from the
article that opened it and never changes as articles join, so ids are stable across runs fed the
same stream. A near-duplicate joins the story of the copy it repeats without being scored.

Editors' decisions are constraints the clusterer obeys, so they survive re-clustering: an article
pinned to a story (after a split or a move) always goes there, and a merged story's id is an alias
of the story it was merged into.

The clusterer is an object holding the stream's state (no module-level state): the pipeline keeps
one per run, loaded with the recent window from the store; ``eurasiawatch cluster`` makes one per
input.
"""

from __future__ import annotations

import hashlib
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime

from ..records import Annotation
from .similarity import IdfTables, Signals, idf_table, idf_tables, norms, score_pair

__all__ = [
    "DECISION_KINDS",
    "DEFAULT_THRESHOLD",
    "DEFAULT_WINDOW",
    "EditorState",
    "Story",
    "StoryClusterer",
    "StoryDecision",
    "carry_over_ids",
    "cluster_signals",
    "replay_decisions",
    "split_story_id",
    "story_id_for",
    "summarize_story",
]

#: Pair score (0–1) an article needs with a story's article to join that story.
DEFAULT_THRESHOLD = 0.5
#: Articles more than this many days apart are never compared.
DEFAULT_WINDOW = 10
# keys carried by more than this share of the articles seen do not retrieve candidates (too common)
_COMMON_KEY_SHARE = 0.05
_MIN_DOCS_FOR_COMMON = 200
# articles added between two evictions of articles too old to match
_EVICT_EVERY = 2000
# how much a story's second-best matching article adds to its score (0: best match only)
_SECOND = 0.3


def story_id_for(article_id: str) -> str:
    """The id of a story opened by ``article_id``: stable, short, not guessable from the article."""
    return "s" + hashlib.blake2b(article_id.encode("utf-8"), digest_size=6).hexdigest()


@dataclass(frozen=True, slots=True, kw_only=True)
class Story:
    """A story: articles about one event or development, and what they have in common."""

    story_id: str
    title: str
    first_day: date | None
    last_day: date | None
    article_ids: tuple[str, ...]
    outlets: tuple[str, ...] = ()
    languages: tuple[str, ...] = ()
    countries: tuple[str, ...] = ()
    actors: tuple[str, ...] = ()  # entity keys, most mentioned first
    themes: tuple[str, ...] = ()
    events: tuple[str, ...] = ()  # "TYPE@YYYY-MM-DD", earliest first
    pinned: bool = False
    hidden: bool = False


#: What editors can decide about a story.
DECISION_KINDS = ("merge", "split", "pin", "unpin", "hide", "unhide")


@dataclass(frozen=True, slots=True, kw_only=True)
class StoryDecision:
    """One editor's decision, kept apart from the clustering so that it survives re-clustering.

    ``merge``: ``story_id`` was merged into ``target_id``. ``split``: ``article_ids`` left
    ``story_id`` to form story ``target_id``. ``pin``/``unpin``/``hide``/``unhide``: ``story_id``.
    """

    kind: str
    story_id: str
    target_id: str | None = None
    article_ids: tuple[str, ...] = ()
    decided_by: str | None = None
    at: datetime | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class EditorState:
    """The constraints and flags that the editors' decisions add up to."""

    placed: Mapping[str, str]  # article id → story id an editor put it in
    aliases: Mapping[str, str]  # merged story id → story id it was merged into
    pinned: frozenset[str]
    hidden: frozenset[str]

    def resolve(self, story_id: str) -> str:
        """The story an id now stands for, following merges."""
        seen: set[str] = set()
        while story_id in self.aliases and story_id not in seen:
            seen.add(story_id)
            story_id = self.aliases[story_id]
        return story_id


def split_story_id(story_id: str, article_ids: Iterable[str]) -> str:
    """The id of the story split out of ``story_id`` with these articles (never an opener's id)."""
    return story_id_for("split:" + story_id + ":" + ",".join(sorted(article_ids)))


def carry_over_ids(
    previous: Mapping[str, str], current: Mapping[str, str], *, keep_out: Iterable[str] = ()
) -> dict[str, str]:
    """Renames that give re-clustered stories their old ids back.

    A story whose id did not exist before (its opening article changed, say after a split) takes
    the id of the old story that holds most of its articles, when no current story has that id yet.

    Args:
        previous: article id → story id before re-clustering.
        current: article id → story id after.
        keep_out: ids never to hand out (stories merged into others).

    Returns:
        New story id → the old id it should carry.
    """
    used = set(current.values()) | set(keep_out)
    old_ids = set(previous.values())
    overlap: dict[str, Counter[str]] = defaultdict(Counter)
    for article_id, story in current.items():
        if story not in old_ids and article_id in previous:
            overlap[story][previous[article_id]] += 1
    renames: dict[str, str] = {}
    for story in sorted(overlap, key=lambda s: (-sum(overlap[s].values()), s)):
        for old, _ in sorted(overlap[story].items(), key=lambda kv: (-kv[1], kv[0])):
            if old not in used:
                renames[story] = old
                used.add(old)
                break
    return renames


def replay_decisions(decisions: Iterable[StoryDecision]) -> EditorState:
    """Fold the decision log, oldest first, into the clusterer's constraints and the stories' flags.

    A later decision wins over an earlier one about the same thing (an article split twice goes
    where the last split put it; ``unpin`` undoes ``pin``). A merge into a story that was itself
    merged later follows the chain.
    """
    placed: dict[str, str] = {}
    aliases: dict[str, str] = {}
    pinned: set[str] = set()
    hidden: set[str] = set()
    for d in decisions:
        if d.kind == "merge" and d.target_id and d.target_id != d.story_id:
            if aliases.get(d.target_id) == d.story_id:
                del aliases[d.target_id]  # merging back the other way: no cycle
            aliases[d.story_id] = d.target_id
        elif d.kind == "split" and d.target_id:
            for article_id in d.article_ids:
                placed[article_id] = d.target_id
        elif d.kind == "pin":
            pinned.add(d.story_id)
        elif d.kind == "unpin":
            pinned.discard(d.story_id)
        elif d.kind == "hide":
            hidden.add(d.story_id)
        elif d.kind == "unhide":
            hidden.discard(d.story_id)
    return EditorState(placed=placed, aliases=aliases, pinned=frozenset(pinned), hidden=frozenset(hidden))


@dataclass
class StoryClusterer:
    """Incremental clustering of a stream of articles into stories with stable ids.

    Not a frozen record: it is the state of one clustering run. It holds no module-level data and
    pickles with its contents.

    Args:
        threshold: pair score needed to join a story.
        window: days either side within which articles are compared.
        pinned: article id → story id the editors fixed it to.
        aliases: merged story id → the story id it now belongs to.
    """

    threshold: float = DEFAULT_THRESHOLD
    window: int = DEFAULT_WINDOW
    pinned: dict[str, str] = field(default_factory=dict)
    aliases: dict[str, str] = field(default_factory=dict)
    signals: dict[str, Signals] = field(default_factory=dict)
    story_of: dict[str, str] = field(default_factory=dict)
    members: dict[str, list[str]] = field(default_factory=lambda: defaultdict(list))
    _df: Counter[str] = field(default_factory=Counter)
    _documents: int = 0
    _observed: set[str] = field(default_factory=set)
    _postings: dict[str, list[str]] = field(default_factory=lambda: defaultdict(list))
    _idf: IdfTables | None = None
    _idf_at: int = -1
    _norms: dict[str, tuple[float, ...]] = field(default_factory=dict)
    _latest: int = 0
    _since_evict: int = 0

    def observe(self, signals: Signals) -> None:
        """Count an article's keys in the document frequencies (once per article)."""
        if signals.article_id in self._observed:
            return
        self._observed.add(signals.article_id)
        self._df.update(signals.keys())
        self._documents += 1

    def _current_idf(self) -> IdfTables:
        # recomputed when the stream has grown by a tenth: scores stay stable within a batch
        if self._idf is None or self._documents > self._idf_at * 1.1 + 10:
            self._idf = idf_tables(idf_table(self._df, self._documents))
            self._idf_at = self._documents
        return self._idf

    def resolve(self, story_id: str) -> str:
        """The story an id now stands for, following merges."""
        if story_id not in self.aliases:
            return story_id
        seen = set()
        while story_id in self.aliases and story_id not in seen:
            seen.add(story_id)
            story_id = self.aliases[story_id]
        return story_id

    def _candidates(self, s: Signals, keys: tuple[str, ...] | None = None) -> set[str]:
        limit = max(self._documents * _COMMON_KEY_SHARE, 20.0)
        common = self._documents >= _MIN_DOCS_FOR_COMMON
        found: set[str] = set()
        for key in keys if keys is not None else s.retrieval_keys():
            postings = self._postings.get(key)
            if not postings:
                continue
            if common and self._df[key] > limit and not key.startswith(("v:", "e:")):
                continue
            # postings are appended in arrival order; walk back while inside the window
            for other in reversed(postings):
                o = self.signals[other]
                if s.day and o.day and o.day < s.day - self.window * 3:
                    break
                if not s.day or not o.day or abs(o.day - s.day) <= self.window:
                    found.add(other)
        found.discard(s.article_id)
        return found

    def best_match(self, s: Signals, keys: tuple[str, ...] | None = None) -> tuple[str | None, float]:
        """The story that best matches ``s``, and its score.

        A story's score combines its two best-matching articles (noisy-or, the second one damped):
        an article that half-matches two reports of a story is likelier to belong than one that
        half-matches a single report.
        """
        idf = self._current_idf()
        mine = self._norms[s.article_id] = norms(s, idf)
        per_story: dict[str, list[float]] = defaultdict(list)
        for other in sorted(self._candidates(s, keys)):
            theirs = self._norms.get(other) or norms(self.signals[other], idf)
            score = score_pair(s, self.signals[other], idf, mine, theirs)
            per_story[self.resolve(self.story_of[other])].append(score)
        best: tuple[str | None, float] = (None, 0.0)
        for story, scores in sorted(per_story.items()):
            top = sorted(scores, reverse=True)[:2]
            combined = top[0] if len(top) == 1 else 1 - (1 - top[0]) * (1 - _SECOND * top[1])
            if combined > best[1]:
                best = (story, combined)
        return best

    def add(self, s: Signals, *, duplicate_of: str | None = None) -> str:
        """Place one article in a story and return the story's id.

        Args:
            s: the article's signals.
            duplicate_of: the article it near-duplicates, if any (joins that one's story).

        Returns:
            The story id (an existing story's, or a new one made from this article's id).
        """
        if s.article_id in self.story_of:
            return self.resolve(self.story_of[s.article_id])
        self.observe(s)
        keys = s.retrieval_keys()  # built once: used to find candidates and to index the article
        story: str | None = None
        if s.article_id in self.pinned:
            story = self.resolve(self.pinned[s.article_id])
        elif duplicate_of is not None and duplicate_of in self.story_of:
            story = self.resolve(self.story_of[duplicate_of])
        else:
            match, score = self.best_match(s, keys)
            if match is not None and score >= self.threshold:
                story = match
        if story is None:
            story = story_id_for(s.article_id)
        self._place(s, story, keys)
        self._latest = max(self._latest, s.day)
        self._since_evict += 1
        if self._since_evict >= _EVICT_EVERY:
            self.forget_before(self._latest - self.window * 3)
        return story

    def forget_before(self, day: int) -> None:
        """Drop the signals of articles published before ``day`` (they can no longer match).

        Their story assignments stay, so ids remain stable; memory stays bounded on a long stream.
        """
        self._since_evict = 0
        old = {a for a, s in self.signals.items() if s.day and s.day < day}
        if not old:
            return
        for article_id in old:
            del self.signals[article_id]
            self._norms.pop(article_id, None)
        for key in list(self._postings):
            kept = [a for a in self._postings[key] if a not in old]
            if kept:
                self._postings[key] = kept
            else:
                del self._postings[key]

    def _place(self, s: Signals, story: str, keys: tuple[str, ...] | None = None) -> None:
        self.signals[s.article_id] = s
        self.story_of[s.article_id] = story
        self.members[story].append(s.article_id)
        # norms under the weights of the moment: later articles reuse them instead of recomputing
        if s.article_id not in self._norms:
            self._norms[s.article_id] = norms(s, self._current_idf())
        for key in keys if keys is not None else s.retrieval_keys():
            self._postings[key].append(s.article_id)

    def load(self, s: Signals, story_id: str) -> None:
        """Put an already clustered article back into the state (a run resuming from the store)."""
        if s.article_id in self.story_of:
            return
        self.observe(s)
        self._place(s, story_id)

    def assignments(self) -> dict[str, str]:
        """Article id → current story id, merges resolved."""
        return {a: self.resolve(s) for a, s in self.story_of.items()}


def cluster_signals(
    items: Iterable[Signals],
    *,
    threshold: float = DEFAULT_THRESHOLD,
    window: int = DEFAULT_WINDOW,
    duplicates: Mapping[str, str] | None = None,
) -> dict[str, str]:
    """Cluster a batch of articles: every article's story id.

    The batch's keys are counted first (so early articles are scored with the same weights as
    late ones), then articles are added in publication order, ties by id.

    Args:
        items: the articles' signals.
        threshold: pair score needed to join a story.
        window: days either side within which articles are compared.
        duplicates: article id → the article it near-duplicates.

    Returns:
        Article id → story id.
    """
    batch = list(items)
    clusterer = StoryClusterer(threshold=threshold, window=window)
    for s in batch:
        clusterer.observe(s)
    duplicates = duplicates or {}
    for s in sorted(batch, key=lambda x: (x.day, x.article_id)):
        clusterer.add(s, duplicate_of=duplicates.get(s.article_id))
    return clusterer.assignments()


def summarize_story(
    story_id: str,
    members: Iterable[tuple[Signals, Annotation | None]],
    *,
    pinned: bool = False,
    hidden: bool = False,
    title: str | None = None,
) -> Story:
    """A story's record from its articles' signals and annotations.

    Args:
        story_id: the story's id.
        members: each article's signals and annotation.
        pinned: editors pinned it.
        hidden: editors hid it.
        title: an editor's title (default: the earliest English headline, else the earliest one).

    Returns:
        The story: date range, articles, outlets, languages, countries, actors, themes, events.
    """
    rows = sorted(members, key=lambda m: (m[0].day, m[0].article_id))
    days = [s.day for s, _ in rows if s.day]
    countries: Counter[str] = Counter()
    actors: Counter[str] = Counter()
    themes: Counter[str] = Counter()
    events: set[str] = set()
    for s, a in rows:
        countries.update(s.countries)
        actors.update(s.entities)
        events.update(s.events)
        if a is not None:
            themes.update(a.themes)
    english = [s.title for s, _ in rows if s.language == "en" and s.title]
    headline = title or (english[0] if english else next((s.title for s, _ in rows if s.title), ""))

    def ranked(counter: Counter[str]) -> tuple[str, ...]:
        return tuple(k for k, _ in sorted(counter.items(), key=lambda kv: (-kv[1], kv[0])))

    return Story(
        story_id=story_id,
        title=headline,
        first_day=date.fromordinal(min(days)) if days else None,
        last_day=date.fromordinal(max(days)) if days else None,
        article_ids=tuple(s.article_id for s, _ in rows),
        outlets=tuple(dict.fromkeys(s.outlet for s, _ in rows if s.outlet)),
        languages=tuple(dict.fromkeys(s.language for s, _ in rows if s.language)),
        countries=ranked(countries),
        actors=ranked(actors),
        themes=ranked(themes),
        events=tuple(sorted(events, key=lambda e: (e.split("@")[1], e))),
        pinned=pinned,
        hidden=hidden,
    )
