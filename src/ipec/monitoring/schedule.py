"""The rolling follow-up schedule, written to the database (its rule:
:mod:`ipec.monitoring.rolling`).

Three moments change a case's follow-ups, each in the caller's transaction and audited on the
case (``follow_up.schedule``, with the dates added, moved and dropped):

- remediation starts or starts again (:func:`restart`, from ``service.step_case``): the
  follow-ups not done are dropped and the first ones scheduled from that day;
- a follow-up is done (:func:`after_done`, from ``service.complete_follow_up`` and
  ``service.record_visit_and_follow_up``): done late, the later ones waiting are moved; when
  none is waiting after it, the next is scheduled;
- the case closes (:func:`drop_waiting`, from ``workflow.transition``): the follow-ups not
  done are dropped.

The rule comes from the deployment's settings (:func:`rule_of`), never from a constant.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ipec.config import Settings
from ipec.monitoring.audit import write_audit
from ipec.monitoring.followup import DEFAULT_RULE, FollowUpRule
from ipec.monitoring.models import Case, CaseStatus, FollowUp
from ipec.monitoring.rolling import first_due, is_late, next_due, shifted

__all__ = ["after_done", "drop_waiting", "restart", "rule_of"]


def rule_of(settings: Settings) -> FollowUpRule:
    """The deployment's follow-up rule: its first follow-ups and their rhythm; how far a
    follow-up may be moved and the closure gap keep the defaults."""
    return FollowUpRule(
        first_months=tuple(settings.follow_up_first_months),
        every_months=settings.follow_up_every_months,
        closure_gap_days=DEFAULT_RULE.closure_gap_days,
        move_weeks=DEFAULT_RULE.move_weeks,
    )


def _rule_date(follow_up: FollowUp) -> date:
    return follow_up.rule_due_on or follow_up.due_on


#: :func:`_rule_date` in SQL.
_RULE_DATE = func.coalesce(FollowUp.rule_due_on, FollowUp.due_on)


def _waiting(session: Session, case_id: int) -> list[FollowUp]:
    """The case's follow-ups not done, by the rule's date."""
    found = session.scalars(
        select(FollowUp).where(FollowUp.case_id == case_id, FollowUp.visit_id.is_(None))
    ).all()
    return sorted(found, key=lambda f: (_rule_date(f), f.id))


def _delete(session: Session, follow_ups: Sequence[FollowUp]) -> None:
    for follow_up in follow_ups:
        session.delete(follow_up)
    session.flush()


def _audit(
    session: Session, case: Case, why: str, *, actor: str, origin: str | None,
    added: Sequence[date] = (), moved: Sequence[tuple[date, date]] = (),
    dropped: Sequence[date] = (), at: datetime | None = None,
) -> None:  # fmt: skip
    write_audit(session, actor=actor, action="follow_up.schedule", entity="case",
                entity_id=case.id, origin=origin, at=at,
                detail={"why": why, "added": [d.isoformat() for d in added],
                        "moved": [[a.isoformat(), b.isoformat()] for a, b in moved],
                        "dropped": [d.isoformat() for d in dropped]})  # fmt: skip


def drop_waiting(
    session: Session, case: Case, *, why: str, actor: str, origin: str | None = None,
    at: datetime | None = None,
) -> list[date]:  # fmt: skip
    """Drop the case's follow-ups not done (closure, or a new schedule); returns their due
    dates. Audited when there were some."""
    waiting = _waiting(session, case.id)
    if not waiting:
        return []
    _delete(session, waiting)
    dropped = [f.due_on for f in waiting]
    _audit(session, case, why, actor=actor, origin=origin, dropped=dropped, at=at)
    return dropped


def restart(
    session: Session, case: Case, start: date, *, rule: FollowUpRule = DEFAULT_RULE,
    actor: str, origin: str | None = None,
) -> list[FollowUp]:  # fmt: skip
    """Remediation (re)started on ``start``: drop the follow-ups not done and schedule the
    first ones (``rule.first_months`` after ``start``; a rule's date the case already has,
    done, is not scheduled twice)."""
    waiting = _waiting(session, case.id)
    _delete(session, waiting)
    kept = set(session.scalars(
        select(_RULE_DATE).where(FollowUp.case_id == case.id)
    ))  # fmt: skip
    created = [FollowUp(case_id=case.id, due_on=d) for d in first_due(start, rule) if d not in kept]
    session.add_all(created)
    session.flush()
    _audit(session, case, "remediation started", actor=actor, origin=origin,
           added=[f.due_on for f in created], dropped=[f.due_on for f in waiting])  # fmt: skip
    return created


def after_done(
    session: Session, follow_up: FollowUp, case: Case, visit_on: date, *,
    rule: FollowUpRule = DEFAULT_RULE, actor: str, origin: str | None = None,
) -> FollowUp | None:  # fmt: skip
    """Keep the schedule going once ``follow_up`` was done by a visit on ``visit_on``: done
    late, move the later follow-ups waiting (:func:`ipec.monitoring.rolling.shifted`); with
    none waiting after it, schedule the next (returned). Nothing for a closed case."""
    if case.status is CaseStatus.CLOSED:
        return None
    done_rule = _rule_date(follow_up)
    later = [f for f in _waiting(session, case.id) if f.id != follow_up.id
             and _rule_date(f) > done_rule]  # fmt: skip
    late = is_late(follow_up.due_on, visit_on, rule)
    moved: list[tuple[date, date]] = []
    if late and later:
        for waiting, new in zip(later, shifted([_rule_date(f) for f in later], done_rule,
                                               visit_on), strict=True):  # fmt: skip
            moved.append((waiting.due_on, new))
            waiting.due_on, waiting.rule_due_on = new, None
    created: FollowUp | None = None
    if not later:
        if late:
            base = visit_on
        else:
            base = max(done_rule, session.scalar(
                select(func.max(_RULE_DATE)).where(FollowUp.case_id == case.id)
            ) or done_rule)  # fmt: skip
        created = FollowUp(case_id=case.id, due_on=next_due(base, rule))
        session.add(created)
    session.flush()
    if created is not None or moved:
        why = "follow-up done late" if late else "follow-up done"
        _audit(session, case, why, actor=actor, origin=origin, moved=moved,
               added=[created.due_on] if created is not None else [])  # fmt: skip
    return created
