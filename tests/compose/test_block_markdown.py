"""``compose.markdown.apply_block_markdown``: one block edited and checked as ``edition edit`` checks it."""

from __future__ import annotations

import pytest

from eurasiawatch.compose.markdown import EditError, apply_block_markdown, block_markdown
from eurasiawatch.render.sample import sample_edition


def _cited() -> tuple[str, int]:
    edition = sample_edition()
    block = next(b for b in edition.blocks if b.section == "lead" and b.citations and b.title)
    return block.block_id, len(block.citations)


def test_the_same_text_back_changes_nothing_even_with_crlf() -> None:
    edition = sample_edition()
    block_id, _ = _cited()
    text = block_markdown(edition, block_id).replace("\n", "\r\n")
    assert apply_block_markdown(edition, block_id, text) == edition


def test_a_changed_block_is_edited_and_keeps_its_title_and_sources() -> None:
    edition = sample_edition()
    block_id, n = _cited()
    text = block_markdown(edition, block_id) + f"\n\nOne more thing [{n}]."
    changed = apply_block_markdown(edition, block_id, text)
    block = next(b for b in changed.blocks if b.block_id == block_id)
    before = next(b for b in edition.blocks if b.block_id == block_id)
    assert block.edited and block.text.endswith(f"One more thing [{n}].")
    assert block.title == before.title and block.citations == before.citations
    assert [b for b in changed.blocks if b.block_id != block_id] == [
        b for b in edition.blocks if b.block_id != block_id
    ]


def test_a_new_title_and_a_dropped_title() -> None:
    edition = sample_edition()
    block_id, _ = _cited()
    body = next(b for b in edition.blocks if b.block_id == block_id).text
    renamed = apply_block_markdown(edition, block_id, "## A sharper title\n\n" + body)
    assert next(b for b in renamed.blocks if b.block_id == block_id).title == "A sharper title"
    untitled = apply_block_markdown(edition, block_id, body)
    assert next(b for b in untitled.blocks if b.block_id == block_id).title is None


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("Made up [99].", "marker [99] has no source"),
        ("Sneaky\n<!-- block: top-intro -->\nother", "a block comment inside the text"),
    ],
)
def test_mistakes_are_refused(text: str, message: str) -> None:
    block_id, _ = _cited()
    with pytest.raises(EditError, match=message.replace("[", r"\[").replace("]", r"\]")):
        apply_block_markdown(sample_edition(), block_id, text)


def test_an_unknown_block_is_refused() -> None:
    with pytest.raises(EditError, match="no block"):
        apply_block_markdown(sample_edition(), "nope", "text")
