"""schemathesis against the API's own OpenAPI document: every operation, generated requests, a token.

For each operation of ``/api/v1/openapi.json`` schemathesis generates requests — valid parameters
(positive) and invalid ones (negative) — sends them to the app with a valid API token, and checks each
answer: no server error, the status code is documented, the body matches the documented schema, the
content type is right (schemathesis's default checks). Path parameters are generated too (mostly
unknown ids: 404s, which are documented), and once more fixed to ids that exist in the seeded sample
data, so the detail answers are checked with real content. Runs on SQLite and PostgreSQL with a bounded
number of examples per operation and mode.

The test drives schemathesis through its Python API (``from_asgi`` + ``APIOperation.as_strategy`` +
``Case.call_and_validate``) rather than its pytest plugin: the plugin's lazy loader reads
``request.node._nodeid``, which pytest 9 no longer has.
"""

from __future__ import annotations

from typing import Any

import pytest
import schemathesis
from fastapi import FastAPI
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from schemathesis.checks import positive_data_acceptance

from eurasiawatch.config import Settings
from eurasiawatch.store import Database

from .api_seed import Seeded, cheap_settings, seed

pytestmark = pytest.mark.slow  # about 45 s of CPU per database; CI runs it (make test runs everything)

#: examples per operation and generation mode (15 operations, 2 modes, plus the fixed-id pass)
EXAMPLES = 15
_SETTINGS = settings(
    max_examples=EXAMPLES,
    deadline=None,
    derandomize=True,  # the same requests on every run: a failure here is reproducible
    database=None,
    suppress_health_check=list(HealthCheck),
)


# The API answers 400 to some requests the schema cannot tell apart from good ones — a query with no
# word to look for ("-x", "?!"), a date range ending before it starts — and documents those 400s;
# schemathesis's "valid data must be accepted" check would call them failures.
_EXCLUDED = [positive_data_acceptance]


@pytest.fixture
def web_settings(web_settings: Settings) -> Settings:
    return cheap_settings(web_settings)


@pytest.fixture
def seeded(fresh_db: Database, web_settings: Settings, tmp_path) -> Seeded:  # type: ignore[no-untyped-def]
    return seed(fresh_db, web_settings, tmp_path)


def _real_ids(app: FastAPI, seeded: Seeded) -> dict[str, str]:
    from fastapi.testclient import TestClient

    with TestClient(app, headers={"Authorization": f"Bearer {seeded.token}"}) as client:
        story = client.get("/api/v1/stories", params={"days": 366}).json()["items"][0]["story_id"]
        entity = client.get("/api/v1/entities").json()["items"][0]["key"]
    return {
        "article_id": next(a.article_id for a, n in seeded.pairs if n.events),
        "story_id": story,
        "key": entity,
        "code": "KZ",
        "edition_id": seeded.draft_edition,
        "series_id": "S1",
    }


def _run(strategy: st.SearchStrategy[schemathesis.Case], failures: list[str]) -> None:
    @_SETTINGS
    @given(case=strategy)
    def check(case: schemathesis.Case) -> None:
        case.call_and_validate(excluded_checks=_EXCLUDED)

    try:
        check()
    except Exception as exc:
        failures.append(f"{type(exc).__name__}: {exc}")


def test_api_answers_match_the_openapi_document(app: FastAPI, seeded: Seeded) -> None:
    schema = schemathesis.openapi.from_asgi("/api/v1/openapi.json", app)
    ids = _real_ids(app, seeded)
    token = {"Authorization": f"Bearer {seeded.token}"}  # fixed: never dropped or mangled as "invalid data"
    failures: list[str] = []
    operations = 0
    for result in schema.get_all_operations():
        operation = result.ok()
        operations += 1
        for mode in (schemathesis.GenerationMode.POSITIVE, schemathesis.GenerationMode.NEGATIVE):
            _run(operation.as_strategy(generation_mode=mode, headers=token), failures)
        names = {p.name for p in operation.path_parameters}
        if names:
            fixed: dict[str, Any] = {n: ids[n] for n in names}
            _run(operation.as_strategy(path_parameters=fixed, headers=token), failures)
    assert operations == 15
    assert not failures, "\n\n".join(failures)
