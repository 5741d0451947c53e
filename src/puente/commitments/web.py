"""Commitments screens under /commitments: the board (the Declaration by
section, the action packages, every endorsing state), a state's page, an
action package, one commitment with its evidence and the form a focal point
uses to change its status, and the form to add a deliverable. Tables download
as CSV and XLSX."""

from __future__ import annotations

import uuid
from collections import defaultdict
from typing import Annotated, Any, Final

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from pydantic import ValidationError

from puente.commitments import service
from puente.commitments.rules import texts
from puente.commitments.rules.status import STATUS_LABELS
from puente.commitments.schemas import CommitmentRead, DeliverableCreate, StatusChange
from puente.core import i18n
from puente.core.db import utcnow
from puente.core.errors import DomainError, InvalidInput, NotFound, PermissionDenied
from puente.core.i18n import N_, lazy_gettext
from puente.identity import Actor, can
from puente.reference.countries import ENDORSING_STATES, country_choices, country_name
from puente.web import lists
from puente.web.deps import DbSession, Require
from puente.web.downloads import download
from puente.web.maps import MAP_HEIGHT, MAP_WIDTH, shade
from puente.web.templating import (
    DashboardCard,
    check_csrf,
    register_card,
    render,
    sections_for,
)

router = APIRouter(prefix="/commitments", include_in_schema=False)
Csrf = Depends(check_csrf)
Reader = Annotated[Actor, Depends(Require("commitment:read", web=True))]
Writer = Annotated[Actor, Depends(Require("commitment:write", web=True))]
MAP_BREAKS: Final = (2.0, 3.0, 5.0)  # own commitments + 1: none, 1, 2-3, 4+
MAP_LEVELS: Final = {
    1: N_("No commitment of its own yet"),
    2: N_("1 commitment"),
    3: N_("2 or 3 commitments"),
    4: N_("4 commitments or more"),
}
STATUS_COLOURS: Final = {
    "planned": "#6b7785",
    "in_progress": "#8a5300",
    "fulfilled": "#1e6b3a",
}

for card in (
    DashboardCard(
        "commitment:read",
        lazy_gettext("Commitments of the Declaration"),
        lazy_gettext(
            "What the Declaration and each state promised, and how far each promise "
            "has come."
        ),
        "/commitments",
        "📜",
    ),
    DashboardCard(
        "commitment:write",
        lazy_gettext("Your state's commitments"),
        lazy_gettext(
            "Mark your state's commitments planned, in progress or fulfilled, with "
            "evidence."
        ),
        "/commitments/mine",
        "✍",
    ),
):
    register_card(card)


def _page(
    request: Request, actor: Actor, name: str, context: dict[str, Any]
) -> HTMLResponse:
    context.setdefault(
        "has_charts",
        bool(context.get("charts"))
        or any(v.context.get("chart") for v in context.get("page_sections", ())),
    )
    nav = [("/commitments", i18n.gettext("Commitments board"))]
    if can(actor, "commitment:write") and actor.tenant_code in ENDORSING_STATES:
        nav.append(
            (
                f"/commitments/states/{actor.tenant_code}",
                i18n.gettext("My state's commitments"),
            )
        )
    context["section_nav"] = [
        {"url": url, "label": label, "current": request.url.path == url}
        for url, label in nav
    ]
    context["status_labels"] = {k: i18n.gettext(v) for k, v in STATUS_LABELS.items()}
    context["endorsers"] = ENDORSING_STATES
    return render(request, name, context)


