"""Composition root: create_app(), routers, middleware and error mapping.

Only this file knows how domain errors become HTTP statuses.
"""

from __future__ import annotations

import secrets
import uuid
from collections.abc import Awaitable, Callable
from typing import Any, Final
from urllib.parse import unquote_plus

import structlog
from fastapi import FastAPI, Request, Response
from fastapi.encoders import jsonable_encoder
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, RedirectResponse
from fastapi.staticfiles import StaticFiles
from sqlalchemy.exc import DataError
from sqlalchemy.orm import Session, sessionmaker

from puente.core import i18n
from puente.core.config import Settings, get_settings
from puente.core.db import session_factory
from puente.core.errors import (
    Conflict,
    DomainError,
    InvalidInput,
    NotFound,
    PermissionDenied,
    Unauthenticated,
)
from puente.core.logging import configure_logging
from puente.web.deps import LoginRequired
from puente.web.templating import CSRF_COOKIE, WEB_DIR, csrf_token, render

log = structlog.get_logger(__name__)

STATUS: list[tuple[type[DomainError], int]] = [
    (NotFound, 404),
    (PermissionDenied, 403),
    (Unauthenticated, 401),
    (Conflict, 409),
    (InvalidInput, 422),
]

CSP = (
    "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
    "connect-src 'self'; frame-ancestors 'none'; form-action 'self'; base-uri 'none'; "
    "object-src 'none'"
)
SECURITY_HEADERS = {
    "Content-Security-Policy": CSP,
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "no-referrer",
    "Permissions-Policy": "camera=(), microphone=(), geolocation=()",
    "Cross-Origin-Opener-Policy": "same-origin",
    "Strict-Transport-Security": "max-age=63072000; includeSubDomains",
}


def status_for(error: DomainError) -> int:
    for family, status in STATUS:
        if isinstance(error, family):
            return status
    return 400


def _wants_json(request: Request) -> bool:
    return request.url.path.startswith("/api/") or request.url.path == "/healthz"


def create_app(
    settings: Settings | None = None,
    sessions: sessionmaker[Session] | None = None,
) -> FastAPI:
    settings = settings or get_settings()
    configure_logging(json=settings.log_json)
    app = FastAPI(
        title="Puente",
        version="0.1.0",
        openapi_url="/api/v1/openapi.json",
        docs_url="/api/v1/docs",
        redoc_url=None,
    )
    app.state.settings = settings
    app.state.session_factory = sessions or session_factory()

    @app.middleware("http")
    async def per_request(
        request: Request, call_next: Callable[[Request], Awaitable[Response]]
    ) -> Response:
        structlog.contextvars.clear_contextvars()
        structlog.contextvars.bind_contextvars(request_id=uuid.uuid4().hex[:12])
        locale = i18n.negotiate(
            request.headers.get("accept-language"),
            request.cookies.get("puente_lang"),
            settings.default_locale,
        )
        token = i18n.set_locale(locale)
        response: Response
        try:
            if _has_nul(request):
                # PostgreSQL text cannot hold NUL: refuse it before any query does.
                response = JSONResponse(NUL_REFUSED, status_code=422)
            else:
                response = await call_next(request)
        finally:
            i18n._current.reset(token)
        for name, value in SECURITY_HEADERS.items():
            response.headers.setdefault(name, value)
        response.headers.setdefault("Content-Language", locale)
        if not request.url.path.startswith(("/api/", "/static/")):
            response.headers.setdefault("Cache-Control", "no-store")
        if CSRF_COOKIE not in request.cookies:
            response.set_cookie(
                CSRF_COOKIE,
                getattr(request.state, "csrf_token", None) or secrets.token_urlsafe(32),
                httponly=True,
                samesite="strict",
                secure=settings.secure_cookies,
            )
        return response

    @app.exception_handler(DomainError)
    async def domain_error(request: Request, exc: DomainError) -> Response:
        status = status_for(exc)
        if _wants_json(request):
            headers = {"WWW-Authenticate": "Bearer"} if status == 401 else None
            return JSONResponse(
                {"error": type(exc).__name__, "detail": exc.detail},
                status_code=status,
                headers=headers,
            )
        if status == 401:
            return RedirectResponse("/login", status_code=303)
        csrf_token(request)
        return render(
            request,
            "error.html",
            {"status": status, "message": exc.translated()},
            status_code=status,
        )

    @app.exception_handler(LoginRequired)
    async def login_required(request: Request, exc: LoginRequired) -> Response:
        if request.headers.get("hx-request") == "true":
            return Response(status_code=204, headers={"HX-Redirect": exc.target})
        return RedirectResponse(exc.target, status_code=303)

    @app.get("/healthz", include_in_schema=False)
    def healthz() -> dict[str, str]:
        return {"status": "ok"}

    @app.exception_handler(DataError)
    async def data_error(_request: Request, exc: DataError) -> Response:
        # A value the database cannot store (NUL in a JSON string, a number out of
        # range): the unit of work rolled back; never a 500, never the value.
        log.info("database_refused_value", error=type(exc.orig).__name__)
        return JSONResponse(
            {
                "error": "InvalidInput",
                "detail": [{"loc": ["body"], "msg": "a value cannot be stored"}],
            },
            status_code=422,
        )

    @app.exception_handler(RequestValidationError)
    async def invalid_request(
        _request: Request, exc: RequestValidationError
    ) -> Response:
        # One error shape for every failure: {"error", "detail"}; detail names fields.
        return JSONResponse(
            {"error": "InvalidInput", "detail": jsonable_encoder(exc.errors())},
            status_code=422,
        )

    app.mount("/static", StaticFiles(directory=WEB_DIR / "static"), name="static")
    for router in _routers():
        app.include_router(router)
    _document_errors(app)
    return app


