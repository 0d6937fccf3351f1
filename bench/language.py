"""Compare ``extract.detect_language`` (py3langid + letter checks) with lingua on our labelled set.

The set is ``tests/extract/data/language_set.tsv``: short news-style samples written for this
project in the region's languages. lingua (``lingua-language-detector``, a dev dependency) is
restricted to the languages of ``REGION_LANGUAGES`` that it knows, as ours is; it has no Kyrgyz,
Uzbek, Tajik or Turkmen, so it is scored only on the languages it has, and ours on both the full
set and that subset. Serbian, Croatian and Bosnian are scored twice: exactly, and as one group
(text alone cannot reliably separate them; the pipeline lets the declared language decide).

    .venv/bin/python bench/language.py [--repeat 20]
"""

from __future__ import annotations

import argparse
import time
from collections import Counter
from collections.abc import Callable
from pathlib import Path

from eurasiawatch.extract import detect_language
from eurasiawatch.extract.language import REGION_LANGUAGES

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "tests" / "extract" / "data" / "language_set.tsv"
SERBO_CROATIAN = frozenset({"sr", "hr", "bs"})


def load_set(path: Path = DATA) -> list[tuple[str, str]]:
    """(language, text) pairs from the TSV file."""
    pairs = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.strip() and not line.startswith("#"):
            code, text = line.split("\t", 1)
            pairs.append((code.strip(), text.strip()))
    return pairs


def lingua_detector() -> tuple[Callable[[str], str | None], frozenset[str]]:
    """lingua restricted to the region's languages it knows; returns (detect, its codes)."""
    from lingua import IsoCode639_1, Language, LanguageDetectorBuilder

    languages = []
    for code in REGION_LANGUAGES:
        try:
            languages.append(Language.from_iso_code_639_1(getattr(IsoCode639_1, code.upper())))
        except (AttributeError, ValueError):
            continue
    detector = LanguageDetectorBuilder.from_languages(*languages).with_preloaded_language_models().build()

    def detect(text: str) -> str | None:
        found = detector.detect_language_of(text)
        return None if found is None else found.iso_code_639_1.name.lower()

    return detect, frozenset(lang.iso_code_639_1.name.lower() for lang in languages)


def ours(text: str) -> str | None:
    """Our detector's code."""
    return detect_language(text)[0]


def score(
    detect: Callable[[str], str | None], pairs: list[tuple[str, str]]
) -> tuple[float, float, Counter[str]]:
    """(exact accuracy, accuracy with sr/hr/bs as one, misses per language)."""
    exact = grouped = 0
    misses: Counter[str] = Counter()
    for gold, text in pairs:
        got = detect(text)
        exact += got == gold
        same_group = got in SERBO_CROATIAN and gold in SERBO_CROATIAN
        grouped += got == gold or same_group
        if got != gold and not same_group:
            misses[f"{gold}→{got}"] += 1
    return exact / len(pairs), grouped / len(pairs), misses


def speed(detect: Callable[[str], str | None], pairs: list[tuple[str, str]], repeat: int) -> float:
    """Samples per second (after one warm-up pass)."""
    for _, text in pairs:
        detect(text)
    start = time.perf_counter()
    for _ in range(repeat):
        for _, text in pairs:
            detect(text)
    return repeat * len(pairs) / (time.perf_counter() - start)


def main() -> None:
    """Print the comparison table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=20)
    args = parser.parse_args()
    pairs = load_set()
    start = time.perf_counter()
    lingua, known = lingua_detector()
    lingua_load = time.perf_counter() - start
    shared = [(gold, text) for gold, text in pairs if gold in known]
    print(
        f"{len(pairs)} samples in {len(Counter(g for g, _ in pairs))} languages; lingua knows {len(shared)}"
    )
    print(f"{'detector':<34}{'exact':>8}{'sr/hr/bs as one':>18}{'samples/s':>12}")
    rows = [
        ("ours, all languages", ours, pairs),
        ("ours, lingua's languages", ours, shared),
        ("lingua, its languages", lingua, shared),
    ]
    for name, fn, subset in rows:
        exact, grouped, misses = score(fn, subset)
        print(f"{name:<34}{exact:>8.3f}{grouped:>18.3f}{speed(fn, subset, args.repeat):>12.0f}")
        if misses:
            print(f"{'':<4}misses: {dict(misses)}")
    print(f"lingua model load (preloaded, restricted): {lingua_load:.1f} s")


if __name__ == "__main__":
    main()
