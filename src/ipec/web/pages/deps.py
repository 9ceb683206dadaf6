"""Who is signed in to the pages, the anti-forgery check of every form, and the record a
page reads or changes.

The pages sign in with the same session cookie as the API. A form that changes something
carries the session's anti-forgery token in a hidden ``csrf_token`` field (HTMX requests send
it in ``X-CSRF-Token``), so another site cannot make a signed-in browser act.

A page receives its record as the API's routes do (``ipec.web.deps``), through the access
gate with the action it needs (``ChildToRead``, ``CaseToChange``...), after the sign-in and
the anti-forgery check: a form refused for either has read nothing.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, Request

from ipec.auth import (
    CHANGE_ROLES,
    Operation,
    Principal,
    access_case,
    access_case_record,
    access_child,
    access_household,
    csrf_token,
    principal_of,
)
from ipec.auth.models import Role
from ipec.auth.service import MANAGER_ROLES
from ipec.auth.team import ASSIGN_ROLES
from ipec.errors import DataError, PermissionDenied
from ipec.monitoring.models import Case, Child, FollowUp, Household, Referral, RemediationService
from ipec.web.api.common import RecordId
from ipec.web.deps import (
    SAFE_METHODS,
    SESSION_COOKIE,
    DbSession,
    csrf_matches,
    origin,
    session_user,
)
from ipec.web.refusals import remember_principal

__all__ = [
    "CaseToChange",
    "ChildToChange",
    "ChildToRead",
    "FollowUpToChange",
    "FollowUpToRead",
    "FormFields",
    "HouseholdToChange",
    "HouseholdToRead",
    "ReferralToChange",
    "ServiceToChange",
    "SignedIn",
    "Viewer",
    "case_to_change",
    "child_to_change",
    "child_to_read",
    "follow_up_to_change",
    "follow_up_to_read",
    "form_fields",
    "household_to_change",
    "household_to_read",
    "referral_to_change",
    "service_to_change",
    "signed_in",
]

#: A page form has a few dozen fields at most; more is not a form of ours.
_MAX_FIELDS = 200


@dataclass(frozen=True, slots=True)
class Viewer:
    """The signed-in user as the pages need them: the principal for the access gate, a name
    to show, and the token every form sends back."""

    principal: Principal
    display_name: str
    csrf: str
    session_token: str

    @property
    def can_change(self) -> bool:
        """Viewers read; the other roles may change records."""
        return self.principal.role in CHANGE_ROLES

    @property
    def is_partner(self) -> bool:
        """A partner user sees only the referrals sent to its organisation."""
        return self.principal.role is Role.PARTNER

    @property
    def can_assign(self) -> bool:
        """Supervisors and above assign follow-ups (``ipec.auth.team``)."""
        return self.principal.role in ASSIGN_ROLES

    @property
    def can_manage(self) -> bool:
        """Administrators and programme managers manage users and partners."""
        return self.principal.role in MANAGER_ROLES


async def form_fields(request: Request) -> dict[str, str]:
    """The submitted form's text fields (nothing for a page read); files are refused."""
    if request.method in SAFE_METHODS:
        return {}
    try:
        form = await request.form(max_files=0, max_fields=_MAX_FIELDS)
    except Exception as error:  # the multipart parser's errors have no common base
        raise DataError("the form could not be read", hint="submit the form again") from error
    return {key: value for key, value in form.items() if isinstance(value, str)}


FormFields = Annotated[dict[str, str], Depends(form_fields)]


def signed_in(request: Request, db: DbSession, form: FormFields) -> Viewer:
    """The viewer behind the session cookie; a change without the session's anti-forgery
    token is refused."""
    token = request.cookies.get(SESSION_COOKIE, "")
    user = session_user(db, token)
    principal = principal_of(db, user)
    remember_principal(request, principal)  # a refused form is written to the audit log
    sent = form.get("csrf_token") or request.headers.get("x-csrf-token", "")
    if not csrf_matches(request, token, sent):
        raise PermissionDenied(
            "the form has expired or did not come from this site",
            hint="reload the page and submit the form again",
        )
    expected = csrf_token(request.app.state.settings.secret_key, token)
    viewer = Viewer(principal, user.display_name, expected, token)
    request.state.viewer = viewer
    return viewer


