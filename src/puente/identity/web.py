"""Login, MFA, logout, language choice and the home dashboard (HTML)."""

from __future__ import annotations

import datetime as dt
from typing import Annotated

import segno
from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from puente.core import i18n
from puente.core.config import get_settings
from puente.core.dates import DATE_FORMATS, format_date
from puente.core.errors import InvalidInput, Unauthenticated
from puente.core.forwarded import request_client
from puente.core.i18n import N_
from puente.identity import service
from puente.identity.errors import LoginThrottled
from puente.identity.models import User
from puente.identity.permissions import Actor, Role
from puente.web.deps import (
    SESSION_COOKIE,
    DbSession,
    Require,
    optional_session_user,
    web_session,
)
from puente.web.templating import cards_for, check_csrf, panels_for, render

router = APIRouter(include_in_schema=False)

ROLE_LABELS = {
    Role.CASEWORKER: N_("Caseworker"),
    Role.PROTECTION_OFFICER: N_("Protection officer"),
    Role.SUPERVISOR: N_("Supervisor"),
    Role.PATHWAYS_OFFICER: N_("Pathways officer"),
    Role.EMPLOYER: N_("Employer"),
    Role.ANALYST: N_("Analyst"),
    Role.COORDINATOR: N_("Coordinator"),
    Role.FOCAL_POINT: N_("State focal point"),
    Role.DONOR: N_("Donor"),
    Role.AUDITOR: N_("Auditor"),
    Role.ADMIN: N_("Administrator"),
    Role.INVESTIGATOR: N_("Investigator"),
    Role.PROSECUTOR_LIAISON: N_("Prosecutor liaison"),
}
Csrf = Depends(check_csrf)
LANG_COOKIE_AGE = 31536000


def _set_session_cookie(response: Response, token: str) -> None:
    settings = get_settings()
    response.set_cookie(
        SESSION_COOKIE,
        token,
        httponly=True,
        samesite="lax",
        secure=settings.cookies_secure,
        max_age=settings.session_absolute_hours * 3600,
    )


@router.get("/login", response_class=HTMLResponse)
def login_form(request: Request) -> HTMLResponse:
    return render(request, "login.html", {"error": None})


@router.post("/login", dependencies=[Csrf])
def login(
    request: Request,
    session: DbSession,
    username: Annotated[str, Form(max_length=80)],
    password: Annotated[str, Form(max_length=200)],
) -> Response:
    source = request_client(
        request.client.host if request.client else None,
        request.headers,
        get_settings(),
    )
    try:
        user = service.authenticate(session, username.strip(), password, source=source)
    except LoginThrottled as exc:
        page = render(
            request,
            "login.html",
            {"error": exc.translated(), "username": username},
            status_code=429,
        )
        page.headers["Retry-After"] = str(exc.retry_after)
        return page
    except Unauthenticated as exc:
        session.commit()  # keep the failure counts and audit row
        return render(
            request,
            "login.html",
            {"error": exc.translated(), "username": username},
            status_code=401,
        )
    old = request.cookies.get(SESSION_COOKIE)
    if old:
        service.end_session(session, old)
    token = service.start_session(session, user)
    actor = service.actor_for(user)
    target = "/"
    if actor.needs_mfa:
        target = "/mfa" if user.totp_secret else "/mfa/enroll"
    response = RedirectResponse(target, status_code=303)
    _set_session_cookie(response, token.token)
    # The language the user chose (or their state's default) is applied at
    # every login, on any device.
    remembered = service.locale_for(session, user)
    if remembered in i18n.LOCALES:
        response.set_cookie(
            "puente_lang", remembered, samesite="lax", max_age=LANG_COOKIE_AGE
        )
    return response


@router.post("/logout", dependencies=[Csrf])
def logout(request: Request, session: DbSession) -> Response:
    token = request.cookies.get(SESSION_COOKIE)
    if token:
        service.end_session(session, token)
    response = RedirectResponse("/login", status_code=303)
    response.delete_cookie(SESSION_COOKIE)
    return response


@router.get("/mfa/enroll", response_class=HTMLResponse)
def mfa_enroll_form(request: Request, session: DbSession) -> Response:
    record, user = web_session(request, session)
    if user.totp_secret is not None:
        return RedirectResponse("/mfa", status_code=303)
    secret = service.pending_secret(record, user) or service.begin_enrolment(
        record, user
    )
    uri = service.provisioning_uri(user, secret)
    qr_svg = segno.make(uri, error="m").svg_inline(scale=5, title="TOTP")
    return render(
        request, "mfa_enroll.html", {"secret": secret, "qr_svg": qr_svg, "error": None}
    )


