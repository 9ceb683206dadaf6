"""The answers of the API in general: moments with their UTC offset, a 405 with ``Allow``."""

from __future__ import annotations

from datetime import datetime, timedelta

from tests.web.api.conftest import Api, api, check_error

__all__ = ["api"]  # the served API of tests/web/api, used here as a fixture


def test_moments_carry_their_utc_offset(api: Api) -> None:
    """Regression: on SQLite the API's moments had no offset (read as local time)."""
    [token] = api.call("GET", "/api/v1/tokens").json()
    for moment in (token["created_at"], token["expires_at"]):
        assert moment.endswith("Z") or moment.endswith("+00:00"), moment
    [entry, *_] = api.call("GET", "/api/v1/audit", who="admin").json()
    assert datetime.fromisoformat(entry["at"]).utcoffset() == timedelta(0)


def test_a_method_not_allowed_says_which_are(api: Api) -> None:
    """Regression: the 405 answer lost its Allow header."""
    answer = api.client.put("/api/v1/me", headers=api.auth())
    check_error(answer, 405, "HTTPError")
    assert answer.headers["allow"] == "GET"


def test_dates_in_queries_are_parsed_strictly(api: Api) -> None:
    """Regression: ``due_by=0`` was read as 1970-01-01."""
    for bad in ("0", "1714550400", "2026-5-1", "2026-05-01T00:00:00"):
        answer = api.call("GET", f"/api/v1/follow-ups?due_by={bad}")
        error = check_error(answer, 422, "ValidationError")
        assert error["fields"][0]["field"] == "query.due_by"
        assert "YYYY-MM-DD" in error["fields"][0]["message"]
    metric = api.call("GET", "/api/v1/metrics/identification?start=0&end=2026-12-31")
    assert check_error(metric, 422, "ValidationError")["fields"][0]["field"] == "query.start"
    assert api.call("GET", "/api/v1/follow-ups?due_by=2026-12-31").status_code == 200
