"""Optional drafting through an OpenAI-compatible chat endpoint (``POST /v1/chat/completions``).

Off by default. The model rewrites one block at a time from its extractive draft and numbered
sources; the block keeps its citations, so every ``[n]`` the model writes still points at the same
article. What comes back is checked, never trusted: markers that point nowhere are dropped, a
sentence without a marker is flagged ``uncited`` for the editor, a sentence whose numbers, dates or
names its sources do not contain is flagged ``unchecked``, and a sentence copied word for word from
a source is flagged ``verbatim``. The API key comes from the environment only.
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from dataclasses import dataclass, replace

import httpx

from ..errors import EurasiawatchError
from ..records import Block, Edition
from .citations import CheckSource, check_sentence, split_sentences

__all__ = ["DEFAULT_KEY_ENV", "LlmEndpoint", "LlmError", "redraft_with_llm", "rewrite_block"]

DEFAULT_KEY_ENV = "EW_LLM_API_KEY"
REWRITE_SECTIONS = frozenset({"lead", "more", "supercontinent", "watch"})
_MARKER = re.compile(r"\s*\[(\d{1,3})\]")


class LlmError(EurasiawatchError):
    """The chat endpoint failed or answered something unreadable."""


@dataclass(frozen=True, slots=True, kw_only=True)
class LlmEndpoint:
    """Where and how to ask: base URL (``…/v1`` or the server root), model, key (from the environment)."""

    url: str
    model: str
    api_key: str = ""
    timeout: float = 60.0

    @classmethod
    def from_env(
        cls, url: str, model: str, *, key_env: str = DEFAULT_KEY_ENV, environ: Mapping[str, str] | None = None
    ) -> LlmEndpoint:
        """An endpoint whose key is read from the environment variable ``key_env`` (may be unset)."""
        env = os.environ if environ is None else environ
        return cls(url=url, model=model, api_key=env.get(key_env, ""))

    @property
    def completions_url(self) -> str:
        """The chat completions URL."""
        base = self.url.rstrip("/")
        return base + ("/chat/completions" if base.endswith("/v1") else "/v1/chat/completions")


def _prompt(block: Block, sources: Mapping[str, CheckSource], language: str) -> list[dict[str, str]]:
    lines = []
    for n, c in enumerate(block.citations, 1):
        src = sources.get(c.article_id)
        excerpt = src.text[:1200] if src else (c.title or "")
        lines.append(f"[{n}] {c.outlet or 'outlet'} ({c.language or '?'}): {excerpt}")
    system = (
        f"You edit a news briefing written in language '{language}'. Rewrite the draft as short, plain "
        "prose in your own words. Use only facts from the numbered sources; keep names, numbers and dates "
        "exactly. End every sentence with the [n] markers of the sources it rests on. Do not copy "
        "sentences word for word. Answer with the rewritten text only."
    )
    user = "Sources:\n" + "\n".join(lines) + "\n\nDraft:\n" + block.text
    return [{"role": "system", "content": system}, {"role": "user", "content": user}]


def _verbatim(sentence: str, sources: list[CheckSource]) -> bool:
    words = sentence.split()
    return len(words) >= 8 and any(" ".join(words) in " ".join(s.text.split()) for s in sources)


def rewrite_block(
    block: Block,
    sources: Mapping[str, CheckSource],
    endpoint: LlmEndpoint,
    *,
    client: httpx.Client,
    language: str,
) -> Block:
    """One block rewritten by the model, its citations kept and every sentence checked.

    Raises:
        LlmError: the endpoint failed or its answer has no text.
    """
    headers = {"Authorization": f"Bearer {endpoint.api_key}"} if endpoint.api_key else {}
    body = {"model": endpoint.model, "messages": _prompt(block, sources, language), "temperature": 0}
    try:
        response = client.post(endpoint.completions_url, json=body, headers=headers, timeout=endpoint.timeout)
        response.raise_for_status()
        content = response.json()["choices"][0]["message"]["content"]
    except (httpx.HTTPError, ValueError, KeyError, IndexError, TypeError) as exc:
        raise LlmError(f"chat endpoint {endpoint.completions_url} failed: {exc}") from exc
    if not isinstance(content, str) or not content.strip():
        raise LlmError(f"chat endpoint {endpoint.completions_url} returned no text")
    flags = {f for f in block.flags if f not in ("verbatim", "uncited", "unchecked")}
    paragraphs = []
    for para in re.split(r"\n\s*\n", content.strip()):
        sentences = []
        for sentence in split_sentences(para.lstrip("> ").strip()):
            numbers = [int(n) for n in _MARKER.findall(sentence)]
            valid = [n for n in numbers if 0 < n <= len(block.citations)]
            bare = _MARKER.sub("", sentence).strip()
            cited = [
                sources[block.citations[n - 1].article_id]
                for n in valid
                if block.citations[n - 1].article_id in sources
            ]
            if not valid:
                flags.add("uncited")
            elif check_sentence(bare, cited):
                flags.add("unchecked")
            if _verbatim(bare, cited):
                flags.add("verbatim")
            marks = "".join(f"[{n}]" for n in dict.fromkeys(valid))
            if marks and bare and bare[-1] in ".!?":
                sentences.append(f"{bare[:-1]} {marks}{bare[-1]}")
            else:
                sentences.append(f"{bare} {marks}".strip())
        if sentences:
            paragraphs.append(" ".join(sentences))
    return replace(block, text="\n\n".join(paragraphs), flags=tuple(sorted(flags | {"llm"})))


def redraft_with_llm(
    edition: Edition,
    sources: Mapping[str, CheckSource],
    endpoint: LlmEndpoint,
    *,
    transport: httpx.BaseTransport | None = None,
) -> Edition:
    """The edition with its story blocks rewritten by the model (edited blocks are left alone).

    Args:
        edition: an extractive draft.
        sources: check sources of every cited article, by article id.
        endpoint: the chat endpoint.
        transport: an httpx transport (tests).

    Raises:
        LlmError: the endpoint failed.
    """
    with httpx.Client(transport=transport) as client:
        blocks = tuple(
            rewrite_block(b, sources, endpoint, client=client, language=edition.language)
            if b.section in REWRITE_SECTIONS and b.citations and b.text and not b.edited
            else b
            for b in edition.blocks
        )
    return replace(edition, blocks=blocks)
