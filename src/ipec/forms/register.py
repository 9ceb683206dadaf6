"""Import of an existing register of households and children (a cooperative's farmer
register, a school list...): one row per child, rows of one household sharing its key,
through the household page's service (``register_household``) as the importing user.

The columns (their names in the file are given by a mapping when they differ):

=================  =========================================================================
``household``      the register's own key of the household (rows with the same key are one
                   household)
``area_code``      the national code of the household's area (``ipec areas list``)
``head_name``      the head of household
``child_name``     the child's name
``sex``            ``female`` or ``male`` (other spellings through the mapping's values)
``birth_date``     year-month-day
``supply_unit``    optional: farm, cooperative
``school_status``  optional
``latitude``,      optional, both or neither, in degrees
``longitude``
=================  =========================================================================

A mapping file (TOML) renames columns and recodes values::

    [columns]
    household = "Farmer ID"
    child_name = "Child"

    [values.sex]
    F = "female"
    M = "male"

Each household goes in whole or not at all; a household already registered in its area
under the same head's name (case and accents as typed, spaces trimmed) and supply unit is
not registered again ("already registered"), so importing a register twice changes nothing.
``dry_run`` writes nothing and reports every row's fate.
"""

from __future__ import annotations

import csv
import io
import tomllib
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ipec.auth.access import CHANGE_ROLES, Principal, area_in_scope, require_role
from ipec.errors import DataError, IpecError
from ipec.forms.exports import MAX_BYTES
from ipec.monitoring.models import Area, Household, Sex
from ipec.monitoring.service import ChildInput, register_household

__all__ = ["COLUMNS", "Fate", "RegisterReport", "import_register", "read_mapping", "read_register"]

#: The columns of a register, and whether each is required.
COLUMNS = {"household": True, "area_code": True, "head_name": True, "child_name": True,
           "sex": True, "birth_date": True, "supply_unit": False, "school_status": False,
           "latitude": False, "longitude": False}  # fmt: skip
_NAME = 200
_SCHOOL_STATUS = 40
_EARLIEST = date(1900, 1, 1)


@dataclass(frozen=True, slots=True)
class Mapping:
    """Column names in the file by ipec's name, and values recoded by column."""

    columns: dict[str, str] = field(default_factory=dict)
    values: dict[str, dict[str, str]] = field(default_factory=dict)


def read_mapping(path: Path) -> Mapping:
    """The mapping of a TOML file (``[columns]`` and ``[values.<column>]``)."""
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as error:
        raise DataError(f"not a readable TOML mapping ({error})", source=path.name) from None
    columns = data.get("columns", {})
    values = data.get("values", {})
    unknown = sorted(set(columns) - COLUMNS.keys()) + sorted(set(values) - COLUMNS.keys())
    if unknown or set(data) - {"columns", "values"}:
        raise DataError(
            f"unknown names in the mapping: {', '.join(unknown or sorted(data))}",
            source=path.name,
            hint=f"map the columns {', '.join(COLUMNS)}",
        )
    return Mapping(
        {key: str(value) for key, value in columns.items()},
        {key: {str(k): str(v) for k, v in table.items()} for key, table in values.items()},
    )


@dataclass(frozen=True, slots=True)
class Fate:
    """What became of one row: ``household`` the register's key; ``outcome`` "new",
    "already registered" or "refused"; ``field`` and ``message`` say why."""

    row: int
    household: str
    outcome: str
    field: str = ""
    message: str = ""

    def line(self, source: str) -> str:
        why = f": {self.field + ': ' if self.field else ''}{self.message}" if self.message else ""
        return f"{source}, row {self.row} (household {self.household}): {self.outcome}{why}"


@dataclass
class RegisterReport:
    """Households new, already registered and refused, and every row's fate."""

    source: str
    new: int = 0
    existing: int = 0
    refused: int = 0
    children: int = 0
    fates: list[Fate] = field(default_factory=list)


