"""Composition root: create_app(), routers, middleware and error answers.

Statuses come from `core.errors.FAMILIES`; this file turns every failure into one
shape: JSON `{"error", "code", "detail"}` under `/api/`, the error page elsewhere.
"""

from __future__ import annotations

import gc
import math
import secrets
import time
import uuid
from collections.abc import Awaitable, Callable, Mapping
from contextlib import AbstractContextManager
from http import HTTPStatus
from typing import Any, Final
from urllib.parse import unquote_plus

import structlog
from fastapi import FastAPI, Request, Response
from fastapi.encoders import jsonable_encoder
from fastapi.exceptions import RequestValidationError
from fastapi.responses import (
    FileResponse,
    HTMLResponse,
    JSONResponse,
    PlainTextResponse,
    RedirectResponse,
)
from fastapi.routing import APIRouter
from fastapi.staticfiles import StaticFiles
from sqlalchemy.exc import DataError, OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeout
from sqlalchemy.orm import Session, sessionmaker
from starlette.exceptions import HTTPException as StarletteHTTPException

from puente import early_warning, enforcement, protection
from puente import labels as _labels  # noqa: F401 - registers the label filters
from puente.commitments import api as commitments_api
from puente.commitments import web as commitments_web
from puente.coordination import api as coordination_api
from puente.coordination import web as coordination_web
from puente.core import i18n
from puente.core.config import Settings, get_settings
from puente.core.db import session_factory, uow
from puente.core.errors import (
    DatabaseBusy,
    DomainError,
    InvalidInput,
    Unavailable,
    error_body,
    is_lock_error,
    snake_case,
    status_for,
)
from puente.core.events import subscribe
from puente.core.forwarded import request_client
from puente.core.i18n import N_
from puente.core.logging import ACCESS_LOGGER, configure_logging, redact_query
from puente.early_warning import api as early_warning_api
from puente.early_warning import web as early_warning_web
from puente.early_warning.web import series as early_warning_series_web
from puente.enforcement import api as enforcement_api
from puente.enforcement import web as enforcement_web
from puente.exchange import api as exchange_api
from puente.exchange import service as exchange_service
from puente.exchange import web as exchange_web
from puente.financing import api as financing_api
from puente.financing import web as financing_web
from puente.identity import admin_web as identity_admin_web
from puente.identity import api as identity_api
from puente.identity import audit_web as identity_audit_web
from puente.identity import web as identity_web
from puente.pathways import EntryRegimeChanged
from puente.pathways import api as pathways_api
from puente.pathways import web as pathways_web
from puente.people import api as people_api
from puente.people import web as people_web
from puente.protection import ModusOperandiReportApproved
from puente.protection import api as protection_api
from puente.protection import web as protection_web
from puente.web.deps import LoginRequired, RequestTurn
from puente.web.pickers import picker_router
from puente.web.templating import (
    CSRF_COOKIE,
    WEB_DIR,
    csrf_token,
    render,
    use_template_cache,
)

log = structlog.get_logger(__name__)
access_log = structlog.get_logger(ACCESS_LOGGER)

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


def route_notes_after_regime_change(
    event: EntryRegimeChanged,
    *,
    open_uow: Callable[[], AbstractContextManager[Session]] = uow,
) -> int:
    """A state changed an entry regime: early warning notes it for the states
    downstream on the route (pathways and early warning stay independent; the
    composition root hands the event over). Returns the notes written."""
    with open_uow() as session:
        notes = early_warning.note_regime_change(
            session,
            changed_state=event.destination,
            nationality=event.nationality,
            previous=event.previous,
            regime=event.regime,
            on=event.on,
        )
    return len(notes)


@subscribe(EntryRegimeChanged)
def _on_entry_regime_changed(event: EntryRegimeChanged) -> None:
    route_notes_after_regime_change(event)


def mo_report_to_enforcement(
    event: ModusOperandiReportApproved,
    *,
    open_uow: Callable[[], AbstractContextManager[Session]] = uow,
) -> bool:
    """Protection approved an anonymised modus-operandi report (the victim
    consented): only its two text fields cross into enforcement. The two modules
    never import each other; this is the one door, and it opens one way."""
    with open_uow() as session:
        text = protection.anonymised_text(session, event.report_id)
        if text is None:
            return False
        # PostgreSQL: from here on the unit of work is the enforcement role's.
        enforcement.behind_wall(session)
        enforcement.receive_mo_report(
            session,
            tenant_code=event.tenant_code,
            route=text["route"],
            modus_operandi=text["modus_operandi"],
        )
    return True


@subscribe(ModusOperandiReportApproved)
def _on_mo_report_approved(event: ModusOperandiReportApproved) -> None:
    mo_report_to_enforcement(event)


def _wants_json(request: Request) -> bool:
    return request.url.path.startswith("/api/") or request.url.path == "/healthz"


