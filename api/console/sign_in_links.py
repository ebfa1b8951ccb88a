"""A person signs in with a link emailed to them: **Email me a sign-in link** on the
sign-in page, then the link's page, whose **Sign in** button (a POST) uses the link up
and opens the session. Following the link only shows that page, so a mail scanner that
opens every link does not use it up.

Asking for a link answers the same whether or not the address is a user's (the email is
sent after the answer, so its time tells nothing either); asking is throttled per
address (``ASKED_PER_MINUTE``), so nobody floods a person's mailbox.
"""

from __future__ import annotations

import logging
from typing import Annotated

from fastapi import APIRouter, BackgroundTasks, Form, Path, Request
from fastapi.responses import RedirectResponse
from starlette.responses import Response

from api.console.session import set_cookie, signed
from api.console.sign_in import FOREIGN, HOME, PAGE, page_context, same_origin, secure, too_often
from api.console.templates import render
from api.deps import ServicesDep
from api.sign_in_throttle import FailedSignIns
from application.sign_in_links import PATH
from domain.email_address import check_email
from domain.errors import ValidationFailed
from domain.partner import Partner
from domain.user import User, UserStatus

router = APIRouter(include_in_schema=False)
log = logging.getLogger("tenantry.auth")
ASKED_PER_MINUTE = 3
LINK_PAGE = "sign_in_link.html"
SENT = (
    "If {email} is the address of a user, a sign-in link is on its way to it. "
    "It works once, for 15 minutes."
)
TOO_OFTEN = "A sign-in link was asked for this address a moment ago. Try again in {s} s."
Email = Annotated[str, Form(max_length=320)]
Token = Annotated[str, Path(max_length=100, pattern="^[A-Za-z0-9_-]+$")]


def asked_links(request: Request) -> FailedSignIns:
    asked: FailedSignIns = request.app.state.sign_in_links_asked
    return asked


@router.post("/console/sign-in/email")
async def email_a_link(
    request: Request, services: ServicesDep, background: BackgroundTasks, email: Email = ""
) -> Response:
    if not same_origin(request):
        return render(request, PAGE, page_context(link_error=FOREIGN), status_code=403)
    try:
        address = check_email(email, "email")
    except ValidationFailed as invalid:
        context = page_context(email=email, link_error=f"This {invalid.message}.")
        return render(request, PAGE, context, status_code=422)
    identity = [("sign-in link", address.lower())]
    wait = asked_links(request).retry_after(identity)
    if wait is not None:
        context = page_context(email=address, link_error=TOO_OFTEN.format(s=wait))
        return too_often(request, context, wait)
    asked_links(request).failed(identity)
    # After the answer: how long the mail server takes tells nothing of the address.
    background.add_task(services.users.email_sign_in_link, address)
    return render(request, PAGE, page_context(link_note=SENT.format(email=address)))


@router.get(PATH + "{token}")
def link_page(request: Request, services: ServicesDep, token: Token) -> Response:
    user = services.users.link_holder(token)
    if user is None:
        return render(request, LINK_PAGE, {"person": None}, status_code=410)
    partner = services.uow.load(Partner, user.state.partner_id)
    context = {
        "person": user.label,
        "partner": partner.state.name,
        "invited": user.state.status is UserStatus.INVITED,
        "action": PATH + token,
    }
    return render(request, LINK_PAGE, context)


@router.post(PATH + "{token}")
def use_link(request: Request, services: ServicesDep, token: Token) -> Response:
    if not same_origin(request):
        return render(request, PAGE, page_context(error=FOREIGN), status_code=403)
    user: User | None = services.users.redeem(token)
    if user is None:
        return render(request, LINK_PAGE, {"person": None}, status_code=410)
    opened = services.sessions.open_for(user)
    log.info("user %s signed in to the console from an emailed link", user.id)
    answer = RedirectResponse(HOME, status_code=303)
    set_cookie(answer, signed(opened.token, services.cookie_key), secure=secure(services))
    return answer
