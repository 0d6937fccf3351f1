"""The choropleth: shipped shapes, accessible SVG, classes, escaping, and the data table."""

from __future__ import annotations

import json
import re
import xml.etree.ElementTree as ET
from importlib import resources

import pytest

from eurasiawatch.render.choropleth import (
    NO_DATA_FILL,
    RAMP,
    REGION,
    ZERO_FILL,
    choropleth_figure,
    choropleth_svg,
    choropleth_table,
    class_breaks,
    country_names,
    load_shapes,
)

SVG = "{http://www.w3.org/2000/svg}"
NAMES = {"KZ": "Kazakhstan", "CN": "China", "RU": "Russia", "HU": "Hungary", "GE": "Georgia"}


def _by_code(svg: str) -> dict[str, ET.Element]:
    root = ET.fromstring(svg)
    return {el.get("data-code", ""): el for el in root.iter(f"{SVG}path") if el.get("data-code")}


def test_shapes_load_small_and_documented() -> None:
    path = resources.files("eurasiawatch") / "data" / "geo" / "eurasia.json"
    raw = path.read_bytes()
    assert len(raw) < 400 * 1024
    doc = json.loads(raw)
    assert "Natural Earth" in doc["source"] and "public domain" in doc["licence"]
    shapes = load_shapes()
    assert shapes.width == 1000 and 300 < shapes.height < 900
    assert "Equal Earth" in shapes.projection


def test_every_region_country_is_drawn_inside_the_frame() -> None:
    shapes = load_shapes()
    missing = [c for c in REGION if c not in shapes.countries or not shapes.countries[c].path]
    assert missing == []
    for code in REGION:
        numbers = [float(n) for n in re.findall(r"-?\d+(?:\.\d+)?", shapes.countries[code].path)]
        xs, ys = numbers[0::2], numbers[1::2]
        assert min(xs) >= 0 and max(xs) <= shapes.width, code
        assert min(ys) >= 0 and max(ys) <= shapes.height, code
    # Kosovo has its own code; microstates carry a marker point
    assert shapes.countries["XK"].name == "Kosovo"
    assert shapes.countries["VA"].tiny and shapes.countries["MT"].tiny
    assert not shapes.countries["KZ"].tiny


def test_places_are_where_they_belong() -> None:
    """West is left, north is up: Portugal left of Japan, Russia's north above India's south."""
    shapes = load_shapes()

    def centre(code: str) -> tuple[float, float]:
        numbers = [float(n) for n in re.findall(r"-?\d+(?:\.\d+)?", shapes.countries[code].path)]
        return sum(numbers[0::2]) / len(numbers[0::2]), sum(numbers[1::2]) / len(numbers[1::2])

    assert centre("PT")[0] < centre("DE")[0] < centre("KZ")[0] < centre("CN")[0] < centre("JP")[0]
    assert centre("FI")[1] < centre("HU")[1] < centre("TR")[1] < centre("IN")[1]


def test_names_come_from_the_knowledge_base() -> None:
    names = country_names()
    assert names["KZ"] == "Kazakhstan" and names["XK"] == "Kosovo" and names["TW"] == "Taiwan"


def test_svg_is_accessible_xml() -> None:
    svg = choropleth_svg({"KZ": 12, "CN": 40}, title="China-related articles", names=NAMES)
    root = ET.fromstring(svg)
    assert root.get("role") == "img"
    labelled = root.get("aria-labelledby", "").split()
    ids = {el.get("id"): el for el in root.iter() if el.get("id")}
    assert [ids[i].tag for i in labelled] == [f"{SVG}title", f"{SVG}desc"]
    assert ids[labelled[0]].text == "China-related articles"
    desc = ids[labelled[1]].text or ""
    assert "Highest: China 40, Kazakhstan 12." in desc
    kz = _by_code(svg)["KZ"]
    assert kz.find(f"{SVG}title") is not None
    assert kz.find(f"{SVG}title").text == "Kazakhstan: 12 articles"  # type: ignore[union-attr]
    assert "style" not in svg.lower().replace("font-style", "")  # CSP: no style attributes/elements


