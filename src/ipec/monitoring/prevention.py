"""The prevention path: children at risk of child labour, proposed by a rule or named by hand,
get a case of kind ``at_risk`` (status ``at_risk``), planned, served and followed up as any
case; "prevented" is then computed from its history (``ipec.monitoring.metrics.outcomes``).

The rule (:func:`proposals`) names, in a household, each child on the register, of the
profile's ages, without an open case, who is:

- a **sibling of a child in child labour**: another child of the household has an open
  child-labour case;
- **out of school**: the child's latest visit with the family's consent recorded school
  attendance, and the child attended none of the days the school was open.

Proposed, not opened: the rule runs whenever a household's or a child's page is read (so
right after a visit is recorded, on the child's page the monitor comes back to) and lists
what it finds; a case worker confirms each with :func:`open_at_risk`. Opening a case commits
a case worker's time and the family's agreement, and a sibling may be away or already
supported: opened automatically, at-risk cases would count children nobody decided to
support, and "prevented" would grow without anything done. A case may also be opened by hand
for another reason (``other``, with a note saying which).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import UTC, date, datetime
from enum import StrEnum

from sqlalchemy import select
from sqlalchemy.orm import Session

from ipec.errors import Conflict, DataError, NotFound
from ipec.monitoring.audit import write_audit
from ipec.monitoring.models import Case, CaseEvent, CaseKind, CaseStatus, Child, Visit
from ipec.monitoring.scope import age_on

__all__ = ["OPEN_AT_RISK", "Proposal", "RiskReason", "open_at_risk", "proposals"]

#: The name of the step that opens an at-risk case, in its history and the audit log.
OPEN_AT_RISK = "open_at_risk"
#: The longest note kept with a case opened by hand.
NOTE_LENGTH = 2000
#: The status of a visit the family did not consent to (``service.REFUSED``).
_REFUSED = "consent_refused"


class RiskReason(StrEnum):
    """Why a child is at risk: the rule's two reasons, or another one named by hand."""

    SIBLING = "sibling_in_child_labour"
    OUT_OF_SCHOOL = "out_of_school"
    OTHER = "other"


@dataclass(frozen=True, slots=True)
class Proposal:
    """A child the rule finds at risk, with its reasons and, for a sibling, the children of
    the household in child labour (their pseudonyms)."""

    child_id: int
    reasons: tuple[RiskReason, ...]
    siblings_in_labour: tuple[str, ...] = ()


def _open_case_children(session: Session, child_ids: list[int]) -> dict[int, CaseKind]:
    """The children of ``child_ids`` with an open case (not closed), and its kind."""
    rows = session.execute(
        select(Case.child_id, Case.kind).where(
            Case.child_id.in_(child_ids), Case.status != CaseStatus.CLOSED
        )
    ).all()
    found: dict[int, CaseKind] = {}
    for child_id, kind in rows:
        if found.get(child_id) is not CaseKind.CHILD_LABOUR:
            found[child_id] = kind
    return found


def _out_of_school(session: Session, child_ids: list[int]) -> set[int]:
    """The children whose latest consented visit recorded attendance and no day attended."""
    latest: dict[int, Visit] = {}
    visits = select(Visit).where(Visit.child_id.in_(child_ids), Visit.status != _REFUSED)
    for visit in session.scalars(visits.order_by(Visit.visit_date, Visit.id)):
        latest[visit.child_id] = visit
    return {
        child_id
        for child_id, visit in latest.items()
        if visit.school_days_open and visit.school_days_attended == 0
    }


