"""Lexicon parts: ``<name>.d/<lang>.yaml`` files add a language to a lexicon without editing the main file."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from eurasiawatch.annotate import lexicons
from eurasiawatch.errors import AnnotationError


@pytest.fixture
def lexicon_root(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    monkeypatch.setattr(lexicons, "lexicon_dir", lambda: tmp_path)
    lexicons.load_lexicon.cache_clear()
    lexicons.lexicon_languages.cache_clear()
    yield tmp_path
    lexicons.load_lexicon.cache_clear()  # the next test reads the shipped files again
    lexicons.lexicon_languages.cache_clear()


def _write(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")


def test_a_part_adds_a_language_and_joins_lists(lexicon_root: Path) -> None:
    _write(lexicon_root / "events.yaml", "priority: [AGREE]\ntriggers:\n  AGREE:\n    en: [signed]\n")
    _write(
        lexicon_root / "events.d" / "pl.yaml",
        "triggers:\n  AGREE:\n    pl: [podpisa*]\n    en: [inked, signed]\n",
    )
    lex = lexicons.load_lexicon("events")
    assert lex["triggers"]["AGREE"]["pl"] == ("podpisa*",)
    assert lex["triggers"]["AGREE"]["en"] == ("signed", "inked")  # joined, no repeats
    assert lex["priority"] == ("AGREE",)
    assert lexicons.lexicon_languages("events", "triggers") == {"en", "pl"}


def test_a_part_that_contradicts_a_setting_is_an_error(lexicon_root: Path) -> None:
    _write(lexicon_root / "themes.yaml", "threshold: 3\n")
    _write(lexicon_root / "themes.d" / "ro.yaml", "threshold: 4\n")
    with pytest.raises(AnnotationError, match=r"ro.yaml.threshold: 4 contradicts 3"):
        lexicons.load_lexicon("themes")


def test_a_broken_part_names_its_file(lexicon_root: Path) -> None:
    _write(lexicon_root / "dates.yaml", "months: {1: [january]}\n")
    _write(lexicon_root / "dates.d" / "ka.yaml", "months: {1: [იანვ\n")
    with pytest.raises(AnnotationError, match=r"dates.d/ka.yaml"):
        lexicons.load_lexicon("dates")


def test_months_from_a_part_join_the_same_month(lexicon_root: Path) -> None:
    _write(lexicon_root / "dates.yaml", "months: {1: [january]}\n")
    _write(lexicon_root / "dates.d" / "pl.yaml", "months: {1: [stycz*]}\n")
    assert lexicons.load_lexicon("dates")["months"][1] == ("january", "stycz*")