def _download(kind: str, name: str, rows: list[CommitmentRead]) -> Response:
    headers = [
        i18n.gettext(h)
        for h in (
            N_("Commitment"),
            N_("State"),
            N_("Section"),
            N_("Action package"),
            N_("Status"),
            N_("Target"),
            N_("Unit"),
            N_("Deadline"),
            N_("Progress computed by Puente"),
            N_("Source"),
        )
    ]
    table = [
        [
            row.text,
            row.state_name or i18n.gettext("All endorsing states"),
            row.section_label,
            row.package_name or "",
            row.status_label,
            float(row.target.quantity) if row.target.quantity is not None else "",
            row.target.unit_label,
            row.target.deadline_text
            or (row.target.deadline.isoformat() if row.target.deadline else ""),
            float(row.progress.value) if row.progress else "",
            row.source_url,
        ]
        for row in rows
    ]
    return download(kind, name, headers, table)


def _status_chart(rows: list[CommitmentRead]) -> dict[str, Any]:
    counts: dict[tuple[str, str], int] = defaultdict(int)
    for row in rows:
        counts[(row.section_label, row.status_label)] += 1
    domain = [i18n.gettext(label) for label in STATUS_LABELS.values()]
    return {
        "$schema": "https://vega.github.io/schema/vega-lite/v5.json",
        "title": i18n.gettext("Status of the commitments by section"),
        "width": "container",
        "height": {"step": 24},
        "data": {
            "values": [
                {"section": s, "status": st, "count": n}
                for (s, st), n in counts.items()
            ]
        },
        "mark": {"type": "bar"},
        "encoding": {
            "y": {"field": "section", "type": "nominal", "title": None},
            "x": {
                "field": "count",
                "type": "quantitative",
                "stack": "zero",
                "title": i18n.gettext("Commitments"),
            },
            "color": {
                "field": "status",
                "type": "nominal",
                "scale": {"domain": domain, "range": list(STATUS_COLOURS.values())},
                "legend": {"title": None, "orient": "top"},
            },
            "tooltip": [
                {"field": "section", "title": " "},
                {"field": "status", "title": " "},
                {"field": "count", "type": "quantitative"},
            ],
        },
    }


@router.get("")
def board(
    request: Request,
    session: DbSession,
    actor: Reader,
    download_as: Annotated[str | None, Query(alias="download")] = None,
) -> Response:
    rows = service.list_commitments(session, actor=actor)
    if download_as in ("csv", "xlsx"):
        return _download(download_as, "commitments", rows)
    declaration = [row for row in rows if row.kind == "declaration"]
    by_section: dict[str, list[CommitmentRead]] = defaultdict(list)
    for row in declaration:
        by_section[row.section].append(row)
    deliverables = [row for row in rows if row.kind == "deliverable"]
    per_state = {
        code: [row for row in deliverables if row.state == code]
        for code in ENDORSING_STATES
    }
    labels = {
        code: i18n.ngettext(
            "%(state)s: %(num)d commitment of its own",
            "%(state)s: %(num)d commitments of its own",
            len(per_state[code]),
            state=country_name(code),
        )
        for code in ENDORSING_STATES
    }
    # Level 1 for "none yet" so every endorsing state stays a link.
    counts = {code: float(len(per_state[code]) + 1) for code in ENDORSING_STATES}
    return _page(
        request,
        actor,
        "commitments/board.html",
        {
            "countries": shade(counts, MAP_BREAKS, labels),
            "map_width": MAP_WIDTH,
            "map_height": MAP_HEIGHT,
            "levels": {k: i18n.gettext(v) for k, v in MAP_LEVELS.items()},
            "sections": [
                (code, i18n.gettext(texts.SECTION_LABELS[code]), by_section[code])
                for code in texts.SECTIONS
                if by_section.get(code)
            ],
            "packages": service.list_packages(actor=actor),
            "page_sections": sections_for("commitments:board", session, actor),
            "states": [
                {
                    "code": code,
                    "name": name,
                    "count": len(per_state[code]),
                    "counts": service.status_counts(per_state[code]),
                }
                for code, name in country_choices(ENDORSING_STATES)
            ],
            "charts": [
                {
                    "id": "status-chart",
                    "spec": _status_chart([r for r in rows if r.kind != "package"]),
                    "label": i18n.gettext(
                        "Bar chart: how many commitments are planned, in progress or "
                        "fulfilled in each section; the lists below have the same "
                        "information."
                    ),
                }
            ],
        },
    )


