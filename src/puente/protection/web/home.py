"""The protection panel on the home page: my caseload, case-plan tasks past
their date and the approvals waiting, each linking to the filtered list."""

from __future__ import annotations

from sqlalchemy.orm import Session

from puente.identity import Actor
from puente.protection import service
from puente.web.templating import HomePanel, HomePanelView, register_panel


def work_panel(session: Session, actor: Actor) -> HomePanelView | None:
    work = service.my_work(session, actor=actor)
    return HomePanelView(template="protection/_home_work.html", context={"work": work})


register_panel(HomePanel("protection:work", "case:read", work_panel, order=5))
