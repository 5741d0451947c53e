"""What the people pages share: permissions, the dashboard card, form parsing,
choices and labels, and the search behind search-before-create."""

from __future__ import annotations

from functools import partial
from typing import Annotated, Any, Final

from fastapi import Depends, Request
from fastapi.responses import Response
from pydantic import ValidationError
from sqlalchemy.orm import Session
from starlette.datastructures import FormData

from puente.core.i18n import N_, lazy_gettext
from puente.core.i18n import gettext as _
from puente.identity import Actor
from puente.people import service
from puente.people.schemas import (
    Candidate,
    ContactKind,
    DocumentType,
    PointKind,
    Relationship,
    SearchQuery,
    SensitiveKind,
)
from puente.web.deps import Require
from puente.web.templating import DashboardCard, check_csrf, register_card, render

Csrf = Depends(check_csrf)
Reader = Annotated[Actor, Depends(Require("person:read", web=True))]
Writer = Annotated[Actor, Depends(Require("person:write", web=True))]
CanWrite = Depends(Require("person:write", web=True))

register_card(
    DashboardCard(
        permission="person:write",
        title=lazy_gettext("People"),
        description=lazy_gettext(
            "Register people and families; search first so no one is registered twice."
        ),
        url="/people",
        icon="👥",
    )
)

MAX_FAMILY = 12
MEMBER_CANDIDATES = 5  # per member row: enough to recognise, few to read
PERSON_FIELDS = (
    "given_name",
    "family_name",
    "sex",
    "birth_date",
    "nationality",
    "other_nationalities",
    "languages",
    "country_of_birth",
    "consent_to_tracing",
    "document_type",
    "document_number",
    "issuing_state",
    "phone",
)


def _text(form: FormData, name: str) -> str:
    value = form.get(name, "")
    return value.strip() if isinstance(value, str) else ""


def _codes(text: str) -> list[str]:
    return [
        part for part in text.replace(";", ",").replace(" ", ",").split(",") if part
    ]


def _person_payload(form: FormData, prefix: str = "") -> dict[str, Any]:
    """The registration fields of one person, as PersonCreate input."""

    def get(name: str) -> str:
        return _text(form, prefix + name)

    payload: dict[str, Any] = {
        "given_name": get("given_name"),
        "family_name": get("family_name"),
        "sex": get("sex") or "U",
        "birth_date": get("birth_date") or None,
        "nationality": get("nationality") or None,
        "other_nationalities": _codes(get("other_nationalities")),
        "languages": _codes(get("languages")),
        "country_of_birth": get("country_of_birth") or None,
        "consent_to_tracing": get("consent_to_tracing") in ("on", "true", "1"),
    }
    if get("document_number"):
        payload["documents"] = [
            {
                "document_type": get("document_type") or "other",
                "number": get("document_number"),
                "issuing_state": get("issuing_state") or None,
            }
        ]
    if get("phone"):
        payload["contacts"] = [{"kind": "phone", "value": get("phone")}]
    return payload


def _registration_payload(form: FormData) -> dict[str, Any]:
    return {
        "point_kind": _text(form, "point_kind") or "office",
        "place": _text(form, "place"),
    }


def _field_message(error: dict[str, Any]) -> str:
    location = [str(part) for part in error.get("loc", ())]
    if error.get("type") == "missing" or error.get("type") == "string_too_short":
        return _("This field is required.")
    if "birth_date" in location:
        return _("Write the birth date as YYYY, YYYY-MM or YYYY-MM-DD.")
    if any(
        name in location
        for name in ("nationality", "other_nationalities", "country_of_birth")
    ):
        return _("Use three-letter country codes, for example VEN.")
    if "languages" in location:
        return _("Use language codes, for example es, ht.")
    return _("Check this value.")


def _errors(exc: ValidationError, prefix: str = "") -> dict[str, str]:
    found: dict[str, str] = {}
    for error in exc.errors():
        location = [str(part) for part in error["loc"]]
        field = next((p for p in location if p in PERSON_FIELDS), None)
        if field is None and location:
            field = {"documents": "document_number", "contacts": "phone"}.get(
                location[0], location[0]
            )
        found.setdefault(prefix + (field or "form"), _field_message(dict(error)))
    return found


