"""The **Users** page: a partner's people. Its admin users invite users, change their
role and remove them; its members see who they are. The same commands as the API's.

Only a person of a partner (signed in from an emailed link) has this page: the partner's
key, an auditor and the admin are shown why not (the admin invites with the API or
``tenantry users invite``)."""

from __future__ import annotations

from functools import partial
from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Form, Request
from fastapi.responses import RedirectResponse
from pydantic import BaseModel, Field
from starlette.responses import Response

from api.console import answers
from api.console.answers import form_refused, then_to
from api.console.people import header
from api.console.session import CsrfChecked, SignedIn
from api.console.templates import render
from api.deps import ServicesDep
from application.console_sessions import Session
from application.users import UserDTO
from domain.errors import DomainError, NotEligible
from domain.user import UserStatus
from domain.values import UserRole

router = APIRouter(include_in_schema=False)
PATH = "/console/users"
PAGE = "users.html"
ONLY_PEOPLE = (
    "A partner's users are shown to its people, who sign in with a link sent to their "
    "email address. The admin invites a partner's first user with the API or "
    "`tenantry users invite`."
)
NOTES = {
    "invited": "The invitation is on its way: the link in it works once, for 15 minutes.",
    "role": "The role was changed.",
    "removed": "The user was removed; their sessions have ended.",
}
Text = Annotated[str, Form(max_length=320)]


class Invitation(BaseModel):
    email: str = Field("", max_length=320)
    name: str = Field("", max_length=320)
    role: str = Field(UserRole.MEMBER.value, max_length=320)


# A problem page: 404 for what is not found, 409 for a refusal, else 403.
refused = partial(answers.refused, conflict=NotEligible)


def context_of(
    services: ServicesDep, session: Session, **values: object
) -> dict[str, object] | None:
    """The page's context; None for a session that is no partner's person."""
    actor = session.actor
    if actor.user_id is None:
        return None
    me = services.users.get(actor.user_id)
    if me is None:
        return None
    users = services.users.of_partner(me.partner_id, by=actor)
    return {
        **header(services, session),
        "users": users,
        "me": me,
        "manager": me.role is UserRole.ADMIN and me.status is not UserStatus.REMOVED,
        "roles": [r.value for r in UserRole],
        "values": {"email": "", "name": "", "role": UserRole.MEMBER.value},
        "errors": {},
        "note": None,
        "refusal": None,
    } | values


@router.get(PATH)
def users_page(
    request: Request, services: ServicesDep, session: SignedIn, note: str = ""
) -> Response:
    context = context_of(services, session, note=NOTES.get(note))
    if context is None:
        return refused(request, services, session, ONLY_PEOPLE)
    return render(request, PAGE, context)


@router.post(PATH)
def invite(
    request: Request,
    services: ServicesDep,
    session: CsrfChecked,
    form: Annotated[Invitation, Form()],
) -> Response:
    values = form.model_dump()
    context = context_of(services, session, values=values)
    if context is None:
        return refused(request, services, session, ONLY_PEOPLE)
    me = context["me"]
    assert isinstance(me, UserDTO)
    try:
        chosen = UserRole(form.role)
    except ValueError:
        context["errors"] = {"role": "choose admin or member"}
        return render(request, PAGE, context, status_code=422)
    email, name = form.email, form.name
    try:
        services.users.invite(
            partner_id=me.partner_id, email=email, name=name, role=chosen, by=session.actor
        )
    except DomainError as domain:
        return form_refused(request, PAGE, context, domain)
    return RedirectResponse(f"{PATH}?note=invited", status_code=303)


@router.post(PATH + "/{user_id}/role")
def change_role(
    request: Request, user_id: UUID, services: ServicesDep, session: CsrfChecked, role: Text = ""
) -> Response:
    try:
        services.users.change_role(user_id, role=UserRole(role), by=session.actor)
    except ValueError:
        return refused(request, services, session, "Choose admin or member.")
    except DomainError as domain:
        return refused(request, services, session, domain)
    return RedirectResponse(f"{PATH}?note=role", status_code=303)


@router.post(PATH + "/{user_id}/removal")
def remove(
    request: Request, user_id: UUID, services: ServicesDep, session: CsrfChecked
) -> Response:
    return then_to(
        f"{PATH}?note=removed",
        lambda: services.users.remove(user_id, by=session.actor),
        lambda domain: refused(request, services, session, domain),
    )
