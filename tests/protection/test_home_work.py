"""The home page shows a caseworker's caseload and tasks past their date, and a
supervisor's approvals, each linking to the filtered list."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from puente.identity.permissions import Actor
from puente.protection import service
from tests.protection.conftest import Register

Login = Callable[[TestClient, str], TestClient]


def test_caseload_and_overdue_tasks_link_to_the_filtered_list(
    client: TestClient,
    login_as: Login,
    session: Session,
    caseworker: Actor,
    register: Register,
) -> None:
    late = service.open_case(session, actor=caseworker, person_id=register())
    on_time = service.open_case(session, actor=caseworker, person_id=register())
    goal = service.add_goal(
        session, actor=caseworker, case_id=late.id, description="Safe shelter"
    )
    service.add_task(
        session,
        actor=caseworker,
        case_id=late.id,
        goal_id=goal.id,
        description="Visit the shelter with the family",
        due_on=dt.datetime.now(dt.UTC).date() - dt.timedelta(days=3),
    )
    session.commit()
    work = service.my_work(session, actor=caseworker)
    assert work.open_cases >= 2
    assert work.overdue_total == 1
    assert work.approvals is None
    login_as(client, "caseworker.col")
    home = client.get("/")
    assert home.status_code == 200
    assert 'id="home-work"' in home.text
    assert "1 task is past its date" in home.text
    assert "Visit the shelter with the family" in home.text
    assert 'href="/protection?overdue=1"' in home.text
    assert 'href="/protection?mine=1"' in home.text
    listed = client.get("/protection?overdue=1")
    assert late.number in listed.text
    assert on_time.number not in listed.text


def test_supervisor_sees_the_approvals_waiting(
    client: TestClient,
    login_as: Login,
    session: Session,
    caseworker: Actor,
    supervisor: Actor,
    register: Register,
) -> None:
    before = service.my_work(session, actor=supervisor).approvals or 0
    case = service.open_case(session, actor=caseworker, person_id=register())
    service.move_case(session, actor=caseworker, case_id=case.id, target="assessment")
    service.request_approval(
        session, actor=caseworker, case_id=case.id, kind="assessment"
    )
    session.commit()
    assert service.my_work(session, actor=supervisor).approvals == before + 1
    login_as(client, "supervisor.col")
    home = client.get("/")
    assert 'id="work-approvals"' in home.text
    assert 'href="/protection/approvals"' in home.text


def test_no_panel_for_a_role_without_cases(client: TestClient, login_as: Login) -> None:
    login_as(client, "analyst.hub")
    home = client.get("/")
    assert home.status_code == 200
    assert 'id="home-work"' not in home.text
