"""A compiled copy of the knowledge base on disk, so a fresh process skips parsing the YAML.

Parsing and validating the shipped YAML is most of what :func:`~eurasiawatch.annotate.kb.load_kb`
costs (about 0.3 s idle, several seconds on a loaded machine). The loaded knowledge base is written
once as JSON — a format that cannot run code when read, so a foreign or tampered file can at worst
be wrong data, never an exploit — and read back in a few milliseconds.

The file is named after the knowledge base folder and user file, and holds a key: a SHA-256 over the
bytes of every file the knowledge base is read from (shipped and user), their paths, the package
version and this module's format number. Any change to any of them (an edited YAML file, a user
entry written by ``kb add`` or ``merge_user_entries``, a new release) gives another key, and the
knowledge base is parsed afresh and the file rewritten. A file that cannot be read, does not match
its own checksum or does not decode is ignored with a warning in the log, and rewritten.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import logging
import os
from collections.abc import Callable, Sequence
from dataclasses import fields, is_dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .kb import KnowledgeBase

__all__ = ["default_cache_dir", "load_or_build"]

log = logging.getLogger(__name__)

_FORMAT = 1  # bump when the layout of the knowledge base records changes
_KEEP = 8  # cache files kept per folder (one per knowledge base folder and user file)
_ENV = "EURASIAWATCH_CACHE_DIR"  # the `cache_dir` setting, read here too: load_kb() takes no settings


def default_cache_dir(environ: Any = None) -> Path | None:
    """Where the compiled knowledge base goes: the ``cache_dir`` setting, else the user cache folder.

    ``EURASIAWATCH_CACHE_DIR=off`` turns the cache off (None). Without it: ``$XDG_CACHE_HOME/eurasiawatch``,
    or ``~/.cache/eurasiawatch``.
    """
    env = os.environ if environ is None else environ
    value = env.get(_ENV, "").strip()
    if value.lower() in ("off", "none", "0", "false"):
        return None
    if value:
        return Path(value).expanduser()
    base = env.get("XDG_CACHE_HOME", "").strip()
    return (Path(base) if base else Path.home() / ".cache") / "eurasiawatch"


def _key(files: Sequence[Path], root: Path, user: Path | None) -> str:
    """SHA-256 over the format, the package version, the paths and the bytes of every file."""
    from .. import __version__

    digest = hashlib.sha256(f"eurasiawatch-kb\0{_FORMAT}\0{__version__}\0{root}\0{user or ''}\0".encode())
    for path in files:
        try:
            raw = path.read_bytes()
        except OSError:
            raw = b"\xff missing"
        digest.update(str(path).encode() + b"\0" + len(raw).to_bytes(8, "big") + raw)
    return digest.hexdigest()


def _path(cache_dir: Path, root: Path, user: Path | None) -> Path:
    name = hashlib.sha256(f"{root}\0{user or ''}".encode()).hexdigest()[:16]
    return cache_dir / f"kb-{name}.json"


def load_or_build(
    files: Sequence[Path],
    root: Path,
    user: Path | None,
    cache_dir: Path,
    build: Callable[[], KnowledgeBase],
) -> KnowledgeBase:
    """The knowledge base from the cache file when its key matches, else ``build()`` (and cache it).

    Args:
        files: every file the knowledge base is read from (shipped and user).
        root: the knowledge base folder; user: the user file, if any.
        cache_dir: the cache folder (created when needed).
        build: parses and validates the files (raises on invalid ones; nothing is cached then).

    Returns:
        The knowledge base, equal to what ``build()`` returns.
    """
    key = _key(files, root, user)
    path = _path(cache_dir, root, user)
    kb = _read(path, key)
    if kb is not None:
        return kb
    kb = build()
    _write(path, key, kb)
    return kb


def _read(path: Path, key: str) -> KnowledgeBase | None:
    """The cached knowledge base, or None when there is none for ``key`` or the file is damaged."""
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        return None
    except OSError as exc:
        log.warning("knowledge base cache %s unreadable (%s); parsing the YAML instead", path, exc)
        return None
    head, _, body = raw.partition(b"\n")
    try:
        meta = json.loads(head)
        if not isinstance(meta, dict) or meta.get("format") != _FORMAT:
            raise ValueError("not a knowledge base cache of this version")
        if meta.get("key") != key:
            log.info("knowledge base changed since %s was written; parsing it afresh", path)
            return None
        if hashlib.sha256(body).hexdigest() != meta.get("sha256"):
            raise ValueError("checksum mismatch (truncated or altered)")
        return _decode(json.loads(body))
    except (ValueError, TypeError, KeyError, AttributeError) as exc:
        log.warning("knowledge base cache %s ignored: %s; parsing the YAML instead", path, exc)
        return None


def _write(path: Path, key: str, kb: KnowledgeBase) -> None:
    """Write the cache file atomically (a temporary file renamed), keeping the newest few per folder."""
    body = json.dumps(_encode(kb), ensure_ascii=False, separators=(",", ":")).encode()
    head = json.dumps({"format": _FORMAT, "key": key, "sha256": hashlib.sha256(body).hexdigest()})
    tmp = path.with_name(f"{path.name}.{os.getpid()}.tmp")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp.write_bytes(head.encode() + b"\n" + body)
        tmp.replace(path)
        _prune(path.parent)
    except OSError as exc:  # a read-only home or a full disk: loading still works, only slower
        log.warning("knowledge base cache %s not written: %s", path, exc)
        with contextlib.suppress(OSError):
            tmp.unlink(missing_ok=True)


def _prune(folder: Path) -> None:
    """Delete all but the ``_KEEP`` most recently written cache files (tests leave many behind)."""
    files = sorted(folder.glob("kb-*.json"), key=lambda p: p.stat().st_mtime_ns, reverse=True)
    for old in files[_KEEP:]:
        old.unlink(missing_ok=True)


def _encode(value: Any) -> Any:
    """Dataclasses to ``{field: value}``, tuples to lists (JSON keeps mapping order)."""
    if is_dataclass(value) and not isinstance(value, type):
        return {f.name: _encode(getattr(value, f.name)) for f in fields(value)}
    if isinstance(value, dict):
        return {k: _encode(v) for k, v in value.items()}
    if isinstance(value, (tuple, list)):
        return [_encode(v) for v in value]
    return value


def _thaw(value: Any) -> Any:
    """A record field back from JSON: lists to tuples, one level into mappings (names per language).

    Every sequence in the records is a tuple of strings, or a mapping to such tuples; exact types
    matter, since a cached knowledge base must compare equal to a parsed one.
    """
    if type(value) is list:
        return tuple(value)
    if type(value) is dict:
        return {k: tuple(v) if type(v) is list else v for k, v in value.items()}
    return value


def _decode(doc: dict[str, Any]) -> KnowledgeBase:
    """The knowledge base from its JSON form; a missing or unknown field raises (the file is ignored)."""
    from .kb import Actor, Country, KBIssue, KnowledgeBase, Region

    def build(cls: Any, data: dict[str, Any]) -> Any:
        return cls(**{k: _thaw(v) for k, v in data.items()})

    return KnowledgeBase(
        countries={k: build(Country, v) for k, v in doc["countries"].items()},
        regions={k: build(Region, v) for k, v in doc["regions"].items()},
        actors={k: build(Actor, v) for k, v in doc["actors"].items()},
        version=str(doc["version"]),
        warnings=tuple(KBIssue(**w) for w in doc["warnings"]),
        cldr_missing=_thaw(doc["cldr_missing"]),
        index=_thaw(doc["index"]),
    )
