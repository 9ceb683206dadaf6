"""The programme pages: list, targets set from the form (and refused beside the field),
planned versus achieved, the XLSX downloads and Annex A."""

from __future__ import annotations

import io
from datetime import date

import openpyxl
from sqlalchemy.orm import Session

from ipec.programmes.models import ProgrammeKind
from ipec.programmes.service import create_programme
from tests.web.pages.conftest import Site, audit_actions, post

_XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def add_programme(engine: object, ids: dict[str, int]) -> int:
    """A 2026 programme over districts A and B of the small world."""
    with Session(engine) as session, session.begin():  # type: ignore[call-overload]
        made = create_programme(
            session, name="Cocoa TBP", kind=ProgrammeKind.NATIONAL_TBP, donor="US DOL",
            profile_id="sdg-8.7.1", starts_on=date(2026, 1, 1), ends_on=date(2026, 12, 31),
            area_ids=[ids["area_a"], ids["area_b"]], actor="admin",
        )  # fmt: skip
        return made.id


def _form(site: Site, csrf: str, **changes: str) -> dict[str, str]:
    return {"csrf_token": csrf, "indicator": "E1", "period_kind": "half_year",
            "starts_on": "2026-01-01", "area_id": str(site.ids["area_a"]),
            "target_group": "all", "planned": "2", **changes}  # fmt: skip


def test_a_manager_sets_targets_and_reads_the_results(site: Site) -> None:
    programme = add_programme(site.engine, site.ids)
    csrf = site.sign_in("admin")
    assert f'href="/programmes/{programme}"' in site.client.get("/programmes").text
    url = f"/programmes/{programme}"
    assert "No target in your areas yet." in site.client.get(url).text
    # nothing chosen: each field is named
    empty = post(site, f"{url}/targets", {"csrf_token": csrf, "target_group": "all"})
    assert empty.status_code == 422
    for message in ("Choose the indicator.", "Choose the length of the period.",
                    "Enter a date (year-month-day).", "Choose the area.",
                    "Enter the planned value as a number."):  # fmt: skip
        assert message in empty.text
    assert post(site, f"{url}/targets", _form(site, csrf)).status_code == 303
    page = site.client.get(url).text
    # district A's child had a school kit on 20 Jan 2026: 1 of 2 planned, 50 %
    assert '<td class="number">2</td>' in page
    assert "50 %" in page
    assert 'id="chart-results-caption"' in page
    refusals = {
        "starts_on": _form(site, csrf),  # overlaps the first
        "planned": _form(site, csrf, indicator="POC1", planned="150"),
        "target_group": _form(site, csrf, indicator="L1", target_group="girls"),
    }
    for field, form in refusals.items():
        refused = post(site, f"{url}/targets", form)
        assert refused.status_code == 422, field
        assert f'id="{field}-error"' in refused.text
    # a rate is typed as a percentage
    assert post(site, f"{url}/targets", _form(site, csrf, indicator="POC1",
                                              planned="40")).status_code == 303  # fmt: skip
    assert "40.0 %" in site.client.get(url).text
    sheet = site.client.get(f"{url}/results.xlsx")
    assert sheet.headers["content-type"] == _XLSX
    rows = list(openpyxl.load_workbook(io.BytesIO(sheet.content)).active.iter_rows(
        min_row=4, values_only=True))  # fmt: skip
    assert [(r[0], r[7], r[8]) for r in rows] == [("E1", 2, 1), ("POC1", 0.4, 0)]
    assert "target.create" in audit_actions(site, "admin")


def test_annex_a_page(site: Site) -> None:
    programme = add_programme(site.engine, site.ids)
    site.sign_in("admin")
    url = f"/programmes/{programme}/annex-a"
    page = site.client.get(f"{url}?from=2026-01-01&to=2026-06-30")
    assert page.status_code == 200
    assert 'id="annex-table"' in page.text
    assert ">POC1</abbr>" in page.text
    sheet = site.client.get(f"{url}.xlsx?from=2026-01-01&to=2026-06-30")
    assert sheet.headers["content-type"] == _XLSX
    # the default period is DOL's half-year holding the programme's start (Oct-Mar)
    assert 'value="2025-10-01"' in site.client.get(url).text
    early = site.client.get(f"{url}?from=2026-01-01&to=2026-01-15")
    assert 'id="annex-empty"' in early.text
    assert site.client.get(f"{url}.xlsx?from=2026-01-01&to=2026-01-15").status_code == 422


def test_a_monitor_reads_but_does_not_set(site: Site) -> None:
    programme = add_programme(site.engine, site.ids)
    csrf = site.sign_in("monitor")
    page = site.client.get(f"/programmes/{programme}")
    assert page.status_code == 200
    assert "Set a target" not in page.text
    assert post(site, f"/programmes/{programme}/targets", _form(site, csrf)).status_code == 403
    # Annex A adds up district B too, outside the monitor's areas
    assert site.client.get(f"/programmes/{programme}/annex-a").status_code == 403
