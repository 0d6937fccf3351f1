"""``eurasiawatch render sample`` and ``eurasiawatch archive export``."""

from __future__ import annotations

from pathlib import Path

from eurasiawatch.cli import app


def test_render_sample_writes_every_channel(cli, tmp_path: Path) -> None:
    out = tmp_path / "out"
    result = cli.invoke(app, ["render", "sample", "--out", str(out)])
    assert result.exit_code == 0, result.output
    for name in ("email.html", "email.txt", "email.eml", "email-preview.html", "index.html", "atom.xml"):
        assert (out / name).is_file(), name
    pages = list(out.glob("editions/2024/07/10/*/index.html"))
    assert len(pages) == 1
    assert "sample content" in result.output


def test_archive_export_uses_rendered_editions_or_the_sample(cli, tmp_path: Path, monkeypatch) -> None:
    data = tmp_path / "data"
    monkeypatch.setenv("EURASIAWATCH_DATA_DIR", str(data))
    result = cli.invoke(app, ["archive", "export", str(tmp_path / "site")])
    assert result.exit_code == 0, result.output
    assert "sample edition" in result.output
    assert (tmp_path / "site" / "index.html").is_file()
    # an edition rendered under <data_dir>/out is exported instead of the sample
    result = cli.invoke(app, ["render", "sample", "--out", str(data / "out")])
    assert result.exit_code == 0
    result = cli.invoke(app, ["archive", "export", str(tmp_path / "site2")])
    assert result.exit_code == 0 and "Exported 1 edition" in result.output
    assert "sample edition;" not in result.output
    assert list((tmp_path / "site2").glob("editions/*/*/*/*/index.html"))
