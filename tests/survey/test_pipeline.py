"""Reading a survey whole or streaming, from one file or a Parquet dataset, gives the same
estimates; what cannot be read that way is refused with the file named."""

from __future__ import annotations

from pathlib import Path

import polars as pl
import pytest

from ipec.cli.main import run
from ipec.errors import DataError
from ipec.standards import load_profile
from ipec.survey.analysis import estimate_survey, parse_by
from ipec.survey.pipeline import open_mapped

BY = "sex,age_group*area,region"


def _estimates(path: Path | str, *, streaming: bool) -> pl.DataFrame:
    mapped = open_mapped(path, "mics6", streaming=streaming)
    assert mapped.streaming is streaming
    assert isinstance(mapped.frame, pl.LazyFrame)
    return estimate_survey(mapped, load_profile("sdg-8.7.1"), by=parse_by(BY, list(mapped.domains)))


def test_streaming_gives_the_in_memory_estimates(synth_file: Path) -> None:
    whole = _estimates(synth_file, streaming=False)
    streamed = _estimates(synth_file, streaming=True)
    assert whole.height > 100
    assert streamed.equals(whole)


def test_a_dataset_is_one_survey(tmp_path: Path, synth_survey: pl.DataFrame) -> None:
    """A folder of Parquet files (here hive-partitioned by stratum groups) and a glob of them
    give the estimates of the single file they were cut from."""
    single = tmp_path / "single.parquet"
    synth_survey.write_parquet(single)
    folder = tmp_path / "dataset"
    for part, rows in enumerate(synth_survey.iter_slices(n_rows=1_500)):
        (folder / f"part={part}").mkdir(parents=True)
        rows.write_parquet(folder / f"part={part}" / "data.parquet")
    expected = _estimates(single, streaming=False)
    assert _estimates(folder, streaming=True).equals(expected)
    assert _estimates(str(folder / "*" / "*.parquet"), streaming=False).equals(expected)


def test_a_dataset_whose_files_differ_is_refused_naming_the_file(
    tmp_path: Path, synth_survey: pl.DataFrame
) -> None:
    folder = tmp_path / "dataset"
    folder.mkdir()
    synth_survey.head(100).write_parquet(folder / "a.parquet")
    synth_survey.slice(100, 100).drop("HH7").write_parquet(folder / "b.parquet")
    with pytest.raises(DataError, match=r"b\.parquet is without HH7 \(against a\.parquet\)"):
        open_mapped(folder, "mics6")
    with pytest.raises(DataError, match="no Parquet files found"):
        open_mapped(tmp_path / "nothing" / "*.parquet", "mics6")


def test_streaming_a_stata_file_is_refused(
    tmp_path: Path, synth_survey: pl.DataFrame, capsys: pytest.CaptureFixture[str]
) -> None:
    from ipec.survey.writers import write_survey

    stata = tmp_path / "survey.dta"
    write_survey(synth_survey.head(200), stata)
    code = run(["survey", "estimate", str(stata), "--map", "mics6", "-p", "sdg-8.7.1",
                "-o", str(tmp_path / "out.csv"), "--streaming"])  # fmt: skip
    assert code == 1
    assert "a stata file cannot be read streaming" in capsys.readouterr().err


def test_the_command_line_streams_on_request(synth_file: Path, tmp_path: Path) -> None:
    outputs = {}
    for option in ("--streaming", "--in-memory"):
        out = tmp_path / f"{option.strip('-')}.csv"
        code = run(["survey", "estimate", str(synth_file), "--map", "mics6", "-p", "sdg-8.7.1",
                    "--by", BY, "-o", str(out), option])  # fmt: skip
        assert code == 0
        outputs[option] = out.read_bytes()
    assert outputs["--streaming"] == outputs["--in-memory"]


def test_the_tables_stream_to_the_same_cells(synth_file: Path) -> None:
    """The whole table set (SDG 8.7.1, PR.3.1-PR.3.4, notes, normalised counts) read
    streaming, each profile classified batch by batch, equals the set read into memory."""
    from ipec.survey.tables import standard_tables

    profile = load_profile("mics6-2017")
    sets = {}
    for streaming in (False, True):
        mapped = open_mapped(synth_file, "mics6", streaming=streaming)
        sets[streaming] = standard_tables(mapped, profile, normalise=True)
    assert sets[False].height > 300
    assert sets[True].equals(sets[False])


def test_the_report_streams_to_the_same_page(synth_file: Path, tmp_path: Path) -> None:
    """``ipec survey report --streaming`` writes the page ``--in-memory`` writes, byte for
    byte (every section: headline, charts, tables, hours, hazards, design facts)."""
    pages = {}
    for option in ("--streaming", "--in-memory"):
        out = tmp_path / f"{option.strip('-')}.html"
        code = run(["survey", "report", str(synth_file), "--map", "mics6", "-p", "mics6-2017",
                    "--compare", "ilo-global-estimates", "-o", str(out), option])  # fmt: skip
        assert code == 0
        pages[option] = out.read_text(encoding="utf-8")
    assert "Child labour" in pages["--in-memory"]
    assert pages["--streaming"] == pages["--in-memory"]


def test_the_tables_command_streams_on_request(synth_file: Path, tmp_path: Path) -> None:
    outputs = {}
    for option in ("--streaming", "--in-memory"):
        out = tmp_path / f"{option.strip('-')}.csv"
        code = run(["survey", "tables", str(synth_file), "--map", "mics6", "-p", "sdg-8.7.1",
                    "-o", str(out), option])  # fmt: skip
        assert code == 0
        outputs[option] = out.read_bytes()
    assert outputs["--streaming"] == outputs["--in-memory"]


def test_streaming_in_many_batches_gives_the_same_tables(
    synth_file: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Batches of a few hundred rows (as a census file is read), every group of table rows
    summed from its own pass with the design's codes made once: the same table set (the
    tests above read the small file in one batch, and are equal bit for bit)."""
    from ipec.survey import dense_taylor
    from ipec.survey.tables import standard_tables

    profile = load_profile("sdg-8.7.1")
    whole = standard_tables(open_mapped(synth_file, "mics6", streaming=False), profile)
    monkeypatch.setattr(dense_taylor, "BATCH_BYTES", 8 * 40 * 300)
    monkeypatch.setattr(dense_taylor, "MIN_BATCH_ROWS", 1)
    streamed = open_mapped(synth_file, "mics6", streaming=True)
    assert dense_taylor.batch_rows(streamed.frame) < 400
    tables = standard_tables(streamed, profile)
    floats = [name for name, dtype in whole.schema.items() if dtype.is_float()]
    assert tables.drop(floats).equals(whole.drop(floats))
    # sums over batches are added in another order: equal to the last digits, not bit for bit
    for name in floats:
        assert tables[name].to_list() == pytest.approx(whole[name].to_list(), rel=1e-12,
                                                        nan_ok=True)  # fmt: skip
