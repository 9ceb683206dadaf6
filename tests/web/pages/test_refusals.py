"""The audit page shows who was refused again and again: users and addresses with three or
more refusals in the last day, each a link to their rows."""

from __future__ import annotations

import csv
import io

from tests.web.pages.conftest import Site


def test_the_audit_page_lists_repeated_refusals(site: Site) -> None:
    site.sign_in("monitor")
    for _ in range(3):
        assert site.client.get(f"/children/{site.ids['child_b']}").status_code == 404
    assert site.client.get("/admin/audit").status_code == 403
    site.sign_in("admin")
    page = site.client.get("/admin/audit").text
    assert "Repeated refusals in the last 24 hours" in page
    row = page.split('<a href="/admin/audit?actor=monitor">monitor</a>')[1].split("</tr>")[0]
    assert '<a href="/admin/audit?address=testclient">testclient</a>' in row
    assert "<td>4</td>" in row  # three records out of scope and the audit log itself
    filtered = site.client.get("/admin/audit?actor=monitor").text
    assert filtered.count("<td>request.denied</td>") == 4


def test_no_table_without_repeated_refusals(site: Site) -> None:
    site.sign_in("admin")
    assert "Repeated refusals" not in site.client.get("/admin/audit").text


def test_the_audit_log_reads_as_text_not_json(site: Site) -> None:
    site.sign_in("monitor")
    site.client.get(f"/children/{site.ids['child_b']}")
    site.sign_in("admin")
    page = site.client.get("/admin/audit?actor=monitor").text
    row = page.split("<td>request.denied</td>")[1].split("</tr>")[0]
    assert f"<td>GET /children/{site.ids['child_b']}</td>" in row  # not "request 0"
    assert "status: 404" in row
    assert "{&#34;" not in row
    assert '{"' not in row


def test_the_audit_log_downloads_as_csv_with_the_filters(site: Site) -> None:
    site.client.post("/api/v1/session", json={"username": "=HYPERLINK(1)", "password": "x"})
    site.sign_in("admin")
    answer = site.client.get("/admin/audit.csv?entity=user")
    assert answer.status_code == 200
    assert answer.headers["content-type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(answer.text)))
    assert rows[0] == ["at_utc", "user", "action", "record_type", "record_id", "from", "details"]
    assert {row[3] for row in rows[1:]} == {"user"}
    assert ["'=hyperlink(1)", "sign_in.failure"] in [row[1:3] for row in rows[1:]]
    assert rows[1][0].endswith("Z")
    site.sign_in("monitor")
    assert site.client.get("/admin/audit.csv").status_code == 403


def test_the_log_filters_by_action_and_address(site: Site) -> None:
    site.sign_in("monitor")
    site.client.get(f"/children/{site.ids['child_b']}")
    site.sign_in("admin")
    by_action = site.client.get("/admin/audit?action=request.denied").text
    assert by_action.count("<td>request.denied</td>") == 1
    assert "<td>sign_in.success</td>" not in by_action
    assert site.client.get("/admin/audit?address=testclient").text.count("<td>testclient</td>") > 2
    elsewhere = site.client.get("/admin/audit?address=10.9.9.9").text
    assert "<td>sign_in.success</td>" not in elsewhere
