"""The screening page: read over the officer's shoulder, in the person's language;
HTMX re-screens as facts are entered, and the form works without JS too."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Final

from fastapi import Request
from fastapi.responses import Response
from starlette.datastructures import FormData

from puente.core import i18n
from puente.core.errors import InvalidInput
from puente.identity import Actor, can
from puente.pathways import service
from puente.pathways.rules.facts import (
    FACT_VALUE_LABELS,
    FACTS,
    INPUT_FACTS,
    LANGUAGES,
    FactType,
)
from puente.pathways.service.text import fact_question
from puente.pathways.web._common import Csrf, Screener, form_text, router, whole_number
from puente.reference.subdivisions import subdivision_options
from puente.web.deps import DbSession
from puente.web.pickers import PickerState, fill_pickers
from puente.web.templating import render

FIRST_QUESTIONS: Final = 6
# Facts chosen with a picker (field name -> picker kind).
PICKED: Final = {
    f"fact_{name}": "occupations"
    for name in INPUT_FACTS
    if FACTS[name].type is FactType.ISCO
}
CORE_FACTS: Final = ("nationality", "country_of_residence", "date_of_entry", "age")
_WIDGETS: Final = {
    FactType.BOOLEAN: "boolean",
    FactType.ENUM: "select",
    FactType.CEFR: "select",
    FactType.INTEGER: "number",
    FactType.ISCED: "number",
    FactType.DATE: "date",
    FactType.ISO3: "country",  # picked by name, never typed as a code
    FactType.ISO3_LIST: "countries",
    FactType.ISCO: "occupation",  # picked by words, never typed as a code
    FactType.SUBDIVISION: "subdivision",
}


def _field(
    name: str, value: object, pickers: Mapping[str, PickerState]
) -> dict[str, Any]:
    """One question, worded in the current locale (the person's language)."""
    spec = FACTS[name]
    ask = fact_question(name)
    if isinstance(value, list):
        shown = ", ".join(str(v) for v in value)
    elif isinstance(value, bool):
        shown = "true" if value else "false"
    else:
        shown = "" if value is None else str(value)
    return {
        "name": name,
        "label": ask[:1].upper() + ask[1:],
        "widget": _WIDGETS.get(spec.type, "text"),
        "values": [
            (v, i18n.gettext(FACT_VALUE_LABELS.get((name, v), v))) for v in spec.values
        ],
        "value": shown,
        "chosen": [str(v) for v in value] if isinstance(value, list) else [shown],
        "example": spec.example.strip('"'),
        "minimum": spec.minimum,
        "maximum": spec.maximum,
        "picker": pickers[f"fact_{name}"].as_dict()
        if f"fact_{name}" in pickers
        else None,
    }


def facts_from_form(form: FormData) -> dict[str, object]:
    """The facts as typed. A number that is not one (`²`, fullwidth or 5,000
    digits) stays text, so the screening names the field and the form keeps it."""
    facts: dict[str, object] = {}
    for name in INPUT_FACTS:
        text = form_text(form, f"fact_{name}", 2000)
        if not text:
            continue
        kind = FACTS[name].type
        if kind is FactType.BOOLEAN:
            facts[name] = text == "true"
        elif kind in (FactType.INTEGER, FactType.ISCED):
            number = whole_number(text)
            facts[name] = text if number is None else number
        elif kind in (FactType.ISO3_LIST, FactType.TAG_LIST):
            # A multiple choice sends one value per country; typed text, commas.
            picked = [v for v in form.getlist(f"fact_{name}") if isinstance(v, str)]
            joined = ",".join(picked) if len(picked) > 1 else text
            items = [p.strip() for p in joined.split(",") if p.strip()]
            facts[name] = (
                [p.upper() for p in items] if kind is FactType.ISO3_LIST else items
            )
        elif kind in (FactType.ISO3, FactType.SUBDIVISION):
            facts[name] = text.upper()
        else:
            facts[name] = text
    return facts


def _screening_page(
    request: Request,
    session: DbSession,
    actor: Actor,
    facts: dict[str, object],
    language: str,
    *,
    store: bool = False,
    applicant_ref: str = "",
    form: Mapping[str, Any] | None = None,
) -> Response:
    error = ""
    pickers, searching = fill_pickers(session, actor, form or {}, PICKED)
    store = store and not searching
    result = None
    try:
        result = service.screen_person(
            session,
            actor=actor,
            facts=facts,
            language=language,
            applicant_ref=applicant_ref,
            store=store,
        )
    except InvalidInput as exc:
        error = exc.translated()
    # The core questions stay in place; answered facts stay; then the few
    # unanswered questions that can still change an outcome, most useful first.
    searched = {
        n for n in INPUT_FACTS if f"fact_{n}" in pickers and pickers[f"fact_{n}"].query
    }
    shown = [*CORE_FACTS, *(n for n in INPUT_FACTS if n in facts or n in searched)]
    questions = [q.fact for q in result.questions] if result else []
    upcoming = [q for q in questions if q not in shown][:FIRST_QUESTIONS]
    names = list(dict.fromkeys([*shown, *upcoming]))
    with i18n.use_locale(language):
        fields = [_field(n, facts.get(n), pickers) for n in names]
    context = {
        "fields": fields,
        "result": result,
        "error": error,
        "language": language,
        "languages": LANGUAGES,
        "more_questions": max(0, len(questions) - len(upcoming)),
        "applicant_ref": applicant_ref,
        "can_apply": can(actor, "application:write"),
        "subdivisions": subdivision_options(),
    }
    template = (
        "pathways/_screening.html"
        if request.headers.get("hx-request") == "true"
        else "pathways/screen.html"
    )
    return render(request, template, context, status_code=422 if error else 200)


@router.get("/screen")
def screen_page(
    request: Request, session: DbSession, actor: Screener, language: str = ""
) -> Response:
    lang = language if language in LANGUAGES else i18n.get_locale()
    return _screening_page(request, session, actor, {}, lang)


@router.post("/screen", dependencies=Csrf)
async def screen_post(
    request: Request, session: DbSession, actor: Screener
) -> Response:
    form = await request.form()
    language = form_text(form, "language") or i18n.get_locale()
    lang = language if language in LANGUAGES else "en"
    return _screening_page(
        request,
        session,
        actor,
        facts_from_form(form),
        lang,
        store=form_text(form, "action") == "save",
        applicant_ref=form_text(form, "applicant_ref", 80),
        form=form,
    )
