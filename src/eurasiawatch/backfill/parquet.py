"""Parquet output of a backfill: one file per (input file, batch, date, language), Hive-partitioned.

Layout: ``<dir>/date=YYYY-MM-DD/language=xx/<input name>-<path hash>-b<batch>.parquet`` (``date`` is
the publication day, ``unknown`` without one; ``language`` ``und`` when undetected). File names are
fixed by the input file and the batch number, so a file done again overwrites its own output
instead of adding copies. The columns are the ``articles`` layout of ``docs/data-formats.md`` plus
the annotation's countries, themes and Wikidata ids; read it with
``pyarrow.dataset.dataset(dir, partitioning="hive")`` or ``pandas.read_parquet(dir)``.
"""

from __future__ import annotations

import hashlib
from collections import defaultdict
from pathlib import Path
from typing import Any

from ..records import Annotation, Article
from .inputs import InputFile

__all__ = ["ARTICLE_COLUMNS", "article_row", "parquet_schema", "write_parquet"]

#: Column order of backfill Parquet files (and of ``export articles``).
ARTICLE_COLUMNS = (
    "article_id", "url", "canonical_url", "title", "published", "language", "language_score", "outlet",
    "source", "authors", "text", "content_hash", "china_related", "countries", "themes", "entities",
)  # fmt: skip


def parquet_schema() -> Any:
    """The Arrow schema of article rows."""
    import pyarrow as pa

    text = pa.string()
    strings = pa.list_(pa.string())
    return pa.schema(
        [
            ("article_id", text), ("url", text), ("canonical_url", text), ("title", text),
            ("published", pa.timestamp("us", tz="UTC")), ("language", text),
            ("language_score", pa.float64()), ("outlet", text), ("source", text), ("authors", strings),
            ("text", text), ("content_hash", text), ("china_related", pa.bool_()),
            ("countries", strings), ("themes", strings), ("entities", strings),
        ]
    )  # fmt: skip


def article_row(article: Article, annotation: Annotation | None) -> dict[str, Any]:
    """One article (and its annotation, if any) as a row of ``ARTICLE_COLUMNS``."""
    entities = sorted({m.wikidata for m in annotation.mentions if m.wikidata}) if annotation else []
    return {
        "article_id": article.article_id,
        "url": article.url,
        "canonical_url": article.canonical_url,
        "title": article.title,
        "published": article.published,
        "language": article.language,
        "language_score": article.language_score,
        "outlet": article.outlet,
        "source": article.source,
        "authors": list(article.authors),
        "text": article.text,
        "content_hash": article.content_hash,
        "china_related": annotation.china_related if annotation else None,
        "countries": list(annotation.countries) if annotation else [],
        "themes": list(annotation.themes) if annotation else [],
        "entities": entities,
    }


def write_parquet(root: Path, item: InputFile, number: int, done: list[tuple[Article, Annotation]]) -> int:
    """Write one batch's articles under ``root``, partitioned by date and language.

    Returns:
        The number of Parquet files written.

    Raises:
        ImportError: pyarrow is missing (install the ``dask`` extra).
    """
    import pyarrow as pa
    import pyarrow.parquet as pq

    groups: dict[tuple[str, str], list[dict[str, Any]]] = defaultdict(list)
    for article, annotation in done:
        day = article.published.date().isoformat() if article.published else "unknown"
        groups[(day, article.language or "und")].append(article_row(article, annotation))
    tag = hashlib.sha1(item.path.encode("utf-8")).hexdigest()[:8]
    stem = item.name.split(".")[0]
    schema = parquet_schema()
    for (day, language), rows in groups.items():
        folder = root / f"date={day}" / f"language={language}"
        folder.mkdir(parents=True, exist_ok=True)
        table = pa.Table.from_pylist(rows, schema=schema)
        target = folder / f"{stem}-{tag}-b{number:05d}.parquet"
        partial = folder / f".{target.name}"  # readers skip dot files: a crash leaves no half file visible
        pq.write_table(table, partial, compression="zstd")
        partial.replace(target)  # never a half-written file under its final name
    return len(groups)
