"""A child's page and its forms: what it shows, visits classified (and previewed) on the
spot, services, referrals and case steps, errors beside the fields, and the gate: scope,
viewers, the anti-forgery token and the audit log."""

from __future__ import annotations

import re
from datetime import date
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from ipec.classify import child_fields
from ipec.monitoring import Case, CaseStatus, Visit
from ipec.monitoring.followup import add_months
from ipec.monitoring.models import Consent, FollowUp, Referral, RemediationService
from ipec.standards import load_profile, shipped_profile_ids
from ipec.web.api.common import today
from ipec.web.pages.visits import questions
from tests.web.pages.conftest import ESCAPED, MARKUP, Site, audit_actions, count, post

WORKING = {"visit_date": "2026-05-01", "monitor": "Ama", "consent": "yes", "econ_any": "yes",
           "econ_hours": "20"}  # fmt: skip


def case_of(site: Site, key: str = "case_a") -> Case:
    with Session(site.engine) as session:
        case = session.get(Case, site.ids[key])
        assert case is not None
        return case


def test_the_page_shows_the_child_household_and_case(site: Site) -> None:
    site.sign_in()
    before = len(audit_actions(site))
    page = site.client.get(f"/children/{site.ids['child_a']}")
    assert page.status_code == 200
    for shown in ("child a", "C-0000001", "Head", "School kit", "Labour Inspectorate",
                  "Identified", "Due 2026-04-20", "Overdue", "Record a visit"):  # fmt: skip
        assert shown in page.text, shown
    assert audit_actions(site)[before:] == ["child.read", "household.read"]


def test_a_visit_is_classified_explained_and_does_the_follow_up(site: Site) -> None:
    csrf = site.sign_in()
    child = site.ids["child_a"]
    data = {**WORKING, "csrf_token": csrf, "follow_up_id": str(site.ids["follow_up_a"])}
    answer = post(site, f"/children/{child}/visits", data)
    assert answer.status_code == 303
    assert answer.headers["location"].startswith(f"/children/{child}?saved=visit#visit-")
    page = site.client.get(f"/children/{child}").text
    assert "Child labour" in page
    assert "20 h of economic activity reach the 14 h light-work limit" in page
    assert "EXCEEDS_LIGHT_WORK_HOURS" in page
    assert re.search(r"Due 2026-04-20:\s*<span class=\"tag ok\">Done</span> 2026-05-01", page)
    assert "visit.create" in audit_actions(site)
    assert "follow_up.done" in audit_actions(site)


def test_a_follow_up_visit_before_the_case_opened_is_marked_and_not_kept(site: Site) -> None:
    """The service's rule (a follow-up is not done by a visit before its case opened), shown
    beside the visit date in the page's words; the visit it refused is not kept."""
    csrf = site.sign_in()
    child = site.ids["child_a"]
    data = {**WORKING, "csrf_token": csrf, "visit_date": "2025-12-15",
            "follow_up_id": str(site.ids["follow_up_a"])}  # fmt: skip
    answer = post(site, f"/children/{child}/visits", data)
    assert answer.status_code == 422
    message = "A follow-up visit cannot be before the case opened (2026-01-02)."
    assert f'id="visit_date-error">{message}' in answer.text
    assert count(site, Visit) == 0
    assert "visit.create" not in audit_actions(site)
    with Session(site.engine) as session:
        follow_up = session.get(FollowUp, site.ids["follow_up_a"])
        assert follow_up is not None
        assert follow_up.visit_id is None


def test_the_preview_classifies_without_saving(site: Site) -> None:
    csrf = site.sign_in()
    path = f"/children/{site.ids['child_a']}/visits/preview"
    before = len(audit_actions(site))
    working = post(site, path, {**WORKING, "csrf_token": csrf})
    assert working.status_code == 200
    assert "Child labour" in working.text
    assert "14 h light-work limit" in working.text
    clean = post(site, path, {"csrf_token": csrf, "visit_date": "2026-05-01"})
    assert "Not working" in clean.text
    wrong = post(site, path, {**WORKING, "csrf_token": csrf, "econ_hours": "500"})
    assert "Correct the answers to see the classification." in wrong.text
    assert count(site, Visit) == 0
    assert audit_actions(site)[before:] == ["child.read"] * 3


