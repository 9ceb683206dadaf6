"""Import of form submissions (:mod:`ipec.forms.exports`) through the pages' own service
functions, as the importing user.

Each submission is all or nothing: its answers are read and checked (every wrong field is
named), then the access gate (``ipec.auth``) and the service write it (a registration:
``register_household``; a visit or follow-up: ``record_visit_and_follow_up``, which
classifies the child and opens or updates its case as the visit page does), with its
``instanceID`` in :class:`SubmissionImport`, in one savepoint. A refused submission leaves
nothing and is listed with its row, field and reason; the others go in. ``checkpoint`` (the
command line's commit) runs every ``batch`` submissions: an import killed midway keeps the
submissions of the batches committed, whole, and a second run skips them (a submission
already imported is "unchanged", whatever its file) and imports the rest.

An edited submission (ODK's ``deprecatedID`` naming one imported) is refused: edits are not
applied; correct the record in ipec.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from ipec.auth.access import (
    CHANGE_ROLES,
    Operation,
    Principal,
    access_child,
    area_in_scope,
    require_role,
)
from ipec.classify.prepare import MAX_WEEKLY_HOURS
from ipec.errors import DataError, IpecError, NotFound
from ipec.forms.exports import Submission
from ipec.forms.xlsform import SCHOOL_DAYS, FormKind
from ipec.monitoring.audit import write_audit
from ipec.monitoring.models import Area, Child, Household, Sex, SubmissionImport
from ipec.monitoring.service import ChildInput, record_visit_and_follow_up, register_household
from ipec.standards import Profile

__all__ = ["ImportReport", "Rejection", "expected_columns", "import_submissions"]

_NAME = 200
_SCHOOL_STATUS = 40
_EARLIEST = date(1900, 1, 1)
_PSEUDONYM = re.compile(r"^[A-Z]{1,2}-[0-9]{7,}$")
_ISIC = re.compile(r"^([A-U]|[0-9]{2,4})$")
_ISCO = re.compile(r"^[0-9]{1,4}$")
#: Characters that change how text is shown (bidirectional overrides and isolates).
_BIDI = set("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")


@dataclass(frozen=True, slots=True)
class Rejection:
    """Why a submission was not imported: where it is, its id, the field and the reason."""

    source: str
    row: int
    instance_id: str
    field: str
    message: str

    def line(self) -> str:
        where = f"{self.source}, row {self.row}"
        what = f"{self.field}: " if self.field else ""
        return f"{where} ({self.instance_id or 'no instanceID'}): {what}{self.message}"


@dataclass
class ImportReport:
    """What an import did: submissions new, unchanged (imported before) and refused."""

    new: int = 0
    unchanged: int = 0
    rejected: list[Rejection] = field(default_factory=list)


class _Refused(Exception):
    """The fields of one submission that are wrong: (field, reason) each."""

    def __init__(self, problems: list[tuple[str, str]]) -> None:
        super().__init__("; ".join(f"{name}: {why}" for name, why in problems))
        self.problems = problems


class _Reader:
    """One submission's fields, read and checked; every problem noted, not the first only."""

    def __init__(self, sub: Submission, today: date) -> None:
        self.sub, self.today = sub, today
        self.problems: list[tuple[str, str]] = []

    def text(self, name: str, *, limit: int = _NAME, required: bool = False) -> str:
        value = self.sub.fields.get(name, "").strip()
        bad = next(
            (
                char
                for char in value
                if char in _BIDI or (unicodedata.category(char) == "Cc" and char not in "\t\n\r")
            ),
            None,
        )
        if bad is not None:
            self.problems.append((name, f"a control character (U+{ord(bad):04X})"))
            return ""
        if len(value) > limit:
            self.problems.append((name, f"{len(value)} characters, over {limit}"))
            return ""
        if required and not value:
            self.problems.append((name, "missing"))
        return value

    def day(self, name: str, *, earliest: date = _EARLIEST) -> date | None:
        value = self.text(name, required=True)
        if not value:
            return None
        try:
            found = date.fromisoformat(value[:10])
        except ValueError:
            self.problems.append((name, f"not a date (year-month-day): {value!r}"))
            return None
        if found > self.today:
            self.problems.append((name, f"{found} is in the future"))
        elif found < earliest:
            self.problems.append((name, f"{found} is before {earliest}"))
        return found

    def number(self, name: str, high: float, *, whole: bool = False) -> float | None:
        value = self.text(name)
        if not value:
            return None
        try:
            found = float(value) if not whole else float(int(value))
        except ValueError:
            found = -1.0
        if not 0 <= found <= high:
            kind = "a whole number" if whole else "a number"
            self.problems.append((name, f"{value!r} is not {kind} from 0 to {high:g}"))
            return None
        return found

    def yes_no(self, name: str) -> bool | None:
        value = self.text(name).lower()
        if value in {"yes", "1", "true"}:
            return True
        if value in {"no", "0", "false"}:
            return False
        if value:
            self.problems.append((name, f"{value!r} is not yes or no"))
        return None

    def area(self, session: Session) -> int | None:
        """The deepest area chosen (``area_1``, ``area_2``...: choices ``a<id>``)."""
        levels = sorted(
            (key for key in self.sub.fields if re.fullmatch(r"area_\d+", key)),
            key=lambda key: int(key[5:]),
        )
        chosen = [
            (key, self.sub.fields[key].strip()) for key in levels if self.sub.fields[key].strip()
        ]
        if not chosen:
            self.problems.append(("area_1", "no area chosen"))
            return None
        key, value = chosen[-1]
        if not re.fullmatch(r"a\d{1,12}", value) or session.get(Area, int(value[1:])) is None:
            self.problems.append((key, f"unknown area {value!r}"))
            return None
        return int(value[1:])


