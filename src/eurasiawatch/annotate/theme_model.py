"""A theme classifier that learns from editors' corrections (scikit-learn), with the lexicon beside it.

Features: character n-gram TF-IDF (2–4 characters within words, so inflected forms share features in
every language) plus the lexicon's eight theme scores. One logistic regression per theme
(one-vs-rest). Training data: every article the editors corrected, labelled with its corrected
themes and weighted heavily, plus background articles labelled by the lexicon, so a handful of
corrections moves the decision on similar articles without forgetting the rest. A theme that has
only one class in the training data falls back to the lexicon.

Models are pickled to ``<data_dir>/models/themes-<version>.pkl``; only load files this program wrote.
"""

from __future__ import annotations

import pickle
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
from scipy.sparse import csr_matrix, hstack
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression

from ..errors import AnnotationError
from ..records import Mention
from .themes import THEMES, lexicon_themes, theme_scores

__all__ = [
    "ThemeExample",
    "ThemeModel",
    "evaluate_themes",
    "load_model",
    "model_path",
    "save_model",
    "train_model",
]

_CORRECTION_WEIGHT = 8.0  # one corrected article outweighs this many lexicon-labelled ones
_SCORE_SCALE = 10.0  # lexicon scores are counts; bring them near the TF-IDF range


@dataclass(frozen=True, slots=True, kw_only=True)
class ThemeExample:
    """One training article: its text, and its themes (``corrected`` when an editor set them)."""

    text: str
    language: str | None
    themes: tuple[str, ...]
    corrected: bool = False
    article_id: str = ""


@dataclass(frozen=True, slots=True, kw_only=True)
class ThemeModel:
    """A fitted theme classifier; pure and picklable (no database, no files)."""

    version: str
    vectorizer: Any = field(repr=False)
    classifiers: tuple[tuple[str, Any], ...] = field(repr=False)  # (theme, LogisticRegression|None)
    trained_on: int = 0
    corrections: int = 0

    def probabilities(
        self, text: str, language: str | None, mentions: Sequence[Mention] = ()
    ) -> dict[str, float]:
        """Each theme's probability (themes without a classifier: 1.0 or 0.0 from the lexicon)."""
        x = _features(self.vectorizer, [text], [language], [mentions])
        lexicon = set(lexicon_themes(text, language, mentions))
        out: dict[str, float] = {}
        for theme, clf in self.classifiers:
            if clf is None:
                out[theme] = 1.0 if theme in lexicon else 0.0
            else:
                out[theme] = float(clf.predict_proba(x)[0, 1])
        return out

    def predict(self, text: str, language: str | None, mentions: Sequence[Mention] = ()) -> tuple[str, ...]:
        """The themes whose probability is at least one half, in canonical order."""
        probs = self.probabilities(text, language, mentions)
        return tuple(t for t in THEMES if probs.get(t, 0.0) >= 0.5)


def _features(
    vectorizer: Any,
    texts: Sequence[str],
    languages: Sequence[str | None],
    mentions: Sequence[Sequence[Mention]] | None = None,
) -> Any:
    tfidf = vectorizer.transform([t.lower() for t in texts])
    rows = []
    for i, (text, lang) in enumerate(zip(texts, languages, strict=True)):
        scores = theme_scores(text, lang, mentions[i] if mentions else ())
        rows.append([min(scores[t], 3 * _SCORE_SCALE) / _SCORE_SCALE for t in THEMES])
    return hstack([tfidf, csr_matrix(np.asarray(rows, dtype=float))]).tocsr()


def train_model(examples: Sequence[ThemeExample], *, version: str) -> ThemeModel:
    """Fit a theme model on corrected and lexicon-labelled examples.

    Args:
        examples: training articles; ``corrected`` ones carry the editors' themes and weigh more.
        version: the version name stored with the model.

    Returns:
        The fitted model.

    Raises:
        AnnotationError: there is nothing to train on.
    """
    if not examples:
        raise AnnotationError("no articles to train the theme model on", hint="add corrections first")
    vectorizer = TfidfVectorizer(
        analyzer="char_wb", ngram_range=(2, 4), min_df=1, sublinear_tf=True, max_features=200_000
    )
    vectorizer.fit([e.text.lower() for e in examples])
    x = _features(vectorizer, [e.text for e in examples], [e.language for e in examples])
    weights = np.asarray([_CORRECTION_WEIGHT if e.corrected else 1.0 for e in examples])
    classifiers: list[tuple[str, Any]] = []
    for theme in THEMES:
        y = np.asarray([1 if theme in e.themes else 0 for e in examples])
        if y.min() == y.max():
            classifiers.append((theme, None))
            continue
        clf = LogisticRegression(C=10.0, max_iter=2000, class_weight="balanced")
        clf.fit(x, y, sample_weight=weights)
        classifiers.append((theme, clf))
    return ThemeModel(
        version=version,
        vectorizer=vectorizer,
        classifiers=tuple(classifiers),
        trained_on=len(examples),
        corrections=sum(1 for e in examples if e.corrected),
    )


def model_path(data_dir: str | Path, version: str) -> Path:
    """Where the model ``version`` is kept under ``data_dir``."""
    return Path(data_dir) / "models" / f"themes-{version}.pkl"


def save_model(model: ThemeModel, path: str | Path) -> Path:
    """Write ``model`` to ``path`` (folders created); returns the path."""
    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = target.with_suffix(".tmp")
    tmp.write_bytes(pickle.dumps(model, protocol=pickle.HIGHEST_PROTOCOL))
    tmp.replace(target)
    return target


def load_model(path: str | Path) -> ThemeModel:
    """Read a model written by ``save_model``.

    Raises:
        AnnotationError: the file is missing or is not a theme model.
    """
    try:
        model = pickle.loads(Path(path).read_bytes())  # our own file under data_dir
    except (OSError, pickle.UnpicklingError, EOFError, AttributeError, ImportError) as exc:
        raise AnnotationError(f"cannot load theme model {path}: {exc}") from exc
    if not isinstance(model, ThemeModel):
        raise AnnotationError(f"{path} is not a theme model")
    return model


def evaluate_themes(
    classify: Callable[[str, str | None], Iterable[str]],
    cases: Iterable[tuple[str, str | None, Iterable[str]]],
) -> dict[str, float]:
    """Micro precision, recall and F1 of ``classify`` over (text, language, gold themes) cases."""
    tp = fp = fn = n = 0
    for text, language, gold in cases:
        predicted, wanted = set(classify(text, language)), set(gold)
        tp += len(predicted & wanted)
        fp += len(predicted - wanted)
        fn += len(wanted - predicted)
        n += 1
    p = tp / (tp + fp) if tp + fp else 1.0
    r = tp / (tp + fn) if tp + fn else 1.0
    f = 2 * p * r / (p + r) if p + r else 0.0
    return {"precision": p, "recall": r, "f1": f, "cases": float(n)}
