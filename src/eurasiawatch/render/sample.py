"""A sample edition for tests, the demo and the docs, built from the bundled sample corpus.

SAMPLE CONTENT: the outlets and reporters are the invented ones of ``data/demo``; the sentences
below were written for the project and cite real articles of that corpus, so every link, byline,
language and quote comes from it. The chart counts the corpus's own articles per week.
"""

from __future__ import annotations

import io
import re
from collections import Counter
from collections.abc import Callable
from datetime import date, timedelta
from typing import TYPE_CHECKING, Any

from ..records import Block, Chart, Citation, Edition

if TYPE_CHECKING:
    from ..demo.corpus import Corpus

__all__ = ["SAMPLE_BASE_URL", "sample_chart", "sample_edition"]

# .invalid is reserved (RFC 2606): these links can never reach a real site.
SAMPLE_BASE_URL = "https://sample-outlets.invalid"


def _citations(corpus: Corpus, ids: tuple[str, ...]) -> tuple[Citation, ...]:
    from ..demo.site import article_path

    by_id = corpus.by_id()
    out = []
    for article_id in ids:
        a = by_id[article_id]
        out.append(
            Citation(
                article_id=a.id,
                url=SAMPLE_BASE_URL + article_path(a),
                outlet=corpus.outlets[a.outlet].name,
                title=a.title,
                language=a.language,
                authors=a.authors,
                published=a.published,
            )
        )
    return tuple(out)


def _sentence(corpus: Corpus, article_id: str, paragraph: int, index: int) -> str:
    text = corpus.by_id()[article_id].paragraphs[paragraph]
    return re.split(r"(?<=[.!?])\s+", text)[index]


def sample_chart(corpus: Corpus | None = None) -> Chart:
    """Bar chart of the sample corpus's articles per week (PNG for email, SVG for the web)."""
    import matplotlib
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    from ..demo import load_corpus

    corpus = corpus or load_corpus()
    weeks = Counter(
        a.published.date() - timedelta(days=a.published.weekday())
        for a in corpus.articles
        if a.published.date() >= date(2024, 4, 15)
    )
    starts = sorted(weeks)
    values = [weeks[w] for w in starts]
    labels = [f"{w.day} {w:%b}" for w in starts]
    with matplotlib.rc_context({"font.size": 13, "svg.fonttype": "none", "svg.hashsalt": "eurasiawatch"}):
        fig = Figure(figsize=(6.4, 3.4), dpi=150, layout="constrained")
        FigureCanvasAgg(fig)
        fig.patch.set_facecolor("#ffffff")
        ax = fig.add_subplot()
        ax.bar(range(len(values)), values, color="#0072B2")
        ax.set_xticks(range(len(values)), labels, rotation=45, ha="right", fontsize=10)
        ax.set_ylabel("articles")
        ax.set_title(
            "Sample corpus: articles per week", loc="left", fontweight="bold", color="#222222", fontsize=14
        )
        for side in ("top", "right"):
            ax.spines[side].set_visible(False)
        ax.grid(axis="y", color="#DDDDDD", linewidth=0.8)
        ax.set_axisbelow(True)
        png, svg = io.BytesIO(), io.StringIO()
        fig.savefig(png, format="png", metadata={"Software": None})
        fig.savefig(svg, format="svg", metadata={"Date": None})
    busiest = max(range(len(values)), key=values.__getitem__)
    alt = (
        f"Bar chart of the sample corpus's articles per week, {labels[0]} to {labels[-1]} 2024 "
        f"({len(values)} weeks, {sum(values)} articles). The busiest week, starting {labels[busiest]}, "
        f"has {values[busiest]} articles; the last week has {values[-1]}. Sample data."
    )
    return Chart(
        chart_id="sample-corpus-weekly",
        alt=alt,
        png=png.getvalue(),
        svg=svg.getvalue(),
        source="Source: the eurasiawatch sample corpus (invented outlets), articles by week of publication.",
    )


