"""What the channels share: options, the template environment, packaged CSS, dates and paths."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Any

from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape

from ..records import Chart, Edition

__all__ = [
    "RenderOptions",
    "chart_file",
    "content_id",
    "edition_date",
    "environment",
    "static_text",
    "web_path",
]


@dataclass(frozen=True, slots=True, kw_only=True)
class RenderOptions:
    """Settings the renderers read; every field has a default so a bare ``RenderOptions()`` works.

    ``site_url`` is where the archive is published (``https://…/``); empty means "not published":
    the email then has no "Read on the web" link and the Atom feed uses relative links, which is
    what a mirror of the static archive needs anyway.
    """

    newsletter: str = "China In Eurasia"
    site_url: str = ""
    sample: bool = False


@cache
def environment() -> Environment:
    """The Jinja environment for ``render/templates`` (autoescaping on, undefined names fail)."""
    return Environment(
        loader=PackageLoader("eurasiawatch.render", "templates"),
        autoescape=select_autoescape(default=True, default_for_string=True),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )


@cache
def static_text(name: str) -> str:
    """A packaged file from ``render/static``."""
    return (resources.files("eurasiawatch.render") / "static" / name).read_text(encoding="utf-8")


def _slug(text: str) -> str:
    # accents folded first ("Orbán" → "orban"), so Latin-script names stay readable in the URL
    folded = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    slug = re.sub(r"[^a-z0-9]+", "-", folded.lower()).strip("-")
    return slug[:60].strip("-") or "edition"


def web_path(edition: Edition) -> str:
    """Dated path of the edition's web page, e.g. ``editions/2024/07/10/<slug>/index.html``."""
    d = edition.send_date
    return f"editions/{d:%Y/%m/%d}/{_slug(edition.slug or edition.headline)}/index.html"


def edition_date(edition: Edition) -> str:
    """The send date as readers see it, e.g. ``10 July 2024``."""
    d = edition.send_date
    return f"{d.day} {d:%B %Y}"


def _chart_slug(chart: Chart) -> str:
    return _slug(chart.chart_id) if chart.chart_id else "chart"


def content_id(chart: Chart) -> str:
    """Content-ID of a chart's PNG inside the email (without angle brackets)."""
    return f"{_chart_slug(chart)}@eurasiawatch"


def chart_file(chart: Chart) -> str:
    """File name of a chart's SVG next to the edition's web page."""
    return f"chart-{_chart_slug(chart)}.svg"


def context_base(edition: Edition, options: RenderOptions) -> dict[str, Any]:
    """Template values every channel uses."""
    return {
        "lang": edition.language or "en",
        "newsletter": options.newsletter,
        "number": edition.number,
        "date_text": edition_date(edition),
        "headline": " ".join(edition.headline.split()),
        "dek": " ".join(edition.dek.split()),
        "sample": options.sample,
    }
