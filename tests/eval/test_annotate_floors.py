"""Annotation quality floors per gold set (a little under what the annotator reaches; see docs/annotate.md).

Each set is annotated as ``eurasiawatch annotate`` would (language detected) and scored by the shared
``score.py`` with ``--min-*`` floors, so a regression in countries, entities, language or
china_related fails CI, and so does one in events (F1 with modes, dates and actors; docs/events.md).
Themes F1 too (the lexicon baseline; floors a little under the figures in docs/themes.md).
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from eurasiawatch.annotate import annotate_text, annotation_record

from ..services import missing

ROOT = Path(__file__).resolve().parents[2]
SHARED = ROOT.parent / "shared" / "eval" / "annotate"
SETS = {
    # set: (path, floors)
    "dev": (
        SHARED / "dev.jsonl",
        {"countries": 0.97, "entities": 0.95, "events": 0.88, "themes": 0.86, "language": 1.0, "china": 1.0},
    ),
    "sample-corpus": (
        ROOT / "src" / "eurasiawatch" / "data" / "demo" / "labels.jsonl",
        {"countries": 0.94, "entities": 0.93, "events": 0.74, "themes": 0.85, "language": 1.0, "china": 0.99},
    ),
    "tests-eval": (
        ROOT / "tests" / "eval" / "gold.jsonl",
        {"countries": 0.93, "entities": 0.92, "events": 0.79, "themes": 0.87, "language": 1.0, "china": 0.98},
    ),
}


@pytest.mark.parametrize("name", sorted(SETS))
def test_annotation_floors(name, tmp_path):
    path, floors = SETS[name]
    if not path.exists() or not (SHARED / "score.py").exists():
        message = f"{path} or the shared scorer is not present"
        missing(message)
    cases = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    pred = tmp_path / "pred.jsonl"
    with pred.open("w", encoding="utf-8") as out:
        for case in cases:
            ann = annotate_text(
                case["text"], title=case.get("title"), published=case.get("published"), article_id=case["id"]
            )
            out.write(json.dumps(annotation_record(ann), ensure_ascii=False) + "\n")
    args = [f"--min-{key}={value}" for key, value in floors.items()]
    result = subprocess.run(
        [sys.executable, str(SHARED / "score.py"), str(path), str(pred), *args],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stdout[-3000:]
