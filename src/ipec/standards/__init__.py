"""Child labour standards as versioned data: the profiles and their loader.

Rule: this package holds no classification logic, only the model of a profile, its validation
and the shipped profile files (``profiles/*.toml``). ``ipec.classify`` applies them.
"""

from ipec.standards.codes import HAZARD_CONDITIONS
from ipec.standards.loader import (
    load_profile,
    load_profile_file,
    parse_profile,
    shipped_profile_ids,
)
from ipec.standards.model import (
    AgeBand,
    Ages,
    Chores,
    ChoresBand,
    Economic,
    Hazards,
    Label,
    NationalHazard,
    Operator,
    Profile,
    WaterFirewood,
)

__all__ = [
    "HAZARD_CONDITIONS",
    "AgeBand",
    "Ages",
    "Chores",
    "ChoresBand",
    "Economic",
    "Hazards",
    "Label",
    "NationalHazard",
    "Operator",
    "Profile",
    "WaterFirewood",
    "load_profile",
    "load_profile_file",
    "parse_profile",
    "shipped_profile_ids",
]
