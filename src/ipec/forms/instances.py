"""Submissions as XML instances, one file each, as ODK Collect keeps them on the phone
(``instances/<form>_<date>/<form>_<date>.xml``) and ODK Briefcase in its storage folder
(``.../instances/uuid<id>/submission.xml``): a folder of them, or a .zip.

The instance's root names the form (``id``) and its version; its leaves are the fields
(groups dropped, as in :mod:`ipec.forms.exports`), ``meta/instanceID`` its id; the
registration's children are its ``child`` elements. A file that is not well-formed XML, or
that declares a document type (its entities could expand without bound), is refused whole,
naming it. XForm instances: https://getodk.github.io/xforms-spec/#instance
"""

from __future__ import annotations

import zipfile
from collections.abc import Iterable
from pathlib import Path
from xml.etree import ElementTree

from ipec.errors import DataError
from ipec.forms.exports import MAX_BYTES, Submission

__all__ = ["read_instance", "read_instances"]

#: The repeats of the forms, by the form's id.
_REPEATS = {"ipec_registration": {"child"}}


def _local(element: ElementTree.Element) -> str:
    """The tag without its namespace (``{http://...}data`` is ``data``)."""
    return element.tag.rsplit("}", 1)[-1]


def _leaves(
    element: ElementTree.Element,
    fields: dict[str, str],
    repeats: set[str],
    into: dict[str, list[Submission]],
    source: str,
) -> None:
    for node in element:
        name = _local(node)
        if name in repeats:
            inner: dict[str, str] = {}
            _leaves(node, inner, set(), into, source)
            rows = into.setdefault(name, [])
            rows.append(Submission(source, len(rows) + 1, inner))
        elif len(node):
            _leaves(node, fields, repeats, into, source)
        else:
            fields[name] = (node.text or "").strip()


def read_instance(data: bytes, source: str) -> Submission:
    """One submission from its XML instance."""
    if b"<!doctype" in data.lower():
        raise DataError(
            "an XML document type declaration: not an ODK instance",
            source=source,
            hint="give the instance as ODK Collect wrote it",
        )
    try:
        root = ElementTree.fromstring(data)
    except ElementTree.ParseError as error:
        raise DataError(
            f"not well-formed XML ({error})",
            source=source,
            hint="take the instance again from the phone or Briefcase",
        ) from None
    form_id = root.get("id", "")
    fields: dict[str, str] = {"FormVersion": root.get("version", "")}
    repeats: dict[str, list[Submission]] = {}
    _leaves(root, fields, _REPEATS.get(form_id, set()), repeats, source)
    return Submission(source, 1, fields, repeats)


def _checked(found: Iterable[tuple[str, bytes]]) -> list[Submission]:
    return [read_instance(data, name) for name, data in sorted(found)]


def read_instances(path: Path) -> list[Submission]:
    """Every XML instance of a folder (walked down) or of a .zip."""
    if path.is_dir():
        files = sorted(path.rglob("*.xml"))
        if sum(file.stat().st_size for file in files) > MAX_BYTES:
            raise DataError(
                f"its instances hold over {MAX_BYTES // 2**20} MiB",
                source=path.name,
                hint="import fewer at once",
            )
        return _checked((str(file.relative_to(path.parent)), file.read_bytes()) for file in files)
    with zipfile.ZipFile(path) as archive:
        members = [
            info
            for info in archive.infolist()
            if info.filename.lower().endswith(".xml") and not info.is_dir()
        ]
        if sum(info.file_size for info in members) > MAX_BYTES:
            raise DataError(
                f"its instances hold over {MAX_BYTES // 2**20} MiB unpacked",
                source=path.name,
                hint="import fewer at once",
            )
        return _checked((f"{path.name}/{info.filename}", archive.read(info)) for info in members)
