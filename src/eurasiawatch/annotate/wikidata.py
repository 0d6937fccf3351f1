"""Check the knowledge base's Wikidata QIDs against Wikidata's ``wbgetentities`` API.

A QID passes when the entity's English label equals the entry's canonical name (case, dashes and
quotes ignored). Nothing is written back: a person marks ``qid_verified: true`` after reading the
report. Tests run this against a loopback stub of the API, never the internet.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass

import httpx

from ..errors import TransientFetchError
from .kb import KnowledgeBase, normalize_alias

__all__ = ["DEFAULT_ENDPOINT", "QidCheck", "QidEntry", "check_qids", "unverified_qids"]

DEFAULT_ENDPOINT = "https://www.wikidata.org/w/api.php"
_BATCH = 50  # wbgetentities accepts up to 50 ids per request


@dataclass(frozen=True, slots=True, kw_only=True)
class QidEntry:
    """A knowledge-base entry that carries a QID."""

    id: str
    qid: str
    name: str
    english_aliases: tuple[str, ...] = ()
    verified: bool = False


@dataclass(frozen=True, slots=True, kw_only=True)
class QidCheck:
    """The outcome for one entry: ``match``, ``alias`` (label is one of our aliases), ``mismatch``
    or ``missing`` (no such entity)."""

    entry: QidEntry
    status: str
    label: str = ""


def unverified_qids(kb: KnowledgeBase, *, include_verified: bool = False) -> list[QidEntry]:
    """Countries and actors with a QID not yet marked verified (all with a QID if asked), by id."""
    out = [
        QidEntry(
            id=c.code,
            qid=c.qid,
            name=c.name,
            english_aliases=c.names.get("en", ()),
            verified=c.qid_verified,
        )
        for c in kb.countries.values()
        if c.qid and (include_verified or not c.qid_verified)
    ]
    out += [
        QidEntry(
            id=a.id, qid=a.qid, name=a.name, english_aliases=a.aliases.get("en", ()), verified=a.qid_verified
        )
        for a in kb.actors.values()
        if a.qid and (include_verified or not a.qid_verified)
    ]
    return sorted(out, key=lambda e: e.id)


def check_qids(
    entries: Sequence[QidEntry],
    *,
    endpoint: str = DEFAULT_ENDPOINT,
    user_agent: str = "eurasiawatch",
    timeout: float = 20.0,
    transport: httpx.BaseTransport | None = None,
) -> list[QidCheck]:
    """Fetch the English labels of the entries' QIDs and compare them with the canonical names.

    Args:
        entries: what to check (see ``unverified_qids``).
        endpoint: the MediaWiki API URL (a loopback stub in tests).
        user_agent: sent with every request, as Wikidata's policy asks.
        timeout: seconds per request.
        transport: an httpx transport (tests).

    Returns:
        One check per entry, in the given order.

    Raises:
        TransientFetchError: the API could not be reached or answered with an error.
    """
    labels: dict[str, str | None] = {}
    headers = {"User-Agent": user_agent, "Accept": "application/json"}
    with httpx.Client(timeout=timeout, headers=headers, transport=transport) as client:
        for batch in _batches(sorted({e.qid for e in entries}), _BATCH):
            params = {
                "action": "wbgetentities",
                "ids": "|".join(batch),
                "props": "labels",
                "languages": "en",
                "format": "json",
            }
            try:
                response = client.get(endpoint, params=params)
                response.raise_for_status()
                data = response.json()
            except (httpx.HTTPError, ValueError) as exc:
                raise TransientFetchError(
                    f"Wikidata API at {endpoint} failed: {exc}", hint="try again later or pass --endpoint"
                ) from exc
            if "error" in data:
                raise TransientFetchError(f"Wikidata API at {endpoint} refused: {data['error']}")
            labels.update(_labels(data.get("entities") or {}))
    return [_judge(entry, labels.get(entry.qid)) for entry in entries]


def _batches(items: Sequence[str], size: int) -> Iterator[Sequence[str]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def _labels(entities: dict[str, dict[str, object]]) -> Iterable[tuple[str, str | None]]:
    """(QID, English label or None when the entity is missing) from a wbgetentities answer."""
    for qid, entity in entities.items():
        if not isinstance(entity, dict) or "missing" in entity:
            yield qid, None
            continue
        labels = entity.get("labels")
        label = labels.get("en", {}) if isinstance(labels, dict) else {}
        yield qid, str(label.get("value", "")) if isinstance(label, dict) else ""


def _judge(entry: QidEntry, label: str | None) -> QidCheck:
    if label is None:
        return QidCheck(entry=entry, status="missing")
    key = normalize_alias(label)
    if key == normalize_alias(entry.name):
        return QidCheck(entry=entry, status="match", label=label)
    if any(key == normalize_alias(a) for a in entry.english_aliases):
        return QidCheck(entry=entry, status="alias", label=label)
    return QidCheck(entry=entry, status="mismatch", label=label)
