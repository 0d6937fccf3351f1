"""Checks in a real browser: axe-core finds nothing on the archive pages; screenshots of the email.

Needs Chromium (``apt-get install -y chromium``) and ``npm ci`` in this folder. Locally the tests skip
when either is missing; under ``CI=true`` they fail instead. The screenshots go to ``docs/img/``.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest

from eurasiawatch.render import RenderOptions, archive_entry, archive_files, render_edition, write_archive
from eurasiawatch.render.files import email_files
from eurasiawatch.render.sample import sample_edition

pytestmark = pytest.mark.browser

HERE = Path(__file__).resolve().parent
DOCS_IMG = HERE.parents[1] / "docs" / "img"
CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")


def _missing(reason: str) -> None:
    if os.environ.get("CI") == "true":
        pytest.fail(f"{reason} (CI must run the browser checks)")
    pytest.skip(reason)


@pytest.fixture(scope="session")
def node_tools() -> Path:
    if not Path(CHROMIUM).exists():
        _missing(f"Chromium not found at {CHROMIUM}: apt-get install -y chromium")
    node = shutil.which("node")
    if node is None:
        _missing("node is not installed")
    if not (HERE / "node_modules" / "playwright-core").is_dir():
        npm = shutil.which("npm")
        if os.environ.get("CI") == "true" and npm:
            subprocess.run([npm, "ci", "--no-audit", "--no-fund"], cwd=HERE, check=True, timeout=600)
        else:
            _missing(f"node_modules missing: run `npm ci` in {HERE}")
    return Path(node)  # type: ignore[arg-type]


@pytest.fixture(scope="session")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("site")
    options = RenderOptions(sample=True)
    edition = sample_edition()
    files = email_files(render_edition(edition, options=options))
    files.update(archive_files([archive_entry(edition, options)], options))
    write_archive(files, root)
    return root


def _run(node: Path, *args: str) -> tuple[int, dict]:
    done = subprocess.run(
        [str(node), str(HERE / "axe_check.mjs"), *args],
        cwd=HERE,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.stdout.strip(), done.stderr
    return done.returncode, json.loads(done.stdout)


def test_axe_finds_no_violations_on_the_web_page_and_the_index(node_tools: Path, site: Path) -> None:
    (page,) = site.glob("editions/*/*/*/*/index.html")
    code, report = _run(node_tools, "axe", str(page), str(site / "index.html"))
    problems = [
        (r["target"], r["scheme"], v["id"], v["nodes"]) for r in report["results"] for v in r["violations"]
    ]
    assert problems == [] and report["blocked"] == [] and code == 0
    assert len(report["results"]) == 4 and all(r["passes"] > 20 for r in report["results"])


def test_axe_wcag_rules_pass_on_the_email_in_light_and_dark(node_tools: Path, site: Path) -> None:
    code, report = _run(node_tools, "axe", "--tags", "wcag", str(site / "email-preview.html"))
    problems = [(r["scheme"], v["id"], v["nodes"]) for r in report["results"] for v in r["violations"]]
    assert problems == [] and report["blocked"] == [] and code == 0


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_screenshot_of_the_email(node_tools: Path, site: Path, scheme: str) -> None:
    DOCS_IMG.mkdir(parents=True, exist_ok=True)
    out = DOCS_IMG / f"email-{scheme}.png"
    code, report = _run(node_tools, "shot", str(site / "email-preview.html"), str(out), scheme, "700")
    assert code == 0 and report["blocked"] == []
    data = out.read_bytes()
    assert data.startswith(b"\x89PNG") and len(data) > 50_000


def test_missing_browser_fails_under_ci_and_skips_locally(monkeypatch: pytest.MonkeyPatch) -> None:
    from _pytest.outcomes import Failed, Skipped

    monkeypatch.setenv("CI", "true")
    with pytest.raises(Failed):
        _missing("no chromium")
    monkeypatch.setenv("CI", "")
    with pytest.raises(Skipped):
        _missing("no chromium")
