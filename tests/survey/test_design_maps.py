"""Every design key of a variable map, honoured by ``ipec survey estimate`` and checked against
R survey 4.1.1 (``reference/designs/make_designs.R``): fpc at both stages as population
counts or fractions, second-stage units, nesting, and replicate designs' per-domain degrees of
freedom and logit, xlogit and beta intervals."""

from __future__ import annotations

import math
from collections.abc import Callable
from pathlib import Path

import polars as pl
import pytest

from ipec.cli.main import run
from ipec.errors import DataError
from ipec.standards import load_profile
from ipec.survey.analysis import EstimateOptions, estimate_survey
from ipec.survey.design import SurveyDesign
from ipec.survey.estimate import estimate
from ipec.survey.indicators import Mean
from ipec.survey.mapping import map_survey
from ipec.survey.maps import load_map
from ipec.survey.readers import open_survey

REF = Path(__file__).parent / "reference" / "designs"
ESTIMATE_REL = 1e-12
INTERVAL_REL = 1e-9
# svyciprop(method = "logit") on a replicate design refits every replicate by IRLS, which
# stops at glm's tolerance: its interval ends differ from the same interval computed without
# iteration (make_designs.R's logit_exact) by up to 1.6e-8 relative in these designs, and
# R's fit fails outright (an end of 0 or NaN) in region 1 of the JKn design
R_IRLS_REL = 2e-8

_HEADER = (REF / "map.toml").read_text(encoding="utf-8")
TWO_STAGE = 'psu = "psu"\nstrata = "stratum"\nfpc = "fpc1"\npsu2 = "ssu"\nfpc2 = "fpc2"\n'
FRACTION = 'psu = "psu"\nstrata = "stratum"\nfpc = "fpc1_fraction"\nfpc_kind = "fraction"\n'
NO_FPC = 'psu = "psu"\nstrata = "stratum"\n'


@pytest.fixture(scope="module")
def reference(read_r_results: Callable[[Path], pl.DataFrame]) -> pl.DataFrame:
    return read_r_results(REF / "results.csv")


def _map(tmp_path: Path, design: str, name: str = "map.toml") -> Path:
    path = tmp_path / name
    path.write_text(_HEADER + design, encoding="utf-8")
    return path


def _estimate(data: Path, survey_map: Path, out: Path, *options: str) -> pl.DataFrame:
    code = run(["survey", "estimate", str(data), "--map", str(survey_map),
                "-p", "sdg-8.7.1-econ", "--by", "sex,region", "--indicators", "child_labour",
                "-o", str(out), *options])  # fmt: skip
    assert code == 0
    return pl.read_csv(out, schema_overrides={"level": pl.String})


def _compare(
    ours: pl.DataFrame, expected: pl.DataFrame, stats: dict[str, str], interval_rel: float
) -> int:
    """Each R value against our row of the same domain; returns how many were compared."""
    checked = 0
    for by, level, stat, value in expected.select("by", "level", "stat", "value").rows():
        if stat not in stats or value is None:
            continue
        row = ours.filter((pl.col("by") == by) & (pl.col("level") == level))
        assert row.height == 1, (by, level)
        got = row[stats[stat]][0]
        rel = interval_rel if stat.endswith(("_low", "_high")) else ESTIMATE_REL
        if math.isnan(value):
            assert got is None or math.isnan(got), (by, level, stat, got)
        else:
            assert got == pytest.approx(value, rel=rel, abs=1e-15), (by, level, stat, got, value)
        checked += 1
    return checked


@pytest.mark.parametrize(
    ("case", "design", "ci"),
    [
        ("twostage_fpc", TWO_STAGE, "xlogit"),
        ("twostage_fpc", TWO_STAGE, "beta"),
        ("onestage_fraction", FRACTION, "xlogit"),
        ("onestage_nofpc", NO_FPC, "xlogit"),
    ],
)
def test_taylor_design_keys_match_r(
    tmp_path: Path, reference: pl.DataFrame, case: str, design: str, ci: str
) -> None:
    ours = _estimate(REF / "twostage.csv", _map(tmp_path, design), tmp_path / "out.csv",
                     "--ci", ci)  # fmt: skip
    expected = reference.filter(pl.col("case") == case)
    stats = {"estimate": "estimate", "se": "se", "df": "df"}
    stats |= {f"{ci}_low": "ci_low", f"{ci}_high": "ci_high"}
    assert _compare(ours, expected, stats, INTERVAL_REL) == 6 * len(stats)