def create_app(
    settings: Settings | None = None,
    sessions: sessionmaker[Session] | None = None,
) -> FastAPI:
    settings = settings or get_settings()
    configure_logging(json=settings.log_json)
    use_template_cache(settings.var_dir / "cache" / "templates")
    app = FastAPI(
        title="Puente",
        version="0.1.0",
        openapi_url="/api/v1/openapi.json",
        docs_url=None,  # served below from vendored files, never a CDN
        redoc_url=None,
    )
    app.state.settings = settings
    app.state.session_factory = sessions or session_factory()
    bind = app.state.session_factory.kw.get("bind")
    dialect = bind.dialect.name if bind is not None else None
    if dialect == "sqlite" or (dialect is None and settings.is_sqlite):
        app.state.request_turn = RequestTurn(
            settings.sqlite_write_wait_seconds, settings.sqlite_max_waiting_writers
        )

    @app.middleware("http")
    async def per_request(
        request: Request, call_next: Callable[[Request], Awaitable[Response]]
    ) -> Response:
        structlog.contextvars.clear_contextvars()
        structlog.contextvars.bind_contextvars(request_id=uuid.uuid4().hex[:12])
        locale = _request_locale(request, settings)
        token = i18n.set_locale(locale)
        started = time.perf_counter()
        response: Response
        try:
            if _has_nul(request):
                # PostgreSQL text cannot hold NUL: refuse it before any query does.
                response = _invalid_input(["query"], NUL_REFUSED)
            elif _too_large(request):
                response = _too_large_response(request)
            else:
                response = await call_next(request)
        finally:
            i18n._current.reset(token)
        for name, value in SECURITY_HEADERS.items():
            response.headers.setdefault(name, value)
        response.headers.setdefault("Content-Language", locale)
        if not request.url.path.startswith("/static/"):
            # Pages and API answers carry personal data: no cache keeps them.
            response.headers.setdefault("Cache-Control", "no-store")
        if CSRF_COOKIE not in request.cookies:
            response.set_cookie(
                CSRF_COOKIE,
                getattr(request.state, "csrf_anon", None) or secrets.token_urlsafe(32),
                httponly=True,
                samesite="strict",
                secure=settings.cookies_secure,
            )
        _log_access(request, response.status_code, started)
        return response

    @app.exception_handler(DomainError)
    async def domain_error(request: Request, exc: DomainError) -> Response:
        status = status_for(exc)
        headers: dict[str, str] | None = None
        if status == 401:
            headers = {"WWW-Authenticate": "Bearer"}
        if isinstance(exc, Unavailable):
            headers = {"Retry-After": str(exc.retry_after)}
            log.info("write_busy", error=type(exc).__name__)
        if _wants_json(request):
            return JSONResponse(error_body(exc), status_code=status, headers=headers)
        if status == 401:
            return RedirectResponse("/login", status_code=303)
        return _error_page(request, status, exc.translated(), headers=headers)

    @app.exception_handler(PoolTimeout)
    async def pool_timeout(request: Request, _exc: PoolTimeout) -> Response:
        # Every pooled connection busy past the pool timeout: busy, not broken.
        return await domain_error(request, DatabaseBusy())

    @app.exception_handler(OperationalError)
    async def operational_error(request: Request, exc: OperationalError) -> Response:
        # `database is locked` (another process held SQLite's write lock past the
        # busy timeout) or a PostgreSQL lock timeout: busy, not broken. The unit of
        # work rolled back; the client retries.
        if is_lock_error(exc):
            return await domain_error(request, DatabaseBusy())
        return await server_error(request, exc)

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

    @app.get("/api/v1/docs", include_in_schema=False)
    def api_docs() -> HTMLResponse:
        return HTMLResponse(API_DOCS_HTML)

    @app.get("/favicon.ico", include_in_schema=False)
    def favicon() -> FileResponse:
        return FileResponse(
            WEB_DIR / "static" / "favicon.svg", media_type="image/svg+xml"
        )

    @app.get("/healthz", include_in_schema=False)
    def healthz() -> dict[str, str]:
        return {"status": "ok"}

    @app.exception_handler(DataError)
    async def data_error(_request: Request, exc: DataError) -> Response:
        # A value the database cannot store (NUL in a JSON string, a number out of
        # range): the unit of work rolled back; never a 500, never the value.
        log.info("database_refused_value", error=type(exc.orig).__name__)
        return _invalid_input(["body"], VALUE_NOT_STORABLE)

    async def unstorable_value(request: Request, exc: Exception) -> Response:
        # A lone surrogate the database driver cannot encode, a date-time whose
        # arithmetic overflows: odd input that got past validation. A 422, not a
        # 500; the log names the kind, never the value.
        log.info("unstorable_value", error=type(exc).__name__)
        if _wants_json(request):
            return _invalid_input(["body"], VALUE_NOT_STORABLE)
        return _error_page(request, 422, i18n.gettext(VALUE_NOT_STORABLE))

    app.add_exception_handler(UnicodeError, unstorable_value)
    app.add_exception_handler(OverflowError, unstorable_value)

    @app.exception_handler(RequestValidationError)
    async def invalid_request(
        request: Request, exc: RequestValidationError
    ) -> Response:
        if not _wants_json(request):
            # A malformed id in the address is an unknown page; a bad form or
            # query value is said in words on the app's own page.
            if any(error.get("loc", ("",))[0] == "path" for error in exc.errors()):
                return _error_page(request, 404, i18n.gettext(HTTP_MESSAGES[404]))
            return _error_page(
                request, 422, _fields_message(exc.errors()), status_title=422
            )
        # One error shape for every failure; here `detail` names the fields.
        return JSONResponse(
            {
                "error": InvalidInput.__name__,
                "code": InvalidInput.code,
                "detail": _encodable(jsonable_encoder(exc.errors())),
            },
            status_code=422,
        )

    @app.exception_handler(Exception)
    async def server_error(request: Request, _exc: Exception) -> Response:
        # Runs outside the locale middleware; Starlette re-raises the error afterwards,
        # so the traceback is still logged. The body never carries the exception.
        if not _wants_json(request):
            with i18n.use_locale(_request_locale(request, settings)):
                try:
                    return _error_page(
                        request, 500, i18n.gettext(HTTP_FALLBACK_MESSAGE)
                    )
                except Exception:  # the error page itself failed: plain words
                    log.exception("error_page_failed")
                    return PlainTextResponse(
                        i18n.gettext(HTTP_FALLBACK_MESSAGE), status_code=500
                    )
        with i18n.use_locale(_request_locale(request, settings)):
            detail = i18n.gettext(HTTP_FALLBACK_MESSAGE)
        return JSONResponse(
            {"error": "InternalError", "code": "internal_error", "detail": detail},
            status_code=500,
        )

    app.mount("/static", StaticFiles(directory=WEB_DIR / "static"), name="static")
    for router in ROUTERS:
        app.include_router(router)
    # Built last: each module's web code registered its picker sources at import.
    app.include_router(picker_router())
    _document_errors(app)
    if settings.warm_routes:
        warm_routes(app)
    if settings.exchange_send_interval_seconds > 0:
        factory = app.state.session_factory

        def unit_of_work() -> Any:
            return uow(engine=factory.kw.get("bind"))

        exchange_service.start_sender(
            settings.exchange_send_interval_seconds, unit_of_work
        )
    return app


