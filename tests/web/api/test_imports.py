"""``POST /api/v1/imports/submissions``: an ODK Central export uploaded is imported as the
caller, once, within the caller's scope; a viewer imports nothing."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ipec.forms.people import areas_under
from ipec.forms.xlsform import FormKind, build_xlsform
from ipec.monitoring import Child, Visit
from ipec.standards import load_profile
from ipec.web.pages.i18n import LANGUAGES, load_translations
from tests.forms.odk import central_zip, convert_form
from tests.web.api.conftest import Api, check_error

TRANSLATIONS = load_translations()


def _export(api: Api, folder: Path) -> bytes:
    with Session(api.engine) as session:
        made = build_xlsform(FormKind.VISIT, load_profile("sdg-8.7.1"), areas_under(session, "/"),
                             languages=LANGUAGES,
                             translate=lambda m, c: TRANSLATIONS[c].gettext(m))  # fmt: skip
        codes = {key: session.get_one(Child, api.ids[f"child_{key}"]).pseudonym for key in "ab"}
    form = convert_form(made, folder)

    def sub(key: str) -> dict[str, Any]:
        return {"instanceID": f"uuid:api-{key}", "form_kind": "visit",
                "area_1": f"a{api.ids['country']}", "area_2": f"a{api.ids[f'area_{key}']}",
                "child": codes[key], "visit_date": "2026-05-02", "consent": "yes",
                "econ_any": "yes", "econ_hours": "10", "wfcl_other": "no"}  # fmt: skip

    return central_zip(form, [sub("a"), sub("b")], folder / "v.zip").read_bytes()


def codes_b(api: Api) -> str:
    with Session(api.engine) as session:
        return session.get_one(Child, api.ids["child_b"]).pseudonym


def _visits(api: Api) -> int:
    with Session(api.engine) as session:
        return int(session.scalar(select(func.count()).select_from(Visit)) or 0)


def test_an_upload_is_imported_as_the_caller_once(api: Api, tmp_path: Path) -> None:
    body = _export(api, tmp_path)
    path = "/api/v1/imports/submissions?filename=v.zip"
    sent = api.client.post(path, content=body, headers=api.auth("monitor"))
    assert sent.status_code == 200, sent.text
    found = sent.json()
    # the monitor of district A: child b lives in B, outside the monitor's scope
    assert (found["new"], found["unchanged"], found["refused"]) == (1, 0, 1)
    assert found["rejections"][0]["instance_id"] == "uuid:api-b"
    assert found["rejections"][0]["message"] == f"no child {codes_b(api)} in your areas"
    again = api.client.post(path, content=body, headers=api.auth("monitor")).json()
    assert (again["new"], again["unchanged"]) == (0, 1)
    assert _visits(api) == 1
    admin = api.client.post(path, content=body, headers=api.auth("admin")).json()
    assert (admin["new"], admin["unchanged"], admin["refused"]) == (1, 1, 0)


def test_a_viewer_or_a_wrong_file_imports_nothing(api: Api, tmp_path: Path) -> None:
    body = _export(api, tmp_path)
    refused = api.client.post("/api/v1/imports/submissions?filename=v.zip", content=body,
                              headers=api.auth("viewer"))  # fmt: skip
    check_error(refused, 403, "PermissionDenied")
    wrong = api.client.post("/api/v1/imports/submissions?filename=v.json", content=body,
                            headers=api.auth("monitor"))  # fmt: skip
    check_error(wrong, 422, "DataError")
    broken = api.client.post("/api/v1/imports/submissions?filename=v.zip", content=b"PK no",
                             headers=api.auth("monitor"))  # fmt: skip
    assert "not a .zip archive" in check_error(broken, 422, "DataError")["message"]
    assert _visits(api) == 0
