"""XLSForms for ODK Collect and KoboCollect, made from the programme's profile: household
registration, the child visit and the follow-up visit.

The visit asks what the visit page asks (``ipec.web.pages.visits.questions``: the activities
and their hours, the R190 conditions and the national list as one multiple choice, industry,
occupation, worst forms, safeguards) and school attendance, consent first: without it the
answers are skipped. Constraints are the service's bounds (hours 0-168, school days 0-366
and attended <= open, no date in the future, a child within the profile's ages). Areas are
cascading choices, one question per level. Every label is given in each language of the
deployment (``label::English (en)``...). The follow-up visit picks the child from the entity
list of children due (``ipec.forms.entities``) and marks the entity visited (ODK Entities).
The XLSForm specification: https://xlsform.org; Entities: https://docs.getodk.org/entities-quick-reference.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path

from openpyxl import Workbook

from ipec.classify.prepare import MAX_WEEKLY_HOURS
from ipec.forms.wording import text
from ipec.monitoring.models import Area, Sex
from ipec.standards import Profile

__all__ = [
    "ENTITY_LIST",
    "FORM_VERSION",
    "SCHOOL_DAYS",
    "FormKind",
    "XLSForm",
    "area_choice",
    "build_xlsform",
    "language_column",
    "to_xform",
    "write_xlsform",
]

#: The version every generated form carries (ODK's ``settings.version``); the import reads
#: forms of this version (see :mod:`ipec.forms.exports`).
FORM_VERSION = "ipec-1"
#: The entity list (and its CSV attachment) of children due for a follow-up.
ENTITY_LIST = "children_due"
#: The school days of a year, the bound of the form and of its import (a week's hours are
#: :data:`~ipec.classify.prepare.MAX_WEEKLY_HOURS`).
SCHOOL_DAYS = 366
_NAME = 200
_SCHOOL_STATUS = 40


class FormKind(StrEnum):
    REGISTRATION = "registration"
    VISIT = "visit"
    FOLLOW_UP = "follow-up"


#: A message id of the pages' catalogue in, the wording in one language out.
Translate = Callable[[str, str], str]


@dataclass
class XLSForm:
    """A form's sheets as rows of named cells (``survey``, ``choices``, ``settings`` and, for
    the follow-up visit, ``entities``)."""

    kind: FormKind
    survey: list[dict[str, str]] = field(default_factory=list)
    choices: list[dict[str, str]] = field(default_factory=list)
    settings: dict[str, str] = field(default_factory=dict)
    entities: list[dict[str, str]] = field(default_factory=list)


def language_column(column: str, code: str, languages: dict[str, str]) -> str:
    """``label::Français (fr)``: the column of ``column`` in language ``code``."""
    return f"{column}::{languages[code]} ({code})"


def area_choice(area_id: int) -> str:
    """The choice name of an area (its id, which stays when the area is renamed)."""
    return f"a{area_id}"


class _Writer:
    """Rows of one form, with its labels in every language."""

    def __init__(self, form: XLSForm, languages: dict[str, str]) -> None:
        self.form, self.languages = form, languages

    def worded(self, column: str, wording: Callable[[str], str]) -> dict[str, str]:
        return {
            language_column(column, code, self.languages): wording(code) for code in self.languages
        }

    def row(
        self, kind: str, name: str, label: Callable[[str], str] | None = None, **cells: str
    ) -> None:
        row = {"type": kind, "name": name, **(self.worded("label", label) if label else {})}
        message = cells.pop("message", "")
        if message:
            row |= self.worded("constraint_message", lambda code: text(message, code))
        hint = cells.pop("hint", "")
        if hint:
            row |= self.worded("hint", lambda code: text(hint, code))
        self.form.survey.append(row | {key: value for key, value in cells.items() if value})

    def choice(
        self, list_name: str, name: str, label: Callable[[str], str], **filters: str
    ) -> None:
        self.form.choices.append(
            {"list_name": list_name, "name": name, **self.worded("label", label), **filters}
        )


def _literal(wording: str) -> Callable[[str], str]:
    """The same wording in every language (an area's own name)."""
    return lambda _: wording


def _said(key: str, **values: object) -> Callable[[str], str]:
    return lambda code: text(key, code, **values)


def _area_questions(writer: _Writer, areas: Sequence[Area]) -> None:
    """One cascading select per level, from the top of ``areas`` down."""
    if not areas:
        from ipec.errors import DataError

        raise DataError(
            "no areas to put in the form",
            hint="import the areas first (ipec areas import), or choose an area that exists",
        )
    depth = {area.id: area.path.count("/") - 1 for area in areas}
    top = min(depth.values())
    levels = sorted({depth[area.id] for area in areas})
    named = {area.id: area for area in areas}
    for level in levels:
        question = f"area_{level - top + 1}"
        here = sorted(
            (area for area in areas if depth[area.id] == level),
            key=lambda area: area.name.casefold(),
        )
        level_name = here[0].level
        above = f"area_{level - top}" if level > top else ""
        for area in here:
            filters: dict[str, str] = {}
            if above and area.parent_id is not None and area.parent_id in named:
                filters[above] = area_choice(area.parent_id)
            writer.choice(question, area_choice(area.id), _literal(area.name), **filters)
        writer.row(
            f"select_one {question}",
            question,
            _said("area", level=level_name),
            required="yes",
            choice_filter=f"{above}=${{{above}}}" if above else "",
        )


def _yes_no(writer: _Writer) -> None:
    writer.choice("yes_no", "yes", _said("yes"))
    writer.choice("yes_no", "no", _said("no"))


def _visit_answers(writer: _Writer, profile: Profile, translate: Translate) -> None:
    """Consent, then the visit page's questions and school attendance, skipped without it."""
    from ipec.web.pages.visits import questions

    writer.row(
        "select_one yes_no", "consent", _said("consent"), required="yes", hint="consent.hint"
    )
    writer.row("begin_group", "answers", _said("answers"), relevant="${consent} = 'yes'")
    asked = {code: questions(profile, code) for code in writer.languages}
    english = asked["en"] if "en" in asked else next(iter(asked.values()))

    def label(index: int) -> Callable[[str], str]:
        def wording(code: str) -> str:
            question = asked[code][index]
            return question.label if question.literal else translate(question.label, code)

        return wording

    hazards: list[int] = []
    for index, question in enumerate(english):
        name = question.name
        if name.startswith("haz_"):
            hazards.append(index)
        elif question.kind == "flag":
            writer.row("select_one yes_no", name, label(index), required="yes")
        elif question.kind == "hours":
            did = name.replace("_hours", "_any")
            writer.row(
                "decimal",
                name,
                label(index),
                relevant=f"${{{did}}} = 'yes'",
                constraint=f". >= 0 and . <= {MAX_WEEKLY_HOURS:g}",
                message="hours.bad",
            )
        elif name == "isic":
            writer.row(
                "text",
                name,
                label(index),
                message="isic.bad",
                constraint="regex(., '^([A-U]|[0-9]{2,4})$')",
            )
        else:
            writer.row(
                "text",
                name,
                label(index),
                message="isco.bad",
                constraint="regex(., '^[0-9]{1,4}$')",
            )
    if hazards:
        writer.row("select_multiple hazards", "hazards", _said("hazards"))
        for index in hazards:
            writer.choice("hazards", english[index].name, label(index))
    writer.row("begin_group", "school", _said("school"))
    writer.row(
        "integer",
        "school_days_attended",
        _said("school_days_attended"),
        required="${school_days_open} != ''",
        message="attended.bad",
        constraint=f". >= 0 and . <= {SCHOOL_DAYS} and "
        "(${school_days_open} = '' or . <= ${school_days_open})",
    )
    writer.row(
        "integer",
        "school_days_open",
        _said("school_days_open"),
        required="${school_days_attended} != ''",
        message="open.bad",
        constraint=f". >= 0 and . <= {SCHOOL_DAYS}",
    )
    writer.row("end_group", "")
    writer.row("end_group", "")


def _registration(writer: _Writer, profile: Profile, areas: Sequence[Area]) -> None:
    _area_questions(writer, areas)
    writer.row(
        "text",
        "head_name",
        _said("head_name"),
        required="yes",
        constraint=f"string-length(.) <= {_NAME}",
    )
    writer.row(
        "text", "supply_unit", _said("supply_unit"), constraint=f"string-length(.) <= {_NAME}"
    )
    writer.row("geopoint", "location", _said("location"))
    writer.row("begin_repeat", "child", _said("children"))
    writer.row(
        "text",
        "child_name",
        _said("child_name"),
        required="yes",
        constraint=f"string-length(.) <= {_NAME}",
    )
    writer.row("select_one sex", "sex", _said("sex"), required="yes")
    oldest = profile.ages.scope.max
    writer.row(
        "date",
        "birth_date",
        _said("birth_date"),
        required="yes",
        message="birth_date.bad",
        **{
            "constraint": (
                ". <= today() and decimal-date-time(.) > decimal-date-time(today()) - "
                f"{(oldest + 1) * 365.25}"
            )
        },
    )
    writer.row(
        "text",
        "school_status",
        _said("school_status"),
        constraint=f"string-length(.) <= {_SCHOOL_STATUS}",
    )
    writer.row("end_repeat", "")
    writer.choice("sex", Sex.FEMALE.value, _said("female"))
    writer.choice("sex", Sex.MALE.value, _said("male"))


def _visit(writer: _Writer, profile: Profile, areas: Sequence[Area], translate: Translate) -> None:
    _area_questions(writer, areas)
    writer.row(
        "text",
        "child",
        _said("child"),
        required="yes",
        message="child.bad",
        constraint="regex(., '^[A-Z]{1,2}-[0-9]{7,}$')",
    )
    writer.row(
        "date",
        "visit_date",
        _said("visit_date"),
        required="yes",
        default="today()",
        constraint=". <= today()",
        message="visit_date.bad",
    )
    _yes_no(writer)
    _visit_answers(writer, profile, translate)


def _follow_up(writer: _Writer, profile: Profile, translate: Translate) -> None:
    """The child from the entity list; its code, follow-up and birth date preloaded."""
    writer.row(f"select_one_from_file {ENTITY_LIST}.csv", "due", _said("child_due"), required="yes")
    for name in ("child", "follow_up", "birth_date", "area"):
        writer.row(
            "calculate",
            name,
            calculation=f"instance('{ENTITY_LIST}')/root/item[name=${{due}}]/{name}",
        )
    writer.row(
        "date",
        "visit_date",
        _said("visit_date"),
        required="yes",
        default="today()",
        constraint=". <= today() and . >= ${birth_date}",
        message="follow_up_date.bad",
        save_to="last_visit",
    )
    _yes_no(writer)
    _visit_answers(writer, profile, translate)
    writer.form.entities.append({"list_name": ENTITY_LIST, "entity_id": "${due}"})


def build_xlsform(
    kind: FormKind,
    profile: Profile,
    areas: Sequence[Area],
    *,
    languages: dict[str, str],
    translate: Translate,
) -> XLSForm:
    """The XLSForm of ``kind`` for ``profile``, with ``areas`` (a subtree: every area under
    the top ones given) as cascading choices and labels in each of ``languages`` (code ->
    name, English first)."""
    form = XLSForm(kind)
    writer = _Writer(form, languages)
    writer.row("start", "start")
    writer.row("end", "end")
    writer.row("calculate", "form_kind", calculation=f"'{kind.value}'")
    writer.row("calculate", "profile", calculation=f"'{profile.id}'")
    if kind is FormKind.REGISTRATION:
        _registration(writer, profile, areas)
    elif kind is FormKind.VISIT:
        _visit(writer, profile, areas, translate)
    else:
        _follow_up(writer, profile, translate)
    form_id = f"ipec_{kind.value.replace('-', '_')}"
    first = next(iter(languages))
    form.settings = {
        "form_title": text(f"title.{kind.value}", first),
        "form_id": form_id,
        "version": FORM_VERSION,
        "default_language": f"{languages[first]} ({first})",
    }
    return form


def _columns(rows: Iterable[dict[str, str]]) -> list[str]:
    seen: dict[str, None] = {}
    for row in rows:
        seen.update(dict.fromkeys(row))
    return list(seen)


def write_xlsform(form: XLSForm, path: Path) -> None:
    """Write the form as an .xlsx workbook (one sheet per XLSForm sheet)."""
    book = Workbook()
    sheets: list[tuple[str, list[dict[str, str]]]] = [
        ("survey", form.survey),
        ("choices", form.choices),
        ("settings", [form.settings]),
    ]
    if form.entities:
        sheets.append(("entities", form.entities))
    first = book.active
    assert first is not None
    book.remove(first)
    for title, rows in sheets:
        sheet = book.create_sheet(title)
        columns = _columns(rows)
        sheet.append(columns)
        for row in rows:
            sheet.append([row.get(column, "") or None for column in columns])
    book.save(path)


def to_xform(path: Path) -> str:
    """The XForm that ODK Collect and Enketo read, converted from the XLSForm at ``path`` by
    pyxform (as ODK Central and KoboToolbox convert it when it is uploaded); a form pyxform
    refuses is a ``DataError`` with its message."""
    from pyxform.errors import PyXFormError
    from pyxform.xls2xform import convert

    try:
        xform: str = convert(str(path), warnings=[]).xform
    except PyXFormError as error:
        from ipec.errors import DataError

        raise DataError(f"pyxform refuses the form: {error}", source=path.name) from None
    return xform
