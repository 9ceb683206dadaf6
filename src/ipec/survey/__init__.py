"""Design-based estimation for complex survey data, reproducing R package ``survey``.

Build a :class:`SurveyDesign` (or :class:`ReplicateDesign`) from column names and call
:func:`estimate` with indicators (:class:`Mean`, :class:`Proportion`, :class:`Total`,
:class:`Ratio`) and domains; the :class:`SurveyResult` gives a tidy Polars frame.
"""

from ipec.survey.design import LonelyPsu, ReplicateDesign, ReplicateType, SurveyDesign
from ipec.survey.domains import DomainSpec
from ipec.survey.estimate import DfMethod, estimate
from ipec.survey.flags import FlagRule
from ipec.survey.indicators import Indicator, Mean, Proportion, Ratio, Total
from ipec.survey.intervals import CiMethod
from ipec.survey.result import COLUMNS, SurveyResult

__all__ = [
    "COLUMNS",
    "CiMethod",
    "DfMethod",
    "DomainSpec",
    "FlagRule",
    "Indicator",
    "LonelyPsu",
    "Mean",
    "Proportion",
    "Ratio",
    "ReplicateDesign",
    "ReplicateType",
    "SurveyDesign",
    "SurveyResult",
    "Total",
    "estimate",
]
