"""Jinja2 environment, rendering helper, CSRF and the home page's registries:
dashboard cards (links) and home panels (small live summaries)."""

from __future__ import annotations

import secrets
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import structlog
from babel.numbers import format_decimal
from fastapi import Request
from fastapi.responses import HTMLResponse
from fastapi.templating import Jinja2Templates

from puente.core import dates, i18n
from puente.core.errors import DomainError, PermissionDenied
from puente.core.i18n import N_
from puente.identity import Actor, can

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

log = structlog.get_logger(__name__)
CSRF_COOKIE = "puente_csrf"


class CsrfFailed(PermissionDenied):
    message = N_("The form has expired. Reload the page and try again.")


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
    views: list[HomePanelView] = []
    for panel in sorted(HOME_PANELS.values(), key=lambda p: (p.order, p.key)):
        if not can(actor, panel.permission):
            continue
        try:
            with session.begin_nested():
                view = panel.build(session, actor)
        except DomainError as exc:
            log.info("home_panel_skipped", panel=panel.key, error=type(exc).__name__)
            continue
        except Exception:  # a broken panel must not take the home page down
            log.exception("home_panel_failed", panel=panel.key)
            continue
        if view is not None:
            views.append(view)
    return views


def csrf_token(request: Request) -> str:
    token: str | None = getattr(request.state, "csrf_token", None)
    if token is None:
        token = request.cookies.get(CSRF_COOKIE) or secrets.token_urlsafe(32)
        request.state.csrf_token = token
    return token


async def check_csrf(request: Request) -> None:
    """Double-submit check for every state-changing HTML form or HTMX call."""
    cookie = request.cookies.get(CSRF_COOKIE, "")
    sent = request.headers.get(CSRF_HEADER, "")
    if not sent:
        form = await request.form()
        value = form.get(CSRF_FIELD, "")
        sent = value if isinstance(value, str) else ""
    if not cookie or not sent or not secrets.compare_digest(cookie, sent):
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
