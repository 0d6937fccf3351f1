"""What the archive keeps of one rendered edition: its page, its files and what the index shows."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date
from urllib.parse import quote

from ..records import Edition, RenderedEdition

__all__ = ["ArchiveEntry", "entry_for"]


@dataclass(frozen=True, slots=True, kw_only=True)
class ArchiveEntry:
    """One edition in the archive; ``files`` are (path inside the archive, bytes), the page included."""

    edition_id: str
    send_date: date
    headline: str
    dek: str = ""
    language: str = "en"
    number: int | None = None
    web_path: str
    content_html: str = ""
    files: tuple[tuple[str, bytes], ...] = ()

    @property
    def atom_id(self) -> str:
        """A ``tag:`` URI that stays the same wherever the archive is mirrored."""
        return f"tag:eurasiawatch,{self.send_date.isoformat()}:{quote(self.edition_id, safe='')}"

    def metadata(self) -> str:
        """``edition.json`` written beside the page, read back by ``archive export``."""
        return json.dumps(
            {
                "edition_id": self.edition_id,
                "send_date": self.send_date.isoformat(),
                "headline": self.headline,
                "dek": self.dek,
                "language": self.language,
                "number": self.number,
                "web_path": self.web_path,
                "content_html": self.content_html,
            },
            ensure_ascii=False,
            indent=2,
        )

    @classmethod
    def from_metadata(cls, text: str, files: tuple[tuple[str, bytes], ...]) -> ArchiveEntry:
        """Read ``edition.json`` back (``files`` are the edition folder's files)."""
        raw = json.loads(text)
        return cls(
            edition_id=str(raw["edition_id"]),
            send_date=date.fromisoformat(raw["send_date"]),
            headline=str(raw["headline"]),
            dek=str(raw.get("dek") or ""),
            language=str(raw.get("language") or "en"),
            number=raw.get("number"),
            web_path=str(raw["web_path"]),
            content_html=str(raw.get("content_html") or ""),
            files=files,
        )


def entry_for(
    edition: Edition, rendered: RenderedEdition, assets: tuple[tuple[str, bytes], ...], content_html: str
) -> ArchiveEntry:
    """The archive entry of a rendered edition."""
    return ArchiveEntry(
        edition_id=edition.edition_id,
        send_date=edition.send_date,
        headline=" ".join(edition.headline.split()),
        dek=" ".join(edition.dek.split()),
        language=edition.language or "en",
        number=edition.number,
        web_path=rendered.web_path,
        content_html=content_html,
        files=((rendered.web_path, rendered.web_html.encode("utf-8")), *assets),
    )