def test_wrong_visit_fields_are_marked_beside_them_and_kept(site: Site) -> None:
    csrf = site.sign_in()
    data = {"csrf_token": csrf, "visit_date": "2999-01-01", "monitor": MARKUP,
            "econ_hours": "12", "school_days_attended": "5", "chores_any": "yes",
            "chores_hours": "500"}  # fmt: skip
    answer = post(site, f"/children/{site.ids['child_a']}/visits", data)
    assert answer.status_code == 422
    page = answer.text
    assert re.search(r'id="visit_date"[^>]*value="2999-01-01" aria-invalid="true"', page)
    assert 'id="visit_date-error">The date cannot be in the future.' in page
    assert 'id="q-econ_hours-error">Tick the activity above, or leave the hours empty.' in page
    assert 'id="q-chores_hours-error">Enter hours from 0 to 168.' in page
    assert 'id="school_days_open-error">Give both school counts, or neither.' in page
    assert re.search(r'id="q-chores_any" name="chores_any" value="yes" checked', page)
    # a "monitor" sent with the form is ignored: the visit is the signed-in user's
    assert "Visited by monitor (you: the visit is recorded as yours)" in page
    assert MARKUP not in page
    assert count(site, Visit) == 0


def test_services_referrals_and_their_steps(site: Site) -> None:
    csrf = site.sign_in()
    case, child = site.ids["case_a"], site.ids["child_a"]
    early = post(site, f"/cases/{case}/services", {"csrf_token": csrf, "type": "health",
                                                   "started_on": "2025-12-31"})  # fmt: skip
    assert early.status_code == 422
    assert f'id="started-{case}-error">The date cannot be before 2026-01-02.' in early.text
    assert re.search(r'<details class="action" open>\s*<summary>Add a service', early.text)
    untyped = post(
        site, f"/cases/{case}/services", {"csrf_token": csrf, "started_on": "2026-02-01"}
    )
    assert f'id="type-{case}-error">Choose a service.' in untyped.text
    assert count(site, RemediationService) == 2
    added = post(site, f"/cases/{case}/services", {"csrf_token": csrf, "type": "health",
                                                   "started_on": "2026-02-01"})  # fmt: skip
    assert added.status_code == 303
    assert "Health care" in site.client.get(f"/children/{child}").text
    service = site.ids["service_a"]
    before = post(site, f"/services/{service}/end", {"csrf_token": csrf, "ended_on": "2026-01-01"})
    assert f'id="end-{service}-error">The date cannot be before 2026-01-20.' in before.text
    ended = post(site, f"/services/{service}/end", {"csrf_token": csrf, "ended_on": "2026-03-01"})
    assert ended.status_code == 303
    assert "to 2026-03-01" in site.client.get(f"/children/{child}").text

    partner = str(site.ids["partner"])
    withdrawn = post(site, f"/consents/{site.ids['consent_a']}/withdraw",
                     {"csrf_token": csrf, "withdrawn_on": "2026-02-01"})  # fmt: skip
    assert withdrawn.status_code == 303
    refused = post(site, f"/cases/{case}/referrals", {"csrf_token": csrf, "partner_id": partner,
                   "reason": MARKUP, "sent_on": "2026-02-02"})  # fmt: skip
    assert refused.status_code == 422
    assert (f'id="referral-partner-{case}-error">There is no consent for this partner'
            in refused.text)  # fmt: skip
    assert f">{ESCAPED}</textarea>" in refused.text
    given = post(site, f"/children/{child}/consents", {"csrf_token": csrf, "purpose": "referral",
                 "partner_id": partner, "given_by": "child", "given_on": "2026-02-02"})  # fmt: skip
    assert given.status_code == 303
    sent = post(site, f"/cases/{case}/referrals", {"csrf_token": csrf, "partner_id": partner,
                "reason": MARKUP, "sent_on": "2026-02-02"})  # fmt: skip
    assert sent.status_code == 303
    page = site.client.get(f"/children/{child}").text
    assert f"<br>{ESCAPED}" in page
    assert MARKUP not in page
    accepted = post(site, f"/referrals/{site.ids['referral_a']}/status",
                    {"csrf_token": csrf, "status": "accepted"})  # fmt: skip
    assert accepted.status_code == 303
    page = site.client.get(f"/children/{child}").text
    assert "sent 2026-01-05 · Accepted" in page
    assert 'value="done"' in page
    assert count(site, Referral) == 3


