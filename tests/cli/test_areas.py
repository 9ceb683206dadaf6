"""``ipec areas import`` and ``ipec areas list`` against a real SQLite database."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ipec.cli.main import run
from ipec.db import make_engine
from ipec.monitoring.models import Area

EXAMPLE = Path(__file__).resolve().parents[2] / "docs" / "examples" / "areas.csv"


@pytest.fixture
def url(tmp_path: Path) -> str:
    made = f"sqlite:///{tmp_path / 'ipec.db'}"
    assert run(["db", "upgrade", "--url", made]) == 0
    return made


def _areas(url: str) -> int:
    engine = make_engine(url)
    with Session(engine) as session:
        found = int(session.scalar(select(func.count()).select_from(Area)) or 0)
    engine.dispose()
    return found


def test_import_the_example_then_again(url: str, capsys: pytest.CaptureFixture[str]) -> None:
    capsys.readouterr()
    assert run(["areas", "import", str(EXAMPLE), "--check", "--url", url]) == 0
    assert capsys.readouterr().out.strip() == (
        "checked (nothing imported) areas.csv: 15 areas new, 0 changed, 0 unchanged"
    )
    assert _areas(url) == 0
    assert run(["areas", "import", str(EXAMPLE), "--url", url]) == 0
    assert (
        capsys.readouterr().out.strip()
        == "imported areas.csv: 15 areas new, 0 changed, 0 unchanged"
    )
    assert run(["areas", "import", str(EXAMPLE), "--url", url]) == 0
    assert "0 areas new, 0 changed, 15 unchanged" in capsys.readouterr().out
    assert run(["areas", "list", "--depth", "1", "--url", url]) == 0
    assert capsys.readouterr().out.splitlines() == [
        "ML  Molvania (country): 14 areas below, 0 households, 0 children",
        "  ML-N  Northern Region (region): 6 areas below, 0 households, 0 children",
        "  ML-S  Southern Region (region): 6 areas below, 0 households, 0 children",
    ]


def test_a_bad_file_names_every_bad_row(
    url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "regions.csv"
    path.write_text("code,name,level,parent_code\nXL,Xland,country,\nXL-N,,region,XL\n"
                    "XL-S,South,region,XX\nXL-E,East,,XL\n", encoding="utf-8")  # fmt: skip
    capsys.readouterr()
    assert run(["areas", "import", str(path), "--url", url]) == 1
    assert capsys.readouterr().err.splitlines() == [
        "regions.csv: row 3: the name is empty",
        "regions.csv: row 4: its parent code XX is neither in the file nor in the database",
        "regions.csv: row 5: the level is empty",
        "error: regions.csv: 3 bad rows (each is named above): nothing imported; fix: correct "
        "every row named and import the file again",
    ]
    assert _areas(url) == 0


def test_files_that_cannot_be_imported(
    url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    capsys.readouterr()
    assert run(["areas", "import", str(tmp_path / "none.csv"), "--url", url]) == 1
    assert "none.csv: no such file" in capsys.readouterr().err
    wrong = tmp_path / "areas.ods"
    wrong.write_text("x", encoding="utf-8")
    assert run(["areas", "import", str(wrong), "--url", url]) == 1
    assert capsys.readouterr().err.startswith("error: areas.ods: '.ods' is not a file of areas")


def test_list_an_empty_database_and_an_unknown_code(
    url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    capsys.readouterr()
    assert run(["areas", "list", "--url", url]) == 0
    assert capsys.readouterr().out.strip() == "no areas yet: ipec areas import FILE adds them"
    assert run(["areas", "list", "--under", "XX", "--url", url]) == 1
    assert "error: no area has the code XX" in capsys.readouterr().err


def test_estimates_are_kept_on_the_areas_all_or_nothing(
    url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from ipec.need.models import AreaEstimate

    assert run(["areas", "import", str(EXAMPLE), "--url", url]) == 0
    header = "area,kind,estimate,ci_low,ci_high,population,count,count_rmse,indicator,profile\n"
    good = tmp_path / "districts.csv"
    good.write_text(header + "ML-N,eblup,0.2,0.1,0.3,1000,200,50,child_labour,sdg-8.7.1\n"
                    "ML-S,synthetic,0.1,0.05,0.15,500,50,12,child_labour,sdg-8.7.1\n")  # fmt: skip
    capsys.readouterr()
    assert run(["areas", "estimates", str(good), "--url", url]) == 0
    assert capsys.readouterr().out.strip() == (
        "imported districts.csv: child_labour estimates of 2 areas (0 replaced)"
    )
    bad = tmp_path / "bad.csv"
    bad.write_text(header + "ML-N,eblup,0.2,0.1,0.3,1000,200,50,child_labour,sdg-8.7.1\n"
                   "XX-9,eblup,0.2,0.1,0.3,,200,50,child_labour,sdg-8.7.1\n")  # fmt: skip
    assert run(["areas", "estimates", str(bad), "--url", url]) != 0
    err = capsys.readouterr().err
    assert "bad.csv" in err
    assert "row 3: area 'XX-9' is not a stored area's code" in err
    engine = make_engine(url)
    with Session(engine) as session:
        kept = session.execute(select(AreaEstimate.count, AreaEstimate.source)).all()
    engine.dispose()
    assert sorted(kept) == [(50.0, "districts.csv"), (200.0, "districts.csv")]
    no_population = tmp_path / "np.csv"
    no_population.write_text("area,kind,estimate,ci_low,ci_high,indicator,profile\n")
    assert run(["areas", "estimates", str(no_population), "--url", url]) != 0
    assert "--population-column" in capsys.readouterr().err
