"""Wiring of the annotate stage over stored articles: what ``ingest`` finishes with and ``reannotate`` redoes.

Articles whose annotation is missing, or was made by another knowledge-base or theme-model version,
are read in id order, annotated with the same pure functions as ``eurasiawatch annotate``, and saved
in batches, each batch one transaction: a crash loses at most the batch in flight, and the next run
picks up exactly what is still stale.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime

from .annotate import KnowledgeBase, annotate_article, load_kb, user_kb_path
from .annotate.theme_model import ThemeModel, active_theme_classifier, models_dir
from .clock import Clock
from .config import Settings
from .corrections import with_corrections_many
from .errors import AnnotationError
from .records import Article
from .store import Database, queries
from .store.annotations import save_annotation, stale_article_ids

__all__ = ["LEXICON_MODEL", "AnnotateReport", "annotate_ids", "annotate_stored", "load_user_kb"]

log = logging.getLogger(__name__)

#: ``model_version`` of annotations whose themes come from the lexicon baseline (no trained model).
LEXICON_MODEL = "lexicon"


@dataclass
class AnnotateReport:
    """What an annotation pass did."""

    annotated: int = 0
    failures: list[tuple[str, str]] = field(default_factory=list)  # (article id, reason)
    kb_version: str = ""
    model_version: str = LEXICON_MODEL

    @property
    def exit_code(self) -> int:
        """0 all ok, 1 some articles failed, 2 nothing could be annotated."""
        if not self.failures:
            return 0
        return 1 if self.annotated else 2


def load_user_kb(settings: Settings) -> KnowledgeBase:
    """The shipped knowledge base plus the user's own file in ``<data_dir>/kb/user.yaml``, if any."""
    return load_kb(user_kb_path(settings.data_dir))


def annotate_stored(
    db: Database,
    settings: Settings,
    clock: Clock,
    *,
    kb: KnowledgeBase | None = None,
    since: datetime | None = None,
    force: bool = False,
    batch: int = 100,
    progress: Callable[[int], None] | None = None,
) -> AnnotateReport:
    """Annotate stored articles that have no current annotation (all of them with ``force``).

    Args:
        db: an upgraded database.
        settings: effective settings (the data directory holds the user's knowledge-base file).
        clock: stamps ``annotated_at``.
        kb: the knowledge base (default: shipped plus the user's file).
        since: only articles published or first seen from this instant on.
        force: redo every article, current or not.
        batch: articles per transaction.
        progress: called with the number of articles just saved.

    Returns:
        How many were annotated, and which failed with what reason.
    """
    kb = kb if kb is not None else load_user_kb(settings)
    # the theme model an editor made active (`label train` / `label use`); None: the lexicon
    theme_model = active_theme_classifier(models_dir(settings.data_path))
    report = AnnotateReport(
        kb_version=kb.version, model_version=theme_model.version if theme_model else LEXICON_MODEL
    )
    after: str | None = None
    while True:
        with db.begin() as conn:
            ids = stale_article_ids(
                conn,
                kb_version=kb.version,
                model_version=report.model_version,
                since=since,
                force=force,
                after=after,
                limit=batch,
            )
            found = queries.get_articles(conn, ids)
            articles = [found[i] for i in ids if i in found]
        if not ids:
            return report
        after = ids[-1]  # id order: failures are passed over, never retried forever
        saved = _annotate_batch(db, articles, kb, theme_model, clock, report)
        if progress:
            progress(saved)


def annotate_ids(
    db: Database,
    settings: Settings,
    clock: Clock,
    article_ids: Sequence[str],
    *,
    kb: KnowledgeBase | None = None,
    batch: int = 100,
) -> AnnotateReport:
    """Annotate the named stored articles again, as ``reannotate`` does (corrections still win).

    Args:
        db: an upgraded database.
        settings: effective settings (the data directory holds the user's knowledge-base file).
        clock: stamps ``annotated_at``.
        article_ids: the articles; ids with no stored article are passed over.
        kb: the knowledge base (default: shipped plus the user's file).
        batch: articles per transaction.

    Returns:
        How many were annotated, and which failed with what reason.
    """
    kb = kb if kb is not None else load_user_kb(settings)
    theme_model = active_theme_classifier(models_dir(settings.data_path))
    report = AnnotateReport(
        kb_version=kb.version, model_version=theme_model.version if theme_model else LEXICON_MODEL
    )
    ids = list(dict.fromkeys(article_ids))
    for n in range(0, len(ids), batch):
        chunk = ids[n : n + batch]
        with db.begin() as conn:
            found = queries.get_articles(conn, chunk)
        _annotate_batch(db, [found[i] for i in chunk if i in found], kb, theme_model, clock, report)
    return report


def _annotate_batch(
    db: Database,
    articles: Sequence[Article],
    kb: KnowledgeBase,
    theme_model: ThemeModel | None,
    clock: Clock,
    report: AnnotateReport,
) -> int:
    """Annotate articles and save them in one transaction, editors' corrections applied; how many saved."""
    done = []
    failed: list[tuple[str, str]] = []
    for article in articles:
        try:
            annotation = annotate_article(article, kb, theme_model=theme_model)
        except AnnotationError as exc:
            failed.append((article.article_id, str(exc)))
            continue
        done.append(replace(annotation, model_version=report.model_version))
    with db.begin() as conn:
        # editors' corrections (themes, countries, entities) win over the annotator
        for annotation in with_corrections_many(conn, done):
            save_annotation(conn, annotation, now=clock.now())
        for article_id, reason in failed:
            queries.record_failure(
                conn, stage="annotate", url=article_id, source=None, reason=reason, at=clock.now()
            )
    report.annotated += len(done)
    report.failures.extend(failed)
    log.info("annotated %d articles (%d so far)", len(done), report.annotated)
    return len(done)
