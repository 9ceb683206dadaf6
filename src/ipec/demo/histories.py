"""Each case's history: the steps its case worker takes, and what the visits change.

A case opens on the visit that found the child in child labour (or, for a child at risk, on
the visit that found a sibling in it: the rule's proposal of a sibling, confirmed by the
monitor that day, the history's first step ``open_at_risk``). Its case worker plans the
action a few days later and starts remediation a few weeks after that (the first services
start that day); follow-ups fall due by the rolling rule (:mod:`ipec.monitoring.rolling`)
and the child's follow-up visits then move the case on:

- a visit that finds the child out of child labour moves a case in remediation under
  follow-up; a case under follow-up may close once the two latest follow-ups found the child
  out, at least 90 days apart (:func:`ipec.monitoring.followup.ready_to_close`), and no
  follow-up was missed; most case workers close then, some wait;
- a visit that finds the child in child labour reopens a case under follow-up or closed
  (relapse) and escalates a case at risk, as ``ipec.monitoring.service.record_visit`` does;
  the case worker plans again a few days later.

Every step is looked up in the workflow's table (:data:`ipec.monitoring.workflow.TRANSITIONS`),
so the history is one the service could have written and the status is where it ends.
Follow-ups after the day a case closed are not scheduled (closing drops them), nor are its
visits made.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import NamedTuple

from ipec.monitoring.followup import ready_to_close
from ipec.monitoring.models import CaseKind, CaseStatus
from ipec.monitoring.prevention import OPEN_AT_RISK, RiskReason
from ipec.monitoring.workflow import TRANSITIONS, Action

__all__ = ["Due", "History", "Story", "replay"]

#: Why a visit moved a case (the service's words).
_RELAPSE = "found in child labour again at a visit"
_ESCALATE = "found in child labour at a visit"
_CLOSE = "out of child labour at the two latest follow-ups"
#: The hour (UTC) each step is recorded on its day, after the morning's visits.
_HOURS = {Action.PLAN: 10, Action.START_REMEDIATION: 11, Action.RESUME_REMEDIATION: 11,
          Action.RELAPSE: 12, Action.ESCALATE: 12, Action.START_FOLLOW_UP: 15,
          Action.CLOSE: 16}  # fmt: skip
#: The workflow's table, each step with the words a history stores and its hour.
_STEPS = {
    (action, source): (target, action.value, source.value, target.value, _HOURS[action])
    for (action, source), target in TRANSITIONS.items()
}


#: A step of a history: action, from status (None for the opening of an at-risk case), to
#: status, day, hour, actor, reason.
Step = tuple[str, str | None, str, date, int, str, str | None]
#: An at-risk case opens with its reason (``ipec.monitoring.prevention.open_at_risk``), at
#: this hour: the monitor confirms the rule's proposal after the morning's visits.
_OPEN_HOUR = 9


class Story(NamedTuple):
    """What a case's story is drawn from: its kind, the day it opened, the days its worker
    plans and starts remediation (None: not by today), how soon the worker plans again after
    a relapse, the chance the worker closes a case ready to close, who records."""

    kind: CaseKind
    opened_on: date
    plan_on: date | None
    start_on: date | None
    replan_days: int
    close_chance: float
    worker: str
    monitor: str


class Due(NamedTuple):
    """A follow-up due day of a case, the day of the visit that did it (None: missed, or
    not made by today), whether that visit found child labour, whether it was missed, and a
    draw in [0, 1) for the worker's choice to close."""

    due_on: date
    visit_on: date | None
    child_labour: bool
    missed: bool
    draw: float


@dataclass(slots=True)
class History:
    """The replayed cases: per case its status, closing day and steps (action, from, to,
    day, hour, actor, reason); per follow-up whether it is scheduled (not after closure)."""

    statuses: list[CaseStatus] = field(default_factory=list)
    closed_on: list[date | None] = field(default_factory=list)
    steps: list[list[Step]] = field(default_factory=list)
    scheduled: list[bool] = field(default_factory=list)


def replay(stories: list[Story], dues: list[list[Due]], today: date) -> History:
    """Each case's steps from its story and its follow-up visits' verdicts (``dues[i]`` are
    the follow-ups of ``stories[i]``'s case in due order), up to ``today``."""
    history = History()
    for story, its_dues in zip(stories, dues, strict=True):
        _one(story, its_dues, today, history)
    return history


def _one(case: Story, dues: list[Due], today: date, history: History) -> None:
    status = CaseStatus.AT_RISK if case.kind is CaseKind.AT_RISK else CaseStatus.IDENTIFIED
    steps: list[Step] = []
    if case.kind is CaseKind.AT_RISK:
        # a sibling seen the day a child of the household was found in child labour: the
        # rule's proposal, confirmed by the monitor that day
        steps.append((OPEN_AT_RISK, None, status.value, case.opened_on, _OPEN_HOUR, case.monitor,
                      RiskReason.SIBLING.value))  # fmt: skip

    def step(action: Action, day: date, actor: str, reason: str | None = None) -> None:
        nonlocal status
        status, name, source, target, hour = _STEPS[(action, status)]
        steps.append((name, source, target, day, hour, actor, reason))

    if case.plan_on is not None:
        step(Action.PLAN, case.plan_on, case.worker)
        if case.start_on is not None:
            step(Action.START_REMEDIATION, case.start_on, case.worker)
    verifications: list[tuple[date, bool]] = []
    missed = False
    closed: date | None = None
    replan: date | None = None
    for due in dues:
        history.scheduled.append(closed is None)
        if closed is not None or due.visit_on is None:
            missed = missed or due.missed
            continue
        day = due.visit_on
        if replan is not None and replan < day:
            step(Action.PLAN, replan, case.worker)
            replan = None
        verifications.append((day, due.child_labour))
        if due.child_labour:
            if status in (CaseStatus.UNDER_FOLLOW_UP, CaseStatus.CLOSED):
                step(Action.RELAPSE, day, case.monitor, _RELAPSE)
            elif status is CaseStatus.AT_RISK:
                step(Action.ESCALATE, day, case.monitor, _ESCALATE)
            else:
                continue
            replan = day + timedelta(days=case.replan_days)
        elif status is CaseStatus.IN_REMEDIATION:
            step(Action.START_FOLLOW_UP, day, case.worker)
        elif (
            status is CaseStatus.UNDER_FOLLOW_UP
            and due.draw < case.close_chance
            and not missed
            and ready_to_close(verifications)
        ):
            step(Action.CLOSE, day, case.worker, _CLOSE)
            closed = day
    if replan is not None and replan <= today:
        step(Action.PLAN, replan, case.worker)
    history.statuses.append(status)
    history.closed_on.append(closed)
    history.steps.append(steps)