def _table(path: Path) -> list[dict[str, str]]:
    """The file's rows as header -> text (CSV with ``,`` or ``;``, or an .xlsx's first
    sheet without formulas or merged cells)."""
    from ipec.forms.exports import _cell_text  # the same rendering of dates and numbers

    if path.stat().st_size > MAX_BYTES:
        raise DataError(
            f"over {MAX_BYTES // 2**20} MiB", source=path.name, hint="split the register"
        )
    suffix = path.suffix.lower()
    if suffix == ".csv":
        try:
            text = path.read_text(encoding="utf-8-sig")
        except UnicodeDecodeError:
            raise DataError(
                "not UTF-8 text", source=path.name, hint="save the register as CSV UTF-8"
            ) from None
        first = text.split("\n", 1)[0]
        reader = csv.reader(
            io.StringIO(text, newline=""),
            delimiter=";" if first.count(";") > first.count(",") else ",",
        )
        rows = [[cell.strip() for cell in row] for row in reader]
    elif suffix == ".xlsx":
        from openpyxl import load_workbook

        try:
            sheet = load_workbook(path).worksheets[0]
        except Exception as error:  # openpyxl raises many kinds for a file that is not one
            raise DataError(
                f"not an .xlsx workbook ({type(error).__name__})", source=path.name
            ) from None
        if sheet.merged_cells.ranges:
            first_merged = min(r.coord for r in sheet.merged_cells.ranges)
            raise DataError(
                f"merged cells ({first_merged})",
                source=path.name,
                hint="unmerge them: each row needs its own values",
            )
        rows = []
        for line in sheet.iter_rows():
            for cell in line:
                if cell.data_type == "f":
                    raise DataError(
                        f"a formula in cell {cell.coordinate}",
                        source=path.name,
                        hint="replace formulas by their values",
                    )
            rows.append(["" if c.value is None else _cell_text(c.value).strip() for c in line])
    else:
        raise DataError(
            f"a {suffix or 'nameless'} file is not a register ipec reads",
            source=path.name,
            hint="give a .csv or .xlsx file",
        )
    if not rows:
        raise DataError("an empty file", source=path.name)
    header = rows[0]
    return [dict(zip(header, row, strict=False)) for row in rows[1:] if any(row)]


def read_register(path: Path, mapping: Mapping | None = None) -> list[dict[str, str]]:
    """The register's rows by ipec's column names (a missing required column is an error
    naming it and the file's columns)."""
    mapping = mapping or Mapping()
    rows = _table(path)
    names = {name: mapping.columns.get(name, name) for name in COLUMNS}
    present = set(rows[0]) if rows else set()
    missing = [
        f"{name} ({names[name]!r})" if names[name] != name else name
        for name, required in COLUMNS.items()
        if required and names[name] not in present
    ]
    if missing:
        raise DataError(
            f"missing columns: {', '.join(missing)}; the file has "
            f"{', '.join(sorted(present)) or 'no columns'}",
            source=path.name,
            hint="rename the columns, or map them with --mapping",
        )
    out = []
    for row in rows:
        read = {name: row.get(column, "") or "" for name, column in names.items()}
        for name, table in mapping.values.items():
            read[name] = table.get(read[name], read[name])
        out.append(read)
    return out


def _child(row: dict[str, str], today: date) -> tuple[ChildInput | None, list[tuple[str, str]]]:
    from ipec.forms.importer import _BIDI

    problems: list[tuple[str, str]] = []
    for name, value in row.items():
        if any(char in _BIDI or (ord(char) < 32 and char not in "\t") for char in value):
            problems.append((name, "a control character"))
    name = row["child_name"]
    if not name or len(name) > _NAME:
        problems.append(("child_name", "missing" if not name else f"over {_NAME} characters"))
    if row["sex"] not in {sex.value for sex in Sex}:
        problems.append(
            (
                "sex",
                f"{row['sex']!r} is not female or male (map the register's "
                "codes in the mapping's [values.sex])",
            )
        )
    born = None
    try:
        born = date.fromisoformat(row["birth_date"][:10])
    except ValueError:
        problems.append(("birth_date", f"{row['birth_date']!r} is not a date (year-month-day)"))
    if born is not None and not _EARLIEST <= born <= today:
        problems.append(("birth_date", f"{born} is in the future or before {_EARLIEST.year}"))
    if len(row["school_status"]) > _SCHOOL_STATUS:
        problems.append(("school_status", f"over {_SCHOOL_STATUS} characters"))
    if problems or born is None:
        return None, problems
    return ChildInput(name, Sex(row["sex"]), born, row["school_status"] or None), []


