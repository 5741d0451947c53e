"""Duplicate review queue (people.duplicates): compare, merge, keep apart, undo."""

from __future__ import annotations

import uuid
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from puente.core.i18n import gettext as _
from puente.core.i18n import lazy_gettext
from puente.core.inputs import whole_number
from puente.identity import Actor, can
from puente.people.service import duplicates
from puente.people.web._forms import (
    Csrf,
    _choices,
    _sensitive_error,
    _text,
)
from puente.web.deps import DbSession, Require
from puente.web.templating import DashboardCard, register_card, render

router = APIRouter(prefix="/people", include_in_schema=False)


# --- duplicate review queue (people.duplicates) ---------------------------------

DuplicateReader = Annotated[Actor, Depends(Require("duplicate:review", web=True))]
DuplicateMerger = Annotated[Actor, Depends(Require("duplicate:merge", web=True))]
DuplicateScanner = Annotated[Actor, Depends(Require("duplicate:scan", web=True))]

register_card(
    DashboardCard(
        permission="duplicate:review",
        title=lazy_gettext("Possible duplicates"),
        description=lazy_gettext(
            "Review records that may be the same person, field by field; "
            "merge them or keep them apart. A merge can be undone."
        ),
        url="/people/duplicates/queue",
        icon="🔁",
    )
)


def _comparison_labels() -> dict[str, Any]:
    return {
        "field_labels": {
            "given_name": _("Given names"),
            "family_name": _("Family names"),
            "birth_date": _("Birth date"),
            "sex": _("Sex"),
            "nationality": _("Nationality or country of birth"),
        },
        "outcome_labels": {
            "match": _("Same"),
            "partial": _("Similar"),
            "mismatch": _("Different"),
            "blank": _("Not known on one of the records"),
        },
        "detail_labels": {
            "compatible": _("one date is less precise but fits the other"),
            "near": _("close: day and month swapped, or one year apart"),
            "swapped": _("given and family names written the other way round"),
        },
        "sex_labels": dict(_choices()["sexes"]),
    }


@router.get("/duplicates/queue", response_class=HTMLResponse)
def duplicate_queue_page(
    request: Request, session: DbSession, actor: DuplicateReader
) -> Response:
    """Possible duplicates, each with a field-by-field comparison in words."""
    params = request.query_params
    scanned = whole_number(params.get("count"), max_digits=6)
    merged = params.get("merged", "")
    return render(
        request,
        "people/duplicates.html",
        {
            "candidates": duplicates.list_duplicates(session, actor=actor),
            "can_merge": can(actor, "duplicate:merge"),
            "can_scan": can(actor, "duplicate:scan"),
            "notice": params.get("notice", "")[:20],
            "merged": merged if _is_uuid(merged) else "",
            "count": "" if scanned is None else str(scanned),
            **_comparison_labels(),
        },
    )


def _is_uuid(text: str) -> bool:
    try:
        uuid.UUID(text)
    except ValueError:
        return False
    return True


@router.post("/duplicates/scan", dependencies=[Csrf])
def scan_duplicates_form(session: DbSession, actor: DuplicateScanner) -> Response:
    result = duplicates.find_duplicates(session, actor=actor)
    return RedirectResponse(
        f"/people/duplicates/queue?notice=scanned&count={result.candidates_new}",
        status_code=303,
    )


@router.post("/duplicates/{candidate_id}/merge", dependencies=[Csrf])
async def merge_duplicate_form(
    candidate_id: uuid.UUID,
    request: Request,
    session: DbSession,
    actor: DuplicateMerger,
) -> Response:
    form = await request.form()
    keep = _text(form, "keep")
    if not _is_uuid(keep):
        return _sensitive_error(request, _("Choose which record to keep."))
    merge = duplicates.merge_duplicate(
        session, actor=actor, candidate_id=candidate_id, keep_person_id=uuid.UUID(keep)
    )
    return RedirectResponse(
        f"/people/duplicates/queue?notice=merged&merged={merge.id}", status_code=303
    )


@router.post("/duplicates/{candidate_id}/distinct", dependencies=[Csrf])
def mark_distinct_form(
    candidate_id: uuid.UUID, session: DbSession, actor: DuplicateMerger
) -> Response:
    duplicates.mark_distinct(session, actor=actor, candidate_id=candidate_id)
    return RedirectResponse("/people/duplicates/queue?notice=distinct", status_code=303)


@router.post("/merges/{merge_id}/undo", dependencies=[Csrf])
def undo_merge_form(
    merge_id: uuid.UUID, session: DbSession, actor: DuplicateMerger
) -> Response:
    duplicates.undo_merge(session, actor=actor, merge_id=merge_id)
    return RedirectResponse("/people/duplicates/queue?notice=undone", status_code=303)