def proposals(
    session: Session, household_id: int, *, today: date, ages: tuple[int, int]
) -> list[Proposal]:
    """The children of the household the rule finds at risk (see the module), by id.
    ``ages``: the youngest and oldest age the profile classifies (its scope)."""
    children = session.scalars(
        select(Child).where(Child.household_id == household_id, Child.active.is_(True))
        .order_by(Child.id)
    ).all()  # fmt: skip
    ids = [child.id for child in children]
    if not ids:
        return []
    open_cases = _open_case_children(session, ids)
    in_labour = [c.pseudonym for c in children if open_cases.get(c.id) is CaseKind.CHILD_LABOUR]
    out = _out_of_school(session, ids)
    found: dict[int, list[RiskReason]] = defaultdict(list)
    for child in children:
        if child.id in open_cases or not ages[0] <= age_on(child.birth_date, today) <= ages[1]:
            continue
        if in_labour:
            found[child.id].append(RiskReason.SIBLING)
        if child.id in out:
            found[child.id].append(RiskReason.OUT_OF_SCHOOL)
    return [
        Proposal(
            child_id, tuple(reasons), tuple(in_labour) if RiskReason.SIBLING in reasons else ()
        )
        for child_id, reasons in found.items()
    ]


def open_at_risk(
    session: Session, *, child_id: int, reason: RiskReason | str, note: str | None,
    opened_on: date, ages: tuple[int, int], actor: str, origin: str | None = None,
    today: date | None = None,
) -> Case:  # fmt: skip
    """Open an at-risk case for the child: for one of the rule's reasons, which must hold
    (:func:`proposals`), or for ``other`` with a ``note`` saying why. Refused (``DataError``
    naming the field) for an unknown reason, ``other`` without a note, a note too long, a day
    in the future or before the child's birth, a child outside the profile's ages or no
    longer on the register; ``Conflict`` when the child already has an open case. The
    history starts with the step ``open_at_risk`` (its reason and note); audited as
    ``case.open``."""
    try:
        why = RiskReason(reason)
    except ValueError:
        known = ", ".join(r.value for r in RiskReason)
        raise DataError(f"unknown reason {reason!r}", column="reason",
                        hint=f"use one of {known}") from None  # fmt: skip
    text = (note or "").strip()
    if len(text) > NOTE_LENGTH:
        raise DataError(f"the note is longer than {NOTE_LENGTH} characters", column="note")
    if why is RiskReason.OTHER and not text:
        raise DataError("an at-risk case opened for another reason needs a note saying which",
                        column="note", hint="say why the child is at risk")  # fmt: skip
    child = session.get(Child, child_id, with_for_update=True)
    if child is None:
        raise NotFound(f"child {child_id} not found")
    now = today or datetime.now(UTC).date()
    if opened_on > now or opened_on < child.birth_date:
        raise DataError(f"the case cannot open on {opened_on}: it is in the future or before "
                        "the child's birth", column="opened_on",
                        hint="give the day the risk was found")  # fmt: skip
    age = age_on(child.birth_date, opened_on)
    if not child.active or not ages[0] <= age <= ages[1]:
        state = "no longer on the register" if not child.active else f"aged {age}"
        raise DataError(f"child {child.id} is {state}: an at-risk case is for a child of "
                        f"{ages[0]} to {ages[1]} on the register", column="child_id")  # fmt: skip
    if _open_case_children(session, [child.id]):
        raise Conflict(f"child {child.id} already has an open case",
                       hint="plan the support in that case")  # fmt: skip
    if why is not RiskReason.OTHER:
        holds = {r for p in proposals(session, child.household_id, today=opened_on, ages=ages)
                 if p.child_id == child.id for r in p.reasons}  # fmt: skip
        if why not in holds:
            said = why.value.replace("_", " ")
            raise DataError(f"the rule does not find child {child.id} {said}",
                            column="reason",
                            hint="choose a reason the rule gives, or other and a note")  # fmt: skip
    case = Case(child_id=child.id, kind=CaseKind.AT_RISK, status=CaseStatus.AT_RISK,
                opened_on=opened_on)  # fmt: skip
    session.add(case)
    session.flush()
    told = why.value if not text else f"{why.value}: {text}"
    moment = datetime.now(UTC)
    session.add(CaseEvent(case=case, action=OPEN_AT_RISK, from_status=None,
                          to_status=CaseStatus.AT_RISK, at=moment, actor=actor,
                          reason=told))  # fmt: skip
    write_audit(session, actor=actor, action="case.open", entity="case", entity_id=case.id,
                origin=origin, at=moment,
                detail={"child": child.id, "kind": CaseKind.AT_RISK.value,
                        "reason": why.value, "note": text or None})  # fmt: skip
    session.flush()
    return case