def test_values_map_to_fill_classes() -> None:
    values = {"CN": 100.0, "RU": 50.0, "KZ": 20.0, "UZ": 10.0, "HU": 5.0, "GE": 0.0}
    paths = _by_code(choropleth_svg(values, title="t", names=NAMES))
    assert paths["CN"].get("class") == "ch-5" and paths["CN"].get("fill") == RAMP[4]
    assert paths["HU"].get("class") == "ch-1" and paths["HU"].get("fill") == RAMP[0]
    assert paths["RU"].get("class") == "ch-4" and paths["KZ"].get("class") == "ch-3"
    # zero and no data look different from each other and from the lightest class
    assert paths["GE"].get("class") == "ch-0" and paths["GE"].get("fill") == ZERO_FILL
    assert paths["MN"].get("class") == "ch-nd" and paths["MN"].get("fill", "").startswith("url(#")
    assert len({ZERO_FILL, RAMP[0], NO_DATA_FILL}) == 3
    # the no-data fill is a hatch pattern defined in the same SVG
    svg = choropleth_svg(values, title="t", names=NAMES, id_prefix="m2")
    assert 'id="m2-nd"' in svg and 'fill="url(#m2-nd)"' in svg


def test_few_distinct_values_still_spread_light_to_dark() -> None:
    paths = _by_code(choropleth_svg({"CN": 3, "KZ": 3, "RU": 1}, title="t", names=NAMES))
    assert paths["RU"].get("class") == "ch-1" and paths["CN"].get("class") == "ch-2"
    assert paths["RU"].get("fill") == RAMP[1] and paths["CN"].get("fill") == RAMP[4]


def test_class_breaks() -> None:
    assert class_breaks({}) == ()
    assert class_breaks({"A": 0, "B": 0}) == ()
    assert class_breaks({"A": 1, "B": 2, "C": 2}) == (1, 2)
    breaks = class_breaks({c: float(i) for i, c in enumerate("ABCDEFGHIJ", start=1)})
    assert breaks == (2, 4, 6, 8, 10)
    with pytest.raises(ValueError):
        class_breaks({"A": 1}, classes=9)


def test_legend_lists_no_data_zero_and_ranges() -> None:
    values = {"CN": 100, "RU": 50, "KZ": 20, "UZ": 10, "HU": 5, "GE": 0}
    root = ET.fromstring(choropleth_svg(values, title="t", names=NAMES))
    legend = next(g for g in root.iter(f"{SVG}g") if g.get("class") == "legend")
    texts = [t.text for t in legend.iter(f"{SVG}text")]
    assert texts == ["Articles:", "No data", "0", "1–5", "6–10", "11–20", "21–50", "51–100"]
    assert legend.get("fill") == "#222222"


def test_empty_values_draw_everything_as_no_data() -> None:
    svg = choropleth_svg({}, title="Nothing yet", names=NAMES)
    paths = _by_code(svg)
    assert {p.get("class") for p in paths.values()} == {"ch-nd"}
    assert "No articles in any country." in svg


def test_hostile_names_and_titles_are_escaped() -> None:
    evil = '<script>alert("x")</script>&'
    names = {"KZ": evil}
    svg = choropleth_svg({"KZ": 3}, title=evil, description=evil, names=names, id_prefix='"><x')
    root = ET.fromstring(svg)  # still well-formed
    assert "<script" not in svg
    assert root.find(f"{SVG}title").text == evil  # type: ignore[union-attr]
    assert _by_code(svg)["KZ"].find(f"{SVG}title").text == f"{evil}: 3 articles"  # type: ignore[union-attr]
    table = choropleth_table({"KZ": 3}, caption=evil, names=names)
    assert "<script" not in table and "&lt;script&gt;" in table


@pytest.mark.parametrize("bad", [-1.0, float("nan"), float("inf")])
def test_bad_values_are_refused(bad: float) -> None:
    with pytest.raises(ValueError, match="KZ"):
        choropleth_svg({"KZ": bad}, title="t", names=NAMES)


def test_table_lists_largest_first_and_figure_holds_both() -> None:
    values = {"KZ": 12, "CN": 40, "GE": 0, "HU": 12}
    table = choropleth_table(values, caption="Articles by country", names=NAMES)
    root = ET.fromstring(table)
    rows = [(r.find("th").text, r.find("td").text) for r in root.iter("tr") if r.find("td") is not None]  # type: ignore[union-attr]
    assert rows == [("China", "40"), ("Hungary", "12"), ("Kazakhstan", "12"), ("Georgia", "0")]
    many = choropleth_table({"KZ": 2, "GE": 0, "HU": 0, "RU": 0}, caption="c", names=NAMES)
    assert "3 other countries" in many and 'title="Georgia, Hungary, Russia"' in many
    assert "No data for this window." in choropleth_table({}, caption="c", names=NAMES)
    assert "(not on the map)" in choropleth_table({"US": 3}, caption="c", names={"US": "United States"})
    assert "(not on the map)" not in table
    figure = choropleth_figure(values, title="Articles by country", names=NAMES)
    assert figure.startswith("<figure") and "<svg" in figure and "<table" in figure
    assert "Natural Earth" in figure
