"""Services and referrals: what each case receives, suited to the child's age.

From the day remediation starts a case receives an education service suited to the child's
age on that day (school enrolment, a school kit or a bridging class at 5-14; vocational
training or an apprenticeship at 15-17), and often household and other services over the
next months (income generation, a savings group or cash transfers for the household, birth
registration for the young, health, psychosocial support, community action; legal protection
for a worst form). A case found in a worst form is referred to the labour inspectorate or the
police within two days of the visit that found it, with or without consent; a few others are
referred to social services or an NGO, with the family's consent. Referrals sent in the last
weeks are still waiting; older ones were mostly accepted or done.
"""

from __future__ import annotations

from datetime import date
from typing import Any

import numpy as np
import polars as pl

from ipec.demo.country import PROVIDERS
from ipec.monitoring.models import CaseKind, ReferralStatus, ServiceType

__all__ = ["EDUCATION_BY_AGE", "age_at", "referrals", "services"]

S = ServiceType
#: The education services of each age band (first age, last age) and their shares.
EDUCATION_BY_AGE = (
    ((5, 14), ((S.SCHOOL_ENROLMENT, 0.45), (S.SCHOOL_KIT, 0.35), (S.BRIDGING_CLASS, 0.20))),
    ((15, 17), ((S.VOCATIONAL_TRAINING, 0.6), (S.APPRENTICESHIP, 0.4))),
)
#: Other services: the share of cases receiving each (legal protection: worst forms only),
#: and the oldest age for birth registration.
_OTHERS = ((S.INCOME_GENERATION, 0.22), (S.SAVINGS_GROUP, 0.18), (S.CASH_TRANSFER, 0.08),
           (S.HEALTH, 0.12), (S.PSYCHOSOCIAL, 0.08), (S.COMMUNITY_ACTION, 0.10),
           (S.BIRTH_REGISTRATION, 0.10))  # fmt: skip
_BIRTH_REGISTRATION_UNTIL = 11
#: The share of cases (child labour, at risk) given an education service.
_EDUCATED = {CaseKind.CHILD_LABOUR.value: 0.92, CaseKind.AT_RISK.value: 0.75}
#: How long a service lasts (days; 0: given once), when it has ended by today.
_LASTS = {S.SCHOOL_KIT: 0, S.BIRTH_REGISTRATION: 0, S.BRIDGING_CLASS: 270,
          S.VOCATIONAL_TRAINING: 270, S.APPRENTICESHIP: 365, S.CASH_TRANSFER: 180,
          S.HEALTH: 30, S.PSYCHOSOCIAL: 120}  # fmt: skip
#: Other referrals: the share of cases referred (child labour, at risk), to whom and why.
_REFERRED = {CaseKind.CHILD_LABOUR.value: 0.12, CaseKind.AT_RISK.value: 0.05}
_SUPPORT = (("Social Welfare Department", "support for the household"),
            ("Children First NGO", "psychosocial support for the child"))  # fmt: skip
#: Referrals younger than this (days) are still waiting for an answer.
_WAITING_DAYS = 21


def age_at(day: pl.Expr, birth: pl.Expr) -> pl.Expr:
    """Completed years on ``day`` (the service's rule, vectorised)."""

    def month_day(value: pl.Expr) -> pl.Expr:
        # Polars gives months and days as Int8: widen before multiplying.
        return value.dt.month().cast(pl.Int32) * 100 + value.dt.day().cast(pl.Int32)

    years = day.dt.year().cast(pl.Int64) - birth.dt.year().cast(pl.Int64)
    return years - (month_day(day) < month_day(birth)).cast(pl.Int64)