def test_case_steps_offer_only_what_is_allowed(site: Site) -> None:
    csrf = site.sign_in()
    case, child = site.ids["case_a"], site.ids["child_a"]
    page = site.client.get(f"/children/{child}").text
    assert 'value="plan"' in page
    assert 'value="start_remediation"' not in page
    step = {"csrf_token": csrf, "version": str(case_of(site).version)}
    wrong = post(site, f"/cases/{case}/transitions", {**step, "action": "close"})
    assert wrong.status_code == 422
    assert f'id="action-{case}-error">Choose one of the steps offered.' in wrong.text
    planned = post(site, f"/cases/{case}/transitions", {**step, "action": "plan", "reason": "ok"})
    assert planned.status_code == 303
    assert case_of(site).status is CaseStatus.ACTION_PLANNED
    stale = post(site, f"/cases/{case}/transitions", {**step, "action": "start_remediation"})
    assert stale.status_code == 409
    fresh = {**step, "version": str(case_of(site).version)}
    started = post(site, f"/cases/{case}/transitions", {**fresh, "action": "start_remediation"})
    assert started.status_code == 303
    with Session(site.engine) as session:
        to_do = FollowUp.visit_id.is_(None)
        due = session.scalars(select(FollowUp.due_on).where(FollowUp.case_id == case, to_do))
        # the rolling schedule starts afresh: the one waiting from before (20 April) is dropped
        assert set(due) == {add_months(today(), 3), add_months(today(), 6)}
    fresh = {**step, "version": str(case_of(site).version)}
    followed = post(site, f"/cases/{case}/transitions", {**fresh, "action": "start_follow_up"})
    assert followed.status_code == 303
    fresh = {**step, "version": str(case_of(site).version)}
    # A monitor asks a supervisor to close (tests/web/pages/test_supervision.py): no closing.
    page = site.client.get(f"/children/{child}").text
    assert f'id="close-reason-{case}"' not in page
    assert "Ask a supervisor to close the case" in page
    refused = post(site, f"/cases/{case}/transitions", {**fresh, "action": "close",
                   "reason": "back at school"})  # fmt: skip
    assert refused.status_code == 403
    assert "a monitor may not close case" in refused.text
    assert case_of(site).status is CaseStatus.UNDER_FOLLOW_UP


def _consents(site: Site) -> list[tuple[int, date | None]]:
    """Each consent with the day it was withdrawn."""
    with Session(site.engine) as session:
        return [(row.id, row.withdrawn_on) for row in session.execute(
            select(Consent.id, Consent.withdrawn_on).order_by(Consent.id))]  # fmt: skip


def _writes(site: Site) -> dict[str, Any]:
    """Everything the forms of the child page can change."""
    cases = (case_of(site), case_of(site, "case_b"))
    return {"visits": count(site, Visit), "services": count(site, RemediationService),
            "referrals": count(site, Referral), "follow_ups": count(site, FollowUp),
            "consents": _consents(site),
            "cases": [(case.status, case.version) for case in cases]}  # fmt: skip


