"""HTML for paragraphs, citations, quotes and credits, shared by the email and the web page.

Everything that came from a feed or a page (titles, outlets, author names, quotes, URLs) is escaped
here, then the fragment is passed through nh3 with a short allow-list as a second line of defence:
a hostile title can neither open a tag nor smuggle in an event handler or a ``javascript:`` link.
"""

from __future__ import annotations

from markupsafe import Markup, escape

from ..records import Citation
from .layout import Item, Para, citation_label, language_name, safe_url

__all__ = ["clean", "item_html", "para_html"]

_TAGS = {"p", "a", "blockquote", "span", "strong", "em", "cite", "br"}
_ATTRIBUTES = {
    "a": {"href", "hreflang", "title", "class", "lang"},
    "blockquote": {"lang", "class", "cite"},
    "p": {"class", "lang"},
    "span": {"class", "lang"},
    "cite": {"class"},
}


def clean(fragment: str) -> Markup:
    """Sanitise an HTML fragment with nh3 (only our tags, attributes and http(s) links survive)."""
    import nh3

    return Markup(
        nh3.clean(
            fragment,
            tags=_TAGS,
            attributes=_ATTRIBUTES,
            url_schemes={"http", "https"},
            link_rel="noopener",
            strip_comments=True,
        )
    )


def _cite_link(c: Citation, language: str) -> Markup:
    label = escape(citation_label(c))
    url = safe_url(c.url)
    other = c.language and c.language != language
    lang_note = Markup("")
    if other:
        lang_note = Markup(", in {}").format(language_name(c.language, language))
    if not url:
        return Markup('<span class="cite">{}</span>{}').format(label, lang_note)
    title = escape(" ".join((c.title or "").split()))
    hreflang = Markup(' hreflang="{}"').format(c.language) if c.language else Markup("")
    return Markup('<a class="cite" href="{}"{} title="{}">{}</a>{}').format(
        url, hreflang, title, label, lang_note
    )


def _cite_group(cites: tuple[Citation, ...], language: str) -> Markup:
    if not cites:
        return Markup("")
    links = Markup("; ").join(_cite_link(c, language) for c in cites)
    return Markup(' <span class="cites">({})</span>').format(links)


def para_html(para: Para, language: str) -> Markup:
    """One paragraph, or an attributed quote (outlet, language) when it is a verbatim quote."""
    if para.quote:
        cites = para.citations
        quote_lang = next((c.language for c in cites if c.language), None)
        lang_attr = Markup(' lang="{}"').format(quote_lang) if quote_lang else Markup("")
        attribution = Markup("; ").join(_cite_link(c, language) for c in cites) or Markup("source not given")
        return Markup(
            '<blockquote class="quote"><p class="quote-text"{}>“{}”</p>'
            '<p class="quote-attr">— {}, quoted word for word</p></blockquote>'
        ).format(lang_attr, para.text, attribution)
    body = Markup("").join(
        Markup("{}{}").format(text, _cite_group(cites, language)) for text, cites in para.parts
    )
    return Markup("<p>{}</p>").format(body)


def item_html(item: Item, language: str) -> Markup:
    """The paragraphs and reporter credits of a block, sanitised (headings and charts are the template's)."""
    parts = [para_html(p, language) for p in item.paragraphs]
    if item.credits:
        parts.append(
            Markup('<p class="credits">Reporting: {}</p>').format(
                Markup(", ").join(escape(c) for c in item.credits)
            )
        )
    return clean(str(Markup("").join(parts)))
