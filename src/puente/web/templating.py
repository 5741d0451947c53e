"""Jinja2 environment, rendering helper, CSRF and the home page's registries:
dashboard cards (links) and home panels (small live summaries)."""

from __future__ import annotations

import secrets
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

import structlog
from babel.numbers import format_decimal
from fastapi import Request
from fastapi.responses import HTMLResponse
from fastapi.templating import Jinja2Templates
from jinja2 import FileSystemBytecodeCache

from puente import identity
from puente.core import dates, i18n
from puente.core.db import SYSTEM_SCOPE, RlsScope
from puente.core.errors import DomainError
from puente.identity import Actor, can
from puente.web.deps import SESSION_COOKIE, CsrfRefused, DbSession

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

log = structlog.get_logger(__name__)
CSRF_COOKIE = "puente_csrf"


CsrfFailed = CsrfRefused  # one refusal, one message, for forms and the API


CSRF_FIELD = "csrf_token"
CSRF_HEADER = "x-csrf-token"
WEB_DIR = Path(__file__).resolve().parent
PACKAGE_DIR = WEB_DIR.parent


def _template_dirs() -> list[Path]:
    dirs = [WEB_DIR / "templates"]
    dirs += sorted(p for p in PACKAGE_DIR.glob("*/templates") if p.parent != WEB_DIR)
    return dirs


templates = Jinja2Templates(directory=_template_dirs())
env = templates.env
env.add_extension("jinja2.ext.i18n")
env.install_gettext_callables(  # type: ignore[attr-defined]
    lambda message: i18n.translations(i18n.get_locale()).gettext(message),
    lambda s, p, n: i18n.translations(i18n.get_locale()).ngettext(s, p, n),
    newstyle=True,
)
env.filters["number"] = lambda value, digits=0: format_decimal(
    value,
    format="#,##0" + ("." + "0" * digits if digits else ""),
    locale=i18n.get_locale(),
)
# Dates follow the reader's language and date-format preference (core.dates).
env.filters["datetime"] = dates.format_datetime
env.filters["date"] = dates.format_date


def use_template_cache(directory: Path) -> None:
    """Keep compiled templates in `directory`, so a new process loads them
    instead of compiling every template on its first view. Jinja keys each entry
    by the template's source checksum: an edited template is compiled again.
    An unwritable directory leaves templates compiled in memory only."""
    try:
        directory.mkdir(parents=True, exist_ok=True)
    except OSError:
        log.warning("template_cache_unavailable")
        return
    env.bytecode_cache = FileSystemBytecodeCache(str(directory))


@dataclass(frozen=True)
class DashboardCard:
    """A link on the home dashboard, shown to roles with `permission`."""

    permission: str
    title: Any  # lazy translated string
    description: Any
    url: str
    icon: str = "•"


DASHBOARD_CARDS: list[DashboardCard] = []


def register_card(card: DashboardCard) -> None:
    if card not in DASHBOARD_CARDS:
        DASHBOARD_CARDS.append(card)


def cards_for(actor: Actor) -> list[DashboardCard]:
    return [card for card in DASHBOARD_CARDS if can(actor, card.permission)]


@dataclass(frozen=True)
class HomePanelView:
    """What one home panel shows: the module's own template, included in the home
    page (it sees the page's context, `csrf_token` included, plus `panel`, this
    object), the data it reads from `panel.context`, and any stylesheet it needs."""

    template: str
    context: Mapping[str, Any] = field(default_factory=dict)
    stylesheets: tuple[str, ...] = ()


@dataclass(frozen=True)
class HomePanel:
    """A panel on the home dashboard for actors with `permission`.

    `build(session, actor)` reads through the module's own services (which
    authorize as usual) and returns a view, or None when there is nothing to show:
    the home page draws no empty boxes. Modules register panels at import, like
    cards, so that identity's home page never imports them.
    """

    key: str
    permission: str
    build: Callable[[Session, Actor], HomePanelView | None]
    order: int = 100


HOME_PANELS: dict[str, HomePanel] = {}


def register_panel(panel: HomePanel) -> None:
    """Add a home panel; registering the same key again replaces it."""
    HOME_PANELS[panel.key] = panel


def panels_for(session: Session, actor: Actor) -> list[HomePanelView]:
    """The views of the panels `actor` may see, in order. A failing panel is left
    out (and logged) rather than taking the home page down; its writes, if any,
    are rolled back to a savepoint so the request's transaction stays usable."""
    ordered = sorted(HOME_PANELS.values(), key=lambda p: (p.order, p.key))
    return _views(session, actor, [(p.key, p.permission, p.build) for p in ordered])


def _views(
    session: Session,
    actor: Actor,
    builders: list[tuple[str, str, Callable[[Session, Actor], HomePanelView | None]]],
) -> list[HomePanelView]:
    views: list[HomePanelView] = []
    for key, permission, build in builders:
        if not can(actor, permission):
            continue
        try:
            with session.begin_nested():
                view = build(session, actor)
        except DomainError as exc:
            log.info("home_panel_skipped", panel=key, error=type(exc).__name__)
            continue
        except Exception:  # a broken panel must not take the page down
            log.exception("home_panel_failed", panel=key)
            continue
        if view is not None:
            views.append(view)
    return views


