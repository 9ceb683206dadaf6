"""Boundaries from a GeoJSON file, by area code, for maps drawn from the command line.

The file is the one ``ipec areas import`` reads: a FeatureCollection whose features have a
``code`` property (another property may be named) and a Polygon or MultiPolygon geometry in
longitude and latitude degrees. Every bad feature is named at once.
"""

from __future__ import annotations

import json
from pathlib import Path

from ipec.errors import DataError
from ipec.maps.geometry import boundary_problem

__all__ = ["read_boundaries"]

_LISTED = 5


def read_boundaries(path: Path, *, code_property: str = "code") -> dict[str, str]:
    """Each feature's code -> its geometry as GeoJSON text; a file with a bad feature (no
    code, a code twice, a geometry that is missing, invalid or not in degrees) is refused with
    every bad feature named."""
    source = path.name
    if not path.is_file():
        raise DataError("no such file", source=str(path))
    try:
        document = json.loads(path.read_bytes())
    except (UnicodeDecodeError, json.JSONDecodeError) as error:
        raise DataError(f"not GeoJSON: {error}", source=source) from None
    features = document.get("features") if isinstance(document, dict) else None
    if not isinstance(features, list) or document.get("type") != "FeatureCollection":
        raise DataError("not a GeoJSON FeatureCollection", source=source)
    found: dict[str, str] = {}
    problems: list[str] = []
    for number, feature in enumerate(features, start=1):
        properties = feature.get("properties") if isinstance(feature, dict) else None
        code = properties.get(code_property) if isinstance(properties, dict) else None
        if isinstance(code, float) and code.is_integer():
            code = int(code)
        if not isinstance(code, (str, int)) or isinstance(code, bool) or not str(code).strip():
            problems.append(f"feature {number}: no {code_property!r} property")
            continue
        code = str(code).strip()
        geometry = feature.get("geometry")
        problem = (
            "has no geometry" if not isinstance(geometry, dict) else boundary_problem(geometry)
        )
        if problem is not None:
            problems.append(f"feature {number} ({code}): {problem}")
        elif code in found:
            problems.append(f"feature {number} ({code}): the code is given twice")
        else:
            found[code] = json.dumps(geometry, separators=(",", ":"))
    if problems:
        listed = "; ".join(problems[:_LISTED])
        more = f"; and {len(problems) - _LISTED} more" if len(problems) > _LISTED else ""
        raise DataError(f"{len(problems)} bad feature(s): {listed}{more}", source=source,
                        hint="correct every feature named")  # fmt: skip
    return found
