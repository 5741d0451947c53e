"""Composition root: create_app(), routers, middleware and error answers.

Statuses come from `core.errors.FAMILIES`; this file turns every failure into one
shape: JSON `{"error", "code", "detail"}` under `/api/`, the error page elsewhere.
"""

from __future__ import annotations

import secrets
import uuid
from collections.abc import Awaitable, Callable, Mapping
from http import HTTPStatus
from typing import Any, Final
from urllib.parse import unquote_plus

import structlog
from fastapi import FastAPI, Request, Response
from fastapi.encoders import jsonable_encoder
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, PlainTextResponse, RedirectResponse
from fastapi.routing import APIRouter
from fastapi.staticfiles import StaticFiles
from sqlalchemy.exc import DataError
from sqlalchemy.orm import Session, sessionmaker
from starlette.exceptions import HTTPException as StarletteHTTPException

from puente.commitments import api as commitments_api
from puente.commitments import web as commitments_web
from puente.coordination import api as coordination_api
from puente.coordination import web as coordination_web
from puente.core import i18n
from puente.core.config import Settings, get_settings
from puente.core.db import session_factory
from puente.core.errors import (
    DomainError,
    InvalidInput,
    error_body,
    snake_case,
    status_for,
)
from puente.core.i18n import N_
from puente.core.logging import configure_logging
from puente.early_warning import api as early_warning_api
from puente.early_warning import web as early_warning_web
from puente.financing import api as financing_api
from puente.financing import web as financing_web
from puente.identity import api as identity_api
from puente.identity import web as identity_web
from puente.pathways import api as pathways_api
from puente.pathways import web as pathways_web
from puente.people import api as people_api
from puente.people import web as people_web
from puente.protection import api as protection_api
from puente.protection import web as protection_web
from puente.web import labels as _labels  # noqa: F401 - registers the label filters
from puente.web.deps import LoginRequired
from puente.web.templating import CSRF_COOKIE, WEB_DIR, csrf_token, render

log = structlog.get_logger(__name__)

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
        locale = _request_locale(request, settings)
        token = i18n.set_locale(locale)
        response: Response
        try:
            if _has_nul(request):
                # PostgreSQL text cannot hold NUL: refuse it before any query does.
                response = _invalid_input(["query"], NUL_REFUSED)
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
            return JSONResponse(error_body(exc), status_code=status, headers=headers)
        if status == 401:
            return RedirectResponse("/login", status_code=303)
        return _error_page(request, status, exc.translated())

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException) -> Response:
        # Unknown routes (404), wrong methods (405) and other protocol refusals.
        status = exc.status_code
        message = i18n.gettext(HTTP_MESSAGES.get(status, HTTP_FALLBACK_MESSAGE))
        if _wants_json(request):
            name = _http_error_name(status)
            return JSONResponse(
                {"error": name, "code": snake_case(name), "detail": message},
                status_code=status,
                headers=exc.headers,
            )
        return _error_page(request, status, message, headers=exc.headers)

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
        return _invalid_input(["body"], VALUE_NOT_STORABLE)

    @app.exception_handler(RequestValidationError)
    async def invalid_request(
        _request: Request, exc: RequestValidationError
    ) -> Response:
        # One error shape for every failure; here `detail` names the fields.
        return JSONResponse(
            {
                "error": InvalidInput.__name__,
                "code": InvalidInput.code,
                "detail": jsonable_encoder(exc.errors()),
            },
            status_code=422,
        )

    @app.exception_handler(Exception)
    async def server_error(request: Request, _exc: Exception) -> Response:
        # Runs outside the locale middleware; Starlette re-raises the error afterwards,
        # so the traceback is still logged. The body never carries the exception.
        if not _wants_json(request):
            return PlainTextResponse("Internal Server Error", status_code=500)
        with i18n.use_locale(_request_locale(request, settings)):
            detail = i18n.gettext(HTTP_FALLBACK_MESSAGE)
        return JSONResponse(
            {"error": "InternalError", "code": "internal_error", "detail": detail},
            status_code=500,
        )

    app.mount("/static", StaticFiles(directory=WEB_DIR / "static"), name="static")
    for router in ROUTERS:
        app.include_router(router)
    _document_errors(app)
    return app


NUL_REFUSED: Final = N_("NUL characters are not allowed.")
VALUE_NOT_STORABLE: Final = N_("A value cannot be stored.")
HTTP_MESSAGES: Final = {
    401: N_("Authentication required."),
    403: N_("You are not allowed to do this."),
    404: N_("Not found."),
    405: N_("This method is not allowed here."),
}
HTTP_FALLBACK_MESSAGE: Final = N_("Something went wrong.")


def _request_locale(request: Request, settings: Settings) -> str:
    return i18n.negotiate(
        request.headers.get("accept-language"),
        request.cookies.get("puente_lang"),
        settings.default_locale,
    )


def _http_error_name(status: int) -> str:
    """`405` -> `MethodNotAllowed`, from the standard reason phrase."""
    try:
        phrase = HTTPStatus(status).phrase
    except ValueError:
        return "HttpError"
    return "".join(word.capitalize() for word in phrase.replace("-", " ").split())


def _invalid_input(loc: list[str], message: str) -> JSONResponse:
    """A 422 in the shape of a validation error: `detail` names where, `msg` says
    what, in the request's locale."""
    return JSONResponse(
        {
            "error": InvalidInput.__name__,
            "code": InvalidInput.code,
            "detail": [{"loc": loc, "msg": i18n.gettext(message)}],
        },
        status_code=422,
    )


def _error_page(
    request: Request,
    status: int,
    message: str,
    headers: Mapping[str, str] | None = None,
) -> Response:
    csrf_token(request)
    response = render(
        request,
        "error.html",
        {"status": status, "message": message},
        status_code=status,
    )
    if headers:
        response.headers.update(headers)
    return response


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
ERROR_SCHEMA: Final = {
    "type": "object",
    "required": ["error", "code", "detail"],
    "properties": {
        "error": {"type": "string", "description": "The error's class name"},
        "code": {
            "type": "string",
            "pattern": "^[a-z][a-z0-9_]*$",
            "description": "Stable machine-readable code; branch on this",
        },
        "detail": {
            "description": (
                "The message in the request's locale (Accept-Language), or a "
                "structure naming the fields or checks that failed"
            )
        },
    },
}


def _document_errors(app: FastAPI) -> None:
    """Every JSON operation documents the error shape its failures use."""
    generate = app.openapi

    def openapi() -> dict[str, Any]:
        if app.openapi_schema:
            return app.openapi_schema
        schema = generate()
        schema.setdefault("components", {}).setdefault("schemas", {})["Error"] = (
            ERROR_SCHEMA
        )
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


# Every module's routers, imported by name so that mypy and import-linter see every
# edge. HTML routers come first (identity's `/` home page included); a new module
# adds its two lines here.
ROUTERS: Final[tuple[APIRouter, ...]] = (
    identity_web.router,
    identity_api.router,
    people_web.router,
    people_api.router,
    protection_web.router,
    protection_api.router,
    pathways_web.router,
    pathways_api.router,
    early_warning_web.router,
    early_warning_api.router,
    financing_web.router,
    financing_api.router,
    coordination_web.router,
    coordination_api.router,
    commitments_web.router,
    commitments_api.router,
)
