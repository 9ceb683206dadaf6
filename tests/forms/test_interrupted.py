"""An import stopped midway keeps whole submissions only, and the next run brings in the rest
without doubling any (both databases, committed batches as the command line commits them)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session
from sqlalchemy.pool import NullPool

from ipec.db import make_engine, upgrade
from ipec.forms import importer
from ipec.forms.exports import read_submissions
from ipec.forms.importer import import_submissions
from ipec.forms.xlsform import FormKind
from ipec.monitoring.models import AuditEntry, Case, SubmissionImport, Visit
from tests.forms.odk import central_zip
from tests.forms.test_importer import SDG, TODAY, World, visit


class Stopped(BaseException):
    """What a kill does to the import: it ends between two statements, nothing caught."""


def _counts(engine: Engine) -> tuple[int, int, int, int]:
    with Session(engine) as session:
        return tuple(  # type: ignore[return-value]
            session.scalar(select(func.count()).select_from(model)) or 0
            for model in (Visit, Case, SubmissionImport, AuditEntry)
        )


@pytest.fixture
def writer(engine: Engine) -> Iterator[Engine]:
    """The database as the command line opens it for an import (on SQLite, transactions
    that begin with the write lock; the driver alone would commit each statement)."""
    upgrade(engine)
    made = make_engine(
        engine.url.render_as_string(hide_password=False),
        write_transactions=True,
        poolclass=NullPool,
    )
    yield made
    made.dispose()


def test_a_stopped_import_resumes_without_duplicates_or_losses(
    writer: Engine, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    engine = writer
    with Session(engine) as session:
        world = World(session)
        form = world.form(FormKind.VISIT, tmp_path)
        subs = [
            visit(
                world,
                world.kofi if n % 2 else world.ama,
                f"uuid:v-{n}",
                visit_date=f"2026-11-{n + 1:02d}",
            )
            for n in range(7)
        ]
        export = central_zip(form, subs, tmp_path / "v.zip")
        supervisor = world.supervisor
        session.commit()
    before = _counts(engine)
    real = importer.record_visit_and_follow_up
    calls = 0

    def stops_at_the_sixth(*args: object, **kwargs: object) -> object:
        nonlocal calls
        calls += 1
        if calls == 6:
            raise Stopped
        return real(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(importer, "record_visit_and_follow_up", stops_at_the_sixth)
    with Session(engine) as session, pytest.raises(Stopped):
        import_submissions(
            session,
            read_submissions(export),
            principal=supervisor,
            profile=SDG,
            today=TODAY,
            checkpoint=session.commit,
            batch=2,
        )
    visits, cases, ledger, _ = _counts(engine)
    # two batches of two committed; the fifth submission's batch went with the stop
    assert (visits - before[0], ledger - before[2]) == (4, 4)
    monkeypatch.setattr(importer, "record_visit_and_follow_up", real)
    with Session(engine) as session:
        report = import_submissions(
            session,
            read_submissions(export),
            principal=supervisor,
            profile=SDG,
            today=TODAY,
            checkpoint=session.commit,
            batch=2,
        )
    assert (report.new, report.unchanged, report.rejected) == (3, 4, [])
    visits, cases, ledger, _ = _counts(engine)
    assert (visits - before[0], ledger - before[2]) == (7, 7)
    assert cases - before[1] == 2  # one case per child, whatever the order of the runs
    with Session(engine) as session:
        instances = session.scalars(select(SubmissionImport.instance_id)).all()
    assert sorted(instances) == sorted(f"uuid:v-{n}" for n in range(7))
