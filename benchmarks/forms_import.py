"""Time ``ipec import submissions`` of an ODK Central CSV export of child visits: the first
import (each visit classified, cases opened, through the visit page's service) and the same
file again (every submission unchanged), on SQLite or PostgreSQL.

Run: python benchmarks/forms_import.py [--visits 2000] [--url sqlite:///bench.db]

The database is made for the run (a SQLite file in a temporary folder unless ``--url`` names
an empty database): one district of households of two children, a supervisor, and the visit
form made from it and converted with pyxform; the export is written as ODK Central writes it
(``tests/forms/odk.py``). The URL's database must be empty. Both imports are timed in process;
the import again is then run as users run it, ``ipec import submissions`` whole in a process
of its own (start-up included), beside the floor: a process reading the same export.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

from sqlalchemy.orm import Session
from sqlalchemy.pool import NullPool

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from tests.forms.odk import central_zip, convert_form

from ipec.auth import Role, create_user
from ipec.db import make_engine, upgrade
from ipec.forms.exports import read_submissions
from ipec.forms.importer import import_submissions
from ipec.forms.people import areas_under, principal_named
from ipec.forms.xlsform import FormKind, build_xlsform
from ipec.monitoring.models import Sex
from ipec.monitoring.service import ChildInput, create_area, register_household
from ipec.standards import load_profile
from ipec.web.pages.i18n import LANGUAGES, load_translations

TODAY = date(2026, 12, 31)
FLOOR = (
    "import sys; from pathlib import Path; from ipec.forms.exports import read_submissions; "
    "read_submissions(Path(sys.argv[1]))"
)


def _whole(command: list[str]) -> tuple[float, float]:
    """Seconds and peak memory (max RSS, MB) of COMMAND run whole, start-up included."""
    began = time.perf_counter()
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    _, status, usage = os.wait4(process.pid, 0)
    seconds = time.perf_counter() - began
    if os.waitstatus_to_exitcode(status) != 0:
        raise SystemExit(f"{command[:4]} failed")
    return seconds, usage.ru_maxrss / 1024


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--visits", type=int, default=2000)
    parser.add_argument("--url", default=None)
    args = parser.parse_args()
    folder = Path(tempfile.mkdtemp())
    url = args.url or f"sqlite:///{folder / 'bench.db'}"
    engine = make_engine(url, write_transactions=True, poolclass=NullPool)
    upgrade(engine)
    profile, translations = load_profile("sdg-8.7.1"), load_translations()
    with Session(engine) as session:
        region = create_area(session, name="R", level="region")
        district = create_area(session, name="D", level="district", parent_id=region.id)
        codes = []
        for number in range(args.visits // 2):
            made = register_household(
                session,
                area_id=district.id,
                head_name=f"Head {number}",
                actor="bench",
                today=TODAY,
                children=[
                    ChildInput(f"Boy {number}", Sex.MALE, date(2013, 1, 1)),
                    ChildInput(f"Girl {number}", Sex.FEMALE, date(2016, 1, 1)),
                ],
            )
            session.flush()
            session.refresh(made)
            codes += [child.pseudonym for child in made.children]
        create_user(
            session,
            username="sup",
            display_name="sup",
            password="a-long-password",
            role=Role.SUPERVISOR,
            area_id=region.id,
        )
        session.commit()
        form = build_xlsform(
            FormKind.VISIT,
            profile,
            areas_under(session, "/"),
            languages=LANGUAGES,
            translate=lambda m, code: translations[code].gettext(m),
        )
    subs = [
        {
            "instanceID": f"uuid:{n}",
            "form_kind": "visit",
            "area_1": f"a{region.id}",
            "area_2": f"a{district.id}",
            "child": code,
            "visit_date": "2026-11-02",
            "consent": "yes",
            "econ_any": "yes",
            "econ_hours": str(5 + n % 40),
            "chores_any": "no",
            "water_any": "no",
            "firewood_any": "no",
            "wfcl_other": "no",
        }
        for n, code in enumerate(codes)
    ]
    export = central_zip(convert_form(form, folder), subs, folder / "ipec_visit.zip")
    for label in ("first import", "again (unchanged)"):
        started = time.perf_counter()
        read = read_submissions(export)
        with Session(engine) as session:
            report = import_submissions(
                session,
                read,
                principal=principal_named(session, "sup"),
                profile=profile,
                today=TODAY,
                checkpoint=session.commit,
            )
        took = time.perf_counter() - started
        print(
            f"{label}: {len(read)} visits in {took:.1f} s ({len(read) / took:.0f} a second): "
            f"{report.new} new, {report.unchanged} unchanged, {len(report.rejected)} refused"
        )
    engine.dispose()
    # As users run it: the whole command in a process of its own, beside the floor (a process
    # that imports ipec's reader and reads the same export).
    floor = _whole([sys.executable, "-c", FLOOR, str(export)])
    ours = _whole([sys.executable, "-m", "ipec", "import", "submissions", str(export),
                   "--user", "sup", "--url", url])  # fmt: skip
    print(f"{'process':40s} {'seconds':>8s} {'x floor':>8s} {'peak MB':>8s}")
    for label, (seconds, peak) in (
        ("floor: read the export", floor),
        ("ipec import submissions, again", ours),
    ):
        print(f"{label:40s} {seconds:8.2f} {seconds / floor[0]:8.2f} {peak:8.0f}")


if __name__ == "__main__":
    main()
