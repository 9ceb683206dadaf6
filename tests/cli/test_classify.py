"""``ipec classify`` and ``ipec explain`` through the real entry point."""

from __future__ import annotations

import shutil
from pathlib import Path

import polars as pl
import pytest

from ipec.cli.main import run
from tests.conftest import FIXTURES

CHILDREN = FIXTURES / "classify" / "children.csv"


@pytest.mark.parametrize("suffix", [".csv", ".parquet"])
def test_classify_writes_verdicts(
    tmp_path: Path, suffix: str, capsys: pytest.CaptureFixture[str]
) -> None:
    output = tmp_path / f"out{suffix}"
    assert run(["classify", str(CHILDREN), "-p", "sdg-8.7.1", "-o", str(output)]) == 0
    result = pl.read_csv(output) if suffix == ".csv" else pl.read_parquet(output)
    assert result.height == 22
    assert result.filter(pl.col("id") == "c07")["child_labour"].to_list() == [True]
    printed = capsys.readouterr()
    assert "20 children in scope" in printed.out
    assert f"wrote 22 rows to {output}" in printed.err


def test_classify_reads_parquet_and_a_profile_file(tmp_path: Path) -> None:
    source = tmp_path / "in.parquet"
    pl.read_csv(CHILDREN, infer_schema=False).write_parquet(source)
    profile = tmp_path / "mine.toml"
    shutil.copy(Path(__file__).parents[2] / "src/ipec/standards/profiles/mics6-2017.toml", profile)
    output = tmp_path / "out.csv"
    assert run(["classify", str(source), "-p", str(profile), "-o", str(output), "-q"]) == 0
    result = pl.read_csv(output, infer_schema=False)
    assert result.filter(pl.col("id") == "c16")["child_labour"].to_list() == ["true"]
    assert result.filter(pl.col("id") == "c13")["isic"].to_list() == ["0510"]


def _bad_input(tmp_path: Path, edit: tuple[str, str] | None, drop: str | None = None) -> Path:
    frame = pl.read_csv(CHILDREN, infer_schema=False)
    if edit:
        column, value = edit
        frame = frame.with_columns(
            pl.when(pl.col("id").is_in(["c03", "c05"]))
            .then(pl.lit(value))
            .otherwise(pl.col(column))
            .alias(column)
        )
    if drop:
        frame = frame.drop(drop)
    path = tmp_path / "bad.csv"
    frame.write_csv(path)
    return path


@pytest.mark.parametrize(
    ("edit", "drop", "message"),
    [
        (None, "econ_hours", "bad.csv: missing required column(s) econ_hours; fix: rename"),
        (
            ("econ_hours", "many"),
            None,
            "bad.csv: column 'econ_hours': rows 3, 5: hours are not a number; fix:",
        ),
        (("econ_hours", "-2"), None, "rows 3, 5: hours must lie between 0 and 168 a week; fix:"),
        (
            ("chores_hours", "170"),
            None,
            "column 'chores_hours': rows 3, 5: hours must lie between 0 and 168",
        ),
        (("age", "11.5"), None, "column 'age': rows 3, 5: age is not a whole number"),
    ],
)
def test_bad_input_is_one_line_and_writes_nothing(
    tmp_path: Path,
    edit: tuple[str, str] | None,
    drop: str | None,
    message: str,
    capsys: pytest.CaptureFixture[str],
) -> None:
    source = _bad_input(tmp_path, edit, drop)
    output = tmp_path / "out.csv"
    assert run(["classify", str(source), "-p", "sdg-8.7.1", "-o", str(output)]) == 1
    err = capsys.readouterr().err
    lines = [line for line in err.splitlines() if line.startswith("error:")]
    assert len(lines) == 1
    assert message in lines[0]
    assert "Traceback" not in err
    assert not output.exists()
    assert list(tmp_path.iterdir()) == [source]


def test_unknown_profile_writes_nothing(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    output = tmp_path / "out.csv"
    assert run(["classify", str(CHILDREN), "-p", "sdg-9", "-o", str(output)]) == 1
    assert "error: unknown profile 'sdg-9'; fix: use one of" in capsys.readouterr().err
    assert not output.exists()


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("absent.csv", None, "absent.csv: no such file"),
        ("kids.xls", b"x", "unsupported file type '.xls'"),
        ("broken.parquet", b"PAR1 not really", "cannot read the PARQUET file"),
    ],
)
def test_unreadable_inputs(
    tmp_path: Path,
    name: str,
    content: bytes | None,
    message: str,
    capsys: pytest.CaptureFixture[str],
) -> None:
    source = tmp_path / name
    if content is not None:
        source.write_bytes(content)
    assert run(["classify", str(source), "-p", "sdg-8.7.1", "-o", str(tmp_path / "o.csv")]) == 1
    assert message in capsys.readouterr().err
    assert not (tmp_path / "o.csv").exists()


