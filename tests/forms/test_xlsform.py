"""Every generated XLSForm converts with pyxform into an XForm with the questions, skip
logic, constraints, choices and languages the programme's rules call for."""

from __future__ import annotations

from pathlib import Path

import pytest
from lxml import etree
from openpyxl import load_workbook

from ipec.errors import DataError
from ipec.forms.xlsform import FormKind, build_xlsform
from ipec.monitoring.models import Area
from ipec.standards import Profile, load_profile
from ipec.web.pages.i18n import LANGUAGES, load_translations
from tests.forms.odk import XF, convert_form

TRANSLATIONS = load_translations()
COCOA = load_profile("cocoa-ci-2017")
SDG = load_profile("sdg-8.7.1")
H = "http://www.w3.org/1999/xhtml"


def areas() -> list[Area]:
    """Two regions, a district under each, a community under each district."""
    rows = [
        (1, None, "North", "region"),
        (2, None, "South", "region"),
        (3, 1, "Kumasi", "district"),
        (4, 2, "Obuasi", "district"),
        (5, 3, "Ahodwo", "community"),
        (6, 4, "Akrokerri", "community"),
    ]
    paths: dict[int, str] = {}
    made = []
    for area_id, parent, name, level in rows:
        paths[area_id] = f"{paths[parent] if parent else '/'}{area_id}/"
        made.append(Area(id=area_id, parent_id=parent, name=name, level=level, path=paths[area_id]))
    return made


def translate(message: str, code: str) -> str:
    return TRANSLATIONS[code].gettext(message)


def convert(kind: FormKind, profile: Profile, folder: Path) -> etree._Element:
    form = build_xlsform(kind, profile, areas(), languages=LANGUAGES, translate=translate)
    return convert_form(form, folder).xml


def binds(xml: etree._Element) -> dict[str, dict[str, str]]:
    return {bind.get("nodeset"): dict(bind.attrib) for bind in xml.iter(f"{{{XF}}}bind")}


@pytest.mark.parametrize("kind", list(FormKind))
@pytest.mark.parametrize("profile", [SDG, COCOA], ids=lambda profile: profile.id)
def test_every_form_converts_with_its_id_version_languages_and_instance_id(
    kind: FormKind, profile: Profile, tmp_path: Path
) -> None:
    xml = convert(kind, profile, tmp_path)
    root = xml.find(f".//{{{XF}}}instance")[0]
    assert (root.get("id"), root.get("version")) == (
        f"ipec_{kind.value.replace('-', '_')}",
        "ipec-1",
    )
    languages = {text.get("lang") for text in xml.iter(f"{{{XF}}}translation")}
    assert languages == {"English (en)", "Français (fr)"}
    assert binds(xml)["/data/meta/instanceID"]["{http://openrosa.org/javarosa}preload"] == "uid"
    kind_bind = binds(xml)["/data/form_kind"]
    assert kind_bind["calculate"] == f"'{kind.value}'"


@pytest.mark.parametrize("kind", [FormKind.VISIT, FormKind.FOLLOW_UP])
def test_the_visit_asks_consent_first_and_skips_the_answers_without_it(
    kind: FormKind, tmp_path: Path
) -> None:
    found = binds(convert(kind, COCOA, tmp_path))
    assert found["/data/consent"]["required"] == "true()"
    assert found["/data/answers"]["relevant"].split() == ["/data/consent", "=", "'yes'"]
    hours = found["/data/answers/econ_hours"]
    assert hours["type"] == "decimal"
    assert hours["constraint"] == ". >= 0 and . <= 168"
    assert hours["relevant"].split() == ["/data/answers/econ_any", "=", "'yes'"]
    attended = found["/data/answers/school/school_days_attended"]
    assert ". <= 366" in attended["constraint"]
    assert ". <=  /data/answers/school/school_days_open" in attended["constraint"]
    assert "/data/answers/school/school_days_open" in attended["required"]
    assert found["/data/visit_date"]["constraint"].startswith(". <= today()")


