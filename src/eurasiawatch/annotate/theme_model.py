"""A theme classifier that learns from editors' corrections (scikit-learn), with the lexicon beside it.

Features: character n-gram TF-IDF (3–4 characters within words, so inflected forms share features in
every language; at most ``_MAX_FEATURES`` of them) plus the lexicon's eight theme scores. One
logistic regression per theme (liblinear: a few seconds on a few hundred articles). Training data:
every article the editors corrected, labelled with its corrected themes and weighted heavily, plus
background articles labelled by the lexicon, so a handful of corrections moves the decision on
similar articles without forgetting the rest. A theme with only one class in the training data
falls back to the lexicon.

Models are pickled to ``<data_dir>/models/themes-<version>.pkl``; only load files this program wrote.
The version in use is named in ``<data_dir>/models/active`` (``lexicon`` or absent: the baseline),
so annotating files works without a database; ``eurasiawatch label use`` keeps it and the
``theme_models.active`` column in step.
"""

from __future__ import annotations

import functools
import json
import pickle
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..errors import AnnotationError
from ..records import Mention
from .themes import THEMES, lexicon_themes, theme_scores

__all__ = [
    "LEXICON",
    "GoldCase",
    "ThemeExample",
    "ThemeModel",
    "TrainingRun",
    "active_theme_classifier",
    "active_version",
    "corrected_themes",
    "evaluate_themes",
    "fit_version",
    "load_model",
    "model_path",
    "models_dir",
    "read_gold",
    "save_model",
    "score_on_gold",
    "set_active_version",
    "train_model",
]

#: the name ``label use`` and the ``active`` file give the lexicon baseline
LEXICON = "lexicon"
_CORRECTION_WEIGHT = 8.0  # one corrected article outweighs this many lexicon-labelled ones
_SCORE_SCALE = (
    40.0  # lexicon scores are counts; scaled down so the penalty keeps them from drowning corrections
)
_MAX_FEATURES = 30_000  # enough for a newsroom's vocabulary; keeps fitting to seconds
_ACTIVE_FILE = "active"


@dataclass(frozen=True, slots=True, kw_only=True)
class ThemeExample:
    """One training article: its text, and its themes (``corrected`` when an editor set them)."""

    text: str
    language: str | None
    themes: tuple[str, ...]
    corrected: bool = False
    article_id: str = ""


@dataclass(frozen=True, slots=True, kw_only=True)
class GoldCase:
    """One hand-labelled article of a gold set (the ``dev.jsonl`` layout)."""

    id: str
    title: str
    text: str
    language: str | None
    themes: tuple[str, ...]

    @property
    def document(self) -> str:
        """Title and text as the annotator reads them."""
        return f"{self.title}\n\n{self.text}" if self.title else self.text