@router.get("/mine")
def mine(actor: Writer) -> Response:
    target = (
        f"/commitments/states/{actor.tenant_code}"
        if actor.tenant_code in ENDORSING_STATES
        else "/commitments"
    )
    return RedirectResponse(target, status_code=303)


@router.get("/states/{state}")
def state_page(
    request: Request,
    session: DbSession,
    actor: Reader,
    state: str,
    download_as: Annotated[str | None, Query(alias="download")] = None,
) -> Response:
    code = service.check_state(state[:3])
    rows = service.list_commitments(
        session, actor=actor, where=service.CommitmentFilter(state=code)
    )
    query = lists.read_query(request)
    if download_as in ("csv", "xlsx"):  # the older download links
        query = lists.ListQuery(
            q=query.q, sort=query.sort, dir=query.dir, export=download_as
        )
    status = request.query_params.get("status", "")
    status = status if status in STATUS_LABELS else ""
    chosen = [row for row in rows if not status or row.status == status]
    listing = lists.build(
        chosen,
        _STATE_COLUMNS,
        query,
        base_url=f"/commitments/states/{code}",
        params={"status": status},
        search=lambda row: " ".join(
            (row.text, row.section_label, row.package_name or "", row.status_label)
        ),
    )
    if query.export:
        return _download(query.export, f"commitments-{code}", listing.matched)
    leads, takes_part = service.state_packages(code)
    return _page(
        request,
        actor,
        "commitments/state.html",
        {
            "code": code,
            "name": country_name(code),
            "listing": listing,
            "status": status,
            "statuses": [(k, i18n.gettext(v)) for k, v in STATUS_LABELS.items()],
            "leads": leads,
            "takes_part": takes_part,
            "counts": service.status_counts(rows),
            "can_add": can(actor, "commitment:write") and actor.tenant_code == code,
            "page_sections": sections_for("commitments:state", session, actor, code),
            "done": request.query_params.get("done") == "added",
        },
    )


_STATUS_ORDER: Final = {code: i for i, code in enumerate(STATUS_LABELS)}
_STATE_COLUMNS: Final[list[lists.Column[CommitmentRead]]] = [
    lists.Column("text", lazy_gettext("Commitment"), lambda r: r.text),
    lists.Column(
        "status",
        lazy_gettext("Status"),
        lambda r: r.status_label,
        sort_value=lambda r: _STATUS_ORDER.get(r.status, len(_STATUS_ORDER)),
    ),
    lists.Column("section", lazy_gettext("Section"), lambda r: r.section_label),
    lists.Column(
        "deadline",
        lazy_gettext("Deadline"),
        lambda r: r.target.deadline_text or "",
        sort_value=lambda r: r.target.deadline,
    ),
]


@router.get("/packages/{code}")
def package_page(
    request: Request, session: DbSession, actor: Reader, code: str
) -> Response:
    package = next(
        (p for p in service.list_packages(actor=actor) if p.code == code.upper()), None
    )
    if package is None:
        raise InvalidInput(N_("Choose an action package from the list."))
    rows = service.list_commitments(
        session,
        actor=actor,
        where=service.CommitmentFilter(action_package=package.code),
    )
    return _page(
        request, actor, "commitments/package.html", {"package": package, "rows": rows}
    )


def _detail(
    request: Request,
    session: Any,
    actor: Actor,
    commitment_id: uuid.UUID,
    *,
    values: dict[str, str] | None = None,
    error: str | None = None,
    done: bool = False,
    status_code: int = 200,
) -> Response:
    item = service.get_commitment(session, actor=actor, commitment_id=commitment_id)
    response = _page(
        request,
        actor,
        "commitments/detail.html",
        {
            "item": item,
            "values": values or {"status": item.status},
            "error": error,
            "done": done,
            "today": utcnow().date().isoformat(),
        },
    )
    response.status_code = status_code
    return response


