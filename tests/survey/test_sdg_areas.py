"""Reference areas: M49 and ISO alpha-3 codes of countries, checked against Unicode CLDR
(the territory aliases babel ships) as an independent source."""

from __future__ import annotations

import pytest
from babel.core import get_global

from ipec.errors import DataError
from ipec.survey.sdg_areas import ref_area, ref_areas


@pytest.mark.parametrize(
    ("given", "code"),
    [("GHA", "288"), ("gha", "288"), ("288", "288"), ("ZWE", "716"), ("004", "4"), ("AFG", "4"),
     ("SDN", "729"), ("729", "729"), ("412", "412"), (" KEN ", "404")],
)  # fmt: skip
def test_codes_are_found(given: str, code: str) -> None:
    assert ref_area(given).code == code


@pytest.mark.parametrize("given", ["736", "GH", "1", "002", "XKX", "ZZZ", "", "-4"])
def test_other_codes_are_refused(given: str) -> None:
    with pytest.raises(DataError, match="M49 code \\(Ghana: 288\\) or ISO alpha-3 code \\(GHA\\)"):
        ref_area(given)


def test_table_agrees_with_cldr() -> None:
    """Each country's alpha-3 and numeric codes are CLDR aliases of the same alpha-2 code."""
    aliases = get_global("territory_aliases")
    areas = ref_areas()
    assert len(areas) == 250
    assert len({a.code for a in areas}) == len(areas)
    for area in areas:
        if area.code == "412":  # Kosovo: in CL_AREA, not in ISO 3166-1
            assert area.alpha3 == ""
            continue
        by_alpha3 = aliases[area.alpha3]
        by_number = aliases[f"{int(area.code):03d}"]
        assert len(by_alpha3) == 1, area
        assert by_alpha3 == by_number, area
