"""The entity list of children due for a follow-up in a user's areas, as the CSV that ODK
Collect reads offline (the follow-up form's ``select_one_from_file children_due.csv``) and
that ODK Central takes as an entity list upload.

Columns: ``name`` (the entity's id: a UUID made from the follow-up's id, the same at every
publication, so an upload updates rather than duplicates), ``label`` (what the monitor picks:
code, name, village, due date), and the properties the form preloads (``child``, the child's
code; ``follow_up``; ``birth_date``; ``area``; ``due_on``). Each child is listed once, with
its earliest follow-up due. Entity list CSV layout: https://docs.getodk.org/central-entities/.
"""

from __future__ import annotations

import csv
import io
import uuid
from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy.orm import Session

from ipec.auth.access import Principal, children_in_scope
from ipec.monitoring.audit import write_audit
from ipec.monitoring.models import Area, Case, CaseStatus, Child, FollowUp

__all__ = ["COLUMNS", "DueChild", "children_due", "entity_csv", "entity_name"]

#: The columns of the entity list, in order.
COLUMNS = ("name", "label", "child", "follow_up", "birth_date", "area", "due_on")
_NAMESPACE = uuid.UUID("6f1d3c52-3e0b-4d8e-9a49-2f7c4b1c9e10")


def entity_name(follow_up_id: int) -> str:
    """The entity id of a follow-up: the same UUID at every publication."""
    return str(uuid.uuid5(_NAMESPACE, f"ipec-follow-up-{follow_up_id}"))


@dataclass(frozen=True, slots=True)
class DueChild:
    """One row of the entity list."""

    follow_up_id: int
    pseudonym: str
    name: str
    birth_date: date
    area_id: int
    area_name: str
    due_on: date

    def row(self) -> dict[str, str]:
        label = f"{self.pseudonym} {self.name} ({self.area_name}, {self.due_on.isoformat()})"
        return {
            "name": entity_name(self.follow_up_id),
            "label": label,
            "child": self.pseudonym,
            "follow_up": str(self.follow_up_id),
            "birth_date": self.birth_date.isoformat(),
            "area": f"a{self.area_id}",
            "due_on": self.due_on.isoformat(),
        }


def children_due(
    session: Session, principal: Principal, *, today: date, days_ahead: int = 31
) -> list[DueChild]:
    """The children of the principal's scope with a follow-up not done due by ``today +
    days_ahead`` (overdue ones included), of open cases, still on the register; each once.
    Every child listed is audit-logged as read (the list leaves the server)."""
    scoped = (
        children_in_scope(principal)
        .join(Case, Case.child_id == Child.id)
        .join(FollowUp, FollowUp.case_id == Case.id)
        .where(
            FollowUp.visit_id.is_(None),
            Case.status != CaseStatus.CLOSED,
            Child.active,
            FollowUp.due_on <= today + timedelta(days=days_ahead),
        )
        .with_only_columns(
            FollowUp.id,
            FollowUp.due_on,
            Child.id,
            Child.pseudonym,
            Child.name,
            Child.birth_date,
            Area.id,
            Area.name,
        )
        .order_by(FollowUp.due_on, FollowUp.id)
    )
    listed: dict[int, DueChild] = {}
    for row in session.execute(scoped):
        follow_up_id, due_on, child_id, pseudonym, name, born, area_id, area_name = row
        if child_id not in listed:
            listed[child_id] = DueChild(
                follow_up_id, pseudonym, name, born, area_id, area_name, due_on
            )
    for child_id in listed:
        write_audit(
            session,
            actor=principal.username,
            action="child.read",
            entity="child",
            entity_id=child_id,
            origin="entity list",
            detail={"list": "children_due"},
        )
    session.flush()
    return sorted(listed.values(), key=lambda due: (due.due_on, due.follow_up_id))


def entity_csv(rows: list[DueChild]) -> str:
    """The entity list as CSV text (UTF-8, a header row, RFC 4180 quoting)."""
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=COLUMNS, lineterminator="\n")
    writer.writeheader()
    for due in rows:
        writer.writerow(due.row())
    return out.getvalue()