@router.get("/{commitment_id}")
def detail(
    request: Request, session: DbSession, actor: Reader, commitment_id: uuid.UUID
) -> Response:
    return _detail(
        request,
        session,
        actor,
        commitment_id,
        done=request.query_params.get("done") == "updated",
    )


@router.post("/{commitment_id}/status", dependencies=[Csrf])
async def update_status(
    request: Request, session: DbSession, actor: Writer, commitment_id: uuid.UUID
) -> Response:
    form = await request.form()
    values = {
        key: str(value)[:2000] for key, value in form.items() if isinstance(value, str)
    }
    try:
        change = StatusChange.model_validate(
            {
                "status": values.get("status", ""),
                "evidence_url": values.get("evidence_url", "").strip(),
                "evidence_note": values.get("evidence_note", "").strip(),
                "evidence_date": values.get("evidence_date") or None,
            }
        )
        service.change_status(
            session, actor=actor, commitment_id=commitment_id, change=change
        )
    except ValidationError:
        return _detail(
            request,
            session,
            actor,
            commitment_id,
            values=values,
            error=i18n.gettext("Check the status, the link and the date."),
            status_code=422,
        )
    except DomainError as exc:
        if isinstance(exc, NotFound | PermissionDenied):
            raise
        return _detail(
            request,
            session,
            actor,
            commitment_id,
            values=values,
            error=exc.translated(),
            status_code=422,
        )
    return RedirectResponse(
        f"/commitments/{commitment_id}?done=updated", status_code=303
    )


@router.get("/states/{state}/new")
def new_deliverable(request: Request, actor: Writer, state: str) -> Response:
    code = service.check_state(state[:3])
    return _page(
        request,
        actor,
        "commitments/new.html",
        {
            "code": code,
            "name": country_name(code),
            "values": {},
            "error": None,
            **_choices(),
        },
    )


def _choices() -> dict[str, Any]:
    return {
        "sections": [
            (code, i18n.gettext(label)) for code, label in texts.SECTION_LABELS.items()
        ],
        "package_names": [
            (code, i18n.gettext(label)) for code, label in texts.PACKAGE_NAMES.items()
        ],
        "units": [
            (code, i18n.gettext(label)) for code, label in texts.UNIT_LABELS.items()
        ],
    }


@router.post("/states/{state}/new", dependencies=[Csrf])
async def add_deliverable(
    request: Request, session: DbSession, actor: Writer, state: str
) -> Response:
    code = service.check_state(state[:3])
    form = await request.form()
    values = {
        key: str(value)[:2000] for key, value in form.items() if isinstance(value, str)
    }
    try:
        data = DeliverableCreate.model_validate(
            {
                "text": values.get("text", ""),
                "section": values.get("section", ""),
                "action_package": values.get("action_package") or None,
                "target_quantity": values.get("target_quantity", "")
                .replace(",", "")
                .strip()
                or None,
                "target_unit": values.get("target_unit", ""),
                "deadline": values.get("deadline") or None,
                "source_url": values.get("source_url", "").strip(),
            }
        )
        item = service.add_deliverable(session, actor=actor, state=code, data=data)
    except (ValidationError, InvalidInput) as exc:
        message = (
            exc.translated()
            if isinstance(exc, InvalidInput)
            else i18n.gettext(
                "Describe the commitment in a few words and check the numbers and the "
                "date."
            )
        )
        response = _page(
            request,
            actor,
            "commitments/new.html",
            {
                "code": code,
                "name": country_name(code),
                "values": values,
                "error": message,
                **_choices(),
            },
        )
        response.status_code = 422
        return response
    return RedirectResponse(f"/commitments/{item.id}?done=updated", status_code=303)
