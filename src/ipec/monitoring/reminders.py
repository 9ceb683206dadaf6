"""What needs me: the signed-in user's reminders, gathered from the lists that already hold
them, each read through the access gate (scoped and audited as that list is).

- **overdue** and **due** (today to 7 days ahead): the follow-ups assigned to the user, each
  child once at its most urgent (the monitor's week, ``ipec.monitoring.week.WeekList``, with
  the user as the assignee, whatever the role);
- **referrals awaiting my answer**: for a partner user, the referrals sent to its
  organisation and not yet answered (``sent``: accept or reject) or accepted and not yet
  reported done (``ipec.auth.read_partner_referrals``);
- **awaiting my approval**: for a role that decides (``ipec.monitoring.approvals.DECIDE_ROLES``),
  the requests of its subtree awaiting a decision, oldest first (the approval queue). This
  is the one hook (:func:`_awaiting_approval`) to the supervision work: a new kind of
  request shows here once its queue does.

The page (``/reminders``), the API (``GET /api/v1/reminders``) and the e-mail digest
(``ipec.monitoring.digest``) all call :func:`reminders_for`. Users choose the digest
themselves (:func:`set_digest`).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import Row
from sqlalchemy.orm import Session

from ipec.auth import Principal, read_list, read_partner_referrals
from ipec.auth.models import Role, User
from ipec.errors import DataError, NotFound
from ipec.monitoring.approvals import DECIDE_ROLES, ApprovalQueue, pending_count
from ipec.monitoring.audit import write_audit
from ipec.monitoring.models import ReferralStatus
from ipec.monitoring.week import WeekFilter, WeekList

__all__ = ["LISTED", "Reminders", "reminders_for", "set_digest"]

#: The most items of each kind a reminder list shows (the page links to the full list).
LISTED = 20
#: An e-mail address as far as ipec checks it: something@domain.tld, no space or control
#: character.
_EMAIL = re.compile(r"^[^@\s\x00-\x1f\x7f]+@[^@\s\x00-\x1f\x7f]+\.[^@\s\x00-\x1f\x7f]+$")


@dataclass(frozen=True, slots=True)
class Reminders:
    """A user's reminders on ``today``: rows of the week (``FollowUp``, ``Case``, ``Child``,
    ``area_name``...), of the partner's referrals (``Referral``, ``child_id``) and of the
    approval queue (``Approval``, ``Case``, ``Child``, ``area_name``); each list holds up to
    :data:`LISTED`; ``more_*`` say whether more are waiting."""

    today: date
    overdue: Sequence[Row[Any]] = ()
    due: Sequence[Row[Any]] = ()
    more_follow_ups: bool = False
    referrals: Sequence[Row[Any]] = ()
    more_referrals: bool = False
    approvals: Sequence[Row[Any]] = ()
    approvals_waiting: int = 0

    @property
    def count(self) -> int:
        """How many things need the user (every approval waiting counted)."""
        return len(self.overdue) + len(self.due) + len(self.referrals) + self.approvals_waiting


def _awaiting_approval(
    session: Session, principal: Principal, origin: str | None
) -> tuple[list[Row[Any]], int]:
    """The hook to the supervision work: the requests awaiting the principal's decision
    (the first :data:`LISTED`, and how many in all); none for a role that does not decide."""
    if principal.role not in DECIDE_ROLES:
        return [], 0
    found = read_list(session, principal, ApprovalQueue(per_page=LISTED), origin=origin)
    return list(found.rows), pending_count(session, principal.scope_path)


def reminders_for(
    session: Session, principal: Principal, today: date, *, origin: str | None = None
) -> Reminders:
    """What needs ``principal`` on ``today`` (see the module); each list read through the
    gate, so it is scoped and audited as the list it comes from."""
    if principal.role is Role.PARTNER:
        statuses = (ReferralStatus.SENT, ReferralStatus.ACCEPTED)
        rows = read_partner_referrals(session, principal, statuses=statuses, per_page=LISTED,
                                      origin=origin)  # fmt: skip
        return Reminders(today, referrals=rows[:LISTED], more_referrals=len(rows) > LISTED)
    week = read_list(session, principal,
                     WeekList(WeekFilter(principal.user_id), today, per_page=LISTED),
                     origin=origin)  # fmt: skip
    approvals, waiting = _awaiting_approval(session, principal, origin)
    return Reminders(
        today,
        overdue=[row for row in week.rows if row.FollowUp.due_on < today],
        due=[row for row in week.rows if row.FollowUp.due_on >= today],
        more_follow_ups=week.has_next,
        approvals=approvals,
        approvals_waiting=waiting,
    )


def set_digest(
    session: Session, *, user_id: int, email: str | None, enabled: bool, actor: str,
    origin: str | None = None,
) -> User:  # fmt: skip
    """Set where the user's reminders digest goes and whether it is sent (their own choice):
    an address is needed to enable it; refused (``DataError`` naming ``email``) when it does
    not look like one. Audited (``user.digest``, with whether it is on, not the address)."""
    user = session.get(User, user_id)
    if user is None:
        raise NotFound(f"user {user_id} not found")
    address = (email or "").strip() or None
    if address is not None and (len(address) > 254 or not _EMAIL.match(address)):
        raise DataError(f"{address!r} is not an e-mail address", column="email",
                        hint="give an address such as name@example.org")  # fmt: skip
    if enabled and address is None:
        raise DataError("a digest needs an e-mail address to go to", column="email",
                        hint="give your address, or leave the digest off")  # fmt: skip
    user.email, user.email_digest = address, enabled
    session.flush()
    write_audit(session, actor=actor, action="user.digest", entity="user", entity_id=user.id,
                origin=origin,
                detail={"enabled": enabled, "address": address is not None})  # fmt: skip
    return user
