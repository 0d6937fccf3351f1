"""The command line as a whole: every command documents itself; errors are one line."""

from __future__ import annotations

import os
import subprocess
import sys
from typing import Any

import typer

from eurasiawatch.cli import app


def _leaves(command: Any, path: tuple[str, ...] = ()) -> list[tuple[tuple[str, ...], Any]]:
    # Typer vendors its own click; duck-type groups by their ``commands`` mapping.
    if getattr(command, "commands", None):
        out = []
        for name, sub in command.commands.items():
            out.extend(_leaves(sub, (*path, name)))
        return out
    return [(path, command)]


def test_every_command_has_help_text(cli) -> None:
    root = typer.main.get_command(app)
    leaves = _leaves(root)
    assert len(leaves) >= 8
    for path, command in leaves:
        assert (command.help or "").strip(), f"`eurasiawatch {' '.join(path)}` has no help text"
        result = cli.invoke(app, [*path, "--help"])
        assert result.exit_code == 0, (path, result.output)
        for param in command.params:
            if getattr(param, "param_type_name", "") == "option" and not getattr(param, "hidden", False):
                assert (param.help or "").strip(), f"option {param.name} of {' '.join(path)} has no help"


def test_errors_are_one_line_with_a_hint_and_exit_2(tmp_path) -> None:
    env = {**os.environ, "EURASIAWATCH_DATA_DIR": str(tmp_path / "none")}
    done = subprocess.run(
        [sys.executable, "-m", "eurasiawatch", "ingest"], env=env, capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 2
    assert done.stderr.startswith("Error:")
    assert "eurasiawatch db upgrade" in done.stderr
    assert "Traceback" not in done.stderr


def test_no_module_imports_click() -> None:
    # typer vendors its own click; `click` is not a dependency, so importing it breaks a fresh install
    from pathlib import Path

    root = Path(__file__).resolve().parents[1] / "src" / "eurasiawatch"
    offenders = [
        str(p.relative_to(root))
        for p in root.rglob("*.py")
        if any(
            line.strip().startswith(("import click", "from click"))
            for line in p.read_text(encoding="utf-8").splitlines()
        )
    ]
    assert not offenders, offenders
