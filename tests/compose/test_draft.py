"""Drafting the sample corpus's edition (as of 2024-07-09): structure, citations, edits, empty window."""

from __future__ import annotations

import re
from dataclasses import replace
from datetime import date

from eurasiawatch.compose import CheckSource, apply_markdown, check_block, draft_edition, edition_to_markdown
from eurasiawatch.compose.gather import draft_stored, gather_inputs
from eurasiawatch.render import render_edition
from eurasiawatch.store import editions as store
from eurasiawatch.store import queries
from eurasiawatch.store.annotations import load_annotation

from .conftest import CLOCK

START, END, SEND = date(2024, 6, 26), date(2024, 7, 9), date(2024, 7, 10)


def _draft(sample_db):
    db, settings = sample_db
    inputs = gather_inputs(db, settings, CLOCK, start=START, end=END)
    return draft_edition(
        inputs.materials,
        send_date=SEND,
        window_start=START,
        window_end=END,
        calendar=inputs.calendar,
        rising=inputs.rising,
        data_point=inputs.data_point,
    )


def test_draft_has_the_newsletter_structure(sample_db) -> None:
    edition = _draft(sample_db)
    kinds = [b.kind for b in edition.blocks]
    assert edition.headline and edition.dek
    for kind in ("greeting", "intro", "lead", "finding_perspective", "behind_the_scenes", "why_it_matters"):
        assert kinds.count(kind) == 1, kind
    assert kinds.count("story") == 3
    assert sum(k in ("what_it_means", "the_details", "what_you_need_to_know") for k in kinds) == 3
    assert 4 <= kinds.count("supercontinent_item") <= 8
    assert "one_thing_to_watch" in kinds and "data_point" in kinds
    for kind in ("signoff", "bio", "about", "subscribe", "notice"):
        assert kind in kinds
    sections = [b.section for b in edition.blocks]
    order = ["top", "lead", "more", "supercontinent", "watch", "data", "footer"]
    assert sections == sorted(sections, key=order.index)
    assert "Russia" in next(b.text for b in edition.blocks if b.kind == "notice")
    # bylines travel with the citations so the render credits reporters in Across The Supercontinent
    items = [b for b in edition.blocks if b.section == "supercontinent"]
    assert any(c.authors for b in items for c in b.citations)


def test_every_drafted_sentence_cites_checkable_articles(sample_db) -> None:
    db, _ = sample_db
    edition = _draft(sample_db)
    sources = {}
    with db.begin() as conn:
        for b in edition.blocks:
            for c in b.citations:
                a = queries.get_article(conn, c.article_id)
                assert a is not None
                sources[a.article_id] = CheckSource.of(a, load_annotation(conn, a.article_id))
    checked = 0
    for b in edition.blocks:
        if b.section in ("footer", "data") or b.kind in ("headline", "dek", "greeting"):
            continue
        assert check_block(b, sources.values()) == [], b.block_id
        checked += 1
        # a sentence taken word for word is an attributed quote, flagged for rewriting
        if any(p.startswith(">") for p in b.text.split("\n\n")):
            assert "verbatim" in b.flags
    assert checked >= 15


def test_story_without_english_article_states_facts_and_quotes_the_original(sample_db) -> None:
    db, settings = sample_db
    inputs = gather_inputs(db, settings, CLOCK, start=START, end=END)
    # the Dushanbe talks as if no outlet had written about them in English
    materials = []
    for m in inputs.materials:
        if any("Dushanbe" in (a.title or "") for a in m.articles):
            foreign = tuple(a for a in m.articles if a.language != "en")
            ids = {a.article_id for a in foreign}
            m = replace(
                m, articles=foreign, annotations=tuple(n for n in m.annotations if n.article_id in ids)
            )
        materials.append(m)
    edition = draft_edition(
        materials, send_date=SEND, window_start=START, window_end=END, rising=inputs.rising
    )
    block = next(b for b in edition.blocks if b.title == "Tajikistan")
    assert all(c.language != "en" for c in block.citations)
    paragraphs = block.text.split("\n\n")
    # the event in English, from two outlets, then a quote in the original language
    assert re.fullmatch(
        r"On 5 July 2024, Xi Jinping and Emomali Rahmon held talks (\[\d\]){2,3}\.", paragraphs[0]
    )
    assert paragraphs[1].startswith("> ") and re.search("[а-яʻ]", paragraphs[1])
    # with no event the drafter can state, it says whose words follow
    bare = [replace(m, annotations=tuple(replace(n, events=()) for n in m.annotations)) for m in materials]
    edition = draft_edition(bare, send_date=SEND, window_start=START, window_end=END, rising=inputs.rising)
    block = next(b for b in edition.blocks if b.title == "Tajikistan")
    assert re.fullmatch(r"In the original language \[1\]:", block.text.split("\n\n")[0])


