"""Administration screens (role admin): users, organisations, password and
authenticator resets. Every action confirms, asks for a reason when it is
dangerous, and is audited by the service (ids and codes only)."""

from __future__ import annotations

import uuid
from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Form, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlalchemy.orm import Session

from puente.core import i18n
from puente.core.errors import DomainError
from puente.core.i18n import lazy_gettext
from puente.core.tabular import to_csv
from puente.identity import admin
from puente.identity.models import User
from puente.identity.permissions import Actor, Role
from puente.identity.web import ROLE_LABELS
from puente.web.deps import DbSession, Require
from puente.web.templating import DashboardCard, check_csrf, register_card, render

router = APIRouter(include_in_schema=False)
Reader = Annotated[Actor, Depends(Require("user:read", web=True))]
Manager = Annotated[Actor, Depends(Require("user:manage", web=True))]
Csrf = Depends(check_csrf)

for card in (
    DashboardCard(
        "user:manage",
        lazy_gettext("Users"),
        lazy_gettext(
            "Create accounts, change roles, reset a password or a lost authenticator."
        ),
        "/admin/users",
        "👤",
    ),
    DashboardCard(
        "user:manage",
        lazy_gettext("Default language"),
        lazy_gettext("The language of your state's users until they choose one."),
        "/admin/language",
        "🗣",
    ),
    DashboardCard(
        "user:manage",
        lazy_gettext("Organisations"),
        lazy_gettext("The organisations of your state whose staff use Puente."),
        "/admin/organisations",
        "🏢",
    ),
):
    register_card(card)


def _nav(request: Request) -> list[dict[str, Any]]:
    path = request.url.path
    items = [
        ("/admin/users", i18n.gettext("Users")),
        ("/admin/mfa-resets", i18n.gettext("Authenticator resets")),
        ("/admin/organisations", i18n.gettext("Organisations")),
        ("/admin/language", i18n.gettext("Default language")),
    ]
    return [
        {"url": url, "label": label, "current": path.startswith(url)}
        for url, label in items
    ]


def _page(
    request: Request, name: str, context: dict[str, Any], status_code: int = 200
) -> HTMLResponse:
    base = {
        "section_nav": _nav(request),
        "role_labels": {
            role.value: i18n.gettext(label) for role, label in ROLE_LABELS.items()
        },
        "reasons": {k: i18n.gettext(v) for k, v in admin.RESET_REASONS.items()},
        "kinds": {k: i18n.gettext(v) for k, v in admin.ORGANISATION_KINDS.items()},
    }
    return render(request, name, {**base, **context}, status_code=status_code)


def _role_names(roles: str) -> list[str]:
    return [
        i18n.gettext(ROLE_LABELS[Role(r)])
        for r in roles.split(",")
        if r in Role.__members__.values()
    ]


def _parse_uuid(value: str) -> uuid.UUID | None:
    try:
        return uuid.UUID(value) if value else None
    except ValueError:
        return None


def _org_names(session: Session, actor: Actor) -> dict[uuid.UUID, str]:
    return {o.id: o.name for o in admin.tenant_organisations(session, actor=actor)}


# Users -----------------------------------------------------------------------------


@router.get("/admin", response_class=HTMLResponse)
def admin_home(_actor: Reader) -> Response:
    return RedirectResponse("/admin/users", status_code=303)


