"""A partner user in a real browser: sign in, land on the referrals sent to it, open one (the
child's code, age, sex, the service and the shared contact only), try to reject without a
reason (refused, with the message beside the field), accept, report done; then reject the
other referral with a reason; on a phone too; every page passes axe."""

from __future__ import annotations

from sqlalchemy.orm import Session

from ipec.monitoring.models import Referral, ReferralStatus
from tests.conftest import needs_chromium
from tests.web.pages.conftest import (
    LiveSite,
    accessibility_violations,
    screenshot,
    sign_in_page,
)

pytestmark = needs_chromium


def test_a_partner_answers_its_referrals(browser: object, live_site: LiveSite) -> None:
    page = sign_in_page(browser, live_site, "partner")
    assert page.url.endswith("/partner/referrals")
    assert page.get_by_role("heading", name="Referrals sent to you").is_visible()
    assert accessibility_violations(page) == []
    a, b = live_site.ids["referral_a"], live_site.ids["referral_b"]
    assert page.locator(f"#referral-{a}").inner_text().count(f"C-{live_site.ids['child_a']:07d}")
    assert "child a" not in page.content()
    page.locator(f"#referral-{a} a").click()
    page.wait_for_load_state("load")
    assert page.locator("#referral-contact").inner_text() == "phone of a"
    assert page.locator("#referral-status").inner_text() == "Sent"
    # reject with the note left empty: refused, said beside the field, nothing changed
    page.get_by_role("button", name="Reject the referral").click()
    page.wait_for_load_state("load")
    assert page.locator("#note-error").inner_text() == "Say why the referral is rejected."
    assert page.locator("#note").get_attribute("aria-invalid") == "true"
    assert page.locator("#referral-status").inner_text() == "Sent"
    assert accessibility_violations(page) == []
    screenshot(page, "partner-reject-refused")
    page.get_by_role("button", name="Accept the referral").click()
    page.wait_for_load_state("load")
    assert page.locator("#referral-status").inner_text() == "Accepted"
    page.get_by_label("Note (required to reject)").fill("Enrolled at the health centre")
    page.get_by_role("button", name="Report the service done").click()
    page.wait_for_load_state("load")
    assert page.locator("#referral-status").inner_text() == "Done"
    assert page.get_by_role("button").filter(has_text="referral").count() == 0
    screenshot(page, "partner-done")
    page.close()
    phone = sign_in_page(browser, live_site, "partner", phone=True)
    phone.goto(f"{live_site.url}/partner/referrals/{b}")
    phone.get_by_label("Note (required to reject)").fill("Outside the area we serve")
    phone.get_by_role("button", name="Reject the referral").click()
    phone.wait_for_load_state("load")
    assert phone.locator("#referral-status").inner_text() == "Rejected"
    assert accessibility_violations(phone) == []
    screenshot(phone, "partner-rejected-phone")
    # another page of the programme is not found for a partner
    answer = phone.goto(f"{live_site.url}/children/{live_site.ids['child_a']}")
    assert answer is not None
    assert answer.status == 404
    phone.close()
    with Session(live_site.engine) as session:
        found = {r: session.get(Referral, r) for r in (a, b)}
        assert found[a].status is ReferralStatus.DONE  # type: ignore[union-attr]
        assert found[b].answer_note == "Outside the area we serve"  # type: ignore[union-attr]