def _every_post(site: Site, key: str) -> list[tuple[str, dict[str, str]]]:
    """Each change route with valid fields, on the records of district ``key``."""
    ids = site.ids
    return [
        (f"/children/{ids['child_' + key]}/visits", WORKING),
        (f"/cases/{ids['case_' + key]}/services", {"type": "health", "started_on": "2026-02-01"}),
        (f"/services/{ids['service_' + key]}/end", {"ended_on": "2026-03-01"}),
        (f"/cases/{ids['case_' + key]}/referrals", {"partner_id": str(ids["partner"]),
         "reason": "r", "sent_on": "2026-02-02"}),
        (f"/children/{ids['child_' + key]}/consents", {"purpose": "data_sharing",
         "given_by": "child", "given_on": "2026-02-02"}),
        (f"/consents/{ids['consent_' + key]}/withdraw", {"withdrawn_on": "2026-03-01"}),
        (f"/referrals/{ids['referral_' + key]}/status", {"status": "accepted"}),
        (f"/cases/{ids['case_' + key]}/transitions", {"action": "plan", "version": "1"}),
    ]  # fmt: skip


def test_another_districts_child_is_not_found_on_every_route(site: Site) -> None:
    csrf = site.sign_in()
    before = _writes(site)
    child = site.ids["child_b"]
    assert site.client.get(f"/children/{child}").status_code == 404
    preview = post(site, f"/children/{child}/visits/preview", {**WORKING, "csrf_token": csrf})
    assert preview.status_code == 404
    for path, data in _every_post(site, "b"):
        answer = post(site, path, {**data, "csrf_token": csrf})
        assert answer.status_code == 404, path
        assert "Not found" in answer.text
    assert _writes(site) == before


def test_a_viewer_reads_but_cannot_change(site: Site) -> None:
    csrf = site.sign_in("viewer")
    page = site.client.get(f"/children/{site.ids['child_a']}")
    assert page.status_code == 200
    assert "School kit" in page.text
    assert '<form method="post" action="/children' not in page.text
    assert "/transitions" not in page.text
    assert "Mark accepted" not in page.text
    before = _writes(site)
    for path, data in _every_post(site, "a"):
        answer = post(site, path, {**data, "csrf_token": csrf})
        assert answer.status_code == 403, path
        assert "may read but not change" in answer.text
    assert _writes(site) == before


def test_a_change_without_the_anti_forgery_token_writes_nothing(site: Site) -> None:
    site.sign_in()
    before, audited = _writes(site), len(audit_actions(site))
    posts = _every_post(site, "a")
    for path, data in posts:
        assert post(site, path, data).status_code == 403, path
        assert post(site, path, {**data, "csrf_token": "guess"}).status_code == 403, path
    assert _writes(site) == before
    # Nothing written but the security events: each forged change refused, as its own row.
    assert audit_actions(site)[audited:] == ["request.denied"] * (2 * len(posts))


def test_the_page_speaks_french(site: Site) -> None:
    site.sign_in()
    site.client.cookies.set("ipec_lang", "fr")
    page = site.client.get(f"/children/{site.ids['child_a']}").text
    assert "Enregistrer une visite" in page
    assert "Record a visit" not in page


def test_the_explanation_is_said_in_the_readers_language(site: Site) -> None:
    """Issue 17: a visit's explanation (stored in English) is said again in French from its
    answers, with its reasons named; a visit classified under another version of the
    profile keeps its stored words."""
    csrf = site.sign_in()
    child = site.ids["child_a"]
    assert post(site, f"/children/{child}/visits", {**WORKING, "csrf_token": csrf}).status_code
    site.client.cookies.set("ipec_lang", "fr")
    french = site.client.get(f"/children/{child}").text
    assert (
        "20 h d\u2019activité économique atteignent la limite de 14 h des travaux légers" in french
    )
    assert "Plus d\u2019heures que n\u2019en permettent les travaux légers" in french
    assert "20 h of economic activity reach" not in french
    with Session(site.engine) as session:
        visit = session.scalars(select(Visit).where(Visit.child_id == child)).one()
        visit.profile_version = "an older one"
        session.commit()
    older = site.client.get(f"/children/{child}").text
    assert "20 h of economic activity reach the 14 h light-work limit" in older
    assert "atteignent la limite" not in older