def settle_heap() -> None:
    """Take what start-up built out of the garbage collector's sight.

    Imports, routes, templates and reference tables leave about 650,000
    objects that live as long as the process. Python's full collections
    scanned them all, every few requests, for 0.5–1.3 s each on the
    development machine: the slowest pages of `benchmarks/pages.py` were
    these pauses. Frozen (`gc.freeze`), they are never scanned again; what
    requests create is collected as before."""
    gc.collect()
    gc.freeze()


def serving_app() -> FastAPI:
    """The app as `puente serve` runs it (uvicorn's factory): built, then its
    start-up heap settled."""
    app = create_app()
    settle_heap()
    return app


def warm_routes(app: FastAPI) -> None:
    """Prepare every route now rather than on the first request that reaches it.

    FastAPI builds each route's dependency and parameter handling the first time a
    request is matched against it; routes after the first match wait for a later
    request. The first visit to a page near the end of the route table (the
    commitments board, early warning) paid for hundreds of routes: ~0.5 s of CPU.
    Matching one path that no route takes walks them all, once, at start."""
    scope: dict[str, Any] = {
        "type": "http",
        "method": "GET",
        "path": "/\u2060warm-up",
        "root_path": "",
        "query_string": b"",
        "headers": [],
    }
    for route in app.router.routes:
        route.matches(scope)


API_DOCS_HTML: Final = """<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Puente API</title>
<link rel="icon" href="/static/favicon.svg" type="image/svg+xml">
<link rel="stylesheet" href="/static/vendor/swagger-ui/swagger-ui.css">
</head>
<body>
<div id="swagger-ui"></div>
<script src="/static/vendor/swagger-ui/swagger-ui-bundle.js"></script>
<script src="/static/js/api-docs.js"></script>
</body>
</html>
"""
NUL_REFUSED: Final = N_("NUL characters are not allowed.")
VALUE_NOT_STORABLE: Final = N_("A value cannot be stored.")
HTTP_MESSAGES: Final = {
    400: N_("The request could not be read."),
    401: N_("Authentication required."),
    403: N_("You are not allowed to do this."),
    404: N_("Not found."),
    405: N_("This method is not allowed here."),
    413: N_("What was sent is too large."),
}
# Request bodies: forms and JSON up to 2 MB, file uploads up to the import bar's
# 10 MB (plus the form around the file); the JSON API takes imports as JSON too.
FORM_BODY_LIMIT: Final = 2 * 1024 * 1024
UPLOAD_BODY_LIMIT: Final = 11 * 1024 * 1024
TOO_LARGE: Final = N_(
    "What was sent is too large (more than %(limit)s MB). Nothing was saved: "
    "send less at a time, or a smaller file."
)
FIELDS_INVALID: Final = N_("Some values could not be read: %(fields)s.")


