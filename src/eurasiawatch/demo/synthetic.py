"""Scale the sample corpus up for benchmarks: synthetic articles, clearly labelled as synthetic.

Each round copies every sample article into a new "period" (dates shifted by whole weeks, story ids
suffixed with the round), and perturbs its text a little (paragraph order within the body, a
round marker sentence) so copies are not byte-identical. The labels travel with the copy, so a
benchmark can still score what it measures. Nothing here is real reporting.
"""

from __future__ import annotations

import random
from collections.abc import Iterator
from datetime import timedelta
from typing import Any

from .corpus import Corpus

__all__ = ["synthetic_articles"]


def synthetic_articles(
    corpus: Corpus, count: int, *, seed: int = 7, weeks_per_round: int = 13
) -> Iterator[dict[str, Any]]:
    """Yield ``count`` synthetic article records in the JSON Lines layout the CLI contracts read.

    Args:
        corpus: the sample corpus to scale up.
        count: how many records to produce.
        seed: random seed, so a benchmark run is repeatable.
        weeks_per_round: how far each round's dates are shifted.

    Yields:
        ``{"id", "title", "text", "published", "language", "outlet", "story", "gold", "synthetic": True}``.
    """
    rng = random.Random(seed)
    base = corpus.articles
    produced = 0
    round_no = 0
    while produced < count:
        shift = timedelta(weeks=weeks_per_round * round_no)
        for article in base:
            if produced >= count:
                return
            paragraphs = list(article.paragraphs)
            if round_no and len(paragraphs) > 2:
                middle = paragraphs[1:-1]
                rng.shuffle(middle)
                paragraphs = [paragraphs[0], *middle, paragraphs[-1]]
            yield {
                "id": f"syn{round_no}-{article.id}",
                "title": article.title,
                "text": "\n\n".join(paragraphs),
                "published": (article.published + shift).isoformat(),
                "language": article.language,
                "outlet": article.outlet,
                "story": f"syn{round_no}-{article.story}",
                "gold": article.labels,
                "synthetic": True,
            }
            produced += 1
        round_no += 1