def test_fpc_and_second_stage_change_the_answer(tmp_path: Path) -> None:
    """A test that fails if a documented design key were read and ignored."""
    data = REF / "twostage.csv"
    outs = {
        name: _estimate(data, _map(tmp_path, design, f"{name}.toml"), tmp_path / f"{name}.csv")
        for name, design in (("two", TWO_STAGE), ("fraction", FRACTION), ("none", NO_FPC))
    }
    se = {name: out.filter(pl.col("by") == "total")["se"][0] for name, out in outs.items()}
    assert se["fraction"] < se["none"]
    assert se["two"] != pytest.approx(se["fraction"], rel=1e-6)


def _replicate_map(tmp_path: Path, case: str, reference: pl.DataFrame, **extra: str) -> Path:
    rows = reference.filter(pl.col("case") == case)
    kind = {"rep_jkn": "JKn", "rep_bootstrap": "bootstrap", "rep_jk1": "JK1"}[case]
    scale = rows.filter(pl.col("stat") == "scale")["value"][0]
    rscales = rows.filter(pl.col("stat") == "rscales")["value"].to_list()
    spec = ['prefix = "repw"', f'type = "{kind}"', f"scale = {scale!r}"]
    spec.append(f"rscales = [{', '.join(repr(r) for r in rscales)}]")
    spec += [f"{key} = {value}" for key, value in extra.items()]
    return _map(tmp_path, "replicates = { " + ", ".join(spec) + " }\n", f"{case}.toml")


@pytest.mark.parametrize("case", ["rep_jkn", "rep_bootstrap", "rep_jk1"])
@pytest.mark.parametrize("ci", ["logit", "xlogit", "beta"])
def test_replicate_designs_match_r(
    tmp_path: Path, reference: pl.DataFrame, case: str, ci: str
) -> None:
    survey_map = _replicate_map(tmp_path, case, reference)
    ours = _estimate(REF / f"{case}.csv", survey_map, tmp_path / "out.csv", "--ci", ci)
    expected = reference.filter((pl.col("case") == case) & (pl.col("by") != ""))
    stats = {"estimate": "estimate", "se": "se", "df": "df"}
    name = "logit_exact" if ci == "logit" else ci
    stats |= {f"{name}_low": "ci_low", f"{name}_high": "ci_high"}
    assert _compare(ours, expected, stats, INTERVAL_REL) == 6 * len(stats)
    if ci == "logit":
        # R's own svyciprop: stops in region 3, where a replicate has no weight (ours drops
        # that replicate, as R's svrVar does for the mean, and says so), and fails in region 1
        converged = expected.filter(
            pl.col("stat").is_in(["logit_low", "logit_high"])
            & pl.col("value").is_not_nan()
            & (pl.col("value") > 0)
        )
        irls = {"logit_low": "ci_low", "logit_high": "ci_high"}
        assert _compare(ours, converged, irls, R_IRLS_REL) == 8
    region3 = ours.filter((pl.col("by") == "region") & (pl.col("level") == "3"))
    assert "replicates dropped (undefined in the domain, as R)" in region3["flag"][0]
    assert "dropped" not in ours.filter(pl.col("by") == "total")["flag"][0]


def test_replicate_df_key_and_df_option(tmp_path: Path, reference: pl.DataFrame) -> None:
    survey_map = _replicate_map(tmp_path, "rep_jkn", reference, df="7")
    data = REF / "rep_jkn.csv"
    domain = _estimate(data, survey_map, tmp_path / "domain.csv")
    # the declared df holds for the whole sample; a domain's is its own rank, as R's subset
    assert domain.filter(pl.col("by") == "total")["df"][0] == 7
    assert domain.filter(pl.col("level") == "3")["df"][0] == 0
    design = _estimate(data, survey_map, tmp_path / "design.csv", "--df", "design")
    assert design["df"].unique().to_list() == [7]
    infinite = _estimate(data, survey_map, tmp_path / "inf.csv", "--df", "infinite")
    assert infinite["df"].is_infinite().all()
    assert infinite["ci_low"][0] != pytest.approx(design["ci_low"][0], rel=1e-9)


