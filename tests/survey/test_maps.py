"""Variable map files: the shipped mics6 and mics5 maps, the example user map, and bad map
files."""

from __future__ import annotations

from pathlib import Path

import pytest

from ipec.errors import DataError
from ipec.survey.maps import load_map, shipped_map_ids

EXAMPLES = Path(__file__).parents[2] / "examples"


def test_shipped_maps() -> None:
    assert shipped_map_ids() == ["mics5", "mics6"]
    mics6 = load_map("mics6")
    assert mics6.design.psu == ("PSU", "HH1")
    assert mics6.design.keep is not None
    assert mics6.design.keep.variable == "FS17"
    assert mics6.child["econ_any"] == ("CL1A", "CL1B", "CL1C", "CL1X")
    assert mics6.unknown_hours_codes == (97, 98, 99)


def test_example_user_map_loads() -> None:
    lfs = load_map(str(EXAMPLES / "maps" / "lfs-example.toml"))
    assert lfs.id == "lfs-example"
    assert lfs.domains["region"].codes == {"1": "North", "2": "Centre", "3": "South"}


@pytest.mark.parametrize(
    ("edit", "message"),
    [
        (('age = "CB3"\n', ""), "child.age is required"),
        (('econ_hours = "CL3"', 'econ_hours = ["CL3", "CL3B"]'), "takes one variable"),
        (('chores_hours = "CL13"', 'pocket_money = "CL99"'), "not in the canonical child record"),
        (('weight = "fsweight"', "weight = []"), "give at least one weight variable"),
        (('id = "mics6"', 'id = "MICS 6"'), "key 'id'"),
    ],
)
def test_bad_map_files(tmp_path: Path, edit: tuple[str, str], message: str) -> None:
    text = (Path(__file__).parents[2] / "src/ipec/survey/maps/mics6.toml").read_text()
    assert edit[0] in text
    path = tmp_path / "bad.toml"
    path.write_text(text.replace(edit[0], edit[1], 1), encoding="utf-8")
    with pytest.raises(DataError) as caught:
        load_map(str(path))
    assert str(path) in caught.value.one_line()
    assert message in caught.value.one_line()


def test_unknown_map_id_and_missing_file(tmp_path: Path) -> None:
    with pytest.raises(DataError, match="unknown variable map 'dhs8'"):
        load_map("dhs8")
    with pytest.raises(DataError, match="no such variable map file"):
        load_map(str(tmp_path / "absent.toml"))


def test_mics5_map() -> None:
    mics5 = load_map("mics5")
    assert mics5.design.weight == ("hhweight",)
    assert mics5.design.psu == ("HH1",)
    assert mics5.design.strata == ("stratum", "HH7")
    assert mics5.design.keep is None
    assert mics5.child["age"] == ("HL6",)
    assert mics5.child["econ_any"] == ("CL2A", "CL2B", "CL2C", "CL2D", "CL2X")
    assert mics5.child["econ_hours"] == ("CL4",)
    assert mics5.child["chores_hours"] == ("CL12",)
    assert mics5.join is None


@pytest.mark.parametrize(
    ("join", "message"),
    [
        ('file = "hh.sav"\nkeys = []', "key 'join.keys': give the household keys"),
        ('keys = ["HH1"]', "key 'join.file': Field required"),
        ('file = "hh.sav"\nkeys = ["HH1"]\nhow = "inner"', "key 'join.how': Extra inputs"),
    ],
)
def test_bad_join_sections(tmp_path: Path, join: str, message: str) -> None:
    text = (Path(__file__).parents[2] / "src/ipec/survey/maps/mics5.toml").read_text()
    path = tmp_path / "bad.toml"
    path.write_text(f"{text}\n[join]\n{join}\n", encoding="utf-8")
    with pytest.raises(DataError, match=message):
        load_map(str(path))
