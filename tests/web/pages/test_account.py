"""Signing in and out of the pages, the anti-forgery checks, passwords and languages."""

from __future__ import annotations

from tests.web.api.conftest import PASSWORD
from tests.web.pages.conftest import Site, audit_actions


def test_signed_out_browser_goes_to_sign_in_and_comes_back(site: Site) -> None:
    answer = site.client.get("/cases?sex=female", follow_redirects=False)
    assert answer.status_code == 303
    assert answer.headers["location"] == "/login?next=%2Fcases"
    token = site.token("/login?next=/cases", "login_token")
    form = {"username": "monitor", "password": PASSWORD, "login_token": token, "next": "/cases"}
    signed = site.client.post("/login", data=form, follow_redirects=False)
    assert signed.status_code == 303
    assert signed.headers["location"] == "/cases"
    cookie = signed.headers["set-cookie"]
    assert "HttpOnly" in cookie
    assert "Secure" in cookie
    assert "SameSite=strict" in cookie
    assert site.client.get("/cases").status_code == 200


def test_sign_in_refuses_wrong_password_forged_form_and_foreign_next(site: Site) -> None:
    token = site.token("/login", "login_token")
    wrong = site.client.post("/login", data={"username": "monitor", "password": "not it at all",
                             "login_token": token})  # fmt: skip
    assert wrong.status_code == 401
    assert "Wrong username or password." in wrong.text
    site.client.cookies.clear()
    forged = site.client.post("/login", data={"username": "monitor", "password": PASSWORD,
                              "login_token": "made-up"})  # fmt: skip
    assert forged.status_code == 400
    assert "ipec_session" not in forged.headers.get("set-cookie", "")
    token = site.token("/login", "login_token")
    away = site.client.post("/login", data={"username": "monitor", "password": PASSWORD,
                            "login_token": token, "next": "//evil.example/x"},
                            follow_redirects=False)  # fmt: skip
    assert away.headers["location"] == "/"


def test_a_change_without_the_anti_forgery_token_is_refused(site: Site) -> None:
    site.sign_in()
    refused = site.client.post("/logout", data={"csrf_token": "guess"}, follow_redirects=False)
    assert refused.status_code == 403
    assert "did not come from this site" in refused.text
    assert site.client.get("/cases").status_code == 200


def test_sign_out_ends_the_session(site: Site) -> None:
    csrf = site.sign_in()
    cookie = site.client.cookies.get("ipec_session")
    assert cookie
    site.client.cookies.clear()
    site.client.cookies.set("ipec_session", cookie)
    assert site.client.get("/cases", follow_redirects=False).status_code == 200
    out = site.client.post("/logout", data={"csrf_token": csrf}, follow_redirects=False)
    assert out.status_code == 303
    site.client.cookies.set("ipec_session", cookie)
    again = site.client.get("/cases", follow_redirects=False)
    assert again.status_code == 303


def test_change_password_checks_each_field_and_ends_other_sessions(site: Site) -> None:
    csrf = site.sign_in()
    short = site.client.post("/account/password", data={"csrf_token": csrf,
                             "current_password": PASSWORD, "new_password": "short",
                             "repeat_password": "short"})  # fmt: skip
    assert short.status_code == 422
    assert 'id="new_password-error"' in short.text
    wrong = site.client.post("/account/password", data={"csrf_token": csrf,
                             "current_password": "not the password", "new_password": "x" * 12,
                             "repeat_password": "x" * 12})  # fmt: skip
    assert 'id="current_password-error"' in wrong.text
    differ = site.client.post("/account/password", data={"csrf_token": csrf,
                              "current_password": PASSWORD, "new_password": "x" * 12,
                              "repeat_password": "y" * 12})  # fmt: skip
    assert 'id="repeat_password-error"' in differ.text
    done = site.client.post("/account/password", data={"csrf_token": csrf,
                            "current_password": PASSWORD, "new_password": "a new long password",
                            "repeat_password": "a new long password"})  # fmt: skip
    assert done.status_code == 200
    assert "Your password has been changed" in done.text
    assert site.client.get("/cases").status_code == 200
    site.client.cookies.clear()
    site.sign_in(password="a new long password")
    assert "user.password" in audit_actions(site)


def test_pages_speak_french_when_chosen(site: Site) -> None:
    site.sign_in()
    chosen = site.client.get("/language/fr?next=/cases", follow_redirects=False)
    assert chosen.status_code == 303
    assert chosen.headers["location"] == "/cases"
    page = site.client.get("/cases")
    assert '<html lang="fr">' in page.text
    assert "Cas ouverts" in page.text
    assert "Open cases" not in page.text
    browser = site.client.get("/login", headers={"accept-language": "fr-FR,fr;q=0.9"})
    assert "Se connecter" in browser.text


def test_error_pages_are_pages(site: Site) -> None:
    site.sign_in()
    missing = site.client.get("/cases?area_id=999999")
    assert missing.status_code == 404
    assert missing.headers["content-type"].startswith("text/html")
    assert "Not found" in missing.text
    invalid = site.client.get("/cases?status=nonsense")
    assert invalid.status_code == 422
    assert "status" in invalid.text
    api = site.client.get("/api/v1/cases?status=nonsense")
    assert api.json()["error"]["type"] == "ValidationError"
    headers = site.client.get("/cases").headers
    assert "frame-ancestors 'none'" in headers["content-security-policy"]
    assert headers["cache-control"] == "no-store"