def _blocks(corpus: Corpus) -> Callable[..., Block]:
    def block(
        block_id: str, section: str, kind: str, text: str, ids: tuple[str, ...] = (), **kw: Any
    ) -> Block:
        return Block(
            block_id=block_id,
            section=section,
            kind=kind,
            text=text.strip(),
            citations=_citations(corpus, ids),
            **kw,
        )

    return block


def sample_edition() -> Edition:
    """The sample edition of 10 July 2024 (SAMPLE CONTENT), with every section of the briefing.

    It has a chart, a verbatim quote in Russian, citations in six languages, bylines for Across The
    Supercontinent and the notice for readers in Russia.
    """
    from ..demo import load_corpus

    corpus = load_corpus()
    _block = _blocks(corpus)
    quote = _sentence(corpus, "C03-ru-1", 2, 0)
    blocks = (
        _block(
            "top-greeting",
            "top",
            "greeting",
            "Hello from Prague, and welcome to this sample edition of China In Eurasia.",
        ),
        _block(
            "top-intro",
            "top",
            "intro",
            "This fortnight Xi Jinping spent a week in Central Asia, Viktor Orbán carried his "
            "“peace mission” to Beijing, and Chinese soldiers trained a short drive from the Polish "
            "border [1][2]. I am also following Serbia's new trade deal with China and the NATO summit "
            "opening in Washington [3].",
            ("C19-en-1", "B16-en-2", "B15-en-3"),
        ),
        _block(
            "lead",
            "lead",
            "lead",
            "Belarus became the tenth full member of the Shanghai Cooperation Organisation at the "
            "Astana summit on 4 July, and China took over the chair for the coming year [1][2]. The day "
            "before, Xi Jinping and Kassym-Jomart Tokayev agreed to take the China-Kazakhstan "
            "partnership to a higher level [3] and launched the Trans-Caspian Express, a road-sea route "
            "that sends Chinese trucks across the Caspian from the port of Kuryk [4].",
            ("C01-en-1", "C01-kk-1", "C03-en-1", "D04-en-2"),
            title="Xi's week in Central Asia: a bigger club, a new route, the same open questions",
        ),
        _block(
            "lead-perspective",
            "lead",
            "finding_perspective",
            "Coverage split along familiar lines. Chinese state media stressed signatures and "
            "partnership [1]; a Moscow commentator read the visit as Beijing settling into a region "
            "Russia still calls its own [2]:\n\n"
            f"> {quote} [2]",
            ("C03-en-1", "C03-ru-1"),
            flags=("verbatim",),
        ),
        _block(
            "lead-behind",
            "lead",
            "behind_the_scenes",
            "India's prime minister stayed away and sent his foreign minister instead [1]. Kazakh "
            "reporting noted the Astana Declaration and the chairmanship passing to China [2].",
            ("C01-en-1", "C01-kk-1"),
        ),
        _block(
            "lead-why",
            "lead",
            "why_it_matters",
            "Several big items were missing: no final deal on Line D of the gas pipeline, and no "
            "decision on who builds Kazakhstan's first nuclear power plant [1].",
            ("C19-en-1",),
        ),
        _block(
            "more-1",
            "more",
            "story",
            "Viktor Orbán landed in Beijing unannounced on 8 July and met Xi Jinping, the third stop of "
            "a week that took him to Kyiv and Moscow [1][2]. Chinese state media reported Xi's call for "
            "conditions for direct dialogue between Russia and Ukraine [3].",
            ("A08-en-2", "D10-en-1", "A08-en-1"),
            title="Orbán's “peace mission” ends in Beijing",
        ),
        _block(
            "more-1-means",
            "more",
            "what_it_means",
            "EU officials say the Hungarian presidency had no mandate for the trips [1], and a Hungarian "
            "outlet called it “peace mission 3.0” in the prime minister's own words [2].",
            ("A08-en-2", "A08-hu-1"),
        ),
        _block(
            "more-2",
            "more",
            "story",
            "Serbia's free trade agreement with China entered into force on 1 July [1][2]. It is modest "
            "in economic terms: Serbia mostly sells copper to China and buys machinery, electronics and "
            "vehicles [1].",
            ("A05-en-1", "A05-sr-1"),
            title="Serbia's trade deal with China is live",
        ),
        _block(
            "more-2-details",
            "more",
            "the_details",
            "EU candidates may sign such deals but must give them up on accession; Belgrade has "
            "promised to do so [1]. Chinese state media called it a new chapter of practical "
            "cooperation [2].",
            ("A05-en-1", "A05-ru-1"),
        ),
        _block(
            "more-3",
            "more",
            "story",
            "Chinese and Belarusian troops began the Eagle Assault exercise near Brest on 8 July; it "
            "runs until 19 July [1][2].",
            ("B16-en-2", "B16-en-1"),
            title="Chinese troops train near the Polish border",
        ),
        _block(
            "more-3-know",
            "more",
            "what_you_need_to_know",
            "The drills began the day before NATO leaders met in Washington, and Kyiv reads them as a "
            "political signal [1][2].",
            ("B16-en-2", "B16-uk-1"),
        ),
        _block(
            "sc-1",
            "supercontinent",
            "supercontinent_item",
            "Azerbaijan and China raised their ties to a strategic partnership in Astana [1][2].",
            ("D05-en-1", "D05-ru-1"),
            title="Azerbaijan",
        ),
        _block(
            "sc-2",
            "supercontinent",
            "supercontinent_item",
            "Xi Jinping held talks with Emomali Rahmon in Dushanbe on 5 July, his first visit to "
            "Tajikistan since 2019 [1].",
            ("C04-uz-1",),
            title="Tajikistan",
        ),
        _block(
            "sc-3",
            "supercontinent",
            "supercontinent_item",
            "The ruling Mongolian People's Party kept a narrower majority in an enlarged parliament of "
            "126 seats [1][2].",
            ("C08-en-1", "C08-kk-1"),
            title="Mongolia",
        ),
        _block(
            "sc-4",
            "supercontinent",
            "supercontinent_item",
            "Chinese brands took more than half of Russia's new car sales in the first half of the year "
            "[1][2].",
            ("B14-en-1", "B14-ru-1"),
            title="Russia",
        ),
        _block(
            "watch",
            "watch",
            "one_thing_to_watch",
            "NATO's declaration, due on 10 July, is expected to call China a decisive enabler of "
            "Russia's war [1]; watch Beijing's reply and whether Budapest signs on [2].",
            ("B15-en-3", "B15-ru-1"),
            title="What NATO says about China",
        ),
        Block(
            block_id="data",
            section="data",
            kind="data_point",
            title="How busy the fortnight was",
            text="The sample corpus grew fastest in the week of the SCO summit. Sample data only.",
            chart=sample_chart(corpus),
        ),
        _block("signoff", "footer", "signoff", "Until next time,\n\nThe China In Eurasia desk (sample)"),
        _block(
            "bio",
            "footer",
            "bio",
            "This sample edition is signed by an invented correspondent who covers China's reach from "
            "Central Europe to Central Asia.",
        ),
        _block(
            "about",
            "footer",
            "about",
            "China In Eurasia is a biweekly briefing built with eurasiawatch from local reporting in "
            "the region's languages. This edition is sample content written for the project.",
            title="About this newsletter",
        ),
        _block(
            "subscribe",
            "footer",
            "subscribe",
            "Forwarded this? Subscribing is free; every edition is also in the archive.",
        ),
        _block(
            "notice",
            "footer",
            "notice",
            "Readers in Russia: if our site is blocked where you are, every edition is also published "
            "as a static archive that can be mirrored anywhere, and this email is complete on its own.",
        ),
    )
    return Edition(
        edition_id="sample-2024-07-10",
        send_date=date(2024, 7, 10),
        window_start=date(2024, 6, 26),
        window_end=date(2024, 7, 9),
        headline="Xi's Central Asian week, Orbán in Beijing, Chinese troops near Poland",
        dek="Sample edition: the SCO grows to ten members, Serbia's trade deal with China takes "
        "effect, and NATO meets with China on the agenda.",
        language="en",
        number=0,
        slug="sample-xi-central-asia-orban-beijing",
        blocks=blocks,
        status="draft",
    )
