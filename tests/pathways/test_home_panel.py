"""The pathways officer's home panel: applications open and needing a review,
and attestations to review, counted and linked to their filtered lists."""

from __future__ import annotations

import re
from collections.abc import Callable

from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from puente.pathways import service
from tests.pathways.helpers import actor

Login = Callable[[TestClient, str], TestClient]


def _count(html: str, element: str) -> int:
    found = re.search(rf'id="{element}">(?:<a [^>]*>)?(\d+)', html)
    return int(found.group(1)) if found else 0


def test_the_officer_sees_what_waits_and_reaches_it(
    client: TestClient, login_as: Login, session: Session
) -> None:
    login_as(client, "pathways.col")
    before = _count(client.get("/").text, "pathways-open")
    service.apply_to_pathway(
        session,
        actor=actor(session, "pathways.col"),
        pathway_id="col-etpv",
        applicant_ref="Panel applicant",
    )
    session.commit()
    home = client.get("/").text
    assert 'id="home-pathways"' in home
    assert _count(home, "pathways-open") == before + 1
    assert 'href="/pathways/applications?status=active"' in home
    assert 'id="pathways-attestations"' in home
    listed = client.get("/pathways/applications?status=active&q=panel")
    assert "Panel applicant" in listed.text


def test_other_roles_have_no_pathways_panel(
    client: TestClient, login_as: Login
) -> None:
    login_as(client, "employer.can")
    assert 'id="home-pathways"' not in client.get("/").text
