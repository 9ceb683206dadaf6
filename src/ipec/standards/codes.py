"""Code lists a profile may refer to: hazardous conditions, ISIC Rev.4 and ISCO-08 codes.

ISIC Rev.4 sections and their divisions are from the UN Statistics Division's International
Standard Industrial Classification of All Economic Activities, Revision 4 (2008).
ISCO-08 major groups 0-9 are from the ILO International Standard Classification of
Occupations 2008.
"""

from __future__ import annotations

import re

__all__ = [
    "HAZARD_CONDITIONS",
    "ISIC4_SECTION_DIVISIONS",
    "is_isco08_code",
    "is_isic4_code",
    "isco08_listed",
    "isic4_listed",
    "isic4_section_of_division",
]

#: Hazardous-condition flags of the canonical child record (``haz_<name>``), after ILO R190
#: para. 3 and the MICS6 questionnaire items CL4-CL6X.
HAZARD_CONDITIONS: tuple[str, ...] = (
    "heavy_loads",
    "dangerous_tools",
    "dust_fumes",
    "extreme_temperature",
    "noise_vibration",
    "heights",
    "chemicals",
    "other",
    "night_work",
    "abuse",
    "underground_confined",
)

#: ISIC Rev.4 section letter -> inclusive range of its two-digit divisions.
ISIC4_SECTION_DIVISIONS: dict[str, tuple[int, int]] = {
    "A": (1, 3),
    "B": (5, 9),
    "C": (10, 33),
    "D": (35, 35),
    "E": (36, 39),
    "F": (41, 43),
    "G": (45, 47),
    "H": (49, 53),
    "I": (55, 56),
    "J": (58, 63),
    "K": (64, 66),
    "L": (68, 68),
    "M": (69, 75),
    "N": (77, 82),
    "O": (84, 84),
    "P": (85, 85),
    "Q": (86, 88),
    "R": (90, 93),
    "S": (94, 96),
    "T": (97, 98),
    "U": (99, 99),
}

_DIGITS = re.compile(r"^\d{2,4}$")
_ISCO = re.compile(r"^\d{1,4}$")


def isic4_section_of_division(division: int) -> str | None:
    """The section letter of a two-digit ISIC Rev.4 division, or None if no section has it."""
    for section, (first, last) in ISIC4_SECTION_DIVISIONS.items():
        if first <= division <= last:
            return section
    return None


def is_isic4_code(code: str) -> bool:
    """True for a section letter (A-U) or a 2-4 digit code whose division exists."""
    code = code.strip().upper()
    if code in ISIC4_SECTION_DIVISIONS:
        return True
    return bool(_DIGITS.match(code)) and isic4_section_of_division(int(code[:2])) is not None


def is_isco08_code(code: str) -> bool:
    """True for a 1-4 digit ISCO-08 group code (major groups 0-9 all exist)."""
    return bool(_ISCO.match(code.strip()))


def isic4_listed(value: str, listed: tuple[str, ...]) -> bool:
    """A child's ISIC Rev.4 value (a section letter or a 2-4 digit code) falls in ``listed``.

    ``listed`` holds section letters and numeric prefixes, as a profile's ``industries``.
    """
    code = value.strip().upper()
    if not code:
        return False
    if code.isalpha():
        return code in listed
    if any(code.startswith(prefix) for prefix in listed if prefix.isdigit()):
        return True
    if len(code) < 2 or not code[:2].isdigit():
        return False
    return isic4_section_of_division(int(code[:2])) in listed


def isco08_listed(value: str, listed: tuple[str, ...]) -> bool:
    """A child's ISCO-08 code falls under one of the ``listed`` group codes."""
    code = value.strip()
    return bool(code) and any(code.startswith(prefix) for prefix in listed)