@router.post("/mfa/enroll", dependencies=[Csrf])
def mfa_enroll(
    request: Request, session: DbSession, code: Annotated[str, Form(max_length=12)]
) -> Response:
    record, user = web_session(request, session)
    try:
        service.confirm_enrolment(session, record, user, code)
    except Unauthenticated as exc:
        session.commit()
        secret = service.pending_secret(record, user) or ""
        qr_svg = segno.make(service.provisioning_uri(user, secret)).svg_inline(scale=5)
        return render(
            request,
            "mfa_enroll.html",
            {"secret": secret, "qr_svg": qr_svg, "error": exc.translated()},
            status_code=401,
        )
    fresh = service.rotate_session(session, record)
    response = RedirectResponse("/", status_code=303)
    _set_session_cookie(response, fresh.token)
    return response


@router.get("/mfa", response_class=HTMLResponse)
def mfa_form(request: Request, session: DbSession) -> Response:
    _record, user = web_session(request, session)
    if user.totp_secret is None:
        return RedirectResponse("/mfa/enroll", status_code=303)
    return render(request, "mfa.html", {"error": None})


@router.post("/mfa", dependencies=[Csrf])
def mfa(
    request: Request, session: DbSession, code: Annotated[str, Form(max_length=12)]
) -> Response:
    record, user = web_session(request, session)
    try:
        service.verify_totp(session, record, user, code)
    except Unauthenticated as exc:
        session.commit()
        return render(request, "mfa.html", {"error": exc.translated()}, status_code=401)
    fresh = service.rotate_session(session, record)
    response = RedirectResponse("/", status_code=303)
    _set_session_cookie(response, fresh.token)
    return response


@router.post("/lang", dependencies=[Csrf])
def choose_language(
    request: Request,
    session: DbSession,
    lang: Annotated[str, Form(max_length=5)],
    next_url: Annotated[str, Form(alias="next")] = "/",
) -> Response:
    """Remember the language choice: in a cookie (the login page offers it too) and,
    for a logged-in user, on their account so the next login keeps it."""
    target = (
        next_url if next_url.startswith("/") and not next_url.startswith("//") else "/"
    )
    response = RedirectResponse(target, status_code=303)
    if lang in i18n.LOCALES:
        response.set_cookie(
            "puente_lang", lang, samesite="lax", max_age=LANG_COOKIE_AGE
        )
        found = optional_session_user(request, session)
        if found is not None and found[1].locale != lang:
            user = found[1]
            service.save_preferences(
                session,
                user,
                locale=lang,
                date_format=user.date_format,
                locales=i18n.LOCALES,
                date_formats=DATE_FORMATS,
            )
    return response


@router.get("/preferences", response_class=HTMLResponse)
def preferences_form(
    request: Request,
    session: DbSession,
    _actor: Annotated[Actor, Depends(Require("dashboard:view", web=True))],
    saved: str = "",
) -> HTMLResponse:
    _record, user = web_session(request, session)
    return _preferences_page(request, user, saved=saved == "1")


def _preferences_page(
    request: Request,
    user: User,
    *,
    saved: bool = False,
    error: str | None = None,
    status_code: int = 200,
) -> HTMLResponse:
    example = dt.date(2026, 12, 5)
    return render(
        request,
        "preferences.html",
        {
            "user_locale": user.locale or "",
            "user_date_format": user.date_format or "",
            "date_formats": {
                code: format_date(example, style=code) for code in DATE_FORMATS
            },
            "saved": saved,
            "error": error,
        },
        status_code=status_code,
    )


@router.post("/preferences", dependencies=[Csrf])
def save_preferences(
    request: Request,
    session: DbSession,
    _actor: Annotated[Actor, Depends(Require("dashboard:view", web=True))],
    locale: Annotated[str, Form(max_length=5)] = "",
    date_format: Annotated[str, Form(max_length=10)] = "",
) -> Response:
    _record, user = web_session(request, session)
    try:
        with session.begin_nested():
            service.save_preferences(
                session,
                user,
                locale=locale or None,
                date_format=date_format or None,
                locales=i18n.LOCALES,
                date_formats=DATE_FORMATS,
            )
    except InvalidInput as exc:
        return _preferences_page(request, user, error=exc.translated(), status_code=422)
    response = RedirectResponse("/preferences?saved=1", status_code=303)
    chosen = service.locale_for(session, user)
    if chosen in i18n.LOCALES:
        response.set_cookie(
            "puente_lang", chosen, samesite="lax", max_age=LANG_COOKIE_AGE
        )
    else:
        response.delete_cookie("puente_lang")
    return response


@router.get("/", response_class=HTMLResponse)
def home(
    request: Request,
    session: DbSession,
    actor: Annotated[Actor, Depends(Require("dashboard:view", web=True))],
) -> HTMLResponse:
    # Panels come from a registry the modules fill (`register_panel`): identity
    # never imports a domain module.
    panels = panels_for(session, actor)
    return render(
        request,
        "home.html",
        {
            "cards": cards_for(actor),
            "panels": panels,
            "panel_stylesheets": list(
                dict.fromkeys(href for view in panels for href in view.stylesheets)
            ),
            "organisation": service.organisation_name(session, actor.organisation_id),
            "roles": sorted(i18n.gettext(ROLE_LABELS[role]) for role in actor.roles),
        },
    )