def test_editor_edits_survive_a_redraft_and_history_is_kept(sample_db) -> None:
    db, settings = sample_db
    edition, _ = draft_stored(db, settings, CLOCK, start=START, end=END, send_date=SEND)
    text = edition_to_markdown(edition)
    lead = next(b for b in edition.blocks if b.block_id == "lead")
    rewritten = "Viktor Orbán met Xi Jinping in Beijing [1]."
    edited = apply_markdown(edition, text.replace(lead.text, rewritten, 1))
    with db.begin() as conn:
        assert store.save_edition(conn, edited, now=CLOCK.now(), author="editor") == 1
    again, _ = draft_stored(db, settings, CLOCK, start=START, end=END, send_date=SEND)
    kept = next(b for b in again.blocks if b.block_id == "lead")
    assert kept.text == rewritten and kept.edited and "verbatim" not in kept.flags
    assert [b.block_id for b in again.blocks] == [b.block_id for b in edition.blocks]
    with db.begin() as conn:
        history = store.block_history(conn, edition.edition_id, "lead")
        stored = store.load_edition(conn, edition.edition_id)
    assert [h["version"] for h in history] == [1, 2] and history[1]["author"] == "editor"
    assert stored is not None and stored.blocks == again.blocks


def test_empty_window_gives_a_skeleton_that_renders(sample_db) -> None:
    edition = draft_edition(
        (), send_date=date(2030, 1, 2), window_start=date(2029, 12, 1), window_end=date(2029, 12, 14)
    )
    assert "No stories" in edition.headline
    assert {b.section for b in edition.blocks} >= {"top", "lead", "more", "supercontinent", "watch", "footer"}
    assert any("empty" in b.flags for b in edition.blocks)
    rendered = render_edition(edition)
    assert "No stories were found" in rendered.text


def _parse(html: str) -> tuple[set[str], list[tuple[str, str | None]]]:
    from html.parser import HTMLParser

    tags: set[str] = set()
    attrs: list[tuple[str, str | None]] = []

    class _P(HTMLParser):
        def handle_starttag(self, tag: str, a: list[tuple[str, str | None]]) -> None:
            tags.add(tag)
            attrs.extend(a)

    _P().feed(html)
    return tags, attrs


def test_draft_renders_under_gmail_clip_and_hostile_html_never_reaches_it(sample_db) -> None:
    edition = _draft(sample_db)
    hostile = '<script>alert(1)</script><img src=x onerror="alert(2)">'
    blocks = []
    for b in edition.blocks:
        cites = tuple(
            replace(c, title=hostile + (c.title or ""), outlet=hostile, url="javascript:alert(3)")
            for c in b.citations
        )
        blocks.append(replace(b, text=b.text + " " + hostile if b.text else b.text, citations=cites))
    rendered = render_edition(replace(edition, blocks=tuple(blocks), headline=hostile))
    for channel in (rendered.email_html, rendered.web_html):
        tags, attrs = _parse(channel)
        assert "script" not in tags
        assert not [a for a in attrs if a[0].startswith("on") or "javascript:" in (a[1] or "").lower()]
    clean = render_edition(edition)
    assert len(clean.email_html.encode()) < 102_000
    for part in (
        "Finding Perspective",
        "Three More Stories",
        "Across The Supercontinent",
        "One Thing To Watch",
    ):
        assert part.upper() in clean.text.upper()
