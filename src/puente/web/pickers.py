"""Pickers: every object is chosen by what a person knows (a name, a few words),
never typed by id.

Each module registers a `PickerSource` for the kinds it owns (people, cases,
services, pathways ...); the web kit owns the reference kinds (occupations,
languages, specific needs, organisations) and renders them all the same way:

- `GET /pick/<kind>?name=<field>&<field>__q=<words>` answers an HTMX fragment: the
  choices as radio buttons named `<field>` (name and a few disambiguating words,
  never an id), so arrow keys and a click both choose;
- the `picker` macro (`_picker.html`) draws a search box, a "Search" button and the
  chosen value. Without JavaScript the button posts the whole form with
  `_pick=<field>`; the form's handler answers the same page with every typed value
  kept and the choices listed (`fill_pickers`). Posting keeps the search words out
  of URLs, browser history and access logs.

A source searches through its module's service, so tenant walls and roles apply as
everywhere; search words are never logged.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, Final

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse
from sqlalchemy.orm import Session

from puente import identity
from puente.core import i18n
from puente.identity import Actor, can
from puente.reference import country_name, find_country
from puente.reference.languages import is_known_language, language_name
from puente.reference.languages import search_languages as _search_languages
from puente.reference.occupations import find_occupation, fold, search_occupations
from puente.reference.specific_needs import is_known_code, load_specific_needs
from puente.web.deps import DbSession, Require
from puente.web.templating import env, render

MAX_QUERY: Final = 100
LIMIT: Final = 10
PICK_FIELD: Final = "_pick"


@dataclass(frozen=True)
class Choice:
    """One choice: `value` is submitted (an id or a code) and never shown;
    `label` and `hint` are words a person recognises."""

    value: str
    label: str
    hint: str = ""


Search = Callable[[Session, Actor, str], list[Choice]]
Resolve = Callable[[Session, Actor, str], Choice | None]


@dataclass(frozen=True)
class PickerSource:
    """What a kind searches and how a chosen value reads again as words.
    `search` and `resolve` call the owning module's service with the actor, so
    they see only what the actor may see; `resolve` answers None otherwise."""

    kind: str
    permission: str
    search: Search
    resolve: Resolve


PICKERS: dict[str, PickerSource] = {}


def register_picker(source: PickerSource) -> None:
    """Add (or replace) the source of a kind; modules call this at import."""
    PICKERS[source.kind] = source


def query_text(value: object) -> str:
    """Typed words, trimmed and bounded; anything else reads as no words."""
    if not isinstance(value, str):
        return ""
    return " ".join(value.split())[:MAX_QUERY]


def choices_for(session: Session, actor: Actor, kind: str, query: str) -> list[Choice]:
    """What `actor` may pick of `kind` for `query` (nothing for no words)."""
    source = PICKERS[kind]
    words = query_text(query)
    if not words or not can(actor, source.permission):
        return []
    return source.search(session, actor, words)[:LIMIT]


def resolve_choice(
    session: Session, actor: Actor, kind: str, value: str
) -> Choice | None:
    """The words for a chosen value, or None when it is not one `actor` may pick."""
    source = PICKERS[kind]
    if not value or not can(actor, source.permission):
        return None
    return source.resolve(session, actor, value.strip())


@dataclass(frozen=True)
class PickerState:
    """What the macro draws for one field: the chosen value and its words, the
    typed words and, after a search, the choices."""

    kind: str
    name: str
    value: str = ""
    chosen: Choice | None = None
    query: str = ""
    choices: tuple[Choice, ...] = ()
    searched: bool = False

    def as_dict(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "name": self.name,
            "value": self.value,
            "chosen": self.chosen,
            "query": self.query,
            "choices": list(self.choices),
            "searched": self.searched,
        }


def picker_state(
    session: Session,
    actor: Actor,
    kind: str,
    name: str,
    form: Mapping[str, Any],
    *,
    search: bool = False,
) -> PickerState:
    """The state of field `name` from a posted form (or query): the chosen value
    read back as words, and the choices when `search` (the no-JS search button)."""
    raw = form.get(name)
    value = raw.strip() if isinstance(raw, str) else ""
    chosen = resolve_choice(session, actor, kind, value) if value else None
    if chosen is None:
        value = ""
    query = query_text(form.get(f"{name}__q"))
    choices: tuple[Choice, ...] = ()
    if search:
        choices = tuple(choices_for(session, actor, kind, query))
    return PickerState(kind, name, value, chosen, query, choices, search)


def fill_pickers(
    session: Session,
    actor: Actor,
    form: Mapping[str, Any],
    fields: Mapping[str, str],
) -> tuple[dict[str, PickerState], bool]:
    """The state of each picker field (`fields`: field name -> kind) of a posted
    form, and whether the post was a no-JS "Search" press (`_pick`) rather than a
    submission: then the handler renders the form again instead of saving."""
    pressed = form.get(PICK_FIELD)
    pressed_name = pressed if isinstance(pressed, str) else ""
    states = {
        name: picker_state(
            session, actor, kind, name, form, search=name == pressed_name
        )
        for name, kind in fields.items()
    }
    return states, pressed_name in fields


def empty_pickers(fields: Mapping[str, str]) -> dict[str, PickerState]:
    return {name: PickerState(kind, name) for name, kind in fields.items()}


# --- the fragment route --------------------------------------------------------


def _fragment(kind: str) -> Callable[..., HTMLResponse]:
    permission = PICKERS[kind].permission

    def pick(
        request: Request,
        session: DbSession,
        actor: Actor = Depends(Require(permission, web=True)),
    ) -> HTMLResponse:
        name = query_text(request.query_params.get("name"))
        if not name.replace("_", "").isalnum():
            name = kind
        state = picker_state(
            session, actor, kind, name, request.query_params, search=True
        )
        return render(request, "_picker_choices.html", {"p": state.as_dict()})

    pick.__name__ = f"pick_{kind}"
    return pick


def picker_router() -> APIRouter:
    """One `GET /pick/<kind>` per registered kind, each declaring its permission
    (the authorization matrix walks them like any route). Built after every module
    registered its sources."""
    router = APIRouter(tags=["pickers"])
    for kind in sorted(PICKERS):
        router.add_api_route(
            f"/pick/{kind}",
            _fragment(kind),
            methods=["GET"],
            response_class=HTMLResponse,
            include_in_schema=False,
            name=f"pick_{kind}",
        )
    return router


# --- reference kinds owned by the web kit -----------------------------------------


def _occupations(_session: Session, _actor: Actor, query: str) -> list[Choice]:
    found = search_occupations(query, i18n.get_locale(), LIMIT)
    return [Choice(o.code, o.label(), o.group()) for o in found]


def _occupation(_session: Session, _actor: Actor, value: str) -> Choice | None:
    found = find_occupation(value)
    if found is None:
        return None
    return Choice(found.code, found.label(), found.group())


def _languages(_session: Session, _actor: Actor, query: str) -> list[Choice]:
    return [Choice(code, name) for code, name in _search_languages(query)]


def _language(_session: Session, _actor: Actor, value: str) -> Choice | None:
    if not is_known_language(value):
        return None
    return Choice(value, language_name(value))


def _need_choice(code: str) -> Choice | None:
    needs = {n.code: n for n in load_specific_needs()}
    need = needs.get(code.strip().upper())
    if need is None:
        return None
    locale = i18n.get_locale()
    hint = needs[need.category].label(locale) if need.code != need.category else ""
    if not need.is_current:
        hint = i18n.gettext("%(group)s (former code)", group=hint)
    return Choice(need.code, need.label(locale), hint)


def specific_need_groups() -> list[tuple[str, list[tuple[str, str]]]]:
    """The current specific needs for a select: (category words, [(code, words)])
    in file order, each category first among its own codes."""
    locale = i18n.get_locale()
    groups: dict[str, list[tuple[str, str]]] = {}
    names: dict[str, str] = {}
    for need in load_specific_needs():
        if not need.is_current:
            continue
        if need.code == need.category:
            names[need.code] = need.label(locale)
        groups.setdefault(need.category, []).append((need.code, need.label(locale)))
    return [(names.get(cat, cat), pairs) for cat, pairs in groups.items()]


env.globals["specific_need_groups"] = specific_need_groups


def _specific_needs(_session: Session, _actor: Actor, query: str) -> list[Choice]:
    words = fold(query).split()
    locale = i18n.get_locale()
    found = [
        need
        for need in load_specific_needs()
        if need.is_current and all(w in fold(need.label(locale)) for w in words)
    ]
    return [c for c in (_need_choice(n.code) for n in found) if c is not None]


def _specific_need(_session: Session, _actor: Actor, value: str) -> Choice | None:
    return _need_choice(value) if is_known_code(value) else None


def _organisation_hint(tenant_code: str, is_regional: bool) -> str:
    if is_regional or find_country(tenant_code) is None:
        return i18n.gettext("regional")
    return country_name(tenant_code)


def _organisations(session: Session, actor: Actor, query: str) -> list[Choice]:
    words = fold(query).split()
    return [
        Choice(str(o.id), o.name, _organisation_hint(o.tenant_code, o.is_regional))
        for o in identity.list_organisations(session, actor=actor)
        if all(w in fold(o.name) for w in words)
    ]


def _organisation(session: Session, actor: Actor, value: str) -> Choice | None:
    for o in identity.list_organisations(session, actor=actor):
        if str(o.id) == value:
            return Choice(value, o.name, _organisation_hint(o.tenant_code, False))
    return None


register_picker(
    PickerSource("occupations", "dashboard:view", _occupations, _occupation)
)
register_picker(PickerSource("languages", "dashboard:view", _languages, _language))
register_picker(
    PickerSource("specific_needs", "case:read", _specific_needs, _specific_need)
)
register_picker(
    PickerSource("organisations", "dashboard:view", _organisations, _organisation)
)