def test_output_may_not_overwrite_input(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    source = tmp_path / "kids.csv"
    shutil.copy(CHILDREN, source)
    assert run(["classify", str(source), "-p", "sdg-8.7.1", "-o", str(source)]) == 1
    assert "would overwrite the input" in capsys.readouterr().err
    assert source.read_bytes() == CHILDREN.read_bytes()


def test_explain_one_child(capsys: pytest.CaptureFixture[str]) -> None:
    code = run(["explain", "-p", "sdg-8.7.1", "age=13", "econ_any=yes", "econ_hours=20"])
    assert code == 0
    out = capsys.readouterr().out.splitlines()
    assert out[0] == "child_labour under sdg-8.7.1 2021.1"
    assert out[1].startswith("- [EXCEEDS_LIGHT_WORK_HOURS] at age 13 only light work is allowed")


def test_explain_cites_a_national_task(capsys: pytest.CaptureFixture[str]) -> None:
    args = ["age=15", "econ_any=yes", "econ_hours=6", "haz_land_clearing=yes"]
    assert run(["explain", "-p", "cocoa-ci-2017", *args]) == 0
    out = capsys.readouterr().out.splitlines()
    assert out[0] == "child_labour under cocoa-ci-2017 2017.1"
    assert out[1].startswith(
        '- [HAZ_NATIONAL_LIST] the work includes "Clears land or bush with a machete", on the '
        "national list of hazardous work for ages 5-17 (Arrêté n°2017-017 MEPS/CAB"
    )


def test_explain_rejects_malformed_pairs(capsys: pytest.CaptureFixture[str]) -> None:
    assert run(["explain", "-p", "sdg-8.7.1", "age"]) == 1
    assert "'age' is not FIELD=VALUE" in capsys.readouterr().err


def test_explain_an_undetermined_child(capsys: pytest.CaptureFixture[str]) -> None:
    """Issue 17: a working 7-year-old whose hours were not recorded is not permitted work."""
    assert run(["explain", "-p", "sdg-8.7.1", "age=7", "econ_any=yes", "econ_hours="]) == 0
    out = capsys.readouterr().out.splitlines()
    assert out == [
        "undetermined under sdg-8.7.1 2021.1",
        "- economic activity was reported, but the hours are unknown: 1 h or more at age 7 "
        "would be child labour, fewer would not",
        "- ask again: hours of economic activity",
    ]


def test_explain_an_unknown_age(capsys: pytest.CaptureFixture[str]) -> None:
    assert run(["explain", "-p", "sdg-8.7.1", "age=", "econ_any=yes", "econ_hours=3"]) == 0
    out = capsys.readouterr().out.splitlines()
    assert out[0] == "undetermined under sdg-8.7.1 2021.1"
    assert out[-1] == "- ask again: the age"


def test_classify_counts_the_undetermined(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    output = tmp_path / "out.csv"
    assert run(["classify", str(CHILDREN), "-p", "sdg-8.7.1", "-o", str(output)]) == 0
    assert "undetermined (ask again)" in capsys.readouterr().out
    result = pl.read_csv(output, infer_schema=False)
    undetermined = result.filter(pl.col("work_status") == "undetermined")
    assert undetermined.select("id", "missing_values").rows() == [
        ("c04", "econ_hours"),
        ("c09", "water_hours"),
    ]


def test_the_summary_counts_the_children_in_scope(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """The terminal summary's counts are those of the written verdicts, in scope only."""
    output = tmp_path / "out.csv"
    assert run(["classify", str(CHILDREN), "-p", "sdg-8.7.1", "-o", str(output)]) == 0
    result = pl.read_csv(output).filter(pl.col("in_scope"))
    printed = " ".join(capsys.readouterr().out.replace("\u2502", " ").split())
    for label, column in (("child labour", "child_labour"), ("permitted work", "permitted_work")):
        count = int(result[column].sum())
        assert f"{label} {count} {count / result.height:.1%}" in printed
