"""A programme whose profile has a national hazardous-work list (the shipped example
cocoa-ci-2017): the visit form asks exactly the list's tasks in the page's language, and a task
ticked makes the child's visit hazardous work with its own reason, and the case hazardous."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from ipec.config import Settings
from ipec.monitoring import Case, Visit
from ipec.standards import load_profile
from ipec.web import create_app
from tests.web.api.conftest import SECRET
from tests.web.pages.conftest import Site, _world_database, post

PROFILE = "cocoa-ci-2017"


@pytest.fixture
def cocoa(tmp_path: Path) -> Iterator[Site]:
    """The pages' small world, its visits classified under the cocoa example."""
    engine, ids, url = _world_database(tmp_path / "cocoa.db")
    app = create_app(Settings(database_url=url, secret_key=SECRET, profile=PROFILE,
                              dashboard_refresh_seconds=0))  # fmt: skip
    with TestClient(app, base_url="https://testserver") as client:
        yield Site(client, ids, engine)
    app.state.engine.dispose()
    engine.dispose()


def _asked(page: str) -> list[str]:
    """The hazard flags the visit form asks, in order."""
    return re.findall(r'type="checkbox" id="q-(haz_\w+)"', page)


def _label(page: str, name: str) -> str:
    found = re.search(rf'<label for="q-{name}">([^<]*)</label>', page)
    assert found, name
    return found.group(1)


def test_the_form_asks_the_profiles_list_in_the_pages_language(cocoa: Site) -> None:
    profile = load_profile(PROFILE)
    cocoa.sign_in()
    path = f"/children/{cocoa.ids['child_a']}"
    english = cocoa.client.get(path).text
    national = [item.column for item in profile.hazards.national]
    conditions = [f"haz_{name}" for name in profile.hazards.conditions]
    assert _asked(english) == conditions + national
    assert _label(english, "haz_land_clearing") == "Clears land or bush with a machete"
    cocoa.client.cookies.set("ipec_lang", "fr")
    french = cocoa.client.get(path).text
    assert _asked(french) == conditions + national
    assert _label(french, "haz_land_clearing") == "Défriche ou débroussaille à la machette"
    assert _label(french, "haz_pod_breaking") == "Écabosse à la machette"
    assert _label(french, "haz_heavy_loads") == "Porte de lourdes charges"  # the catalog's


def test_a_ticked_task_makes_the_visit_hazardous_and_the_case_too(cocoa: Site) -> None:
    csrf = cocoa.sign_in()
    child = cocoa.ids["child_a"]  # born 2014-01-01: 12 on the visit
    with Session(cocoa.engine) as session:
        case = session.get(Case, cocoa.ids["case_a"])
        assert case is not None
        assert not case.hazardous
    data = {"csrf_token": csrf, "visit_date": "2026-05-01", "monitor": "Ama", "consent": "yes",
            "econ_any": "yes", "econ_hours": "3", "haz_tree_felling": "yes"}  # fmt: skip
    preview = post(cocoa, f"/children/{child}/visits/preview", data)
    assert "HAZ_NATIONAL_LIST" in preview.text
    answer = post(cocoa, f"/children/{child}/visits", data)
    assert answer.status_code == 303, answer.text
    with Session(cocoa.engine) as session:
        visit = session.scalars(select(Visit).where(Visit.child_id == child)).one()
        assert (visit.profile_id, visit.profile_version) == (PROFILE, "2017.1")
        assert visit.record["haz_tree_felling"] is True
        assert visit.record["haz_land_clearing"] is False
        assert visit.reasons == ["HAZ_NATIONAL_LIST"]
        assert visit.status == "child_labour"
        assert visit.child_labour
        assert visit.hazardous_work
        assert '"Fells trees", on the national list' in visit.explanation
        assert "Arrêté n°2017-017 MEPS/CAB" in visit.explanation
        case = session.get(Case, cocoa.ids["case_a"])
        assert case is not None
        assert case.hazardous
    page = cocoa.client.get(f"/children/{child}").text
    assert "HAZ_NATIONAL_LIST" in page
    assert "Fells trees" in page
    assert "Task on the national hazardous list" in page
    # Said again in French from the visit's answers: the task in the profile's own French.
    cocoa.client.cookies.set("ipec_lang", "fr")
    french = cocoa.client.get(f"/children/{child}").text
    assert "Le travail comprend « Abat des arbres », sur la liste nationale" in french
    assert "Tâche de la liste nationale des travaux dangereux" in french
    assert '"Fells trees"' not in french


def test_the_profile_page_lists_the_tasks_with_their_ages_and_source(cocoa: Site) -> None:
    cocoa.sign_in("admin")
    cocoa.client.cookies.set("ipec_lang", "fr")
    page = cocoa.client.get("/admin/profile").text
    assert "Secteur du cacao, liste des travaux dangereux de Côte d&#39;Ivoire" in page
    assert "Travaux de la liste nationale des travaux dangereux :" in page
    assert "Abat des arbres: travail dangereux de 5 à 17 ans" in page
    assert "Arrêté n°2017-017 MEPS/CAB of 2 June 2017" in page
