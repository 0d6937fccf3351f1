"""The signed city index cache: reused when nothing changed, never unmarshalled unless we signed it."""

from __future__ import annotations

import logging
import marshal
import pickle
import stat
from pathlib import Path

import pytest

from eurasiawatch.annotate import gazetteer as gz
from eurasiawatch.annotate import gazetteer_cache


@pytest.fixture
def builds(monkeypatch):
    """load_gazetteer as a new process sees it; counts how often the index is built from GeoNames."""
    gz.load_gazetteer.cache_clear()
    count = []
    real = gz._build

    def counting(kb, min_population):  # type: ignore[no-untyped-def]
        count.append(min_population)
        return real(kb, min_population)

    monkeypatch.setattr(gz, "_build", counting)
    yield count
    gz.load_gazetteer.cache_clear()


def test_second_load_reads_the_signed_cache_and_equals_a_build(tmp_path: Path, builds) -> None:
    first = gz.load_gazetteer(cache_dir=tmp_path)
    gz.load_gazetteer.cache_clear()
    second = gz.load_gazetteer(cache_dir=tmp_path)
    assert len(builds) == 1  # the second came from the file
    uncached = gz.load_gazetteer(cache_dir="")
    assert dict(second.index) == dict(uncached.index) == dict(first.index)
    assert dict(second.cities) == dict(uncached.cities)
    assert second.country_of("Astana") == "KZ" and second.country_of("Пекин") == "CN"
    assert stat.S_IMODE((tmp_path / "cache.key").stat().st_mode) == 0o600


@pytest.mark.parametrize("tamper", ["altered", "foreign", "truncated"])
def test_a_file_not_signed_with_our_key_is_never_unmarshalled(
    tmp_path: Path, builds, caplog, monkeypatch, tamper: str
) -> None:
    gz.load_gazetteer(cache_dir=tmp_path)
    (path,) = tmp_path.glob("gazetteer-*.bin")
    raw = path.read_bytes()
    if tamper == "altered":  # a byte of the payload changed after signing
        raw = raw[:-10] + bytes([raw[-10] ^ 1]) + raw[-9:]
    elif tamper == "foreign":  # well-formed, but signed by someone else's key
        head, _, rest = raw.partition(b"\n")
        raw = head + b"\n" + b"0" * 64 + rest[64:]
    else:
        raw = raw[: len(raw) // 3]
    path.write_bytes(raw)
    loads = []
    monkeypatch.setattr(gazetteer_cache.marshal, "loads", lambda data: loads.append(1) or marshal.loads(data))
    gz.load_gazetteer.cache_clear()
    with caplog.at_level(logging.WARNING, logger="eurasiawatch.annotate.gazetteer_cache"):
        again = gz.load_gazetteer(cache_dir=tmp_path)
    assert loads == [] and len(builds) == 2  # rebuilt, nothing unmarshalled
    assert again.country_of("Astana") == "KZ"
    assert any("not signed" in r.getMessage() for r in caplog.records)


def test_other_inputs_rebuild(tmp_path: Path) -> None:
    calls = []

    def build():  # type: ignore[no-untyped-def]
        calls.append(1)
        return {1: ("Testville", "KZ", 20_000, False)}, {"testville": (1,)}

    assert gazetteer_cache.load_or_build("kb-aaa", tmp_path, build)[1] == {"testville": (1,)}
    gazetteer_cache.load_or_build("kb-aaa", tmp_path, build)
    assert len(calls) == 1
    gazetteer_cache.load_or_build("kb-bbb", tmp_path, build)  # e.g. the knowledge base changed
    assert len(calls) == 2


def test_gazetteer_pickles_for_workers(tmp_path: Path, builds) -> None:
    gazetteer = gz.load_gazetteer(cache_dir=tmp_path)
    again = pickle.loads(pickle.dumps(gazetteer))
    assert again.lookup("Astana") == gazetteer.lookup("Astana")
