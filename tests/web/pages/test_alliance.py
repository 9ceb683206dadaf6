"""The partner's page: a manager sets what the partner does (refused beside the field when
wrong), and the child's referral form offers only the partners serving the child's area."""

from __future__ import annotations

from tests.web.pages.conftest import Site, audit_actions, post


def _referral_options(site: Site) -> str:
    page = site.client.get(f"/children/{site.ids['child_a']}").text
    start = page.index('name="partner_id" required')
    return page[start : page.index("</select>", start)]


def test_partner_attributes_steer_the_referral_form(site: Site) -> None:
    partner = site.ids["partner"]
    csrf = site.sign_in("admin")
    url = f"/partners/{partner}"
    assert f'href="{url}"' in site.client.get("/partners").text
    assert "Labour Inspectorate" in _referral_options(site)  # no area recorded: everywhere
    form = {"csrf_token": csrf, "kind": "government", "active": "on",
            "agreement_from": "2026-01-01", "agreement_to": "2025-12-31",
            "contact": "+225 0102", "area_ids": str(site.ids["area_b"]),
            "services": "legal_protection"}  # fmt: skip
    refused = post(site, url, form)
    assert refused.status_code == 422
    assert 'id="agreement_to-error"' in refused.text
    assert post(site, url, {**form, "agreement_to": ""}).status_code == 303
    page = site.client.get(url).text
    assert 'id="partner-areas">B<' in page
    assert "Legal protection" in page
    # child a lives in district A: the partner, now of district B only, is not offered
    assert "Labour Inspectorate" not in _referral_options(site)
    everywhere = {k: v for k, v in form.items() if k not in {"area_ids", "agreement_to"}}
    assert post(site, url, everywhere).status_code == 303
    assert "Labour Inspectorate (Legal protection)" in _referral_options(site)
    # not active: never offered
    inactive = {k: v for k, v in form.items() if k not in {"area_ids", "agreement_to", "active"}}
    assert post(site, url, inactive).status_code == 303
    assert "Labour Inspectorate" not in _referral_options(site)
    assert audit_actions(site, "admin").count("partner.update") == 3


def test_a_monitor_reads_the_partner_but_does_not_change_it(site: Site) -> None:
    csrf = site.sign_in("monitor")
    url = f"/partners/{site.ids['partner']}"
    page = site.client.get(url)
    assert page.status_code == 200
    assert "Save the partner" not in page.text
    assert post(site, url, {"csrf_token": csrf, "kind": "ngo"}).status_code == 403