def _choices() -> dict[str, Any]:
    return {
        "sexes": [
            ("F", _("Female")),
            ("M", _("Male")),
            ("X", _("Other")),
            ("U", _("Unknown")),
        ],
        "points": [(p.value, _code_label("point", p.value)) for p in PointKind],
        "document_types": [
            (d.value, _code_label("document", d.value)) for d in DocumentType
        ],
        "relationships": [
            (r.value, _code_label("relationship", r.value)) for r in Relationship
        ],
        "sensitive_kinds": [
            (k.value, _code_label("sensitive", k.value)) for k in SensitiveKind
        ],
        "contact_kinds": [c.value for c in ContactKind],
    }


# The words for the codes the people pages show (msgids, translated when shown).
_CODE_LABELS: Final[dict[str, dict[str, str]]] = {
    "point": {
        "border_post": N_("Border post"),
        "shelter": N_("Shelter"),
        "office": N_("Office"),
        "sea_rescue": N_("Sea rescue"),
        "detention": N_("Detention"),
        "outreach": N_("Outreach"),
    },
    "document": {
        "passport": N_("Passport"),
        "national_id": N_("National identity card"),
        "birth_certificate": N_("Birth certificate"),
        "unhcr_id": N_("UNHCR registration"),
        "temporary_permit": N_("Temporary permit"),
        "other": N_("Other document"),
    },
    "relationship": {
        "head": N_("Head of household"),
        "spouse": N_("Spouse or partner"),
        "child": N_("Son or daughter"),
        "stepchild": N_("Stepchild"),
        "parent": N_("Father or mother"),
        "sibling": N_("Brother or sister"),
        "grandchild": N_("Grandchild"),
        "grandparent": N_("Grandparent"),
        "nephew_niece": N_("Nephew or niece"),
        "uncle_aunt": N_("Uncle or aunt"),
        "other_relative": N_("Other relative"),
        "not_related": N_("Not related"),
    },
    "sensitive": {
        "sogiesc": N_("Sexual orientation, gender identity or expression (LGBTQI+)"),
        "indigenous": N_("Indigenous people"),
        "afro_descendant": N_("Afro-descendant"),
        "gbv": N_("Gender-based violence"),
        "trafficking": N_("Trafficking"),
        "health": N_("Health"),
        "asylum_claim": N_("Asylum claim"),
        "refugee_status": N_("Refugee status"),
        "statelessness": N_("Statelessness"),
        "feared_states": N_("States the person fears (country codes)"),
    },
}


def _code_label(kind: str, value: str) -> str:
    """The words for a code of `kind`, translated; an unknown code as it is."""
    message = _CODE_LABELS[kind].get(value)
    return _(message) if message else value


def _labels() -> dict[str, Any]:
    return {f"{kind}_label": partial(_code_label, kind) for kind in _CODE_LABELS}


def _search_query(form: FormData, prefix: str, limit: int) -> SearchQuery | None:
    """What a registration form has typed so far, as a search; None when too
    little is typed. A date still being typed (1985-0) searches by what is
    already a date (1985); a value that is not valid yet is left out."""

    def get(name: str) -> str:
        return _text(form, prefix + name)

    given, family = get("given_name")[:200], get("family_name")[:200]
    document = get("document_number")[:60]
    if len(given + family) < 2 and not document:
        return None
    optional: dict[str, str | None] = {
        "birth_date": get("birth_date")[:10] or None,
        "sex": get("sex") or None,
        "nationality": get("nationality") or None,
    }
    for _attempt in range(4):
        try:
            return SearchQuery(
                given_name=given,
                family_name=family,
                document_number=document,
                limit=limit,
                **optional,
            )
        except ValidationError as exc:
            for error in exc.errors():
                field = str(error["loc"][0]) if error["loc"] else ""
                value = optional.get(field)
                if field == "birth_date" and value and len(value) > 4:
                    optional[field] = value[:7] if len(value) > 7 else value[:4]
                else:
                    optional[field] = None
    return SearchQuery(given_name=given, family_name=family, limit=limit)


def _search(
    session: Session,
    actor: Actor,
    form: FormData,
    prefix: str = "",
    *,
    screen: str = "person",
    limit: int = 10,
) -> list[Candidate] | None:
    """Candidates for what is typed (audited by the service); None: not searched."""
    query = _search_query(form, prefix, limit)
    if query is None:
        return None
    return service.search_before_registering(
        session, actor=actor, query=query, screen=screen
    )


def _sensitive_error(request: Request, message: str) -> Response:
    return render(
        request,
        "error.html",
        {"status": 422, "message": message},
        status_code=422,
    )
