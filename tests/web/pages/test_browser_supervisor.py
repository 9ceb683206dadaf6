"""A supervisor's journey in a real browser: the dashboard says what awaits approval; in the
queue they approve a plan (comment left empty), reject a closure (first without a comment,
refused, then with one); on the child's page they reassign the case and close it by
override (first without a reason, then without ticking the override, then right). Every form
is sent by its button, as a user leaves it; the pages pass axe."""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from ipec.auth import Role, create_user
from ipec.monitoring.approvals import add_plan_action, request_approval
from ipec.monitoring.models import Case, CaseEvent, CaseStatus, ServiceType
from tests.conftest import needs_chromium
from tests.web.api.conftest import PASSWORD
from tests.web.pages.conftest import LiveSite, accessibility_violations, screenshot, sign_in_page

pytestmark = needs_chromium


def _prepare(site: LiveSite) -> int:
    """A supervisor and a second monitor of A; A's case under follow-up with a plan, its
    approval and its closure asked for by the monitor: the second monitor's id."""
    with Session(site.engine) as session, session.begin():
        create_user(session, username="sup", display_name="sup name", password=PASSWORD,
                    role=Role.SUPERVISOR, area_id=site.ids["area_a"])  # fmt: skip
        m2 = create_user(session, username="m2", display_name="m2 name", password=PASSWORD,
                         role=Role.MONITOR, area_id=site.ids["area_a"])  # fmt: skip
        case = session.get(Case, site.ids["case_a"])
        assert case is not None
        case.status = CaseStatus.UNDER_FOLLOW_UP
        session.flush()
        add_plan_action(session, case=case, service=ServiceType.BRIDGING_CLASS,
                        due_on=date(2026, 9, 1), responsible_user_id=m2.id,
                        responsible_partner_id=None, actor="monitor")  # fmt: skip
        for kind, note in (("plan", "bridging class first"), ("closure", "back at school")):
            request_approval(session, case=case, expected_version=case.version, kind=kind,
                             note=note, actor="monitor")  # fmt: skip
        return m2.id


def _request(page: Any, text: str) -> Any:
    return page.locator("#queue > li").filter(has_text=text)


def test_a_supervisor_approves_rejects_overrides_and_reassigns(
    browser: Any, live_site: LiveSite
) -> None:
    m2 = _prepare(live_site)
    page = sign_in_page(browser, live_site, "sup")
    page.goto(f"{live_site.url}/dashboard")
    page.get_by_role("link", name="Plans and closures awaiting a decision: 2").click()
    page.wait_for_load_state("load")
    assert page.get_by_role("heading", level=1).inner_text() == "Awaiting approval"
    assert accessibility_violations(page) == []
    screenshot(page, "pages-approvals")
    plan = _request(page, "bridging class first")
    plan.get_by_role("button", name="Approve").click()  # the comment left empty
    page.wait_for_load_state("load")
    closure = _request(page, "back at school")
    assert "two follow-ups must be done (0 done)" in closure.inner_text()
    closure.get_by_role("button", name="Reject").click()  # no comment: refused
    page.wait_for_load_state("load")
    assert "Say why the request is rejected." in page.inner_text("main")
    closure = _request(page, "back at school")
    closure.get_by_label("Comment (required to reject or override)").fill("One more visit first")
    closure.get_by_role("button", name="Reject").click()
    page.wait_for_load_state("load")
    assert "Nothing awaits a decision." in page.inner_text("main")

    _reassign_and_close(page, live_site, m2)


def _reassign_and_close(page: Any, live_site: LiveSite, m2: int) -> None:
    """On the child's page: reassign A's case to m2, close it by override."""
    case = live_site.ids["case_a"]
    page.goto(f"{live_site.url}/children/{live_site.ids['child_a']}")
    history = page.locator(f"#case-{case} ol.timeline").inner_text()
    assert "Plan approved" in history
    assert "Closure rejected" in history
    assert "One more visit first" in history
    page.get_by_label("Assign the case to").select_option(label="m2 name")
    page.get_by_role("button", name="Reassign").click()
    page.wait_for_load_state("load")
    assert page.locator(f"#assignee-{case}").inner_text() == "m2 name"

    closing = page.locator(f"#case-{case} details").filter(has_text="Override the closure rule")
    closing.locator("summary").click()
    closing.get_by_role("button", name="Close the case").click()  # no reason
    page.wait_for_load_state("load")
    assert "Say why the case can close." in page.inner_text("main")
    closing = page.locator(f"#case-{case} details").filter(has_text="Override the closure rule")
    closing.get_by_label("Why the case closes although the rule is not met").fill(
        "The family moved abroad"
    )
    closing.get_by_role("button", name="Close the case").click()  # the override not ticked
    page.wait_for_load_state("load")
    assert "The closure rule is not met: record the follow-ups" in page.inner_text("main")
    closing = page.locator(f"#case-{case} details").filter(has_text="Override the closure rule")
    assert closing.get_by_label(
        "Why the case closes although the rule is not met"
    ).input_value() == ("The family moved abroad")
    closing.get_by_label("Override the closure rule (the reason is recorded)").check()
    closing.get_by_role("button", name="Close the case").click()
    page.wait_for_load_state("load")
    assert "Child labour · Closed" in page.inner_text("main")
    assert accessibility_violations(page) == []
    screenshot(page, "pages-child-closed-by-override")
    with Session(live_site.engine) as session:
        closed = session.get(Case, case)
        assert closed is not None
        assert (closed.status, closed.assignee_id) == (CaseStatus.CLOSED, m2)
        last = session.scalars(select(CaseEvent).where(CaseEvent.case_id == case)
                               .order_by(CaseEvent.id.desc())).first()  # fmt: skip
        assert last is not None
        assert (last.action, last.actor, last.reason) == (
            "close_override", "sup", "The family moved abroad")  # fmt: skip