def _answers(reader: _Reader, profile: Profile) -> tuple[dict[str, Any], int | None, int | None]:
    """The canonical record and the school counts of a visit with consent."""
    from ipec.web.pages.visits import questions

    record: dict[str, Any] = {}
    asked = questions(profile, "en")
    hazards = {question.name for question in asked if question.name.startswith("haz_")}
    ticked = set(reader.text("hazards", limit=4000).split())
    for unknown in sorted(ticked - hazards):
        reader.problems.append(("hazards", f"unknown hazard code {unknown!r}"))
    for question in asked:
        name = question.name
        if name in hazards:
            record[name] = name in ticked
        elif question.kind == "flag":
            record[name] = reader.yes_no(name)
        elif question.kind == "hours":
            hours = reader.number(name, MAX_WEEKLY_HOURS)
            if hours is not None and reader.sub.fields.get(name.replace("_hours", "_any")) != "yes":
                reader.problems.append((name, "hours given for an activity not done"))
            record[name] = hours
        else:
            code = reader.text(name, limit=8).upper() or None
            pattern = _ISIC if name == "isic" else _ISCO
            if code is not None and not pattern.match(code):
                reader.problems.append((name, f"{code!r} is not an {name.upper()} code"))
            record[name] = code
    attended = reader.number("school_days_attended", SCHOOL_DAYS, whole=True)
    days_open = reader.number("school_days_open", SCHOOL_DAYS, whole=True)
    return (
        record,
        None if attended is None else int(attended),
        None if days_open is None else int(days_open),
    )


@dataclass(frozen=True, slots=True)
class _Context:
    session: Session
    principal: Principal
    profile: Profile
    today: date
    origin: str


def _register(ctx: _Context, sub: Submission) -> dict[str, Any]:
    reader = _Reader(sub, ctx.today)
    area_id = reader.area(ctx.session)
    head = reader.text("head_name", required=True)
    unit = reader.text("supply_unit") or None
    children: list[ChildInput] = []
    for child in sub.repeats.get("child", []):
        inner = _Reader(child, ctx.today)
        name = inner.text("child_name", required=True)
        sex = inner.text("sex", required=True)
        if sex and sex not in {value.value for value in Sex}:
            inner.problems.append(("sex", f"{sex!r} is not female or male"))
        born = inner.day("birth_date")
        school = inner.text("school_status", limit=_SCHOOL_STATUS) or None
        reader.problems += [(f"child row {child.row}: {key}", why) for key, why in inner.problems]
        if not inner.problems and born is not None:
            children.append(ChildInput(name, Sex(sex), born, school))
    if not sub.repeats.get("child"):
        reader.problems.append(("child", "no child registered"))
    location = _location(reader)
    if reader.problems:
        raise _Refused(reader.problems)
    assert area_id is not None
    require_role(ctx.principal, CHANGE_ROLES, "register households")
    area_in_scope(ctx.session, ctx.principal, area_id)
    household = register_household(
        ctx.session,
        area_id=area_id,
        head_name=head,
        children=children,
        actor=ctx.principal.username,
        origin=ctx.origin,
        today=ctx.today,
        supply_unit=unit,
        latitude=location[0] if location else None,
        longitude=location[1] if location else None,
    )
    return {"household": household.id}


