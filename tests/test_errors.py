"""The one exception tree: every class descends from IpecError and renders one line."""

from __future__ import annotations

import inspect

import pytest

from ipec import errors


def test_every_error_descends_from_the_root() -> None:
    classes = [
        obj for _, obj in inspect.getmembers(errors, inspect.isclass) if issubclass(obj, Exception)
    ]
    assert {cls.__name__ for cls in classes} == set(errors.__all__)
    for cls in classes:
        assert issubclass(cls, errors.IpecError)


@pytest.mark.parametrize(
    ("cls", "status"),
    [
        (errors.DataError, 422),
        (errors.DesignError, 422),
        (errors.ProfileError, 422),
        (errors.NotFound, 404),
        (errors.PermissionDenied, 403),
        (errors.Conflict, 409),
        (errors.InvalidTransition, 409),
        (errors.DatabaseUnavailable, 503),
        (errors.NotAuthenticated, 401),
        (errors.ConfigurationError, 500),
    ],
)
def test_http_status(cls: type[errors.IpecError], status: int) -> None:
    assert cls.http_status == status


def test_data_error_names_source_column_rows_and_fix() -> None:
    error = errors.DataError(
        "hours are not\na number",
        source="kids.csv",
        column="econ_hours",
        rows=[0, 4],
        row_count=9,
        hint="write numbers",
    )
    assert error.one_line() == (
        "kids.csv: column 'econ_hours': rows 1, 5 (and 7 more): hours are not a number; "
        "fix: write numbers"
    )
    single = errors.DataError("age is missing", column="age", rows=[2])
    assert single.one_line() == "column 'age': row 3: age is missing"


def test_profile_error_names_file_and_key() -> None:
    error = errors.ProfileError("missing field", source="gh.toml", key="ages.minimum")
    assert str(error) == "gh.toml: key 'ages.minimum': missing field"
