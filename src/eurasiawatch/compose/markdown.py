"""The edition as Markdown for ``edition edit``, and reading the editor's Markdown back.

Each block is a section that starts with an HTML comment naming it (``<!-- block: lead -->``), then
an optional ``## title`` line, then its text (``[n]`` markers, ``> quote`` paragraphs). Its sources
are listed in a comment for reference. Reading back checks that every block id is known, that every
marker points at one of the block's sources, and marks changed blocks ``edited`` (so a re-draft
leaves them alone); a block whose quotes were all rewritten loses its ``verbatim`` flag, and a
sentence left without a marker in a drafted section is flagged ``uncited``.
"""

from __future__ import annotations

import re
from dataclasses import replace

from ..errors import EurasiawatchError
from ..records import Edition
from .citations import block_sentences

__all__ = ["EditError", "apply_block_markdown", "apply_markdown", "block_markdown", "edition_to_markdown"]

_BLOCK = re.compile(r"^<!-- block: ([\w.-]+) -->\s*$", re.MULTILINE)
_COMMENT = re.compile(r"<!--.*?-->", re.DOTALL)
_MARKER = re.compile(r"\[(\d{1,3})\]")
CITED_SECTIONS = frozenset({"lead", "more", "supercontinent", "watch"})


class EditError(EurasiawatchError):
    """The editor's Markdown does not fit the edition."""


def edition_to_markdown(edition: Edition) -> str:
    """The edition as Markdown, one commented section per block."""
    lines = [
        f"<!-- edition: {edition.edition_id} · send {edition.send_date.isoformat()} · window "
        f"{edition.window_start.isoformat()}..{edition.window_end.isoformat()} · status {edition.status} -->",
        "<!-- Edit text and titles; keep the block comments and [n] markers. "
        "Sources are listed under each block. -->",
        "",
    ]
    for b in edition.blocks:
        lines.append(f"<!-- block: {b.block_id} -->")
        if b.title:
            lines.append(f"## {b.title}")
            lines.append("")
        lines.append(b.text)
        lines.append("")
        notes = [f"section {b.section}, kind {b.kind}"] + (
            [f"flags: {', '.join(b.flags)}"] if b.flags else []
        )
        for i, c in enumerate(b.citations, 1):
            notes.append(
                f"[{i}] {c.outlet or ''} ({c.language or '?'}): {c.title or ''} {c.url}".replace("--", "-")
            )
        lines.append("<!--\n" + "\n".join(notes) + "\n-->")
        lines.append("")
    return "\n".join(lines)


def _parse(text: str) -> dict[str, tuple[str | None, str]]:
    parts = _BLOCK.split(text)
    out: dict[str, tuple[str | None, str]] = {}
    for i in range(1, len(parts), 2):
        block_id, body = parts[i], _COMMENT.sub("", parts[i + 1]).strip()
        if block_id in out:
            raise EditError(f"block {block_id!r} appears twice")
        title = None
        if body.startswith("## "):
            first, _, body = body.partition("\n")
            title = first[3:].strip() or None
        out[block_id] = (title, re.sub(r"\n{3,}", "\n\n", body.strip()))
    return out


def apply_markdown(edition: Edition, text: str) -> Edition:
    """The edition with the editor's Markdown applied.

    Raises:
        EditError: an unknown or missing block, or a marker with no source behind it.
    """
    parsed = _parse(text)
    known = {b.block_id for b in edition.blocks}
    unknown = sorted(set(parsed) - known)
    if unknown:
        raise EditError(
            f"unknown block {unknown[0]!r}", hint="keep the <!-- block: … --> comments as they were"
        )
    missing = sorted(known - set(parsed))
    if missing:
        raise EditError(f"block {missing[0]!r} is missing", hint="delete a block's text, not its comment")
    blocks = []
    for b in edition.blocks:
        title, body = parsed[b.block_id]
        for n in _MARKER.findall(body):
            if not 0 < int(n) <= len(b.citations):
                raise EditError(
                    f"block {b.block_id!r}: marker [{n}] has no source (it has {len(b.citations)})",
                    hint="markers point at the sources listed under the block",
                )
        if title == b.title and body == b.text.strip():
            blocks.append(b)
            continue
        changed = replace(b, title=title, text=body, edited=True)
        flags = [f for f in b.flags if f not in ("verbatim", "uncited", "empty")]
        if any(p.lstrip().startswith(">") for p in body.split("\n\n")):
            flags.append("verbatim")
        if b.section in CITED_SECTIONS and any(not s.citations for s in block_sentences(changed)):
            flags.append("uncited")
        blocks.append(replace(changed, flags=tuple(flags)))
    by_id = {b.block_id: b for b in blocks}
    headline = by_id["headline"].text if "headline" in by_id else edition.headline
    dek = by_id["dek"].text if "dek" in by_id else edition.dek
    return replace(edition, blocks=tuple(blocks), headline=headline, dek=dek)


def block_markdown(edition: Edition, block_id: str) -> str:
    """One block as the editor sees it in ``edition edit``: an optional ``## title`` line, then its text.

    Raises:
        EditError: the edition has no such block.
    """
    block = next((b for b in edition.blocks if b.block_id == block_id), None)
    if block is None:
        raise EditError(f"no block {block_id!r} in edition {edition.edition_id}")
    return (f"## {block.title}\n\n" if block.title else "") + block.text


def apply_block_markdown(edition: Edition, block_id: str, text: str) -> Edition:
    """The edition with one block replaced by the editor's Markdown (as :func:`block_markdown` gives it).

    The whole edition goes through :func:`apply_markdown`, so one block is checked exactly as
    ``edition edit`` checks it: markers must point at the block's sources, a changed block is marked
    edited, quotes and uncited sentences are flagged. Line ends are normalised (forms send CRLF).

    Raises:
        EditError: no such block, a block comment inside the text, or a marker with no source.
    """
    body = text.replace("\r\n", "\n").replace("\r", "\n")
    if _BLOCK.search(body):
        raise EditError("a block comment inside the text", hint="edit one block's title and text only")
    block_markdown(edition, block_id)  # raises for an unknown block
    parts = _BLOCK.split(edition_to_markdown(edition))
    out = [parts[0]]
    for i in range(1, len(parts), 2):
        section = parts[i + 1]
        if parts[i] == block_id:
            # keep the sources comment that follows the text (the markers' reference), drop the old text
            notes = section[section.rfind("<!--") :] if "<!--" in section else ""
            section = "\n" + body.strip() + "\n\n" + notes
        out.append(f"<!-- block: {parts[i]} -->\n")
        out.append(section)
    return apply_markdown(edition, "".join(out))