def _location(reader: _Reader) -> tuple[float, float] | None:
    """The GPS point: ODK Central's split columns, or Kobo's "lat lon alt acc" (its range is
    the service's check)."""
    fields = reader.sub.fields
    parts = [fields.get("location_latitude", ""), fields.get("location_longitude", "")]
    if not any(part.strip() for part in parts):
        parts = [*reader.text("location").split(), "", ""][:2]
    if not any(part.strip() for part in parts):
        return None
    try:
        return float(parts[0]), float(parts[1])
    except ValueError:
        reader.problems.append(("location", f"{' '.join(parts)!r} is not a GPS point"))
        return None


def _visit(ctx: _Context, sub: Submission, kind: FormKind) -> dict[str, Any]:
    reader = _Reader(sub, ctx.today)
    area_id = reader.area(ctx.session) if kind is FormKind.VISIT else None
    code = reader.text("child", required=True)
    if code and not _PSEUDONYM.match(code):
        reader.problems.append(("child", f"{code!r} is not a child's code (C-0000000)"))
    follow_up: int | None = None
    if kind is FormKind.FOLLOW_UP:
        text = reader.text("follow_up", required=True)
        if text and not text.isdigit():
            reader.problems.append(("follow_up", f"{text!r} is not a follow-up number"))
        follow_up = int(text) if text.isdigit() else None
    visit_date = reader.day("visit_date")
    consent = reader.yes_no("consent")
    if consent is None and not any(name == "consent" for name, _ in reader.problems):
        reader.problems.append(("consent", "missing"))
    record: dict[str, Any] = {}
    attended = days_open = None
    if consent:
        record, attended, days_open = _answers(reader, ctx.profile)
    if reader.problems:
        raise _Refused(reader.problems)
    assert visit_date is not None
    found = ctx.session.scalar(select(Child.id).where(Child.pseudonym == code))
    try:
        if found is None:
            raise NotFound(code)
        child = access_child(ctx.session, ctx.principal, found, Operation.CHANGE, origin=ctx.origin)
    except NotFound:
        # one answer whether the code is unknown or another area's, as the gate answers
        raise _Refused([("child", f"no child {code} in your areas")]) from None
    if area_id is not None:
        _check_area(ctx.session, child, area_id)
    monitor = sub.fields.get("SubmitterName") or sub.fields.get("submitted_by") or ""
    monitor = _Reader(Submission(sub.source, sub.row, {"m": monitor}), ctx.today).text("m")
    visit = record_visit_and_follow_up(
        ctx.session,
        child_id=child.id,
        follow_up_id=follow_up if consent else None,
        visit_date=visit_date,
        monitor=(monitor or ctx.principal.username)[:100],
        consent=bool(consent),
        record=record,
        profile=ctx.profile,
        actor=ctx.principal.username,
        origin=ctx.origin,
        today=ctx.today,
        school_days_attended=attended,
        school_days_open=days_open,
    )
    return {"visit": visit.id}


def _check_area(session: Session, child: Child, area_id: int) -> None:
    """The child lives in the area chosen (or below it)."""
    chosen = session.get(Area, area_id)
    home = session.get(Area, session.get_one(Household, child.household_id).area_id)
    if chosen is None or home is None or not home.path.startswith(chosen.path):
        raise _Refused(
            [
                (
                    "area",
                    f"child {child.pseudonym} does not live in the area chosen "
                    f"({chosen.name if chosen else area_id})",
                )
            ]
        )


def _one(ctx: _Context, sub: Submission) -> dict[str, Any]:
    kind_text = sub.fields.get("form_kind", "")
    if len(sub.instance_id) > 100:
        raise _Refused([("instanceID", "over 100 characters")])
    try:
        kind = FormKind(kind_text)
    except ValueError:
        raise _Refused([("form_kind", f"{kind_text!r} is not a form of ipec")]) from None
    if kind is FormKind.REGISTRATION:
        return {"kind": kind.value, **_register(ctx, sub)}
    return {"kind": kind.value, **_visit(ctx, sub, kind)}


