"""A map of the Americas as SVG paths (no tiles, no script): the vendored
boundaries (`static/geo/americas.geo.json`, see its README) in an equirectangular
projection with standard parallel 20°. Screens colour countries by class and
always put a table with the same figures beside the map."""

from __future__ import annotations

import json
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import cache
from typing import Any, Final

from puente.web.templating import WEB_DIR

GEO_PATH: Final = WEB_DIR / "static" / "geo" / "americas.geo.json"
_LON0, _LAT0, _SCALE = -170.0, 84.0, 4.0
_KX: Final = math.cos(math.radians(20)) * _SCALE
MAP_WIDTH: Final = round((-30 - _LON0) * _KX)
MAP_HEIGHT: Final = round((_LAT0 + 57) * _SCALE)


def _project(lon: float, lat: float) -> tuple[float, float]:
    return round((lon - _LON0) * _KX, 1), round((_LAT0 - lat) * _SCALE, 1)


@cache
def country_paths() -> tuple[tuple[str, str], ...]:
    """(ISO3, SVG path) for each country in the vendored file."""
    raw: dict[str, Any] = json.loads(GEO_PATH.read_text(encoding="utf-8"))
    out: list[tuple[str, str]] = []
    for feature in raw["features"]:
        parts: list[str] = []
        for polygon in feature["geometry"]["coordinates"]:
            for ring in polygon:
                points = [_project(lon, lat) for lon, lat in ring]
                parts.append("M" + "L".join(f"{x:g},{y:g}" for x, y in points) + "Z")
        out.append((str(feature["id"]), "".join(parts)))
    return tuple(out)


@cache
def english_names() -> dict[str, str]:
    """ISO3 -> the vendored file's English name (a fallback for a country our
    labels do not name)."""
    raw: dict[str, Any] = json.loads(GEO_PATH.read_text(encoding="utf-8"))
    return {str(f["id"]): str(f["properties"]["name"]) for f in raw["features"]}


@dataclass(frozen=True, slots=True)
class MapCountry:
    code: str
    path: str
    value: float | None
    level: int  # 0 = no value, 1..len(breaks)+1 by class
    label: str  # the value in words, for the tooltip and the accessible name


def classify(value: float | None, breaks: Sequence[float]) -> int:
    if value is None:
        return 0
    return 1 + sum(1 for b in breaks if value >= b)


def shade(
    values: Mapping[str, float | None],
    breaks: Sequence[float],
    labels: Mapping[str, str],
) -> list[MapCountry]:
    """Every vendored country with its class; countries with a value last, so
    their outline is drawn on top."""
    rows = [
        MapCountry(
            code,
            path,
            values.get(code),
            classify(values.get(code), breaks),
            labels.get(code, ""),
        )
        for code, path in country_paths()
    ]
    return sorted(rows, key=lambda row: (row.level > 0, row.level))
