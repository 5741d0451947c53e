"""Financing fixtures: the financing demo loaded once per suite database
(idempotent, committed like the identity demo), and actors by role."""

from __future__ import annotations

import uuid
from collections.abc import Callable

import pytest
from rich.progress import Progress
from sqlalchemy import select
from sqlalchemy.orm import Session

from puente.core import db as core_db
from puente.identity import Actor, Role
from puente.identity.models import User


@pytest.fixture(scope="session")
def financing_demo(db_url: str) -> str:
    """Load the financing demo into the suite database once; returns the URL."""
    from puente.financing import demo

    engine = core_db.make_engine(db_url)
    with core_db.uow(engine=engine) as session, Progress(disable=True) as progress:
        demo.load(session, progress)
    engine.dispose()
    return db_url


@pytest.fixture
def demo_session(financing_demo: str, session: Session) -> Session:
    return session


def role_actor(
    role: Role, tenant: str = "HUB", organisation_id: uuid.UUID | None = None
) -> Actor:
    return Actor(
        uuid.uuid4(), f"{role.value}.test", tenant, organisation_id, frozenset({role})
    )


@pytest.fixture
def demo_actor(session: Session) -> Callable[[str], Actor]:
    """The actor of a demo user (with their organisation)."""
    from puente.identity import service as identity_service

    def make(username: str) -> Actor:
        user = session.scalars(select(User).where(User.username == username)).one()
        return identity_service.actor_for(user)

    return make