@dataclass(frozen=True, slots=True, kw_only=True)
class ThemeModel:
    """A fitted theme classifier; pure and picklable (no database, no files)."""

    version: str
    vectorizer: Any = field(repr=False)
    classifiers: tuple[tuple[str, Any], ...] = field(repr=False)  # (theme, LogisticRegression|None)
    trained_on: int = 0
    corrections: int = 0

    def probabilities_many(
        self,
        texts: Sequence[str],
        languages: Sequence[str | None],
        mentions: Sequence[Sequence[Mention]] | None = None,
    ) -> list[dict[str, float]]:
        """Each theme's probability for each text (themes without a classifier: 1.0/0.0 from the lexicon)."""
        x = _features(self.vectorizer, texts, languages, mentions)
        columns: dict[str, Any] = {}
        for theme, clf in self.classifiers:
            if clf is not None:
                columns[theme] = clf.predict_proba(x)[:, 1]
        out: list[dict[str, float]] = []
        for i, (text, lang) in enumerate(zip(texts, languages, strict=True)):
            lexicon: set[str] | None = None
            row: dict[str, float] = {}
            for theme, clf in self.classifiers:
                if clf is None:
                    if lexicon is None:
                        lexicon = set(lexicon_themes(text, lang, mentions[i] if mentions else ()))
                    row[theme] = 1.0 if theme in lexicon else 0.0
                else:
                    row[theme] = float(columns[theme][i])
            out.append(row)
        return out

    def probabilities(
        self, text: str, language: str | None, mentions: Sequence[Mention] = ()
    ) -> dict[str, float]:
        """Each theme's probability for one text."""
        return self.probabilities_many([text], [language], [mentions])[0]

    def predict_many(self, texts: Sequence[str], languages: Sequence[str | None]) -> list[tuple[str, ...]]:
        """The themes of each text (probability at least one half), in canonical order."""
        return [
            tuple(t for t in THEMES if probs.get(t, 0.0) >= 0.5)
            for probs in self.probabilities_many(texts, languages)
        ]

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
    import numpy as np  # here, not at the top: scikit-learn and SciPy take ~1 s to import, and most
    from scipy.sparse import csr_matrix, hstack  # processes that import this module never predict

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
    import numpy as np  # imported when needed (see _features)
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression

    vectorizer = TfidfVectorizer(
        analyzer="char_wb",
        ngram_range=(3, 4),
        min_df=1,
        sublinear_tf=True,
        max_features=_MAX_FEATURES,
        dtype=np.float32,
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
        clf = LogisticRegression(C=1.0, solver="liblinear", max_iter=500, class_weight="balanced")
        clf.fit(x, y, sample_weight=weights)
        classifiers.append((theme, clf))
    return ThemeModel(
        version=version,
        vectorizer=vectorizer,
        classifiers=tuple(classifiers),
        trained_on=len(examples),
        corrections=sum(1 for e in examples if e.corrected),
    )


def corrected_themes(
    base: Iterable[str], corrections: Iterable[tuple[Iterable[str], Iterable[str]]]
) -> tuple[str, ...]:
    """An article's themes after editors' corrections, applied oldest first.

    Args:
        base: the themes before any correction (the lexicon's).
        corrections: ``(added, removed)`` pairs in the order they were made; a later one wins.

    Returns:
        The themes, in canonical order.
    """
    themes = set(base)
    for added, removed in corrections:
        themes |= set(added)
        themes -= set(removed)
    return tuple(t for t in THEMES if t in themes)


# -- files: models, the active pointer, gold sets ---------------------------------------------------


def models_dir(data_dir: str | Path) -> Path:
    """The folder of theme models under ``data_dir``."""
    return Path(data_dir) / "models"


def model_path(data_dir: str | Path, version: str) -> Path:
    """Where the model ``version`` is kept under ``data_dir``."""
    return models_dir(data_dir) / f"themes-{version}.pkl"


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


@functools.lru_cache(maxsize=4)  # keyed on the file's mtime, so a retrained file is read again
def _cached_model(path: str, mtime_ns: int) -> ThemeModel:
    return load_model(path)


def active_version(folder: str | Path) -> str:
    """The theme model version in use according to ``folder/active`` (``LEXICON`` when none)."""
    try:
        name = (Path(folder) / _ACTIVE_FILE).read_text(encoding="utf-8").strip()
    except FileNotFoundError:
        return LEXICON
    except OSError as exc:
        raise AnnotationError(f"cannot read {Path(folder) / _ACTIVE_FILE}: {exc}") from exc
    return name or LEXICON


def set_active_version(folder: str | Path, version: str) -> None:
    """Name ``version`` (or ``LEXICON``) as the model in use in ``folder/active``."""
    target = Path(folder) / _ACTIVE_FILE
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = target.with_suffix(".tmp")
    tmp.write_text(version + "\n", encoding="utf-8")
    tmp.replace(target)


def active_theme_classifier(source: Any) -> ThemeModel | None:
    """The theme model in use, for ``classify_themes(..., model=...)``; None means the lexicon.

    Args:
        source: a models folder (``<data_dir>/models``, read through its ``active`` file) or an open
            ``store.Database`` (read through the ``theme_models.active`` column).

    Returns:
        The loaded model (cached per file and modification time), or None for the lexicon baseline.

    Raises:
        AnnotationError: the active model's file is missing or unreadable.
    """
    if hasattr(source, "begin"):
        from ..store import queries  # a database handle: the driver passed one in

        with source.begin() as conn:
            rows = [r for r in queries.list_theme_models(conn) if r["active"]]
        if not rows:
            return None
        path = Path(rows[-1]["path"])
    else:
        version = active_version(source)
        if version == LEXICON:
            return None
        path = Path(source) / f"themes-{version}.pkl"
    try:
        mtime = path.stat().st_mtime_ns
    except OSError as exc:
        raise AnnotationError(
            f"the active theme model {path} is missing: {exc}",
            hint="run `eurasiawatch label use lexicon` or retrain with `eurasiawatch label train`",
        ) from exc
    return _cached_model(str(path), mtime)


def read_gold(path: str | Path) -> list[GoldCase]:
    """The cases of a gold set in the ``dev.jsonl`` layout (``{"id", "title", "text", "gold": {"themes"}}``).

    Raises:
        AnnotationError: the file cannot be read or a line is not such a case.
    """
    cases: list[GoldCase] = []
    try:
        lines = Path(path).read_text(encoding="utf-8").splitlines()
    except OSError as exc:
        raise AnnotationError(f"cannot read gold set {path}: {exc}") from exc
    for number, line in enumerate(lines, 1):
        if not line.strip():
            continue
        try:
            row = json.loads(line)
            cases.append(
                GoldCase(
                    id=str(row["id"]),
                    title=str(row.get("title") or ""),
                    text=str(row["text"]),
                    language=row.get("language"),
                    themes=tuple(row["gold"]["themes"]),
                )
            )
        except (ValueError, KeyError, TypeError) as exc:
            raise AnnotationError(f"{path}:{number}: not a gold case ({exc})") from exc
    return cases


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


def score_on_gold(model: ThemeModel | None, cases: Sequence[GoldCase]) -> float:
    """Micro F1 of ``model`` (None: the lexicon) on ``cases``, predicted in one batch."""
    docs = [c.document for c in cases]
    langs = [c.language for c in cases]
    if model is None:
        predicted = [lexicon_themes(d, lang) for d, lang in zip(docs, langs, strict=True)]
    else:
        predicted = model.predict_many(docs, langs)
    answers = iter(predicted)
    result = evaluate_themes(
        lambda _text, _lang: next(answers),
        ((d, c.language, c.themes) for d, c in zip(docs, cases, strict=True)),
    )
    return result["f1"]


@dataclass(frozen=True, slots=True, kw_only=True)
class TrainingRun:
    """What ``fit_version`` produced: the model, its score, the current default's, and the verdict."""

    model: ThemeModel
    f1_model: float | None
    f1_current: float | None
    f1_lexicon: float | None
    gold_cases: int
    activate: bool


def fit_version(
    articles: Sequence[ThemeExample],
    corrections: Mapping[str, Sequence[tuple[Sequence[str], Sequence[str]]]],
    *,
    version: str,
    gold: Sequence[GoldCase] = (),
    current: ThemeModel | None = None,
) -> TrainingRun:
    """Train a model version from stored articles and editors' corrections, and judge it on gold.

    Args:
        articles: the background articles (their ``themes`` are ignored: the lexicon labels them)
            and every corrected article, keyed by ``article_id``.
        corrections: per article id, its ``(added, removed)`` corrections, oldest first.
        version: the new version's name.
        gold: hand-labelled cases; those whose title or text is a corrected article's are held out.
        current: the model in use now (None: the lexicon).

    Returns:
        The run; ``activate`` is true when the new model scores at least as well as ``current`` on
        the held-out gold (or there is no gold to judge by, and the current default is the lexicon: no).

    Raises:
        AnnotationError: no corrections, or a corrected article is not among ``articles``.
    """
    if not corrections:
        raise AnnotationError(
            "no theme corrections to learn from",
            hint="add some with `eurasiawatch label ARTICLE_ID --themes ...`",
        )
    by_id = {a.article_id: a for a in articles}
    missing = sorted(set(corrections) - set(by_id))
    if missing:
        raise AnnotationError(f"corrected articles not found: {', '.join(missing[:5])}")
    examples = []
    for article in articles:
        base = lexicon_themes(article.text, article.language)
        if article.article_id in corrections:
            themes = corrected_themes(base, corrections[article.article_id])
            examples.append(
                ThemeExample(
                    text=article.text,
                    language=article.language,
                    themes=themes,
                    corrected=True,
                    article_id=article.article_id,
                )
            )
        else:
            examples.append(
                ThemeExample(
                    text=article.text, language=article.language, themes=base, article_id=article.article_id
                )
            )
    model = train_model(examples, version=version)
    seen = {by_id[a].text.strip() for a in corrections}
    seen_titles = {by_id[a].text.split("\n", 1)[0].strip() for a in corrections}
    held_out = [c for c in gold if c.document.strip() not in seen and c.title.strip() not in seen_titles]
    if not held_out:
        return TrainingRun(
            model=model, f1_model=None, f1_current=None, f1_lexicon=None, gold_cases=0, activate=False
        )
    f1_model = score_on_gold(model, held_out)
    f1_lexicon = score_on_gold(None, held_out)
    f1_current = f1_lexicon if current is None else score_on_gold(current, held_out)
    return TrainingRun(
        model=model,
        f1_model=f1_model,
        f1_current=f1_current,
        f1_lexicon=f1_lexicon,
        gold_cases=len(held_out),
        activate=f1_model >= f1_current,
    )
