"""The pathways picker: a pathway chosen by its title (in the reader's language),
with its state and kind as the disambiguating words."""

from __future__ import annotations

from sqlalchemy.orm import Session

from puente.core import i18n
from puente.core.errors import DomainError
from puente.identity import Actor
from puente.pathways import service
from puente.pathways.schemas import PathwayRead
from puente.pathways.web._common import KIND_LABELS
from puente.reference import country_name
from puente.reference.occupations import fold
from puente.web.pickers import Choice, PickerSource, register_picker


def _choice(pathway: PathwayRead) -> Choice:
    kind = KIND_LABELS.get(pathway.kind)
    hint = country_name(pathway.state)
    if kind:
        hint = f"{hint} · {i18n.gettext(kind)}"
    return Choice(pathway.id, pathway.title, hint)


def _search(session: Session, actor: Actor, query: str) -> list[Choice]:
    words = fold(query).split()
    language = i18n.get_locale()
    found = []
    for pathway in service.list_pathways(session, actor=actor, language=language):
        words_of = fold(f"{pathway.title} {country_name(pathway.state)}")
        if all(word in words_of for word in words):
            found.append(_choice(pathway))
    return found


def _resolve(session: Session, actor: Actor, value: str) -> Choice | None:
    try:
        pathway = service.get_pathway(
            session, actor=actor, pathway_id=value, language=i18n.get_locale()
        )
    except DomainError:
        return None
    return _choice(pathway)


register_picker(PickerSource("pathways", "pathway:read", _search, _resolve))
