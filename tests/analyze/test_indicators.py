"""Indicators: series (computed on) and reported figures (quoted as published), sentences and charts.

Every series here is SYNTHETIC: numbers made up for these tests, labelled so in their source.
"""

from __future__ import annotations

import csv
import inspect
import io
import math
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy.dialects import postgresql, sqlite

from eurasiawatch.analyze.charts import chart_series
from eurasiawatch.analyze.indicators import (
    describe_change,
    find_qualifier,
    import_indicators,
    list_figures,
    list_series,
    load_indicator_series,
    parse_figures_csv,
    parse_period,
    parse_series_csv,
    shipped_figures,
)
from eurasiawatch.store import Database
from eurasiawatch.store import indicators as store_indicators

NOW = datetime(2024, 7, 31, tzinfo=UTC)
SHARED = Path(__file__).resolve().parents[3] / "shared" / "data"
PACKAGED = Path(__file__).resolve().parents[2] / "src" / "eurasiawatch" / "data" / "indicators"
SYNTHETIC_SOURCE = "SYNTHETIC series made up for eurasiawatch tests; not real data"


def synthetic_csv(months_2024: int = 5, drop: float = 0.19) -> str:
    """A SYNTHETIC monthly series: 2023 at 100 per month, 2024 at (1 - drop) × 100."""
    rows = ["period,reporter,partner,measure,hs_code,value,unit,source,synthetic"]
    for year, months, level in ((2023, 12, 100.0), (2024, months_2024, 100.0 * (1 - drop))):
        for m in range(1, months + 1):
            rows.append(
                f"{year}-{m:02d},China,Russia,exports,854231,{level:.2f},USD million,{SYNTHETIC_SOURCE},yes"
            )
    return "\n".join(rows) + "\n"


def test_parse_period_and_qualifier() -> None:
    assert parse_period("2024-05") == (2024, 5, "monthly")
    assert parse_period("2024-Q2") == (2024, 2, "quarterly")
    assert parse_period("2024") == (2024, 0, "annual")
    for bad in ("2024-13", "May 2024", "2024 (months up to ~Mar/Apr)"):
        with pytest.raises(ValueError, match="period"):
            parse_period(bad)
    assert find_qualifier("600", "USD million (lower bound: 'over')") == "over"
    assert find_qualifier("2000", "USD million (approx., 'nearly $2 billion')") == "nearly"
    assert find_qualifier("73", "percent (lower bound: 'more than')") == "more than"
    assert find_qualifier("10,000+") == "over"
    assert find_qualifier("750", "USD million") is None


def test_series_change_sentence_year_to_date() -> None:
    series = parse_series_csv(synthetic_csv(), dataset="synthetic")[0]
    assert series.synthetic and series.frequency == "monthly" and len(series.points) == 17
    change = describe_change(series)
    assert change.basis == "year_to_date" and change.percent == pytest.approx(-19)
    assert "down 19% in January–May 2024 against the same months a year earlier" in change.sentence
    assert SYNTHETIC_SOURCE in change.sentence and "[SYNTHETIC DATA]" in change.sentence
    assert describe_change(series, basis="year_on_year").label == "May 2024"
    pop = describe_change(series, basis="period_on_period")
    assert pop.comparison == "April 2024" and "about unchanged" in pop.sentence
    january = parse_series_csv(synthetic_csv(months_2024=1, drop=-0.25), dataset="s")[0]
    assert "up 25% in January 2024 against January 2023" in describe_change(january).sentence
    full = parse_series_csv(synthetic_csv(months_2024=12, drop=0.0), dataset="s")[0]
    assert "about unchanged in 2024 against 2023" in describe_change(full).sentence
    with pytest.raises(ValueError, match="two points"):
        describe_change(parse_series_csv("\n".join(synthetic_csv().splitlines()[:2]), dataset="s")[0])


def test_series_csv_errors_name_the_line() -> None:
    bad = synthetic_csv().replace("2023-03", "March 2023")
    with pytest.raises(ValueError, match="line 4"):
        parse_series_csv(bad, dataset="s")
    with pytest.raises(ValueError, match="not a number"):
        parse_series_csv(synthetic_csv().replace(",81.00,", ",eighty-one,", 1), dataset="s")
    with pytest.raises(ValueError, match="missing value"):
        parse_series_csv("period,reporter,partner,measure,unit,source\n", dataset="s")


def test_shipped_files_are_the_shared_data_unchanged() -> None:
    for name in ("china_russia_chpl_trade.csv", "chpl_hs_codes.csv", "surveillance_cameras.csv"):
        if SHARED.is_dir():
            assert (PACKAGED / name).read_bytes() == (SHARED / name).read_bytes()


def test_shipped_figures_keep_values_and_sources_as_published() -> None:
    figures = shipped_figures()
    by_dataset: dict[str, list] = {}
    for f in figures:
        by_dataset.setdefault(f.dataset, []).append(f)
    for dataset, file in (
        ("china-russia-chpl", "china_russia_chpl_trade.csv"),
        ("surveillance-cameras", "surveillance_cameras.csv"),
        ("chpl-hs-codes", "chpl_hs_codes.csv"),
    ):
        rows = list(csv.DictReader(io.StringIO((PACKAGED / file).read_text(encoding="utf-8"))))
        assert len(by_dataset[dataset]) == len(rows)
        assert [f.source for f in by_dataset[dataset]] == [r["source"] for r in rows]
    peak = next(f for f in figures if f.id == "china-russia-chpl:1")
    assert peak.value == "600" and peak.qualifier == "over" and peak.period == "2023-12"
    assert peak.subject == "China → Russia" and "Carnegie" in peak.source
    assert peak.quote() == "600 USD million (lower bound: 'over'), 2023-12"
    kz = [f for f in figures if f.dataset == "surveillance-cameras" and f.subject == "Kazakhstan"]
    assert any(f.value == "1,360,000" for f in kz)
    assert next(f for f in figures if f.id == "chpl-hs-codes:1").value == "tier 1"


