"""Stemming from many threads at once (the web app's request threads) gives the same stems as one."""

from __future__ import annotations

import threading

from eurasiawatch.analyze.search import stem_variants, tokens
from eurasiawatch.demo import load_corpus


def test_stems_are_the_same_from_many_threads() -> None:
    corpus = load_corpus()
    words = sorted(
        {
            (t, a.language)
            for a in corpus.articles
            for t in tokens(a.text)
            if a.language in ("ru", "en", "hu", "sr")
        }
    )[:6000]
    uncached = stem_variants.__wrapped__  # type: ignore[attr-defined]
    expected = [uncached(t, lang) for t, lang in words]
    results: list[list[tuple[str, ...]]] = []
    errors: list[BaseException] = []

    def work() -> None:
        try:
            results.append([uncached(t, lang) for t, lang in words])
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=work) for _ in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(120)
    assert errors == []
    assert len(results) == 6 and all(r == expected for r in results)