def test_the_national_list_is_one_multiple_choice_in_both_languages(tmp_path: Path) -> None:
    xml = convert(FormKind.VISIT, COCOA, tmp_path)
    items = xml.find(f".//{{{XF}}}instance[@id='hazards']")
    names = [item.findtext(f"{{{XF}}}name") for item in items.iter(f"{{{XF}}}item")]
    expected = [f"haz_{name}" for name in COCOA.hazards.conditions]
    expected += [item.column for item in COCOA.hazards.national]
    assert names == expected
    french = xml.find(f".//{{{XF}}}translation[@lang='Français (fr)']")
    texts = {value.text for value in french.iter(f"{{{XF}}}value")}
    machete = next(item for item in COCOA.hazards.national if item.code.startswith("land"))
    assert machete.label.fr in texts
    assert "Défriche ou débroussaille à la machette" in texts  # the profile's own wording
    assert "Non" in texts
    assert "Oui" in texts
    english = xml.find(f".//{{{XF}}}translation[@lang='English (en)']")
    assert machete.label.en in {value.text for value in english.iter(f"{{{XF}}}value")}


def test_areas_cascade_level_by_level(tmp_path: Path) -> None:
    xml = convert(FormKind.REGISTRATION, SDG, tmp_path)
    districts = xml.find(f".//{{{XF}}}instance[@id='area_2']")
    pairs = {
        (item.findtext(f"{{{XF}}}name"), item.findtext(f"{{{XF}}}area_1"))
        for item in districts.iter(f"{{{XF}}}item")
    }
    assert pairs == {("a3", "a1"), ("a4", "a2")}
    body = etree.tostring(xml, encoding="unicode")
    assert "instance('area_3')/root/item[area_2= /data/area_2 ]" in body


def test_registration_bounds_birth_dates_by_the_profiles_ages(tmp_path: Path) -> None:
    found = binds(convert(FormKind.REGISTRATION, SDG, tmp_path))
    born = found["/data/child/birth_date"]
    assert born["type"] == "date"
    # sdg-8.7.1 covers ages 5-17: a child is younger than 18 years (18 * 365.25 days)
    assert born["constraint"].endswith(f"- {18 * 365.25}")
    assert found["/data/child/sex"]["required"] == "true()"
    assert found["/data/location"]["type"] == "geopoint"


def test_the_follow_up_picks_the_child_from_the_entity_list(tmp_path: Path) -> None:
    xml = convert(FormKind.FOLLOW_UP, SDG, tmp_path)
    external = xml.find(f".//{{{XF}}}instance[@id='children_due']")
    assert external.get("src") == "jr://file-csv/children_due.csv"
    entity = next(node for node in xml.iter() if etree.QName(node).localname == "entity")
    assert (entity.get("dataset"), entity.get("update")) == ("children_due", "1")
    found = binds(xml)
    assert "item[name= /data/due ]/follow_up" in found["/data/follow_up"]["calculate"]
    assert "/data/birth_date" in found["/data/visit_date"]["constraint"]


def test_the_workbook_has_language_columns_and_the_entities_sheet(tmp_path: Path) -> None:
    from ipec.forms.xlsform import write_xlsform

    form = build_xlsform(FormKind.FOLLOW_UP, SDG, areas(), languages=LANGUAGES, translate=translate)
    write_xlsform(form, tmp_path / "f.xlsx")
    book = load_workbook(tmp_path / "f.xlsx")
    assert book.sheetnames == ["survey", "choices", "settings", "entities"]
    header = [cell.value for cell in book["survey"][1]]
    assert {"label::English (en)", "label::Français (fr)", "save_to"} <= set(header)
    assert [cell.value for cell in book["entities"][2]] == ["children_due", "${due}"]


def test_a_form_without_areas_is_refused() -> None:
    with pytest.raises(DataError, match="no areas"):
        build_xlsform(FormKind.VISIT, SDG, [], languages=LANGUAGES, translate=translate)
