"""Who may see and change a programme: the one rule the API and the pages both call.

Programme figures are metrics (counts of a small area can point at children), so a reading
first passes :func:`ipec.auth.read_metrics` (audit-logged, partners refused). A programme is
visible to a user whose areas meet it (one of the programme's areas is in the user's
subtree, or holds it); its targets and results are shown for the user's areas only. Annex A
adds up all the programme's areas, so it needs a user whose subtree holds them all.
Managers (administrators and programme managers) of areas holding all of a programme's areas
set its targets.
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from ipec.auth import Principal, require_role
from ipec.auth.service import MANAGER_ROLES
from ipec.errors import NotFound, PermissionDenied
from ipec.monitoring.models import Area
from ipec.programmes.models import Programme, ProgrammeArea

__all__ = ["programme_for", "programmes_for"]


def _paths(session: Session, programme_id: int) -> list[str]:
    query = select(Area.path).join(ProgrammeArea, ProgrammeArea.area_id == Area.id)
    return list(session.scalars(query.where(ProgrammeArea.programme_id == programme_id)))


def _meets(scope: str, path: str) -> bool:
    return path.startswith(scope) or scope.startswith(path)


def programmes_for(session: Session, principal: Principal) -> list[Programme]:
    """The programmes the user's areas meet, by start and name."""
    found = session.scalars(select(Programme).order_by(Programme.starts_on, Programme.name))
    return [p for p in found if any(_meets(principal.scope_path, path)
                                    for path in _paths(session, p.id))]  # fmt: skip


def programme_for(
    session: Session, principal: Principal, programme_id: int, *, whole: bool = False,
    change: bool = False,
) -> Programme:  # fmt: skip
    """The programme, if the user's areas meet it (else "not found"); ``whole``: the user's
    subtree must hold every area of it (Annex A, changes); ``change``: a manager only."""
    programme = session.get(Programme, programme_id)
    paths = _paths(session, programme_id) if programme is not None else []
    if programme is None or not any(_meets(principal.scope_path, p) for p in paths):
        raise NotFound(f"programme {programme_id} not found")
    if change:
        require_role(principal, MANAGER_ROLES, "change programmes")
    if (whole or change) and not all(p.startswith(principal.scope_path) for p in paths):
        raise PermissionDenied(
            f"programme {programme.name} covers areas outside yours: ask a user of all of them"
        )
    return programme
