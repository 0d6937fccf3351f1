"""``eurasiawatch render sample`` and ``eurasiawatch archive export``: rendered editions on disk."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from ..render import RenderOptions, archive_entry, archive_files, read_entries, render_edition, write_archive
from ..render.files import email_files
from . import app
from .common import console, runtime

render_app = typer.Typer(help="Render editions as email, text, web page and Atom feed.", no_args_is_help=True)
archive_app = typer.Typer(help="The static archive of rendered editions.", no_args_is_help=True)
app.add_typer(render_app, name="render")
app.add_typer(archive_app, name="archive")

OutDir = Annotated[Path, typer.Option("--out", help="Folder to write into (created if missing).")]
SiteUrl = Annotated[
    str | None,
    typer.Option(
        "--site-url",
        help="Where the archive is published; empty keeps every link relative (default: render.site_url).",
        show_default=False,
    ),
]


def _options(ctx: typer.Context, site_url: str | None, *, sample: bool = False) -> RenderOptions:
    """Render options from the settings, with --site-url winning."""
    settings = runtime(ctx).settings
    url = settings.render_site_url if site_url is None else site_url
    return RenderOptions(newsletter=settings.render_newsletter, site_url=url, sample=sample)


@render_app.command("sample")
def render_sample(ctx: typer.Context, out: OutDir = Path("out/sample"), site_url: SiteUrl = None) -> None:
    """Render the sample edition (sample content) to email.html, email.txt, a web page and atom.xml."""
    from ..render.sample import sample_edition

    options = _options(ctx, site_url, sample=True)
    edition = sample_edition()
    files = email_files(render_edition(edition, options=options))
    files.update(archive_files([archive_entry(edition, options)], options))
    write_archive(files, out)
    console.print(f"Rendered the sample edition (sample content) into {out}/", highlight=False)
    for name in ("email.html", "email-preview.html", "email.txt", "email.eml", "index.html", "atom.xml"):
        console.print(f"  {out / name}", highlight=False)
    page = next(p for p in files if p.startswith("editions/") and p.endswith("index.html"))
    console.print(f"  {out / page}", highlight=False)


@archive_app.command("export")
def archive_export(
    ctx: typer.Context,
    dest: Annotated[Path, typer.Argument(help="Folder to write the static site into.")],
    site_url: SiteUrl = None,
) -> None:
    """Export every edition rendered under <data_dir>/out/ as a static site with relative links.

    Until an edition has been rendered there, the archive holds the sample edition (sample content).
    """
    rt = runtime(ctx)
    source = rt.settings.data_path / "out"
    entries = read_entries(source)
    options = _options(ctx, site_url)
    if not entries:
        from ..render.sample import sample_edition

        options = _options(ctx, site_url, sample=True)
        entries = [archive_entry(sample_edition(), options)]
        console.print(f"No rendered editions under {source}/editions; exporting the sample edition.")
    written = write_archive(archive_files(entries, options), dest)
    console.print(
        f"Exported {len(entries)} edition(s), {len(written)} files, to {dest}/ (open {dest / 'index.html'})",
        highlight=False,
    )
