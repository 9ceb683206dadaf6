"""The demo country: built in bulk, consistent with the rules engine, usable by metrics."""

from __future__ import annotations

from datetime import date

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ipec.auth import authenticate
from ipec.classify import classify_child
from ipec.monitoring import Area, Case, Child, Visit
from ipec.monitoring.demo import DEMO_PASSWORD, DemoSize, seed_demo
from ipec.monitoring.metrics import Period, identification_rate
from ipec.standards import load_profile

TODAY = date(2026, 11, 29)
SDG = load_profile("sdg-8.7.1")


def test_small_demo(session: Session) -> None:
    size = DemoSize(regions=2, districts_per_region=2, communities_per_district=2, households=60)
    counts = seed_demo(session, SDG, size=size, today=TODAY)
    assert counts["areas"] == 1 + 2 + 4 + 8
    assert session.scalar(select(func.count()).select_from(Area)) == counts["areas"]
    assert session.scalar(select(func.count()).select_from(Child)) == counts["children"]
    assert counts["visits"] == 2 * counts["children"]
    visits = session.scalars(select(Visit)).all()
    for visit in visits[:50]:
        again = classify_child(dict(visit.record), SDG)
        assert again.child_labour is visit.child_labour
        assert [r.value for r in again.reasons] == visit.reasons
    cases = session.scalars(select(Case)).all()
    assert len(cases) == counts["cases"] > 0
    assert authenticate(session, username="monitor", password=DEMO_PASSWORD).role.value == (
        "monitor"
    )
    country = session.scalars(select(Area).where(Area.level == "country")).one()
    rates = identification_rate(
        session, area_path=country.path, period=Period(date(2024, 1, 1), TODAY)
    )
    assert rates[0].denominator == counts["children"]
    assert 0 < rates[0].numerator < rates[0].denominator
