"""The compiled knowledge base cache: used when nothing changed, rebuilt when a file did, never trusted."""

from __future__ import annotations

import json
import logging
from pathlib import Path

import pytest

from eurasiawatch.annotate import kb as kb_module
from eurasiawatch.annotate import kb_cache
from eurasiawatch.annotate.kb import load_kb, merge_user_entries

USER = "- {name: Cache Test Person, type: person, country: KZ, aliases: {ru: [Кэш Тестов]}}\n"


@pytest.fixture
def fresh(monkeypatch):
    """load_kb as a new process sees it: nothing in memory; counts how often the YAML is parsed."""
    kb_module._load_cached.cache_clear()
    parsed = []
    real = kb_module._load

    def counting(root, user):  # type: ignore[no-untyped-def]
        parsed.append(user)
        return real(root, user)

    monkeypatch.setattr(kb_module, "_load", counting)
    yield parsed
    kb_module._load_cached.cache_clear()


def _user(tmp_path: Path) -> Path:
    user = tmp_path / "user.yaml"
    user.write_text(USER, "utf-8")
    return user


def test_second_load_reads_the_cache_and_equals_a_parse(tmp_path: Path, fresh) -> None:
    user, cache = _user(tmp_path), tmp_path / "cache"
    first = load_kb(user, cache_dir=cache)
    assert len(fresh) == 1 and len(list(cache.glob("kb-*.json"))) == 1
    kb_module._load_cached.cache_clear()
    second = load_kb(user, cache_dir=cache)
    assert len(fresh) == 1  # not parsed again
    uncached = load_kb(user, cache_dir="")
    assert second == first == uncached
    assert second.find("Кэш Тестов")[0].name == "Cache Test Person"
    assert second.version == uncached.version


def test_a_user_file_write_rebuilds_the_cache(tmp_path: Path, fresh) -> None:
    user, cache = _user(tmp_path), tmp_path / "cache"
    before = load_kb(user, cache_dir=cache)
    merge_user_entries(user, [{"name": "Second Cached Person", "type": "person", "country": "RS"}], kb=before)
    kb_module._load_cached.cache_clear()
    after = load_kb(user, cache_dir=cache)
    assert len(fresh) == 2
    assert after.find("Second Cached Person") and not before.find("Second Cached Person")
    assert after.version != before.version
    kb_module._load_cached.cache_clear()
    assert load_kb(user, cache_dir=cache) == after and len(fresh) == 2  # the new copy is used


@pytest.mark.parametrize(
    "damage",
    [
        lambda raw: raw[: len(raw) // 2],  # truncated
        lambda raw: b"\x80\x04garbage, not ours",  # a foreign file (a pickle header, say)
        lambda raw: raw.replace("Кэш Тестов".encode(), "Кэш Тестав".encode()),  # altered after writing
    ],
    ids=["truncated", "foreign", "altered"],
)
def test_a_damaged_cache_is_ignored_with_a_log_line(tmp_path: Path, fresh, caplog, damage) -> None:
    user, cache = _user(tmp_path), tmp_path / "cache"
    good = load_kb(user, cache_dir=cache)
    (path,) = cache.glob("kb-*.json")
    path.write_bytes(damage(path.read_bytes()))
    kb_module._load_cached.cache_clear()
    with caplog.at_level(logging.WARNING, logger="eurasiawatch.annotate.kb_cache"):
        again = load_kb(user, cache_dir=cache)
    assert again == good and len(fresh) == 2  # parsed afresh
    assert any("ignored" in r.getMessage() and str(path) in r.getMessage() for r in caplog.records)
    head = json.loads(path.read_bytes().partition(b"\n")[0])  # rewritten, valid again
    assert head["format"] == kb_cache._FORMAT


def test_an_invalid_knowledge_base_is_not_cached(tmp_path: Path, fresh) -> None:
    user, cache = tmp_path / "user.yaml", tmp_path / "cache"
    user.write_text("- {name: Bad Entry, type: spaceship}\n", "utf-8")
    with pytest.raises(kb_module.KnowledgeBaseError):
        load_kb(user, cache_dir=cache)
    assert not list(cache.glob("kb-*.json"))


def test_cache_folder_follows_the_setting() -> None:
    assert kb_cache.default_cache_dir({"EURASIAWATCH_CACHE_DIR": "off"}) is None
    assert kb_cache.default_cache_dir({"EURASIAWATCH_CACHE_DIR": "/srv/ew"}) == Path("/srv/ew")
    assert kb_cache.default_cache_dir({"XDG_CACHE_HOME": "/x"}) == Path("/x/eurasiawatch")


def test_an_unwritable_cache_folder_still_loads(tmp_path: Path, fresh, caplog) -> None:
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("a file where the cache folder should be", "utf-8")
    with caplog.at_level(logging.WARNING, logger="eurasiawatch.annotate.kb_cache"):
        kb = load_kb(_user(tmp_path), cache_dir=blocker / "cache")
    assert kb.find("Cache Test Person") and any("not written" in r.getMessage() for r in caplog.records)