@router.get("/admin/users", response_class=HTMLResponse)
def users(
    request: Request,
    session: DbSession,
    actor: Reader,
    q: Annotated[str, Query(max_length=80)] = "",
    role: Annotated[str, Query(max_length=30)] = "",
    organisation: Annotated[str, Query(max_length=40)] = "",
    active: Annotated[str, Query(max_length=5)] = "",
    page: Annotated[int, Query(ge=1, le=100000)] = 1,
    export: Annotated[str, Query(max_length=5)] = "",
) -> Response:
    filters = admin.UserFilter(
        q=q.strip(),
        role=role if role in Role.__members__.values() else "",
        organisation_id=_parse_uuid(organisation),
        active={"yes": True, "no": False}.get(active),
    )
    orgs = _org_names(session, actor)
    if export == "csv":
        rows, _total = admin.list_users(
            session, actor=actor, filters=filters, per_page=None
        )
        headers = [
            i18n.gettext("Username"),
            i18n.gettext("Roles"),
            i18n.gettext("Organisation"),
            i18n.gettext("Active"),
            i18n.gettext("Authenticator set up"),
            i18n.gettext("Language"),
        ]
        table = [
            [
                u.username,
                ", ".join(_role_names(u.roles)),
                orgs.get(u.organisation_id, "") if u.organisation_id else "",
                i18n.gettext("Yes") if u.is_active else i18n.gettext("No"),
                i18n.gettext("Yes") if u.totp_secret else i18n.gettext("No"),
                i18n.LOCALE_NAMES.get(u.locale or "", ""),
            ]
            for u in rows
        ]
        return Response(
            to_csv(headers, table),
            media_type="text/csv; charset=utf-8",
            headers={"Content-Disposition": 'attachment; filename="users.csv"'},
        )
    rows, total = admin.list_users(session, actor=actor, filters=filters, page=page)
    pages = max(1, -(-total // admin.PER_PAGE))
    query = {
        "q": filters.q,
        "role": filters.role,
        "organisation": organisation if filters.organisation_id else "",
        "active": active if filters.active is not None else "",
    }

    def link(**extra: Any) -> str:
        return "/admin/users?" + urlencode(
            {k: v for k, v in {**query, **extra}.items() if v}
        )

    return _page(
        request,
        "admin/users.html",
        {
            "users": [
                {
                    "user": u,
                    "roles": _role_names(u.roles),
                    "organisation": orgs.get(u.organisation_id)
                    if u.organisation_id
                    else None,
                }
                for u in rows
            ],
            "total": total,
            "page": min(page, pages),
            "pages": pages,
            "query": query,
            "organisations": orgs,
            "prev_url": link(page=page - 1) if page > 1 else None,
            "next_url": link(page=page + 1) if page < pages else None,
            "csv_url": link(export="csv"),
            "pending": len(admin.pending_mfa_resets(session, actor=actor)),
        },
    )


@router.get("/admin/users/new", response_class=HTMLResponse)
def new_user_form(request: Request, session: DbSession, actor: Manager) -> Response:
    return _page(
        request,
        "admin/user_new.html",
        {"organisations": _org_names(session, actor), "form": {}, "error": None},
    )


@router.post("/admin/users/new", dependencies=[Csrf])
def new_user(
    request: Request,
    session: DbSession,
    actor: Manager,
    username: Annotated[str, Form(max_length=80)],
    roles: Annotated[list[str] | None, Form(max_length=30)] = None,
    organisation: Annotated[str, Form(max_length=40)] = "",
    locale: Annotated[str, Form(max_length=5)] = "",
) -> Response:
    form = {
        "username": username,
        "roles": roles or [],
        "organisation": organisation,
        "locale": locale,
    }
    error: str | None = None
    if not roles:
        error = i18n.gettext("Choose at least one role.")
    else:
        try:
            with session.begin_nested():
                user, password = admin.add_user(
                    session,
                    actor=actor,
                    username=username,
                    roles=roles,
                    organisation_id=_parse_uuid(organisation),
                    locale=locale if locale in i18n.LOCALES else None,
                )
        except DomainError as exc:
            error = exc.translated()
            if exc.code == "unknown_choice":
                error = i18n.gettext(
                    "A username has 3 to 80 lower-case letters, digits, dots or dashes."
                )
    if error is not None:
        return _page(
            request,
            "admin/user_new.html",
            {"organisations": _org_names(session, actor), "form": form, "error": error},
            status_code=422,
        )
    return _page(
        request,
        "admin/password_once.html",
        {"target": user, "password": password, "created": True},
    )


@router.get("/admin/users/{user_id}", response_class=HTMLResponse)
def user_detail(
    request: Request,
    session: DbSession,
    actor: Reader,
    user_id: uuid.UUID,
    done: Annotated[str, Query(max_length=30)] = "",
) -> Response:
    target = admin.get_user(session, actor=actor, user_id=user_id)
    return _user_page(request, session, actor, target, done=done)


DONE_MESSAGES = {
    "updated": lazy_gettext("Roles and organisation saved."),
    "deactivated": lazy_gettext(
        "The account is deactivated: its sessions have ended and it cannot log in."
    ),
    "reactivated": lazy_gettext("The account can log in again."),
    "mfa_requested": lazy_gettext(
        "Request recorded. Another administrator must now approve it under "
        "“Authenticator resets”."
    ),
}


def _user_page(
    request: Request,
    session: Session,
    actor: Actor,
    target: User,
    *,
    done: str = "",
    error: str | None = None,
    status_code: int = 200,
) -> HTMLResponse:
    pending = [
        r
        for r in admin.pending_mfa_resets(session, actor=actor)
        if r.user_id == target.id
    ]
    message = DONE_MESSAGES.get(done)
    return _page(
        request,
        "admin/user.html",
        {
            "target": target,
            "roles": _role_names(target.roles),
            "role_codes": target.roles.split(","),
            "organisations": _org_names(session, actor),
            "pending_reset": pending[0] if pending else None,
            "is_self": target.id == actor.user_id,
            "done": str(message) if message else None,
            "error": error,
        },
        status_code=status_code,
    )


def _user_action(
    request: Request,
    session: Session,
    actor: Actor,
    user_id: uuid.UUID,
    action: Any,
    done: str,
) -> Response:
    """Run an action in a savepoint; on a refusal show the user's page with the
    reason in words, on success go back to it with a confirmation."""
    try:
        with session.begin_nested():
            action()
    except DomainError as exc:
        target = admin.get_user(session, actor=actor, user_id=user_id)
        status = 409 if exc.code != "unknown_choice" else 422
        return _user_page(
            request, session, actor, target, error=exc.translated(), status_code=status
        )
    return RedirectResponse(f"/admin/users/{user_id}?done={done}", status_code=303)


@router.post("/admin/users/{user_id}", dependencies=[Csrf])
def edit_user(
    request: Request,
    session: DbSession,
    actor: Manager,
    user_id: uuid.UUID,
    roles: Annotated[list[str] | None, Form(max_length=30)] = None,
    organisation: Annotated[str, Form(max_length=40)] = "",
) -> Response:
    if not roles:
        target = admin.get_user(session, actor=actor, user_id=user_id)
        return _user_page(
            request,
            session,
            actor,
            target,
            error=i18n.gettext("Choose at least one role."),
            status_code=422,
        )
    return _user_action(
        request,
        session,
        actor,
        user_id,
        lambda: admin.update_user(
            session,
            actor=actor,
            user_id=user_id,
            roles=roles,
            organisation_id=_parse_uuid(organisation),
        ),
        "updated",
    )


@router.post("/admin/users/{user_id}/active", dependencies=[Csrf])
def set_active(
    request: Request,
    session: DbSession,
    actor: Manager,
    user_id: uuid.UUID,
    active: Annotated[str, Form(max_length=5)],
    reason: Annotated[str, Form(max_length=30)] = "",
) -> Response:
    turn_on = active == "yes"
    return _user_action(
        request,
        session,
        actor,
        user_id,
        lambda: admin.set_active(
            session, actor=actor, user_id=user_id, active=turn_on, reason=reason
        ),
        "reactivated" if turn_on else "deactivated",
    )


@router.post("/admin/users/{user_id}/password", dependencies=[Csrf])
def reset_password(
    request: Request,
    session: DbSession,
    actor: Manager,
    user_id: uuid.UUID,
    reason: Annotated[str, Form(max_length=30)] = "",
) -> Response:
    try:
        with session.begin_nested():
            password = admin.reset_password(
                session, actor=actor, user_id=user_id, reason=reason
            )
    except DomainError as exc:
        target = admin.get_user(session, actor=actor, user_id=user_id)
        return _user_page(
            request, session, actor, target, error=exc.translated(), status_code=422
        )
    target = admin.get_user(session, actor=actor, user_id=user_id)
    return _page(
        request,
        "admin/password_once.html",
        {"target": target, "password": password, "created": False},
    )


@router.post("/admin/users/{user_id}/mfa-reset", dependencies=[Csrf])
def request_mfa_reset(
    request: Request,
    session: DbSession,
    actor: Manager,
    user_id: uuid.UUID,
    reason: Annotated[str, Form(max_length=30)] = "",
) -> Response:
    return _user_action(
        request,
        session,
        actor,
        user_id,
        lambda: admin.request_mfa_reset(
            session, actor=actor, user_id=user_id, reason=reason
        ),
        "mfa_requested",
    )


# Authenticator resets ----------------------------------------------------------------


@router.get("/admin/mfa-resets", response_class=HTMLResponse)
def mfa_resets(
    request: Request,
    session: DbSession,
    actor: Reader,
    done: Annotated[str, Query(max_length=10)] = "",
) -> Response:
    return _resets_page(request, session, actor, done=done)


def _resets_page(
    request: Request,
    session: Session,
    actor: Actor,
    *,
    done: str = "",
    error: str | None = None,
    status_code: int = 200,
) -> HTMLResponse:
    requests = admin.pending_mfa_resets(session, actor=actor)
    users_by_id = {
        u.id: u
        for u, _ in (
            (session.get(User, uid), None)
            for uid in {r.user_id for r in requests}
            | {r.requested_by for r in requests}
        )
        if u is not None
    }
    messages = {
        "approved": i18n.gettext(
            "Approved: the authenticator is reset. At the next login the person "
            "sets up a new one."
        ),
        "refused": i18n.gettext("Refused: nothing was changed."),
    }
    return _page(
        request,
        "admin/mfa_resets.html",
        {
            "requests": [
                {
                    "request": r,
                    "user": users_by_id.get(r.user_id),
                    "requester": users_by_id.get(r.requested_by),
                    "mine": r.requested_by == actor.user_id,
                }
                for r in requests
            ],
            "done": messages.get(done),
            "error": error,
        },
        status_code=status_code,
    )


@router.post("/admin/mfa-resets/{request_id}", dependencies=[Csrf])
def decide_mfa_reset(
    request: Request,
    session: DbSession,
    actor: Manager,
    request_id: uuid.UUID,
    decision: Annotated[str, Form(max_length=10)],
) -> Response:
    if decision not in {"approve", "refuse"}:
        return _resets_page(
            request,
            session,
            actor,
            error=i18n.gettext("Choose one of the options offered."),
            status_code=422,
        )
    try:
        with session.begin_nested():
            admin.decide_mfa_reset(
                session,
                actor=actor,
                request_id=request_id,
                approve=decision == "approve",
            )
    except DomainError as exc:
        if exc.code == "reset_request_not_found":
            raise
        return _resets_page(
            request, session, actor, error=exc.translated(), status_code=409
        )
    done = "approved" if decision == "approve" else "refused"
    return RedirectResponse(f"/admin/mfa-resets?done={done}", status_code=303)


# Organisations -----------------------------------------------------------------------


@router.get("/admin/organisations", response_class=HTMLResponse)
def organisations(
    request: Request,
    session: DbSession,
    actor: Reader,
    done: Annotated[str, Query(max_length=10)] = "",
) -> Response:
    rows = admin.tenant_organisations(session, actor=actor)
    return _page(
        request,
        "admin/organisations.html",
        {
            "organisations": rows,
            "done": i18n.gettext("Organisation saved.") if done == "saved" else None,
        },
    )


@router.get("/admin/organisations/new", response_class=HTMLResponse)
def new_organisation_form(request: Request, _actor: Manager) -> Response:
    return _page(
        request, "admin/organisation.html", {"org": None, "form": {}, "error": None}
    )


@router.get("/admin/organisations/{organisation_id}", response_class=HTMLResponse)
def organisation_form(
    request: Request, session: DbSession, actor: Manager, organisation_id: uuid.UUID
) -> Response:
    org = admin.get_organisation(session, actor=actor, organisation_id=organisation_id)
    return _page(
        request,
        "admin/organisation.html",
        {"org": org, "form": {"name": org.name, "kind": org.kind}, "error": None},
    )


def _save_organisation(
    request: Request,
    session: Session,
    actor: Actor,
    name: str,
    kind: str,
    organisation_id: uuid.UUID | None,
) -> Response:
    try:
        with session.begin_nested():
            admin.save_organisation(
                session,
                actor=actor,
                name=name,
                kind=kind,
                organisation_id=organisation_id,
            )
    except DomainError as exc:
        if exc.code == "organisation_not_found":
            raise
        org = (
            admin.get_organisation(
                session, actor=actor, organisation_id=organisation_id
            )
            if organisation_id
            else None
        )
        message = exc.translated()
        if exc.code == "unknown_choice":
            message = i18n.gettext("Give a name and choose a kind.")
        return _page(
            request,
            "admin/organisation.html",
            {"org": org, "form": {"name": name, "kind": kind}, "error": message},
            status_code=422 if exc.code == "unknown_choice" else 409,
        )
    return RedirectResponse("/admin/organisations?done=saved", status_code=303)


@router.post("/admin/organisations/new", dependencies=[Csrf])
def new_organisation(
    request: Request,
    session: DbSession,
    actor: Manager,
    name: Annotated[str, Form(max_length=200)] = "",
    kind: Annotated[str, Form(max_length=20)] = "",
) -> Response:
    return _save_organisation(request, session, actor, name, kind, None)


@router.post("/admin/organisations/{organisation_id}", dependencies=[Csrf])
def edit_organisation(
    request: Request,
    session: DbSession,
    actor: Manager,
    organisation_id: uuid.UUID,
    name: Annotated[str, Form(max_length=200)] = "",
    kind: Annotated[str, Form(max_length=20)] = "",
) -> Response:
    return _save_organisation(request, session, actor, name, kind, organisation_id)


# --- the state's default language ------------------------------------------------


def _language_page(
    request: Request,
    session: Session,
    actor: Actor,
    *,
    saved: bool = False,
    error: str = "",
    status_code: int = 200,
) -> HTMLResponse:
    tenant = admin.tenant_defaults(session, actor=actor)
    return _page(
        request,
        "admin/language.html",
        {
            "tenant": tenant,
            "chosen": tenant.default_locale or "",
            "locales": i18n.LOCALE_NAMES,
            "saved": saved,
            "error": error,
        },
        status_code=status_code,
    )


@router.get("/admin/language", response_class=HTMLResponse)
def language_form(request: Request, session: DbSession, actor: Manager) -> Response:
    return _language_page(request, session, actor)


@router.post("/admin/language", dependencies=[Csrf])
def save_language(
    request: Request,
    session: DbSession,
    actor: Manager,
    locale: Annotated[str, Form(max_length=10)] = "",
) -> Response:
    try:
        admin.set_tenant_locale(session, actor=actor, locale=locale or None)
    except DomainError as exc:
        return _language_page(
            request, session, actor, error=exc.translated(), status_code=422
        )
    return _language_page(request, session, actor, saved=True)
