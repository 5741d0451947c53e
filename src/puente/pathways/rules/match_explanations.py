"""Why a worker matches an offer: one plain-language line per factor, as a message
(an English msgid and typed values) that a screen words in the reader's language;
`explain` gives the English lines the API returns."""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal
from typing import Final

from puente.core.i18n import N_
from puente.pathways.rules.eligibility import Outcome
from puente.pathways.rules.matching import Match, WorkerProfile
from puente.pathways.rules.messages import Message, Param, ParamKind
from puente.pathways.rules.offers import JobOffer

MATCH_TERM_LABELS: Final[Mapping[str, str]] = {"native": N_("native")}
"""Labels of the codes a match explanation names (a worker's level, besides CEFR)."""
_OUTCOME_LINES: Final[Mapping[str, str]] = {
    Outcome.ELIGIBLE: N_("Eligibility (%(score)s): eligible for %(pathway)s."),
    Outcome.UNDETERMINED: N_("Eligibility (%(score)s): undetermined for %(pathway)s."),
    Outcome.NOT_ELIGIBLE: N_("Eligibility (%(score)s): not_eligible for %(pathway)s."),
}


def _score(value: float) -> Param:
    """A factor as a ratio rounded as `f"{value:.0%}"` rounds it (so the English
    text is unchanged: 0.165 is 17%)."""
    return Param(ParamKind.PERCENT, str(Decimal(f"{value * 100:.0f}") / 100))


def _text(value: str) -> Param:
    return Param(ParamKind.TEXT, value)


def _language(match: Match, worker: WorkerProfile, offer: JobOffer) -> Message:
    score = _score(match.factors["language"])
    level = worker.languages.get(offer.required_language)
    if not offer.required_language and not offer.required_cefr:
        return Message(
            N_("Language (%(score)s): needs — , the worker has none."),
            {"score": score},
        )
    if not offer.required_language:
        return Message(
            N_("Language (%(score)s): needs — %(cefr)s, the worker has none."),
            {"score": score, "cefr": _text(offer.required_cefr)},
        )
    params = {
        "score": score,
        "language": Param(ParamKind.LANGUAGE, offer.required_language),
    }
    if offer.required_cefr:
        params["cefr"] = _text(offer.required_cefr)
    if level is not None:
        params["level"] = Param(ParamKind.TERM, level)
    msgid = {
        (True, True): N_(
            "Language (%(score)s): needs %(language)s %(cefr)s, the worker has "
            "%(level)s."
        ),
        (True, False): N_(
            "Language (%(score)s): needs %(language)s %(cefr)s, the worker has none."
        ),
        (False, True): N_(
            "Language (%(score)s): needs %(language)s , the worker has %(level)s."
        ),
        (False, False): N_(
            "Language (%(score)s): needs %(language)s , the worker has none."
        ),
    }[(bool(offer.required_cefr), level is not None)]
    return Message(msgid, params)


def explain_messages(
    match: Match, worker: WorkerProfile, offer: JobOffer
) -> list[Message]:
    """One message per factor of a match: an English msgid and its typed values,
    for a screen to show in the reader's language (`explain` is their English)."""
    f = match.factors
    pathway = worker.pathway_outcomes.get(offer.pathway_id)
    occupation = {
        "score": _score(f["occupation"]),
        "worker_isco": _text(worker.isco),
        "offer_isco": _text(offer.isco),
    }
    skills = {
        "score": _score(f["skills"]),
        "count": Param(
            ParamKind.NUMBER, str(len(set(worker.skills) & set(offer.skills)))
        ),
        "asked": Param(ParamKind.NUMBER, str(len(offer.skills))),
    }
    location = {"score": _score(f["location"]), "state": _text(offer.state)}
    available = {
        "score": _score(f["availability"]),
        "available": Param(ParamKind.DATE, worker.available_from.isoformat()),
    }
    eligibility = {"score": _score(f["eligibility"])}
    if worker.preferred_destinations:
        location["destinations"] = Param(
            ParamKind.LIST, items=tuple(map(_text, worker.preferred_destinations))
        )
    if offer.start_date:
        available["start"] = Param(ParamKind.DATE, offer.start_date.isoformat())
    if pathway and offer.pathway_id:
        eligibility["pathway"] = _text(offer.pathway_id)
    return [
        Message(
            N_(
                "Occupation (%(score)s): worker ISCO %(worker_isco)s, offer ISCO "
                "%(offer_isco)s — same unit group."
            )
            if worker.isco == offer.isco
            else N_(
                "Occupation (%(score)s): worker ISCO %(worker_isco)s, offer ISCO "
                "%(offer_isco)s — related group (partial credit)."
            ),
            occupation,
        ),
        Message(
            N_(
                "Skills (%(score)s): the worker has %(count)s of %(asked)s skills the "
                "offer asks for."
            ),
            skills,
        ),
        _language(match, worker, offer),
        Message(
            N_(
                "Location (%(score)s): the job is in %(state)s; preferred "
                "destinations: %(destinations)s."
            )
            if worker.preferred_destinations
            else N_(
                "Location (%(score)s): the job is in %(state)s; preferred "
                "destinations: any."
            ),
            location,
        ),
        Message(
            N_(
                "Availability (%(score)s): available from %(available)s, job starts "
                "%(start)s."
            )
            if offer.start_date
            else N_(
                "Availability (%(score)s): available from %(available)s, job starts "
                "any time."
            ),
            available,
        ),
        Message(
            _OUTCOME_LINES[pathway]
            if pathway and offer.pathway_id
            else N_("Eligibility (%(score)s): no pathway screening result yet."),
            eligibility,
        ),
    ]


def explain(match: Match, worker: WorkerProfile, offer: JobOffer) -> list[str]:
    """One plain-language line per factor of a match, in English (the API's text)."""
    return [m.english() for m in explain_messages(match, worker, offer)]