def test_figures_csv_formats() -> None:
    own = (
        'subject,period,measure,value,qualifier,unit,source\nKZ,2024,cameras,"1,360,000",,cameras,Kazinform\n'
    )
    (fig,) = parse_figures_csv(own, dataset="mine")
    assert fig.value == "1,360,000" and fig.source == "Kazinform" and fig.id == "mine:1"
    with pytest.raises(ValueError, match="no source"):
        parse_figures_csv("subject,period,measure,value,source\nKZ,2024,x,1,\n", dataset="mine")
    with pytest.raises(ValueError, match="needs the columns"):
        parse_figures_csv("a,b\n1,2\n", dataset="mine")


def test_import_series_and_figures_on_both_databases(fresh_db: Database, tmp_path: Path) -> None:
    series_file = tmp_path / "synthetic_chpl.csv"
    series_file.write_text(synthetic_csv(), encoding="utf-8")
    figures_file = tmp_path / "my_figures.csv"
    figures_file.write_bytes((PACKAGED / "china_russia_chpl_trade.csv").read_bytes())
    with fresh_db.begin() as conn:
        assert import_indicators(conn, series_file, now=NOW) == ("series", 1)
        assert import_indicators(conn, series_file, now=NOW) == ("series", 1)  # again: same id
        (listed,) = list_series(conn)
        assert listed["id"] == "S1" and listed["points"] == 17 and listed["synthetic"]
        assert listed["first"] == "2023-01" and listed["last"] == "2024-05"
        series = load_indicator_series(conn, "S1")
        assert series is not None and series.dataset == "synthetic-chpl" and series.hs_code == "854231"
        assert describe_change(series).percent == pytest.approx(-19)
        assert load_indicator_series(conn, "S99") is None and load_indicator_series(conn, "x") is None
        with pytest.raises(ValueError, match="--kind figures"):
            import_indicators(conn, figures_file, now=NOW)
        assert import_indicators(conn, figures_file, kind="figures", now=NOW) == ("figures", 24)
        assert import_indicators(conn, figures_file, kind="figures", now=NOW) == ("figures", 24)
        mine = [f for f in list_figures(conn) if f.dataset == "my-figures"]
        assert len(mine) == 24 and mine[0].value == "600" and mine[0].qualifier == "over"
        with pytest.raises(ValueError, match="shipped"):
            import_indicators(conn, figures_file, kind="figures", dataset="chpl-hs-codes", now=NOW)
    assert len(list_figures(None)) == len(shipped_figures())


def test_chart_png_svg_and_alt_text() -> None:
    series = parse_series_csv(synthetic_csv(), dataset="synthetic")[0]
    chart = chart_series(series, change=describe_change(series))
    assert chart.png.startswith(b"\x89PNG") and len(chart.png) > 10_000
    width, height = int.from_bytes(chart.png[16:20], "big"), int.from_bytes(chart.png[20:24], "big")
    assert (width, height) == (1280, 720)
    assert chart.svg.lstrip().startswith("<?xml") and "USD million" in chart.svg
    assert "SYNTHETIC" in chart.svg and "Source:" in chart.svg
    assert chart.svg == chart_series(series, change=describe_change(series)).svg  # stable output
    assert "down 19%" in chart.alt_text and "Synthetic data" in chart.alt_text and "2024-05" in chart.alt_text
    quarterly = parse_series_csv(
        "period,reporter,partner,measure,value,unit,source\n"
        + "".join(
            f"2023-Q{q},KZ,CN,trade,{10 * q + math.sin(q):.1f},USD million,{SYNTHETIC_SOURCE}\n"
            for q in (1, 2, 3, 4)
        ),
        dataset="q",
    )[0]
    assert chart_series(quarterly).png.startswith(b"\x89PNG")


def test_every_indicator_query_compiles_for_both_databases() -> None:
    builders = {
        n: f for n, f in inspect.getmembers(store_indicators, inspect.isfunction) if n.endswith("_stmt")
    }
    identity = dict.fromkeys(("dataset", "reporter", "partner", "measure", "hs_code", "unit"), "x")
    samples = {
        "_find_series_stmt": (identity,),
        "_insert_series_stmt": (),
        "_update_series_stmt": (1,),
        "_delete_points_stmt": (1,),
        "_insert_points_stmt": (),
        "_list_series_stmt": (),
        "_series_stmt": (1,),
        "_points_stmt": (1,),
        "_delete_figures_stmt": ("d",),
        "_insert_figures_stmt": (),
        "_figures_stmt": ("d", 3),
    }
    assert set(builders) == set(samples), "add sample arguments for every new builder"
    for name, builder in builders.items():
        for dialect, module in (("sqlite", sqlite), ("postgresql", postgresql)):
            str(builder(dialect, *samples[name]).compile(dialect=module.dialect()))