def test_the_preview_explains_in_the_readers_language(site: Site) -> None:
    csrf = site.sign_in()
    site.client.cookies.set("ipec_lang", "fr")
    path = f"/children/{site.ids['child_a']}/visits/preview"
    preview = post(site, path, {**WORKING, "econ_hours": "", "csrf_token": csrf}).text
    assert "Une activité économique a été déclarée, mais les heures sont inconnues" in preview
    assert "14 h ou plus à 12 ans serait du travail des enfants" in preview


def test_the_visit_form_asks_what_each_shipped_profile_reads() -> None:
    for profile_id in shipped_profile_ids():
        profile = load_profile(profile_id)
        known = {field.name for field in child_fields(profile)}
        asked = {question.name for question in questions(profile)}
        assert {"econ_any", "econ_hours"} <= asked <= known, profile_id
        assert {f"haz_{name}" for name in profile.hazards.conditions} <= asked, profile_id
        assert {item.column for item in profile.hazards.national} <= asked, profile_id
        assert ("chores_hours" in asked) == profile.chores.counted, profile_id
        assert ("isic" in asked) == bool(profile.hazards.industries), profile_id


def test_an_undetermined_visit_asks_again(site: Site) -> None:
    """Issue 17: work reported without its hours is undetermined, not permitted work; the
    page says what to ask again, in the reader's language, and no case is opened for it."""
    csrf = site.sign_in()
    child = site.ids["child_a"]
    no_hours = {**WORKING, "econ_hours": "", "csrf_token": csrf}
    preview = post(site, f"/children/{child}/visits/preview", no_hours)
    assert '<span class="tag warn">Undetermined</span>' in preview.text
    assert "Ask again:</strong> Hours of economic activity last week." in preview.text
    cases = count(site, Case)
    assert post(site, f"/children/{child}/visits", no_hours).status_code == 303
    with Session(site.engine) as session:
        visit = session.scalars(select(Visit).order_by(Visit.id.desc())).first()
        assert visit is not None
        assert (visit.status, visit.missing) == ("undetermined", ["econ_hours"])
    assert count(site, Case) == cases
    page = site.client.get(f"/children/{child}").text
    assert "Ask again:</strong> Hours of economic activity last week." in page
    site.client.cookies.set("ipec_lang", "fr")
    french = site.client.get(f"/children/{child}").text
    assert "Indéterminé" in french
    asked = "À redemander :</strong> Heures d\u2019activité économique la semaine dernière."
    assert asked in french


def test_a_visit_without_consent_keeps_no_answers(site: Site) -> None:
    """The box unticked, the answers filled in as a monitor might have begun: the page said
    they would not be kept, and only the refusal is stored; with a follow-up chosen the form
    comes back with the reason beside the box."""
    csrf = site.sign_in()
    child = site.ids["child_a"]
    form = site.client.get(f"/children/{child}").text
    assert "Without consent, only the date, the child and the monitor are saved" in form
    unticked = {key: value for key, value in WORKING.items() if key != "consent"}
    chosen = {**unticked, "csrf_token": csrf, "follow_up_id": str(site.ids["follow_up_a"])}
    followed = post(site, f"/children/{child}/visits", chosen)
    assert followed.status_code == 422
    assert 'id="consent-error">A visit without consent cannot do a follow-up' in followed.text
    assert count(site, Visit) == 0
    answer = post(site, f"/children/{child}/visits", {**unticked, "csrf_token": csrf})
    assert answer.status_code == 303
    with Session(site.engine) as session:
        kept = session.scalars(select(Visit)).one()
        assert (kept.consent, kept.record, kept.status) == (False, {}, "consent_refused")
        assert session.get_one(Case, site.ids["case_a"]).status == case_of(site).status
    page = site.client.get(f"/children/{child}").text
    assert "Consent refused: no answers kept" in page
    assert "visit.refused" in audit_actions(site)
