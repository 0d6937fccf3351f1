"""Generated news pages in WARC files (warcio writes them), for the backfill tests and bench/backfill.py.

The pages are invented for this project: sentences assembled from small lists, in English and
Russian, mentioning the region's countries, China and PLOVER-style events, so that extraction,
language detection and annotation all have real work to do. Deterministic for a given seed.
"""

from __future__ import annotations

import io
import json
import random
from datetime import UTC, datetime, timedelta
from pathlib import Path

from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

_EN_SUBJECTS = (
    "Kazakhstan", "Uzbekistan", "Serbia", "Hungary", "Kyrgyzstan", "Georgia", "Tajikistan", "Mongolia",
)  # fmt: skip
_EN_VERBS = (
    "signed a railway agreement with China",
    "met a Chinese delegation to discuss energy investment",
    "criticised Beijing over a delayed loan",
    "agreed with China to build a solar plant",
    "hosted Chinese officials for talks on trade",
    "announced new customs rules for goods from China",
)
_EN_FILLER = (
    "Officials said the project would take three years to complete.",
    "Local economists warned that the debt could become a burden for the budget.",
    "The ministry did not publish the full text of the document.",
    "Opposition deputies asked for the terms to be made public before the vote.",
    "Residents of the region have long complained about poor roads and rising prices.",
    "The company has been working in the country since 2015, according to its website.",
    "Independent journalists were not allowed to attend the ceremony.",
    "Trade between the two countries grew by a fifth last year, customs data show.",
)
_RU_SUBJECTS = ("Казахстан", "Узбекистан", "Кыргызстан", "Таджикистан", "Монголия")
_RU_VERBS = (
    "подписал с Китаем соглашение о строительстве железной дороги",
    "обсудил с китайской делегацией инвестиции в энергетику",
    "договорился с Пекином о поставках газа",
)
_RU_FILLER = (
    "По словам чиновников, строительство займёт около трёх лет.",
    "Местные экономисты предупреждают, что долг может стать бременем для бюджета.",
    "Министерство не опубликовало полный текст документа.",
    "Депутаты от оппозиции потребовали обнародовать условия сделки до голосования.",
    "Жители региона давно жалуются на плохие дороги и рост цен.",
)

BASE_DAY = datetime(2024, 7, 1, 8, 0, tzinfo=UTC)


def news_page(number: int, seed: int = 7) -> tuple[str, str, datetime]:
    """(url, html, published) of generated news page ``number``."""
    rnd = random.Random(seed * 1_000_003 + number)
    russian = number % 4 == 3
    subjects, verbs, filler = (
        (_RU_SUBJECTS, _RU_VERBS, _RU_FILLER) if russian else (_EN_SUBJECTS, _EN_VERBS, _EN_FILLER)
    )
    subject = rnd.choice(subjects)
    title = f"{subject} {rnd.choice(verbs)}"
    published = BASE_DAY + timedelta(days=number % 5, minutes=number)
    paragraphs = [f"{title} on {published:%A}." if not russian else f"{title}."]
    for _ in range(rnd.randint(6, 10)):
        paragraphs.append(" ".join(rnd.choice(filler) for _ in range(rnd.randint(2, 4))))
    paragraphs.append(f"{rnd.choice(subjects)} {rnd.choice(verbs)}.")
    body = "".join(f"<p>{p} (#{number})</p>" for p in paragraphs)
    host = f"news{number % 7}.example.{'ru' if russian else 'kz'}"
    url = f"https://{host}/{published:%Y/%m/%d}/story-{number}"
    html = (
        f"<!doctype html><html lang='{'ru' if russian else 'en'}'><head><title>{title}</title>"
        f"<meta property='article:published_time' content='{published.isoformat()}'></head>"
        f"<body><nav><a href='/'>Home</a> <a href='/world'>World</a></nav><article><h1>{title}</h1>"
        f"{body}</article><footer>© Example News</footer></body></html>"
    )
    return url, html, published


def write_news_warc(path: Path, numbers: range | list[int], *, seed: int = 7, gzip: bool = True) -> Path:
    """Write the generated pages ``numbers`` as WARC response records (plus a request before each)."""
    with path.open("wb") as out:
        writer = WARCWriter(out, gzip=gzip)
        for number in numbers:
            url, html, published = news_page(number, seed)
            body = html.encode("utf-8")
            date = (published + timedelta(hours=2)).strftime("%Y-%m-%dT%H:%M:%SZ")
            request = writer.create_warc_record(
                url, "request", payload=io.BytesIO(b""), length=0,
                http_headers=StatusAndHeaders("GET / HTTP/1.1", [("Host", "e")], is_http_request=True),
                warc_headers_dict={"WARC-Date": date},
            )  # fmt: skip
            writer.write_record(request)
            http = StatusAndHeaders(
                "200 OK", [("Content-Type", "text/html; charset=utf-8")], protocol="HTTP/1.1"
            )
            record = writer.create_warc_record(
                url, "response", payload=io.BytesIO(body), length=len(body), http_headers=http,
                warc_headers_dict={"WARC-Date": date},
            )  # fmt: skip
            writer.write_record(record)
    return path


def write_news_warcs(folder: Path, pages: int, files: int, *, seed: int = 7) -> list[Path]:
    """Spread ``pages`` generated pages over ``files`` WARC.gz files in ``folder``."""
    folder.mkdir(parents=True, exist_ok=True)
    per = -(-pages // files)
    return [
        write_news_warc(
            folder / f"news-{f:04d}.warc.gz", range(f * per, min(pages, (f + 1) * per)), seed=seed
        )
        for f in range(files)
        if f * per < pages
    ]


def write_news_jsonl(path: Path, numbers: range | list[int], *, seed: int = 7) -> Path:
    """The same pages as a JSON Lines dump: ``{"url", "title", "html", "published"}`` per line."""
    with path.open("w", encoding="utf-8") as out:
        for number in numbers:
            url, html, published = news_page(number, seed)
            out.write(json.dumps({"url": url, "html": html, "published": published.isoformat()}) + "\n")
    return path