def import_submissions(
    session: Session,
    submissions: list[Submission],
    *,
    principal: Principal,
    profile: Profile,
    today: date | None = None,
    checkpoint: Callable[[], None] | None = None,
    batch: int = 200,
    progress: Callable[[int], None] | None = None,
) -> ImportReport:
    """Import ``submissions`` as ``principal``; see the module's notes for what is all or
    nothing."""
    _check_columns(submissions, profile)
    report = ImportReport()
    now = today or datetime.now(UTC).date()
    ids = [sub.instance_id for sub in submissions]
    known = _imported(session, ids + [sub.fields.get("deprecatedID", "") for sub in submissions])
    for done, sub in enumerate(submissions, start=1):
        instance = sub.instance_id
        if instance in known:
            report.unchanged += 1
        elif sub.fields.get("deprecatedID", "").strip() in known:
            report.rejected.append(
                Rejection(
                    sub.source,
                    sub.row,
                    instance,
                    "deprecatedID",
                    "an edit of a submission already imported: edits "
                    "are not applied; correct the record in ipec",
                )
            )
        else:
            origin = f"import {sub.source} row {sub.row}"
            ctx = _Context(session, principal, profile, now, origin[:200])
            try:
                with session.begin_nested():
                    made = _one(ctx, sub)
                    _ledger(session, sub, made, principal)
            except _Refused as refused:
                report.rejected += [
                    Rejection(sub.source, sub.row, instance, name, why)
                    for name, why in refused.problems
                ]
            except IntegrityError:
                # another import wrote the same instanceID since this one looked
                report.rejected.append(
                    Rejection(
                        sub.source,
                        sub.row,
                        instance,
                        "instanceID",
                        "imported meanwhile by another import: run "
                        "this one again (it will be unchanged)",
                    )
                )
            except IpecError as error:
                column = getattr(error, "column", None) or ""
                report.rejected.append(
                    Rejection(sub.source, sub.row, instance, column, error.one_line())
                )
            else:
                known.add(instance)
                report.new += 1
        if progress is not None:
            progress(done)
        if checkpoint is not None and done % batch == 0:
            checkpoint()
    if checkpoint is not None:
        checkpoint()
    return report


def expected_columns(kind: FormKind, profile: Profile) -> tuple[set[str], set[str]]:
    """The fields an export of a form of ``kind`` holds: of the submission, of a repeat row."""
    from ipec.web.pages.visits import questions

    if kind is FormKind.REGISTRATION:
        return {"area_1", "head_name"}, {"child_name", "sex", "birth_date"}
    asked = {question.name for question in questions(profile, "en")}
    hazards = {name for name in asked if name.startswith("haz_")}
    fields = (asked - hazards) | ({"hazards"} if hazards else set())
    fields |= {"child", "visit_date", "consent", "school_days_attended", "school_days_open"}
    fields |= {"area_1"} if kind is FormKind.VISIT else {"follow_up"}
    return fields, set()


def _check_columns(submissions: list[Submission], profile: Profile) -> None:
    """Refuse a file whose columns are not those of the form of its kind (another form's,
    or another profile's): nothing is imported from it."""
    for sub in submissions[:1]:
        try:
            kind = FormKind(sub.fields.get("form_kind", ""))
        except ValueError:
            continue  # refused submission by submission
        fields, repeated = expected_columns(kind, profile)
        missing = sorted(fields - sub.fields.keys())
        rows = sub.repeats.get("child", [])
        missing += sorted(repeated - rows[0].fields.keys()) if rows else []
        if missing:
            raise DataError(
                f"the columns of the {kind.value} form are missing: {', '.join(missing)}",
                source=sub.source,
                hint=f"export submissions of the form ipec forms xlsform --kind {kind.value} "
                f"-p {profile.id} made",
            )


def _imported(session: Session, ids: list[str]) -> set[str]:
    """The instance ids among ``ids`` already imported."""
    wanted = sorted({value for value in ids if value})
    found: set[str] = set()
    for start in range(0, len(wanted), 500):
        chunk = wanted[start : start + 500]
        found.update(
            session.scalars(
                select(SubmissionImport.instance_id).where(SubmissionImport.instance_id.in_(chunk))
            )
        )
    return found


def _ledger(session: Session, sub: Submission, made: Mapping[str, Any], who: Principal) -> None:
    kind = str(made["kind"])
    entry = SubmissionImport(
        instance_id=sub.instance_id[:100],
        form_kind=kind,
        imported_at=datetime.now(UTC),
        actor=who.username,
        source=f"{sub.source} row {sub.row}"[:400],
        made={key: value for key, value in made.items() if key != "kind"},
    )
    session.add(entry)
    session.flush()
    write_audit(
        session,
        actor=who.username,
        action="submission.import",
        entity="submission",
        entity_id=entry.id,
        origin=entry.source,
        detail={"instance_id": entry.instance_id, **entry.made},
    )
