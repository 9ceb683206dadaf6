"""Hostile strings that come in from the field (a name carrying markup, typed into a form on
a phone) are stored as typed and shown as text by the pages."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from ipec.forms.exports import read_submissions
from ipec.forms.importer import import_submissions
from ipec.forms.people import areas_under, principal_named
from ipec.forms.xlsform import FormKind, build_xlsform
from ipec.monitoring import Household
from ipec.standards import load_profile
from ipec.web.pages.i18n import LANGUAGES, load_translations
from tests.forms.odk import central_zip, convert_form
from tests.web.pages.conftest import ESCAPED, MARKUP, Site


def test_an_imported_name_with_markup_is_shown_as_text(site: Site, tmp_path: Path) -> None:
    translations = load_translations()
    with Session(site.engine) as session:
        made = build_xlsform(
            FormKind.REGISTRATION,
            load_profile("sdg-8.7.1"),
            areas_under(session, "/"),
            languages=LANGUAGES,
            translate=lambda m, code: translations[code].gettext(m),
        )
    form = convert_form(made, tmp_path)
    sub = {
        "instanceID": "uuid:markup",
        "form_kind": "registration",
        "area_1": f"a{site.ids['country']}",
        "area_2": f"a{site.ids['area_a']}",
        "head_name": MARKUP,
        "child": [{"child_name": MARKUP, "sex": "female", "birth_date": "2016-02-02"}],
    }
    export = central_zip(form, [sub], tmp_path / "r.zip")
    with Session(site.engine) as session:
        report = import_submissions(
            session,
            read_submissions(export),
            principal=principal_named(session, "monitor"),
            profile=load_profile("sdg-8.7.1"),
        )
        session.commit()
        assert (report.new, report.rejected) == (1, [])
        household = session.scalars(select(Household).where(Household.head_name == MARKUP)).one()
    site.sign_in("monitor")
    page = site.client.get(f"/households/{household.id}")
    assert page.status_code == 200
    assert ESCAPED in page.text
    assert MARKUP not in page.text