SignedIn = Annotated[Viewer, Depends(signed_in)]


def child_to_read(child_id: RecordId, request: Request, db: DbSession, viewer: SignedIn) -> Child:
    """The child of the path, for reading (audit-logged)."""
    return access_child(db, viewer.principal, child_id, Operation.READ, origin=origin(request))


def child_to_change(child_id: RecordId, request: Request, db: DbSession, viewer: SignedIn) -> Child:
    """The child of the path, for a change (a viewer is refused; audit-logged)."""
    return access_child(db, viewer.principal, child_id, Operation.CHANGE, origin=origin(request))


def household_to_read(
    household_id: RecordId, request: Request, db: DbSession, viewer: SignedIn
) -> Household:
    """The household of the path, for reading (its children's access logged)."""
    return access_household(db, viewer.principal, household_id, Operation.READ,
                            origin=origin(request))  # fmt: skip


def household_to_change(
    household_id: RecordId, request: Request, db: DbSession, viewer: SignedIn
) -> Household:
    """The household of the path, for a change (a viewer is refused; audit-logged)."""
    return access_household(db, viewer.principal, household_id, Operation.CHANGE,
                            origin=origin(request))  # fmt: skip


def case_to_change(case_id: RecordId, request: Request, db: DbSession, viewer: SignedIn) -> Case:
    """The case of the path, for a change, through the gate of its child."""
    return access_case(db, viewer.principal, case_id, Operation.CHANGE, origin=origin(request))


def service_to_change(
    service_id: RecordId, request: Request, db: DbSession, viewer: SignedIn
) -> RemediationService:
    """The remediation service of the path, for a change, through the gate of its case."""
    return access_case_record(db, viewer.principal, RemediationService, service_id,
                              what="service", operation=Operation.CHANGE,
                              origin=origin(request))  # fmt: skip


def referral_to_change(
    referral_id: RecordId, request: Request, db: DbSession, viewer: SignedIn
) -> Referral:
    """The referral of the path, for a change, through the gate of its case."""
    return access_case_record(db, viewer.principal, Referral, referral_id, what="referral",
                              operation=Operation.CHANGE, origin=origin(request))  # fmt: skip


def follow_up_to_read(
    follow_up_id: RecordId, request: Request, db: DbSession, viewer: SignedIn
) -> FollowUp:
    """The follow-up of the path, for reading, through the gate of its case."""
    return access_case_record(db, viewer.principal, FollowUp, follow_up_id, what="follow-up",
                              operation=Operation.READ, origin=origin(request))  # fmt: skip


def follow_up_to_change(
    follow_up_id: RecordId, request: Request, db: DbSession, viewer: SignedIn
) -> FollowUp:
    """The follow-up of the path, for a change, through the gate of its case."""
    return access_case_record(db, viewer.principal, FollowUp, follow_up_id, what="follow-up",
                              operation=Operation.CHANGE, origin=origin(request))  # fmt: skip


ChildToRead = Annotated[Child, Depends(child_to_read)]
ChildToChange = Annotated[Child, Depends(child_to_change)]
HouseholdToRead = Annotated[Household, Depends(household_to_read)]
HouseholdToChange = Annotated[Household, Depends(household_to_change)]
CaseToChange = Annotated[Case, Depends(case_to_change)]
ServiceToChange = Annotated[RemediationService, Depends(service_to_change)]
ReferralToChange = Annotated[Referral, Depends(referral_to_change)]
FollowUpToRead = Annotated[FollowUp, Depends(follow_up_to_read)]
FollowUpToChange = Annotated[FollowUp, Depends(follow_up_to_change)]