@dataclass(frozen=True)
class PageSection:
    """A section another module adds to a page it does not own (as home panels
    do for the home page): `build(session, actor, subject)` gets the page's
    subject (a state's code on a state page, None on a region-wide page) and
    returns a view, or None when there is nothing to show. The page names
    itself (`"early_warning:dashboard"`), so neither module imports the other."""

    key: str
    permission: str
    build: Callable[[Session, Actor, str | None], HomePanelView | None]
    order: int = 100


PAGE_SECTIONS: dict[str, dict[str, PageSection]] = {}


def register_section(page: str, section: PageSection) -> None:
    """Add a section to `page`; the same key again replaces it."""
    PAGE_SECTIONS.setdefault(page, {})[section.key] = section


def sections_for(
    page: str, session: Session, actor: Actor, subject: str | None = None
) -> list[HomePanelView]:
    """The views of `page`'s sections `actor` may see, in order (a failing one
    is left out and logged, like a home panel)."""
    ordered = sorted(
        PAGE_SECTIONS.get(page, {}).values(), key=lambda p: (p.order, p.key)
    )
    return _views(
        session,
        actor,
        [(p.key, p.permission, _about(p, subject)) for p in ordered],
    )


def _about(
    section: PageSection, subject: str | None
) -> Callable[[Session, Actor], HomePanelView | None]:
    def build(session: Session, actor: Actor) -> HomePanelView | None:
        return section.build(session, actor, subject)

    return build


def _anon_token(request: Request) -> str:
    """The pre-login token: a random value in the `puente_csrf` cookie, sent back
    by the login form (double submit). It is worth nothing once a session exists."""
    token: str | None = getattr(request.state, "csrf_anon", None)
    if token is None:
        token = request.cookies.get(CSRF_COOKIE) or secrets.token_urlsafe(32)
        request.state.csrf_anon = token
    return token


def _session_token(request: Request, session: Session | None = None) -> str | None:
    """The token kept with the request's server session, if its cookie names one."""
    cookie = request.cookies.get(SESSION_COOKIE)
    if not cookie:
        return None
    if session is not None:
        return identity.session_csrf_token(session, cookie)
    factory = getattr(request.app.state, "session_factory", None)
    if factory is None:
        return None
    with factory() as db:
        db.info["tenant_scope"] = RlsScope(SYSTEM_SCOPE)
        token = identity.session_csrf_token(db, cookie)
        db.commit()
    return token


def csrf_token(request: Request) -> str:
    """The token a page puts in its forms: its session's, else the pre-login one."""
    token: str | None = getattr(request.state, "csrf_token", None)
    if token is None:
        token = _session_token(request) or _anon_token(request)
        request.state.csrf_token = token
    return token


def same_origin(request: Request) -> bool:
    """False when the browser says the request comes from another site: an
    `Origin` (or, without one, a `Referer`) whose host is not this server's."""
    origin = request.headers.get("origin")
    # Under `Referrer-Policy: no-referrer` Chromium sends `Origin: null` with a
    # same-site form post: it says nothing, so the Referer (or the token) decides.
    if origin == "null":
        origin = None
    source = origin or request.headers.get("referer")
    if source is None:
        return True  # not a browser, or one that sends neither: the token decides
    host = request.headers.get("host", "")
    return bool(host) and urlsplit(source).netloc == host


async def check_csrf(request: Request, session: DbSession) -> None:
    """Every state-changing HTML form or HTMX call: same origin, and the token of
    the request's server session (drawn at login, so a token from before login or
    from another session is refused); before login, the double-submit token."""
    sent = request.headers.get(CSRF_HEADER, "")
    if not sent:
        form = await request.form()
        value = form.get(CSRF_FIELD, "")
        sent = value if isinstance(value, str) else ""
    expected = _session_token(request, session)
    if expected is None:
        expected = request.cookies.get(CSRF_COOKIE, "")
    if (
        not same_origin(request)
        or not expected
        or not sent
        or not secrets.compare_digest(expected.encode(), sent.encode())
    ):
        log.info("csrf_refused")
        raise CsrfFailed()


def render(
    request: Request,
    name: str,
    context: dict[str, Any] | None = None,
    *,
    status_code: int = 200,
) -> HTMLResponse:
    actor: Actor | None = getattr(request.state, "actor", None)
    dates.set_date_format(getattr(request.state, "date_format", None))
    locale = i18n.get_locale()
    base = {
        "request": request,
        "actor": actor,
        "locale": locale,
        "locales": i18n.LOCALE_NAMES,
        "csrf_token": csrf_token(request),
        "is_htmx": request.headers.get("hx-request") == "true",
        "dir": "ltr",
    }
    base.update(context or {})
    return templates.TemplateResponse(request, name, base, status_code=status_code)
