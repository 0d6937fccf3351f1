"""``eurasiawatch edition``: draft, edit through $EDITOR (a script), approve; builders on both databases."""

from __future__ import annotations

import inspect
import os
import stat
import sys
from datetime import date

from sqlalchemy.dialects import postgresql, sqlite

from eurasiawatch.cli import app
from eurasiawatch.config import Settings
from eurasiawatch.store import editions as store
from eurasiawatch.store import open_database


def test_every_edition_query_compiles_for_both_databases() -> None:
    builders = [
        f
        for n, f in inspect.getmembers(store, inspect.isfunction)
        if n.startswith("_") and n.endswith("_stmt")
    ]
    assert len(builders) >= 6
    args = {
        "_latest_blocks_stmt": ("e",),
        "_insert_block_stmt": (),
        "_upsert_edition_stmt": ({"edition_id": "e", "headline": "h"},),
        "_get_edition_stmt": ("e",),
        "_list_editions_stmt": (),
        "_published_editions_stmt": (date(2024, 7, 10), 20),
        "_history_stmt": ("e", "b"),
        "_set_status_stmt": ("e", {"status": "draft"}),
    }
    for fn in builders:
        for name, dialect in (("sqlite", sqlite.dialect()), ("postgresql", postgresql.dialect())):
            fn(name, *args[fn.__name__]).compile(dialect=dialect)


def test_draft_edit_with_editor_script_and_approve(cli, tmp_path) -> None:
    env = {"EURASIAWATCH_DATA_DIR": str(tmp_path / "data")}
    assert cli.invoke(app, ["db", "upgrade"], env=env).exit_code == 0
    result = cli.invoke(
        app, ["--as-of", "2024-07-09", "edition", "draft", "--send-date", "2024-07-10"], env=env
    )
    assert result.exit_code == 0, result.output
    assert "No stories" in result.output or "empty skeleton" in (result.stderr or result.output)
    script = tmp_path / "editor.py"
    script.write_text(
        "import sys, pathlib\n"
        "p = pathlib.Path(sys.argv[1])\n"
        "p.write_text(p.read_text().replace('Hello, and welcome', 'Hi, and welcome'))\n"
    )
    script.chmod(script.stat().st_mode | stat.S_IEXEC)
    editor = {**env, "EDITOR": f"{sys.executable} {script}", "PATH": os.environ.get("PATH", "")}
    result = cli.invoke(app, ["edition", "edit", "ed-2024-07-10", "--author", "ed"], env=editor)
    assert result.exit_code == 0, result.output
    assert "Saved 1 changed blocks" in result.output
    shown = cli.invoke(app, ["edition", "show", "ed-2024-07-10"], env=env)
    assert "Hi, and welcome" in shown.output
    bad = tmp_path / "bad.py"
    bad.write_text(
        "import sys, pathlib\np = pathlib.Path(sys.argv[1])\np.write_text(p.read_text() + '\\n[9]')\n"
    )
    result = cli.invoke(
        app, ["edition", "edit", "ed-2024-07-10"], env={**env, "EDITOR": f"{sys.executable} {bad}"}
    )
    assert result.exit_code != 0
    # an empty skeleton cannot be approved
    result = cli.invoke(app, ["edition", "approve", "ed-2024-07-10", "--slot", "2024-07-10"], env=env)
    assert result.exit_code == 2


def test_the_editions_wording_comes_from_settings() -> None:
    from eurasiawatch.cli.edition_cmd import compose_options
    from eurasiawatch.config import load_settings

    settings = load_settings(
        environ={
            "EURASIAWATCH_COMPOSE__GREETING": "Dear readers,",
            "EURASIAWATCH_RENDER__NEWSLETTER": "Steppe Notes",
        }
    )
    options = compose_options(settings)
    assert options.greeting == "Dear readers," and options.newsletter == "Steppe Notes"
    assert options.signoff == compose_options(load_settings(environ={})).signoff  # unset: built-in wording


def test_draft_in_another_language(cli, tmp_path) -> None:  # type: ignore[no-untyped-def]
    env = {"EURASIAWATCH_DATA_DIR": str(tmp_path / "data")}
    assert cli.invoke(app, ["db", "upgrade"], env=env).exit_code == 0
    args = ["--as-of", "2024-07-09", "edition", "draft", "--send-date", "2024-07-10"]
    bad = cli.invoke(app, [*args, "--language", "Russian"], env=env)
    assert bad.exit_code == 2 and "not a two-letter code" in bad.output
    assert cli.invoke(app, [*args, "--language", "RU"], env=env).exit_code == 0
    with open_database(Settings(data_dir=str(tmp_path / "data"))) as db, db.begin() as conn:
        stored = store.load_edition(conn, "ed-2024-07-10")
    assert stored is not None and stored.language == "ru"
