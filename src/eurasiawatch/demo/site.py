"""Render the sample corpus as the invented outlets' web sites: article pages, home pages, feeds.

The result is a plain mapping of URL path → ``Resource`` that ``server.serve_site`` serves from
loopback. Most outlets publish RSS 2.0; a few publish Atom, so both feed paths are exercised.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime
from email.utils import format_datetime
from xml.sax.saxutils import escape

from jinja2 import Environment, FileSystemLoader, select_autoescape

from .corpus import Corpus, Outlet, SampleArticle, corpus_dir

__all__ = ["Resource", "build_site", "feed_paths"]

_ATOM_OUTLETS = frozenset({"eurasia-desk", "caspian-ledger", "tashkent-review"})
_RU_MONTHS = (
    "января",
    "февраля",
    "марта",
    "апреля",
    "мая",
    "июня",
    "июля",
    "августа",
    "сентября",
    "октября",
    "ноября",
    "декабря",
)
_SERVICE_LABELS = {"en": "English", "ru": "Русская служба", "kk": "Қазақ қызметі", "uz": "O'zbek xizmati"}


@dataclass(frozen=True, slots=True)
class Resource:
    """One served document."""

    content_type: str
    body: bytes
    last_modified: datetime

    @property
    def etag(self) -> str:
        """A strong validator derived from the body."""
        return '"' + hashlib.sha256(self.body).hexdigest()[:20] + '"'


@dataclass(frozen=True, slots=True)
class _View:
    """What a template sees of an article."""

    id: str
    language: str
    title: str
    dek: str
    authors: tuple[str, ...]
    published: datetime
    paragraphs: tuple[str, ...]
    url: str
    abs_url: str
    published_ru: str


def article_path(article: SampleArticle) -> str:
    """URL path of an article page."""
    p = article.published
    return f"/{article.outlet}/{article.language}/{p:%Y/%m/%d}/{article.id.lower()}.html"


def feed_paths(corpus: Corpus) -> list[tuple[Outlet, str, str]]:
    """(outlet, language, feed path) for every feed the site publishes."""
    out = []
    for outlet in corpus.outlets.values():
        for lang in outlet.languages:
            name = "atom.xml" if outlet.id in _ATOM_OUTLETS else "rss.xml"
            out.append((outlet, lang, f"/{outlet.id}/{lang}/{name}"))
    return out


def _view(a: SampleArticle, base_url: str) -> _View:
    path = article_path(a)
    p = a.published
    return _View(
        id=a.id,
        language=a.language,
        title=a.title,
        dek=a.dek,
        authors=a.authors,
        published=p,
        paragraphs=a.paragraphs,
        url=path,
        abs_url=base_url + path,
        published_ru=f"{p.day} {_RU_MONTHS[p.month - 1]} {p.year}, {p:%H:%M}",
    )


def build_site(corpus: Corpus, base_url: str, *, as_of: datetime | None = None) -> dict[str, Resource]:
    """Every page and feed of the sample outlets.

    Args:
        corpus: the loaded corpus.
        base_url: scheme, host and port the site is served at (no trailing slash).
        as_of: leave out articles published after this instant (replaying a day).
    """
    env = Environment(
        loader=FileSystemLoader(str(corpus_dir() / "templates")),
        autoescape=select_autoescape(["html", "j2", "xml"]),
        keep_trailing_newline=True,
    )
    articles = [a for a in corpus.articles if as_of is None or a.published <= as_of]
    site: dict[str, Resource] = {
        "/robots.txt": Resource(
            "text/plain", b"User-agent: *\nAllow: /\n", datetime(2024, 1, 1).astimezone()
        ),
    }
    for outlet in corpus.outlets.values():
        template = env.get_template(f"{outlet.template}.html.j2")
        own = [a for a in articles if a.outlet == outlet.id]
        for lang in outlet.languages:
            in_lang = sorted((a for a in own if a.language == lang), key=lambda a: a.published, reverse=True)
            views = [_view(a, base_url) for a in in_lang]
            for i, (a, view) in enumerate(zip(in_lang, views, strict=True)):
                related = [v for v in views[max(0, i - 2) : i + 4] if v.id != view.id][:4]
                html = template.render(
                    a=view,
                    outlet=outlet,
                    related=related,
                    service=_SERVICE_LABELS.get(lang, lang),
                    services=[(code, _SERVICE_LABELS.get(code, code)) for code in outlet.languages],
                )
                site[view.url] = Resource("text/html; charset=utf-8", html.encode("utf-8"), a.published)
            feed_path = next(p for o, lg, p in feed_paths(corpus) if o.id == outlet.id and lg == lang)
            updated = in_lang[0].published if in_lang else datetime(2024, 1, 1).astimezone()
            if feed_path.endswith("atom.xml"):
                body, ctype = (
                    _atom(outlet, lang, views, base_url + feed_path, updated),
                    "application/atom+xml",
                )
            else:
                body, ctype = _rss(outlet, lang, views, base_url, updated), "application/rss+xml"
            site[feed_path] = Resource(ctype + "; charset=utf-8", body.encode("utf-8"), updated)
        site[f"/{outlet.id}/"] = Resource(
            "text/html; charset=utf-8",
            _home(outlet, [_view(a, base_url) for a in own]).encode("utf-8"),
            max((a.published for a in own), default=datetime(2024, 1, 1).astimezone()),
        )
    return site


def _rss(outlet: Outlet, lang: str, views: list[_View], base_url: str, updated: datetime) -> str:
    items = "".join(
        f"<item><title>{escape(v.title)}</title><link>{escape(v.abs_url)}</link>"
        f'<guid isPermaLink="true">{escape(v.abs_url)}</guid><description>{escape(v.dek)}</description>'
        f"<pubDate>{format_datetime(v.published)}</pubDate>"
        + "".join(f"<dc:creator>{escape(au)}</dc:creator>" for au in v.authors)
        + "</item>\n"
        for v in views
    )
    return (
        '<?xml version="1.0" encoding="utf-8"?>\n'
        '<rss version="2.0" xmlns:dc="http://purl.org/dc/elements/1.1/"><channel>'
        f"<title>{escape(outlet.name)} ({lang})</title><link>{escape(base_url)}/{outlet.id}/</link>"
        f"<description>Sample content: an invented outlet of the eurasiawatch demo.</description>"
        f"<language>{lang}</language><lastBuildDate>{format_datetime(updated)}</lastBuildDate>\n"
        f"{items}</channel></rss>\n"
    )


def _atom(outlet: Outlet, lang: str, views: list[_View], self_url: str, updated: datetime) -> str:
    entries = "".join(
        f'<entry><title>{escape(v.title)}</title><link rel="alternate" href="{escape(v.abs_url)}"/>'
        f"<id>{escape(v.abs_url)}</id><published>{v.published.isoformat()}</published>"
        f"<updated>{v.published.isoformat()}</updated><summary>{escape(v.dek)}</summary>"
        + "".join(f"<author><name>{escape(au)}</name></author>" for au in v.authors)
        + "</entry>\n"
        for v in views
    )
    return (
        '<?xml version="1.0" encoding="utf-8"?>\n'
        f'<feed xmlns="http://www.w3.org/2005/Atom" xml:lang="{lang}">'
        f"<title>{escape(outlet.name)} ({lang})</title><id>{escape(self_url)}</id>"
        f'<link rel="self" href="{escape(self_url)}"/><updated>{updated.isoformat()}</updated>'
        "<subtitle>Sample content: an invented outlet of the eurasiawatch demo.</subtitle>\n"
        f"{entries}</feed>\n"
    )


def _home(outlet: Outlet, views: list[_View]) -> str:
    links = "".join(f'<li><a href="{escape(v.url)}">{escape(v.title)}</a></li>' for v in views[:30])
    return (
        f'<!DOCTYPE html><html lang="{outlet.languages[0]}"><head><meta charset="utf-8">'
        f"<title>{escape(outlet.name)}</title></head><body><h1>{escape(outlet.name)}</h1><ul>{links}</ul>"
        "<p>Sample content written for the eurasiawatch project.</p></body></html>"
    )
