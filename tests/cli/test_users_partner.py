"""``ipec users create --role partner --partner ...``: a partner user, by the partner's name
or id, with no area; the options that do not go together are refused."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy.orm import Session

from ipec.auth import Role, authenticate
from ipec.cli.main import run
from ipec.db import make_engine
from ipec.monitoring.models import PartnerKind
from ipec.monitoring.service import create_area, create_partner


def test_create_a_partner_user(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    url = f"sqlite:///{tmp_path / 'ipec.db'}"
    assert run(["db", "upgrade", "--url", url]) == 0
    engine = make_engine(url)
    with Session(engine) as session, session.begin():
        area_id = create_area(session, name="Country", level="country").id
        partner_id = create_partner(session, name="Labour Inspectorate",
                                    kind=PartnerKind.GOVERNMENT).id  # fmt: skip
    common = ["users", "create", "--url", url, "--password", "a long enough password",
              "--role", "partner"]  # fmt: skip
    assert run([*common, "--username", "insp", "--partner", "Labour Inspectorate"]) == 0
    assert "created partner insp of partner Labour Inspectorate" in capsys.readouterr().out
    assert run([*common, "--username", "insp2", "--partner", str(partner_id)]) == 0
    capsys.readouterr()
    with Session(engine) as session:
        user = authenticate(session, username="insp", password="a long enough password")
        assert (user.role, user.partner_id, user.area_id) == (Role.PARTNER, partner_id, None)
    refused = [
        ([*common, "--username", "x1"], "--partner goes with --role partner"),
        ([*common, "--username", "x2", "--partner", "Nobody"], "no partner named or numbered"),
        ([*common, "--username", "x3", "--partner", "1", "--area-id", str(area_id)],
         "a partner user has no area"),
        (["users", "create", "--url", url, "--password", "a long enough password", "--role",
          "monitor", "--area-id", str(area_id), "--username", "x4", "--partner", "1"],
         "--partner goes with --role partner"),
    ]  # fmt: skip
    for args, message in refused:
        assert run(args) == 1
        assert message in capsys.readouterr().err
    engine.dispose()
