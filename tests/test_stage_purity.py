"""Stage functions stay picklable and free of module-level state: the Dask backfill ships them to workers."""

from __future__ import annotations

import ast
import pickle
from datetime import UTC, datetime
from pathlib import Path

import pytest

from eurasiawatch import records
from eurasiawatch.extract import article_id, canonicalize_url, detect_language, extract_article
from eurasiawatch.ingest import check_address, parse_feed

PACKAGE = Path(__file__).resolve().parents[1] / "src" / "eurasiawatch"
STAGES = ("ingest", "extract", "annotate", "analyze", "compose", "render", "deliver")
_MUTABLE_CALLS = {"list", "dict", "set", "Counter", "defaultdict", "deque", "OrderedDict", "bytearray"}

HTML = (
    "<html lang='en'><head><title>Test page</title></head><body><article><h1>Test page</h1>"
    + "".join(
        f"<p>Paragraph {i} says Kazakhstan and China signed a railway deal in Astana.</p>" for i in range(8)
    )
    + "</article></body></html>"
)


@pytest.mark.parametrize(
    "fn", [extract_article, detect_language, canonicalize_url, article_id, parse_feed, check_address]
)
def test_stage_functions_pickle_by_reference(fn: object) -> None:
    assert pickle.loads(pickle.dumps(fn)) is fn


def test_records_round_trip_through_pickle() -> None:
    page = records.Page(
        url="https://e.org/a",
        final_url="https://e.org/a",
        html=HTML,
        fetched_at=datetime(2024, 7, 1, tzinfo=UTC),
    )
    article = extract_article(page)
    again = pickle.loads(pickle.dumps(article))
    assert again == article
    # an unpickled function on unpickled input gives the same record (no hidden state)
    assert pickle.loads(pickle.dumps(extract_article))(pickle.loads(pickle.dumps(page))).text == article.text


def test_records_are_frozen() -> None:
    item = records.FeedItem(source="s", url="https://e.org/")
    with pytest.raises(AttributeError):
        item.url = "https://other.org/"  # type: ignore[misc]


def _mutable_module_globals(path: Path) -> list[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Global):
            found.append(f"{path.name}:{node.lineno} uses `global`")
    for node in tree.body:
        targets: list[ast.expr] = []
        value: ast.expr | None = None
        if isinstance(node, ast.Assign):
            targets, value = node.targets, node.value
        elif isinstance(node, ast.AnnAssign) and node.value is not None:
            targets, value = [node.target], node.value
        if value is None:
            continue
        names = [t.id for t in targets if isinstance(t, ast.Name)]
        if names == ["__all__"]:
            continue
        mutable = isinstance(value, ast.List | ast.Dict | ast.Set | ast.ListComp | ast.DictComp | ast.SetComp)
        if (
            isinstance(value, ast.Call)
            and isinstance(value.func, ast.Name)
            and value.func.id in _MUTABLE_CALLS
        ):
            mutable = True
        # UPPER_CASE names are constants by convention (tables of codes); lower-case mutables are state
        if mutable and not all(n.lstrip("_").isupper() for n in names):
            found.append(f"{path.name}:{node.lineno} module-level mutable {names}")
    return found


def test_stage_modules_hold_no_mutable_module_state() -> None:
    problems = []
    for stage in STAGES:
        for path in sorted((PACKAGE / stage).rglob("*.py")):
            problems.extend(_mutable_module_globals(path))
    assert not problems, "stage modules must not keep mutable module-level state:\n" + "\n".join(problems)


def test_the_package_exposes_the_stage_functions_for_notebooks() -> None:
    import eurasiawatch

    assert eurasiawatch.extract_article is extract_article
    assert eurasiawatch.parse_feed is parse_feed
    for name in eurasiawatch.__all__:
        assert getattr(eurasiawatch, name) is not None, name