def _point(first: dict[str, str]) -> tuple[float | None, float | None]:
    def number(name: str) -> float | None:
        text = first[name]
        if not text:
            return None
        try:
            return float(text)
        except ValueError:
            raise DataError(f"{text!r} is not a number of degrees", column=name) from None

    return number("latitude"), number("longitude")


def _household(
    session: Session,
    principal: Principal,
    *,
    key: str,
    rows: list[tuple[int, dict[str, str]]],
    today: date,
    origin: str,
) -> list[Fate]:
    """Register one household, or say why not; its rows' fates."""
    first = rows[0][1]
    problems: list[tuple[int, str, str]] = []
    children = []
    for number, row in rows:
        child, wrong = _child(row, today)
        problems += [(number, name, why) for name, why in wrong]
        if child is not None:
            children.append(child)
        for column in ("area_code", "head_name", "supply_unit"):
            if row[column] != first[column]:
                problems.append(
                    (
                        number,
                        column,
                        f"{row[column]!r} differs from the household's "
                        f"first row ({first[column]!r})",
                    )
                )
    head = first["head_name"]
    if not head or len(head) > _NAME:
        problems.append((rows[0][0], "head_name", "missing" if not head else "too long"))
    area = session.scalar(select(Area).where(Area.code == first["area_code"]))
    if area is None:
        problems.append((rows[0][0], "area_code", f"no area has the code {first['area_code']!r}"))
    if problems:
        fates = [Fate(number, key, "refused", name, why) for number, name, why in problems]
        refused_rows = {number for number, _, _ in problems}
        first_wrong = min(refused_rows)
        fates += [
            Fate(number, key, "refused", "", f"its household is refused (row {first_wrong})")
            for number, _ in rows
            if number not in refused_rows
        ]
        return fates
    assert area is not None
    try:
        with session.begin_nested():
            require_role(principal, CHANGE_ROLES, "register households")
            area_in_scope(session, principal, area.id)
            unit = first["supply_unit"] or None
            twin = session.scalar(
                select(Household.id)
                .where(
                    Household.area_id == area.id,
                    func.lower(Household.head_name) == head.lower(),
                    Household.supply_unit.is_(None)
                    if unit is None
                    else Household.supply_unit == unit,
                )
                .limit(1)
            )
            if twin is not None:
                return [
                    Fate(number, key, "already registered", "", f"household {twin} in {area.name}")
                    for number, _ in rows
                ]
            latitude, longitude = _point(first)
            made = register_household(
                session,
                area_id=area.id,
                head_name=head,
                children=children,
                actor=principal.username,
                origin=origin,
                today=today,
                supply_unit=unit,
                latitude=latitude,
                longitude=longitude,
            )
    except IpecError as error:
        column = getattr(error, "column", None) or ""
        return [Fate(number, key, "refused", column, error.one_line()) for number, _ in rows]
    return [Fate(number, key, "new", "", f"household {made.id}") for number, _ in rows]


def import_register(
    session: Session,
    rows: list[dict[str, str]],
    *,
    principal: Principal,
    source: str,
    dry_run: bool = False,
    today: date | None = None,
) -> RegisterReport:
    """Register the households of ``rows`` (see the module's notes); with ``dry_run``
    everything is checked and rolled back, and the report says what would happen."""
    now = today or datetime.now(UTC).date()
    households: dict[str, list[tuple[int, dict[str, str]]]] = {}
    report = RegisterReport(source)
    for number, row in enumerate(rows, start=1):
        key = row["household"]
        if not key:
            report.fates.append(Fate(number, "", "refused", "household", "missing"))
            report.refused += 1
            continue
        households.setdefault(key, []).append((number, row))
    outer = session.begin_nested() if dry_run else None
    for key, members in households.items():
        fates = _household(
            session, principal, key=key, rows=members, today=now, origin=f"register {source}"[:200]
        )
        report.fates += fates
        outcome = fates[0].outcome if all(f.outcome == fates[0].outcome for f in fates) else ""
        if outcome == "new":
            report.new += 1
            report.children += len(members)
        elif outcome == "already registered":
            report.existing += 1
        else:
            report.refused += 1
    if outer is not None:
        outer.rollback()
    report.fates.sort(key=lambda fate: fate.row)
    return report