NUL_REFUSED: Final = {
    "error": "InvalidInput",
    "detail": [{"loc": ["query"], "msg": "NUL characters are not allowed"}],
}


def _has_nul(request: Request) -> bool:
    """A NUL character anywhere in the decoded path or query string."""
    return "\x00" in request.url.path or "\x00" in unquote_plus(request.url.query)


ERROR_RESPONSES = {
    "401": "Authentication required",
    "403": "Not allowed",
    "404": "Not found (or not visible to the caller)",
    "409": "Conflicts with the current state",
    "422": "Invalid input; `detail` names the fields",
}


def _document_errors(app: FastAPI) -> None:
    """Every JSON operation documents the error shape its failures use."""
    generate = app.openapi

    def openapi() -> dict[str, Any]:
        if app.openapi_schema:
            return app.openapi_schema
        schema = generate()
        schema.setdefault("components", {}).setdefault("schemas", {})["Error"] = {
            "type": "object",
            "required": ["error", "detail"],
            "properties": {"error": {"type": "string"}, "detail": {}},
        }
        schema["components"]["schemas"].pop("HTTPValidationError", None)
        schema["components"]["schemas"].pop("ValidationError", None)
        error = {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}
        for operations in schema.get("paths", {}).values():
            for operation in operations.values():
                responses = operation.setdefault("responses", {})
                for code, description in ERROR_RESPONSES.items():
                    responses[code] = {"description": description, "content": error}
        app.openapi_schema = schema
        return schema

    app.openapi = openapi  # type: ignore[method-assign]


def _routers() -> list[Any]:
    from puente.commitments import api as commitments_api
    from puente.commitments import web as commitments_web
    from puente.coordination import api as coordination_api
    from puente.coordination import web as coordination_web
    from puente.financing import api as financing_api
    from puente.financing import web as financing_web
    from puente.identity import api as identity_api
    from puente.identity import web as identity_web

    routers: list[Any] = [
        identity_web.router,
        identity_api.router,
        financing_web.router,
        financing_api.router,
        coordination_web.router,
        coordination_api.router,
        commitments_web.router,
        commitments_api.router,
    ]
    for module in _modules():
        for kind in ("web", "api"):
            try:
                imported = __import__(f"puente.{module}.{kind}", fromlist=["router"])
            except ModuleNotFoundError as exc:
                if exc.name not in (f"puente.{module}", f"puente.{module}.{kind}"):
                    raise
                continue
            routers.append(imported.router)
    return routers


def _modules() -> tuple[str, ...]:
    return (
        "people",
        "protection",
        "pathways",
        "early_warning",
        "exchange",
    )
