"""Scores for the analyze stage's evaluation: B-cubed for clusterings, precision/recall for links."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping, Set

__all__ = ["bcubed", "score_links"]


def bcubed(predicted: Mapping[str, str], gold: Mapping[str, str]) -> tuple[float, float, float]:
    """B-cubed precision, recall and F1 of a clustering against gold labels (over the gold items).

    Args:
        predicted: item → predicted cluster id (items missing here count as singletons).
        gold: item → gold cluster id.

    Returns:
        (precision, recall, F1), each 0–1.
    """
    if not gold:
        return 0.0, 0.0, 0.0
    pred = {item: predicted.get(item, f"\x00{item}") for item in gold}
    by_pred: dict[str, set[str]] = defaultdict(set)
    by_gold: dict[str, set[str]] = defaultdict(set)
    for item, cluster in pred.items():
        by_pred[cluster].add(item)
    for item, cluster in gold.items():
        by_gold[cluster].add(item)
    precision = recall = 0.0
    for item in gold:
        p, g = by_pred[pred[item]], by_gold[gold[item]]
        both = len(p & g)
        precision += both / len(p)
        recall += both / len(g)
    precision /= len(gold)
    recall /= len(gold)
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return precision, recall, f1


def score_links(found: Set[tuple[str, str | None]], gold: Set[tuple[str, str]]) -> tuple[float, float, float]:
    """Precision, recall and F1 of (article, source) links; a link with an unknown source counts as wrong."""
    hits = len(found & gold)
    precision = hits / len(found) if found else 0.0
    recall = hits / len(gold) if gold else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return precision, recall, f1
