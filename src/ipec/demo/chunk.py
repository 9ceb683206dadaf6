"""One chunk of the country: households with their children, visits, cases and what follows.

The story of two years up to ``today``:

- each household is visited in rounds (``visits_per_child`` of them over the two years, the
  first between two years and one round ago, so the latest falls in the last round, up to
  today); a round misses a household now and then; its children aged 5-17 that day are each
  seen, their work recorded (:mod:`ipec.demo.work`) and classified under the profile;
- the first visit that finds a child in child labour opens the child's case that day; some
  siblings seen that day, not in child labour, get a case of their own as children at risk;
  from then on the child is seen at its follow-ups rather than in the rounds;
- the case's history (:mod:`ipec.demo.histories`): planned, remediation started (the first
  services, :mod:`ipec.demo.remediation`), follow-ups due by the rule, mostly done on time by
  a visit, some late, now and then one missed; at those visits most children are out of child
  labour (some at once, some later, some not at all), a few are back in after being out.

Copies of other records' columns (areas, a case's child's sex and birth date) are left out
here: :func:`ipec.monitoring.copies.insert_with_copies` adds them as the rows go in.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

import numpy as np
import polars as pl

from ipec.classify import Reason, reason_column
from ipec.demo.country import Areas, Ids
from ipec.demo.histories import Due, History, Step, Story, replay
from ipec.demo.remediation import age_at, referrals, services
from ipec.demo.size import DemoSize
from ipec.demo.verdicts import Verdicts
from ipec.demo.work import Work, follow_up_records, routine_records
from ipec.monitoring.followup import DEFAULT_RULE, FollowUpRule
from ipec.monitoring.models import CaseKind, Sex
from ipec.monitoring.prevention import OPEN_AT_RISK
from ipec.monitoring.rolling import first_due, is_late, next_due, shifted
from ipec.standards import Profile

__all__ = ["COUNTED", "Country", "Frames", "chunk"]

#: One chunk's rows: (table, frame) in the order they are written, parents first.
Frames = list[tuple[str, pl.DataFrame]]
#: The records the seeder counts, by table.
COUNTED = ("households", "children", "visits", "cases", "case_events", "services", "referrals",
           "follow_ups")  # fmt: skip

Array = np.ndarray[Any, Any]

#: Days of history, and the youngest and oldest age visited.
_SPAN_DAYS = 730
_YOUNGEST, _OLDEST = 5, 17
#: The chance a round misses a household (after the first).
_ROUND_MISSED = 0.06
#: Siblings seen on the day a child was found in child labour who get an at-risk case.
_AT_RISK = 0.15
#: Days from opening to planning (and from a relapse to planning again), from planning to
#: the start of remediation: (first, last + 1).
_PLAN_DAYS, _START_DAYS = (3, 22), (7, 46)
#: Follow-ups: the chance one is missed (at most one a case) or done late (31-60 days after
#: it was due); the others are done on time (0-21 days after).
_MISSED, _LATE = 0.03, 0.10
_LATE_DAYS, _ON_TIME_DAYS = (31, 61), (0, 22)
#: How children respond at their follow-ups, by kind of case: (name, share, whether the
#: child is in child labour at follow-up visit ``i`` of ``n`` made).
_Rule = Callable[[Array, Array], Array]
_RESPONSES: dict[str, tuple[tuple[str, float, _Rule], ...]] = {
    CaseKind.CHILD_LABOUR.value: (
        ("out at once", 0.60, lambda i, n: i < 0),
        ("out from the second", 0.17, lambda i, n: i == 0),
        ("out from the third", 0.05, lambda i, n: i <= 1),
        ("still in", 0.10, lambda i, n: i >= 0),
        ("back in", 0.08, lambda i, n: (i == n - 1) & (n >= 3)),
    ),
    CaseKind.AT_RISK.value: (
        ("never in", 0.95, lambda i, n: i < 0),
        ("back in", 0.05, lambda i, n: (i == n - 1) & (n >= 2)),
    ),
}
#: The chance a case worker closes a case ready to close at a follow-up; the workers of the
#: children who are back in later had not closed.
_CLOSE_CHANCE = 0.8


@dataclass(slots=True)
class Country:
    """What every chunk needs: the size, the profile, the day, ids, areas and partners."""

    size: DemoSize
    profile: Profile
    today: date
    ids: Ids
    areas: Areas
    partners: dict[str, int]
    work: Work
    verdicts: Verdicts
    counts: dict[str, int]
    #: The follow-up rule the service applies (``ipec.monitoring.schedule.rule_of``).
    rule: FollowUpRule = DEFAULT_RULE


@dataclass(slots=True)
class _Chunk:
    """One chunk being made: its random draws, its children and the rows to write."""

    country: Country
    rng: np.random.Generator
    households: int
    children: pl.DataFrame
    out: Frames


def _days(day: date, offsets: Array) -> pl.Series:
    """``day`` plus each offset in days, as a Polars Date column."""
    return pl.Series(np.datetime64(day, "D") + offsets.astype("timedelta64[D]"))


def chunk(country: Country, households: int, seed: int) -> Frames:
    """``households`` households with their children, visits, cases, case steps, services,
    referrals and follow-ups: the frames to write, parents first."""
    made = _people(country, np.random.default_rng([country.size.seed, seed]), households)
    routine = _rounds(made)
    cases = _cases(made, routine)
    follow_ups = _follow_ups(made, cases)
    history = _history(made, cases, follow_ups)
    visits = _visits(made, routine, cases, follow_ups, history)
    _case_rows(made, cases, history, visits, follow_ups)
    country.counts["households"] += households
    for table, frame in made.out[1:]:
        country.counts[table] += frame.height
    return made.out


def _people(country: Country, rng: np.random.Generator, households: int) -> _Chunk:
    """Households in communities, and their children aged 5-17 today."""
    ids = country.ids
    household_ids = ids.take("households", households)
    community = rng.integers(0, country.areas.communities.size, households)
    homes = pl.DataFrame({"id": household_ids, "area_id": country.areas.communities[community]})
    per_house = rng.poisson(country.size.children_per_household - 1, households) + 1
    home = np.repeat(np.arange(households), per_house)
    n = home.size
    # Born so that the child is 5 to 17 today.
    birth = _days(country.today, -rng.integers(_YOUNGEST * 365 + 2, (_OLDEST + 1) * 365 - 1, n))
    sexes = np.array([Sex.MALE.value, Sex.FEMALE.value])[rng.integers(0, 2, n)]
    children = pl.DataFrame(
        {"child": np.arange(n), "id": ids.take("children", n), "household_id": household_ids[home],
         "home": home, "community": community[home], "sex": sexes, "birth_date": birth,
         "propensity": rng.random(n), "intensity": rng.lognormal(0.0, 0.55, n)}
    )  # fmt: skip
    out: Frames = [
        ("households", homes.with_columns(head_name=pl.format("Household {}", "id"),
                                          version=pl.lit(1))),
        ("children", children.select(
            "id", "household_id", "sex", "birth_date",
            pseudonym=pl.concat_str(pl.lit("D-"), pl.col("id").cast(pl.String).str.zfill(7)),
            name=pl.format("Child {}", "id"), version=pl.lit(1),
        )),
    ]  # fmt: skip
    return _Chunk(country, rng, households, children, out)


def _rounds(made: _Chunk) -> pl.DataFrame:
    """Every routine visit (a round's visit of a child aged 5-17 that day), classified."""
    country, rng, children = made.country, made.rng, made.children
    k = country.size.visits_per_child
    gap = _SPAN_DAYS // k
    households = made.households
    first = -_SPAN_DAYS + rng.integers(0, gap, households)
    step = np.arange(k)
    jitter = np.where(step > 0, rng.integers(-14, 15, (households, k)), 0)
    offsets = first[:, None] + step[None, :] * gap + jitter
    held = (offsets <= 0) & ((step == 0) | (rng.random((households, k)) >= _ROUND_MISSED))
    home = np.repeat(children["home"].to_numpy(), k)
    round_of = np.tile(step, children.height)
    seen = held[home, round_of]
    frame = pl.DataFrame(
        {"child": np.repeat(np.arange(children.height), k)[seen],
         "visit_date": _days(country.today, offsets[home, round_of][seen])}
    )  # fmt: skip
    frame = (
        frame.join(children.select("child", "birth_date", "propensity", "intensity"),
                   on="child", how="left", maintain_order="left")
        .with_columns(age=age_at(pl.col("visit_date"), pl.col("birth_date")))
        .filter(pl.col("age") >= _YOUNGEST)
    )  # fmt: skip
    ages, propensity, intensity = (frame[name].to_numpy() for name in ("age", "propensity",
                                                                         "intensity"))  # fmt: skip
    records = routine_records(country.work, rng, ages, propensity, intensity)
    verdicts = country.verdicts.classify(records)
    return pl.concat([frame.select("child", "visit_date"), verdicts], how="horizontal")


def _cases(made: _Chunk, routine: pl.DataFrame) -> pl.DataFrame:
    """One case per child found in child labour, opened on the first such visit, and one per
    sibling made a child at risk that day; with the days the case worker plans and starts
    remediation (None: not by today), and how the child responds."""
    today, rng, children = made.country.today, made.rng, made.children
    found = routine.filter("child_labour").group_by("child").agg(opened_on=pl.min("visit_date"))
    homes = children.select("child", "home")
    first_in_home = found.join(homes, on="child").group_by("home").agg(day=pl.min("opened_on"))
    siblings = (
        routine.filter(~pl.col("child_labour"))
        .select("child", "visit_date")
        .join(homes, on="child")
        .join(first_in_home, on="home")
        .filter(pl.col("visit_date") == pl.col("day"))
        .sort("child")
    )
    siblings = siblings.filter(pl.Series(rng.random(siblings.height) < _AT_RISK))
    in_labour = found.join(siblings, on="child", how="anti")
    cases = pl.concat([
        in_labour.with_columns(kind=pl.lit(CaseKind.CHILD_LABOUR.value)),
        siblings.select("child", opened_on="visit_date", kind=pl.lit(CaseKind.AT_RISK.value)),
    ]).sort("child")  # fmt: skip
    n = cases.height
    plan = pl.col("opened_on") + pl.duration(days=pl.lit(pl.Series(rng.integers(*_PLAN_DAYS, n))))
    start = plan + pl.duration(days=pl.lit(pl.Series(rng.integers(*_START_DAYS, n))))
    draw = rng.random(n)
    kinds = cases["kind"].to_numpy()
    response = np.zeros(n, dtype=np.int64)
    for kind, responses in _RESPONSES.items():
        edges = np.cumsum([share for _, share, _ in responses])
        drawn = np.minimum(np.searchsorted(edges, draw, side="right"), len(responses) - 1)
        response = np.where(kinds == kind, drawn, response)
    return cases.with_columns(
        plan_on=pl.when(plan <= today).then(plan),
        start_on=pl.when(start <= today).then(start),
        replan_days=pl.Series(rng.integers(*_PLAN_DAYS, n)),
        response=pl.Series(response),
    ).join(children.select("child", "community"), on="child", how="left", maintain_order="left")


def _follow_ups(made: _Chunk, cases: pl.DataFrame) -> pl.DataFrame:
    """Every follow-up of every case whose remediation started, as the service schedules
    them (:func:`_schedule`: the rolling rule of :mod:`ipec.monitoring.rolling`), in due
    order per case (``case``: the case's row); each done on time or late by a visit,
    classified (``row``: the visit's), unless it was missed or its visit is not made by
    today."""
    today, rng = made.country.today, made.rng
    started = cases.with_row_index("case").filter(pl.col("start_on").is_not_null())
    due = _schedule(started, rng, today, made.country.rule)
    missed = pl.col("missed")
    due = due.with_columns(done=~missed & pl.col("visit_on").is_not_null()).with_row_index("row")
    done = (
        due.filter("done")
        .with_columns(number=pl.int_range(pl.len()).over("case"), made=pl.len().over("case"))
        .join(made.children.select("child", "birth_date", "intensity"), on="child", how="left",
              maintain_order="left")
    )  # fmt: skip
    records = follow_up_records(
        made.country.work, rng,
        done.select(age_at(pl.col("visit_on"), pl.col("birth_date"))).to_series().to_numpy(),
        done["intensity"].to_numpy(), _in_labour(done),
    )  # fmt: skip
    verdicts = made.country.verdicts.classify(records)
    visits = pl.concat([done.select("row", visit_date="visit_on"), verdicts], how="horizontal")
    due = due.with_columns(row=pl.when("done").then("row"))
    return due.join(visits, on="row", how="left", maintain_order="left")


def _schedule(
    started: pl.DataFrame, rng: np.random.Generator, today: date, rule: FollowUpRule
) -> pl.DataFrame:
    """Each started case's follow-ups by the service's rule: the first ones from the start of
    remediation; each done (0-21 days after it was due, or late, 31-60 days after) followed
    by the next when none waits, a late one moving those waiting to its visit; now and then
    one missed (at most one a case, only while another waits, as a monitor who does the next
    one leaves it); those whose visit falls after today are not done, and end the case's
    schedule. Returns (case, child, kind, response, start_on, due_on, missed, visit_on,
    close_draw) in due order per case."""
    n = started.height
    most = len(rule.first_months) + (_SPAN_DAYS // 28) // rule.every_months + 3
    draws = rng.random((n, most)).tolist()
    lags = np.where(np.asarray(draws) < _MISSED + _LATE, rng.integers(*_LATE_DAYS, (n, most)),
                    rng.integers(*_ON_TIME_DAYS, (n, most))).tolist()  # fmt: skip
    closing = rng.random((n, most)).tolist()
    columns: dict[str, list[Any]] = {name: [] for name in ("index", "due_on", "missed",
                                                           "visit_on", "close_draw")}  # fmt: skip

    def scheduled(index: int, later: list[date]) -> None:
        """Follow-ups scheduled whose visit is not made by today."""
        for day in later:
            for name, value in (("index", index), ("due_on", day), ("missed", False),
                                ("visit_on", None), ("close_draw", 1.0)):  # fmt: skip
                columns[name].append(value)

    for index, start in enumerate(started["start_on"].to_list()):
        waiting = first_due(start, rule)
        missed_one = False
        for k in range(most):
            due_on = waiting.pop(0)
            visit_on = due_on + timedelta(days=lags[index][k])
            missed = (draws[index][k] < _MISSED and due_on < today and not missed_one
                      and bool(waiting))  # fmt: skip
            missed_one = missed_one or missed
            done = not missed and visit_on <= today
            for name, value in (("index", index), ("due_on", due_on), ("missed", missed),
                                ("visit_on", visit_on if done else None),
                                ("close_draw", closing[index][k])):  # fmt: skip
                columns[name].append(value)
            if missed:
                continue
            if not done:
                scheduled(index, waiting)
                break
            late = is_late(due_on, visit_on, rule)
            if late:
                waiting = shifted(waiting, due_on, visit_on)
            if not waiting:
                waiting = [next_due(visit_on if late else due_on, rule)]
        else:
            scheduled(index, waiting)  # more than two years of follow-ups: not reached
    frame = pl.DataFrame(columns, schema={"index": pl.UInt32, "due_on": pl.Date,
                                          "missed": pl.Boolean, "visit_on": pl.Date,
                                          "close_draw": pl.Float64})  # fmt: skip
    info = started.select("case", "child", "kind", "response", "start_on").with_row_index("index")
    return (
        frame.join(info, on="index", how="left", maintain_order="left")
        .select("case", "child", "kind", "response", "start_on", "due_on", "missed", "visit_on",
                "close_draw")
    )  # fmt: skip


def _in_labour(done: pl.DataFrame) -> Array:
    """Whether each follow-up visit of ``done`` finds the child in child labour, by the
    child's response (``number``: the visit's among the case's ``made``)."""
    found = np.zeros(done.height, dtype=bool)
    number, count = done["number"].to_numpy(), done["made"].to_numpy()
    kinds, drawn = done["kind"].to_numpy(), done["response"].to_numpy()
    for kind, responses in _RESPONSES.items():
        for index, (_, _, rule) in enumerate(responses):
            found |= (kinds == kind) & (drawn == index) & rule(number, count)
    return found


def _history(made: _Chunk, cases: pl.DataFrame, follow_ups: pl.DataFrame) -> History:
    """Replay every case's story (:func:`ipec.demo.histories.replay`)."""
    areas = made.country.areas
    community = cases["community"].to_numpy()
    workers, monitors = areas.case_workers[community], areas.monitors[community]
    back_in = {kind: [name for name, _, _ in responses].index("back in")
               for kind, responses in _RESPONSES.items()}  # fmt: skip
    kinds = {kind.value: kind for kind in CaseKind}
    columns = ("kind", "opened_on", "plan_on", "start_on", "replan_days", "response")
    stories = [
        Story(kinds[kind], opened, plan, start, replan,
              0.0 if response == back_in[kind] else _CLOSE_CHANCE, worker, monitor)
        for kind, opened, plan, start, replan, response, worker, monitor in zip(
            *(cases[name].to_list() for name in columns), workers.tolist(), monitors.tolist(),
            strict=True,
        )
    ]  # fmt: skip
    dues: list[list[Due]] = [[] for _ in stories]
    columns = ("case", "due_on", "visit_date", "child_labour", "missed", "close_draw")
    for case, due_on, visit_on, labour, missed, draw in zip(
        *(follow_ups[name].to_list() for name in columns), strict=True
    ):
        dues[case].append(Due(due_on, visit_on, bool(labour), missed, draw))
    return replay(stories, dues, made.country.today)


def _visits(
    made: _Chunk,
    routine: pl.DataFrame,
    cases: pl.DataFrame,
    follow_ups: pl.DataFrame,
    history: History,
) -> pl.DataFrame:
    """The visits made: a child's rounds up to the day its case opened (all of them without
    a case), then its follow-up visits up to the day its case closed; numbered per child in
    date order. Returns them with their child, id (and ``row``, the follow-up's), date and
    verdict."""
    country, children = made.country, made.children
    rounds = (
        routine.join(cases.select("child", "opened_on"), on="child", how="left")
        .filter(pl.col("opened_on").is_null() | (pl.col("visit_date") <= pl.col("opened_on")))
        .drop("opened_on")
        .with_columns(row=pl.lit(None, dtype=pl.UInt32))
    )
    scheduled = follow_ups.filter(pl.Series(history.scheduled) & pl.col("row").is_not_null())
    visits = pl.concat([rounds, scheduled.select(rounds.columns)]).sort("child", "visit_date")
    visits = visits.with_columns(id=pl.Series(country.ids.take("visits", visits.height)))
    texts = country.verdicts.texts(visits)
    child = visits["child"].to_numpy()
    profile = country.profile
    made.out.append(("visits", visits.select(
        "id",
        child_id=pl.Series(children["id"].to_numpy()[child]),
        visit_date="visit_date",
        age="age",
        monitor=pl.Series(country.areas.monitors[children["community"].to_numpy()[child]]),
        consent=pl.lit(True),
        record=country.work.json(visits),
        profile_id=pl.lit(profile.id),
        profile_version=pl.lit(profile.version),
        status=pl.col("work_status").cast(pl.String),
        reasons=texts["reasons"],
        explanation=texts["explanation"],
        child_labour="child_labour",
        hazardous_work="hazardous_work",
    )))  # fmt: skip
    return visits.select("child", "id", "row", "visit_date", "child_labour", "hazardous_work",
                         worst=pl.col(reason_column(Reason.WFCL_OTHER)))  # fmt: skip


def _case_rows(
    made: _Chunk,
    cases: pl.DataFrame,
    history: History,
    visits: pl.DataFrame,
    follow_ups: pl.DataFrame,
) -> None:
    """Cases (worst forms and hazardous work from the visits that found child labour),
    their steps, services, referrals and follow-ups."""
    country, rng, out = made.country, made.rng, made.out
    today, ids = country.today, country.ids
    case_ids = ids.take("cases", cases.height)
    found = (
        visits.filter("child_labour")
        .group_by("child")
        .agg(
            worst_forms=pl.col("worst").any(),
            hazardous=pl.col("hazardous_work").any(),
            worst_on=pl.col("visit_date").filter("worst").min(),
        )
    )
    frame = (
        cases.with_columns(
            id=pl.Series(case_ids),
            status=pl.Series([status.value for status in history.statuses]),
            closed_on=pl.Series(history.closed_on, dtype=pl.Date),
            # every step but the opening of an at-risk case changed the case
            version=pl.Series([_changes(steps) for steps in history.steps]),
        )
        .join(found, on="child", how="left", maintain_order="left")
        .join(made.children.select("child", "birth_date", child_id="id"), on="child",
              how="left", maintain_order="left")
        .with_columns(pl.col("worst_forms", "hazardous").fill_null(False))
    )  # fmt: skip
    columns = ("id", "child_id", "kind", "status", "worst_forms", "hazardous", "opened_on",
               "closed_on", "version")  # fmt: skip
    out.append(("cases", frame.select(columns)))
    out.append(("case_events", _events(ids, case_ids, history)))
    started = frame.filter(pl.col("start_on").is_not_null()).select(
        "kind", "birth_date", case_id="id", worst="worst_forms", start="start_on",
        until=pl.coalesce("closed_on", pl.lit(today)),
    )  # fmt: skip
    given = services(rng, started, country.partners, today)
    out.append(("services", given.with_columns(id=pl.Series(ids.take("services", given.height)))))
    sent = referrals(rng, frame.select("kind", "opened_on", "worst_on", case_id="id"),
                     country.partners, today)  # fmt: skip
    out.append(("referrals", sent.with_columns(id=pl.Series(ids.take("referrals", sent.height)))))
    due = (
        follow_ups.with_columns(case_id=pl.Series(case_ids[follow_ups["case"].to_numpy()]))
        .filter(pl.Series(history.scheduled))
        .join(visits.select("row", visit_id="id").drop_nulls("row"), on="row", how="left",
              maintain_order="left")
        .select("case_id", "due_on", "visit_id")
    )  # fmt: skip
    out.append(("follow_ups", due.with_columns(id=pl.Series(ids.take("follow_ups", due.height)))))


def _changes(steps: list[Step]) -> int:
    """A case's version: 1, plus each step that changed it (all but opening at risk)."""
    return 1 + sum(step[0] != OPEN_AT_RISK for step in steps)


def _events(ids: Ids, case_ids: Array, history: History) -> pl.DataFrame:
    """The cases' steps as rows, in each case's order, stamped at their hour (UTC)."""
    owners = np.repeat(case_ids, [len(steps) for steps in history.steps])
    flat = [step for steps in history.steps for step in steps]
    frame = pl.DataFrame(
        flat,
        schema={"action": pl.String, "from_status": pl.String, "to_status": pl.String,
                "day": pl.Date, "hour": pl.Int64, "actor": pl.String, "reason": pl.String},
        orient="row",
    )  # fmt: skip
    at = pl.col("day").cast(pl.Datetime("us", "UTC")) + pl.duration(hours="hour")
    return frame.select(
        "action", "from_status", "to_status", "actor", "reason",
        id=pl.Series(ids.take("case_events", len(flat))),
        case_id=pl.Series(owners, dtype=pl.Int64),
        at=at,
    )  # fmt: skip
