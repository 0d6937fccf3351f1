"""Load and check the bundled sample corpus (``data/demo``): invented outlets, articles and labels.

The articles are sample content written for the project. Their labels are written by hand in the
YAML files; ``labels.jsonl`` is derived from them mechanically (never from the annotator) in the
layout of ``shared/eval/annotate/dev.jsonl`` so the same scorer reads both.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import date, datetime
from importlib import resources
from pathlib import Path
from typing import Any

import yaml

__all__ = [
    "COUNTRY_CODES",
    "EVENT_TYPES",
    "MODES",
    "THEMES",
    "Corpus",
    "Outlet",
    "SampleArticle",
    "corpus_dir",
    "label_lines",
    "load_corpus",
    "validate_corpus",
    "write_labels",
]

THEMES = frozenset(
    {"diplomacy", "security", "trade", "energy", "investment", "technology", "information", "society"}
)
EVENT_TYPES = frozenset(
    {
        "AGREE",
        "CONSULT",
        "SUPPORT",
        "CONCEDE",
        "COOPERATE",
        "AID",
        "RETREAT",
        "REQUEST",
        "ACCUSE",
        "REJECT",
        "THREATEN",
        "PROTEST",
        "SANCTION",
        "MOBILIZE",
        "COERCE",
        "ASSAULT",
    }
)
MODES = frozenset({"asserted", "negated", "hypothetical", "planned"})
# ISO 3166-1 alpha-2, plus XK for Kosovo (user-assigned, used by the EU and the World Bank).
_ISO_CODES = """
AD AE AF AG AI AL AM AO AQ AR AS AT AU AW AX AZ BA BB BD BE BF BG BH BI BJ BL BM BN BO BQ
BR BS BT BV BW BY BZ CA CC CD CF CG CH CI CK CL CM CN CO CR CU CV CW CX CY CZ DE DJ DK DM
DO DZ EC EE EG EH ER ES ET FI FJ FK FM FO FR GA GB GD GE GF GG GH GI GL GM GN GP GQ GR GS
GT GU GW GY HK HM HN HR HT HU ID IE IL IM IN IO IQ IR IS IT JE JM JO JP KE KG KH KI KM KN
KP KR KW KY KZ LA LB LC LI LK LR LS LT LU LV LY MA MC MD ME MF MG MH MK ML MM MN MO MP MQ
MR MS MT MU MV MW MX MY MZ NA NC NE NF NG NI NL NO NP NR NU NZ OM PA PE PF PG PH PK PL PM
PN PR PS PT PW PY QA RE RO RS RU RW SA SB SC SD SE SG SH SI SJ SK SL SM SN SO SR SS ST SV
SX SY SZ TC TD TF TG TH TJ TK TL TM TN TO TR TT TV TW TZ UA UG UM US UY UZ VA VC VE VG VI
VN VU WF WS YE YT ZA ZM ZW XK
"""
COUNTRY_CODES = frozenset(_ISO_CODES.split())


@dataclass(frozen=True, slots=True)
class Outlet:
    """An invented outlet of the sample corpus."""

    id: str
    name: str
    languages: tuple[str, ...]
    country: str
    kind: str
    template: str
    state_media_entity: str | None = None


@dataclass(frozen=True, slots=True)
class SampleArticle:
    """One sample article as written in the YAML files."""

    id: str
    story: str
    outlet: str
    language: str
    published: datetime
    authors: tuple[str, ...]
    title: str
    dek: str
    paragraphs: tuple[str, ...]
    reprint_of: str | None
    upcoming_for: str | None
    labels: dict[str, Any] = field(hash=False)
    file: str = ""

    @property
    def text(self) -> str:
        """Body text, paragraphs separated by blank lines."""
        return "\n\n".join(self.paragraphs)


@dataclass(frozen=True, slots=True)
class Corpus:
    """Outlets by id and articles sorted by publication time."""

    outlets: dict[str, Outlet]
    articles: tuple[SampleArticle, ...]

    @property
    def last_day(self) -> date:
        """Date of the newest article: the demo runs "as of" this day."""
        return max(a.published for a in self.articles).date()

    def by_id(self) -> dict[str, SampleArticle]:
        """Articles keyed by id."""
        return {a.id: a for a in self.articles}


def corpus_dir() -> Path:
    """The packaged ``data/demo`` folder."""
    return Path(str(resources.files("eurasiawatch") / "data" / "demo"))


def _paragraphs(body: str) -> tuple[str, ...]:
    return tuple(" ".join(p.split()) for p in body.split("\n\n") if p.strip())


def _as_datetime(value: Any, where: str) -> datetime:
    if isinstance(value, datetime):
        moment = value
    else:
        try:
            moment = datetime.fromisoformat(str(value))
        except ValueError:
            raise ValueError(f"{where}: published {value!r} is not an ISO datetime") from None
    if moment.tzinfo is None:
        raise ValueError(f"{where}: published {value!r} has no UTC offset")
    return moment


def _date_text(value: Any) -> str | None:
    if value is None:
        return None
    if isinstance(value, date):
        return value.isoformat()
    return str(value)


def load_corpus(folder: Path | None = None) -> Corpus:
    """Read ``outlets.yaml`` and every ``articles/*.yaml``.

    Raises:
        ValueError: a file is malformed (names the file and the article).
    """
    folder = folder or corpus_dir()
    outlets: dict[str, Outlet] = {}
    for raw in yaml.safe_load((folder / "outlets.yaml").read_text(encoding="utf-8")):
        outlet = Outlet(
            id=raw["id"],
            name=raw["name"],
            languages=tuple(raw["languages"]),
            country=raw["country"],
            kind=raw["kind"],
            template=raw["template"],
            state_media_entity=raw.get("state_media_entity"),
        )
        outlets[outlet.id] = outlet
    articles: list[SampleArticle] = []
    for path in sorted((folder / "articles").glob("*.yaml")):
        for i, raw in enumerate(yaml.safe_load(path.read_text(encoding="utf-8")) or []):
            where = f"{path.name} item {i + 1} ({raw.get('id', '?')})"
            try:
                labels = dict(raw.get("labels") or {})
                labels["events"] = [
                    {**e, "date": _date_text(e.get("date"))} for e in labels.get("events") or []
                ]
                articles.append(
                    SampleArticle(
                        id=str(raw["id"]),
                        story=str(raw["story"]),
                        outlet=str(raw["outlet"]),
                        language=str(raw["language"]),
                        published=_as_datetime(raw["published"], where),
                        authors=tuple(str(x) for x in raw.get("authors") or ()),
                        title=str(raw["title"]).strip(),
                        dek=str(raw.get("dek") or "").strip(),
                        paragraphs=_paragraphs(str(raw["body"])),
                        reprint_of=raw.get("reprint_of"),
                        upcoming_for=raw.get("upcoming_for"),
                        labels=labels,
                        file=path.name,
                    )
                )
            except KeyError as exc:
                raise ValueError(f"{where}: missing field {exc}") from None
    articles.sort(key=lambda a: (a.published, a.id))
    return Corpus(outlets=outlets, articles=tuple(articles))


def validate_corpus(corpus: Corpus) -> list[str]:
    """Every consistency problem of the corpus, one line each (empty when all is well)."""
    problems: list[str] = []
    ids = [a.id for a in corpus.articles]
    for dup in sorted({i for i in ids if ids.count(i) > 1}):
        problems.append(f"duplicate article id {dup}")
    by_id = corpus.by_id()
    stories = {a.story for a in corpus.articles}
    for a in corpus.articles:
        w = f"{a.file}:{a.id}"
        outlet = corpus.outlets.get(a.outlet)
        if outlet is None:
            problems.append(f"{w}: unknown outlet {a.outlet!r}")
        elif a.language not in outlet.languages:
            problems.append(f"{w}: outlet {a.outlet} does not publish in {a.language!r}")
        if not a.id.startswith(a.story + "-"):
            problems.append(f"{w}: id does not start with its story id {a.story}")
        if len(a.text) < 600:
            problems.append(f"{w}: body is only {len(a.text)} characters")
        if a.reprint_of is not None:
            original = by_id.get(a.reprint_of)
            if original is None:
                problems.append(f"{w}: reprint_of {a.reprint_of!r} does not exist")
            elif (
                corpus.outlets.get(original.outlet, None)
                and corpus.outlets[original.outlet].kind != "state-media"
            ):
                problems.append(f"{w}: reprint_of {a.reprint_of} is not state-media copy")
            elif original.published > a.published:
                problems.append(f"{w}: reprinted before its original {a.reprint_of} was published")
        if a.upcoming_for is not None and a.upcoming_for not in stories:
            problems.append(f"{w}: upcoming_for {a.upcoming_for!r} is not a story id")
        problems.extend(_label_problems(w, a.labels))
    return problems


def _label_problems(where: str, labels: dict[str, Any]) -> list[str]:
    problems: list[str] = []
    for key in ("countries", "optional_countries", "entities", "optional_entities", "themes", "events"):
        if not isinstance(labels.get(key, []), list):
            problems.append(f"{where}: labels.{key} is not a list")
            return problems
    for code in labels.get("countries", []) + labels.get("optional_countries", []):
        if code not in COUNTRY_CODES:
            problems.append(f"{where}: unknown country code {code!r}")
    for theme in labels.get("themes", []):
        if theme not in THEMES:
            problems.append(f"{where}: unknown theme {theme!r}")
    for name in labels.get("entities", []) + labels.get("optional_entities", []):
        if not isinstance(name, str) or not name.strip():
            problems.append(f"{where}: empty entity name")
    if not isinstance(labels.get("china_related"), bool):
        problems.append(f"{where}: labels.china_related must be true or false")
    for event in labels.get("events", []):
        if event.get("type") not in EVENT_TYPES:
            problems.append(f"{where}: unknown event type {event.get('type')!r}")
        if event.get("mode", "asserted") not in MODES:
            problems.append(f"{where}: unknown event mode {event.get('mode')!r}")
        for code in event.get("actors") or []:
            if code not in COUNTRY_CODES:
                problems.append(f"{where}: unknown event actor {code!r}")
        if not event.get("actors"):
            problems.append(f"{where}: event {event.get('type')} has no actors")
        when = event.get("date")
        if when is not None:
            try:
                date.fromisoformat(str(when))
            except ValueError:
                problems.append(f"{where}: event date {when!r} is not YYYY-MM-DD")
    return problems


def label_lines(corpus: Corpus) -> list[str]:
    """``labels.jsonl`` lines: the dev.jsonl layout plus story, reprint and upcoming links."""
    lines = []
    for a in corpus.articles:
        g = a.labels
        gold = {
            "countries": sorted(g.get("countries", [])),
            "optional_countries": sorted(g.get("optional_countries", [])),
            "entities": list(g.get("entities", [])),
            "optional_entities": list(g.get("optional_entities", [])),
            "themes": sorted(g.get("themes", [])),
            "events": [
                {k: e[k] for k in ("type", "actors", "date", "required", "mode") if k in e}
                for e in g.get("events", [])
            ],
            "china_related": bool(g.get("china_related")),
        }
        record = {
            "id": a.id,
            "published": a.published.date().isoformat(),
            "language": a.language,
            "title": a.title,
            "text": a.text,
            "gold": gold,
            "story": a.story,
            "outlet": a.outlet,
            "reprint_of": a.reprint_of,
            "upcoming_for": a.upcoming_for,
            "sample": True,
        }
        lines.append(json.dumps(record, ensure_ascii=False))
    return lines


def write_labels(folder: Path | None = None) -> Path:
    """Regenerate ``labels.jsonl`` beside the corpus from the hand-written labels (``make labels``)."""
    folder = folder or corpus_dir()
    path = folder / "labels.jsonl"
    path.write_text("\n".join(label_lines(load_corpus(folder))) + "\n", encoding="utf-8")
    return path
