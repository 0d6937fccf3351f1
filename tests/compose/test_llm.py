"""Drafting through an OpenAI-compatible chat endpoint, against a loopback server speaking that API."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from eurasiawatch.compose import CheckSource, check_block, citation_of
from eurasiawatch.compose.llm import LlmEndpoint, LlmError, redraft_with_llm
from eurasiawatch.records import Article, Block, Edition

ARTICLE = Article(
    article_id="a1",
    url="https://example.invalid/a1",
    canonical_url="https://example.invalid/a1",
    title="Serbia's trade deal with China takes effect",
    text="Serbia's free trade agreement with China entered into force on 1 July. Serbia mostly sells copper.",
    published=datetime(2024, 7, 2, tzinfo=UTC),
    language="en",
    outlet="Sava Post",
)
ANSWER = (
    "Serbia's trade agreement with China took effect on 1 July [1]. "
    "Belgrade hopes for much more [7]. It is a big deal for everyone."
)


@contextmanager
def chat_server(answer: str, status: int = 200) -> Iterator[tuple[str, list[dict]]]:
    seen: list[dict] = []

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
            seen.append({"path": self.path, "auth": self.headers.get("Authorization"), "body": body})
            reply = json.dumps(
                {
                    "id": "x",
                    "object": "chat.completion",
                    "choices": [
                        {
                            "index": 0,
                            "message": {"role": "assistant", "content": answer},
                            "finish_reason": "stop",
                        }
                    ],
                }
            ).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(reply)))
            self.end_headers()
            self.wfile.write(reply)

        def log_message(self, format: str, *args: object) -> None:
            return

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}", seen
    finally:
        server.shutdown()
        server.server_close()


def _edition() -> Edition:
    block = Block(
        block_id="more-1",
        section="more",
        kind="story",
        title="Serbia",
        text="> Serbia's free trade agreement with China entered into force on 1 July. [1]",
        citations=(citation_of(ARTICLE),),
        flags=("verbatim",),
    )
    return Edition(
        edition_id="e",
        send_date=date(2024, 7, 10),
        window_start=date(2024, 6, 26),
        window_end=date(2024, 7, 9),
        headline="h",
        blocks=(block,),
    )


def test_llm_draft_keeps_citations_and_flags_uncited_sentences() -> None:
    sources = {"a1": CheckSource.of(ARTICLE)}
    with chat_server(ANSWER) as (url, seen):
        endpoint = LlmEndpoint.from_env(url, "test-model", environ={"EW_LLM_API_KEY": "sekrit"})
        edition = redraft_with_llm(_edition(), sources, endpoint)
    assert seen[0]["path"] == "/v1/chat/completions"
    assert seen[0]["auth"] == "Bearer sekrit" and seen[0]["body"]["model"] == "test-model"
    block = edition.blocks[0]
    assert block.citations == _edition().blocks[0].citations
    assert "[1]" in block.text and "[7]" not in block.text
    assert "uncited" in block.flags and "llm" in block.flags and "verbatim" not in block.flags
    problems = check_block(block, sources.values())
    # the cited sentence checks; only the two without a valid marker are reported
    assert [p[1] for p in problems] == [["uncited"], ["uncited"]]


def test_llm_endpoint_failure_is_a_clear_error() -> None:
    with chat_server("", status=500) as (url, _), pytest.raises(LlmError, match="failed"):
        redraft_with_llm(_edition(), {"a1": CheckSource.of(ARTICLE)}, LlmEndpoint(url=url + "/v1", model="m"))
