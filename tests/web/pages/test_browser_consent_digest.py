"""Two forms pressed in a real browser as a user leaves them: a child's consent (every select
left on its first option, then a referral consent for a partner, then withdrawn) and the
digest of what needs me (ticked without an address, then given one), on a phone too."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from ipec.auth.models import User
from ipec.monitoring.models import Consent
from tests.conftest import needs_chromium
from tests.web.pages.conftest import (
    LiveSite,
    accessibility_violations,
    screenshot,
    sign_in_page,
)

pytestmark = needs_chromium


def _consents(site: LiveSite, child_id: int) -> list[Consent]:
    with Session(site.engine) as session:
        found = select(Consent).where(Consent.child_id == child_id).order_by(Consent.id)
        return list(session.scalars(found))


def test_a_consent_is_recorded_then_withdrawn(browser: Any, live_site: LiveSite) -> None:
    child = live_site.ids["child_a"]
    before = len(_consents(live_site, child))
    page = sign_in_page(browser, live_site, "monitor")
    page.goto(f"{live_site.url}/children/{child}")
    page.get_by_text("Record a consent").click()
    # the selects left on their first option: refused, each said beside its field
    page.get_by_role("button", name="Record the consent").click()
    page.wait_for_load_state("load")
    assert page.locator("#consent-purpose-error").inner_text() == "Choose what the consent is for."
    assert page.locator("#consent-given-by-error").inner_text() == "Choose who gave the consent."
    assert len(_consents(live_site, child)) == before
    assert accessibility_violations(page) == []
    page.get_by_label("For", exact=True).select_option(label="Referral to the partner")
    page.get_by_label("Partner (for a referral: the partner the family agreed to)").select_option(
        index=1
    )
    page.get_by_label("Given by", exact=True).select_option(label="a caregiver")
    page.get_by_label("Caregiver's name (optional)").fill("Ama Mensah")
    page.get_by_label("Contact the family agrees to share with the partner (optional)").fill(
        "+233 20 000 0000"
    )
    page.get_by_role("button", name="Record the consent").click()
    page.wait_for_load_state("load")
    recorded = _consents(live_site, child)[-1]
    assert len(_consents(live_site, child)) == before + 1
    assert (recorded.giver_name, recorded.contact, recorded.withdrawn_on) == (
        "Ama Mensah", "+233 20 000 0000", None,
    )  # fmt: skip
    item = page.locator(f"#consent-{recorded.id}")
    assert "Contact shared: +233 20 000 0000" in item.inner_text()
    # withdrawn with the day as the form offers it (today) and no reason
    item.get_by_text("Withdraw this consent").click()
    item.get_by_role("button", name="Withdraw: stop sharing").click()
    page.wait_for_load_state("load")
    assert _consents(live_site, child)[-1].withdrawn_on is not None
    assert "Withdrawn on" in page.locator(f"#consent-{recorded.id}").inner_text()
    screenshot(page, "consent-withdrawn")
    page.close()


def test_the_digest_needs_an_address_on_a_phone(browser: Any, live_site: LiveSite) -> None:
    phone = sign_in_page(browser, live_site, "monitor", phone=True)
    phone.goto(f"{live_site.url}/reminders")
    phone.get_by_label("Send me the digest each morning").check()
    phone.get_by_role("button", name="Save").click()
    phone.wait_for_load_state("load")
    assert phone.locator("#email-error").inner_text() == "Give the address the digest goes to."
    assert accessibility_violations(phone) == []
    phone.get_by_label("E-mail address").fill("monitor@example.org")
    phone.get_by_label("Send me the digest each morning").check()
    phone.get_by_role("button", name="Save").click()
    phone.wait_for_load_state("load")
    with Session(live_site.engine) as session:
        user = session.scalars(select(User).where(User.username == "monitor")).one()
        assert (user.email, user.email_digest) == ("monitor@example.org", True)
    assert phone.get_by_label("E-mail address").input_value() == "monitor@example.org"
    assert phone.get_by_label("Send me the digest each morning").is_checked()
    screenshot(phone, "digest-chosen-phone")
    phone.close()