def _body_limit(request: Request) -> int:
    content_type = request.headers.get("content-type", "")
    if content_type.startswith("multipart/") or _wants_json(request):
        return UPLOAD_BODY_LIMIT
    return FORM_BODY_LIMIT


def _too_large(request: Request) -> bool:
    length = request.headers.get("content-length", "")
    return length.isdigit() and int(length) > _body_limit(request)


def _too_large_response(request: Request) -> Response:
    message = i18n.gettext(TOO_LARGE, limit=_body_limit(request) // (1024 * 1024))
    if _wants_json(request):
        return JSONResponse(
            {
                "error": "PayloadTooLarge",
                "code": "payload_too_large",
                "detail": message,
            },
            status_code=413,
            headers={"Connection": "close"},
        )
    response = _error_page(request, 413, message)
    response.headers["Connection"] = "close"
    return response


def _fields_message(errors: Any) -> str:
    """Which fields failed, by their form names (never the values typed)."""
    names = sorted(
        {
            str(error["loc"][-1])
            for error in errors
            if error.get("loc") and error["loc"][0] in {"body", "query", "form"}
        }
    )
    return i18n.gettext(FIELDS_INVALID, fields=", ".join(names) or "?")


HTTP_FALLBACK_MESSAGE: Final = N_("Something went wrong.")


def _encodable(value: Any) -> Any:
    """`value` with every string made encodable as UTF-8: a lone surrogate in a
    request's JSON (`"\\ud800"`) is echoed in the validation error's `input`, and
    rendering it raised `UnicodeEncodeError` (a 500). Likewise `NaN`, `Infinity`
    and `1e999` in a JSON body are echoed as floats JSON cannot write: as text."""
    if isinstance(value, str):
        return value.encode("utf-8", "replace").decode("utf-8")
    if isinstance(value, float) and not math.isfinite(value):
        return str(value)
    if isinstance(value, list):
        return [_encodable(item) for item in value]
    if isinstance(value, dict):
        return {_encodable(k): _encodable(v) for k, v in value.items()}
    return value


def _log_access(request: Request, status: int, started: float) -> None:
    """Our access log (uvicorn's is off, see `puente serve`): the path only when a
    route matched (then it holds ids), parameter names but never their values."""
    matched = "endpoint" in request.scope or "route" in request.scope
    access_log.info(
        "request",
        method=request.method,
        path=request.url.path if matched else "[unmatched]",
        query=redact_query(request.url.query) or None,
        client=request_client(
            request.client.host if request.client else None,
            request.headers,
            get_settings(),
        ),
        status=status,
        ms=round((time.perf_counter() - started) * 1000, 1),
    )


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


ERROR_TITLES: Final = {
    400: N_("This request could not be read"),
    403: N_("This is not open to you"),
    404: N_("This page does not exist"),
    405: N_("This cannot be done here"),
    409: N_("This clashes with what is already recorded"),
    413: N_("Too much was sent at once"),
    422: N_("Some values need another look"),
    500: N_("Something went wrong on our side"),
}
ERROR_TITLE_FALLBACK: Final = N_("Something stopped this request")


def _error_page(
    request: Request,
    status: int,
    message: str,
    headers: Mapping[str, str] | None = None,
    *,
    status_title: int | None = None,
) -> Response:
    csrf_token(request)
    title = ERROR_TITLES.get(status_title or status, ERROR_TITLE_FALLBACK)
    response = render(
        request,
        "error.html",
        {
            "status": status,
            "title": i18n.gettext(title),
            "message": message,
            "logged_in": bool(request.cookies.get("puente_session")),
        },
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
    identity_admin_web.router,
    identity_audit_web.router,
    people_web.router,
    people_api.router,
    protection_web.router,
    protection_api.router,
    pathways_web.router,
    pathways_api.router,
    early_warning_web.router,
    early_warning_series_web.router,
    early_warning_api.router,
    financing_web.router,
    financing_api.router,
    coordination_web.router,
    enforcement_web.router,
    enforcement_api.router,
    coordination_api.router,
    commitments_web.router,
    commitments_api.router,
    exchange_web.router,
    exchange_api.router,
)
