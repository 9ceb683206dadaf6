"""Variable maps: how a survey's raw variables and codes become the canonical child record.

Rule: maps are data files (``*.toml``); this package holds their model and loader only.
"""

from ipec.survey.maps.loader import load_map, shipped_map_ids
from ipec.survey.maps.model import DomainVariable, SurveyMap

__all__ = ["DomainVariable", "SurveyMap", "load_map", "shipped_map_ids"]
