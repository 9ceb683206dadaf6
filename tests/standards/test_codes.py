"""ISIC Rev.4 and ISCO-08 code checks (UN ISIC Rev.4 section/division table; ILO ISCO-08)."""

from __future__ import annotations

import pytest

from ipec.standards.codes import is_isco08_code, is_isic4_code, isic4_section_of_division


@pytest.mark.parametrize(
    ("division", "section"),
    [
        (1, "A"),
        (3, "A"),
        (4, None),
        (5, "B"),
        (9, "B"),
        (10, "C"),
        (33, "C"),
        (34, None),
        (41, "F"),
        (43, "F"),
        (44, None),
        (99, "U"),
        (0, None),
    ],
)
def test_section_of_division(division: int, section: str | None) -> None:
    assert isic4_section_of_division(division) == section


@pytest.mark.parametrize(
    ("code", "valid"),
    [
        ("B", True),
        ("f", True),
        ("V", False),
        ("05", True),
        ("0510", True),
        ("04", False),
        ("4", False),
        ("05101", False),
        ("", False),
    ],
)
def test_isic_codes(code: str, valid: bool) -> None:
    assert is_isic4_code(code) is valid


@pytest.mark.parametrize(
    ("code", "valid"), [("8", True), ("81", True), ("8111", True), ("81111", False), ("8a", False)]
)
def test_isco_codes(code: str, valid: bool) -> None:
    assert is_isco08_code(code) is valid