def test_replicate_count_and_rscales_are_checked(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    data = REF / "rep_jkn.csv"
    survey_map = _map(tmp_path, 'replicates = { prefix = "repw", type = "JK1", count = 12 }\n')
    assert run(["survey", "estimate", str(data), "--map", str(survey_map), "-p",
                "sdg-8.7.1-econ", "-o", str(tmp_path / "o.csv")]) != 0  # fmt: skip
    assert "declares 12 replicate weights but the file has 14 (repw1 ... repw14)" in (
        capsys.readouterr().err
    )
    bad = _map(tmp_path, 'replicates = { prefix = "repw", type = "JKn", rscales = [0.5, 0.5] }\n')
    assert run(["survey", "estimate", str(data), "--map", str(bad), "-p", "sdg-8.7.1-econ",
                "-o", str(tmp_path / "o.csv")]) != 0  # fmt: skip
    assert "rscales has 2 values for the file's 14 replicate weights" in capsys.readouterr().err
    assert not (tmp_path / "o.csv").exists()


@pytest.mark.parametrize(
    ("design", "message"),
    [
        ('psu = "psu"\nreplicates = { prefix = "repw", type = "JK1" }\n',
         "design.psu cannot be used with design.replicates"),
        ('psu = "psu"\npsu2 = "ssu"\n', "design.psu2 without design.fpc has no effect"),
        ('psu = "psu"\nfpc = "fpc1"\npsu2 = "ssu"\n', "needs design.fpc2"),
        ('psu = "psu"\nfpc2 = "fpc2"\n', "design.fpc2 needs design.psu2"),
        ('psu2 = "ssu"\n', "design.psu2 (second-stage units) needs design.psu"),
        ('psu = "psu"\nnest = false\n', "design.nest says whether PSU ids repeat across strata"),
        ('fpc_kind = "fraction"\n', "design.fpc_kind describes design.fpc"),
        ('replicates = { prefix = "repw", type = "JK1", rho = 0.5 }\n', "for type 'Fay' only"),
        ('replicates = { prefix = "repw", type = "Fay" }\n', "needs replicates.rho"),
        ('replicates = { prefix = "repw", type = "JKn" }\n', "needs replicates.rscales"),
    ],
)  # fmt: skip
def test_keys_the_design_cannot_use_are_refused(tmp_path: Path, design: str, message: str) -> None:
    with pytest.raises(DataError, match="key 'design") as caught:
        load_map(str(_map(tmp_path, design)))
    assert message in str(caught.value)


@pytest.mark.parametrize(
    ("design", "message"),
    [
        ('psu = "psu"\nstrata = "stratum"\nnest = false\n', "PSU ids repeat across strata"),
        ('psu = "psu"\nstrata = "stratum"\nfpc = "fpc1_fraction"\nfpc_kind = "population"\n',
         "fpc fpc1_fraction implies more than 100% sampling in stratum 1 (2 sampled"),
        ('psu = "psu"\nstrata = "stratum"\nfpc = "fpc1"\nfpc_kind = "fraction"\n',
         "fpc is declared a sampling fraction but is above 1 in stratum 1, 2, 3, 4"),
        ('psu = "psu"\nstrata = "stratum"\nfpc = "no_such"\n',
         "first-stage fpc variable not found (looked for no_such)"),
    ],
)  # fmt: skip
def test_fpc_and_nesting_errors_name_the_key(
    tmp_path: Path, design: str, message: str, capsys: pytest.CaptureFixture[str]
) -> None:
    code = run(["survey", "estimate", str(REF / "twostage.csv"), "--map",
                str(_map(tmp_path, design)), "-p", "sdg-8.7.1-econ", "--by", "sex",
                "-o", str(tmp_path / "o.csv")])  # fmt: skip
    assert code != 0
    assert message in capsys.readouterr().err
    assert not (tmp_path / "o.csv").exists()


def test_every_documented_design_key_is_tested() -> None:
    """docs/survey.md lists the map's [design] keys; each has a test above that shows its
    effect (or its refusal), so a documented key cannot be silently ignored."""
    docs = (Path(__file__).parents[2] / "docs" / "survey.md").read_text(encoding="utf-8")
    documented = set()
    for line in docs.splitlines():
        if line.startswith("| `[design]`"):
            cell = line.split("|")[1]
            documented |= {k.strip(" `") for k in cell.replace("`[design]`", "").split(",")}
    shown_here = {"weight", "psu", "strata", "fpc", "psu2", "fpc2", "fpc_kind", "nest",
                  "keep", "replicates"}  # fmt: skip
    assert documented == shown_here


@pytest.mark.parametrize("mse", [True, False])
def test_replicate_mse_key_matches_r(tmp_path: Path, mse: bool) -> None:
    """``replicates.mse`` centres the replicates at the full-sample estimate (true) or at their
    mean (false), as R ``svrepdesign(mse=)``; R values from ``reference/designs/mse.R``."""
    flag = "true" if mse else "false"
    survey_map = _map(tmp_path, f'replicates = {{ prefix = "repw", type = "bootstrap", '
                      f"mse = {flag} }}\n")  # fmt: skip
    out = tmp_path / "out.csv"
    code = run(["survey", "estimate", str(REF / "rep_bootstrap.csv"), "--map", str(survey_map),
                "-p", "sdg-8.7.1-econ", "--by", "sex", "--indicators", "child_labour",
                "-o", str(out)])  # fmt: skip
    assert code == 0
    ours = pl.read_csv(out, schema_overrides={"level": pl.String})
    expected = pl.read_csv(REF / "mse.csv", schema_overrides={"level": pl.String})
    compared = 0
    for level, value, se in (
        expected.filter(pl.col("mse") == mse).select("level", "estimate", "se").rows()
    ):
        row = ours.filter(pl.col("level") == level)
        assert row["estimate"][0] == pytest.approx(value, rel=ESTIMATE_REL)
        assert row["se"][0] == pytest.approx(se, rel=ESTIMATE_REL)
        compared += 1
    assert compared == 3
    other = expected.filter((pl.col("mse") != mse) & (pl.col("level") == "total"))["se"][0]
    assert ours.filter(pl.col("by") == "total")["se"][0] != pytest.approx(other, rel=1e-6)


@pytest.mark.parametrize("policy", ["remove", "average", "adjust", "certainty"])
def test_lonely_second_stage_unit_under_each_policy(policy: str) -> None:
    """A PSU with one second-stage unit (``reference/designs/lonely_ssu.R``): ipec agrees with
    R under remove, adjust and certainty; under 'average' R returns NaN for every domain that
    reaches that PSU, and ipec instead gives the unit no stage-2 variance (R's 'remove') and
    says so in ``flag``."""
    data = pl.read_csv(REF / "twostage.csv").filter(
        ~((pl.col("stratum") == 2) & (pl.col("psu") == 1) & (pl.col("ssu") > 1))
    )
    data = data.with_columns(cl=(pl.col("econ") == 1).cast(pl.Float64))
    design = SurveyDesign(weight="w", strata="stratum", psu="psu", psu2="ssu", fpc="fpc1",
                          fpc2="fpc2", nest=True, lonely_psu=policy)  # fmt: skip
    ours = estimate(data, design, Mean("cl"), by="region").columns
    reference = pl.read_csv(REF / "lonely_ssu.csv", schema_overrides={"level": pl.String})
    expected = reference.filter(pl.col("policy") == policy)
    removed = reference.filter(pl.col("policy") == "remove")
    for i, level in enumerate(ours["level"]):
        r_se = expected.filter(pl.col("level") == level)["se"][0]
        note = "1 PSU(s) with one second-stage unit add no stage-2 variance"
        if math.isnan(r_se):
            assert policy == "average"
            r_se = removed.filter(pl.col("level") == level)["se"][0]
            assert note in ours["flag"][i]
        else:
            assert note not in ours["flag"][i]
        assert ours["se"][i] == pytest.approx(r_se, rel=ESTIMATE_REL)
    assert policy != "average" or sum(note in f for f in ours["flag"]) == 2


@pytest.mark.parametrize("design", [TWO_STAGE, FRACTION])
def test_streaming_path_keeps_the_map_design(
    tmp_path: Path, reference: pl.DataFrame, design: str
) -> None:
    """``map_survey(streaming=True)`` (a lazy frame over the file) gives R's values for fpc
    at both stages and for fractions, as the in-memory path does."""
    survey_map = load_map(str(_map(tmp_path, design)))
    mapped = map_survey(open_survey(REF / "twostage.csv"), survey_map, streaming=True)
    assert isinstance(mapped.frame, pl.LazyFrame)
    ours = estimate_survey(
        mapped,
        load_profile("sdg-8.7.1-econ"),
        by=[("sex",), ("region",)],
        indicators=["child_labour"],
        options=EstimateOptions(ci="xlogit"),
    )
    case = "twostage_fpc" if design == TWO_STAGE else "onestage_fraction"
    expected = reference.filter(pl.col("case") == case)
    stats = {"estimate": "estimate", "se": "se", "df": "df"}
    stats |= {"xlogit_low": "ci_low", "xlogit_high": "ci_high"}
    assert _compare(ours, expected, stats, INTERVAL_REL) == 6 * len(stats)
