"""``eurasiawatch demo``: ingest the bundled sample corpus from a loopback server and show the result."""

from __future__ import annotations

from collections import Counter

import typer
from rich.table import Table

from ..analyzing import rank_window
from ..clock import Clock
from ..demo import run_demo
from ..store import queries
from ..store.annotations import china_related_count, mention_counts, theme_counts
from . import app
from .common import AsOf, console, runtime
from .ingest_cmd import print_report
from .reannotate_cmd import print_annotate_report
from .stories_cmd import print_cluster_report, print_ranked


@app.command("demo")
def demo(ctx: typer.Context, as_of: AsOf = None) -> None:
    """Serve the sample corpus on loopback, ingest and annotate it into a fresh SQLite database; show it.

    Runs "as of" the corpus's last day unless --as-of says otherwise. Everything it serves is sample
    content written for the project.
    """
    rt = runtime(ctx)
    clock = rt.clock(as_of)
    console.print(
        "[bold]eurasiawatch demo[/bold] — sample content written for the project, served from 127.0.0.1"
    )
    result = run_demo(rt.settings, clock=clock if clock.fixed else None)
    print_report(result.report)
    with result.database.begin() as conn:
        total = queries.count_articles(conn)
        articles = queries.list_articles(conn, limit=total or 1)
    langs = Counter(a.language or "?" for a in articles)
    outlets = Counter(a.outlet or "?" for a in articles)
    console.print(
        f"\nStored [bold]{total}[/bold] articles as of {result.as_of:%Y-%m-%d} "
        f"from {len(outlets)} outlets in {len(langs)} languages: "
        + ", ".join(f"{k} {v}" for k, v in langs.most_common())
    )
    table = Table("published", "lang", "outlet", "title", title="newest articles")
    for a in sorted(articles, key=lambda a: a.published or result.as_of, reverse=True)[:12]:
        table.add_row(
            f"{a.published:%Y-%m-%d}" if a.published else "", a.language or "", a.outlet or "", a.title or ""
        )
    console.print(table)
    print_annotate_report(result.annotated)
    with result.database.begin() as conn:
        china = china_related_count(conn)
        countries = mention_counts(conn, "country", limit=10)
        actors = mention_counts(conn, "entity", limit=10)
        themes = theme_counts(conn)
    console.print(f"{china} of {total} articles are about China, Chinese actors or Chinese activity.")
    found = Table(
        "countries", "articles", "actors", "articles", "themes", "articles", title="what the annotator found"
    )
    for i in range(max(len(countries), len(actors), len(themes))):
        c = countries[i] if i < len(countries) else ("", "", "")
        e = actors[i] if i < len(actors) else ("", "", "")
        t = themes[i] if i < len(themes) else ("", "")
        found.add_row(f"{c[1]} ({c[0]})" if c[0] else "", str(c[2]), e[1], str(e[2]), t[0], str(t[1]))
    console.print(found)
    if result.clustered is not None:
        print_cluster_report(result.clustered)
        ranked = rank_window(result.database, rt.settings, Clock(result.as_of), days=14)
        print_ranked(ranked, title="top stories of the last 14 days", limit=8)
    console.print(
        f"\nDatabase: {result.data_dir / 'eurasiawatch.db'}\n"
        f"Look around: EURASIAWATCH_DATA_DIR={result.data_dir} eurasiawatch sources list"
    )
    from ..demo.run import draft_demo_edition

    edition_id, written = draft_demo_edition(result, rt.settings)
    out = result.data_dir / "out"
    console.print(
        f"\nDrafted edition {edition_id} (sample content) and rendered it into {out}/:\n"
        + "\n".join(f"  {p}" for p in written if p.name in ("email-preview.html", "email.txt", "index.html"))
    )
    raise typer.Exit(max(result.report.exit_code, min(result.annotated.exit_code, 1)))
