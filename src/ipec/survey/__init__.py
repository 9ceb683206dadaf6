"""Design-based estimation for complex survey data, reproducing R package ``survey``.

Build a :class:`SurveyDesign` (or :class:`ReplicateDesign`) from column names and call
:func:`estimate` with indicators (:class:`Mean`, :class:`Proportion`, :class:`Total`,
:class:`Ratio`) and domains; the :class:`SurveyResult` gives a tidy Polars frame.
"""

from ipec.survey.calibrate import (
    Calibration,
    PostStratify,
    Rake,
    calibrated_estimate,
    calibrated_weights,
)
from ipec.survey.design import LonelyPsu, ReplicateDesign, ReplicateType, SurveyDesign
from ipec.survey.domains import DomainSpec
from ipec.survey.estimate import DfMethod, estimate
from ipec.survey.flags import FlagRule
from ipec.survey.indicators import Indicator, Mean, Proportion, Ratio, Total
from ipec.survey.intervals import CiMethod
from ipec.survey.make_replicates import replicate_weights
from ipec.survey.quantiles import quantiles
from ipec.survey.result import COLUMNS, SurveyResult

__all__ = [
    "COLUMNS",
    "Calibration",
    "CiMethod",
    "DfMethod",
    "DomainSpec",
    "FlagRule",
    "Indicator",
    "LonelyPsu",
    "Mean",
    "PostStratify",
    "Proportion",
    "Rake",
    "Ratio",
    "ReplicateDesign",
    "ReplicateType",
    "SurveyDesign",
    "SurveyResult",
    "Total",
    "calibrated_estimate",
    "calibrated_weights",
    "estimate",
    "quantiles",
    "replicate_weights",
]
