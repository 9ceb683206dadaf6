"""The part of the SDG data structure that ipec writes SDG 8.7.1 to, built here from facts.

SDG indicators are exchanged in SDMX with one data structure for every indicator: agency
``IAEG-SDGs``, id ``SDG``. ipec builds the parts it needs in code, so writing never needs the
network. Every fact below was read from version 1.14 of that structure, as the SDMX Global
Registry serves it (``datastructure/IAEG-SDGs/SDG/latest``, with its code lists; snapshot of
2023-08-20), and agrees with the IAEG-SDGs "Guidelines for the Global Data Structure
Definition for Sustainable Development Goals Indicators" (DSD 1.6, Oct 2021):

- the 15 dimensions in key order, then ``TIME_PERIOD`` (ObservationalTimePeriod), and the
  primary measure ``OBS_VALUE`` (Double);
- every attribute with its assignment status (``OBS_STATUS``, ``UNIT_MULT`` and
  ``UNIT_MEASURE`` mandatory, the rest conditional) and attachment (the observation, or the
  series: all 15 dimensions);
- the code list (agency, id, version) of each coded component.

The code lists here are subsets: the codes ipec writes and a few neighbours, with the names
the registry gives them. The SDG 8.7.1 series are ``SL_TLF_CHLDEC`` (economic activity and
household chores, ipec profile ``sdg-8.7.1``) and ``SL_TLF_CHLDEA`` (economic activity,
``sdg-8.7.1-econ``). The age code list (CL_AGE 1.12) has 5-17, 5-14, 12-14 and 15-17 but no
code for 5-11, so that age group cannot be written. Reference areas are in
:mod:`ipec.survey.sdg_areas`.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from types import MappingProxyType
from typing import TYPE_CHECKING

import polars as pl

from ipec.errors import DataError
from ipec.survey.sdg_areas import ref_areas

if TYPE_CHECKING:
    from pysdmx.model import Codelist, ConceptScheme, DataStructureDefinition

__all__ = [
    "AGE_CODES",
    "ATTRIBUTES",
    "DIMENSIONS",
    "DSD_AGENCY",
    "DSD_ID",
    "DSD_VERSION",
    "PROFILE_SERIES",
    "SERIES_CODES",
    "Attribute",
    "CodeList",
    "check_observations",
    "sdg_codelists",
    "sdg_concepts",
    "sdg_structure",
]

DSD_AGENCY = "IAEG-SDGs"
DSD_ID = "SDG"
DSD_VERSION = "1.14"
_CONCEPTS = ("SDG_CONCEPTS", "1.0")


@dataclass(frozen=True, slots=True)
class CodeList:
    """A code list as the data structure references it, with the codes ipec may write."""

    agency: str
    id: str
    version: str
    name: str
    codes: Mapping[str, str]


def _codes(**codes: str) -> MappingProxyType[str, str]:
    return MappingProxyType(codes)


def _no_breakdown(cl_id: str, version: str, name: str, total: str) -> CodeList:
    return CodeList(DSD_AGENCY, cl_id, version, name, MappingProxyType({"_T": total}))


#: The SDG 8.7.1 proportions, with their names in CL_SERIES 1.14.
SERIES_CODES: Mapping[str, str] = MappingProxyType(
    {
        "SL_TLF_CHLDEC": "Proportion of children engaged in economic activity and household "
        "chores [8.7.1]",
        "SL_TLF_CHLDEA": "Proportion of children engaged in economic activity [8.7.1]",
    }
)
#: The ipec profile that estimates each series.
PROFILE_SERIES: Mapping[str, str] = MappingProxyType(
    {"sdg-8.7.1": "SL_TLF_CHLDEC", "sdg-8.7.1-econ": "SL_TLF_CHLDEA"}
)
#: ipec's age levels and their CL_AGE 1.12 codes (5-11 has none).
AGE_CODES: Mapping[str, str] = MappingProxyType(
    {"5-17": "Y5T17", "5-14": "Y5T14", "12-14": "Y12T14", "15-17": "Y15T17"}
)
_AGE_NAMES = {
    "Y5T17": "5 to 17 years old",
    "Y5T14": "5 to 14 years old",
    "Y12T14": "12 to 14 years old",
    "Y15T17": "15 to 17 years old",
}


@cache
def _area_list() -> CodeList:
    codes = {area.code: area.name for area in ref_areas()}
    return CodeList(
        DSD_AGENCY, "CL_AREA", "1.14", "SDG reference area code list", MappingProxyType(codes)
    )


_STATIC_DIMENSIONS: tuple[tuple[str, CodeList | None], ...] = (
    ("FREQ", CodeList("SDMX", "CL_FREQ", "2.0", "Frequency", _codes(A="Annual"))),
    (
        "REPORTING_TYPE",
        CodeList(
            DSD_AGENCY,
            "CL_REPORTING_TYPE",
            "1.0",
            "Reporting type code list",
            _codes(G="Global", R="Regional", N="National"),
        ),
    ),
    ("SERIES", CodeList(DSD_AGENCY, "CL_SERIES", "1.14", "SDG Series Code List", SERIES_CODES)),
    ("REF_AREA", None),  # CL_AREA 1.14, the countries of ipec.survey.sdg_areas
    (
        "SEX",
        CodeList(
            DSD_AGENCY,
            "CL_SEX",
            "1.1",
            "Sex code list",
            MappingProxyType(
                {"_T": "Both sexes or no breakdown by sex", "F": "Female", "M": "Male"}
            ),
        ),
    ),
    (
        "AGE",
        CodeList(
            DSD_AGENCY, "CL_AGE", "1.12", "SDG age group code list", MappingProxyType(_AGE_NAMES)
        ),
    ),
    (
        "URBANISATION",
        CodeList(
            DSD_AGENCY,
            "CL_URBANISATION",
            "1.10",
            "Degree of urbanisation code list",
            MappingProxyType({"_T": "Total", "U": "Urban", "R": "Rural"}),
        ),
    ),
    (
        "INCOME_WEALTH_QUANTILE",
        CodeList(
            DSD_AGENCY,
            "CL_QUANTILE",
            "1.1",
            "Income/wealth quantile code list",
            MappingProxyType(
                {
                    "_T": "Total (national average) or no breakdown",
                    "Q1": "Quintile 1 (poorest)",
                    "Q2": "Quintile 2",
                    "Q3": "Quintile 3",
                    "Q4": "Quintile 4",
                    "Q5": "Quintile 5 (richest)",
                }
            ),
        ),
    ),
    (
        "EDUCATION_LEV",
        _no_breakdown(
            "CL_EDUCATION_LEV",
            "1.10",
            "SDG Education Level code list",
            "Total or no breakdown by education level",
        ),
    ),
    (
        "OCCUPATION",
        _no_breakdown(
            "CL_OCCUPATION",
            "1.8",
            "SDG Occupation code list",
            "All occupations or no breakdown by Occupation",
        ),
    ),
    (
        "CUST_BREAKDOWN",
        _no_breakdown(
            "CL_CUST_BREAKDOWN", "1.14", "SDG custom breakdown code list", "No breakdown"
        ),
    ),
    (
        "COMPOSITE_BREAKDOWN",
        _no_breakdown(
            "CL_COMP_BREAKDOWN", "1.14", "SDG composite breakdown code list", "No breakdown"
        ),
    ),
    (
        "DISABILITY_STATUS",
        CodeList(
            DSD_AGENCY,
            "CL_DISABILITY",
            "1.0",
            "Disability status code list",
            _codes(
                _T="No breakdown", PD="Persons with disability", PWD="Persons without disability"
            ),
        ),
    ),
    (
        "ACTIVITY",
        _no_breakdown("CL_ACTIVITY", "1.6", "Economic activity code list", "No breakdown"),
    ),
    (
        "PRODUCT",
        _no_breakdown("CL_PRODUCT", "1.0", "SDG Type of product code list", "No breakdown"),
    ),
)


def _dimensions() -> tuple[tuple[str, CodeList], ...]:
    return tuple((name, codes or _area_list()) for name, codes in _STATIC_DIMENSIONS)


#: The 15 dimensions of the key, in order, with their code lists (TIME_PERIOD follows them).
DIMENSIONS: tuple[str, ...] = tuple(name for name, _ in _STATIC_DIMENSIONS)


@dataclass(frozen=True, slots=True)
class Attribute:
    """An attribute of the data structure: mandatory or conditional, attached to the
    observation or to the series (all dimensions), coded or free (text, number, date)."""

    id: str
    required: bool
    series: bool
    codes: CodeList | None = None
    kind: str = "text"  # "text", "number" or "date" when not coded


#: Every attribute of the data structure, in its order.
ATTRIBUTES: tuple[Attribute, ...] = (
    Attribute(
        "OBS_STATUS",
        True,
        False,
        CodeList(
            "SDMX",
            "CL_OBS_STATUS",
            "2.1",
            "Observation Status",
            _codes(A="Normal value", E="Estimated value", U="Low reliability"),
        ),
    ),
    Attribute(
        "UNIT_MULT",
        True,
        False,
        CodeList(
            "SDMX", "CL_UNIT_MULT", "1.1", "Unit Multiplier", MappingProxyType({"0": "Units"})
        ),
    ),
    Attribute(
        "UNIT_MEASURE",
        True,
        True,
        CodeList(
            DSD_AGENCY,
            "CL_UNIT_MEASURE",
            "1.8",
            "SDG Unit of Measure code list",
            _codes(PT="Percent"),
        ),
    ),
    Attribute("BASE_PER", False, False, kind="date"),
    Attribute(
        "NATURE",
        False,
        False,
        CodeList(
            DSD_AGENCY,
            "CL_NATURE",
            "1.0",
            "Nature code list",
            MappingProxyType(
                {
                    "C": "Country Data",
                    "CA": "Country Adjusted",
                    "E": "Estimated",
                    "G": "Global monitoring data",
                    "M": "Modeled",
                    "N": "Non-relevant",
                    "_X": "Not Available",
                }
            ),
        ),
    ),
    Attribute("TIME_DETAIL", False, False),
    Attribute("COMMENT_OBS", False, False),
    Attribute("TIME_COVERAGE", False, False, kind="date"),
    Attribute("UPPER_BOUND", False, False, kind="number"),
    Attribute("LOWER_BOUND", False, False, kind="number"),
    Attribute("SOURCE_DETAIL", False, False),
    Attribute("COMMENT_TS", False, True),
    Attribute("GEO_INFO_URL", False, True),
    Attribute(
        "GEO_INFO_TYPE",
        False,
        True,
        CodeList(
            DSD_AGENCY,
            "CL_GEO_INFO_TYPE",
            "1.0",
            "Geoinformation type code list",
            MappingProxyType(
                {
                    "GML": "Geography Markup Language",
                    "GMLJP2": "GML in JPEG 2000 for Geographic Imagery",
                    "KML_2_2": "KML version 2.2",
                    "GeoJSON_1_1": "GeoJSON version 1.0",
                }
            ),
        ),
    ),
    Attribute("CUST_BREAKDOWN_LB", False, True),
    Attribute("DATA_LAST_UPDATE", False, True, kind="date"),
)

#: The concepts of SDG_CONCEPTS 1.0 ipec uses, with their names.
_CONCEPT_NAMES: Mapping[str, str] = MappingProxyType(
    {
        "FREQ": "Frequency of observation",
        "REPORTING_TYPE": "Reporting type",
        "SERIES": "SDG Series",
        "REF_AREA": "Reference area",
        "SEX": "Sex",
        "AGE": "Age",
        "URBANISATION": "Degree of urbanisation",
        "INCOME_WEALTH_QUANTILE": "Income or wealth quantile",
        "EDUCATION_LEV": "Education level",
        "OCCUPATION": "Occupation",
        "CUST_BREAKDOWN": "Custom Breakdown",
        "COMPOSITE_BREAKDOWN": "Composite breakdown",
        "DISABILITY_STATUS": "Disability status",
        "ACTIVITY": "Economic activity",
        "PRODUCT": "Type of product",
        "TIME_PERIOD": "Time period",
        "OBS_VALUE": "Observation value",
        "OBS_STATUS": "Observation status",
        "UNIT_MULT": "Unit multiplier",
        "UNIT_MEASURE": "Unit of measure",
        "BASE_PER": "Base period",
        "NATURE": "Nature of data points",
        "TIME_DETAIL": "Time period details",
        "COMMENT_OBS": "Observation-level footnotes",
        "TIME_COVERAGE": "Time period or range (ISO8601)",
        "UPPER_BOUND": "Upper bound value",
        "LOWER_BOUND": "Lower bound value",
        "SOURCE_DETAIL": "Source details",
        "COMMENT_TS": "Time series-level footnotes",
        "GEO_INFO_URL": "Geoinformation URL",
        "GEO_INFO_TYPE": "Geoinformation type",
        "CUST_BREAKDOWN_LB": "Label for custom breakdown",
        "DATA_LAST_UPDATE": "Date of the most recent change of the series.",
    }
)


def _concept_urn(concept_id: str) -> str:
    scheme, version = _CONCEPTS
    return (
        "urn:sdmx:org.sdmx.infomodel.conceptscheme.Concept="
        f"{DSD_AGENCY}:{scheme}({version}).{concept_id}"
    )


def _pysdmx_codelist(codes: CodeList) -> Codelist:
    from pysdmx.model import Code, Codelist

    return Codelist(
        id=codes.id,
        agency=codes.agency,
        version=codes.version,
        name=codes.name,
        is_final=True,
        items=[Code(id=code, name=name) for code, name in codes.codes.items()],
    )


@cache
def sdg_codelists() -> tuple[Codelist, ...]:
    """The code lists of :func:`sdg_structure` (the subsets ipec writes), once each."""
    lists = [codes for _, codes in _dimensions()]
    lists += [a.codes for a in ATTRIBUTES if a.codes is not None]
    return tuple(_pysdmx_codelist(codes) for codes in lists)


def sdg_concepts() -> ConceptScheme:
    """The concepts of the data structure (SDG_CONCEPTS 1.0, the ones ipec uses)."""
    from pysdmx.model import Concept, ConceptScheme

    scheme, version = _CONCEPTS
    return ConceptScheme(
        id=scheme,
        agency=DSD_AGENCY,
        version=version,
        name="SDG Concepts",
        items=[
            Concept(id=cid, name=name, urn=_concept_urn(cid))
            for cid, name in _CONCEPT_NAMES.items()
        ],
    )


@cache
def sdg_structure() -> DataStructureDefinition:
    """The SDG data structure (IAEG-SDGs:SDG 1.14) with ipec's code-list subsets, as a
    ``pysdmx`` object: what the SDMX writers and :func:`check_observations` use."""
    from pysdmx.model import (
        Component,
        Components,
        Concept,
        DataStructureDefinition,
        DataType,
        Role,
    )

    def concept(cid: str) -> Concept:
        return Concept(id=cid, name=_CONCEPT_NAMES[cid], urn=_concept_urn(cid))

    components = [
        Component(
            id=name,
            required=True,
            role=Role.DIMENSION,
            concept=concept(name),
            local_codes=_pysdmx_codelist(codes),
        )
        for name, codes in _dimensions()
    ]
    components.append(
        Component(
            id="TIME_PERIOD",
            required=True,
            role=Role.DIMENSION,
            concept=concept("TIME_PERIOD"),
            local_dtype=DataType.PERIOD,
        )
    )
    components.append(
        Component(
            id="OBS_VALUE",
            required=True,
            role=Role.MEASURE,
            concept=concept("OBS_VALUE"),
            local_dtype=DataType.DOUBLE,
        )
    )
    kinds = {"text": DataType.STRING, "number": DataType.DOUBLE, "date": DataType.DATE_TIME}
    for attribute in ATTRIBUTES:
        components.append(
            Component(
                id=attribute.id,
                required=attribute.required,
                role=Role.ATTRIBUTE,
                concept=concept(attribute.id),
                local_codes=(
                    _pysdmx_codelist(attribute.codes) if attribute.codes is not None else None
                ),
                local_dtype=None if attribute.codes is not None else kinds[attribute.kind],
                attachment_level=",".join(DIMENSIONS) if attribute.series else "O",
            )
        )
    return DataStructureDefinition(
        id=DSD_ID,
        agency=DSD_AGENCY,
        version=DSD_VERSION,
        name="SDG DSD",
        is_final=True,
        components=Components(components),
    )


def _bad_values(frame: pl.DataFrame, column: str, allowed: Mapping[str, str]) -> list[str]:
    values = frame.get_column(column).drop_nulls().unique().sort().to_list()
    return [str(v) for v in values if str(v) not in allowed]


def check_observations(frame: pl.DataFrame, source: str = "SDG observations") -> None:
    """Refuse observations the data structure does not allow: a missing dimension, a value
    outside its code list, a missing mandatory attribute, a non-finite value or two
    observations with the same key. Run before writing and on what was written, read back.
    """
    wanted = [*DIMENSIONS, "TIME_PERIOD", "OBS_VALUE"]
    wanted += [a.id for a in ATTRIBUTES if a.required]
    missing = [column for column in wanted if column not in frame.columns]
    if missing:
        raise DataError(f"no column {', '.join(missing)}", source=source, column=missing[0])
    for name, codes in _dimensions():
        if frame.get_column(name).null_count():
            raise DataError("a dimension has no value", source=source, column=name)
        bad = _bad_values(frame, name, codes.codes)
        if bad:
            raise DataError(
                f"{', '.join(bad)} not in code list {codes.agency}:{codes.id}({codes.version})",
                source=source,
                column=name,
            )
    for attribute in ATTRIBUTES:
        if attribute.id not in frame.columns:
            continue
        if attribute.required and frame.get_column(attribute.id).null_count():
            raise DataError("a mandatory attribute has no value", source=source,
                            column=attribute.id)  # fmt: skip
        if attribute.codes is not None:
            bad = _bad_values(frame, attribute.id, attribute.codes.codes)
            if bad:
                raise DataError(
                    f"{', '.join(bad)} not in code list {attribute.codes.id}",
                    source=source,
                    column=attribute.id,
                )
    periods = frame.get_column("TIME_PERIOD").cast(pl.String)
    if not periods.str.contains(r"^\d{4}$").all():
        raise DataError("TIME_PERIOD must be a year (FREQ A)", source=source, column="TIME_PERIOD")
    values = frame.get_column("OBS_VALUE").cast(pl.Float64).to_list()
    if not all(v is not None and math.isfinite(v) for v in values):
        raise DataError("an observation has no finite value", source=source, column="OBS_VALUE")
    key = [*DIMENSIONS, "TIME_PERIOD"]
    if frame.select(key).is_duplicated().any():
        raise DataError("two observations have the same key", source=source)