def services(
    rng: np.random.Generator, started: pl.DataFrame, partners: dict[str, int], today: date
) -> pl.DataFrame:
    """The services of the cases of ``started`` (columns ``case_id``, ``kind``, ``worst``,
    ``birth_date``, ``start``: the day remediation started, ``until``: closure or today):
    an education service suited to the age, others at random, at least one each; distinct
    kinds per case; the first starts on ``start``, the others within four months, by
    ``until``."""
    n = started.height
    age = started.select(age_at(pl.col("start"), pl.col("birth_date"))).to_series().to_numpy()
    kinds = started["kind"].to_numpy()
    worst = started["worst"].to_numpy()
    drawn: list[tuple[np.ndarray[Any, Any], np.ndarray[Any, Any]]] = []
    educated = rng.random(n) < np.vectorize(_EDUCATED.get)(kinds) if n else np.zeros(0, bool)
    others_given = np.zeros(n, dtype=bool)
    for service, share in _OTHERS:
        given = rng.random(n) < share
        if service is S.BIRTH_REGISTRATION:  # up to four months later, still at most 11
            given &= age < _BIRTH_REGISTRATION_UNTIL
        if service is S.PSYCHOSOCIAL:
            given |= worst & (rng.random(n) < 0.6)
        drawn.append((given, np.full(n, service.value)))
        others_given |= given
    drawn.append((worst, np.full(n, S.LEGAL_PROTECTION.value)))
    educated |= ~(others_given | worst)
    education = np.full(n, "", dtype=object)
    for (first, last), choices in EDUCATION_BY_AGE:
        band = (age >= first) & (age <= last)
        names = np.array([service.value for service, _ in choices], dtype=object)
        shares = [share for _, share in choices]
        education = np.where(band, names[rng.choice(len(names), n, p=shares)], education)
    drawn.insert(0, (educated, education))
    rows = []
    for index, (given, names) in enumerate(drawn):
        later = np.zeros(n, dtype=np.int64) if index == 0 else rng.integers(0, 121, n)
        rows.append(pl.DataFrame({"row": np.arange(n), "type": names.astype(str),
                                  "later": later, "given": given}).filter("given"))  # fmt: skip
    # The first service of a case (its education service, if any) starts with remediation.
    chosen = (
        pl.concat(rows)
        .sort("row", maintain_order=True)
        .with_columns(
            later=pl.when(pl.int_range(pl.len()).over("row") == 0).then(0).otherwise("later")
        )
    )
    lasts = {service.value: days for service, days in _LASTS.items()}
    return (
        chosen.join(
            started.with_row_index("row").with_columns(pl.col("row").cast(pl.Int64)),
            on="row",
            how="left",
        )
        .with_columns(
            started_on=pl.min_horizontal(pl.col("start") + pl.duration(days="later"), "until"),
            lasts=pl.col("type").replace_strict(lasts, default=None, return_dtype=pl.Int64),
        )
        .with_columns(
            ended_on=pl.when(pl.col("started_on") + pl.duration(days="lasts") <= today).then(
                pl.col("started_on") + pl.duration(days="lasts")
            ),
            partner_id=pl.col("type").replace_strict(
                {service.value: partners[name] for service, name in PROVIDERS.items()},
                return_dtype=pl.Int64,
            ),
        )
        .select("case_id", "type", "partner_id", "started_on", "ended_on")
    )


def referrals(
    rng: np.random.Generator, cases: pl.DataFrame, partners: dict[str, int], today: date
) -> pl.DataFrame:
    """The referrals of ``cases`` (columns ``case_id``, ``kind``, ``opened_on``,
    ``worst_on``: the first visit that found a worst form, or None)."""
    n = cases.height
    worst = cases["worst_on"].is_not_null().to_numpy()
    kinds = cases["kind"].to_numpy()
    referred = ~worst & (rng.random(n) < (np.vectorize(_REFERRED.get)(kinds) if n else 0))
    to_police = rng.random(n) < 0.3
    support = rng.integers(0, len(_SUPPORT), n)
    frame = cases.select(
        "case_id",
        worst=pl.Series(worst),
        consent=pl.Series(~worst | (rng.random(n) < 0.7)),
        partner_id=pl.Series(
            np.where(
                worst,
                np.where(
                    to_police,
                    partners["Police Child Protection Unit"],
                    partners["Labour Inspectorate"],
                ),
                np.array([partners[name] for name, _ in _SUPPORT])[support],
            )
        ),
        reason=pl.Series(
            np.where(
                worst, "worst form of child labour", np.array([why for _, why in _SUPPORT])[support]
            )
        ),
        sent_on=pl.when(pl.Series(worst))
        .then(pl.col("worst_on") + pl.duration(days=pl.lit(pl.Series(rng.integers(0, 3, n)))))
        .otherwise(
            pl.col("opened_on") + pl.duration(days=pl.lit(pl.Series(rng.integers(5, 46, n))))
        ),
        draw=pl.Series(rng.random(n)),
    ).filter(pl.Series(worst | referred))
    frame = frame.with_columns(sent_on=pl.min_horizontal("sent_on", pl.lit(today))).filter(
        pl.col("worst") | (pl.col("sent_on") < today)
    )
    waiting = (pl.lit(today) - pl.col("sent_on")).dt.total_days() < _WAITING_DAYS
    r = ReferralStatus
    status = (
        pl.when(waiting)
        .then(pl.lit(r.SENT.value))
        .when(pl.col("worst"))  # a worst form's referral stays live
        .then(pl.when(pl.col("draw") < 0.6).then(pl.lit(r.ACCEPTED.value))
              .otherwise(pl.lit(r.DONE.value)))
        .when(pl.col("draw") < 0.5)
        .then(pl.lit(r.ACCEPTED.value))
        .when(pl.col("draw") < 0.75)
        .then(pl.lit(r.DONE.value))
        .when(pl.col("draw") < 0.9)
        .then(pl.lit(r.REJECTED.value))
        .otherwise(pl.lit(r.SENT.value))
    )  # fmt: skip
    return frame.select("case_id", "partner_id", "consent", status.alias("status"), "reason",
                        "sent_on")  # fmt: skip
